"""History and "since" comparisons: a seeded export, a change file imported later (one new, one
ended, one changed budget) and a removal, listed exactly by ``changes --since`` and the page's frame."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from icat_analysis import cli
from icat_analysis.analyses import changes
from icat_analysis.sources import template
from icat_analysis.store import export, history, reviews

FIXTURE = Path(__file__).parent / "fixtures" / "ingest" / "activities_20.csv"


def _change_file(path: Path) -> Path:
    rows = {r["activity_id"]: r for r in csv.DictReader(FIXTURE.open(encoding="utf-8"))}
    ended = {**rows["XM-DAC-41110-MX-004"], "end_date": "2026-05-31", "status": "completed"}
    budget = {**rows["UNHCR-ETH-006"], "budget_usd": "520000"}
    new = {k: "" for k in ended} | {
        "activity_id": "NEW-1",
        "title": "Shelter for survivors in Accra",
        "lead_agency": "IOM",
        "scope": "national",
        "countries": "GH",
        "start_date": "2026-04-01",
        "themes": "protection",
    }
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(ended))
        w.writeheader()
        w.writerows([ended, budget, new])
    return path


@pytest.fixture
def two_meetings(tmp_path):
    """Seeded on 10 January 2026; the change file on 1 June; TH-001 withdrawn on 2 June."""
    data = tmp_path / "data"
    template.import_activities([FIXTURE], data, now=datetime(2026, 1, 10, 9, 0))
    reviews.add_review(data, "A1", "B1", "duplicate", "Amina", now=datetime(2026, 1, 11, tzinfo=UTC))
    template.import_activities([_change_file(tmp_path / "june.csv")], data, now=datetime(2026, 6, 1, 9, 0))
    acts = pq.read_table(export.current_dir(data) / "activities.parquet")
    kept = acts.filter(pc.invert(pc.equal(acts.column("activity_id"), "XM-DAC-41102-TH-001")))
    export.write_export(
        data, {"activities.parquet": kept, **export.link_tables(kept)}, {}, now=datetime(2026, 6, 2, tzinfo=UTC)
    )
    reviews.add_review(data, "A2", "B2", "complementary", "Jon", "same donor", now=datetime(2026, 5, 3, tzinfo=UTC))
    return data


def test_the_history_lists_each_version_newest_first(two_meetings, capsys):
    snaps = history.snapshots(two_meetings)
    assert [s.made_at.date() for s in snaps] == [date(2026, 6, 2), date(2026, 6, 1), date(2026, 1, 10)]
    assert [s.row_count("activities") for s in snaps] == [22, 23, 22]
    assert snaps[0].current and not snaps[1].current
    assert history.as_of(two_meetings, date(2026, 3, 1)).id == snaps[2].id
    assert cli.main(["history", "--data", str(two_meetings)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].startswith(snaps[0].id) and out[1].endswith("(current)") and "22" in out[1]
    assert "import activities_20.csv" in out[3]


def test_changes_since_a_meeting_lists_exactly_what_changed(two_meetings):
    c = changes.compare(two_meetings, date(2026, 3, 1))
    assert c.counts() == {"new": 1, "ended": 1, "cancelled": 0, "changed": 1, "removed": 1}
    rows = c.changes[["activity_id", "change", "field", "old", "new"]].values.tolist()
    assert sorted(rows) == sorted(
        [
            ["NEW-1", "new", "", "", ""],
            ["XM-DAC-41110-MX-004", "ended", "end_date", "", "2026-05-31"],
            ["XM-DAC-41110-MX-004", "ended", "status", "active", "completed"],
            ["UNHCR-ETH-006", "changed", "budget_usd", "480,000", "520,000"],
            ["XM-DAC-41102-TH-001", "removed", "", "", ""],
        ]
    )
    assert c.changes.set_index("activity_id").loc["NEW-1", "agency"] == "IOM"
    assert c.reviewed[["activity_id_a", "verdict"]].values.tolist() == [["A2", "complementary"]]
    gained = changes.places_gained_lost(c.since.path, c.until.path)
    assert ["IOM", "GHA", "gained"] in gained.values.tolist()


def test_changes_command_prints_per_agency_and_country(two_meetings, capsys):
    assert cli.main(["changes", "--since", "2026-03-01", "--data", str(two_meetings)]) == 0
    out = capsys.readouterr().out
    assert "1 new, 1 ended, 0 cancelled, 1 changed, 1 removed" in out
    assert "IOM\n  Ghana: 1 new\n    new       NEW-1  Shelter for survivors in Accra" in out
    assert "budget_usd: 480,000 -> 520,000" in out
    assert "Duplicate pairs reviewed since 2026-03-01: 1\n  A2 and B2: complementary (Jon, 2026-05-03)" in out


def test_a_date_before_the_history_is_refused_with_where_it_starts(two_meetings, capsys):
    assert cli.main(["changes", "--since", "2025-12-01", "--data", str(two_meetings)]) == 1
    err = capsys.readouterr().err
    assert (
        "has no version made before 1 December 2025: its history starts on 10 January 2026; "
        "pick 11 January 2026 or a later day."
    ) in err
    assert str(two_meetings) not in err
    assert cli.main(["changes", "--since", "yesterday", "--data", str(two_meetings)]) == 2


def test_the_briefing_pack_says_what_changed_since_the_last_meeting(two_meetings):
    from icat_analysis.ui import briefing

    s = briefing.since_last_meeting(changes.compare(two_meetings, date(2026, 3, 1)), date(2026, 3, 1))
    assert s.title == "Since the last meeting (1 March 2026)"
    assert s.table.set_index("Lead agency").loc["IOM", "New"] == 1
    assert "1 new, 1 ended, 0 cancelled, 1 changed, 1 removed activities" in s.notes[0]
    assert briefing.since_last_meeting(None, date(2026, 3, 1)).notes == [
        "The export's history does not reach back to the last meeting."
    ]


def test_the_changes_page_on_a_flat_export_names_it_and_says_history_starts_with_the_next_import(
    tmp_path, monkeypatch, clean_streamlit
):
    from streamlit.testing.v1 import AppTest

    from tests.factories import activity, make_export

    data = make_export(tmp_path / "agency-submissions", [activity("A1")])  # one version, made 1 January 2026
    monkeypatch.setenv("ICAT_DATA_DIR", str(data))
    at = AppTest.from_file("../dashboard.py", default_timeout=120)
    at.query_params["since"] = "2025-12-01"
    at.run()
    at.switch_page("pages/changes.py").run()
    assert not at.exception
    shown = [i.value for i in at.info]
    assert (
        "Nothing to compare. Export 'agency-submissions' has one version so far (made 1 January 2026): "
        "changes appear after the next import." in shown
    )
    texts = " ".join([*shown, *(c.value for c in at.caption), *(m.value for m in at.markdown)])
    assert str(tmp_path) not in texts and "history starts" not in texts


def _two_versions(tmp_path, before: list[dict], after: list[dict]) -> tuple[Path, Path]:
    from tests.factories import activities_table

    data = tmp_path / "two"
    for rows in (before, after):
        t = activities_table(rows)
        export.write_export(data, {"activities.parquet": t, **export.link_tables(t)}, {})
    snaps = history.snapshots(data)
    return snaps[1].path, snaps[0].path


def test_a_change_shows_lists_amounts_with_cents_and_emptied_values_as_a_person_reads_them(tmp_path):
    from tests.factories import activity

    old, new = _two_versions(
        tmp_path,
        [activity("A1", themes=["protection"], budget=1_000.0, description="Shelters")],
        [activity("A1", themes=["protection", "prevention"], budget=1_234.5, description=None)],
    )
    rows = changes.compare_versions(old, new)[["change", "field", "old", "new"]].values.tolist()
    assert rows == [
        ["changed", "description", "Shelters", ""],
        ["changed", "budget_usd", "1,000", "1,234.50"],
        ["changed", "themes", "protection", "protection, prevention"],
    ]


def test_the_comparison_is_the_same_without_the_stored_hashes_and_duckdb_files(two_meetings, tmp_path):
    import shutil

    from icat_analysis.store import row_hashes

    snaps = history.snapshots(two_meetings)
    assert all((s.path / row_hashes.FILE).is_file() for s in snaps)  # written with every version
    stored = changes.compare(two_meetings, date(2026, 3, 1)).changes
    bare = tmp_path / "bare"
    shutil.copytree(two_meetings, bare, symlinks=True)
    for v in (bare / export.VERSIONS).iterdir():
        (v / row_hashes.FILE).unlink()
        (v / export.DATABASE).unlink()
    assert changes.compare(bare, date(2026, 3, 1)).changes.values.tolist() == stored.values.tolist()
    assert len(stored) == 5
    # who works where, read from the parquet files instead of the DuckDB file: the same places
    gained = changes.places_gained_lost(snaps[0].path, snaps[-1].path).values.tolist()
    bare_snaps = history.snapshots(bare)
    assert changes.places_gained_lost(bare_snaps[0].path, bare_snaps[-1].path).values.tolist() == gained
    assert gained
