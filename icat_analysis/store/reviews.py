"""Planners' reviews of candidate duplicate pairs, kept in the data directory.

The store is an append-only JSON-lines log, ``DATA_DIR/reviews.jsonl``: one review per
line, never rewritten. Each review is appended with one ``write()`` on a file opened with
``O_APPEND`` while holding an exclusive ``flock``, so two reviewers saving at once both
land, whole and in order. The latest review of a pair wins; earlier ones stay as history.

A pair is keyed by its two activity_ids in sorted order, so a review survives a new import
(activity_ids are stable) and does not depend on which activity was listed first. The log
is not one of the export's files: imports, undo and validation leave it alone.

A crash or a full disk can cut the last line short. The next save finds that torn line, moves it
to ``reviews.rejected`` (with a warning) and truncates the log back to its last whole line
before appending, so the new review is never glued onto the fragment.
"""

from __future__ import annotations

import fcntl
import json
import os
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from icat_analysis import spreadsheet
from icat_analysis.store.export import read_manifest

LOG_NAME = "reviews.jsonl"
REJECTED_NAME = "reviews.rejected"
#: what a planner can say about a pair, and what each means
VERDICTS = {
    "duplicate": "Duplicate: the same work, funded twice",
    "complementary": "Complementary: related work that adds up",
    "coordinated": "Coordinated: the agencies already work together on it",
    "unrelated": "Unrelated: different work that only looks alike",
}
COLUMNS = ["activity_id_a", "activity_id_b", "verdict", "note", "reviewer", "reviewed_at", "signed_in_as"]
MAX_NOTE = 2000


def log_path(data_dir: Path) -> Path:
    return Path(data_dir) / LOG_NAME


def pair_key(a: str, b: str) -> tuple[str, str]:
    """The pair's key, the same whichever activity comes first."""
    return (a, b) if a <= b else (b, a)


def add_review(
    data_dir: Path,
    activity_id_a: str,
    activity_id_b: str,
    verdict: str,
    reviewer: str,
    note: str = "",
    *,
    now: datetime | None = None,
    on_warning: Callable[[str], None] | None = None,
    signed_in_as: str | None = None,
) -> dict:
    """Append one review to the log and return it.

    Raises ValueError on a bad review and OSError when the log cannot be written, saving nothing
    either way. A torn last line found in the log is repaired first and reported to ``on_warning``
    (default: :func:`warnings.warn`). ``signed_in_as`` is the e-mail the members' login vouches
    for, kept beside the name the reviewer typed (which anyone can type).
    """
    a, b = (str(activity_id_a).strip(), str(activity_id_b).strip())
    reviewer = (reviewer or "").strip()
    note = (note or "").strip()
    if not a or not b or a == b:
        raise ValueError("a review needs two different activity_ids")
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}")
    if not reviewer:
        raise ValueError("say who reviewed the pair (your name)")
    if len(note) > MAX_NOTE:
        raise ValueError(
            f"the note has {len(note):,} characters and the limit is {MAX_NOTE:,}; shorten it by "
            f"{len(note) - MAX_NOTE:,} and save again"
        )
    if (read_manifest(data_dir).get("sharing") or {}).get("level") == "public":
        # a public export holds no reviews: anyone could read them, and write them
        raise ValueError("this is a public export; reviews are kept on the members' dashboard")
    a, b = pair_key(a, b)
    stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    review = {
        "activity_id_a": a,
        "activity_id_b": b,
        "verdict": verdict,
        "note": note,
        "reviewer": reviewer[:200],
        "reviewed_at": stamp,
    }
    if signed_in_as:
        review["signed_in_as"] = str(signed_in_as).strip()[:320]
    line = (json.dumps(review, ensure_ascii=False) + "\n").encode("utf-8")
    path = log_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)  # read: to find a torn line
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            torn = _repair_torn_line(path, fd)
            if torn:
                (on_warning or warnings.warn)(
                    f"{path} ended in a line cut short ({len(torn):,} bytes, from a crash or a full disk); "
                    f"it was moved to {path.with_name(REJECTED_NAME)} before this review was saved"
                )
            written = os.write(fd, line)
            if written != len(line):  # a short write on a full disk: say so rather than lose it silently
                raise OSError(f"could only write {written} of {len(line)} bytes to {path}")
            os.fsync(fd)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
    return review


def _repair_torn_line(path: Path, fd: int) -> bytes:
    """Move a last line without its newline to ``reviews.rejected`` and cut it off the log.

    Called with the log's lock held; returns the fragment (empty when the log was whole).
    """
    size = os.fstat(fd).st_size
    if size == 0 or os.pread(fd, 1, size - 1) == b"\n":
        return b""
    start, end = 0, size
    while end > 0:  # back, a block at a time, to the newline that ends the last whole line
        block_start = max(0, end - (1 << 16))
        cut = os.pread(fd, end - block_start, block_start).rfind(b"\n")
        if cut >= 0:
            start = block_start + cut + 1
            break
        end = block_start
    fragment = os.pread(fd, size - start, start)
    rejected = os.open(path.with_name(REJECTED_NAME), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(rejected, fragment + b"\n")
        os.fsync(rejected)
    finally:
        os.close(rejected)
    os.ftruncate(fd, start)
    os.fsync(fd)
    return fragment


def history(data_dir: Path) -> pd.DataFrame:
    """Every review ever saved, oldest first (the order they were appended)."""
    path = log_path(data_dir)
    if not path.exists():
        return pd.DataFrame(columns=COLUMNS)
    with open(path, "rb") as fh:
        fcntl.flock(fh, fcntl.LOCK_SH)
        try:
            raw = fh.read()
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
    rows = []
    for line in raw.decode("utf-8", errors="replace").splitlines():
        try:
            r = json.loads(line)
        except ValueError:
            continue  # a line torn by a crash mid-write: the others still count
        if isinstance(r, dict) and r.get("verdict") in VERDICTS and r.get("activity_id_a") and r.get("activity_id_b"):
            a, b = pair_key(str(r["activity_id_a"]), str(r["activity_id_b"]))
            rows.append({**{c: r.get(c, "") for c in COLUMNS}, "activity_id_a": a, "activity_id_b": b})
    return pd.DataFrame(rows, columns=COLUMNS)


def latest_reviews(data_dir: Path) -> pd.DataFrame:
    """The latest review of each reviewed pair, newest first, with how many reviews it had."""
    h = history(data_dir)
    if h.empty:
        return h.assign(reviews=pd.Series(dtype="int64"))
    h["reviews"] = h.groupby(["activity_id_a", "activity_id_b"])["verdict"].transform("size")
    latest = h.drop_duplicates(["activity_id_a", "activity_id_b"], keep="last")
    return latest.iloc[::-1].reset_index(drop=True)


def reviewed_keys(data_dir: Path) -> set[tuple[str, str]]:
    latest = latest_reviews(data_dir)
    return set(zip(latest["activity_id_a"], latest["activity_id_b"]))


def without_reviewed(pairs: pd.DataFrame, reviewed: set[tuple[str, str]]) -> pd.DataFrame:
    """The pairs nobody has reviewed yet (the open list)."""
    if pairs.empty or not reviewed:
        return pairs
    keys = [pair_key(a, b) for a, b in zip(pairs["activity_id_a"], pairs["activity_id_b"])]
    return pairs[[k not in reviewed for k in keys]].reset_index(drop=True)


def reviews_csv(reviews: pd.DataFrame) -> bytes:
    """Reviews as CSV (UTF-8 with BOM so spreadsheets read accents), formula-safe."""
    return spreadsheet.safe_frame(reviews).to_csv(index=False).encode("utf-8-sig")
