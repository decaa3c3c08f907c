"""DuckDB over the parquet export, and named queries with bound parameters.

Data flows one way: parquet export -> DuckDB tables -> named query (``sql/NAME.sql``)
-> DataFrame. A value from a person reaches SQL only as a bound parameter.
"""

from __future__ import annotations

import json
import os
import re
from contextlib import suppress
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from icat_analysis import reference
from icat_analysis.paths import SQL_DIR, sql_literal
from icat_analysis.store import export
from icat_analysis.store.contract import (
    DEFAULT_LEVEL,
    EXPORT_FILES,
    OPTIONAL_ACTIVITY_FIELDS,
    SHARING_COLUMNS,
    SQL_TYPES,
)
from icat_analysis.store.export import DamagedExport, current_dir, read_manifest

_PARAM = re.compile(r"(?<![\w$])\$([A-Za-z_]\w*)")


@cache
def sql_text(name: str) -> str:
    """The text of ``sql/NAME.sql``; NAME must be a file of the package (an allow-list)."""
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise ValueError(f"not a query name: {name!r}")
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


#: DuckDB's own copy of a version's tables, written beside its parquet files when the version is
#: made (docs/ARCHITECTURE.md, "Opening an export"): the dashboard opens it without parsing parquet
DATABASE = export.DATABASE
#: what the stored tables are: change it whenever their columns or how they are derived change,
#: so a file written by an earlier release is not used (the export then opens from its parquet)
DATABASE_FORMAT = "1:rid,activity_places_agencies"
#: the tables a version's database holds: one per parquet file, and who works where
STORED_TABLES = (*(name.removesuffix(".parquet") for name in EXPORT_FILES), "activity_places_agencies")


def connect(data_dir: Path) -> duckdb.DuckDBPyConnection:
    """Open DuckDB over an export.

    The export's tables come from its version's DuckDB file when there is one written from
    exactly these parquet files (opened read-only: nothing is parsed again); otherwise the
    parquet files are loaded into DuckDB tables once, so every page query runs on columnar
    memory instead of re-reading parquet. A missing file becomes an empty table with the
    contract's columns, so an empty export still answers every query. A file that cannot be
    read raises :class:`DamagedExport` naming it and how to recover.
    """
    data_dir = Path(data_dir)
    version = current_dir(data_dir)  # resolved once: every file comes from the same version
    read_manifest(data_dir)  # a manifest cut short is damage too: every command and page says so
    # No progress bar: it writes to the terminal of the command line and the benchmark.
    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")
    if not _attach_database(con, version):
        try:
            _load_tables(con, version, data_dir)
        except DamagedExport:
            con.close()
            raise
    _derived_tables(con)
    _load_duplicate_index(con, version)
    return con


def opens_from_database(data_dir: Path) -> bool:
    """Whether the current version of ``data_dir`` opens from its DuckDB file (not its parquet)."""
    con = duckdb.connect(":memory:")
    try:
        return _attach_database(con, current_dir(Path(data_dir)))
    finally:
        con.close()


def write_database(version_dir: Path) -> Path:
    """Write the DuckDB file of the export files in ``version_dir`` (replacing one there).

    Written to a temporary name and renamed, so a reader finds the whole file or none; it
    records the size and modification time of each parquet file it was made from, and is used
    only while they are the same (a file replaced by hand makes the export open from parquet).
    """
    version_dir = Path(version_dir)
    final = version_dir / DATABASE
    tmp = version_dir / f".{DATABASE}.tmp"
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET enable_progress_bar = false")
        rows = row_group_size(_activity_count(version_dir))
        # The file is created by this thread alone (with more, DuckDB may create and first sync
        # it on another thread), so its syncs come in the same order every time; it is loaded on
        # every core.
        (threads,) = con.execute("SELECT current_setting('threads')").fetchone()
        con.execute("SET threads = 1")
        con.execute(f"ATTACH {sql_literal(tmp)} AS written (ROW_GROUP_SIZE {rows})")
        con.execute(f"SET threads = {int(threads)}")
        con.execute("USE written")
        # One transaction: one commit, then one checkpoint writes the file.
        con.execute("BEGIN")
        _load_tables(con, version_dir, None)
        con.execute("CREATE TABLE database_format AS SELECT $format AS format", {"format": DATABASE_FORMAT})
        con.execute("CREATE TABLE database_sources (name VARCHAR, stamp VARCHAR)")
        sources = sorted(_sources(version_dir).items())
        if sources:  # an export with no files yet (a new public one, say) records none
            con.executemany("INSERT INTO database_sources VALUES (?, ?)", sources)
        # Written by this thread alone, for the same reason.
        con.execute("SET threads = 1")
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        raise
    con.close()
    os.replace(tmp, final)
    return final


#: DuckDB's own row group size: what every export of this size up is written in
ROW_GROUP = 122_880
#: row group sizes are whole vectors of this many rows
_VECTOR = 2_048


def row_group_size(activities: int) -> int:
    """Rows in each row group of an export's DuckDB file of ``activities`` activities.

    DuckDB compresses each row group as a whole, and one under-filled group of 122,880 rows costs
    more to write than two halves: under two of its usual groups (245,760 activities), the
    activities are cut in two, and the file is written with about a third less CPU (100,000
    activities: 1.55 s instead of 2.5; page queries measured the same, docs/PERFORMANCE.md).
    From that size up the usual size is kept: smaller groups there made every page query dearer
    (16,384 rows: 12 % more CPU at 1,000,000).
    """
    if activities >= 2 * ROW_GROUP:
        return ROW_GROUP
    half = -(-activities // 2)
    return max(_VECTOR, -(-half // _VECTOR) * _VECTOR)


def _activity_count(version_dir: Path) -> int:
    try:
        return pq.read_metadata(Path(version_dir) / "activities.parquet").num_rows
    except (OSError, pa.ArrowException):
        return 0  # no activities yet, or a damaged file, which the loading below reports


def _sources(version_dir: Path) -> dict[str, str]:
    """name -> size and modification time of each parquet file of a version."""
    out = {}
    for name in EXPORT_FILES:
        with suppress(FileNotFoundError):
            st = (version_dir / name).stat()
            out[name] = f"{st.st_size}:{st.st_mtime_ns}"
    return out


def _attach_database(con: duckdb.DuckDBPyConnection, version_dir: Path) -> bool:
    """Point ``con``'s tables at the version's DuckDB file; False (nothing changed) where there is
    none, it cannot be opened, it is of another format or its parquet files changed since."""
    if not attach_version(con, version_dir, "stored"):
        return False
    for table in STORED_TABLES:
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM stored.{table}")
    return True


def attach_version(con: duckdb.DuckDBPyConnection, version_dir: Path, alias: str) -> bool:
    """Attach the version's DuckDB file read-only as ``alias`` (its tables are ``alias.TABLE``);
    False, attaching nothing, where there is none, it cannot be opened, it is of another format or
    its parquet files changed since."""
    path = Path(version_dir) / DATABASE
    if not path.is_file():
        return False
    try:
        con.execute(f"ATTACH {sql_literal(path)} AS {alias} (READ_ONLY)")
    except duckdb.Error:
        return False
    try:
        fmt = con.execute(f"SELECT format FROM {alias}.database_format").fetchone()[0]
        stamps = dict(con.execute(f"SELECT name, stamp FROM {alias}.database_sources").fetchall())
        usable = fmt == DATABASE_FORMAT and stamps == _sources(Path(version_dir))
    except (duckdb.Error, TypeError):
        usable = False
    if not usable:
        con.execute(f"DETACH {alias}")
    return usable


def _load_tables(con: duckdb.DuckDBPyConnection, version: Path, data_dir: Path | None) -> None:
    for file_name, schema in EXPORT_FILES.items():
        table = file_name.removesuffix(".parquet")
        path = version / file_name
        # the file's path is bound; the table's name is one of the contract's files
        if path.exists():
            source, params = "read_parquet($path)", {"path": str(path)}
        else:
            con.register("empty", schema.empty_table())
            source, params = "empty", {}
        try:
            _load_table(con, table, source, params, path if path.exists() else None, schema)
        except (duckdb.Error, pa.ArrowException, OSError) as exc:
            raise DamagedExport(path, f"cannot be read as parquet ({str(exc).splitlines()[0]})", data_dir) from exc
        if source == "empty":
            con.unregister("empty")
    # Who works where, one row per activity, country, agency and role: the map, coverage and
    # agency pages count this instead of joining the two link tables on every render.
    con.execute(
        "CREATE TABLE activity_places_agencies AS "
        "SELECT DISTINCT ac.rid, ac.iso3, aa.agency, aa.role "
        "FROM activity_countries AS ac JOIN activity_agencies AS aa USING (rid)"
    )


def _load_duplicate_index(con: duckdb.DuckDBPyConnection, version: Path) -> None:
    """The hot-spot index stored with the version (store/duplicate_index.py), when it has one."""
    from icat_analysis.store import duplicate_index

    path = version / duplicate_index.FILE
    desc = duplicate_index.description(path) if path.is_file() else None
    if not desc or not desc.get("built"):
        return
    try:
        con.execute("CREATE TABLE duplicate_pairs AS SELECT * FROM read_parquet(?)", [str(path)])
    except duckdb.Error:
        return  # an unreadable index is searched for instead: it holds nothing the export lacks
    con.execute("CREATE TABLE duplicate_index_info AS SELECT ?::VARCHAR AS description", [json.dumps(desc)])


def _load_table(
    con: duckdb.DuckDBPyConnection, table: str, source: str, params: dict, path: Path | None, schema
) -> None:
    if table == "activities":
        # `rid`, a dense INTEGER id, is what the page queries join on: joining the link
        # tables on it is about three times faster than on the text activity_id.
        # An export written before the optional columns existed gets them as nulls.
        names = pq.read_schema(path).names if path is not None else schema.names
        con.execute(
            f"CREATE TABLE activities AS SELECT *{missing_optional_sql(names)}{_default_levels_sql(names)}, "
            f"(row_number() OVER ())::INTEGER AS rid FROM {source}",
            params,
        )
    elif table in ("activity_countries", "activity_agencies"):
        # A link row whose activity is missing keeps a NULL rid rather than being dropped
        # (validate reports it).
        con.execute(
            f"CREATE TABLE {table} AS SELECT ids.rid, link.* FROM {source} AS link "
            "LEFT JOIN (SELECT activity_id, rid FROM activities) AS ids USING (activity_id)",
            params,
        )
    else:
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM {source}", params)


def _derived_tables(con: duckdb.DuckDBPyConnection) -> None:
    # The reference lists come from the installed package, never from the stored file: a new
    # release's code lists apply to an export written before it.
    agencies = reference.agencies()  # noqa: F841
    countries = reference.countries()  # noqa: F841
    codelists = reference.codelists()  # noqa: F841
    con.execute("CREATE TABLE agencies AS SELECT * FROM agencies")
    con.execute("CREATE TABLE countries AS SELECT * FROM countries")
    con.execute("CREATE TABLE codelists AS SELECT * FROM codelists")
    con.execute(sql_text("selected_activities"))
    con.execute(sql_text("detected_victims_totals"))


def missing_optional_sql(names) -> str:
    """``, NULL::T AS col`` for each optional activity column not in ``names`` (queries read them all)."""
    return "".join(f", NULL::{SQL_TYPES[f.type]} AS {f.name}" for f in OPTIONAL_ACTIVITY_FIELDS if f.name not in names)


def _default_levels_sql(names) -> str:
    """``, 'members' AS visibility`` ... for an export written before sharing levels (its rows
    were never said to be public)."""
    return "".join(f", '{DEFAULT_LEVEL}' AS {c}" for c in SHARING_COLUMNS if c not in names)


def query(
    con: duckdb.DuckDBPyConnection,
    name: str,
    filters=None,
    **params,
) -> pd.DataFrame:
    """Run the named query on its own cursor with bound parameters.

    ``$filters`` in a query is bound to ``filters.as_sql_param()`` (all activities when
    ``filters`` is None). Every ``$name`` the query uses must be given.
    """
    sql = sql_text(name)
    wanted = set(_PARAM.findall(sql))
    bound = {}
    for key in wanted:
        if key == "filters":
            from icat_analysis.filters import Filters

            bound[key] = (filters or Filters()).as_sql_param()
        elif key in params:
            bound[key] = params[key]
        else:
            raise TypeError(f"query {name!r} needs the parameter ${key}")
    cur = con.cursor()
    try:
        return cur.execute(sql, bound).df()
    finally:
        cur.close()


def as_list(value) -> list:
    """A list cell from DuckDB (numpy array, list, None or NaN) as a plain list."""
    if value is None or isinstance(value, float):
        return []
    return list(value)


# ---- ``rebuild-cache``: the DuckDB file of an export written before it existed ---------------
def add_arguments(parser) -> None:
    parser.add_argument("--data", help="the export directory (default: $ICAT_DATA_DIR or data/demo/)")


def run(args) -> int:
    """Write the DuckDB file of the current version, so the dashboard opens it without parsing
    parquet: for an export written before imports made one (they do, for every new version)."""
    import sys
    import time

    from icat_analysis.paths import data_dir as resolve_data_dir

    directory = resolve_data_dir(args.data)
    if not export.is_export(directory):
        print(f"{directory}: no export there", file=sys.stderr)
        return 1
    with export.export_lock(directory):
        version = current_dir(directory)
        if opens_from_database(directory):
            print(f"{version / DATABASE}: up to date; nothing to do")
            return 0
        t0 = time.perf_counter()
        path = write_database(version)
    print(f"{path}: written in {time.perf_counter() - t0:.1f} s; the dashboard opens the export from it")
    return 0
