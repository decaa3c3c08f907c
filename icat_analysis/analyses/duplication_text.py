"""How alike two activities' titles and descriptions are: in their words, and in what they are about.

The text part of the score compares **concepts**: the concepts of the domain both texts name
(a small vocabulary in English, French, Spanish and Portuguese,
``reference/duplication_concepts.csv``) and the figures both quote (24 months, 12 districts),
weighted (:data:`CONCEPT_WEIGHT`): shared / named by either. So "formation des inspecteurs du travail" and "training of labour
inspectors" share *training* and *labour inspectors* though they share no word.

Word-by-word **wording** (rapidfuzz ``token_set_ratio`` on lower-cased, accent-free words) is
shown beside it, and is the text part only when a text names no concept of the vocabulary:
reports on one topic share most of their words, so wording says little about whether two
describe the same work (on the development set, unrelated pairs read 63 % alike).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from icat_analysis.paths import REFERENCE_DIR

_NON_WORD = re.compile(r"[^0-9a-z]+")
#: ASCII characters other than digits and lower-case letters, to spaces (the ASCII fast path).
_ASCII_NON_WORD = str.maketrans({chr(c): " " for c in range(128) if not re.fullmatch("[0-9a-z]", chr(c))})
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_FIGURES = re.compile(r"\b\d+\b")


@functools.lru_cache(maxsize=65536)
def _without_combining(run: str) -> str:
    return "".join(ch for ch in run if not unicodedata.combining(ch))


def _drop_combining(match: re.Match) -> str:
    return _without_combining(match.group())


def normalise_text(text: str | None) -> str:
    """Lower case, accents removed, punctuation as spaces: ``"Formation (Bénin)"`` -> ``"formation benin"``."""
    if not text:
        return ""
    text = str(text)
    if text.isascii():  # NFKD leaves ASCII as it is and it has no combining marks: the same result, faster
        return " ".join(text.lower().translate(_ASCII_NON_WORD).split())
    # combining marks are never ASCII: test only the runs of other characters, one by one
    plain = _NON_ASCII.sub(_drop_combining, unicodedata.normalize("NFKD", text)).lower()
    return _NON_WORD.sub(" ", plain).strip()


@functools.cache
def vocabulary() -> pd.DataFrame:
    """The concept vocabulary: concept, language, term, and the term as texts are compared."""
    df = pd.read_csv(REFERENCE_DIR / "duplication_concepts.csv", dtype=str, keep_default_na=False)
    df["normalised"] = df["term"].map(normalise_text)
    return df


@functools.cache
def _matcher() -> tuple[re.Pattern, dict[str, str]]:
    voc = vocabulary()
    concept_of = dict(zip(voc["normalised"], voc["concept"]))
    # the longest term first, so "national action plan" is one concept, not "action plan" and more
    terms = sorted(concept_of, key=lambda t: (-len(t), t))
    return re.compile(r"\b(?:" + "|".join(re.escape(t) for t in terms) + r")\b"), concept_of


def concepts(normalised: str) -> frozenset[str]:
    """The vocabulary's concepts a normalised text names, and the figures it quotes (``"#24"``)."""
    if not normalised:
        return frozenset()
    pattern, concept_of = _matcher()
    found = {concept_of[m] for m in pattern.findall(normalised)}
    return frozenset(found | {"#" + f for f in _FIGURES.findall(normalised)})


#: How much a concept counts: a *topic* (what the code lists say too: training, labour
#: inspectors, forced labour) less than a *specific* one (a setting, a ministry, a baseline
#: study) or a figure, which two reports of unrelated work rarely share.
CONCEPT_WEIGHT = {"topic": 1.0, "specific": 3.0}


@functools.cache
def _concept_weight() -> dict[str, float]:
    voc = vocabulary()
    return {c: CONCEPT_WEIGHT[k] for c, k in zip(voc["concept"], voc["kind"])}


def concept_similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Weight of the concepts (and figures) both name / weight of those either names; 0 when
    either names none."""
    if not a or not b:
        return 0.0
    weight = _concept_weight()
    figure = CONCEPT_WEIGHT["specific"]
    shared = sum(weight.get(c, figure) for c in a & b)
    return shared / (shared + sum(weight.get(c, figure) for c in a ^ b))


def wording_similarity(texts_a: Sequence[str], texts_b: Sequence[str]) -> np.ndarray:
    """Similarity 0..1 of corresponding texts (already normalised); 0 where either is empty."""
    if len(texts_a) == 0:
        return np.zeros(0)
    scores = process.cpdist(list(texts_a), list(texts_b), scorer=fuzz.token_set_ratio, dtype=np.float64, workers=-1)
    return np.asarray(scores, dtype=float) / 100.0


@functools.cache
def _concept_order() -> dict[str, int]:
    return {c: i for i, c in enumerate(dict.fromkeys(vocabulary()["concept"]))}


def shared_concepts(a: frozenset[str], b: frozenset[str]) -> list[str]:
    """The vocabulary's concepts both texts name (figures left out), in the vocabulary's order."""
    return sorted((c for c in a & b if not c.startswith("#")), key=_concept_order().get)
