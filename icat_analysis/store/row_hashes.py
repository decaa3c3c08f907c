"""A hash of each activity's compared columns, written with every version whose activities change.

``changes --since`` compares two versions of the export. Matching the activities on a hash of
the columns it compares finds the few that differ without reading every column of both
versions; storing that hash when the version is written (``activity_hashes.parquet``, next to
``activities.parquet``) leaves the comparison only the activity ids and the hashes to read.
A version without the file (made before it existed, or by another release of DuckDB, whose
``hash()`` may differ) has its hashes computed when compared: the same answer, more slowly.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from icat_analysis.paths import sql_literal
from icat_analysis.store.contract import ACTIVITIES_SCHEMA, DEFAULT_LEVEL, SHARING_COLUMNS, SQL_TYPES

FILE = "activity_hashes.parquet"
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
_STAMP_KEY = b"icat_row_hash"


def stamp() -> str:
    """What a stored hash was made with: the same DuckDB and the same columns give the same hash."""
    typed = ", ".join(f"{c} {sql_type(c)}" for c in COMPARED)
    return f"duckdb {duckdb.__version__} hash of struct_pack({typed})"


def sql_type(column: str) -> str:
    return SQL_TYPES[ACTIVITIES_SCHEMA.field(column).type]


def compared(version: Path, table: str | None = None) -> str:
    """SQL for the activities of a version directory: activity_id and the compared columns, with
    the contract's types; no rows when the version has no activities file. ``table`` is the
    version's activities in its DuckDB file (``db.attach_version``), read instead of the parquet."""
    path = Path(version) / "activities.parquet"
    if table is None and not path.exists():
        cols = ", ".join(f"NULL::{sql_type(c)} AS {c}" for c in COMPARED)
        return f"SELECT NULL::VARCHAR AS activity_id, {cols} WHERE false"
    # The DuckDB file's activities have every column; a version from before sharing levels has
    # none in its parquet: its rows were shared with members only.
    names = set(COMPARED) if table is not None else set(pq.read_schema(path).names)
    cols = ", ".join(
        f"CAST({c if c in names else (repr(DEFAULT_LEVEL) if c in SHARING_COLUMNS else 'NULL')} AS {sql_type(c)}) AS {c}"
        for c in COMPARED
    )
    return f"SELECT activity_id, {cols} FROM {table or f'read_parquet({sql_literal(path)})'}"


def _computed(version: Path, table: str | None = None) -> str:
    return f"SELECT activity_id, hash(struct_pack({', '.join(COMPARED)})) AS row_hash FROM ({compared(version, table)})"


def hashes(version: Path, table: str | None = None) -> str:
    """SQL for (activity_id, row_hash) of a version: the stored file when it was made as this
    process would make it, else computed from the activities (``table``: as for :func:`compared`)."""
    path = Path(version) / FILE
    try:
        meta = pq.read_schema(path).metadata or {}
    except (OSError, pa.ArrowException):
        meta = {}
    if meta.get(_STAMP_KEY, b"").decode() == stamp():
        return f"SELECT activity_id, row_hash FROM read_parquet({sql_literal(path)})"
    return _computed(version, table)


def write(version: Path) -> None:
    """Write ``activity_hashes.parquet`` into a version directory being made, from its activities.

    Leaves no file when the activities cannot be read: the comparison then computes the hashes.
    """
    version = Path(version)
    if not (version / "activities.parquet").exists():
        return
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute(
            f"COPY ({_computed(version)}) TO {sql_literal(version / FILE)} "
            f"(FORMAT parquet, COMPRESSION zstd, KV_METADATA {{{_STAMP_KEY.decode()}: {sql_literal(stamp())}}})"
        )
    except duckdb.Error:
        (version / FILE).unlink(missing_ok=True)
    finally:
        con.close()
