"""The hot-spot index stored with each export version: every pair scoring at least
:data:`LEAST_SCORE`, with its parts, so that no page and no command searches for pairs.

``duplicate_pairs.parquet`` sits in the version directory beside the activities (listed in its
checksums like every file) and holds :func:`~icat_analysis.store.duplicate_search.scored_pairs`
at :data:`LEAST_SCORE` (the lower edge of the *worth a look* band): one row per pair and shared
country, with the six parts and the score. Its parquet metadata says which weights scored it
and which activities it was built from (their files' sha256), so a version whose activities or
weights changed builds it again (:func:`ensure`, called by every writer of a version in
:mod:`icat_analysis.store.export`), and a version whose activities did not change keeps it.

A reader uses it only when it answers the question exactly (:func:`covers`): the weights in use
are the ones it was scored with and the least score asked is at or above :data:`LEAST_SCORE`.
Otherwise (a planner accepted re-fitted weights after the import, or the slider is below the
*worth a look* band) the pairs are searched live, which is exact but slow on a large export;
the next import builds the index for the weights then in use. Why not store every pair down to
the slider's 0.50 with its parts: on the demonstration, pairs from 0.50 grow with the square of
a country's activities (31,834 pairs at 10,000 activities, hundreds of millions at 1,000,000),
and weights fitted later can raise pairs that no stored minimum kept.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from icat_analysis.store import duplicate_search, export, score_weights

FILE = "duplicate_pairs.parquet"
#: The least score stored: the lower edge of the *worth a look* band, which the page lists.
LEAST_SCORE = duplicate_search.WORTH_A_LOOK
#: Activities whose files the index is built from: another of them changed, it is built again.
SOURCES = ("activities.parquet", "activity_countries.parquet", "activity_agencies.parquet")
#: Larger exports are not indexed at import: the search from 0.75 takes about 4 s of CPU at 10,000
#: activities and grows with the square of a country's activities (194 s of CPU and 6.8 GB at
#: 100,000, far more at 1,000,000: docs/DUPLICATION.md, "Measured"), and an import must stay
#: quick; their pages search live, as before the index.
MAX_ACTIVITIES = 20_000
_META = b"icat_duplicate_index"


def weights_in_use(data_dir: Path) -> dict[str, float]:
    """The weights accepted for this export (``score_weights.jsonl``), else the documented ones."""
    entry = score_weights.current(data_dir)
    return duplicate_search.checked_weights(entry["weights"] if entry else None)


def _sources(version_dir: Path) -> dict[str, str]:
    return {n: export.sha256(version_dir / n) for n in SOURCES if (version_dir / n).is_file()}


def description(path: Path) -> dict | None:
    """What a stored index says about itself (weights, least score, sources, pairs), or None."""
    try:
        meta = pq.read_schema(path).metadata or {}
        return json.loads(meta[_META])
    except (OSError, KeyError, ValueError, pa.ArrowException):
        return None


def _same_weights(a: dict[str, float], b: dict[str, float]) -> bool:
    return all(abs(float(a.get(k, -1.0)) - float(b.get(k, -1.0))) < 1e-9 for k in duplicate_search.PARTS)


def ensure(version_dir: Path, weights: dict[str, float]) -> dict | None:
    """Build the index of a version being written, unless the one it holds is already of these
    activities and weights; returns its description for the manifest (None: no activities).

    The caller is writing ``version_dir`` (a staging or work directory, not yet current).
    """
    from icat_analysis.store import db  # db reads exports through export, which calls here

    version_dir = Path(version_dir)
    if not (version_dir / "activities.parquet").is_file():
        return None
    weights = duplicate_search.checked_weights(weights)
    sources = _sources(version_dir)
    old = description(version_dir / FILE) if (version_dir / FILE).is_file() else None
    if old and old.get("sources") == sources and _same_weights(old.get("weights", {}), weights):
        return old
    n = pq.read_metadata(version_dir / "activities.parquet").num_rows
    if n > MAX_ACTIVITIES:
        (version_dir / FILE).unlink(missing_ok=True)  # unlinks this version's name only
        return {"built": False, "activities": n, "why": f"more than {MAX_ACTIVITIES:,} activities"}
    con = db.connect(version_dir)
    try:
        rows = duplicate_search.scored_pairs(con, threshold=LEAST_SCORE, weights=weights, stored=False, names=True)
        rows = _with_words(con, rows)
    finally:
        con.close()
    desc = {
        "built": True,
        "words": True,
        "least_score": LEAST_SCORE,
        "weights": weights,
        "sources": sources,
        "rows": int(len(rows)),
        "pairs": int(rows[["activity_id_a", "activity_id_b"]].drop_duplicates().shape[0]) if len(rows) else 0,
    }
    table = pa.Table.from_pandas(rows, preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), _META: json.dumps(desc).encode()})
    # Written aside and renamed: the file there may be a hard link to an earlier version's index.
    tmp = version_dir / (FILE + ".tmp")
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, version_dir / FILE)
    return desc


#: What the reasons sentence and the pair list read besides the parts, stored per row so that
#: listing a country's pairs needs neither the texts nor the rarity pass over every activity.
WORDS = ("concepts_shared", "figures_shared", "wording", "title_a", "title_b")


def _with_words(con, rows):
    """``rows`` (scored with ``names``: the concepts and figures both texts name, the wording of
    every pair, not only where it is the text part) with both titles (:data:`WORDS`)."""
    from icat_analysis.store import db

    if rows.empty:
        return rows.assign(concepts_shared=[], figures_shared=[], title_a=[], title_b=[])
    ids = sorted(set(rows["activity_id_a"]) | set(rows["activity_id_b"]))
    titles = db.query(con, "duplication_texts", ids=ids)
    title = dict(zip(titles["activity_id"], titles["title"]))
    words = ["concepts_shared", "figures_shared", "wording"]
    rows = rows[[c for c in rows.columns if c not in words] + words]
    return rows.assign(title_a=rows["activity_id_a"].map(title), title_b=rows["activity_id_b"].map(title))


def country_pairs(data_dir: Path, iso3: str | None, threshold: float):
    """The pairs of one country (every country when None) scoring at least ``threshold``, read
    from the current version's stored index alone, with :data:`WORDS`; None when that index
    does not answer exactly (none stored, other weights, a lower least score, built before the
    words were stored). Nothing else of the export is loaded: a command answers in a second
    whatever the export's size."""
    import duckdb

    from icat_analysis.store import db

    version = export.current_dir(Path(data_dir))
    path = version / FILE
    desc = description(path) if path.is_file() else None
    if not (covers(desc, threshold, weights_in_use(Path(data_dir))) and desc.get("words")):
        return None
    # Only for the activities it was built from: a damaged or replaced activity file (or a cut
    # manifest) is then named by the export's own reader, as on every other command.
    export.read_manifest(Path(data_dir))
    if desc.get("sources") != _sources(version):
        return None
    con = duckdb.connect()
    try:
        return db.query(con, "duplication_stored_country", path=str(path), iso3=iso3, threshold=float(threshold))
    finally:
        con.close()


def covers(desc: dict | None, threshold: float, weights: dict[str, float]) -> bool:
    """Whether a stored index (its description) lists exactly the pairs at ``threshold`` with ``weights``."""
    return bool(
        desc
        and desc.get("built")
        and threshold >= float(desc["least_score"]) - 1e-9
        and _same_weights(desc.get("weights", {}), duplicate_search.checked_weights(weights))
    )


def follow_weights(data_dir: Path, by: str) -> bool:
    """After a planner accepted or restored weights: a versioned export gets a new version of the
    same files whose index is scored with the weights now in use; returns whether it got one.

    A flat export is read in place and never written by a reader, and an export over
    :data:`MAX_ACTIVITIES` is not indexed: both are searched with the new weights instead.
    """
    from icat_analysis.store import export  # export builds the index through this module

    data_dir = Path(data_dir)
    if not export.is_versioned(data_dir):
        return False
    weights = weights_in_use(data_dir)
    with export.export_lock(data_dir):  # held from the check to the write: an import waits
        current = export.current_dir(data_dir)
        held = description(current / FILE) if (current / FILE).is_file() else None
        too_large = (export.read_manifest(data_dir).get("duplicate_index") or {}).get("built") is False
        if too_large or covers(held, LEAST_SCORE, weights):
            return False
        export.write_export(data_dir, {}, {}, locked=True, made_by=f"score weights of {by}")
    return True
