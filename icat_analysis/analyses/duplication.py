"""Duplication hot-spots: which activities of different agencies look like the same work.

A candidate pair is two activities whose lead agencies differ, where neither lead is a
partner of the other, that share a country, a theme and some time. Each pair gets a score
from 0 to 1, the weighted mean of six parts a planner can check by hand (docs/DUPLICATION.md):

- ``time``: days both run / half the days of the shorter one, at most 1 (no end date = runs until today);
- ``place``: shared countries / countries of the smaller footprint: two national activities
  in one country, or a national activity inside a regional one's countries, score 1;
- ``activity_types``, ``target_groups``, ``exploitation_forms``: the share of one side's codes
  the other names, the better side (a list contained in the other's is full agreement); a
  near-synonym or nested code (``reference/duplication_related_codes.csv``) counts
  :data:`RELATED_CREDIT` of a same code; 0 when either names none (forms: both naming none is 1);
- ``text``: the concepts of the domain and the figures both texts name, in any of English,
  French, Spanish and Portuguese, each weighted by how rare it is in the export; word by word
  when a text names no concept (:mod:`.duplication_text`).

Blocking by country, theme, classes of related codes and period happens in SQL
(sql/duplication_candidates.sql), which also drops pairs that could not reach the threshold
even with identical texts, so only a small share of pairs is ever scored on text.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import math
import sys
from dataclasses import replace
from functools import cache

import numpy as np
import pandas as pd

from icat_analysis import reference, spreadsheet
from icat_analysis.analyses import duplication_text as dtext
from icat_analysis.filters import Filters
from icat_analysis.paths import REFERENCE_DIR
from icat_analysis.paths import data_dir as resolve_data_dir
from icat_analysis.store import db, export

#: Weights of the parts of the score, as documented (docs/DUPLICATION.md); a planner may
#: accept weights fitted from reviews instead (:mod:`.duplication_fit`), kept per export.
WEIGHTS: dict[str, float] = {
    "time": 0.25,
    "place": 0.05,
    "activity_types": 0.10,
    "target_groups": 0.15,
    "exploitation_forms": 0.10,
    "text": 0.35,
}
PARTS = tuple(WEIGHTS)
STRUCTURED_PARTS = PARTS[:-1]
assert abs(sum(WEIGHTS.values()) - 1.0) < 1e-9, "the weights of the score add up to 1"
#: Two activities that run together over this share of the shorter one are in the same period
#: (time part 1); below, the time part falls in proportion: a next phase overlaps a few weeks.
FULL_OVERLAP = 0.5
#: A near-synonym activity type or a nested target group counts this share of the same code.
RELATED_CREDIT = 0.75
#: Pairs scoring at least this are likely duplicates (chosen on the development set, docs/DUPLICATION.md).
DEFAULT_THRESHOLD = 0.83
#: Pairs from this score up to the threshold are worth a look.
WORTH_A_LOOK = 0.75
#: The slider's range on the page and the range ``duplicates --min-score`` accepts.
THRESHOLD_RANGE = (0.50, 0.99)
#: Width of the period buckets pairs meet in (days): an activity is listed in every bucket it
#: spans, and a pair meets in the bucket of the later start (docs/DUPLICATION.md).
PERIOD_DAYS = 1461

_CODE_LISTS = {
    "theme_codes": "theme",
    "type_codes": "activity_type",
    "group_codes": "target_group",
    "form_codes": "exploitation_form",
}
_LIST_OF_PART = {
    "activity_types": "activity_type",
    "target_groups": "target_group",
    "exploitation_forms": "exploitation_form",
}
PAIR_COLUMNS = [
    "activity_id_a",
    "activity_id_b",
    "score",
    *PARTS,
    "wording",
    "concepts_shared",
    "figures_shared",
    "lead_a",
    "lead_b",
    "countries",
    "themes",
    "activity_types_shared",
    "target_groups_shared",
    "exploitation_forms_shared",
    "activity_types_related",
    "target_groups_related",
    "overlap_days",
    "budget_a",
    "budget_b",
]


def checked_weights(weights: dict[str, float] | None) -> dict[str, float]:
    """``weights`` (the documented ones when None) as six non-negative parts adding up to 1."""
    if weights is None:
        return dict(WEIGHTS)
    w = {k: max(float(weights.get(k, 0.0)), 0.0) for k in PARTS}
    total = sum(w.values())
    if not total > 0:
        raise ValueError("the weights of the score must not all be 0")
    return {k: v / total for k, v in w.items()}


# ---- related codes ---------------------------------------------------------------------
@cache
def related_codes() -> pd.DataFrame:
    """Near-synonym activity types and nested target groups: list, code, related_code, relation, why."""
    return pd.read_csv(REFERENCE_DIR / "duplication_related_codes.csv", dtype=str, keep_default_na=False)


@cache
def _relations(list_name: str) -> tuple[list[int], list[int], int]:
    """Per code of a list (in order): the bit mask of its related codes, and its class (a
    connected group of related codes); and the number of classes."""
    codes = reference.codes(list_name)
    rel = related_codes()
    rel = rel[rel["list"] == list_name]
    masks = [0] * len(codes)
    parent = list(range(len(codes)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for a, b in zip(rel["code"], rel["related_code"]):
        i, j = codes.index(a), codes.index(b)
        masks[i] |= 1 << j
        masks[j] |= 1 << i
        parent[root(i)] = root(j)
    roots = sorted({root(i) for i in range(len(codes))})
    classes = [roots.index(root(i)) for i in range(len(codes))]
    return masks, classes, len(roots)


# ---- candidates and structured parts (SQL) ---------------------------------------------
def must_share(threshold: float, weights: dict[str, float] | None = None) -> set[str]:
    """The code lists a pair must share a class of related codes in to reach ``threshold``.

    A list with nothing related in common scores 0 and costs its whole weight; where that is
    more than the pair can lose (1 - threshold), the pair must share something there.
    """
    w = checked_weights(weights)
    can_lose = 1.0 - threshold
    return {k for k in _LIST_OF_PART if w[k] > can_lose + 1e-12}


def block_kinds(threshold: float, weights: dict[str, float] | None = None) -> list[frozenset[str]]:
    """The smallest sets of code lists a pair reaching ``threshold`` shares a class in every one of.

    The lists a pair shares nothing in cost their whole weights; a set of lists is enough when
    the weights of the lists outside it add up to at most 1 - threshold. Every pair that can
    reach the threshold shares a class in each list of at least one kind (docs/DUPLICATION.md).
    """
    w = checked_weights(weights)
    can_lose = 1.0 - threshold
    lists = list(_LIST_OF_PART)
    kinds: list[frozenset[str]] = []
    for size in range(len(lists) + 1):
        for combo in itertools.combinations(lists, size):
            kind = frozenset(combo)
            enough = sum(w[k] for k in lists if k not in kind) <= can_lose + 1e-12
            if enough and not any(k <= kind for k in kinds):
                kinds.append(kind)
    return kinds


def candidate_pairs(
    con,
    filters: Filters | None = None,
    *,
    iso3: str | None = None,
    threshold: float = 0.0,
    weights: dict[str, float] | None = None,
    ids: list[str] | None = None,
):
    """One row per candidate pair and shared country, with the structured parts of the score.

    Pairs that could not reach ``threshold`` even with identical texts are left out
    (``threshold=0`` keeps every candidate). With agencies in ``filters``, a pair needs one
    activity of theirs; the other side may be any agency's. ``ids`` limits the activities compared.
    """
    w = checked_weights(weights)
    filters = filters or Filters()
    compared = replace(filters, agencies=(), role="any") if filters.agencies else filters
    params = {f"w_{k}": float(v) for k, v in w.items()}
    params.update({k: reference.codes(v) for k, v in _CODE_LISTS.items()})
    for short, list_name in (("type", "activity_type"), ("group", "target_group"), ("form", "exploitation_form")):
        masks, classes, n_classes = _relations(list_name)
        params[f"{short}_rel"], params[f"{short}_class"] = masks, classes
    params["n_form_classes"] = _relations("exploitation_form")[2]
    bit = {"activity_types": 1, "target_groups": 2, "exploitation_forms": 4}
    params.update(
        kinds=[sum(bit[k] for k in kind) for kind in block_kinds(threshold, w)],
        can_lose=1.0 - float(threshold),
        credit=RELATED_CREDIT,
        full_overlap=FULL_OVERLAP,
        n_themes=len(params["theme_codes"]),
        period_days=PERIOD_DAYS,
        anchored=bool(filters.agencies),
        anchor=filters.as_sql_param(),
        ids=list(ids) if ids is not None else None,
    )
    return db.query(con, "duplication_candidates", compared, iso3=iso3, threshold=float(threshold), **params)


# ---- text ------------------------------------------------------------------------------
normalise_text = dtext.normalise_text


def _texts(con, ids: list[str]) -> dict[str, str]:
    """Normalised title and description of each activity."""
    if not ids:
        return {}
    df = db.query(con, "duplication_full_texts", ids=ids)
    return dict(zip(df["activity_id"], map(dtext.normalise_text, df["text"])))


def text_parts(con, pairs: pd.DataFrame, *, names: bool = False) -> pd.DataFrame:
    """``concepts``, ``wording`` and ``text`` per pair (:mod:`.duplication_text`); with
    ``names``, also ``concepts_shared`` and ``figures_shared``, the concepts and figures both name.

    Without ``names``, wording is worked out only where it is the text part (a text naming no
    concept of the vocabulary) and is NaN elsewhere: it is the slow part on a large export."""
    id_a, id_b = pairs["activity_id_a"].tolist(), pairs["activity_id_b"].tolist()
    texts = _texts(con, list(dict.fromkeys(id_a + id_b)))
    index = dtext.text_index(texts, dtext.concept_rarity(con))
    concept = np.array([index.similarity(a, b) for a, b in zip(id_a, id_b)], dtype=float)
    found = index.found
    named = np.array([bool(found.get(a)) and bool(found.get(b)) for a, b in zip(id_a, id_b)], dtype=bool)
    need = np.ones(len(id_a), dtype=bool) if names else ~named
    wording = np.full(len(id_a), np.nan)
    idx = np.nonzero(need)[0]
    wording[idx] = dtext.wording_similarity(
        [texts.get(id_a[i], "") for i in idx], [texts.get(id_b[i], "") for i in idx]
    )
    out = pd.DataFrame(
        {"wording": wording, "concepts": concept, "text": np.where(named, concept, wording)}, index=pairs.index
    )
    if names:
        out["concepts_shared"] = [index.shared(a, b) for a, b in zip(id_a, id_b)]
        out["figures_shared"] = [index.shared_figures(a, b) for a, b in zip(id_a, id_b)]
    return out


def weighted_score(parts: pd.DataFrame, weights: dict[str, float] | None = None) -> np.ndarray:
    """The weighted mean of the six parts (the weights add up to 1)."""
    w = checked_weights(weights)
    return sum(w[k] * parts[k].to_numpy(dtype=float) for k in PARTS)


# ---- scored pairs ----------------------------------------------------------------------
def _bits_to_codes(bits: int, codes: list[str]) -> list[str]:
    return [c for i, c in enumerate(codes) if int(bits) >> i & 1]


def scored_pairs(
    con,
    filters: Filters | None = None,
    *,
    iso3: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    weights: dict[str, float] | None = None,
    ids: list[str] | None = None,
) -> pd.DataFrame:
    """Pairs scoring at least ``threshold``, one row per pair and shared country (no reasons).

    The hot-spot index uses this: it is the cheap path (no per-pair Python work beyond text).
    """
    rows = candidate_pairs(con, filters, iso3=iso3, threshold=threshold, weights=weights, ids=ids)
    rows = rows.rename(columns={"time_overlap": "time"})
    empty = {c: pd.Series(dtype=float) for c in ("text", "wording", "concepts", "score")}
    if rows.empty:
        return rows.assign(**empty)
    pairs = rows.drop_duplicates(["activity_id_a", "activity_id_b"])[["activity_id_a", "activity_id_b"]]
    pairs = pairs.join(text_parts(con, pairs))
    rows = rows.merge(pairs, on=["activity_id_a", "activity_id_b"], how="left")
    rows["score"] = weighted_score(rows, weights)
    rows = rows[rows["score"] >= threshold - 1e-9]
    return rows.reset_index(drop=True)


def duplicate_pairs(
    con,
    filters: Filters | None = None,
    *,
    iso3: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    weights: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Pairs scoring at least ``threshold``, one row per pair, best first, with their parts,
    titles and the reasons in words."""
    return describe_pairs(con, scored_pairs(con, filters, iso3=iso3, threshold=threshold, weights=weights))


def describe_pairs(con, rows: pd.DataFrame, *, limit: int | None = None) -> pd.DataFrame:
    """:func:`scored_pairs` rows as one row per pair, best first, with the shared codes,
    titles and reasons; ``limit`` keeps only the best pairs (reasons are the slow part)."""
    if rows.empty:
        return pd.DataFrame(columns=[*PAIR_COLUMNS, "band", "title_a", "title_b", "reasons"])
    countries = rows.groupby(["activity_id_a", "activity_id_b"], sort=False)["iso3"].agg(sorted).rename("countries")
    pairs = rows.drop_duplicates(["activity_id_a", "activity_id_b"])
    pairs = pairs.sort_values(["score", "activity_id_a", "activity_id_b"], ascending=[False, True, True])
    if limit is not None:
        pairs = pairs.head(limit)
    pairs = pairs.set_index(["activity_id_a", "activity_id_b"]).join(countries).reset_index()
    codes = {k: reference.codes(v) for k, v in _CODE_LISTS.items()}
    pairs["themes"] = [_bits_to_codes(b, codes["theme_codes"]) for b in pairs["shared_theme_bits"]]
    pairs["activity_types_shared"] = [_bits_to_codes(b, codes["type_codes"]) for b in pairs["shared_type_bits"]]
    pairs["target_groups_shared"] = [_bits_to_codes(b, codes["group_codes"]) for b in pairs["shared_group_bits"]]
    pairs["exploitation_forms_shared"] = [_bits_to_codes(b, codes["form_codes"]) for b in pairs["shared_form_bits"]]
    pairs["activity_types_related"] = [_bits_to_codes(b, codes["type_codes"]) for b in pairs["related_type_bits"]]
    pairs["target_groups_related"] = [_bits_to_codes(b, codes["group_codes"]) for b in pairs["related_group_bits"]]
    named = text_parts(con, pairs, names=True)
    for column in ("concepts_shared", "figures_shared", "wording"):
        pairs[column] = named[column]
    pairs = pairs[PAIR_COLUMNS].reset_index(drop=True)
    pairs.insert(3, "band", [band(s) for s in pairs["score"]])
    ids = pd.unique(pairs[["activity_id_a", "activity_id_b"]].to_numpy().ravel()).tolist()
    titles = db.query(con, "duplication_texts", ids=ids)
    title = dict(zip(titles["activity_id"], titles["title"]))
    pairs["title_a"] = pairs["activity_id_a"].map(title)
    pairs["title_b"] = pairs["activity_id_b"].map(title)
    pairs["reasons"] = [reasons(r) for r in pairs.itertuples(index=False)]
    return pairs


def calibration() -> pd.DataFrame:
    """Precision and recall per least score on the development set (``reference/duplication_calibration.csv``,
    measured by ``tests/test_duplication.py::test_calibration_file_is_what_the_score_gives``)."""
    return pd.read_csv(REFERENCE_DIR / "duplication_calibration.csv")


def band(score: float, threshold: float = DEFAULT_THRESHOLD, worth: float = WORTH_A_LOOK) -> str:
    """``likely duplicate`` from the threshold up, ``worth a look`` from :data:`WORTH_A_LOOK`."""
    if score >= threshold - 1e-9:
        return "likely duplicate"
    return "worth a look" if score >= worth - 1e-9 else "below both bands"


def pair_scores(con, id_pairs: list[tuple[str, str]], weights: dict[str, float] | None = None) -> pd.DataFrame:
    """The parts and score of the given pairs (as reviewed), one row per pair; a pair that is
    no candidate at all (no shared country, theme or time) is left out."""
    if not id_pairs:
        return pd.DataFrame(columns=["activity_id_a", "activity_id_b", *PARTS, "score"])
    ids = sorted({i for p in id_pairs for i in p})
    rows = scored_pairs(con, threshold=0.0, weights=weights, ids=ids)
    rows = rows.drop_duplicates(["activity_id_a", "activity_id_b"])
    wanted = pd.DataFrame([tuple(sorted(p)) for p in id_pairs], columns=["activity_id_a", "activity_id_b"])
    out = wanted.drop_duplicates().merge(rows, on=["activity_id_a", "activity_id_b"], how="inner")
    return out[["activity_id_a", "activity_id_b", *PARTS, "score"]].reset_index(drop=True)


def pair_activities(con, activity_id_a: str, activity_id_b: str) -> pd.DataFrame:
    """The two activities of a pair side by side (one column each, one row per field), every
    field in full; a code both list is marked ``✓``, a related one ``≈``."""
    df = db.query(con, "duplication_pair_activities", ids=[activity_id_a, activity_id_b]).set_index("activity_id")
    present = [a for a in (activity_id_a, activity_id_b) if a in df.index]
    out = {}
    for aid in (activity_id_a, activity_id_b):
        if aid not in df.index:
            out[aid] = {"Title": "(no longer in the export)"}
            continue
        r = df.loc[aid]
        other = df.loc[[o for o in present if o != aid][0]] if len(present) == 2 else None
        end = r["end_date"]
        out[aid] = {
            "Activity": aid,
            "Title": r["title"] or "",
            "Description": r["description"] or "",
            "Lead agency": r["lead_agency"],
            "Partners": ", ".join(r["partner_agencies"]) or "none",
            "Scope": str(r["scope"] or ""),
            "Countries": _marked(r["countries"], other, "countries", "country"),
            "Start": f"{r['start_date']:%Y-%m-%d}",
            "End": f"{end:%Y-%m-%d}" if pd.notna(end) else "none given (runs until today)",
            "Status": str(r["status"] or ""),
            "Budget (USD)": f"{r['budget_usd']:,.0f}" if pd.notna(r["budget_usd"]) else "not given",
            "Themes": _marked(r["themes"], other, "themes", "theme"),
            "Activity types": _marked(r["activity_types"], other, "activity_types", "activity_type"),
            "Target groups": _marked(r["target_groups"], other, "target_groups", "target_group"),
            "Forms of exploitation": _marked(r["exploitation_forms"], other, "exploitation_forms", "exploitation_form"),
            "Donors": ", ".join(r["donors"]) or "none listed",
            "Last updated": f"{r['last_updated']:%Y-%m-%d}" if pd.notna(r["last_updated"]) else "",
        }
    return pd.DataFrame(out)


def _marked(codes, other, column: str, kind: str) -> str:
    """Codes in words, each marked ``✓`` when the other side lists it too, ``≈`` when it lists a related one."""
    codes = list(codes)
    if not codes:
        return "none listed"
    theirs = set(other[column]) if other is not None else set()
    related = set()
    if kind in _LIST_OF_PART.values():
        rel = related_codes()
        rel = rel[rel["list"] == kind]
        for a, b in zip(rel["code"], rel["related_code"]):
            if a in theirs:
                related.add(b)
            if b in theirs:
                related.add(a)
    names = _labels(kind)
    return ", ".join(names.get(c, c) + (" ✓" if c in theirs else " ≈" if c in related else "") for c in codes)


def reviewed_pairs(con, latest: pd.DataFrame) -> pd.DataFrame:
    """The latest review of each pair with the pair's lead agencies and titles, for the reviewed view."""
    if latest.empty:
        return latest.assign(lead_a=[], lead_b=[], title_a=[], title_b=[])
    ids = pd.unique(latest[["activity_id_a", "activity_id_b"]].to_numpy().ravel()).tolist()
    info = db.query(con, "duplication_pair_activities", ids=ids).set_index("activity_id")
    out = latest.copy()
    for side in ("a", "b"):
        col = out[f"activity_id_{side}"]
        out[f"lead_{side}"] = col.map(info["lead_agency"])
        out[f"title_{side}"] = col.map(info["title"]).fillna("(no longer in the export)")
    return out


# ---- reasons in words ------------------------------------------------------------------
def _money(x) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "unknown"
    if x >= 1_000_000:
        return f"{x / 1_000_000:.1f}M"
    if x >= 1_000:
        return f"{x / 1_000:.0f}k"
    return f"{x:.0f}"


@cache
def _labels(kind: str) -> dict[str, str]:
    return reference.labels(kind)


def _words(codes: list[str], kind: str) -> str:
    names = _labels(kind)
    vals = [names.get(c, c).lower() for c in codes]
    return _and(vals)


def _and(vals: list[str]) -> str:
    if not vals:
        return ""
    return vals[0] if len(vals) == 1 else ", ".join(vals[:-1]) + " and " + vals[-1]


def _country_words(iso3s: list[str]) -> str:
    names = _labels("country")
    vals = [names.get(c, c) for c in iso3s]
    if len(vals) > 3:
        return f"{', '.join(vals[:3])} and {len(vals) - 3} more countries"
    return _and(vals)


def reasons(pair) -> str:
    """Why a pair looks like a duplicate, in words a planner can check:
    ``"both capacity building for labour inspectors against forced labour in Thailand;
    texts both about training and labour inspectors; both quote 36 and 300 ≈ 320; 34 months overlap;
    budgets 2.4M and 1.8M USD"``."""
    what = "both"
    if len(pair.activity_types_shared):
        what += " " + _words(pair.activity_types_shared, "activity_type")
    elif len(pair.activity_types_related):
        what += " " + _words(pair.activity_types_related, "activity_type") + " (near synonyms)"
    else:
        what += " work on " + _words(pair.themes, "theme")
    if len(pair.target_groups_shared):
        what += " for " + _words(pair.target_groups_shared, "target_group")
    elif len(pair.target_groups_related):
        what += " for " + _words(pair.target_groups_related, "target_group") + " (one group within the other)"
    if len(pair.exploitation_forms_shared):
        what += " against " + _words(pair.exploitation_forms_shared, "exploitation_form")
    what += " in " + _country_words(list(pair.countries))
    months = pair.overlap_days / 30.44
    overlap = f"{round(months)} months overlap" if months >= 1.5 else f"{int(pair.overlap_days)} days overlap"
    if pair.time < 0.995:
        overlap += f" ({round(pair.time * 100)}% of the shorter)"
    parts = [what]
    if len(pair.concepts_shared):
        parts.append("texts both about " + _and(list(pair.concepts_shared)))
    if len(pair.figures_shared):
        parts.append("both quote " + _and(list(pair.figures_shared)))
    if pair.wording >= 0.6:
        parts.append(f"wording {round(pair.wording * 100)}% alike")
    parts += [overlap, f"budgets {_money(pair.budget_a)} and {_money(pair.budget_b)} USD"]
    parts.append(f"leads {pair.lead_a} and {pair.lead_b}")
    return "; ".join(parts)


# ---- hot-spots -------------------------------------------------------------------------
def _involved(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """One row per key and activity involved in a pair there (to count agencies and budget once)."""
    a = rows[[*keys, "activity_id_a", "lead_a", "budget_a"]].set_axis(
        [*keys, "activity_id", "agency", "budget"], axis=1
    )
    b = rows[[*keys, "activity_id_b", "lead_b", "budget_b"]].set_axis(
        [*keys, "activity_id", "agency", "budget"], axis=1
    )
    return pd.concat([a, b], ignore_index=True).drop_duplicates([*keys, "activity_id"])


def _hotspots(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    cols = [*keys, "pairs", "activities", "agencies", "n_agencies", "budget_usd", "top_score"]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    counts = rows.groupby(keys).agg(
        pairs=("activity_id_a", "size"),
        top_score=("score", "max"),
    )
    inv = _involved(rows, keys)
    agg = inv.groupby(keys).agg(
        activities=("activity_id", "size"),
        agencies=("agency", lambda s: ", ".join(sorted(set(s)))),
        n_agencies=("agency", "nunique"),
        budget_usd=("budget", "sum"),
    )
    out = counts.join(agg).reset_index()
    out = out.sort_values(["pairs", "budget_usd", *keys], ascending=[False, False, *[True] * len(keys)])
    return out[cols].reset_index(drop=True)


def hotspots_by_country(rows: pd.DataFrame) -> pd.DataFrame:
    """Per country: pairs above the threshold, activities and agencies involved, their budget.

    ``rows`` is :func:`scored_pairs` (one row per pair and shared country): a pair sharing
    two countries counts in each.
    """
    out = _hotspots(rows, ["iso3"])
    names = reference.labels("country")
    out.insert(1, "country", out["iso3"].map(names).fillna(out["iso3"]))
    return out


def hotspots_by_country_theme(rows: pd.DataFrame) -> pd.DataFrame:
    """Per country and shared theme: the same figures (a pair counts under each theme it shares)."""
    if rows.empty:
        out = _hotspots(rows, ["iso3", "theme"])
    else:
        codes = reference.codes("theme")
        parts = []
        for i, theme in enumerate(codes):
            has = (rows["shared_theme_bits"].to_numpy().astype(np.int64) >> i) & 1 == 1
            if has.any():
                parts.append(rows[has].assign(theme=theme))
        out = _hotspots(pd.concat(parts, ignore_index=True), ["iso3", "theme"])
    names = reference.labels("country")
    out.insert(1, "country", out["iso3"].map(names).fillna(out["iso3"]))
    theme_names = reference.labels("theme")
    out["theme"] = out["theme"].map(theme_names).fillna(out["theme"])
    return out


def hotspot_map_frame(by_country: pd.DataFrame, places: list[str] | None = None) -> pd.DataFrame:
    """One row per reference country for ``geo.world_choropleth``: value = pairs above the
    threshold, with a hover naming the agencies and budget involved. Countries outside
    ``places`` (a region or country filter) are left blank."""
    countries = reference.countries()[["iso3", "name"]]
    out = countries.merge(by_country.drop(columns=["country"], errors="ignore"), on="iso3", how="left")
    out["value"] = out["pairs"].fillna(0).astype(float)
    out["in_selection"] = True if places is None else out["iso3"].isin(places)
    out["hover"] = [
        f"<b>{name}</b><br>Likely duplicate pairs: {int(v)}"
        + (f"<br>Agencies: {ag}<br>Budget involved: {_money(b)} USD" if v > 0 else "")
        for name, v, ag, b in zip(out["name"], out["value"], out["agencies"], out["budget_usd"])
    ]
    return out[["iso3", "name", "value", "in_selection", "hover"]]


def method_markdown(weights: dict[str, float] | None = None) -> str:
    """How the score is made, in a few lines for the page (docs/DUPLICATION.md has the full text)."""
    w = checked_weights(weights)
    return f"""
Two activities are compared when their **lead agencies differ**, neither lead is a **partner** of the
other, and they share a **country**, a **theme** and some **time** (an activity with no end date runs
until today). Each pair gets a score from 0 to 1, the weighted mean of parts you can check:

| part | what it measures | weight |
|---|---|---|
| Time | days both run / half the days of the shorter one, at most 1: running together half the time is the same period | {w["time"]:.2f} |
| Place | shared countries / countries of the smaller footprint: a national activity inside a regional one's countries is a shared place | {w["place"]:.2f} |
| Activity types | the share of one side's types the other names, the better side: a list inside the other's is full agreement; a near synonym (capacity building and technical assistance) counts {RELATED_CREDIT:.2f} | {w["activity_types"]:.2f} |
| Target groups | the same; a group within another (children within victims) counts {RELATED_CREDIT:.2f} | {w["target_groups"]:.2f} |
| Forms of exploitation | the same; neither naming one counts as agreement | {w["exploitation_forms"]:.2f} |
| Text | the share of the domain's concepts and figures both texts name, in English, French, Spanish or Portuguese ("formation des inspecteurs du travail" meets "training of labour inspectors"); each counts more the fewer activities of the export name it (a setting or a figure of people reached counts more than "forced labour"), and figures within a fifth of each other (2,721 and 2,364 people) count as the same; word by word only when a text names no concept | {w["text"]:.2f} |

Pairs scoring **{DEFAULT_THRESHOLD:.2f}** or more are **likely duplicates** (the default); from
**{WORTH_A_LOOK:.2f}** they are **worth a look**. A score is a prompt to ask, not a finding: a
planner's review says what the pair really is.
"""


# ---- command line ----------------------------------------------------------------------
def add_arguments(parser: argparse.ArgumentParser) -> None:
    low, high = THRESHOLD_RANGE
    parser.add_argument("--data", help="export directory (default: ICAT_DATA_DIR or data/demo/)")
    parser.add_argument("--country", help="only pairs sharing this country (ISO alpha-3 or alpha-2)")
    parser.add_argument(
        "--min-score",
        type=float,
        default=DEFAULT_THRESHOLD,
        help=f"least score printed, {low:.2f} to {high:.2f} as on the dashboard (default {DEFAULT_THRESHOLD})",
    )


def _iso3(code: str) -> str | None:
    c = reference.countries()
    code = code.strip().upper()
    hit = c.loc[(c["iso3"] == code) | (c["iso2"] == code), "iso3"]
    return hit.iloc[0] if len(hit) else None


def run(args: argparse.Namespace) -> int:
    low, high = THRESHOLD_RANGE
    if not low <= args.min_score <= high:  # also refuses nan
        print(f"--min-score must be between {low:.2f} and {high:.2f}, not {args.min_score}", file=sys.stderr)
        return 2
    iso3 = None
    if args.country:
        iso3 = _iso3(args.country)
        if iso3 is None:
            print(f"--country {args.country[:40]!r}: not a known ISO 3166-1 code", file=sys.stderr)
            return 2
    path = resolve_data_dir(args.data)
    if not (export.current_dir(path) / "activities.parquet").exists():
        print(f"{path}: no activities.parquet here (is this an export directory?)", file=sys.stderr)
        return 1
    con = db.connect(path)
    pairs = duplicate_pairs(con, iso3=iso3, threshold=args.min_score)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["activity_id_a", "activity_id_b", "score", "reasons"])
    for r in pairs.itertuples(index=False):
        writer.writerow(spreadsheet.safe_row([r.activity_id_a, r.activity_id_b, f"{r.score:.3f}", r.reasons]))
    return 0


def no_pairs_words(threshold: float, counts, *, agency_filter: bool = False) -> str:
    """Why the selection has no likely duplicate (``duplication_activity_count`` row ``counts``):
    with one lead agency there is nothing to compare, since a pair is of two agencies' work
    (unless an agency filter chose them: then the other side of a pair may be any agency's)."""
    n, leads = int(counts["activities"]), int(counts["lead_agencies"])
    if n and leads == 1 and not agency_filter:
        name = reference.labels("agency").get(counts["a_lead_agency"], counts["a_lead_agency"])
        every = "the one selected activity is" if n == 1 else f"all {n:,} selected activities are"
        return (
            f"A likely duplicate is a pair of activities led by two different agencies; {every} led by "
            f"{name}, so there is no pair to compare. Widen the filters, or load other agencies' activities."
        )
    return (
        f"No pair of activities scores {threshold:.2f} or more with these filters. "
        "Lower the least score or widen the filters."
    )
