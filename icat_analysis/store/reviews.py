"""Planners' reviews of candidate duplicate pairs, kept in the data directory.

The store is an append-only JSON-lines log, ``DATA_DIR/reviews.jsonl``: one review per
line, never rewritten. Each review is appended with one ``write()`` on a file opened with
``O_APPEND`` while holding an exclusive ``flock``, so two reviewers saving at once both
land, whole and in order. The latest review of a pair wins; earlier ones stay as history.

A pair is keyed by its two activity_ids in sorted order, so a review survives a new import
(activity_ids are stable) and does not depend on which activity was listed first. The log
is not one of the export's files: imports, undo and validation leave it alone.
"""

from __future__ import annotations

import fcntl
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from icat_analysis import spreadsheet

LOG_NAME = "reviews.jsonl"
#: what a planner can say about a pair, and what each means
VERDICTS = {
    "duplicate": "Duplicate: the same work, funded twice",
    "complementary": "Complementary: related work that adds up",
    "coordinated": "Coordinated: the agencies already work together on it",
    "unrelated": "Unrelated: different work that only looks alike",
}
COLUMNS = ["activity_id_a", "activity_id_b", "verdict", "note", "reviewer", "reviewed_at"]
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
) -> dict:
    """Append one review to the log and return it. Raises ValueError on a bad review."""
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
        raise ValueError(f"the note is longer than {MAX_NOTE} characters")
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
    line = (json.dumps(review, ensure_ascii=False) + "\n").encode("utf-8")
    path = log_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            written = os.write(fd, line)
            if written != len(line):  # a short write on a full disk: say so rather than lose it silently
                raise OSError(f"could only write {written} of {len(line)} bytes to {path}")
            os.fsync(fd)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
    return review


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
