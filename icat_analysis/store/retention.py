"""Which versions of the export the history keeps (the rule is in the settings, ``[history]``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icat_analysis import settings
from icat_analysis.errors import InputError

PERIODS = ("week", "month", "year", "none")


def rule() -> tuple[int, str]:
    days = settings.get("history", "keep_every_version_days")
    per = settings.get("history", "then_keep_one_per")
    if days < 0 or per not in PERIODS:
        raise InputError(
            f"{settings.config_path()}: [history] needs keep_every_version_days >= 0 and then_keep_one_per "
            f"one of {', '.join(PERIODS)}"
        )
    return days, per


def made_at(version_id: str) -> datetime | None:
    """When a version was made, read from its id (``20261201T083000Z-1a2b3c``)."""
    try:
        return datetime.strptime(version_id[:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def _period(t: datetime, per: str) -> tuple:
    if per == "week":
        return tuple(t.isocalendar()[:2])
    if per == "month":
        return (t.year, t.month)
    return (t.year,)


def keep(versions: list[tuple[str, datetime]], now: datetime, rule: tuple[int, str], protected: set[str]) -> set[str]:
    """The ids to keep of ``versions`` (id, made at): every one younger than the rule's days, the
    last one of each older period, and the ``protected`` ones (current, and the one undo needs)."""
    days, per = rule
    cutoff = now - timedelta(days=days)
    kept = set(protected)
    last_of_period: dict[tuple, tuple[datetime, str]] = {}
    for vid, t in versions:
        if t >= cutoff:
            kept.add(vid)
        elif per != "none":
            key = _period(t, per)
            if key not in last_of_period or t > last_of_period[key][0]:
                last_of_period[key] = (t, vid)
    return kept | {vid for _, vid in last_of_period.values()}
