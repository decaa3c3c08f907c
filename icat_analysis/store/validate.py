"""``validate [--data DIR]``: check an export against the data contract (docs/SCHEMA.md).

Every problem is a :class:`Problem` printed as ``FILE:ROW: column: what is wrong``, where
ROW is the 1-based row of the parquet file (0 when the problem concerns the file's columns
as a whole). The row rules of the activity template live in ``sql/activity_problems.sql``
and are the same ones ``import-activities`` applies to a submission, so an export the
importer wrote always validates. Everything runs in DuckDB, column at a time, so a million
activities check in seconds.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from icat_analysis import reference
from icat_analysis.paths import data_dir as resolve_data_dir
from icat_analysis.paths import sql_literal
from icat_analysis.store import export
from icat_analysis.store.contract import (
    ACTIVITY_FILES,
    DEFAULT_LEVEL,
    EVENT_TEMPLATE,
    EXPORT_FILES,
    FIRST_YEAR,
    OPTIONAL_ACTIVITY_COLUMNS,
    RESOURCE_TEMPLATE,
    SHARING_COLUMNS,
    SHARING_COLUMNS_OF,
    TEMPLATE_NAMES,
    last_year,
)
from icat_analysis.store.db import missing_optional_sql, sql_text

#: the order columns are reported in within one row
COLUMN_ORDER = {name: i for i, name in enumerate((*TEMPLATE_NAMES, "is_joint", "source_file", "imported_at"))}


@dataclass(frozen=True)
class Problem:
    """One thing wrong, where a person can find it."""

    file: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.row == 0 and self.column == "-":  # about the file as a whole
            return f"{self.file}: {self.message}"
        return f"{self.file}:{self.row}: {self.column}: {self.message}"


def reference_params() -> dict[str, object]:
    """The code lists and the range of years bound to ``sql/activity_problems.sql``."""
    return {
        "agencies": reference.agency_codes(),
        "countries": reference.country_codes(),
        "scopes": reference.codes("scope"),
        "statuses": reference.codes("status"),
        "themes": reference.codes("theme"),
        "activity_types": reference.codes("activity_type"),
        "target_groups": reference.codes("target_group"),
        "exploitation_forms": reference.codes("exploitation_form"),
        "first_year": FIRST_YEAR,
        "last_year": last_year(),
        "visibilities": reference.codes("visibility"),
    }


def library_params(kind_list: str) -> dict[str, list[str]]:
    """The code lists bound to ``sql/resource_problems.sql`` and ``sql/event_problems.sql``."""
    return {
        "agencies": reference.agency_codes(),
        "countries": reference.country_codes(),
        "regions": reference.regions() + reference.sub_regions(),
        "kinds": reference.codes(kind_list),
        "languages": reference.codes("language"),
        "themes": reference.codes("theme"),
        "target_groups": reference.codes("target_group"),
        "exploitation_forms": reference.codes("exploitation_form"),
        "visibilities": reference.codes("visibility"),
    }


#: the id column of each template's rows, and how a message names it (an allow-list: the id
#: column is put into SQL as a name, never taken from a person)
ID_COLUMNS = {"activity_id": "an activity_id", "resource_id": "a resource_id", "event_id": "an event_id"}


def row_problems(
    con: duckdb.DuckDBPyConnection, rules: str, params: dict, order: dict[str, int], id_column: str
) -> list[Problem]:
    """The row rules of query ``rules`` and unique ids (``repeated_ids``) on table/view ``checked``
    of ``con`` (rows + _file, _row, _ord)."""
    what = ID_COLUMNS[id_column]
    cur = con.cursor()
    try:
        sql = sql_text(rules)
        if "code_problem(" in sql:
            cur.execute(sql_text("code_rules"))
        rows = cur.execute(sql, {k: v for k, v in params.items() if f"${k}" in sql}).fetchall()
        cur.execute(f"CREATE OR REPLACE TEMP VIEW ids AS SELECT {id_column} AS id, _file, _row, _ord FROM checked")
        rows += cur.execute(sql_text("repeated_ids"), {"column": id_column, "what": what}).fetchall()
    finally:
        cur.close()
    # DuckDB does not keep the order of rules within one row; report them in column order.
    rows.sort(key=lambda r: (r[2], order.get(r[3], 99)))
    return [Problem(f, int(r), c, m) for f, r, _, c, m in rows]


def activity_problems(con: duckdb.DuckDBPyConnection) -> list[Problem]:
    """The contract's row rules on table/view ``checked`` of ``con`` (activities + _file, _row, _ord)."""
    return row_problems(con, "activity_problems", reference_params(), COLUMN_ORDER, "activity_id")


#: the order columns are reported in within one resource or event row
RESOURCE_ORDER = {c.name: i for i, c in enumerate(RESOURCE_TEMPLATE)}
EVENT_ORDER = {c.name: i for i, c in enumerate(EVENT_TEMPLATE)}


def resource_problems(con: duckdb.DuckDBPyConnection) -> list[Problem]:
    """The resource template's row rules on ``checked`` (resources + _file, _row, _ord)."""
    return row_problems(con, "resource_problems", library_params("resource_kind"), RESOURCE_ORDER, "resource_id")


def event_problems(con: duckdb.DuckDBPyConnection) -> list[Problem]:
    """The event template's row rules on ``checked`` (events + _file, _row, _ord)."""
    return row_problems(con, "event_problems", library_params("event_kind"), EVENT_ORDER, "event_id")


#: file -> its row rules, for the files that stand alone (not linked to the activities)
STANDALONE_RULES = {"resources.parquet": resource_problems, "events.parquet": event_problems}


def _schema_problems(name: str, actual: pa.Schema) -> list[Problem]:
    expected = EXPORT_FILES[name]
    out = []
    for field in expected:
        if field.name not in actual.names and field.name in SHARING_COLUMNS_OF.get(name, ()):
            continue  # an export from before sharing levels: its rows are shared with members only
        if field.name not in actual.names:
            if name == "activities.parquet" and field.name in OPTIONAL_ACTIVITY_COLUMNS:
                continue  # an export written before the column existed
            out.append(Problem(name, 0, field.name, f"column is missing (expected {field.type})"))
        elif not actual.field(field.name).type.equals(field.type):
            got = actual.field(field.name).type
            # Parquet has no plain string/timestamp flavours of its own; large_string etc. are fine.
            if not _same_logical_type(got, field.type):
                out.append(Problem(name, 0, field.name, f"has type {got}; the contract says {field.type}"))
    for n in actual.names:
        if n not in expected.names:
            out.append(Problem(name, 0, n, "is not a column of the contract"))
    return out


def _same_logical_type(got: pa.DataType, want: pa.DataType) -> bool:
    if pa.types.is_string(want):
        return pa.types.is_string(got) or pa.types.is_large_string(got) or pa.types.is_string_view(got)
    if pa.types.is_list(want):
        return (pa.types.is_list(got) or pa.types.is_large_list(got)) and _same_logical_type(
            got.value_type, want.value_type
        )
    if pa.types.is_timestamp(want):
        return pa.types.is_timestamp(got) and got.tz is None
    return got.equals(want)


def _link_problems(con: duckdb.DuckDBPyConnection) -> list[Problem]:
    """Link tables must equal export.link_tables(activities), row for row (duplicates count)."""
    out: list[Problem] = []
    checks = (
        (
            "activity_countries.parquet",
            "countries",
            "iso3",
            "SELECT activity_id, unnest(countries) AS iso3, '' AS role, file_row_number + 1 AS arow FROM acts",
            "SELECT activity_id, iso3, '' AS role, file_row_number + 1 AS lrow FROM link_countries",
        ),
        (
            "activity_agencies.parquet",
            "partner_agencies",
            "agency",
            "SELECT activity_id, lead_agency AS iso3, 'lead' AS role, file_row_number + 1 AS arow FROM acts "
            "UNION ALL SELECT activity_id, unnest(partner_agencies), 'partner', file_row_number + 1 FROM acts",
            "SELECT activity_id, agency AS iso3, role, file_row_number + 1 AS lrow FROM link_agencies",
        ),
    )
    for file_name, list_col, value_col, expected_sql, actual_sql in checks:
        # The usual case is a consistent export: equal row counts and equal sums of row hashes
        # (an order-free fingerprint of the two multisets) settle it in one cheap pass each.
        fingerprint = "SELECT count(*), sum(hash(activity_id, iso3, role)::HUGEINT) FROM ({})"
        if (
            con.execute(fingerprint.format(expected_sql)).fetchone()
            == con.execute(fingerprint.format(actual_sql)).fetchone()
        ):
            continue
        # Counting per (activity, value, role) instead of numbering rows keeps this a hash
        # aggregate: no sort of millions of link rows. A repeated row shows as a count above 1.
        sql = f"""
            WITH e AS (SELECT activity_id, iso3, role, count(*) AS n, min(arow) AS arow
                       FROM ({expected_sql}) GROUP BY ALL),
                 l AS (SELECT activity_id, iso3, role, count(*) AS n, max(lrow) AS lrow
                       FROM ({actual_sql}) GROUP BY ALL),
                 diff AS (SELECT activity_id, iso3, role, coalesce(e.n, 0) AS want, coalesce(l.n, 0) AS got,
                                 e.arow, l.lrow
                          FROM e FULL JOIN l USING (activity_id, iso3, role)
                          WHERE coalesce(e.n, 0) <> coalesce(l.n, 0))
            SELECT CASE WHEN got > want THEN 'extra' ELSE 'missing' END AS kind,
                   CASE WHEN got > want THEN lrow ELSE arow END AS row, activity_id, iso3, role,
                   activity_id IN (SELECT activity_id FROM acts) AS known
            FROM diff
            ORDER BY 1, 2
        """
        for kind, row, aid, value, role, known in con.execute(sql).fetchall():
            what = f"{value!r}" + (f" as {role}" if role else "")
            if kind == "extra" and not known:
                out.append(Problem(file_name, row, "activity_id", f"{aid!r} is not an activity of activities.parquet"))
            elif kind == "extra":
                out.append(
                    Problem(
                        file_name,
                        row,
                        value_col,
                        f"{what} for activity {aid!r} does not match activities.parquet (it is not in its "
                        f"{'lead_agency/' if role else ''}{list_col}, or is listed twice)",
                    )
                )
            else:
                col = "lead_agency" if role == "lead" else list_col
                out.append(Problem("activities.parquet", row, col, f"{what} has no row in {file_name}"))
    return out


def _manifest_problems(version: Path, rows: dict[str, int]) -> list[Problem]:
    """The manifest is whole JSON, its row counts are the files' and (in a version) the checksums match."""
    path = version / export.MANIFEST
    out = []
    if path.exists():
        try:
            counts = export.load_manifest(path).get("row_counts") or {}
        except export.DamagedExport as exc:
            out.append(Problem(export.MANIFEST, 0, "-", exc.what))
            counts = {}
        for name, n in rows.items():
            said = counts.get(name.removesuffix(".parquet"))
            if said is not None and said != n:
                out.append(Problem(export.MANIFEST, 0, "row_counts", f"says {said} rows for {name}, which has {n:,}"))
    if (version / export.CHECKSUMS).exists() or version.parent.name == export.VERSIONS:
        out += [Problem(export.CHECKSUMS, 0, "-", p) for p in export.verify(version)]
    return out


def validate_export(data_dir: Path, *, threads: int | None = None) -> list[Problem]:
    """Every way the export in ``data_dir`` breaks the contract; an empty list when it keeps it.

    ``threads`` limits DuckDB's threads (the dashboard checks in the background on one, so the
    pages people are looking at keep the other core)."""
    config = {"threads": threads} if threads else {}
    try:
        data_dir = export.current_dir(data_dir)
    except export.ExportError as exc:
        return [Problem(export.CURRENT, 0, "-", str(exc))]
    problems: list[Problem] = []
    present = {}
    rows = {}
    for name in EXPORT_FILES:
        path = data_dir / name
        if not path.exists():
            continue
        try:
            schema = pq.read_schema(path)
            rows[name] = pq.read_metadata(path).num_rows
        except Exception as exc:  # noqa: BLE001 - any unreadable file is a problem to report, not a crash
            problems.append(Problem(name, 0, "-", f"cannot be read as parquet ({exc})"))
            continue
        found = _schema_problems(name, schema)
        problems += found
        present[name] = not found
    have = [n for n in ACTIVITY_FILES if n in present]
    if have and len(have) < len(ACTIVITY_FILES):
        for n in ACTIVITY_FILES:
            if n not in present:
                problems.append(Problem(n, 0, "-", "file is missing; the three activity files go together"))
    manifest_problems = _manifest_problems(data_dir, rows)
    for name, rules in STANDALONE_RULES.items():
        if present.get(name):
            names = pq.read_schema(data_dir / name).names
            levels = "".join(f"'{DEFAULT_LEVEL}' AS {c}, " for c in SHARING_COLUMNS_OF[name] if c not in names)
            con = duckdb.connect(":memory:", config=config)
            try:
                con.execute(
                    f"CREATE VIEW checked AS SELECT *, {levels}'{name}' AS _file, file_row_number + 1 AS _row, "
                    f"file_row_number AS _ord FROM read_parquet({sql_literal(data_dir / name)}, file_row_number = true)"
                )
                problems += rules(con)
            finally:
                con.close()
    if not all(present.get(n) for n in ACTIVITY_FILES):
        return problems + manifest_problems
    activity_names = pq.read_schema(data_dir / "activities.parquet").names
    defaults = "".join(f"'{DEFAULT_LEVEL}' AS {c}, " for c in SHARING_COLUMNS if c not in activity_names)
    con = duckdb.connect(":memory:", config=config)
    try:
        missing = missing_optional_sql(activity_names)
        con.execute(
            f"CREATE VIEW checked AS SELECT *{missing}, {defaults}'activities.parquet' AS _file, "
            "file_row_number + 1 AS _row, "
            f"file_row_number AS _ord FROM read_parquet({sql_literal(data_dir / 'activities.parquet')}, "
            "file_row_number = true)"
        )
        problems += activity_problems(con)
        con.execute(
            "CREATE VIEW acts AS SELECT * FROM read_parquet("
            f"{sql_literal(data_dir / 'activities.parquet')}, file_row_number = true)"
        )
        con.execute(
            "CREATE VIEW link_countries AS SELECT * FROM read_parquet("
            f"{sql_literal(data_dir / 'activity_countries.parquet')}, file_row_number = true)"
        )
        con.execute(
            "CREATE VIEW link_agencies AS SELECT * FROM read_parquet("
            f"{sql_literal(data_dir / 'activity_agencies.parquet')}, file_row_number = true)"
        )
        problems += _link_problems(con)
    finally:
        con.close()
    return problems + manifest_problems


class ContractCheck:
    """:func:`validate_export` of one version, run once in a background thread.

    ``state`` is ``checking`` until it ends, then ``passed``, ``problems`` (``problems`` lists
    them as ``FILE:ROW: column: what is wrong``) or ``failed`` (``error`` says why)."""

    def __init__(self, version_dir: Path, *, threads: int | None = 1):
        self.version_dir = Path(version_dir)
        self.problems: list[str] = []
        self.error: str | None = None
        self.started = time.monotonic()
        self.seconds: float | None = None
        self._thread = threading.Thread(target=self._run, args=(threads,), name="contract-check", daemon=True)
        self._thread.start()

    def _run(self, threads: int | None) -> None:
        try:
            self.problems = [str(p) for p in validate_export(self.version_dir, threads=threads)]
        except Exception as exc:  # noqa: BLE001 - shown on the Data page instead of lost in a thread
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.seconds = time.monotonic() - self.started

    @property
    def state(self) -> str:
        if self._thread.is_alive():
            return "checking"
        if self.error is not None:
            return "failed"
        return "problems" if self.problems else "passed"

    def wait(self, timeout: float | None = None) -> str:
        self._thread.join(timeout)
        return self.state


def summary(data_dir: Path) -> str:
    """``N activities, ...``: what a valid export holds."""
    version = export.current_dir(data_dir)
    parts = []
    for name, label in (
        ("activities.parquet", "activities"),
        ("activity_countries.parquet", "activity-country links"),
        ("activity_agencies.parquet", "activity-agency links"),
        ("indicators.parquet", "indicator observations"),
        ("resources.parquet", "resources"),
        ("events.parquet", "events"),
    ):
        path = version / name
        n = pq.read_metadata(path).num_rows if path.exists() else 0
        parts.append(f"{n:,} {label}")
    return ", ".join(parts)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", help="the export directory (default: $ICAT_DATA_DIR or data/demo/)")


def run(args: argparse.Namespace) -> int:
    directory = resolve_data_dir(args.data)
    if not directory.is_dir():
        print(f"{directory}: no such export directory", file=sys.stderr)
        return 1
    problems = validate_export(directory)
    if problems:
        for p in problems:
            print(p)
        print(f"{len(problems)} problem(s) in {directory}", file=sys.stderr)
        return 1
    print(f"OK: {summary(directory)}")
    return 0
