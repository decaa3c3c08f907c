"""Reading and writing the parquet export safely.

An import replaces files atomically (write a temporary file, fsync, rename), keeps the
previous version of every file it replaces in ``.previous/`` so the import can be undone,
and holds an exclusive lock so two imports at once cannot interleave.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from icat_analysis.store.contract import DEFAULT_LEVEL, EXPORT_FILES, SHARING_COLUMNS

MANIFEST = "manifest.json"
PREVIOUS = ".previous"
LOCK = ".import.lock"


@contextlib.contextmanager
def export_lock(data_dir: Path):
    """Hold the export's exclusive lock; a second importer waits until the first is done."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / LOCK, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def read_manifest(data_dir: Path) -> dict:
    """The export's manifest, or an empty dict where there is none."""
    path = Path(data_dir) / MANIFEST
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def is_export(directory: Path) -> bool:
    """Whether ``directory`` holds an export (a manifest or any of the export's files)."""
    directory = Path(directory)
    return directory.is_dir() and any((directory / name).exists() for name in (MANIFEST, *EXPORT_FILES))


def list_exports(root: Path) -> dict[str, Path]:
    """The exports in the folder ``root``, by directory name in alphabetical order: the
    directories it holds that are exports (``source/``, hidden folders and files are not)."""
    root = Path(root)
    if not root.is_dir():
        return {}
    return {p.name: p for p in sorted(root.iterdir()) if not p.name.startswith(".") and is_export(p)}


def export_version(data_dir: Path) -> str:
    """A short key that changes whenever any file of the export changes (for caches)."""
    h = hashlib.sha256()
    for name in (*EXPORT_FILES, MANIFEST):
        p = Path(data_dir) / name
        if p.exists():
            st = p.stat()
            h.update(f"{name}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def file_digest(data_dir: Path) -> dict[str, str]:
    """sha256 of every file of the export, for tests that assert an export did not change."""
    out = {}
    for name in (*EXPORT_FILES, MANIFEST):
        p = Path(data_dir) / name
        if p.exists():
            out[name] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def write_export(
    data_dir: Path,
    tables: dict[str, pa.Table],
    manifest_update: dict,
    *,
    locked: bool = False,
) -> dict:
    """Replace the given parquet files and merge ``manifest_update`` into the manifest.

    Callers that read the export before deciding what to write pass ``locked=True`` and
    hold :func:`export_lock` themselves across the read and the write.
    Returns the new manifest.
    """
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    ctx = contextlib.nullcontext() if locked else export_lock(data_dir)
    with ctx:
        tmp_paths = {}
        for name, table in tables.items():
            schema = EXPORT_FILES[name]
            table = table.select(schema.names).cast(schema)
            tmp = data_dir / f".{name}.tmp"
            pq.write_table(table, tmp, compression="zstd")
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            tmp_paths[name] = tmp
        manifest = read_manifest(data_dir)
        manifest.update(manifest_update)
        manifest["updated_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        counts = manifest.setdefault("row_counts", {})
        for name, table in tables.items():
            counts[name.removesuffix(".parquet")] = table.num_rows
        # Keep what is replaced, so the import can be undone.
        prev = data_dir / PREVIOUS
        if prev.exists():
            shutil.rmtree(prev)
        prev.mkdir()
        for name in (*tables, MANIFEST):
            src = data_dir / name
            if src.exists():
                shutil.copy2(src, prev / name)
        for name, tmp in tmp_paths.items():
            os.replace(tmp, data_dir / name)
        _atomic_write_bytes(
            data_dir / MANIFEST,
            (json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n").encode(),
        )
        _fsync_dir(data_dir)
        return manifest


def undo_last_import(data_dir: Path) -> list[str]:
    """Put back the files the last write replaced; returns the names restored."""
    data_dir = Path(data_dir)
    prev = data_dir / PREVIOUS
    restored = []
    with export_lock(data_dir):
        if not prev.exists():
            return restored
        for p in sorted(prev.iterdir()):
            tmp = data_dir / f".{p.name}.tmp"
            shutil.copy2(p, tmp)
            os.replace(tmp, data_dir / p.name)
            restored.append(p.name)
        shutil.rmtree(prev)
    return restored


def with_sharing_levels(table: pa.Table) -> pa.Table:
    """``table`` with the sharing columns an export written before sharing levels lacks.

    Such rows were never said to be public, so they are shared with members only.
    """
    for name in SHARING_COLUMNS:
        if name not in table.column_names:
            table = table.append_column(name, pa.array([DEFAULT_LEVEL] * table.num_rows, pa.string()))
    return table


def empty_table(name: str) -> pa.Table:
    return EXPORT_FILES[name].empty_table()


def link_tables(activities: pa.Table) -> dict[str, pa.Table]:
    """``activity_countries`` and ``activity_agencies`` derived from the activities table."""
    import pyarrow.compute as pc

    ids = activities.column("activity_id").combine_chunks()

    def explode(list_col: str) -> tuple[pa.Array, pa.Array]:
        col = activities.column(list_col).combine_chunks()
        parents = pc.list_parent_indices(col)
        return pc.take(ids, parents), pc.list_flatten(col)

    c_ids, c_iso3 = explode("countries")
    countries = pa.table({"activity_id": c_ids, "iso3": c_iso3})
    p_ids, p_agency = explode("partner_agencies")
    n_lead, n_partner = len(ids), len(p_ids)
    agencies = pa.table(
        {
            "activity_id": pa.concat_arrays([ids, p_ids.cast(pa.string())]),
            "agency": pa.concat_arrays(
                [activities.column("lead_agency").combine_chunks().cast(pa.string()), p_agency.cast(pa.string())]
            ),
            "role": pa.array(["lead"] * n_lead + ["partner"] * n_partner, pa.string()),
        }
    )
    return {"activity_countries.parquet": countries, "activity_agencies.parquet": agencies}
