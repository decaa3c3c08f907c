"""DuckDB's copy of an export's tables (``export.duckdb``): every new version gets one, the
dashboard opens the export from it without parsing parquet, and it gives the same figures. An
export written before it existed, a copy whose parquet changed since, or a file of another
release still open from their parquet."""

from __future__ import annotations

import json
import shutil

import duckdb
import pyarrow.parquet as pq
import pytest

from icat_analysis import cli
from icat_analysis.filters import Filters
from icat_analysis.store import db, export, publish
from tests.conftest import four_activities
from tests.factories import activities_table, activity, make_export

QUERIES = {
    "overview_headline": {"today": "2026-01-01"},
    "map_country_values": {},
    "export_row_counts": {},
    "activity_rows_count": {},
}


def _figures(con, f: Filters | None = None) -> dict:
    # as JSON, so list cells (numpy arrays) compare by value
    return {
        name: json.loads(db.query(con, name, f, **params).to_json(orient="split")) for name, params in QUERIES.items()
    }


def _activity_ids(con) -> list[str]:
    return sorted(r[0] for r in con.execute("SELECT activity_id FROM activities").fetchall())


def test_an_import_writes_the_database_and_the_export_opens_from_it(tmp_path):
    d = make_export(tmp_path / "x", four_activities(), versioned=True)
    version = export.current_dir(d)
    assert (version / db.DATABASE).is_file()
    assert db.DATABASE in export.checksums(version) and export.verify(version) == []
    assert db.opens_from_database(d)

    flat = make_export(tmp_path / "flat", four_activities())  # the same activities, parquet only
    assert not db.opens_from_database(flat)
    stored, parsed = db.connect(d), db.connect(flat)
    assert _figures(stored) == _figures(parsed)
    ilo = Filters(agencies=("ILO",))
    assert _figures(stored, ilo) == _figures(parsed, ilo)
    assert db.query(stored, "activity_rows_count", ilo)["activities"].iloc[0] == 3  # A1, A2 (partner), A4
    # the tables are read from the file, not parsed from parquet again
    tables = dict(stored.execute("SELECT table_name, table_type FROM information_schema.tables").fetchall())
    assert tables["activities"] == "VIEW" and tables["activity_places_agencies"] == "VIEW"
    assert tables["agencies"] == "BASE TABLE"  # the reference lists come from the installed package


def test_an_old_export_without_the_database_still_opens(tmp_path):
    d = make_export(tmp_path / "old", four_activities())
    assert not (d / db.DATABASE).exists()
    con = db.connect(d)
    assert _activity_ids(con) == ["A1", "A2", "A3", "A4"]
    assert db.query(con, "export_row_counts").set_index("table")["rows"]["activity_countries"] == 5


def test_rebuild_cache_writes_the_database_of_an_old_export(tmp_path, capsys):
    d = make_export(tmp_path / "old", four_activities())
    before = _figures(db.connect(d))
    assert cli.main(["rebuild-cache", "--data", str(d)]) == 0
    assert "written" in capsys.readouterr().out
    assert db.opens_from_database(d) and _figures(db.connect(d)) == before
    assert cli.main(["rebuild-cache", "--data", str(d)]) == 0
    assert "up to date; nothing to do" in capsys.readouterr().out
    assert cli.main(["rebuild-cache", "--data", str(tmp_path / "nothing")]) == 1


def test_a_parquet_file_replaced_after_the_database_was_written_is_read_instead(tmp_path):
    d = make_export(tmp_path / "x", four_activities())
    db.write_database(d)
    assert db.opens_from_database(d)
    # someone puts another activities file in place by hand: the stored copy no longer describes it
    table = activities_table([activity("B1", lead="IOM", countries=["NGA"])])
    pq.write_table(table.select(export.EXPORT_FILES["activities.parquet"].names), d / "activities.parquet")
    assert not db.opens_from_database(d)
    assert _activity_ids(db.connect(d)) == ["B1"]


def test_a_database_of_another_format_or_damaged_is_not_used(tmp_path, monkeypatch):
    d = make_export(tmp_path / "x", four_activities())
    db.write_database(d)
    monkeypatch.setattr(db, "DATABASE_FORMAT", "2:a later release")
    assert not db.opens_from_database(d)
    assert _activity_ids(db.connect(d)) == ["A1", "A2", "A3", "A4"]
    monkeypatch.undo()
    (d / db.DATABASE).write_bytes(b"not a database")
    assert not db.opens_from_database(d)
    assert _activity_ids(db.connect(d)) == ["A1", "A2", "A3", "A4"]


def test_undo_goes_back_to_the_earlier_versions_database(tmp_path):
    d = make_export(tmp_path / "x", four_activities(), versioned=True)
    export.write_export(
        d,
        export.link_tables(activities_table([activity("B1")]))
        | {"activities.parquet": activities_table([activity("B1")])},
        {},
    )
    assert db.opens_from_database(d) and _activity_ids(db.connect(d)) == ["B1"]
    assert "export.duckdb" in export.undo_last_import(d)
    assert db.opens_from_database(d) and _activity_ids(db.connect(d)) == ["A1", "A2", "A3", "A4"]


def test_a_migrated_flat_export_gets_its_database(tmp_path):
    d = make_export(tmp_path / "x", four_activities())  # flat, as the repository ships one
    export.write_export(d, {"indicators.parquet": export.empty_table("indicators.parquet")}, {})
    assert export.is_versioned(d) and db.opens_from_database(d)
    assert _activity_ids(db.connect(d)) == ["A1", "A2", "A3", "A4"]


def test_the_public_exports_database_holds_only_public_activities(tmp_path):
    rows = [
        activity("P1", lead="ILO", countries=["THA"], visibility="public"),
        activity("M1", lead="IOM", countries=["VNM"], visibility="members"),
    ]
    full = make_export(tmp_path / "full", rows, versioned=True)
    public = tmp_path / "public"
    publish.publish(full, public, "public")
    assert db.opens_from_database(public)
    con = db.connect(public)
    assert _activity_ids(con) == ["P1"]
    # nothing of the members' activity is in the file, in any table
    raw = duckdb.connect(str(public / db.DATABASE), read_only=True)
    for table in ("activities", "activity_countries", "activity_agencies", "activity_places_agencies"):
        cols = [c[0] for c in raw.execute(f"DESCRIBE {table}").fetchall()]
        where = "activity_id = 'M1'" if "activity_id" in cols else "iso3 = 'VNM'"
        assert raw.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0] == 0, table
    raw.close()


def test_a_damaged_parquet_file_is_still_reported_when_there_is_no_usable_database(tmp_path):
    d = make_export(tmp_path / "x", four_activities())
    db.write_database(d)
    (d / "activities.parquet").write_bytes(b"cut short")
    with pytest.raises(export.DamagedExport, match="activities.parquet: cannot be read as parquet"):
        db.connect(d)
    shutil.rmtree(d)


def test_an_export_under_two_row_groups_is_written_in_two_halves(tmp_path):
    # DuckDB reads a row group on one core: the 100,000 activities of an IATI import are cut in two
    assert db.row_group_size(100_000) == 51_200
    assert db.row_group_size(2_000) == 2_048  # a vector is the least
    assert db.row_group_size(245_760) == db.row_group_size(1_000_000) == 122_880  # DuckDB's own
    rows = [activity(f"A{i:04d}", countries=["THA" if i % 2 else "LAO"]) for i in range(5_000)]
    d = make_export(tmp_path / "x", rows, versioned=True)
    assert db.opens_from_database(d)
    stored = duckdb.connect(str(export.current_dir(d) / db.DATABASE), read_only=True)
    groups = stored.execute(
        "SELECT row_group_id, max(count) FROM pragma_storage_info('activities') GROUP BY ALL ORDER BY 1"
    ).fetchall()
    assert groups == [(0, 4_096), (1, 904)]
    con = db.connect(d)
    assert db.query(con, "activity_rows_count", Filters(countries=("THA",)))["activities"].iloc[0] == 2_500
    assert _activity_ids(con) == sorted(r["activity_id"] for r in rows)
