"""``publish --level LEVEL --out DIR [--data DIR] [--force]``: an export that holds only what
one sharing level may see (docs/SCHEMA.md, section 1.1).

At ``public``, activities shared with members only are left out and budgets shared with
members only are blanked; at ``members`` every activity is kept. At every level the duplicate
reviews and the import history stay behind. What was withheld is recorded in the manifest as
counts only, by agency and country, so a dashboard on the published export can say what it
does not show while holding nothing of it.

A file is published only as the contract's ``PUBLISHED_BY`` says: a file the contract does not
name is left out (and listed), so a new table cannot slip into a public export unread.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from icat_analysis.paths import data_dir as resolve_data_dir
from icat_analysis.store import export
from icat_analysis.store.contract import ACTIVITIES_SCHEMA, EXPORT_FILES, LEVELS, PUBLISHED_BY

#: what each level may see
SEES = {"public": ("public",), "members": LEVELS}
#: manifest entries that are import history, never published
HISTORY_KEYS = ("last_import",)


class Refused(Exception):
    """The publication cannot be made as asked; the message says why."""


def _shown(table: pa.Table, column: str, level: str) -> pa.ChunkedArray:
    """True where the row's ``column`` is a level that ``level`` may see (unknown or empty: no)."""
    return pc.fill_null(pc.is_in(table.column(column), value_set=pa.array(SEES[level])), False)


def _counts(activities: pa.Table, kind: str) -> pd.DataFrame:
    """Rows (agency, role, iso3, kind) for each agency and country of these activities."""
    df = activities.select(["lead_agency", "partner_agencies", "countries"]).to_pandas()
    if df.empty:
        return pd.DataFrame(columns=["agency", "role", "iso3", "kind"])
    df["iso3"] = [list(c) if c is not None and len(c) else [None] for c in df["countries"]]
    lead = df.assign(agency=df["lead_agency"], role="lead")[["agency", "role", "iso3"]]
    partner = df.assign(agency=df["partner_agencies"], role="partner").explode("agency")
    partner = partner.dropna(subset=["agency"])[["agency", "role", "iso3"]]
    out = pd.concat([lead, partner], ignore_index=True).explode("iso3")
    return out.assign(kind=kind)


def withheld_summary(hidden: pa.Table, blanked: pa.Table) -> dict:
    """Counts only: activities left out and budgets blanked, in all and by agency and country.

    Each activity counts once for its lead agency and once for each partner, in each of its
    countries (``iso3`` null: an activity without a country, such as a global one).
    """
    rows = pd.concat([_counts(hidden, "activities"), _counts(blanked, "budgets")], ignore_index=True)
    cells = []
    if not rows.empty:
        table = rows.groupby(["agency", "role", "iso3", "kind"], dropna=False).size().unstack("kind", fill_value=0)
        table = table.reindex(columns=["activities", "budgets"], fill_value=0).reset_index()
        for r in table.sort_values(["agency", "role", "iso3"], na_position="last").itertuples(index=False):
            iso3 = None if pd.isna(r.iso3) else r.iso3
            cells.append(
                {
                    "agency": r.agency,
                    "role": r.role,
                    "iso3": iso3,
                    "activities": int(r.activities),
                    "budgets": int(r.budgets),
                }
            )
    return {"activities": hidden.num_rows, "budgets": blanked.num_rows, "by_agency_country": cells}


def published_tables(data_dir: Path, level: str) -> tuple[dict[str, pa.Table], dict, list[str]]:
    """The files of the export at ``level``, the withheld counts, and the files left out."""
    tables: dict[str, pa.Table] = {}
    left_out: list[str] = []
    acts_path = data_dir / "activities.parquet"
    acts = export.with_sharing_levels(pq.read_table(acts_path)) if acts_path.exists() else None
    hidden = blanked = ACTIVITIES_SCHEMA.empty_table()
    if acts is not None:
        acts = acts.select(ACTIVITIES_SCHEMA.names).cast(ACTIVITIES_SCHEMA)
        visible = _shown(acts, "visibility", level)
        hidden = acts.filter(pc.invert(visible))
        acts = acts.filter(visible)
        budget_hidden = pc.invert(_shown(acts, "budget_visibility", level))
        blanked = acts.filter(pc.and_(budget_hidden, pc.is_valid(acts.column("budget_usd"))))
        budget = pc.if_else(budget_hidden, pa.scalar(None, pa.float64()), acts.column("budget_usd"))
        acts = acts.set_column(acts.schema.get_field_index("budget_usd"), "budget_usd", budget)
        tables["activities.parquet"] = acts
    kept_ids = acts.column("activity_id") if acts is not None else pa.array([], pa.string())
    for name in EXPORT_FILES:
        path = data_dir / name
        if name == "activities.parquet" or not path.exists():
            continue
        rule = PUBLISHED_BY.get(name)
        if rule == "activity":
            table = pq.read_table(path)
            tables[name] = table.filter(pc.is_in(table.column("activity_id"), value_set=kept_ids))
        elif rule == "visibility":
            table = pq.read_table(path)
            tables[name] = table.filter(_shown(table, "visibility", level))
        elif rule == "published":
            tables[name] = pq.read_table(path)
        else:
            left_out.append(name)
    if acts is not None:  # the link tables follow the activities kept, row for row
        tables.update(export.link_tables(acts))
    return tables, withheld_summary(hidden, blanked), left_out


def _check_target(source: Path, out: Path, force: bool) -> None:
    if out == source:
        raise Refused(f"{out}: is the data directory itself; publish into another directory")
    if source.is_relative_to(out):
        raise Refused(f"{out}: holds the data directory {source}; publish into a directory of its own")
    if out.exists() and not out.is_dir():
        raise Refused(f"{out}: is a file, not a directory")
    if out.is_dir() and any(out.iterdir()):
        if not force:
            raise Refused(
                f"{out}: is not empty; choose an empty directory, or give --force to replace the export in it"
            )
        if not export.is_export(out):
            raise Refused(f"{out}: is not empty and holds no export; --force replaces only an earlier export")


def _clear(out: Path) -> None:
    """Remove an earlier export's files, so nothing of it (a review log, an old file) stays."""
    for p in out.iterdir():
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p)
        else:
            p.unlink()


def publish(source: Path, out: Path, level: str, *, force: bool = False) -> dict:
    """Write the export of ``source`` at ``level`` into ``out``; returns its manifest."""
    if level not in SEES:
        raise Refused(f"unknown level {level!r}; use {' or '.join(SEES)}")
    source, out = Path(source).resolve(), Path(out).resolve()
    if not export.is_export(source):
        raise Refused(f"{source}: holds no export to publish")
    _check_target(source, out, force)
    with export.export_lock(source):  # an import waits until the published copy is made
        tables, withheld, left_out = published_tables(source, level)
        manifest = {k: v for k, v in export.read_manifest(source).items() if k not in HISTORY_KEYS}
    manifest.pop("row_counts", None)
    if "activities" in manifest and "activities.parquet" in tables:
        manifest["activities"] = tables["activities.parquet"].num_rows
    manifest["sharing"] = {
        "level": level,
        "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "withheld": withheld,
        "left_out": ["duplicate reviews", "import history", *left_out],
    }
    if out.is_dir():
        _clear(out)
    written = export.write_export(out, tables, manifest)
    shutil.rmtree(out / export.PREVIOUS, ignore_errors=True)  # nothing to undo in a fresh copy
    return written


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--level", required=True, help=f"who the export is for: {' or '.join(SEES)}")
    parser.add_argument("--out", required=True, help="the directory to write the export into (empty, or --force)")
    parser.add_argument("--data", help="the export to publish from (default: $ICAT_DATA_DIR or data/demo/)")
    parser.add_argument("--force", action="store_true", help="replace an earlier export in --out")


def run(args: argparse.Namespace) -> int:
    try:
        manifest = publish(resolve_data_dir(args.data), Path(args.out), args.level, force=args.force)
    except Refused as refused:
        print(f"refused: {refused}", file=sys.stderr)
        return 1
    w = manifest["sharing"]["withheld"]
    counts = manifest.get("row_counts", {})
    print(
        f"{counts.get('activities', 0):,} activities published at level {args.level} into {Path(args.out).resolve()}; "
        f"withheld: {w['activities']:,} activities and {w['budgets']:,} budgets shared with members only"
    )
    return 0
