"""The search for pairs of activities that look like the same work, and the parts of their score.

The score is defined in docs/DUPLICATION.md (the parts, their weights, the threshold); the
Duplication page, the ``duplicates`` command and the hot-spot index stored with each export
version (:mod:`icat_analysis.store.duplicate_index`) all come from here. It lives in the store
because every import builds that index when it writes a version.

Blocking by country, theme, classes of related codes and period happens in SQL
(sql/duplication_candidates.sql), which also drops pairs that could not reach the threshold
even with identical texts, so only a small share of pairs is ever scored on text.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from datetime import date
from functools import cache

import duckdb
import numpy as np
import pandas as pd

from icat_analysis import reference
from icat_analysis.filters import Filters
from icat_analysis.paths import REFERENCE_DIR
from icat_analysis.store import db
from icat_analysis.store import duplicate_text as dtext

#: Weights of the parts of the score, as documented (docs/DUPLICATION.md); a planner may
#: accept weights fitted from reviews instead (:mod:`icat_analysis.analyses.duplication_fit`), kept per export.
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


def compared_activities(filters: Filters | None) -> tuple[Filters, dict]:
    """The activities compared, and the ``anchored``/``anchor`` parameters: with agencies in
    ``filters``, a pair needs one activity of theirs and the other side may be any agency's."""
    filters = filters or Filters()
    compared = replace(filters, agencies=(), role="any") if filters.agencies else filters
    return compared, {"anchored": bool(filters.agencies), "anchor": filters.as_sql_param()}


def candidate_pairs(
    con,
    filters: Filters | None = None,
    *,
    iso3: str | None = None,
    threshold: float = 0.0,
    weights: dict[str, float] | None = None,
    ids: list[str] | None = None,
    today: date | None = None,
):
    """One row per candidate pair and shared country, with the structured parts of the score.

    Pairs that could not reach ``threshold`` even with identical texts are left out
    (``threshold=0`` keeps every candidate). With agencies in ``filters``, a pair needs one
    activity of theirs; the other side may be any agency's. ``ids`` limits the activities compared.
    An activity with no end date runs until ``today`` (default: the clock's day), so the time
    part of its pairs grows by the day; a figure that must stay the same passes its own day.
    """
    w = checked_weights(weights)
    compared, anchor = compared_activities(filters)
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
        **anchor,
        ids=list(ids) if ids is not None else None,
        today=today or date.today(),
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


def _text_index(con, pairs: pd.DataFrame) -> tuple[dict[str, str], dtext.TextIndex]:
    ids = list(dict.fromkeys(pairs["activity_id_a"].tolist() + pairs["activity_id_b"].tolist()))
    texts = _texts(con, ids)
    return texts, dtext.text_index(texts, dtext.concept_rarity(con))


def text_parts(con, pairs: pd.DataFrame, *, names: bool = False, index=None) -> pd.DataFrame:
    """``concepts``, ``wording`` and ``text`` per pair (:mod:`.duplicate_text`); with
    ``names``, also ``concepts_shared`` and ``figures_shared``, the concepts and figures both name.
    ``index``: the texts and :class:`~.duplicate_text.TextIndex` of the pairs' activities, when
    already built.

    Without ``names``, wording is worked out only where it is the text part (a text naming no
    concept of the vocabulary) and is NaN elsewhere: it is the slow part on a large export."""
    id_a, id_b = pairs["activity_id_a"].tolist(), pairs["activity_id_b"].tolist()
    texts, index = index or _text_index(con, pairs)
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


def scored_pairs(
    con,
    filters: Filters | None = None,
    *,
    iso3: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    weights: dict[str, float] | None = None,
    ids: list[str] | None = None,
    stored: bool = True,
    names: bool = False,
    today: date | None = None,
) -> pd.DataFrame:
    """Pairs scoring at least ``threshold``, one row per pair and shared country (no reasons).

    Read from the hot-spot index stored with the export when it answers exactly (the weights it
    was scored with, ``threshold`` at or above its least score: :mod:`.duplicate_index`), else
    searched (``stored=False`` always searches: the index is built so). ``names`` (a search
    only): also the concepts and figures both texts name and the wording of every pair, worked
    out in the same pass over the pairs as their scores (:func:`text_parts`). ``today``: as in
    :func:`candidate_pairs` (a search only; the stored index was scored the day it was built).
    """
    if stored and ids is None and today is None and index_covers(con, threshold, weights):
        compared, anchor = compared_activities(filters)
        rows = db.query(con, "duplication_stored_pairs", compared, iso3=iso3, threshold=float(threshold), **anchor)
        return rows.reset_index(drop=True)
    rows = candidate_pairs(con, filters, iso3=iso3, threshold=threshold, weights=weights, ids=ids, today=today)
    rows = rows.rename(columns={"time_overlap": "time"})
    empty = {c: pd.Series(dtype=float) for c in ("text", "wording", "concepts", "score")}
    if rows.empty:
        return rows.assign(**empty)
    key = ["activity_id_a", "activity_id_b"]
    pairs = rows.drop_duplicates(key)[key]
    index = _text_index(con, pairs)
    pairs = _may_reach(rows, pairs, index[1], threshold, weights)
    pairs = pairs.join(text_parts(con, pairs, index=index, names=names))
    rows = rows.merge(pairs, on=key, how="inner")
    rows["score"] = weighted_score(rows, weights)
    rows = rows[rows["score"] >= threshold - 1e-9]
    return rows.reset_index(drop=True)


def _may_reach(
    rows: pd.DataFrame, pairs: pd.DataFrame, index: dtext.TextIndex, threshold: float, weights
) -> pd.DataFrame:
    """The ``pairs`` that could still reach ``threshold``: with the best of their structured
    parts (over their countries) and the most their concepts could be alike
    (sql/duplication_text_bound.sql). Most candidates of a large export share only the
    domain's common concepts and fall short; only the rest are compared one by one in Python.
    A pair whose texts do not both name something compares wording, and is kept."""
    w = checked_weights(weights)
    if not w["text"] > 0 or pairs.empty:
        return pairs
    # activities and pairs as numbers: a large export has millions of candidate rows
    n = len(rows)
    codes, ids = pd.factorize(pd.concat([rows["activity_id_a"], rows["activity_id_b"]], ignore_index=True))
    pair = codes[:n].astype(np.int64) * len(ids) + codes[n:]
    structured = sum(w[k] * rows[k].to_numpy(dtype=float) for k in STRUCTURED_PARTS)
    best = pd.Series(structured).groupby(pair).transform("max").to_numpy()
    first = rows.index.get_indexer(pairs.index)  # pairs are rows' first row of each pair
    need = (threshold - best[first]) / w["text"]
    found = index.found
    named_id = np.array([bool(found.get(a)) for a in ids], dtype=bool)
    named = named_id[codes[:n][first]] & named_id[codes[n:][first]]
    asked = np.nonzero(named & (need > 1e-9))[0]
    if not len(asked) or not _bound_pays(pairs, asked, index, need):
        return pairs
    most = _text_bound(pairs.iloc[asked], index)
    keep = np.ones(len(pairs), dtype=bool)
    keep[asked] = most >= need[asked] - 1e-9
    return pairs[keep]


#: Candidates from which a sample first says whether the bound on the text part pays.
BOUND_SAMPLE_FROM = 20_000
BOUND_SAMPLE = 2_000


def _bound_pays(pairs: pd.DataFrame, asked: np.ndarray, index: dtext.TextIndex, need: np.ndarray) -> bool:
    """Whether working out the bound drops enough pairs to be worth it. It costs about as much
    as scoring a pair's texts: where most candidates really are alike (texts written from one
    template, as in a generated IATI file, where 784,388 of 10,000 activities' pairs reach 0.75)
    it only adds time, and where most share only common concepts (the demonstration: 63,358
    candidates, 182 left) it saves most of the scoring. Skipping it never changes the pairs:
    the bound only spares the scoring of pairs that cannot reach the threshold."""
    if len(asked) < BOUND_SAMPLE_FROM:
        return True
    sample = asked[:: max(1, len(asked) // BOUND_SAMPLE)][:BOUND_SAMPLE]  # evenly spread, the same every run
    most = _text_bound(pairs.iloc[sample], index)
    return float(np.mean(most >= need[sample] - 1e-9)) < 0.5


def _text_bound(pairs: pd.DataFrame, index: dtext.TextIndex) -> np.ndarray:
    """Per pair, the most its concept part could be (sql/duplication_text_bound.sql)."""
    n = len(pairs)
    codes, ids = pd.factorize(pd.concat([pairs["activity_id_a"], pairs["activity_id_b"]], ignore_index=True))
    number: dict[str, int] = {}  # exact token -> its place (from 1) in token_weights
    toks, figs, fws = [], [], []
    for a in ids:
        approximate = dict((key, value) for value, key in index.figures.get(a, ()))
        found = sorted(index.found[a])
        toks.append([number.setdefault(c, len(number) + 1) for c in found if c not in approximate])
        figs.append([approximate[c] for c in found if c in approximate])
        fws.append([index.weight[c] for c in found if c in approximate])
    activities = pd.DataFrame(
        {"k": np.arange(len(ids)), "toks": toks, "figs": figs, "fws": fws, "total": [index.total[a] for a in ids]}
    )
    tables = {
        "bound_pairs": pd.DataFrame(
            {
                "pid": np.arange(n),
                "a": codes[:n],
                "b": codes[n:],
            }
        ),
        "bound_activities": activities,
    }
    con = duckdb.connect()
    try:
        for name, frame in tables.items():
            con.register("frame", frame)
            # a fixed name of ours; the lists' types said, so that empty lists are not of NULLs
            con.execute(
                f"CREATE TABLE {name} AS SELECT * REPLACE (toks::INTEGER[] AS toks, figs::BIGINT[] AS figs, "
                "fws::DOUBLE[] AS fws) FROM frame"
                if name == "bound_activities"
                else f"CREATE TABLE {name} AS SELECT * FROM frame"
            )
            con.unregister("frame")
        weights = [index.weight[c] for c in number]
        most = db.query(con, "duplication_text_bound", tolerance=dtext.FIGURE_TOLERANCE, token_weights=weights)
    finally:
        con.close()
    return most["most"].to_numpy(dtype=float)


def stored_index(con) -> dict | None:
    """The description of the hot-spot index loaded with this connection, or None."""
    try:
        row = con.cursor().execute("SELECT description FROM duplicate_index_info").fetchone()
    except duckdb.CatalogException:
        return None
    return json.loads(row[0]) if row else None


def index_covers(con, threshold: float, weights: dict[str, float] | None) -> bool:
    """Whether the hot-spot index stored with this connection answers ``threshold`` and ``weights``."""
    from icat_analysis.store import duplicate_index  # it builds with this module

    return duplicate_index.covers(stored_index(con), threshold, checked_weights(weights))
