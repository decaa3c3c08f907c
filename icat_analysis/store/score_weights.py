"""The duplicate score's weights a planner accepted, versioned, next to ``reviews.jsonl``.

``DATA_DIR/score_weights.jsonl`` holds one JSON line per accepted set of weights, appended,
never rewritten (as the reviews are): version, weights, threshold, how many reviews they rest
on, who accepted them and when, and a note. The last line is in use; with no file, the
documented weights are. Restoring the previous weights appends a line that copies them, so
the history shows every change.
"""

from __future__ import annotations

import fcntl
import json
import os
from datetime import UTC, datetime
from pathlib import Path

LOG_NAME = "score_weights.jsonl"


def log_path(data_dir: Path) -> Path:
    return Path(data_dir) / LOG_NAME


def history(data_dir: Path) -> list[dict]:
    """Every accepted set of weights, oldest first (a torn last line is left out)."""
    path = log_path(data_dir)
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("weights"), dict):
            out.append(entry)
    return out


def current(data_dir: Path) -> dict | None:
    """The weights in use (the last accepted), or None for the documented ones."""
    h = history(data_dir)
    return h[-1] if h else None


def accept(
    data_dir: Path,
    weights: dict[str, float],
    *,
    threshold: float,
    reviews: int,
    by: str,
    note: str,
    now: datetime | None = None,
) -> dict:
    """Append a new version of the weights and return it. Raises ValueError without a name."""
    by = (by or "").strip()
    if not by:
        raise ValueError("say who accepts the weights (your name)")
    entry = {
        "version": len(history(data_dir)) + 1,
        "weights": {k: round(float(v), 6) for k, v in weights.items()},
        "threshold": round(float(threshold), 4),
        "reviews": int(reviews),
        "accepted_by": by[:200],
        "accepted_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        "note": note,
    }
    line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
    path = log_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)
    return entry


def restore_previous(data_dir: Path, default: dict[str, float], default_threshold: float, *, by: str) -> dict:
    """Put the weights before the current ones back in use (the documented ones before the first)."""
    h = history(data_dir)
    if not h:
        raise ValueError("the documented weights are already in use")
    before = h[-2] if len(h) >= 2 else None
    weights = before["weights"] if before else default
    threshold = before["threshold"] if before else default_threshold
    name = f"version {before['version']}" if before else "the documented weights"
    return accept(
        data_dir,
        weights,
        threshold=threshold,
        reviews=before["reviews"] if before else 0,
        by=by,
        note=f"restored {name}",
    )
