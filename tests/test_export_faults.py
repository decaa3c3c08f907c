"""An import killed at any rename, unlink or fsync leaves the old version or the new one, whole.

Each run kills ``import-activities`` with SIGKILL at one file-system call (``strace -e inject``),
counted from a first, traced run. After every kill ``validate`` passes, the export is the old or
the new version, and undo goes back to the version before that one.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from icat_analysis import cli
from icat_analysis.store import export
from icat_analysis.store.validate import validate_export

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "ingest" / "activities_20.csv"
CALLS = ("rename", "renameat", "renameat2", "unlink", "unlinkat", "rmdir", "fsync", "fdatasync")


def _strace_works() -> bool:
    if not shutil.which("strace"):
        return False
    return subprocess.run(["strace", "-o", os.devnull, "true"], capture_output=True).returncode == 0


pytestmark = pytest.mark.skipif(not _strace_works(), reason="strace is not installed or may not trace here")


def _change_file(path: Path, old: str, new: str) -> Path:
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0], lines[1].replace(old, new)]) + "\n", encoding="utf-8")
    return path


def _state(data: Path) -> tuple:
    """What a person would compare: the activities (without the import time) and both link tables."""
    d = export.current_dir(data)
    acts = pq.read_table(d / "activities.parquet").drop_columns(["imported_at"]).to_pylist()
    links = [sorted(map(str, pq.read_table(d / n).to_pylist())) for n in export.EXPORT_FILES if "activity_" in n]
    return (sorted(acts, key=lambda r: r["activity_id"]), links)


def _import(data: Path, path: Path) -> None:
    assert cli.main(["import-activities", str(path), "--data", str(data)]) == 0


def _command(data: Path, change: Path) -> list[str]:
    return [sys.executable, "-m", "icat_analysis", "import-activities", str(change), "--data", str(data)]


def test_a_kill_at_any_rename_unlink_or_fsync_leaves_a_whole_version(tmp_path):
    seed = tmp_path / "seed"
    changes = [_change_file(tmp_path / f"c{i}.csv", "Strengthening", f"Change {i}:") for i in range(1, 4)]
    _import(seed, FIXTURE)
    v1 = _state(seed)
    _import(seed, changes[0])
    v2 = _state(seed)
    _import(seed, changes[1])
    assert export.undo_last_import(seed)  # an undone version: the next import removes it (more unlinks)
    assert _state(seed) == v2

    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(REPO)}
    traced = tmp_path / "traced"
    shutil.copytree(seed, traced, symlinks=True)
    log = tmp_path / "trace.txt"
    subprocess.run(
        ["strace", "-f", "-y", "-o", str(log), "-e", "trace=" + ",".join(CALLS), *_command(traced, changes[2])],
        env=env,
        check=True,
        capture_output=True,
    )
    v3 = _state(traced)
    assert v3 != v2
    # The n-th call of each kind by the importing process, where it touches the export.
    seen: dict[str, int] = {}
    points = []
    main_pid = None
    for line in log.read_text().splitlines():
        m = re.match(r"(\d+)\s+(\w+)\((.*)", line)
        if not m or m.group(2) not in CALLS:
            continue
        pid, name, args = m.groups()
        main_pid = main_pid or pid
        if pid != main_pid:
            continue
        seen[name] = seen.get(name, 0) + 1
        if str(traced) in args:
            points.append((name, seen[name]))
    kinds = {re.sub(r"at2?$", "", name) for name, _ in points}
    assert {"rename", "unlink", "fsync"} <= kinds, points
    assert len(points) >= 12, points

    for name, n in points:
        work = tmp_path / f"kill-{name}-{n}"
        shutil.copytree(seed, work, symlinks=True)
        run = subprocess.run(
            ["strace", "-f", "-o", os.devnull, "-e", f"trace={name}", "-e", f"inject={name}:signal=SIGKILL:when={n}"]
            + _command(work, changes[2]),
            env=env,
            capture_output=True,
        )
        assert run.returncode != 0, f"{name} #{n}: the import was not killed"
        assert validate_export(work) == [], f"killed at {name} #{n}"
        state = _state(work)
        assert state in (v2, v3), f"killed at {name} #{n}: neither the old nor the new version"
        assert export.undo_last_import(work)
        assert _state(work) == (v1 if state == v2 else v2), f"killed at {name} #{n}: undo"
        assert validate_export(work) == []
