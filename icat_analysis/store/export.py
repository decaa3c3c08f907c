"""Reading and writing the parquet export safely: complete versions, switched by one atomic step.

Layout of an export directory (docs/SCHEMA.md, "Versions and history")::

    current              symlink -> versions/ID: the one version every reader opens
    versions/ID/         a complete export: every parquet file, manifest.json, checksums.sha256
    .import.lock         the writers' exclusive lock
    reviews.jsonl        planners' reviews of duplicate pairs (not versioned)

An import writes a whole new version into ``versions/.tmp-ID/`` (files unchanged since the
version it starts from are hard links, not copies), fsyncs every file and directory, renames
the directory to ``versions/ID`` and then switches ``current`` with one ``rename`` of a new
symlink over the old. A reader resolves ``current`` once (:func:`current_dir`) and opens every
file in that directory, so it sees the whole old version or the whole new one, never a mix; a
kill at any point leaves the old version current. Undo switches ``current`` back to the version
the current one was made from, after checking that version's checksums; it never copies data.

A flat export (parquet files and manifest.json straight in the directory, as the repository
ships ``data/``) is read in place and never written to by a reader. The first import or undo
copies it into ``versions/`` (the migration) and from then on ``current`` wins; the flat files
are left as they were.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from icat_analysis.errors import InputError
from icat_analysis.store import row_hashes
from icat_analysis.store.contract import DEFAULT_LEVEL, EXPORT_FILES, SHARING_COLUMNS

MANIFEST = "manifest.json"
CHECKSUMS = "checksums.sha256"
CURRENT = "current"
VERSIONS = "versions"
LOCK = ".import.lock"
#: where the flat layout of earlier releases kept the files an import replaced (read once, when migrating)
PREVIOUS = ".previous"
#: DuckDB's copy of a version's tables (``store.db.DATABASE``), made anew for every version
DATABASE = "export.duckdb"
_STAGING, _TRASH = ".tmp-", ".trash-"


class ExportError(InputError):
    """The export cannot be read, or changed as asked; the message says what to do."""


class DamagedExport(ExportError):
    """A file of the export cannot be read: the message names it and how to recover."""

    def __init__(self, path: Path, what: str, data_dir: Path | None = None):
        self.path = Path(path)
        self.what = what
        where = f" --data {data_dir}" if data_dir else ""
        super().__init__(
            f"{path}: {what}. To recover, put back the version before the last import with "
            f"`python -m icat_analysis import-activities --undo{where}`, or import the data again."
        )


# ---- reading --------------------------------------------------------------------------------
def is_versioned(data_dir: Path) -> bool:
    return os.path.islink(Path(data_dir) / CURRENT)


def current_dir(data_dir: Path) -> Path:
    """The directory holding the current version's files: resolve once, then open files in it.

    For a flat export that is ``data_dir`` itself.
    """
    data_dir = Path(data_dir)
    pointer = data_dir / CURRENT
    try:
        target = os.readlink(pointer)
    except FileNotFoundError:
        return data_dir
    except OSError as exc:
        raise DamagedExport(pointer, f"is not a link to a version ({exc.strerror})", data_dir) from exc
    path = data_dir / target
    if not (path / MANIFEST).is_file():
        raise DamagedExport(pointer, f"names {target}, which holds no {MANIFEST}", data_dir)
    return path


def load_manifest(path: Path, data_dir: Path | None = None) -> dict:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise DamagedExport(path, f"is not complete JSON ({exc})", data_dir) from exc
    if not isinstance(manifest, dict):
        raise DamagedExport(path, "is not a JSON object", data_dir)
    return manifest


def read_manifest(data_dir: Path) -> dict:
    """The current version's manifest, or an empty dict where there is none.

    Raises :class:`DamagedExport` when the manifest is cut short or not JSON.
    """
    path = current_dir(data_dir) / MANIFEST
    if not path.exists():
        return {}
    return load_manifest(path, Path(data_dir))


def data_as_of(manifest: dict):
    """The date the export's data describes: the manifest's ``as_of`` (the demonstration's fixed
    date), else the IATI snapshot's date (an import of saved IATI files describes the day they were
    served, not the day they were read), else the day its current version was made; None for an
    empty export."""
    iati = manifest.get("iati")
    for value in (
        manifest.get("as_of"),
        iati.get("snapshot") if isinstance(iati, dict) else None,
        manifest.get("updated_at"),
    ):
        t = parse_time(value) if value else None
        if t is not None:
            return t.date()
    return None


def is_export(directory: Path) -> bool:
    """Whether ``directory`` holds an export (versioned, or a flat manifest or any of the export's files)."""
    directory = Path(directory)
    return directory.is_dir() and (
        is_versioned(directory) or any((directory / name).exists() for name in (MANIFEST, *EXPORT_FILES))
    )


def list_exports(root: Path) -> dict[str, Path]:
    """The exports in the folder ``root``, by directory name in alphabetical order: the
    directories it holds that are exports (``source/``, hidden folders and files are not)."""
    root = Path(root)
    if not root.is_dir():
        return {}
    return {p.name: p for p in sorted(root.iterdir()) if not p.name.startswith(".") and is_export(p)}


def export_version(data_dir: Path) -> str:
    """A short key that changes whenever the current export changes (for caches)."""
    data_dir = Path(data_dir)
    with contextlib.suppress(OSError):
        return Path(os.readlink(data_dir / CURRENT)).name
    h = hashlib.sha256()
    for name in (*EXPORT_FILES, MANIFEST):
        p = data_dir / name
        if p.exists():
            st = p.stat()
            h.update(f"{name}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def sha256(path: Path) -> str:
    """A file's sha256, read a megabyte at a time."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def file_digest(data_dir: Path) -> dict[str, str]:
    """sha256 of every file of the current export, for tests that assert an export did not change."""
    d = current_dir(data_dir)
    return {name: sha256(d / name) for name in (*EXPORT_FILES, MANIFEST) if (d / name).exists()}


def checksums(version_dir: Path) -> dict[str, str]:
    """name -> sha256 listed in a version's ``checksums.sha256`` (the ``sha256sum`` format)."""
    out = {}
    for line in (Path(version_dir) / CHECKSUMS).read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        if name:
            out[name] = digest
    return out


def verify(version_dir: Path) -> list[str]:
    """What is wrong with a version's files against its checksum list; empty when all match."""
    version_dir = Path(version_dir)
    try:
        listed = checksums(version_dir)
    except (OSError, UnicodeDecodeError) as exc:
        return [f"{version_dir / CHECKSUMS}: cannot be read ({exc})"]
    if MANIFEST not in listed:
        return [f"{version_dir / CHECKSUMS}: does not list {MANIFEST} (the list is cut short)"]
    problems = []
    for name, digest in listed.items():
        path = version_dir / name
        if not path.is_file():
            problems.append(f"{path}: is missing")
        elif sha256(path) != digest:
            problems.append(f"{path}: does not match its checksum (the file changed or is damaged)")
    return problems


# ---- writing --------------------------------------------------------------------------------
@contextlib.contextmanager
def export_lock(data_dir: Path):
    """Hold the export's exclusive lock; a second importer waits until the first is done."""
    data_dir = Path(data_dir)
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


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _write_bytes(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _manifest_bytes(manifest: dict) -> bytes:
    return (json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n").encode()


def _new_id(made_at: datetime) -> str:
    # Dated, so `ls versions/` is the history in order; the suffix keeps two imports in one second apart.
    return made_at.strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def _carried_files(base: Path) -> list[str]:
    """The files of the version ``base`` that a new version keeps unless it replaces them."""
    if (base / CHECKSUMS).exists():
        # The DuckDB file is made anew for every version, from the files the version holds.
        return [n for n in checksums(base) if n not in (MANIFEST, DATABASE)]
    names = [n for n in EXPORT_FILES if (base / n).is_file()]
    # A flat export lists no files; its manifest names the one extra file the demo writes.
    with contextlib.suppress(OSError, ExportError, AttributeError):
        extra = (load_manifest(base / MANIFEST).get("planted_duplicates") or {}).get("file")
        if extra and "/" not in extra and (base / extra).is_file():
            names.append(extra)
    return names


def stage(data_dir: Path, made_at: datetime) -> Path:
    """A new, empty staging directory for a version (``versions/.tmp-ID``); hold the lock."""
    versions = Path(data_dir) / VERSIONS
    versions.mkdir(parents=True, exist_ok=True)
    path = versions / (_STAGING + _new_id(made_at))
    path.mkdir()
    return path


def commit(
    data_dir: Path,
    staged: Path,
    manifest: dict,
    *,
    made_at: datetime,
    made_by: str,
    lineage: list[str],
    switch: bool = True,
) -> Path:
    """Finish a staged version and (by default) make it current; the caller holds the lock.

    ``lineage`` is what :func:`start_version` returned. The manifest gets the version's id, date,
    maker and lineage; every file in ``staged`` is fsynced and listed in ``checksums.sha256``;
    the directory is renamed into place; ``current`` is switched by renaming a new symlink over it.
    """
    data_dir = Path(data_dir)
    version_id = staged.name.removeprefix(_STAGING)
    manifest = _with_duplicate_index(data_dir, staged, manifest)
    _write_database(staged)
    manifest = {
        **manifest,
        # lineage is newest first: lineage[0] is what undo goes back to, the rest is the history
        "version": {
            "id": version_id,
            "made_at": made_at.isoformat(timespec="seconds"),
            "made_by": made_by,
            "lineage": lineage[:1000],
        },
    }
    _write_bytes(staged / MANIFEST, _manifest_bytes(manifest))
    sums = []
    for path in sorted(staged.iterdir()):
        if path.name != MANIFEST:
            _fsync_file(path)
        sums.append(f"{sha256(path)}  {path.name}\n")
    _write_bytes(staged / CHECKSUMS, "".join(sums).encode())
    _fsync_dir(staged)
    final = staged.with_name(version_id)
    os.rename(staged, final)
    _fsync_dir(final.parent)
    if switch:
        point_at(data_dir, version_id)
    return final


def _with_duplicate_index(data_dir: Path, work: Path, manifest: dict) -> dict:
    """Build the hot-spot index of a version being written (kept when its activities and the
    weights in use did not change), and say so in the manifest: no page searches for pairs."""
    from icat_analysis.store import duplicate_index  # it reads exports through this module

    desc = duplicate_index.ensure(work, duplicate_index.weights_in_use(data_dir))
    if desc is None:
        return manifest
    return {**manifest, "duplicate_index": {k: v for k, v in desc.items() if k != "sources"}}


def point_at(data_dir: Path, version_id: str) -> None:
    """Make ``versions/VERSION_ID`` current: the one atomic step of an import or an undo."""
    data_dir = Path(data_dir)
    tmp = data_dir / f".{CURRENT}.tmp"
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)
    os.symlink(f"{VERSIONS}/{version_id}", tmp)
    os.replace(tmp, data_dir / CURRENT)
    _fsync_dir(data_dir)


def lineage(manifest: dict) -> list[str]:
    return list((manifest.get("version") or {}).get("lineage") or [])


def start_version(data_dir: Path) -> tuple[Path | None, list[str]]:
    """The current version a new one starts from, and the new one's lineage; migrates a flat export.

    Call with the lock held. Also removes what an interrupted import or clean-up left behind.
    """
    data_dir = Path(data_dir)
    _sweep(data_dir)
    if is_versioned(data_dir):
        cur = current_dir(data_dir)
        return cur, [cur.name, *lineage(load_manifest(cur / MANIFEST, data_dir))]
    if not (data_dir / MANIFEST).exists() and not any((data_dir / n).exists() for n in EXPORT_FILES):
        return None, []
    migrated = _migrate_flat(data_dir)
    return migrated, [migrated.name, *lineage(load_manifest(migrated / MANIFEST, data_dir))]


def _copy_version(data_dir: Path, sources: dict[str, Path], manifest: dict, made_by: str, lineage_: list[str]):
    made_at = parse_time(manifest.get("updated_at")) or datetime.now(UTC)
    staged = stage(data_dir, made_at)
    for name, src in sources.items():
        shutil.copyfile(src, staged / name)
    if "activities.parquet" in sources and row_hashes.FILE not in sources:
        row_hashes.write(staged)
    return commit(data_dir, staged, manifest, made_at=made_at, made_by=made_by, lineage=lineage_, switch=False)


def _migrate_flat(data_dir: Path) -> Path:
    """Copy a flat export into ``versions/`` (not yet current); the flat files stay untouched.

    The ``.previous/`` copy of the earlier layout becomes the version before it when every file
    in it can be read; a damaged one is left out (undo then has nothing to go back to).
    """
    names = _carried_files(data_dir)
    manifest = load_manifest(data_dir / MANIFEST, data_dir) if (data_dir / MANIFEST).exists() else {}
    before: list[str] = []
    prev = data_dir / PREVIOUS
    if prev.is_dir() and _readable_previous(prev):
        sources = {n: data_dir / n for n in names} | {p.name: p for p in prev.iterdir() if p.name != MANIFEST}
        prev_manifest = load_manifest(prev / MANIFEST) if (prev / MANIFEST).exists() else manifest
        before = [_copy_version(data_dir, sources, prev_manifest, "earlier release (.previous)", []).name]
    return _copy_version(data_dir, {n: data_dir / n for n in names}, manifest, "flat export", before)


def _readable_previous(prev: Path) -> bool:
    try:
        for p in prev.iterdir():
            if p.suffix == ".parquet":
                pq.read_metadata(p)
            elif p.name == MANIFEST:
                load_manifest(p)
    except Exception:  # noqa: BLE001 - any unreadable file means this copy cannot be trusted
        return False
    return True


def parse_time(text) -> datetime | None:
    try:
        t = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def write_export(
    data_dir: Path,
    tables: dict[str, pa.Table],
    manifest_update: dict,
    *,
    locked: bool = False,
    files: dict[str, bytes] | None = None,
    made_by: str = "import",
    now: datetime | None = None,
) -> dict:
    """Make a new current version: the given parquet files (and extra ``files``) replaced, the
    others kept from the current version, ``manifest_update`` merged into its manifest.

    Callers that read the export before deciding what to write pass ``locked=True`` and
    hold :func:`export_lock` themselves across the read and the write.
    Returns the new manifest.
    """

    def fill(staged: Path) -> None:
        for name, table in tables.items():
            schema = EXPORT_FILES[name]
            pq.write_table(table.select(schema.names).cast(schema), staged / name, compression="zstd")
        for name, data in (files or {}).items():
            (staged / name).write_bytes(data)

    ctx = contextlib.nullcontext() if locked else export_lock(data_dir)
    with ctx:
        return _new_version(Path(data_dir), fill, manifest_update, made_by, now)


def write_flat(out: Path, fill: Callable[[Path], dict]) -> dict:
    """Write an export in the flat layout (fixed names, nothing dated), for one that is handed out
    or shipped rather than imported into: the demonstration in the repository, a published copy.

    ``fill(work)`` writes the files into a work directory and returns the manifest; they are
    moved in only when all are complete, the manifest last, so a failure leaves ``out`` as it
    was. The caller holds :func:`export_lock`. Returns the manifest.
    """
    out = Path(out)
    work = out / ".flat.tmp"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    try:
        manifest = _with_duplicate_index(out, work, fill(work))
        _write_database(work)
        (work / MANIFEST).write_bytes(_manifest_bytes(manifest))
        for name in sorted(os.listdir(work), key=lambda n: n == MANIFEST):
            _fsync_file(work / name)
            os.replace(work / name, out / name)
        _fsync_dir(out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return manifest


def _write_database(directory: Path) -> None:
    """DuckDB's copy of the export files in ``directory``, so the dashboard opens the version
    without parsing its parquet (``store.db``); it is listed in the checksums like every file."""
    from icat_analysis.store import db  # db reads exports through this module

    db.write_database(directory)


def prepared_path(data_dir: Path, name: str) -> Path:
    """Where a file of the export is written before :func:`install_prepared` puts it in a new version."""
    return Path(data_dir) / f".{name}.tmp"


def install_prepared(
    data_dir: Path, prepared: dict[str, Path], manifest_update: dict, *, made_by: str = "import"
) -> dict:
    """Make a new current version from parquet files already written (at :func:`prepared_path`).

    For importers that stream what they write instead of holding it as one table; the caller
    holds :func:`export_lock`. Returns the new manifest.
    """

    def fill(staged: Path) -> None:
        for name, tmp in prepared.items():
            os.rename(tmp, staged / name)

    return _new_version(Path(data_dir), fill, manifest_update, made_by, None)


def _new_version(data_dir: Path, fill, manifest_update: dict, made_by: str, now: datetime | None) -> dict:
    base, lineage_ = start_version(data_dir)
    made_at = (now or datetime.now(UTC)).astimezone(UTC)
    staged = stage(data_dir, made_at)
    fill(staged)
    written = [n for n in EXPORT_FILES if (staged / n).exists()]
    if "activities.parquet" in written:
        # before the carried files, so a version with new activities never keeps the old hashes
        row_hashes.write(staged)
    manifest = {}
    if base is not None:
        manifest = load_manifest(base / MANIFEST, data_dir) if (base / MANIFEST).exists() else {}
        for name in _carried_files(base):
            if not (staged / name).exists():
                _link_or_copy(base / name, staged / name)
    manifest.update(manifest_update)
    manifest["updated_at"] = made_at.isoformat(timespec="seconds")
    counts = manifest.setdefault("row_counts", {})
    for name in written:
        counts[name.removesuffix(".parquet")] = pq.read_metadata(staged / name).num_rows
    commit(data_dir, staged, manifest, made_at=made_at, made_by=made_by, lineage=lineage_)
    prune(data_dir, now=made_at)
    return read_manifest(data_dir)


def _link_or_copy(src: Path, dst: Path) -> None:
    # Versions are never changed once written, so two of them can share one file.
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


# ---- undo, clean-up, retention --------------------------------------------------------------
def undo_last_import(data_dir: Path) -> list[str]:
    """Make the version the current one was made from current again; returns the files that differ.

    Returns an empty list when there is nothing to undo. Raises :class:`ExportError`, changing
    nothing, when that version was removed or its checksums fail.
    """
    data_dir = Path(data_dir)
    with export_lock(data_dir):
        if not is_versioned(data_dir):
            if not (data_dir / PREVIOUS).is_dir():
                return []
            if not _readable_previous(data_dir / PREVIOUS):
                raise ExportError(
                    f"{data_dir / PREVIOUS}: the copy kept by the last import is damaged; nothing was changed"
                )
        base, lineage_ = start_version(data_dir)
        if base is None or len(lineage_) < 2:
            return []
        target = data_dir / VERSIONS / lineage_[1]
        if not target.is_dir():
            raise ExportError(
                f"{target}: the version before the current one is no longer kept (see the history "
                "retention rule); nothing was changed"
            )
        problems = verify(target)
        if problems:
            raise ExportError("will not go back to a damaged version; nothing was changed:\n  " + "\n  ".join(problems))
        old, new = checksums(base), checksums(target)
        point_at(data_dir, target.name)
        return sorted(n for n in set(old) | set(new) if n != CHECKSUMS and old.get(n) != new.get(n))


def _remove(path: Path) -> None:
    """Delete a version directory: renamed aside first, so a kill never leaves half a version."""
    trash = path.with_name(_TRASH + path.name.removeprefix(_STAGING))
    os.rename(path, trash)
    shutil.rmtree(trash)


def _sweep(data_dir: Path) -> None:
    """Remove what an interrupted import or clean-up left: staging and half-deleted directories."""
    versions = Path(data_dir) / VERSIONS
    if not versions.is_dir():
        return
    for p in versions.iterdir():
        if p.name.startswith(_TRASH):
            shutil.rmtree(p, ignore_errors=True)
        elif p.name.startswith(_STAGING):
            _remove(p)


def version_dirs(data_dir: Path) -> list[Path]:
    """Every complete version directory, by id (by date, to the second)."""
    versions = Path(data_dir) / VERSIONS
    if not versions.is_dir():
        return []
    return sorted(p for p in versions.iterdir() if p.is_dir() and not p.name.startswith((_STAGING, _TRASH)))


def prune(data_dir: Path, *, now: datetime | None = None) -> list[str]:
    """Apply the retention rule; returns the removed version ids. The caller holds the lock.

    Kept: the current version, the one undo goes back to, and the versions of the current line
    the rule keeps. Removed: versions off the current line (undone, or written by an import
    killed before its switch) and the ones the rule lets go.
    """
    from icat_analysis.store import retention

    data_dir = Path(data_dir)
    if not is_versioned(data_dir):
        return []
    cur = current_dir(data_dir)
    line = [cur.name, *lineage(load_manifest(cur / MANIFEST, data_dir))]
    dated = [(v, t) for v in line if (t := retention.made_at(v)) is not None]
    keep = retention.keep(dated, now or datetime.now(UTC), retention.rule(), protected=set(line[:2]))
    removed = []
    for p in version_dirs(data_dir):
        if p.name not in keep:
            _remove(p)
            removed.append(p.name)
    if removed:
        _fsync_dir(data_dir / VERSIONS)
    return removed


# ---- helpers for writers --------------------------------------------------------------------


def with_sharing_levels(table: pa.Table, columns: tuple[str, ...] = SHARING_COLUMNS) -> pa.Table:
    """``table`` with the sharing ``columns`` (the activities' by default) an export written
    before sharing levels lacks.

    Such rows were never said to be public, so they are shared with members only.
    """
    for name in columns:
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
