"""What changed between two versions of the export: ``changes --since DATE [--until DATE]``.

Per agency and country: the activities that are new, ended (their status became completed),
cancelled, changed (which fields, old and new value) and removed; and the duplicate pairs
reviewed in between. The versions are the history's (``store/history.py``): the one current at
the start of the first day against the one current at the end of the second (default: now).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq

from icat_analysis import reference
from icat_analysis.paths import data_dir as resolve_data_dir
from icat_analysis.store import export, history, reviews
from icat_analysis.store.contract import DEFAULT_LEVEL, SHARING_COLUMNS
from icat_analysis.store.db import sql_text

#: the columns compared, in the order a change lists them
COMPARED = (
    "title",
    "description",
    "lead_agency",
    "partner_agencies",
    "scope",
    "countries",
    "start_date",
    "end_date",
    "status",
    "budget_usd",
    "themes",
    "activity_types",
    "target_groups",
    "exploitation_forms",
    "donors",
    "last_updated",
    *SHARING_COLUMNS,
)
KINDS = ("new", "ended", "cancelled", "changed", "removed")
COLUMNS = ["agency", "countries", "activity_id", "title", "change", "field", "old", "new"]


class NoSnapshot(Exception):
    """No version of the export is old enough for the date asked."""


@dataclass
class Comparison:
    since: history.Snapshot
    until: history.Snapshot
    changes: pd.DataFrame  # COLUMNS, one row per new/removed activity and per changed field
    reviewed: pd.DataFrame  # reviews.COLUMNS, the reviews saved in between
    asked: tuple[date, date | None]  # the two dates asked for

    def counts(self) -> dict[str, int]:
        per = self.changes.drop_duplicates("activity_id")["change"].value_counts()
        return {k: int(per.get(k, 0)) for k in KINDS}


def _view(con: duckdb.DuckDBPyConnection, name: str, version: Path) -> None:
    path = version / "activities.parquet"
    if not path.exists():
        con.execute(
            f"CREATE VIEW {name} AS SELECT NULL::VARCHAR AS activity_id, NULL AS lead_agency, "
            f"NULL::VARCHAR[] AS countries, NULL AS title, NULL AS cmp WHERE false"
        )
        return
    names = set(pq.read_schema(path).names)
    # A version from before sharing levels has none: its rows were shared with members only.
    cols = [
        c if c in names else (f"'{DEFAULT_LEVEL}'" if c in SHARING_COLUMNS else "NULL") + f" AS {c}" for c in COMPARED
    ]
    quoted = "'" + str(path).replace("'", "''") + "'"  # our path, not a person's value
    con.execute(
        f"CREATE VIEW {name} AS SELECT activity_id, lead_agency, countries, title, "
        f"struct_pack({', '.join(COMPARED)}) AS cmp FROM (SELECT activity_id, {', '.join(cols)} "
        f"FROM read_parquet({quoted}))"
    )


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    if isinstance(value, float):
        return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"
    return str(value)


def _kind(old: dict | None, new: dict | None) -> str:
    if old is None:
        return "new"
    if new is None:
        return "removed"
    if new.get("status") != old.get("status") and new.get("status") in ("completed", "cancelled"):
        return "ended" if new["status"] == "completed" else "cancelled"
    return "changed"


def compare_versions(old: Path, new: Path) -> pd.DataFrame:
    """The changes from version directory ``old`` to ``new`` (COLUMNS)."""
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET enable_progress_bar = false")
        _view(con, "old_acts", old)
        _view(con, "new_acts", new)
        rows = con.execute(sql_text("changes_between")).fetchall()
    finally:
        con.close()
    out = []
    for aid, agency, countries, title, o, n in rows:
        kind, where = _kind(o, n), ", ".join(countries or [])
        if kind in ("new", "removed"):
            out.append((agency, where, aid, title, kind, "", "", ""))
            continue
        for field in COMPARED:
            if o[field] != n[field]:
                out.append((agency, where, aid, title, kind, field, _text(o[field]), _text(n[field])))
    return pd.DataFrame(out, columns=COLUMNS)


def _before_history(data_dir: Path, day: date) -> str:
    """Why there is nothing to compare at ``day``, in words: the export by its name (a reader of a
    page must not see the server's paths) and where its history starts."""
    name = f"Export '{data_dir.name}'"
    versions = history.snapshots(data_dir)
    if not versions:
        return f"{name} has no version yet: changes appear after its first import."
    first = versions[-1].made_at
    if len(versions) == 1:
        return f"{name} has one version so far (made {first:%-d %B %Y}): changes appear after the next import."
    return (
        f"{name} has no version made by {day:%-d %B %Y}: its history starts on {first:%-d %B %Y}; "
        "pick that day or a later one."
    )


def compare(data_dir: Path, since: date, until: date | None = None) -> Comparison:
    """The version current at the start of ``since`` against the one at the end of ``until`` (default: now)."""
    data_dir = Path(data_dir)
    old = history.as_of(data_dir, since)
    if old is None:
        raise NoSnapshot(_before_history(data_dir, since))
    new = history.snapshots(data_dir)[0] if until is None else history.as_of(data_dir, until, end_of_day=True)
    if new is None:
        raise NoSnapshot(_before_history(data_dir, until))
    log = reviews.history(data_dir)
    stamp = log["reviewed_at"].astype(str).str[:10]
    in_between = stamp >= since.isoformat()
    if until is not None:
        in_between &= stamp <= until.isoformat()
    reviewed = log[in_between].reset_index(drop=True)
    return Comparison(old, new, compare_versions(old.path, new.path), reviewed, (since, until))


def by_country(changes: pd.DataFrame) -> pd.DataFrame:
    """One row per agency, country and activity (an activity in two countries counts in each)."""
    per = changes.drop_duplicates("activity_id")[["agency", "countries", "activity_id", "change"]].copy()
    per["iso3"] = per["countries"].str.split(", ")
    per = per.explode("iso3")
    per["iso3"] = per["iso3"].replace("", None)
    return per.drop(columns="countries").reset_index(drop=True)


def places_gained_lost(old: Path, new: Path) -> pd.DataFrame:
    """Per lead agency: the countries it works in now and did not before (gained), and the reverse (lost)."""
    con = duckdb.connect(":memory:")
    try:
        places = {}
        for key, version in (("old", old), ("new", new)):
            path = version / "activity_agencies.parquet"
            link = version / "activity_countries.parquet"
            if not (path.exists() and link.exists()):
                places[key] = set()
                continue
            q = lambda p: "'" + str(p).replace("'", "''") + "'"  # noqa: E731 - our paths
            places[key] = set(
                con.execute(
                    f"SELECT DISTINCT a.agency, c.iso3 FROM read_parquet({q(path)}) AS a "
                    f"JOIN read_parquet({q(link)}) AS c USING (activity_id)"
                ).fetchall()
            )
    finally:
        con.close()
    rows = [(a, c, "gained") for a, c in places["new"] - places["old"]]
    rows += [(a, c, "lost") for a, c in places["old"] - places["new"]]
    return pd.DataFrame(sorted(rows), columns=["agency", "iso3", "place"])


# ---- command line ---------------------------------------------------------------------------
def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", required=True, metavar="DATE", help="the first date, YYYY-MM-DD (a meeting)")
    parser.add_argument("--until", metavar="DATE", help="the second date, YYYY-MM-DD (default: the current export)")
    parser.add_argument("--data", help="the export directory (default: $ICAT_DATA_DIR or data/demo/)")


def _date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise SystemExit(f"{option} {text[:20]!r}: not a date (YYYY-MM-DD)") from None


def report(c: Comparison) -> str:
    names = dict(zip(reference.countries()["iso3"], reference.countries()["name"]))
    lines = [
        f"Changes from {c.since.id} ({c.since.made_at:%Y-%m-%d}) to {c.until.id} ({c.until.made_at:%Y-%m-%d})",
        ", ".join(f"{n:,} {k}" for k, n in c.counts().items()),
    ]
    if not c.changes.empty:
        per = by_country(c.changes)
        for agency, of_agency in per.groupby("agency", sort=True, dropna=False):
            lines.append(f"{agency}")
            for iso3, part in of_agency.groupby(of_agency["iso3"].fillna("(no country)"), sort=True):
                told = ", ".join(f"{(part['change'] == k).sum()} {k}" for k in KINDS if (part["change"] == k).any())
                lines.append(f"  {names.get(iso3, iso3)}: {told}")
                for aid in part["activity_id"]:
                    rows = c.changes[c.changes["activity_id"] == aid]
                    first = rows.iloc[0]
                    lines.append(f"    {first['change']:<9} {aid}  {first['title'][:70]}")
                    for r in rows[rows["field"] != ""].itertuples():
                        lines.append(f"              {r.field}: {r.old[:60] or '(empty)'} -> {r.new[:60] or '(empty)'}")
    lines.append(f"Duplicate pairs reviewed since {c.asked[0]:%Y-%m-%d}: {len(c.reviewed):,}")
    for r in c.reviewed.itertuples():
        lines.append(f"  {r.activity_id_a} and {r.activity_id_b}: {r.verdict} ({r.reviewer}, {r.reviewed_at[:10]})")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    try:
        since, until = _date(args.since, "--since"), _date(args.until, "--until")
    except SystemExit as exc:
        print(exc, file=sys.stderr)
        return 2
    directory = resolve_data_dir(args.data)
    if not export.is_export(directory):
        print(f"{directory}: holds no export", file=sys.stderr)
        return 1
    try:
        c = compare(directory, since, until)
    except NoSnapshot as exc:
        print(exc, file=sys.stderr)
        return 1
    print(report(c))
    return 0
