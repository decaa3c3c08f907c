"""Sharing levels: each activity and its budget are shared with the public or with members only."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from icat_analysis import cli
from icat_analysis.store import db, export
from icat_analysis.store.export import link_tables
from icat_analysis.store.validate import validate_export
from tests.factories import activities_table, activity
from tests.test_ingest import FIXTURE, activities, run_import

HEADER = "activity_id,title,lead_agency,scope,countries,start_date,themes,budget_usd,visibility,budget_visibility"


def write(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "submission.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def levels(data: Path) -> dict[str, tuple[str, str]]:
    return {k: (r["visibility"], r["budget_visibility"]) for k, r in activities(data).items()}


def test_a_submission_without_the_columns_still_imports_and_is_for_members_only(tmp_path, capsys):
    data = tmp_path / "data"
    code, _, err = run_import(capsys, FIXTURE, "--data", data)
    assert code == 0, err
    got = levels(data)
    assert len(got) == 22
    assert set(got.values()) == {("members", "members")}
    assert validate_export(data) == []


def test_the_submission_default_applies_where_a_row_says_nothing(tmp_path, capsys):
    data = tmp_path / "data"
    code, _, err = run_import(capsys, FIXTURE, "--data", data, "--visibility", "public")
    assert code == 0, err
    assert set(levels(data).values()) == {("public", "public")}

    other = tmp_path / "other"
    code, _, err = run_import(
        capsys, FIXTURE, "--data", other, "--visibility", "public", "--budget-visibility", "members"
    )
    assert code == 0, err
    assert set(levels(other).values()) == {("public", "members")}


def test_a_row_overrides_the_default_and_a_default_budget_never_widens_past_its_row(tmp_path, capsys):
    csv = write(
        tmp_path,
        "R1,Shelters,UNODC,national,THA,2020-01-01,protection,1000,,",
        "R2,Hotline,IOM,national,VNM,2020-01-01,protection,2000,members,",
        "R3,Training,ILO,national,KHM,2020-01-01,prosecution,3000,PUBLIC,members",
        "R4,Research,UNICEF,national,LAO,2020-01-01,prevention,4000,members,members",
    )
    data = tmp_path / "data"
    code, _, err = run_import(capsys, csv, "--data", data, "--visibility", "public", "--budget-visibility", "public")
    assert code == 0, err
    assert levels(data) == {
        "R1": ("public", "public"),
        "R2": ("members", "members"),  # the default public budget does not publish a members' activity
        "R3": ("public", "members"),
        "R4": ("members", "members"),
    }
    assert validate_export(data) == []


def test_an_unknown_level_or_a_budget_wider_than_its_activity_is_refused_by_file_row_and_column(tmp_path, capsys):
    csv = write(
        tmp_path,
        "R1,Shelters,UNODC,national,THA,2020-01-01,protection,1000,secret,",
        "R2,Hotline,IOM,national,VNM,2020-01-01,protection,2000,members,public",
        "R3,Training,ILO,national,KHM,2020-01-01,prosecution,3000,public,everyone",
    )
    data = tmp_path / "data"
    code, _, err = run_import(capsys, csv, "--data", data)
    assert code == 1
    lines = err.splitlines()
    assert "submission.csv:2: visibility: unknown sharing level 'secret'; use public or members" in lines
    assert (
        "submission.csv:3: budget_visibility: is public but the activity is shared with members only; "
        "a budget is never shared more widely than its activity" in lines
    )
    assert "submission.csv:4: budget_visibility: unknown sharing level 'everyone'; use public or members" in lines
    assert not export.is_export(data)


def test_an_unknown_default_level_is_wrong_usage(tmp_path, capsys):
    code = cli.main(["import-activities", str(FIXTURE), "--data", str(tmp_path), "--visibility", "secret"])
    assert code == 2
    assert "invalid choice: 'secret'" in capsys.readouterr().err


def test_an_export_from_before_sharing_levels_validates_and_its_rows_stay_members_only(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    table = activities_table([activity("OLD-1", countries=["THA"])])
    old = table.drop_columns(["visibility", "budget_visibility"])
    pq.write_table(old, data / "activities.parquet")
    for name, t in link_tables(table).items():
        pq.write_table(t, data / name)
    assert validate_export(data) == []
    rows = db.query(db.connect(data), "activity_rows")
    assert rows[["activity_id", "visibility", "budget_visibility"]].values.tolist() == [["OLD-1", "members", "members"]]

    csv = write(tmp_path, "NEW-1,Shelters,UNODC,national,THA,2020-01-01,protection,1000,public,public")
    code, _, err = run_import(capsys, csv, "--data", data)
    assert code == 0, err
    assert levels(data) == {"OLD-1": ("members", "members"), "NEW-1": ("public", "public")}
