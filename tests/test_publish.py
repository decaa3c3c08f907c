"""publish: a public export holds only what the public may see, and says how much it withholds."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from icat_analysis import cli
from icat_analysis.sources import demo
from icat_analysis.store import export, reviews
from icat_analysis.store.validate import validate_export
from tests.factories import activity, make_export


@pytest.fixture(scope="module")
def full(tmp_path_factory) -> Path:
    """A seeded synthetic export with a duplicate review and an import history."""
    data = tmp_path_factory.mktemp("full") / "export"
    demo.generate(data, 600, 11, None)
    acts = pq.read_table(data / "activities.parquet").to_pylist()
    reviews.add_review(data, acts[0]["activity_id"], acts[1]["activity_id"], "duplicate", "planner@unodc.org")
    export.write_export(data, {}, {"last_import": {"files": ["UNODC internal draft.xlsx"], "inserted": 3}})
    return data


def publish(capsys, *args) -> tuple[int, str, str]:
    code = cli.main(["publish", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def public(full, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("public") / "export"
    assert cli.main(["publish", "--level", "public", "--data", str(full), "--out", str(out)]) == 0
    return out


def test_the_seeded_export_has_something_to_withhold(full):
    (members, budgets) = duckdb.execute(
        "SELECT count(*) FILTER (visibility = 'members'), "
        "count(*) FILTER (visibility = 'public' AND budget_visibility = 'members' AND budget_usd IS NOT NULL) "
        "FROM read_parquet(?)",
        [str(full / "activities.parquet")],
    ).fetchone()
    assert members > 50 and budgets > 50


def test_the_public_export_holds_no_members_only_activity_budget_review_or_history(full, public):
    acts = pq.read_table(public / "activities.parquet").to_pylist()
    assert acts and all(a["visibility"] == "public" for a in acts)
    assert all(a["budget_usd"] is None for a in acts if a["budget_visibility"] == "members")
    full_rows = {a["activity_id"]: a for a in pq.read_table(full / "activities.parquet").to_pylist()}
    members_ids = {k for k, a in full_rows.items() if a["visibility"] == "members"}
    assert not members_ids & {a["activity_id"] for a in acts}
    for name in ("activity_countries.parquet", "activity_agencies.parquet"):
        ids = set(pq.read_table(public / name).column("activity_id").to_pylist())
        assert ids and not ids & members_ids, name
    # a public budget comes through as it was
    shown = [a for a in acts if a["budget_visibility"] == "public" and a["budget_usd"] is not None]
    assert shown and all(full_rows[a["activity_id"]]["budget_usd"] == a["budget_usd"] for a in shown)
    # the hot-spot index is built again from the published activities: no members-only activity in it
    index = pq.read_table(public / "duplicate_pairs.parquet")
    assert not set(index.column("activity_id_a").to_pylist() + index.column("activity_id_b").to_pylist()) & members_ids
    assert sorted(p.name for p in public.iterdir() if not p.name.startswith(".")) == [
        "activities.parquet",
        "activity_agencies.parquet",
        "activity_countries.parquet",
        "duplicate_pairs.parquet",
        "events.parquet",
        "export.duckdb",
        "indicators.parquet",
        "manifest.json",
        "resources.parquet",
    ]
    text = (public / "manifest.json").read_text()
    assert "last_import" not in text and "UNODC internal draft" not in text
    assert not (public / reviews.LOG_NAME).exists() and (full / reviews.LOG_NAME).exists()
    assert validate_export(public) == []


def test_the_manifest_records_the_level_and_withheld_counts_equal_to_the_full_export(full, public):
    manifest = json.loads((public / "manifest.json").read_text())
    sharing = manifest["sharing"]
    assert sharing["level"] == "public"
    assert "duplicate reviews" in sharing["left_out"] and "import history" in sharing["left_out"]
    w = sharing["withheld"]
    path = str(full / "activities.parquet")
    n_members, n_budgets = duckdb.execute(
        "SELECT count(*) FILTER (visibility = 'members'), "
        "count(*) FILTER (visibility = 'public' AND budget_visibility = 'members' AND budget_usd IS NOT NULL) "
        "FROM read_parquet(?)",
        [path],
    ).fetchone()
    assert (w["activities"], w["budgets"]) == (n_members, n_budgets)
    assert manifest["row_counts"]["activities"] + n_members == 600
    # by lead agency and country, as counted in the full export
    expected = dict(
        ((agency, iso3), n)
        for agency, iso3, n in duckdb.execute(
            "SELECT lead_agency, iso3, count(*) FROM (SELECT lead_agency, "
            "unnest(CASE WHEN len(countries) = 0 THEN [NULL] ELSE countries END) AS iso3 "
            "FROM read_parquet(?) WHERE visibility = 'members') GROUP BY ALL",
            [path],
        ).fetchall()
    )
    got = {(c["agency"], c["iso3"]): c["activities"] for c in w["by_agency_country"] if c["role"] == "lead"}
    assert {k: v for k, v in got.items() if v} == expected
    # counts only: no identifier, title or budget of a withheld activity
    members_ids = duckdb.execute("SELECT activity_id FROM read_parquet(?) WHERE visibility = 'members'", [path])
    text = (public / "manifest.json").read_text()
    assert not [i for (i,) in members_ids.fetchall() if i in text]
    assert set().union(*(c.keys() for c in w["by_agency_country"])) == {
        "agency",
        "role",
        "iso3",
        "activities",
        "budgets",
    }


def test_withheld_counts_by_agency_and_country_by_hand(tmp_path, capsys):
    in_euros = {"budget_value": 4_600.0, "budget_currency": "EUR", "import_notes": ["4,600 EUR at 1.087 USD"]}
    data = make_export(
        tmp_path / "full",
        [
            {**activity("P1", lead="UNODC", countries=["NGA"]), **in_euros},
            activity("M1", lead="UNODC", countries=["NGA"], visibility="members"),
            activity(
                "M2", lead="UNODC", partners=["IOM"], countries=["NGA", "GHA"], scope="regional", visibility="members"
            ),
            {**activity("B1", lead="ILO", countries=["NGA"], budget=5_000, budget_visibility="members"), **in_euros},
            activity("G1", lead="ILO", countries=[], visibility="members"),
        ],
    )
    out = tmp_path / "public"
    code, printed, err = publish(capsys, "--level", "public", "--data", data, "--out", out)
    assert code == 0, err
    assert "2 activities published" in printed and "3 activities and 1 budgets" in printed
    cells = json.loads((out / "manifest.json").read_text())["sharing"]["withheld"]["by_agency_country"]
    assert cells == [
        {"agency": "ILO", "role": "lead", "iso3": "NGA", "activities": 0, "budgets": 1},
        {"agency": "ILO", "role": "lead", "iso3": None, "activities": 1, "budgets": 0},
        {"agency": "IOM", "role": "partner", "iso3": "GHA", "activities": 1, "budgets": 0},
        {"agency": "IOM", "role": "partner", "iso3": "NGA", "activities": 1, "budgets": 0},
        {"agency": "UNODC", "role": "lead", "iso3": "GHA", "activities": 1, "budgets": 0},
        {"agency": "UNODC", "role": "lead", "iso3": "NGA", "activities": 2, "budgets": 0},
    ]
    by_agency = json.loads((out / "manifest.json").read_text())["sharing"]["withheld"]["by_agency"]
    assert by_agency == [
        {"agency": "ILO", "role": "lead", "activities": 1, "budgets": 1},
        {"agency": "IOM", "role": "partner", "activities": 1, "budgets": 0},
        {"agency": "UNODC", "role": "lead", "activities": 2, "budgets": 0},
    ]
    acts = {a["activity_id"]: a for a in pq.read_table(out / "activities.parquet").to_pylist()}
    assert set(acts) == {"P1", "B1"} and acts["B1"]["budget_usd"] is None and acts["P1"]["budget_usd"] == 100_000
    # the budget in its own currency, and notes that may quote it, go with the budget
    assert [acts["B1"][k] for k in in_euros] == [None, None, None]
    assert [acts["P1"][k] for k in in_euros] == list(in_euros.values())


def test_the_public_export_holds_only_the_public_resources_and_events(tmp_path, capsys):
    data = make_export(tmp_path / "full", [activity("P1", lead="UNODC", countries=["NGA"])])
    resources = tmp_path / "resources.csv"
    resources.write_text(
        "resource_id,title,kind,visibility\n"
        "R-PUB,Handbook on victim identification,guideline,public\n"
        "R-MEM,Draft referral protocol under review,guideline,members\n"
        "R-DEF,Internal training notes,training_material,\n",
        encoding="utf-8",
    )
    events = tmp_path / "events.csv"
    events.write_text(
        "event_id,title,kind,start_date,place,visibility\n"
        "E-PUB,World Day against Trafficking in Persons,campaign_day,2026-07-30,online,public\n"
        "E-MEM,ICAT working group on data,icat_meeting,2026-09-14,AUT,members\n",
        encoding="utf-8",
    )
    assert cli.main(["import-resources", str(resources), "--data", str(data)]) == 0
    assert cli.main(["import-events", str(events), "--data", str(data)]) == 0
    out = tmp_path / "public"
    code, printed, err = publish(capsys, "--level", "public", "--data", data, "--out", out)
    assert code == 0, err
    # the full export keeps all three resources (an empty cell is members only) and both events
    full_res = {
        r["resource_id"]: r["visibility"]
        for r in pq.read_table(export.current_dir(data) / "resources.parquet").to_pylist()
    }
    assert full_res == {"R-PUB": "public", "R-MEM": "members", "R-DEF": "members"}
    assert pq.read_table(out / "resources.parquet").column("resource_id").to_pylist() == ["R-PUB"]
    assert pq.read_table(out / "events.parquet").column("event_id").to_pylist() == ["E-PUB"]
    assert "left out" not in printed
    members = tmp_path / "members"
    assert publish(capsys, "--level", "members", "--data", data, "--out", members)[0] == 0
    assert sorted(pq.read_table(members / "events.parquet").column("event_id").to_pylist()) == ["E-MEM", "E-PUB"]
    assert validate_export(out) == []


def test_an_unknown_sharing_level_of_a_resource_is_refused_naming_file_row_and_column(tmp_path, capsys):
    bad = tmp_path / "resources.csv"
    bad.write_text("resource_id,title,kind,visibility\nR1,Handbook,guideline,everyone\n", encoding="utf-8")
    assert cli.main(["import-resources", str(bad), "--data", str(tmp_path / "data")]) == 1
    assert (
        f"{bad.name}:2: visibility: unknown sharing level 'everyone'; use public or members" in capsys.readouterr().err
    )


def test_the_founding_reports_resources_and_events_are_public_in_the_shipped_demo():
    from icat_analysis.paths import DATA_ROOT

    for name in ("resources", "events"):
        rows = pq.read_table(DATA_ROOT / "demo" / f"{name}.parquet").to_pylist()
        real = [r for r in rows if not r["is_synthetic"]]
        assert real and all(r["visibility"] == "public" for r in real), name
        assert any(r["visibility"] == "members" for r in rows), name  # a public instance has something to withhold


def test_the_members_level_keeps_every_activity_but_no_review_or_history(full, tmp_path, capsys):
    out = tmp_path / "members"
    code, _, err = publish(capsys, "--level", "members", "--data", full, "--out", out)
    assert code == 0, err
    assert pq.read_metadata(out / "activities.parquet").num_rows == 600
    assert not (out / reviews.LOG_NAME).exists()
    assert "last_import" not in json.loads((out / "manifest.json").read_text())


def test_refused_into_the_data_directory_a_non_empty_one_or_at_an_unknown_level(full, tmp_path, capsys):
    before = export.file_digest(full)
    code, _, err = publish(capsys, "--level", "public", "--data", full, "--out", full, "--force")
    assert code == 1 and "is the data directory itself" in err
    code, _, err = publish(capsys, "--level", "public", "--data", full, "--out", full.parent, "--force")
    assert code == 1 and "holds the data directory" in err
    code, _, err = publish(capsys, "--level", "public", "--data", full, "--out", full / "public")
    assert code == 1 and "is inside the data directory" in err
    assert not (full / "public").exists()
    code, _, err = publish(capsys, "--level", "secret", "--data", full, "--out", tmp_path / "x")
    assert code == 1 and "unknown level 'secret'; use public or members" in err
    assert not (tmp_path / "x").exists()

    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    code, _, err = publish(capsys, "--level", "public", "--data", full, "--out", busy)
    assert code == 1 and "is not empty; choose an empty directory, or give --force" in err
    code, _, err = publish(capsys, "--level", "public", "--data", full, "--out", busy, "--force")
    assert code == 1 and "holds no export" in err
    assert [p.name for p in busy.iterdir()] == ["notes.txt"]
    assert export.file_digest(full) == before


def test_force_replaces_an_earlier_export_and_leaves_nothing_of_it(full, tmp_path, capsys):
    out = tmp_path / "public"
    assert publish(capsys, "--level", "members", "--data", full, "--out", out)[0] == 0
    (out / reviews.LOG_NAME).write_text('{"verdict": "duplicate"}\n')
    code, _, err = publish(capsys, "--level", "public", "--data", full, "--out", out)
    assert code == 1 and "--force" in err
    code, _, err = publish(capsys, "--level", "public", "--data", full, "--out", out, "--force")
    assert code == 0, err
    assert not (out / reviews.LOG_NAME).exists()
    levels = set(pq.read_table(out / "activities.parquet").column("visibility").to_pylist())
    assert levels == {"public"}
