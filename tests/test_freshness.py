"""Agency freshness scorecards on a hand-made export: the shares, the stale rows, the state."""

from __future__ import annotations

from datetime import date, datetime

import pyarrow as pa
import pytest

from icat_analysis import cli
from icat_analysis.analyses import freshness
from icat_analysis.store import db, export
from tests.factories import activities_table, activity

TODAY = date(2026, 12, 1)


@pytest.fixture
def hand_made(tmp_path):
    """ILO: 4 activities, last sent 2026-06-01; IOM: 1, last sent 2025-07-01."""
    rows = [
        activity(
            "ILO-1",
            lead="ILO",
            budget=100.0,
            description="Shelter",
            end="2027-12-31",
            status="active",
            target_groups=["victims"],
            exploitation_forms=["forced_labour"],
            last_updated="2026-05-01",
        ),
        activity(
            "ILO-2",
            lead="ILO",
            budget=None,
            description="Training",
            end="2025-06-30",
            status="active",
            target_groups=["victims"],
            last_updated="2026-05-01",
        ),  # active, end date passed: stale
        activity(
            "ILO-3", lead="ILO", budget=50.0, description=None, end=None, status="active", last_updated="2023-01-15"
        ),  # last updated more than 730 days ago: stale
        activity(
            "ILO-4",
            lead="ILO",
            budget=10.0,
            description="  ",
            end="2024-01-01",
            status="completed",
            last_updated="2026-01-01",
        ),
        activity(
            "IOM-1",
            lead="IOM",
            budget=5.0,
            description="Return",
            end="2028-01-01",
            status="active",
            target_groups=["children"],
            exploitation_forms=["sexual_exploitation"],
            last_updated="2025-06-01",
        ),
    ]
    t = activities_table(rows)
    sent = [datetime(2026, 6, 1)] * 4 + [datetime(2025, 7, 1)]
    t = t.set_column(t.schema.get_field_index("imported_at"), "imported_at", pa.array(sent, pa.timestamp("us")))
    d = tmp_path / "x"
    export.write_export(d, {"activities.parquet": t, **export.link_tables(t)}, {})
    return d


def test_scorecard_shares_states_and_stale_rows(hand_made):
    cards = freshness.scorecards(db.connect(hand_made), TODAY).set_index("agency")
    ilo, iom = cards.loc["ILO"], cards.loc["IOM"]
    assert (ilo["activities"], str(ilo["last_submission"])[:10], ilo["days_since"]) == (4, "2026-06-01", 183)
    assert [ilo[k] for k in freshness.SHARES] == [0.75, 0.5, 0.75, 0.5, 0.25]
    assert ilo["stale"] == 2 and ilo["state"] == "fresh"
    assert iom["days_since"] == 518 and iom["state"] == "delinquent"  # 365 + 90 <= 518
    stale = freshness.stale_rows(db.connect(hand_made), TODAY, "ILO")
    assert stale[["activity_id", "why"]].values.tolist() == [
        ["ILO-2", "active, but its end date 2025-06-30 has passed"],
        ["ILO-3", "last updated 2023-01-15"],
    ]


@pytest.mark.parametrize(
    "age, cycle, state",
    [
        (0, 365, "fresh"),
        (364, 365, "fresh"),
        (365, 365, "due"),
        (424, 365, "due"),
        (425, 365, "overdue"),
        (455, 365, "delinquent"),
        (None, 365, "delinquent"),
        (29, 30, "fresh"),
        (44, 30, "overdue"),
        (60, 30, "delinquent"),
    ],
)
def test_states_follow_hdx_margins(age, cycle, state):
    assert freshness.state(age, cycle) == state


def test_the_cycle_comes_from_the_settings(hand_made, tmp_path, monkeypatch):
    cfg = tmp_path / "icat.toml"
    cfg.write_text("[freshness]\nupdate_cycle_days = 90\n", encoding="utf-8")
    monkeypatch.setenv("ICAT_CONFIG", str(cfg))
    assert freshness.scorecards(db.connect(hand_made), TODAY).set_index("agency").loc["ILO", "state"] == "delinquent"


def test_quality_command_writes_the_scorecards_and_the_stale_rows(hand_made, capsys):
    assert cli.main(["quality", "--data", str(hand_made), "--today", "2026-12-01"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("agency,activities,last_submission,days_since,state,with_budget")
    assert lines[1].startswith("ILO,4,2026-06-01,183,fresh,0.75,0.5,0.75,0.5,0.25,2")
    assert cli.main(["quality", "--stale", "--data", str(hand_made), "--today", "2026-12-01"]) == 0
    assert "ILO-3" in capsys.readouterr().out
