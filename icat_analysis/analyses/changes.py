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
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd

from icat_analysis import reference
from icat_analysis.paths import data_dir as resolve_data_dir
from icat_analysis.store import db, export, history, reviews, row_hashes
from icat_analysis.store.db import sql_text

COMPARED = row_hashes.COMPARED
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


def _shown(column: str) -> str:
    """SQL for a compared column as a change shows it: lists joined by commas, amounts with
    thousands separators (cents only when there are some), dates as YYYY-MM-DD, nothing as ''."""
    kind = row_hashes.sql_type(column)
    if kind == "VARCHAR[]":
        return f"coalesce(array_to_string({column}, ', '), '')"
    if kind == "DOUBLE":
        return (
            f"CASE WHEN {column} IS NULL THEN '' WHEN {column} = trunc({column}) THEN format('{{:,.0f}}', {column}) "
            f"ELSE format('{{:,.2f}}', {column}) END"
        )
    return f"coalesce(CAST({column} AS VARCHAR), '')"


def _activities(version: Path, table: str | None) -> str:
    """SQL for a version's activities as the comparison reads them: the columns a change names
    the activity by, and the compared columns twice, in COMPARED's order: ``raw`` (as JSON text, so
    any difference of value shows, NULL apart from '') and ``shown``."""
    raw = ", ".join(f"to_json({c})::VARCHAR" for c in COMPARED)
    shown = ", ".join(_shown(c) for c in COMPARED)
    return (
        f"SELECT activity_id, lead_agency, countries, title, status, [{raw}] AS raw, [{shown}] AS shown "
        f"FROM ({row_hashes.compared(version, table)})"
    )


def compare_versions(old: Path, new: Path) -> pd.DataFrame:
    """The changes from version directory ``old`` to ``new`` (COLUMNS)."""
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET enable_progress_bar = false")
        for name, version in (("old", old), ("new", new)):
            # The version's DuckDB file reads about twice as fast as its parquet, where it is usable.
            table = f"{name}_db.activities" if db.attach_version(con, version, f"{name}_db") else None
            con.execute(f"CREATE VIEW {name}_hashes AS {row_hashes.hashes(version, table)}")
            con.execute(f"CREATE VIEW {name}_acts AS {_activities(version, table)}")
        rows = con.execute(sql_text("changes_between"), {"fields": list(COMPARED)}).fetchall()
    finally:
        con.close()
    return pd.DataFrame(rows, columns=COLUMNS)


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
    # The "since" version is the one current when the day began, so the first day that works is
    # the day after the oldest version was made.
    return (
        f"{name} has no version made before {day:%-d %B %Y}: its history starts on {first:%-d %B %Y}; "
        f"pick {first.date() + timedelta(days=1):%-d %B %Y} or a later day."
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
    """Per agency: the countries it works in now and did not before (gained), and the reverse (lost)."""
    con = duckdb.connect(":memory:")
    try:
        places = {}
        for key, version in (("old", old), ("new", new)):
            if db.attach_version(con, version, f"{key}_db"):
                # who works where, as the version's DuckDB file already holds it
                sql, params = f"SELECT DISTINCT agency, iso3 FROM {key}_db.activity_places_agencies", {}
            else:
                path = version / "activity_agencies.parquet"
                link = version / "activity_countries.parquet"
                if not (path.exists() and link.exists()):
                    places[key] = set()
                    continue
                sql = (
                    "SELECT DISTINCT a.agency, c.iso3 FROM read_parquet($agencies) AS a "
                    "JOIN read_parquet($countries) AS c USING (activity_id)"
                )
                params = {"agencies": str(path), "countries": str(link)}
            places[key] = set(con.execute(sql, params).fetchall())
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
    # In plain Python over the rows once: a pandas group per agency and country costs seconds
    # when a year of changes at a million activities touches thousands of them.
    of_activity: dict[str, list[tuple]] = {}  # activity -> its rows (agency, countries, id, title, change, field, ...)
    for row in zip(*(c.changes[col].tolist() for col in COLUMNS)):
        of_activity.setdefault(row[2], []).append(row)
    places: dict = {}  # agency -> country -> activities (by_country's grouping)
    for aid, ((agency, where, *_), *_) in of_activity.items():
        for iso3 in where.split(", "):
            places.setdefault(agency, {}).setdefault(iso3 or "(no country)", []).append(aid)
    for agency in sorted(places, key=lambda a: (a is None, a or "")):
        lines.append(f"{agency if agency is not None else '(no lead agency)'}")
        for iso3, ids in sorted(places[agency].items()):
            kinds = [of_activity[aid][0][4] for aid in ids]
            told = ", ".join(f"{kinds.count(k)} {k}" for k in KINDS if k in kinds)
            lines.append(f"  {names.get(iso3, iso3)}: {told}")
            for aid in ids:
                rows = of_activity[aid]
                lines.append(f"    {rows[0][4]:<9} {aid}  {rows[0][3][:70]}")
                for *_, field, old, new in rows:
                    if field != "":
                        lines.append(f"              {field}: {old[:60] or '(empty)'} -> {new[:60] or '(empty)'}")
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
