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
def _terms_by_first_word() -> dict[str, list[tuple[int, str, str]]]:
    """First word of a term -> (words in the term, the term, its concept), the longest term first,
    so "national action plan" is one concept, not "action plan" and more."""
    voc = vocabulary()
    out: dict[str, list[tuple[int, str, str]]] = {}
    for term, concept in zip(voc["normalised"], voc["concept"]):
        words = term.split()
        out.setdefault(words[0], []).append((len(words), term, concept))
    for v in out.values():
        v.sort(key=lambda t: (-t[0], t[1]))
    return out


def concepts(normalised: str) -> frozenset[str]:
    """The vocabulary's concepts a normalised text names, and the figures it quotes (``"#24"``).

    Read left to right, the longest term at each word first; a word used by a term is not
    read again."""
    if not normalised:
        return frozenset()
    starts = _terms_by_first_word()
    words = normalised.split()
    found = set()
    i, n = 0, len(words)
    while i < n:
        word = words[i]
        step = 1
        if word.isdigit():
            found.add("#" + word)
        else:
            for size, term, concept in starts.get(word, ()):
                if size == 1 or " ".join(words[i : i + size]) == term:
                    found.add(concept)
                    step = size
                    break
        i += step
    return frozenset(found)


#: How much a concept counts: a *topic* (what the code lists say too: training, labour
#: inspectors, forced labour) less than a *specific* one (a setting, a ministry, a baseline
#: study) or a figure, which two reports of unrelated work rarely share.
CONCEPT_WEIGHT = {"topic": 1.0, "specific": 3.0}


@functools.cache
def _concept_weight() -> dict[str, float]:
    voc = vocabulary()
    return {c: CONCEPT_WEIGHT[k] for c, k in zip(voc["concept"], voc["kind"])}


def concept_weight(found: frozenset[str]) -> float:
    """The weight of a set of concepts and figures (:data:`CONCEPT_WEIGHT`)."""
    weight = _concept_weight()
    figure = CONCEPT_WEIGHT["specific"]
    return sum(weight.get(c, figure) for c in found)


def concept_similarity(a: frozenset[str], b: frozenset[str], weight_a: float | None = None,
                       weight_b: float | None = None) -> float:  # fmt: skip
    """Weight of the concepts (and figures) both name / weight of those either names; 0 when
    either names none. ``weight_a`` and ``weight_b`` (:func:`concept_weight`) save recounting."""
    if not a or not b:
        return 0.0
    shared = concept_weight(a & b)
    wa = concept_weight(a) if weight_a is None else weight_a
    wb = concept_weight(b) if weight_b is None else weight_b
    return shared / (wa + wb - shared)


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
