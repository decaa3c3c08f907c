"""How the demo's planted duplicates vary, and the hard decoys planted beside them.

Two agencies that really duplicate each other report the same work differently. A planted
duplicate starts as a copy of another activity's work (:mod:`icat_analysis.sources.demo`) and
then gets one to three of these variations:

- a **subset of codes**: one list names a code less, or one more, than the other;
- a **near synonym**: an activity type or target group replaced by a related one
  (``reference/duplication_related_codes.csv``);
- **national inside regional**: one is national, the other regional over that country and
  its neighbours;
- **partial overlap** in time: 40 to 100 % of the shorter activity;
- a **missing budget** or a **missing end date**.

Decoys are work a planner would not call a duplicate, though it looks alike: complementary
work in the same place (training police against running shelters), the same topic for
another target group, the next phase of the same project, the same template in another
country. Each is named in ``planted_decoys.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from icat_analysis import reference
from icat_analysis.paths import REFERENCE_DIR

TYPES = reference.codes("activity_type")
GROUPS = reference.codes("target_group")
LIST_COLUMN = {"activity_type": "activity_types", "target_group": "target_groups"}
# complementary work: what another agency does in the same place that adds up (type, group)
COMPLEMENT = {
    "capacity_building": ("victim_assistance", "victims_survivors"),
    "technical_assistance": ("awareness_raising", "general_public"),
    "legislative_assistance": ("victim_assistance", "victims_survivors"),
    "awareness_raising": ("capacity_building", "law_enforcement"),
    "victim_assistance": ("capacity_building", "law_enforcement"),
    "research_data": ("victim_assistance", "victims_survivors"),
    "coordination": ("awareness_raising", "general_public"),
    "policy_advocacy": ("victim_assistance", "victims_survivors"),
}
VARIATIONS = ("codes", "synonym", "place", "time", "missing")


@dataclass
class Rows:
    """The generator's arrays for one chunk, changed in place."""

    start: np.ndarray
    end: np.ndarray
    duration: np.ndarray
    ongoing: np.ndarray
    pipeline: np.ndarray
    scope: np.ndarray
    countries: np.ndarray
    masks: dict
    primary: dict
    no_form: np.ndarray
    budget_missing: np.ndarray
    lead: np.ndarray


def related_codes() -> dict[str, dict[str, list[str]]]:
    """list -> code -> the codes related to it (both ways)."""
    df = pd.read_csv(REFERENCE_DIR / "duplication_related_codes.csv", dtype=str)
    out: dict[str, dict[str, list[str]]] = {}
    for lst, a, b in zip(df["list"], df["code"], df["related_code"]):
        out.setdefault(lst, {}).setdefault(a, []).append(b)
        out.setdefault(lst, {}).setdefault(b, []).append(a)
    return out


def _component(related: dict[str, list[str]], code: str) -> set[str]:
    seen, todo = {code}, [code]
    while todo:
        for nxt in related.get(todo.pop(), []):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


class Variations:
    def __init__(self, tb, rng: np.random.Generator):
        self.tb, self.rng = tb, rng
        self.related = related_codes()

    # ---- duplicates ---------------------------------------------------------------------
    def duplicate(self, r: Rows, a: int, b: int, as_of: int) -> list[str]:
        """Vary row b (a copy of row a) one to three ways; returns what was varied, in words."""
        rng = self.rng
        chosen = rng.choice(len(VARIATIONS), size=int(rng.choice([1, 2, 2, 3])), replace=False)
        said = []
        for v in sorted(VARIATIONS[i] for i in chosen):
            said += getattr(self, f"_{v}")(r, a, b, as_of)
        return said

    def _codes(self, r: Rows, a: int, b: int, as_of: int) -> list[str]:
        col = ["activity_types", "target_groups", "exploitation_forms"][int(self.rng.integers(0, 3))]
        m = r.masks[col][b]
        on = np.nonzero(m)[0]
        if len(on) >= 2:  # one side names a code less
            drop = [c for c in on if c != r.primary[col][b]]
            m[self.rng.choice(drop)] = False
            return [f"one names fewer {col.replace('_', ' ')}"]
        off = np.nonzero(~m)[0]
        if len(off) and not (col == "exploitation_forms" and r.no_form[b]):
            m[self.rng.choice(off)] = True
            return [f"one names more {col.replace('_', ' ')}"]
        return []

    def _synonym(self, r: Rows, a: int, b: int, as_of: int) -> list[str]:
        for lst, codes in (("activity_type", TYPES), ("target_group", GROUPS)):
            col = LIST_COLUMN[lst]
            code = codes[r.primary[col][a]]
            near = self.related.get(lst, {}).get(code, [])
            if near:
                other = near[int(self.rng.integers(0, len(near)))]
                m = r.masks[col][b]
                m[codes.index(code)] = False
                m[codes.index(other)] = True
                r.primary[col][b] = codes.index(other)
                return [f"{code.replace('_', ' ')} reported as {other.replace('_', ' ')}"]
        return []

    def _place(self, r: Rows, a: int, b: int, as_of: int) -> list[str]:
        tb = self.tb
        if r.scope[a] == 0:
            home = int(r.countries[a][0])
            members = [int(m) for m in tb.sub_members[tb.sub[home]] if m != home]
            if not members:
                return []
            k = min(len(members), int(self.rng.integers(1, 4)))
            others = self.rng.choice(members, size=k, replace=False)
            r.countries[b] = -1
            r.countries[b][: k + 1] = [home, *others]
            r.scope[b] = 1
            return ["national inside regional"]
        inside = r.countries[a][r.countries[a] >= 0]
        r.countries[b] = -1
        r.countries[b][0] = inside[int(self.rng.integers(0, len(inside)))]
        r.scope[b] = 0
        return ["national inside regional"]

    def _time(self, r: Rows, a: int, b: int, as_of: int) -> list[str]:
        rng = self.rng
        dur_a = int(r.end[a] - r.start[a])
        dur_b = max(180, int(dur_a * rng.uniform(0.7, 1.3)))
        share = rng.uniform(0.4, 1.0)
        overlap = int(share * min(dur_a, dur_b))
        later, earlier = r.end[a] - overlap, r.start[a] + overlap - dur_b
        first, last = int(self.tb.first.min()), int(self.tb.last.max())
        # b starts later and ends later, or earlier and ends earlier; either within the demo's calendar
        r.start[b] = later if (rng.random() < 0.5 or earlier < first) and later <= last else earlier
        r.end[b] = r.start[b] + dur_b
        r.duration[b] = dur_b
        r.pipeline[b] = r.start[b] > as_of
        return [f"{round(share * 100)}% of the shorter overlaps"]

    def _missing(self, r: Rows, a: int, b: int, as_of: int) -> list[str]:
        if self.rng.random() < 0.5 or r.ongoing[a]:
            return ["no budget"]
        r.ongoing[b] = True
        return ["no end date"]

    # ---- decoys -------------------------------------------------------------------------
    def decoy(self, r: Rows, a: int, c: int, as_of: int) -> str:
        """Make row c look like row a's work without being it; returns the kind, in words."""
        rng, tb = self.rng, self.tb
        for arr in (r.start, r.end, r.duration, r.ongoing, r.pipeline, r.scope, r.no_form):
            arr[c] = arr[a]
        r.countries[c] = r.countries[a]
        for col in r.masks:
            r.masks[col][c] = r.masks[col][a]
            r.primary[col][c] = r.primary[col][a]
        kinds = [0, 1]
        if not r.ongoing[a]:  # an activity with no end date runs until today: it has no next phase yet
            kinds.append(2)
        if r.scope[a] == 0:
            kinds.append(3)
        kind = kinds[int(rng.integers(0, len(kinds)))]
        if kind == 0:
            ty, grp = COMPLEMENT[TYPES[r.primary["activity_types"][a]]]
            ty = ty if ty in self._unrelated(r, a, "activity_type") else self._pick(r, a, "activity_type")
            grp = grp if grp in self._unrelated(r, a, "target_group") else self._pick(r, a, "target_group")
            self._set_only(r, c, "activity_types", TYPES.index(ty))
            self._set_only(r, c, "target_groups", GROUPS.index(grp))
            note = f"complementary work in the same place ({ty.replace('_', ' ')} for {grp.replace('_', ' ')})"
        elif kind == 1:
            other = self._pick(r, a, "target_group")
            self._set_only(r, c, "target_groups", GROUPS.index(other))
            note = f"the same topic for another target group ({other.replace('_', ' ')})"
        elif kind == 2:
            gap = int(rng.integers(-45, 31))  # the next phase starts about when this one ends
            r.start[c] = r.end[a] + gap
            if r.start[c] > int(tb.last.max()):  # beyond the demo's calendar: the phase before instead
                r.start[c] = r.start[a] - gap - r.duration[a]
            r.end[c] = r.start[c] + r.duration[a]
            r.ongoing[c] = False
            note = "the next phase of the same project"
        else:
            home = int(r.countries[a][0])
            members = [int(m) for m in tb.sub_members[tb.sub[home]] if m != home]
            r.countries[c][0] = members[int(rng.integers(0, len(members)))] if members else (home + 1) % tb.C
            note = "the same template in another country"
        r.pipeline[c] = r.start[c] > as_of
        ok = (r.start[c] >= tb.first) & (r.start[c] <= tb.last)
        ok[r.lead[a]] = False
        cand = np.nonzero(ok)[0]
        r.lead[c] = rng.choice(cand, p=tb.weight[cand] / tb.weight[cand].sum())
        return note

    def _unrelated(self, r: Rows, a: int, lst: str) -> list[str]:
        """Codes of a list that neither row a names nor relates to one it names."""
        codes = TYPES if lst == "activity_type" else GROUPS
        near = set()
        for i in np.nonzero(r.masks[LIST_COLUMN[lst]][a])[0]:
            near |= _component(self.related.get(lst, {}), codes[i])
        return [c for c in codes if c not in near]

    def _pick(self, r: Rows, a: int, lst: str) -> str:
        codes = TYPES if lst == "activity_type" else GROUPS
        own = {codes[i] for i in np.nonzero(r.masks[LIST_COLUMN[lst]][a])[0]}
        # row a may name a code of every class: then any code it does not name
        pool = self._unrelated(r, a, lst) or [c for c in codes if c not in own] or codes
        return pool[int(self.rng.integers(0, len(pool)))]

    @staticmethod
    def _set_only(r: Rows, c: int, col: str, code: int) -> None:
        r.masks[col][c] = False
        r.masks[col][c][code] = True
        r.primary[col][c] = code
