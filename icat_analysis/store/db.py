"""DuckDB over the parquet export, and named queries with bound parameters.

Data flows one way: parquet export -> DuckDB tables -> named query (``sql/NAME.sql``)
-> DataFrame. A value from a person reaches SQL only as a bound parameter.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from icat_analysis import reference
from icat_analysis.paths import SQL_DIR
from icat_analysis.store.contract import DEFAULT_LEVEL, EXPORT_FILES, OPTIONAL_ACTIVITY_FIELDS, SHARING_COLUMNS
from icat_analysis.store.export import DamagedExport, current_dir, read_manifest

_PARAM = re.compile(r"(?<![\w$])\$([A-Za-z_]\w*)")


@cache
def sql_text(name: str) -> str:
    """The text of ``sql/NAME.sql``; NAME must be a file of the package (an allow-list)."""
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise ValueError(f"not a query name: {name!r}")
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def connect(data_dir: Path) -> duckdb.DuckDBPyConnection:
    """Open DuckDB over an export.

    The parquet files are loaded into DuckDB tables once, so every page query runs on
    columnar memory instead of re-reading parquet; a missing file becomes an empty table with
    the contract's columns, so an empty export still answers every query. A file that cannot
    be read raises :class:`DamagedExport` naming it and how to recover.
    """
    data_dir = Path(data_dir)
    version = current_dir(data_dir)  # resolved once: every file comes from the same version
    read_manifest(data_dir)  # a manifest cut short is damage too: every command and page says so
    # No progress bar: it writes to the terminal of the command line and the benchmark.
    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")
    for file_name, schema in EXPORT_FILES.items():
        table = file_name.removesuffix(".parquet")
        path = version / file_name
        if path.exists():
            source = f"read_parquet({_quote(path)})"
        else:
            con.register("empty", schema.empty_table())
            source = "empty"
        try:
            _load_table(con, table, source, path if path.exists() else None, schema)
        except (duckdb.Error, pa.ArrowException, OSError) as exc:
            con.close()
            raise DamagedExport(path, f"cannot be read as parquet ({str(exc).splitlines()[0]})", data_dir) from exc
        if source == "empty":
            con.unregister("empty")
    _derived_tables(con)
    _load_duplicate_index(con, version)
    return con


def _load_duplicate_index(con: duckdb.DuckDBPyConnection, version: Path) -> None:
    """The hot-spot index stored with the version (store/duplicate_index.py), when it has one."""
    from icat_analysis.store import duplicate_index

    path = version / duplicate_index.FILE
    desc = duplicate_index.description(path) if path.is_file() else None
    if not desc or not desc.get("built"):
        return
    try:
        con.execute(f"CREATE TABLE duplicate_pairs AS SELECT * FROM read_parquet({_quote(path)})")
    except duckdb.Error:
        return  # an unreadable index is searched for instead: it holds nothing the export lacks
    con.execute("CREATE TABLE duplicate_index_info AS SELECT ?::VARCHAR AS description", [json.dumps(desc)])


def _load_table(con: duckdb.DuckDBPyConnection, table: str, source: str, path: Path | None, schema) -> None:
    if table == "activities":
        # `rid`, a dense INTEGER id, is what the page queries join on: joining the link
        # tables on it is about three times faster than on the text activity_id.
        # An export written before the optional columns existed gets them as nulls.
        names = pq.read_schema(path).names if path is not None else schema.names
        con.execute(
            f"CREATE TABLE activities AS SELECT *{missing_optional_sql(names)}{_default_levels_sql(names)}, "
            f"(row_number() OVER ())::INTEGER AS rid FROM {source}"
        )
    elif table in ("activity_countries", "activity_agencies"):
        # A link row whose activity is missing keeps a NULL rid rather than being dropped
        # (validate reports it).
        con.execute(
            f"CREATE TABLE {table} AS SELECT ids.rid, link.* FROM {source} AS link "
            "LEFT JOIN (SELECT activity_id, rid FROM activities) AS ids USING (activity_id)"
        )
    else:
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM {source}")


def _derived_tables(con: duckdb.DuckDBPyConnection) -> None:
    # Who works where, one row per activity, country, agency and role: the map, coverage and
    # agency pages count this instead of joining the two link tables on every render.
    con.execute(
        "CREATE TABLE activity_places_agencies AS "
        "SELECT DISTINCT ac.rid, ac.iso3, aa.agency, aa.role "
        "FROM activity_countries AS ac JOIN activity_agencies AS aa USING (rid)"
    )
    agencies = reference.agencies()  # noqa: F841
    countries = reference.countries()  # noqa: F841
    codelists = reference.codelists()  # noqa: F841
    con.execute("CREATE TABLE agencies AS SELECT * FROM agencies")
    con.execute("CREATE TABLE countries AS SELECT * FROM countries")
    con.execute("CREATE TABLE codelists AS SELECT * FROM codelists")
    con.execute(sql_text("selected_activities"))
    con.execute(sql_text("detected_victims_totals"))


_SQL_TYPE = {pa.string(): "VARCHAR", pa.list_(pa.string()): "VARCHAR[]", pa.float64(): "DOUBLE"}


def missing_optional_sql(names) -> str:
    """``, NULL::T AS col`` for each optional activity column not in ``names`` (queries read them all)."""
    return "".join(f", NULL::{_SQL_TYPE[f.type]} AS {f.name}" for f in OPTIONAL_ACTIVITY_FIELDS if f.name not in names)


def _default_levels_sql(names) -> str:
    """``, 'members' AS visibility`` ... for an export written before sharing levels (its rows
    were never said to be public)."""
    return "".join(f", '{DEFAULT_LEVEL}' AS {c}" for c in SHARING_COLUMNS if c not in names)


def _quote(path: Path) -> str:
    # A path of ours, not a person's value; DDL does not take bound parameters.
    return "'" + str(path).replace("'", "''") + "'"


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
