"""``history [--data DIR]``: the versions of the export the history keeps, newest first.

The history is the current version and the versions it was made from (its manifest's
``version.lineage``), as far as the retention rule keeps them (docs/SCHEMA.md, "Versions and
history"). A flat export is a history of one.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

from icat_analysis.paths import data_dir as resolve_data_dir
from icat_analysis.store import export, retention


@dataclass(frozen=True)
class Snapshot:
    """One version of the export as the history knows it."""

    id: str
    made_at: datetime
    path: Path
    current: bool
    manifest: dict

    @property
    def made_by(self) -> str:
        return str((self.manifest.get("version") or {}).get("made_by") or "")

    def row_count(self, table: str) -> int | None:
        n = (self.manifest.get("row_counts") or {}).get(table)
        return int(n) if n is not None else None

    def sources(self) -> list[str]:
        return [str(s.get("name") or s.get("id")) for s in self.manifest.get("sources") or [] if isinstance(s, dict)]


def snapshots(data_dir: Path) -> list[Snapshot]:
    """The history, newest first: the current version, then the ones it was made from that are kept."""
    data_dir = Path(data_dir)
    cur = export.current_dir(data_dir)
    manifest = export.read_manifest(data_dir)
    if not export.is_versioned(data_dir):
        if not export.is_export(data_dir):
            return []
        made = export.parse_time(manifest.get("updated_at")) or datetime.fromtimestamp(
            (cur / export.MANIFEST).stat().st_mtime if (cur / export.MANIFEST).exists() else 0, UTC
        )
        return [Snapshot("flat", made, cur, True, manifest)]
    out = [Snapshot(cur.name, retention.made_at(cur.name) or datetime.now(UTC), cur, True, manifest)]
    for vid in export.lineage(manifest):
        path = data_dir / export.VERSIONS / vid
        made = retention.made_at(vid)
        if made is None or not (path / export.MANIFEST).is_file():
            continue  # removed by the retention rule
        out.append(Snapshot(vid, made, path, False, export.load_manifest(path / export.MANIFEST, data_dir)))
    return out


def as_of(data_dir: Path, day: date, *, end_of_day: bool = False) -> Snapshot | None:
    """The version that was current at the start of ``day`` (or at its end), or None before the history."""
    moment = datetime.combine(day, time.max if end_of_day else time.min, UTC)
    return next((s for s in snapshots(data_dir) if s.made_at <= moment), None)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", help="the export directory (default: $ICAT_DATA_DIR or data/demo/)")


def run(args: argparse.Namespace) -> int:
    directory = resolve_data_dir(args.data)
    if not export.is_export(directory):
        print(f"{directory}: holds no export", file=sys.stderr)
        return 1
    rows = snapshots(directory)
    print(f"{'version':<25} {'made (UTC)':<17} {'activities':>10}  {'made by':<32} sources")
    for s in rows:
        n = s.row_count("activities")
        mark = " (current)" if s.current else ""
        print(
            f"{s.id:<25} {s.made_at:%Y-%m-%d %H:%M} {'' if n is None else f'{n:,}':>10}  "
            f"{(s.made_by or '-')[:32]:<32} {'; '.join(s.sources()) or '-'}{mark}"
        )
    if not export.is_versioned(directory):
        print("a flat export: the first import makes it versioned and starts its history", file=sys.stderr)
    return 0
