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
from icat_analysis.store.contract import (
    ACTIVITIES_SCHEMA,
    BUDGET_COLUMNS,
    EXPORT_FILES,
    LEVELS,
    PUBLISHED_BY,
    SHARING_COLUMNS_OF,
    with_optional_columns,
)

#: what each level may see
SEES = {"public": ("public",), "members": LEVELS}
#: manifest entries that are import history, never published
HISTORY_KEYS = ("last_import",)


class Refused(Exception):
    """The publication cannot be made as asked; the message says why."""


def _shown(table: pa.Table, column: str, level: str) -> pa.ChunkedArray:
    """True where the row's ``column`` is a level that ``level`` may see (unknown or empty: no)."""
    return pc.fill_null(pc.is_in(table.column(column), value_set=pa.array(SEES[level])), False)


def _counts(activities: pa.Table, kind: str, *, by_country: bool) -> pd.DataFrame:
    """Rows (agency, role[, iso3], kind): one for each agency of each of these activities,
    and with ``by_country`` one for each of its countries too."""
    columns = ["agency", "role", "iso3"] if by_country else ["agency", "role"]
    df = activities.select(["lead_agency", "partner_agencies", "countries"]).to_pandas()
    if df.empty:
        return pd.DataFrame(columns=[*columns, "kind"])
    df["iso3"] = [list(c) if c is not None and len(c) else [None] for c in df["countries"]]
    lead = df.assign(agency=df["lead_agency"], role="lead")
    partner = df.assign(agency=df["partner_agencies"], role="partner").explode("agency").dropna(subset=["agency"])
    out = pd.concat([lead, partner], ignore_index=True)[columns]
    return (out.explode("iso3") if by_country else out).assign(kind=kind)


def _tally(hidden: pa.Table, blanked: pa.Table, *, by_country: bool) -> list[dict]:
    keys = ["agency", "role", "iso3"] if by_country else ["agency", "role"]
    rows = pd.concat(
        [_counts(hidden, "activities", by_country=by_country), _counts(blanked, "budgets", by_country=by_country)],
        ignore_index=True,
    )
    if rows.empty:
        return []
    table = rows.groupby([*keys, "kind"], dropna=False).size().unstack("kind", fill_value=0)
    table = table.reindex(columns=["activities", "budgets"], fill_value=0).reset_index()
    out = []
    for r in table.sort_values(keys, na_position="last").to_dict("records"):
        if by_country and pd.isna(r["iso3"]):
            r["iso3"] = None
        out.append({**{k: r[k] for k in keys}, "activities": int(r["activities"]), "budgets": int(r["budgets"])})
    return out


def withheld_summary(hidden: pa.Table, blanked: pa.Table) -> dict:
    """Counts only: activities left out and budgets blanked, in all, by agency (each activity
    once for its lead and once for each partner) and by agency and country (once more in each
    of its countries; ``iso3`` null for an activity without a country, such as a global one)."""
    return {
        "activities": hidden.num_rows,
        "budgets": blanked.num_rows,
        "by_agency": _tally(hidden, blanked, by_country=False),
        "by_agency_country": _tally(hidden, blanked, by_country=True),
    }


def published_tables(data_dir: Path, level: str) -> tuple[dict[str, pa.Table], dict, list[str]]:
    """The files of the export at ``level``, the withheld counts, and the files left out."""
    data_dir = export.current_dir(data_dir)  # resolved once: every file from one version
    tables: dict[str, pa.Table] = {}
    left_out: list[str] = []
    acts_path = data_dir / "activities.parquet"
    acts = with_optional_columns(export.with_sharing_levels(pq.read_table(acts_path))) if acts_path.exists() else None
    hidden = blanked = ACTIVITIES_SCHEMA.empty_table()
    if acts is not None:
        acts = acts.select(ACTIVITIES_SCHEMA.names).cast(ACTIVITIES_SCHEMA)
        visible = _shown(acts, "visibility", level)
        hidden = acts.filter(pc.invert(visible))
        acts = acts.filter(visible)
        budget_hidden = pc.invert(_shown(acts, "budget_visibility", level))
        blanked = acts.filter(pc.and_(budget_hidden, pc.is_valid(acts.column("budget_usd"))))
        for name in BUDGET_COLUMNS:
            column = acts.column(name)
            blank = pc.if_else(budget_hidden, pa.scalar(None, column.type), column)
            acts = acts.set_column(acts.schema.get_field_index(name), name, blank)
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
            table = export.with_sharing_levels(pq.read_table(path), SHARING_COLUMNS_OF[name])
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
    if out.is_relative_to(source):
        raise Refused(f"{out}: is inside the data directory {source}; publish into a directory of its own")
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
    # A published copy is handed out, not imported into: the flat layout, with no history.
    out.mkdir(parents=True, exist_ok=True)
    with export.export_lock(out):
        return export.write_flat(out, lambda work: _write_tables(work, tables, manifest))


def _write_tables(work: Path, tables: dict[str, pa.Table], manifest: dict) -> dict:
    counts = {}
    for name, table in tables.items():
        schema = EXPORT_FILES[name]
        pq.write_table(table.select(schema.names).cast(schema), work / name, compression="zstd")
        counts[name.removesuffix(".parquet")] = table.num_rows
    return {**manifest, "updated_at": datetime.now(UTC).isoformat(timespec="seconds"), "row_counts": counts}


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
    files = [n for n in manifest["sharing"]["left_out"] if n.endswith(".parquet")]
    if files:
        print(f"left out: {', '.join(files)} (the contract does not say who may see them)")
    return 0
