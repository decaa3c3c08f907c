"""What a published export withholds, as its manifest counts it (docs/SCHEMA.md, section 1.1).

A public export holds no activity shared with members only, so the dashboard cannot count
them by any filter: it can only read the counts ``publish`` recorded, by agency and country.
Those answer exactly when a view narrows by at most one agency and one country and nothing
else; for any other filter they are an upper bound, and the sentence says "up to".
"""

from __future__ import annotations

from dataclasses import dataclass

from icat_analysis.filters import Filters

#: filters the withheld counts know nothing about: when any is set, a count is an upper bound
_UNCOUNTED = ("themes", "activity_types", "target_groups", "exploitation_forms", "scopes", "statuses")


@dataclass(frozen=True)
class Withheld:
    activities: int
    budgets: int
    exact: bool  # False: at most this many of them match the view's filters


def level(manifest: dict) -> str | None:
    """The sharing level the export was published at; None for an export that was not published."""
    sharing = manifest.get("sharing")
    return sharing.get("level") if isinstance(sharing, dict) else None


def withheld(manifest: dict, f: Filters | None = None) -> Withheld | None:
    """How many activities (and budgets) the export withholds from the view ``f``; None when
    it withholds nothing (the full export, or a published one with nothing shared with members)."""
    counts = (manifest.get("sharing") or {}).get("withheld") or {}
    if not counts.get("activities") and not counts.get("budgets"):
        return None
    f = f or Filters()
    place = f.place_iso3()
    other = any(getattr(f, name) for name in _UNCOUNTED) or f.joint_only or f.year_from is not None
    if not f.agencies and place is None:
        total = Withheld(int(counts.get("activities", 0)), int(counts.get("budgets", 0)), f.role == "any")
        return total if not other else Withheld(total.activities, total.budgets, False)
    cells = counts.get("by_agency_country" if place is not None else "by_agency") or []
    if f.agencies:
        roles = ("lead", "partner") if f.role == "any" else (f.role,)
        cells = [c for c in cells if c.get("agency") in f.agencies and c.get("role") in roles]
    else:  # each activity once: under its lead
        cells = [c for c in cells if c.get("role") == "lead"]
    if place is not None:
        cells = [c for c in cells if c.get("iso3") in place]
    exact = not other and len(f.agencies) <= 1 and (place is None or len(place) == 1)
    if not f.agencies and f.role != "any":
        exact = False
    return Withheld(
        sum(int(c.get("activities", 0)) for c in cells), sum(int(c.get("budgets", 0)) for c in cells), exact
    )


def note(manifest: dict, f: Filters | None = None, *, budgets: bool = False, lead: str = "and ") -> str:
    """``and 12 activities shared with members only`` (empty when nothing is withheld).

    With ``budgets``, the budgets blanked on activities it does show are named too; ``lead``
    is the word that joins it to the sentence it ends.
    """
    w = withheld(manifest, f)
    if w is None:
        return ""
    up_to = "" if w.exact else "up to "
    parts = []
    if w.activities:
        noun = "activity" if w.activities == 1 else "activities"
        parts.append(f"{lead}{up_to}{w.activities:,} {noun} shared with members only")
    if budgets and w.budgets:
        noun = "budget" if w.budgets == 1 else "budgets"
        verb = "is" if w.budgets == 1 else "are"
        parts.append(f"{up_to}{w.budgets:,} {noun} of the activities shown {verb} shared with members only")
    return "; ".join(parts)
