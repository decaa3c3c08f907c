"""The blocked search in SQL against every pair scored by hand in Python.

The search forms a pair only inside a block of country, shared codes, place kind and period
(docs/DUPLICATION.md, "Scale"). Here every pair of a crowded random export is scored from the
rules alone, with no blocking, and the search must list exactly the pairs that reach each
threshold, with the same parts and scores.
"""

from __future__ import annotations

import random
import unicodedata
from datetime import date, timedelta
from itertools import combinations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from icat_analysis.analyses import duplication
from icat_analysis.analyses.duplication import WEIGHTS
from icat_analysis.store import db, duplicate_search
from icat_analysis.store import duplicate_text as duplication_text
from tests.factories import activity, make_export

POOLS = {
    "activity_types": ["capacity_building", "technical_assistance", "research_data", "awareness_raising"],
    "target_groups": ["labour_inspectors", "law_enforcement", "judiciary"],
    "exploitation_forms": ["forced_labour", "sexual_exploitation", "organ_removal"],
}
TEXTS = [
    ("Training on trafficking", "Labour inspectors learn to spot forced labour"),
    ("Training on trafficking", "Labour inspectors learn to spot forced labour at sea"),
    ("Formation sur la traite", "Les inspecteurs du travail apprennent à détecter le travail forcé"),
    ("Formação de inspetores do trabalho", "Contra o trabalho forçado na pesca, 24 meses"),
    ("Shelter support", "Safe houses for survivors"),
]
LEADS = ["ILO", "IOM", "UNODC", "UNICEF"]


def _random_activities(seed: int, n: int = 160) -> list[dict]:
    """Activities crowded on few codes and countries, with periods from a week to ten years
    (some ongoing, some not started), so that pairs straddle every block boundary: periods
    spanning several buckets, shorter activities inside longer ones, national beside regional."""
    rng = random.Random(seed)
    base = [rng.sample(v, rng.choice([1, 2, 2, 3])) for v in POOLS.values()]
    rows = []
    for i in range(n):
        if rng.random() < 0.6:  # near a shared template, so many pairs are close to a threshold
            codes = {k: list(b) for k, b in zip(POOLS, base)}
            k = rng.choice(list(POOLS))
            if rng.random() < 0.5:
                extra = [c for c in POOLS[k] if c not in codes[k]]
                codes[k] += extra[:1]
            elif len(codes[k]) > 1:
                codes[k] = codes[k][1:]
        else:
            codes = {k: rng.sample(v, rng.choice([1, 1, 2, 3])) for k, v in POOLS.items()}
        if rng.random() < 0.15:
            codes["exploitation_forms"] = []
        start = date(2009, 1, 1) + timedelta(days=rng.randrange(0, 17 * 365))
        days = rng.choice([7, 90, 200, 364, 365, 366, 700, 729, 730, 731, 1100, 1500, 2500, 3650])
        days = max(0, days + rng.randrange(-20, 21))
        end = None if rng.random() < 0.08 else (start + timedelta(days=days)).isoformat()
        title, description = rng.choice(TEXTS)
        rows.append(
            activity(
                f"R{i:03d}",
                lead=rng.choice(LEADS),
                partners=[rng.choice(LEADS)] if rng.random() < 0.1 else [],
                countries=rng.choice([["THA"], ["THA"], ["VNM"], ["THA", "VNM"], ["THA", "VNM", "KHM"],
                                      ["THA", "VNM", "KHM", "LAO"], ["KHM", "LAO"]]),
                themes=rng.sample(["protection", "prosecution", "prevention"], rng.choice([1, 2])),
                start=start.isoformat(),
                end=end,
                budget=float(rng.randrange(10_000, 1_000_000)),
                title=title,
                description=description,
                **codes,
            )
        )  # fmt: skip
    return rows


RELATED = {
    ("activity_types", "capacity_building", "technical_assistance"),
    ("activity_types", "coordination", "technical_assistance"),
    ("target_groups", "labour_inspectors", "government_officials"),
    ("target_groups", "law_enforcement", "government_officials"),
    ("target_groups", "judiciary", "government_officials"),
}


def _related(col: str, x: str, y: str) -> bool:
    return (col, x, y) in RELATED or (col, y, x) in RELATED


def _cover(col: str, mine: set, theirs: set) -> float:
    """Share of my codes the other names; a related code counts RELATED_CREDIT."""
    got = sum(1.0 if c in theirs else duplication.RELATED_CREDIT if any(_related(col, c, t) for t in theirs) else 0.0
              for c in mine)  # fmt: skip
    return got / len(mine)


def _code_part(col: str, a: set, b: set, neither: float) -> float:
    if not a and not b:
        return neither
    if not a or not b:
        return 0.0
    return max(_cover(col, a, b), _cover(col, b, a))


def _text(index, texts: dict[str, str], a: str, b: str) -> float:
    if index.found[a] and index.found[b]:
        return index.similarity(a, b)
    return float(duplication_text.wording_similarity([texts[a]], [texts[b]])[0])


def _every_pair(rows: list[dict]) -> dict[tuple[str, str, str], float]:
    """(activity_id_a, activity_id_b, shared country) -> score, from the rules, for every pair."""
    today = date.today()
    texts = {r["activity_id"]: duplication.normalise_text(f"{r['title']} {r['description']}") for r in rows}
    # how rare each concept is, counted over every activity of the export
    index = duplication_text.text_index(texts, duplication_text.rarity(texts.values()))
    out = {}
    for a, b in combinations(sorted(rows, key=lambda r: r["activity_id"]), 2):
        if a["lead_agency"] == b["lead_agency"]:
            continue
        if a["lead_agency"] in b["partner_agencies"] or b["lead_agency"] in a["partner_agencies"]:
            continue
        shared = sorted(set(a["countries"]) & set(b["countries"]))
        if not shared or not set(a["themes"]) & set(b["themes"]):
            continue
        a0, b0 = a["start_date"], b["start_date"]
        a1, b1 = max(a["end_date"] or today, a0), max(b["end_date"] or today, b0)
        overlap = (min(a1, b1) - max(a0, b0)).days + 1
        if overlap < 1:
            continue
        na, nb = max(len(a["countries"]), 1), max(len(b["countries"]), 1)
        shorter = min((a1 - a0).days, (b1 - b0).days) + 1
        parts = {
            "time": min(1.0, overlap / (duplication.FULL_OVERLAP * shorter)),
            "place": len(shared) / min(na, nb),
            "text": _text(index, texts, a["activity_id"], b["activity_id"]),
        }
        for col, neither in (("activity_types", 0.0), ("target_groups", 0.0), ("exploitation_forms", 1.0)):
            parts[col] = _code_part(col, set(a[col]), set(b[col]), neither)
        score = sum(WEIGHTS[k] * v for k, v in parts.items())
        for iso3 in shared:
            out[(a["activity_id"], b["activity_id"], iso3)] = score
    return out


@pytest.mark.parametrize(("seed", "period_days"), [(1, None), (2, None), (3, 365), (4, 60)])
def test_blocked_search_lists_exactly_the_pairs_every_pair_scoring_finds(tmp_path, monkeypatch, seed, period_days):
    # narrower period buckets than the default, so that more periods straddle a bucket boundary
    if period_days:
        monkeypatch.setattr(duplicate_search, "PERIOD_DAYS", period_days)
    rows = _random_activities(seed)
    make_export(tmp_path, rows)
    con = db.connect(tmp_path)
    every = _every_pair(rows)
    at_default = 0
    for threshold in (0.0, 0.5, 0.6, 0.7, duplication.DEFAULT_THRESHOLD, 0.8, 0.85, 0.9, 0.92, 0.95, 0.99):
        found = duplication.scored_pairs(con, threshold=threshold)
        got = {(r.activity_id_a, r.activity_id_b, r.iso3): r.score for r in found.itertuples(index=False)}
        expected = {k: v for k, v in every.items() if v >= threshold - 1e-9}
        assert sorted(got) == sorted(expected), f"threshold {threshold}"
        assert [got[k] for k in sorted(got)] == pytest.approx([expected[k] for k in sorted(expected)])
        if threshold == duplication.DEFAULT_THRESHOLD:
            at_default = len(got)
    assert at_default > 0  # the export is crowded enough for pairs to reach the default threshold


def test_one_country_lists_the_same_pairs_as_all_countries_there(tmp_path):
    rows = _random_activities(5)
    make_export(tmp_path, rows)
    con = db.connect(tmp_path)
    for threshold in (0.0, duplication.DEFAULT_THRESHOLD):
        everywhere = duplication.scored_pairs(con, threshold=threshold)
        for iso3 in ("THA", "KHM"):
            one = duplication.scored_pairs(con, iso3=iso3, threshold=threshold)
            there = everywhere[everywhere["iso3"] == iso3].reset_index(drop=True)
            assert one[["activity_id_a", "activity_id_b"]].equals(there[["activity_id_a", "activity_id_b"]])
            assert one["score"].tolist() == pytest.approx(there["score"].tolist())


def _normalise_by_the_definition(text: str) -> str:
    """The rule as first written: NFKD, drop combining marks, lower case, non-words to spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return duplication_text._NON_WORD.sub(" ", plain).strip()


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=80))
def test_fast_text_normalisation_is_the_definition(text):
    assert duplication.normalise_text(text) == _normalise_by_the_definition(text)


def test_text_normalisation_examples():
    assert duplication.normalise_text("Formation (Bénin)") == "formation benin"
    assert duplication.normalise_text("  Straße -- ﬁnance, Ærø!  ") == "stra e finance r"


def test_missing_descriptions_are_empty_text_not_a_shared_word(tmp_path):
    # Two titles with nothing in common and no descriptions: their texts must not look alike
    # (a missing value once became the word "nan" in both).
    rows = [
        activity("A1", lead="ILO", title="Alpha", description=None),
        activity("A2", lead="IOM", title="Beta", description=None),
        activity("A3", lead="UNODC", title="Gamma", description="Shelters for survivors"),
    ]
    make_export(tmp_path, rows)
    con = db.connect(tmp_path)
    pairs = duplication.scored_pairs(con, threshold=0)
    one = pairs[(pairs["activity_id_a"] == "A1") & (pairs["activity_id_b"] == "A2")]
    assert len(one) == 1 and one["text"].iloc[0] < 0.5


#: Words for texts that stress the bound on the text part: the domain's common concepts, figures
#: on both sides of the fifth that makes two the same (240 and 300, 300 and 376), years, small
#: figures, and words naming no concept at all (such texts compare wording).
STRESS_WORDS = ["training", "shelter", "legislation", "awareness", "forced labour", "technical assistance"]
STRESS_FIGURES = ["12", "24", "50", "60", "240", "250", "300", "301", "375", "376", "2019", "2,700", "3,375", "3,376"]
PLAIN_WORDS = ["meetings", "with", "partners", "in", "the", "north", "region", "quarterly"]


def _stressed_activities(seed: int, n: int = 140) -> list[dict]:
    rng = random.Random(seed)
    rows = _random_activities(seed, n)
    for row in rows:
        if rng.random() < 0.12:  # no concept: wording is the text part
            words = rng.sample(PLAIN_WORDS, rng.randrange(2, 6))
        else:
            words = rng.sample(STRESS_WORDS, rng.randrange(1, 4)) + rng.sample(STRESS_FIGURES, rng.randrange(0, 4))
            rng.shuffle(words)
        row["title"], row["description"] = " ".join(words[:2]), " ".join(words[2:])
    return rows


@pytest.mark.parametrize("seed", [21, 22])
def test_the_bound_on_the_text_part_loses_no_pair_with_common_concepts_close_figures_or_no_concept(tmp_path, seed):
    rows = _stressed_activities(seed)
    make_export(tmp_path, rows)
    con = db.connect(tmp_path)
    every = _every_pair(rows)
    listed = 0
    for threshold in (0.0, 0.5, 0.6, 0.7, 0.75, duplication.DEFAULT_THRESHOLD, 0.9, 0.95):
        found = duplication.scored_pairs(con, threshold=threshold)
        got = {(r.activity_id_a, r.activity_id_b, r.iso3): r.score for r in found.itertuples(index=False)}
        expected = {k: v for k, v in every.items() if v >= threshold - 1e-9}
        assert sorted(got) == sorted(expected), f"threshold {threshold}"
        assert [got[k] for k in sorted(got)] == pytest.approx([expected[k] for k in sorted(expected)])
        listed += len(got) if threshold >= 0.75 else 0
    assert listed > 0
    # the bound is never below the concept part itself, pair by pair, close figures included
    texts = {r["activity_id"]: duplication.normalise_text(f"{r['title']} {r['description']}") for r in rows}
    index = duplication_text.text_index(texts, duplication_text.rarity(texts.values()))
    named = sorted(a for a in texts if index.found[a])
    pairs = pd.DataFrame(list(combinations(named, 2)), columns=["activity_id_a", "activity_id_b"])
    most = duplicate_search._text_bound(pairs, index)
    alike = [index.similarity(a, b) for a, b in zip(pairs["activity_id_a"], pairs["activity_id_b"])]
    assert all(m >= s - 1e-12 for m, s in zip(most, alike))
    close = [index.shared_figures(a, b) for a, b in zip(pairs["activity_id_a"], pairs["activity_id_b"])]
    assert any("≈" in f for figures in close for f in figures)  # close figures were compared
