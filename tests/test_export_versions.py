"""Versioned exports: one atomic switch, undo that moves the pointer back and refuses a damaged
version, flat exports read without being written, and damaged files that explain themselves."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from icat_analysis import cli
from icat_analysis.store import db, export, retention
from icat_analysis.store.validate import validate_export
from tests.factories import activities_table, activity, make_export

REPO = Path(__file__).resolve().parents[1]


def _tables(rows):
    t = activities_table(rows)
    return {"activities.parquet": t, **export.link_tables(t)}


def _titles(d: Path) -> dict[str, str]:
    t = pq.read_table(export.current_dir(d) / "activities.parquet", columns=["activity_id", "title"])
    return dict(zip(t.column("activity_id").to_pylist(), t.column("title").to_pylist()))


def _tree(d: Path) -> dict[str, tuple[int, int]]:
    # the lock file is made by the first writer that takes the lock, and holds nothing
    return {
        str(p.relative_to(d)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(d.rglob("*"))
        if p.name != export.LOCK
    }


def test_each_import_is_a_complete_version_named_by_one_pointer(tmp_path):
    d = tmp_path / "x"
    export.write_export(d, _tables([activity("A1", title="First")]), {"sources": []})
    first = export.current_dir(d)
    export.write_export(d, _tables([activity("A1", title="Second")]), {})
    second = export.current_dir(d)
    assert os.readlink(d / "current") == f"versions/{second.name}"
    assert first != second and first.parent == second.parent == d / "versions"
    # every file of the export is in the version, with its checksum; unchanged ones are shared, not copied;
    # DuckDB's copy of the tables and the hot-spot index built from its activities are made for each version
    listed = export.checksums(second)
    assert set(listed) == {
        "activities.parquet",
        "activity_countries.parquet",
        "activity_agencies.parquet",
        "activity_hashes.parquet",
        "duplicate_pairs.parquet",
        "export.duckdb",
        "manifest.json",
    }
    assert export.verify(second) == []
    m = export.read_manifest(d)
    assert m["version"]["id"] == second.name and m["version"]["lineage"] == [first.name]
    assert m["row_counts"]["activities"] == 1
    assert _titles(d) == {"A1": "Second"}
    assert export.export_version(d) == second.name


def test_undo_moves_the_pointer_back_and_copies_nothing(tmp_path):
    d = tmp_path / "x"
    export.write_export(d, _tables([activity("A1", title="First")]), {})
    first = export.current_dir(d)
    before = _tree(first)
    export.write_export(d, _tables([activity("A1", title="Second"), activity("A2")]), {})
    assert export.undo_last_import(d) == [
        "activities.parquet",
        "activity_agencies.parquet",
        "activity_countries.parquet",
        "activity_hashes.parquet",
        "duplicate_pairs.parquet",
        "export.duckdb",
        "manifest.json",
    ]
    assert export.current_dir(d) == first and _tree(first) == before
    assert _titles(d) == {"A1": "First"}
    assert export.undo_last_import(d) == []  # the first version has nothing before it


def test_undo_refuses_a_version_whose_checksums_fail(tmp_path, capsys):
    d = tmp_path / "x"
    export.write_export(d, _tables([activity("A1", title="First")]), {})
    first = export.current_dir(d)
    export.write_export(d, _tables([activity("A1", title="Second")]), {})
    second = export.current_dir(d)
    (first / "activities.parquet").write_bytes(b"")  # the copy undo needs is damaged
    assert cli.main(["import-activities", "--undo", "--data", str(d)]) == 1
    err = capsys.readouterr().err
    assert "will not go back to a damaged version; nothing was changed" in err
    assert f"{first / 'activities.parquet'}: does not match its checksum" in err
    assert export.current_dir(d) == second and _titles(d) == {"A1": "Second"}


def test_a_flat_export_is_read_without_writing_and_migrated_on_the_first_import(tmp_path):
    d = make_export(tmp_path / "flat", [activity("A1", title="Shipped")])
    before = _tree(d)
    con = db.connect(d)
    assert con.execute("SELECT count(*) FROM activities").fetchone() == (1,)
    assert validate_export(d) == [] and export.read_manifest(d)["row_counts"]["activities"] == 1
    export.export_version(d)
    assert _tree(d) == before, "reading a flat export wrote to it"

    export.write_export(d, _tables([activity("A1", title="Imported")]), {})
    assert _titles(d) == {"A1": "Imported"}
    assert {k: v for k, v in _tree(d).items() if k in before} == before, "the flat files were changed"
    assert export.undo_last_import(d)
    assert _titles(d) == {"A1": "Shipped"} and export.is_versioned(d)
    assert validate_export(d) == []


def test_the_earlier_layouts_previous_copy_becomes_the_version_before(tmp_path):
    d = make_export(tmp_path / "old", [activity("A1", title="Now")])
    make_export(d / ".previous", [activity("A1", title="Before")])
    (d / ".previous" / "indicators.parquet").unlink(missing_ok=True)
    assert export.undo_last_import(d)
    assert _titles(d) == {"A1": "Before"}


def test_a_damaged_previous_copy_of_the_earlier_layout_is_refused(tmp_path, capsys):
    d = make_export(tmp_path / "old", [activity("A1", title="Now")])
    (d / ".previous").mkdir()
    (d / ".previous" / "activities.parquet").write_bytes(b"")  # what a kill mid-copy left
    before = _tree(d)
    assert cli.main(["import-activities", "--undo", "--data", str(d)]) == 1
    assert "the copy kept by the last import is damaged; nothing was changed" in capsys.readouterr().err
    assert _tree(d) == before


def test_leftovers_of_a_killed_import_are_cleared_by_the_next(tmp_path):
    d = tmp_path / "x"
    export.write_export(d, _tables([activity("A1")]), {})
    staged = export.stage(d, datetime(2026, 1, 1, tzinfo=UTC))
    (staged / "activities.parquet").write_bytes(b"half")
    export.write_export(d, _tables([activity("A2")]), {})
    assert not staged.exists()
    # two imports in one second: their ids share the time, so compare as sets
    assert {p.name for p in export.version_dirs(d)} == {
        export.current_dir(d).name,
        *export.lineage(export.read_manifest(d)),
    }


@pytest.mark.parametrize(
    "damage, file",
    [
        (lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]), "activities.parquet"),
        (lambda p: p.write_bytes(b""), "activities.parquet"),
        (lambda p: p.write_text(p.read_text()[:40]), "manifest.json"),
    ],
    ids=["truncated parquet", "empty parquet", "manifest cut mid-way"],
)
def test_a_damaged_file_is_named_with_how_to_recover(tmp_path, damage, file, capsys):
    d = make_export(tmp_path / "x", [activity("A1"), activity("A2", lead="ILO")], versioned=True)
    path = export.current_dir(d) / file
    damage(path)
    with pytest.raises(export.DamagedExport) as caught:
        db.connect(d)
        export.read_manifest(d)
    assert str(path) in str(caught.value) and "--undo" in str(caught.value)
    problems = [str(p) for p in validate_export(d)]
    assert any(p.startswith(file) for p in problems), problems
    assert any("does not match its checksum" in p for p in problems)
    csv = tmp_path / "new.csv"
    csv.write_text(
        "activity_id,title,lead_agency,scope,countries,start_date,themes\n"
        "N1,Shelter support,UNODC,national,THA,2020-01-01,protection\n",
        encoding="utf-8",
    )
    for args in (["validate"], ["import-activities", str(csv)], ["duplicates"]):
        run = subprocess.run(
            [sys.executable, "-m", "icat_analysis", *args, "--data", str(d)], cwd=REPO, capture_output=True, text=True
        )
        assert run.returncode == 1, (args, run.stderr)
        assert "Traceback" not in run.stderr and file in run.stdout + run.stderr, (args, run.stderr)


def test_retention_keeps_every_recent_version_then_the_last_of_each_month():
    def v(text):
        t = datetime.fromisoformat(text).replace(tzinfo=UTC)
        return (t.strftime("%Y%m%dT%H%M%SZ") + "-000000", t)

    versions = [
        v(t)
        for t in (
            "2026-01-05",
            "2026-01-20",
            "2026-02-03",
            "2026-02-27T10:00",
            "2026-08-01",
            "2026-10-15",
            "2026-11-30",
        )
    ]
    ids = [vid for vid, _ in versions]
    now = datetime(2026, 12, 1, tzinfo=UTC)
    kept = retention.keep(versions, now, (90, "month"), protected={ids[0]})
    # within 90 days: Oct 15 and Nov 30; before: the last of January and of February, August's only one;
    # Jan 5 is kept only because it is protected (say, the one undo needs)
    assert kept == {ids[0], ids[1], ids[3], ids[4], ids[5], ids[6]}
    assert retention.keep(versions, now, (90, "none"), protected=set()) == {ids[5], ids[6]}
    assert retention.keep(versions, now, (0, "year"), protected=set()) == {ids[6]}
    assert retention.made_at(ids[3]) == datetime(2026, 2, 27, 10, tzinfo=UTC)


def test_pruning_on_import_follows_the_rule_and_keeps_what_undo_needs(tmp_path, monkeypatch):
    cfg = tmp_path / "icat.toml"
    cfg.write_text('[history]\nkeep_every_version_days = 30\nthen_keep_one_per = "none"\n', encoding="utf-8")
    monkeypatch.setenv("ICAT_CONFIG", str(cfg))
    d = tmp_path / "x"
    for when in ("2026-01-10", "2026-03-01", "2026-06-01"):
        now = datetime.fromisoformat(when).replace(tzinfo=UTC)
        export.write_export(d, _tables([activity("A1", title=when)]), {}, now=now)
    names = [p.name[:8] for p in export.version_dirs(d)]
    assert names == ["20260301", "20260601"]  # January's is older than 30 days and not what undo needs
    assert export.undo_last_import(d) and _titles(d) == {"A1": "2026-03-01"}


def test_demo_into_a_versioned_export_adds_a_version(tmp_path):
    from icat_analysis.sources import demo

    d = tmp_path / "x"
    export.write_export(d, _tables([activity("A1")]), {})
    demo.generate(d, 50, 1, None)
    assert len(_titles(d)) == 50 and validate_export(d) == []
    assert (export.current_dir(d) / "planted_duplicates.csv").exists()
    assert export.undo_last_import(d) and _titles(d).keys() == {"A1"}


def test_the_checksum_list_is_the_sha256sum_format(tmp_path):
    d = tmp_path / "x"
    export.write_export(d, _tables([activity("A1")]), {})
    if shutil.which("sha256sum"):
        run = subprocess.run(["sha256sum", "-c", "checksums.sha256"], cwd=export.current_dir(d), capture_output=True)
        assert run.returncode == 0
    assert json.loads((export.current_dir(d) / "manifest.json").read_text())["version"]["lineage"] == []
