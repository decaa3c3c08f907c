"""``iati-sample FOLDER --out DIR --snapshot DATE``: an export of real IATI activities, as shipped
in ``data/iati-sample/``.

It is ``import-iati`` with the default relevance (work against trafficking in persons only)
into a new export, the GLOTIP indicators beside it (``data/source/``), and a manifest that
names what the figures come from: the snapshot date, each publisher of the files (IATI
reference, name, activities read and kept, files) and each file (read, kept, sha256, so a
rebuild can be checked against the files it was made from). The export is built in a
temporary folder beside ``DIR`` and moved into place when complete, in the flat layout of a
shipped export.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

from icat_analysis import paths
from icat_analysis.sources import glotip, iati
from icat_analysis.store import export

#: where the shipped sample's files were published and kept (data/README.md)
ORIGIN = (
    "IATI d-portal pages of 100 activities each, as served on the snapshot date, kept as test data in "
    "OCHA-DAP/hdx-scraper-iati-viz (branch test_data, saved_data/dportal_N.xml)"
)


def iati_section(report: iati.Report, files: list[Path], snapshot: date) -> dict:
    """The manifest's ``iati`` section: snapshot, every publisher read, every file."""
    by_file = {f["file"]: f for f in report.files}
    publishers = []
    for ref in sorted(report.read, key=lambda p: (-report.kept[p], -report.read[p], p)):
        publishers.append(
            {
                "ref": ref,
                "name": report.names.get(ref) or ref,
                "read": report.read[ref],
                "activities": report.kept[ref],
                "files": sorted(f["file"] for f in report.files if ref in f.get("publishers", ())),
            }
        )
    return {
        "snapshot": snapshot.isoformat(),
        "origin": ORIGIN,
        "relevance": "default: only work against trafficking in persons (import-iati without --all)",
        "publishers": publishers,
        "files": [
            {
                "file": p.name,
                "sha256": export.sha256(p),
                "read": by_file.get(p.name, {}).get("read", 0),
                "kept": by_file.get(p.name, {}).get("kept", 0),
            }
            for p in files
        ],
    }


def build(folder: Path, out: Path, snapshot: date, glotip_file: Path | None = None) -> tuple[iati.Report, dict]:
    """Build the sample export from the IATI files of ``folder`` into ``out`` (replaced whole).

    The import runs into a working export; what ships is its current version in the flat
    layout (fixed names, no version history), as the demonstration export is."""
    files, problems = iati.expand_paths([folder])
    if problems:
        raise iati.Refused(problems)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{out.name}-", dir=out.parent) as tmp:
        work = Path(tmp) / "import"
        report = iati.import_iati(files, work)
        update = {
            "title": f"IATI sample ({snapshot.day} {snapshot:%B %Y})",
            "iati": iati_section(report, files, snapshot),
            "synthetic": False,
        }
        tables = {}
        glotip_file = glotip_file or glotip.DEFAULT_FILE
        if glotip_file.exists():
            table = glotip.read_table(glotip_file)
            tables["indicators.parquet"] = table
            update.update(glotip.manifest_update(glotip_file, table, export.read_manifest(work).get("sources")))
        export.write_export(work, tables, update)
        current = export.current_dir(work)
        manifest = {k: v for k, v in export.read_manifest(work).items() if k not in ("version", "last_import")}

        def fill(flat: Path) -> dict:
            for name in export.EXPORT_FILES:
                if (current / name).exists():
                    shutil.copy2(current / name, flat / name)
            return manifest

        flat = Path(tmp) / out.name
        flat.mkdir()
        export.write_flat(flat, fill)
        if out.exists():
            out.rename(Path(tmp) / "replaced")
        flat.rename(out)
    return report, manifest


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", metavar="FOLDER", help="the folder of IATI activity files (.xml)")
    parser.add_argument("--out", required=True, metavar="DIR", help="the export to write (replaced whole)")
    parser.add_argument(
        "--snapshot", required=True, metavar="YYYY-MM-DD", help="the date the files were published as they are"
    )
    parser.add_argument("--glotip", metavar="FILE", help="GLOTIP workbook for the indicators (default: data/source/)")


def run(args: argparse.Namespace) -> int:
    try:
        snapshot = date.fromisoformat(args.snapshot)
    except ValueError:
        print(f"--snapshot {args.snapshot!r}: give the date as YYYY-MM-DD", file=sys.stderr)
        return 2
    out = Path(args.out).expanduser().resolve()
    if out in (paths.DATA_ROOT, paths.SOURCE_DIR):
        print(f"{out}: give an export folder of its own, such as data/iati-sample", file=sys.stderr)
        return 2
    try:
        report, manifest = build(Path(args.folder), out, snapshot, Path(args.glotip) if args.glotip else None)
    except iati.Refused as refused:
        iati.print_problems(refused.problems)
        return 1
    print(report.text())
    kept = [p for p in manifest["iati"]["publishers"] if p["activities"]]
    print(
        f"wrote {out}: {manifest['row_counts']['activities']} activities of "
        f"{', '.join(p['name'] for p in kept) or 'no publisher'} (snapshot {snapshot.isoformat()})"
    )
    return 0
