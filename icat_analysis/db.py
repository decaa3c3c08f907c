"""DuckDB over the parquet export, and named queries with bound parameters.

Data flows one way: parquet export -> DuckDB tables -> named query (``sql/NAME.sql``)
-> DataFrame. A value from a person reaches SQL only as a bound parameter.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from . import reference
from .contract import EXPORT_FILES
from .paths import SQL_DIR

_PARAM = re.compile(r"(?<![\w$])\$([A-Za-z_]\w*)")


@cache
def sql_text(name: str) -> str:
    """The text of ``sql/NAME.sql``; NAME must be a file of the package (an allow-list)."""
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise ValueError(f"not a query name: {name!r}")
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def connect(data_dir: Path, *, in_memory: bool = True) -> duckdb.DuckDBPyConnection:
    """Open DuckDB over an export.

    With ``in_memory`` the parquet files are loaded into DuckDB tables once, so every page
    query runs on columnar memory instead of re-reading parquet; a missing file becomes an
    empty table with the contract's columns, so an empty export still answers every query.
    """
    data_dir = Path(data_dir)
    # No progress bar: it writes to the terminal of the command line and the benchmark.
    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")
    for file_name, schema in EXPORT_FILES.items():
        table = file_name.removesuffix(".parquet")
        path = data_dir / file_name
        if path.exists():
            kind = "TABLE" if in_memory else "VIEW"
            con.execute(f"CREATE {kind} {table} AS SELECT * FROM read_parquet(?)".replace("?", _quote(path)))
        else:
            empty = schema.empty_table()  # noqa: F841 - read by DuckDB's replacement scan
            con.execute(f"CREATE TABLE {table} AS SELECT * FROM empty")
    agencies = reference.agencies()  # noqa: F841
    countries = reference.countries()  # noqa: F841
    codelists = reference.codelists()  # noqa: F841
    con.execute("CREATE TABLE agencies AS SELECT * FROM agencies")
    con.execute("CREATE TABLE countries AS SELECT * FROM countries")
    con.execute("CREATE TABLE codelists AS SELECT * FROM codelists")
    con.execute(sql_text("selected_activities"))
    return con


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
            from .filters import Filters

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
