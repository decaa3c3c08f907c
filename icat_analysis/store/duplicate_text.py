"""How alike two activities' titles and descriptions are: in their words, and in what they are about.

The text part of the score compares **concepts**: the concepts of the domain both texts name
(a small vocabulary in English, French, Spanish and Portuguese,
``reference/duplication_concepts.csv``) and the figures both quote (24 months, 12 districts,
2,700 people), each weighted by how rare it is in the export (:func:`rarity`): the weight of
what both name / the weight of what either names. So "formation des inspecteurs du travail"
and "training of labour inspectors" share *training* and *labour inspectors* though they share
no word; and two unrelated reports that share the domain's common words (forced labour, a
baseline study) but quote other figures and settings read as different work. Figures from 50
up that differ by at most a fifth are the same figure (:data:`FIGURE_TOLERANCE`).

Word-by-word **wording** (rapidfuzz ``token_set_ratio`` on lower-cased, accent-free words) is
shown beside it, and is the text part only when a text names no concept of the vocabulary:
reports on one topic share most of their words, so wording says little about whether two
describe the same work (on the development set, unrelated pairs read 63 % alike).
"""

from __future__ import annotations

import functools
import math
import re
import threading
import unicodedata
import weakref
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from icat_analysis.paths import REFERENCE_DIR
from icat_analysis.store import db

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
    read again. A figure written with thousands separators ("2,721" and "1 000 000", which
    normalise to "2 721" and "1 000 000") is one figure."""
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
            if len(word) <= 3:
                while i + step < n and len(words[i + step]) == 3 and words[i + step].isdigit():
                    word += words[i + step]
                    step += 1
            found.add("#" + str(int(word)))
        else:
            for size, term, concept in starts.get(word, ()):
                if size == 1 or " ".join(words[i : i + size]) == term:
                    found.add(concept)
                    step = size
                    break
        i += step
    return frozenset(found)


#: How much a concept or figure counts grows as fewer activities of the export name it:
#: ``log((N + RARITY_PRIOR) / n)`` where n of the export's N activities name it. "Forced labour"
#: or "a baseline study", named by one activity in five, counts little; a setting, a ministry or
#: the figure 2,721, named by few, counts much. The prior acts as that many activities naming
#: nothing: a small export's handful of texts says little about what is rare, so its weights
#: stay nearly even, and a concept every activity names still counts a little.
RARITY_PRIOR = 20
#: Two figures from :data:`APPROXIMATE_FROM` up that differ by at most this share of the larger
#: are the same figure: two reports of one piece of work round their targets differently
#: (about 2,700 people and 2,364 people). Smaller figures (districts, months) must be equal.
FIGURE_TOLERANCE = 0.2
APPROXIMATE_FROM = 50
#: Figures in this range read as years, which are equal or not (2019 is not 2021).
YEARS = (1950, 2050)


#: A text's figures compared approximately: (value, its key ``"#value"``), smallest first.
Figures = tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class TextIndex:
    """What some activities' texts name, and how much each concept or figure counts.

    ``found``: per activity, its concepts and figures (:func:`concepts`); ``weight``: per
    concept or figure, its rarity in the export (:func:`rarity`); ``total``: per activity, the
    weight of all it names; ``figures``: per activity, the figures compared approximately.
    Built once for the activities of the pairs scored; a pair then costs a set intersection.
    """

    found: dict[str, frozenset[str]]
    weight: dict[str, float]
    total: dict[str, float]
    figures: dict[str, Figures]

    def similarity(self, a: str, b: str) -> float:
        """Weight of what both texts name (figures within :data:`FIGURE_TOLERANCE` included) /
        weight of what either names; 0 when either names nothing of the vocabulary."""
        fa, fb = self.found.get(a), self.found.get(b)
        if not fa or not fb:
            return 0.0
        weight = self.weight
        both = fa & fb
        # fsum: a set's order changes with the process's hash seed, and a score must not change
        # in its last digit from one run to the next (a pair at the threshold would come and go).
        shared = math.fsum(map(weight.__getitem__, both))
        xs, ys = self.figures[a], self.figures[b]
        if xs and ys:
            shared += math.fsum((weight[kx] + weight[ky]) / 2 for (_, kx), (_, ky) in _close_figures(xs, ys, both))
        return shared / (self.total[a] + self.total[b] - shared)

    def shared(self, a: str, b: str) -> list[str]:
        """The vocabulary's concepts both texts name (figures left out), in the vocabulary's order."""
        return list(_shared_concepts(self.found.get(a, frozenset()), self.found.get(b, frozenset())))

    def shared_figures(self, a: str, b: str) -> list[str]:
        """The figures both texts quote, smallest first, a close pair marked: ``["5", "23", "172 ≈ 169"]``."""
        fa, fb = self.found.get(a, frozenset()), self.found.get(b, frozenset())
        return list(_shared_figures(fa, fb, self.figures.get(a, ()), self.figures.get(b, ())))


# Many activities name the same set of concepts and figures (texts written from one template):
# what two such sets share is worked out once. A frozenset keeps its hash, so a look-up is cheap.
@functools.lru_cache(maxsize=1 << 16)
def _shared_concepts(a: frozenset[str], b: frozenset[str]) -> tuple[str, ...]:
    return tuple(shared_concepts(a, b))


@functools.lru_cache(maxsize=1 << 16)
def _shared_figures(fa: frozenset[str], fb: frozenset[str], xs: Figures, ys: Figures) -> tuple[str, ...]:
    both = fa & fb
    same = [(int(c[1:]), c[1:]) for c in both if c.startswith("#")]
    close = _close_figures(xs, ys, both)
    return tuple(words for _, words in sorted(same + [(x, f"{x} ≈ {y}") for (x, _), (y, _) in close]))


def _close_figures(xs: Figures, ys: Figures, both: frozenset[str]) -> list[tuple[tuple[int, str], tuple[int, str]]]:
    """Pairs of figures (value, ``"#value"``), one of each text, within :data:`FIGURE_TOLERANCE`
    of each other, each used once; figures both quote exactly (in ``both``) are left out."""
    pairs, used = [], []
    for x in xs:
        if x[1] in both:
            continue
        for y in ys:
            if abs(x[0] - y[0]) <= FIGURE_TOLERANCE * max(x[0], y[0]) and y[1] not in both and y not in used:
                used.append(y)
                pairs.append((x, y))
                break
    return pairs


def _approximate(figure: str) -> int | None:
    """A figure's value when it is compared approximately (not small, not a year), else None."""
    value = int(figure[1:])
    if value < APPROXIMATE_FROM or YEARS[0] <= value <= YEARS[1]:
        return None
    return value


def rarity(normalised_texts: Iterable[str]) -> dict[str, float]:
    """Per concept or figure the export's texts name: ``log((N + RARITY_PRIOR) / n)``, n of the
    N texts naming it (every activity of the export, whatever is selected, so a pair's score
    does not change with the filters)."""
    named: Counter[str] = Counter()
    n = 0
    for text in normalised_texts:
        named.update(concepts(text))
        n += 1
    return {c: math.log((n + RARITY_PRIOR) / k) for c, k in named.items()}


#: Texts read at a time when counting how rare each concept is in the export.
_TEXT_BATCH = 50_000
_RARITY: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_RARITY_LOCK = threading.Lock()


def concept_rarity(con) -> dict[str, float]:
    """How much each concept and figure counts in this export (:func:`rarity`),
    counted once per connection over every activity (an import opens a new connection)."""
    with _RARITY_LOCK:
        known = _RARITY.get(con)
    if known is not None:
        return known

    def texts():
        first = 1
        while True:
            batch = db.query(con, "duplication_text_batch", first=first, last=first + _TEXT_BATCH - 1)
            if batch.empty:
                return
            yield from map(normalise_text, batch["text"])
            first += _TEXT_BATCH

    weight = rarity(texts())
    with _RARITY_LOCK:
        _RARITY[con] = weight
    return weight


def text_index(normalised: dict[str, str], weight: dict[str, float]) -> TextIndex:
    """The :class:`TextIndex` of the activities in ``normalised`` (id -> normalised text), with
    the export's ``weight`` (:func:`rarity`); something ``weight`` lacks counts as the rarest."""
    found = {k: concepts(v) for k, v in normalised.items()}
    unseen = max(weight.values(), default=math.log(1 + RARITY_PRIOR))
    weight = {**{c: unseen for f in found.values() for c in f}, **weight}
    total = {k: math.fsum(weight[c] for c in f) for k, f in found.items()}
    figures = {}
    for k, f in found.items():
        figures[k] = tuple(sorted((v, c) for c in f if c.startswith("#") and (v := _approximate(c)) is not None))
    return TextIndex(found, weight, total, figures)


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
