"""``demo --activities N --seed S --out DIR``: a deterministic synthetic export.

The activities are invented; they follow each agency's mandate (ILO works on forced labour
with labour inspectors, UNICEF with children, UNODC with police and courts ...), start
between 2007 and a fixed calendar date (:data:`AS_OF`, some in the pipeline after it), and
fall where UNODC's GLOTIP data shows detected victims. The indicators written beside them
are the real GLOTIP table.

A known set of near-duplicate pairs is planted: two activities by different lead agencies
on the same work, reported as two agencies would report it (some in English and the other
in French or Spanish; codes, place, dates and budgets varied as :mod:`.plant` describes).
They are listed in ``planted_duplicates.csv``, and as many hard decoys (alike but not the
same work) in ``planted_decoys.csv``, so the duplicate detection can be measured on both.

Everything is drawn from ``numpy.random.Generator`` seeded with the seed and the chunk
number, and no clock is read, so the same N and seed give byte-identical parquet files.
Rows are made a chunk at a time with array operations (no Python loop per row) and written
with ``ParquetWriter``, so a million activities fit in well under a minute and modest memory.
"""

from __future__ import annotations

import argparse
import csv
import gettext
import io
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from icat_analysis import reference
from icat_analysis.sources import demo_library, glotip, plant
from icat_analysis.sources import demo_text as T
from icat_analysis.store import export
from icat_analysis.store.contract import (
    ACTIVITIES_SCHEMA,
    ACTIVITY_AGENCIES_SCHEMA,
    ACTIVITY_COUNTRIES_SCHEMA,
    CORE_ACTIVITIES_SCHEMA,
    INDICATORS_SCHEMA,
    with_optional_columns,
)
from icat_analysis.store.export import export_lock, link_tables

GENERATOR = "icat_analysis.sources.demo 1"
#: the demo's "today": statuses are derived against it, so output does not depend on the clock
AS_OF = date(2026, 11, 1)
FIRST_DAY = date(2007, 1, 1)
#: UN Women was operational from January 2011 and took over UNIFEM and UNDAW
UNWOMEN_START = date(2011, 1, 1)
CHUNK = 50_000
EPOCH = date(1970, 1, 1)

THEMES = reference.codes("theme")
TYPES = reference.codes("activity_type")
GROUPS = reference.codes("target_group")
FORMS = reference.codes("exploitation_form")


@dataclass(frozen=True)
class Profile:
    """How one agency's activities look: share of all activities and code probabilities."""

    weight: float
    themes: dict
    types: dict
    groups: dict
    forms: dict
    budget_median: float = 300_000
    scope: tuple = (0.70, 0.20, 0.10)  # national, regional, global
    first: date = FIRST_DAY
    last: date | None = None  # last possible start date (None: open, pipeline allowed)


# Shares and probabilities follow the mandates of Annex 1 of the 2006 report (see
# reference/agencies.csv). Codes not named get a small base probability.
PROFILES: dict[str, Profile] = {
    "UNODC": Profile(
        16,
        {"prosecution": 0.9, "protection": 0.35, "partnership": 0.35, "prevention": 0.2},
        {
            "capacity_building": 0.6,
            "technical_assistance": 0.5,
            "legislative_assistance": 0.4,
            "research_data": 0.3,
            "coordination": 0.2,
        },
        {"law_enforcement": 0.7, "judiciary": 0.6, "government_officials": 0.45, "victims_survivors": 0.15},
        {
            "sexual_exploitation": 0.5,
            "forced_labour": 0.5,
            "forced_criminality": 0.2,
            "organ_removal": 0.05,
            "other": 0.15,
        },
        900_000,
    ),
    "IOM": Profile(
        14,
        {"protection": 0.85, "prevention": 0.6, "partnership": 0.3, "prosecution": 0.1},
        {
            "victim_assistance": 0.7,
            "capacity_building": 0.4,
            "awareness_raising": 0.4,
            "coordination": 0.3,
            "technical_assistance": 0.3,
        },
        {
            "victims_survivors": 0.75,
            "migrants": 0.7,
            "government_officials": 0.3,
            "women": 0.25,
            "children": 0.2,
            "law_enforcement": 0.2,
        },
        {"sexual_exploitation": 0.5, "forced_labour": 0.6, "other": 0.15, "begging": 0.05},
        800_000,
    ),
    "UNICEF": Profile(
        10,
        {"protection": 0.8, "prevention": 0.7, "partnership": 0.2},
        {
            "victim_assistance": 0.4,
            "awareness_raising": 0.4,
            "capacity_building": 0.3,
            "coordination": 0.3,
            "technical_assistance": 0.3,
            "policy_advocacy": 0.2,
        },
        {
            "children": 0.97,
            "victims_survivors": 0.3,
            "civil_society": 0.25,
            "government_officials": 0.25,
            "general_public": 0.2,
        },
        {"sexual_exploitation": 0.5, "forced_labour": 0.3, "begging": 0.3, "forced_marriage": 0.3},
        700_000,
    ),
    "ILO": Profile(
        9,
        {"prevention": 0.8, "protection": 0.4, "partnership": 0.4, "prosecution": 0.1},
        {
            "capacity_building": 0.6,
            "technical_assistance": 0.5,
            "research_data": 0.3,
            "policy_advocacy": 0.3,
            "awareness_raising": 0.2,
        },
        {
            "labour_inspectors": 0.6,
            "private_sector": 0.5,
            "migrants": 0.4,
            "government_officials": 0.3,
            "children": 0.15,
        },
        {"forced_labour": 0.95, "begging": 0.05, "other": 0.1},
        600_000,
    ),
    "UNHCR": Profile(
        6,
        {"protection": 0.9, "prevention": 0.4},
        {"victim_assistance": 0.5, "technical_assistance": 0.3, "capacity_building": 0.3, "coordination": 0.3},
        {
            "refugees_asylum_seekers": 0.97,
            "victims_survivors": 0.4,
            "government_officials": 0.2,
            "women": 0.2,
            "children": 0.2,
        },
        {"sexual_exploitation": 0.4, "forced_labour": 0.4, "forced_marriage": 0.2, "other": 0.2},
        500_000,
    ),
    "UNWOMEN": Profile(
        6,
        {"protection": 0.7, "prevention": 0.6, "partnership": 0.3},
        {"policy_advocacy": 0.4, "awareness_raising": 0.4, "victim_assistance": 0.3, "capacity_building": 0.3},
        {"women": 0.97, "victims_survivors": 0.3, "civil_society": 0.3, "government_officials": 0.2},
        {"sexual_exploitation": 0.6, "forced_marriage": 0.4, "forced_labour": 0.2},
        400_000,
        first=UNWOMEN_START,
    ),
    "UNIFEM": Profile(
        6,
        {"protection": 0.6, "prevention": 0.7},
        {"awareness_raising": 0.4, "policy_advocacy": 0.4, "capacity_building": 0.3},
        {"women": 0.97, "civil_society": 0.3, "victims_survivors": 0.2},
        {"sexual_exploitation": 0.6, "forced_marriage": 0.3, "forced_labour": 0.2},
        250_000,
        last=UNWOMEN_START - timedelta(days=1),
    ),
    "UNDAW": Profile(
        2,
        {"partnership": 0.7, "prevention": 0.4},
        {"policy_advocacy": 0.7, "research_data": 0.4},
        {"women": 0.9, "government_officials": 0.5},
        {"sexual_exploitation": 0.5, "forced_marriage": 0.3},
        120_000,
        scope=(0.3, 0.2, 0.5),
        last=UNWOMEN_START - timedelta(days=1),
    ),
    "OHCHR": Profile(
        4,
        {"protection": 0.7, "partnership": 0.4, "prevention": 0.3},
        {"policy_advocacy": 0.8, "technical_assistance": 0.4, "research_data": 0.2},
        {"government_officials": 0.5, "civil_society": 0.5, "victims_survivors": 0.4, "judiciary": 0.2, "women": 0.15},
        {"sexual_exploitation": 0.3, "forced_labour": 0.3, "other": 0.2},
        250_000,
    ),
    "INTERPOL": Profile(
        4,
        {"prosecution": 0.95, "partnership": 0.4},
        {"capacity_building": 0.6, "coordination": 0.5, "research_data": 0.3, "technical_assistance": 0.3},
        {"law_enforcement": 0.97, "government_officials": 0.1},
        {"sexual_exploitation": 0.5, "forced_labour": 0.4, "forced_criminality": 0.2, "organ_removal": 0.1},
        400_000,
        scope=(0.45, 0.35, 0.2),
    ),
    "ICAO": Profile(
        1.5,
        {"prevention": 0.8, "prosecution": 0.4},
        {"capacity_building": 0.6, "technical_assistance": 0.6},
        {"law_enforcement": 0.8, "government_officials": 0.6, "private_sector": 0.3},
        {"sexual_exploitation": 0.2, "forced_labour": 0.2, "other": 0.3},
        300_000,
        scope=(0.5, 0.3, 0.2),
    ),
    "UNFPA": Profile(
        3,
        {"protection": 0.95, "prevention": 0.4},
        {"victim_assistance": 0.85, "capacity_building": 0.3, "awareness_raising": 0.3},
        {"victims_survivors": 0.8, "women": 0.8, "children": 0.2},
        {"sexual_exploitation": 0.8, "forced_marriage": 0.4},
        350_000,
    ),
    "UNDP": Profile(
        4,
        {"prevention": 0.7, "partnership": 0.5, "protection": 0.3},
        {"technical_assistance": 0.5, "policy_advocacy": 0.4, "coordination": 0.4, "awareness_raising": 0.2},
        {"government_officials": 0.5, "migrants": 0.4, "women": 0.4, "civil_society": 0.3},
        {"forced_labour": 0.4, "sexual_exploitation": 0.4},
        600_000,
    ),
    "UNESCO": Profile(
        2,
        {"prevention": 0.9, "partnership": 0.2},
        {"research_data": 0.6, "awareness_raising": 0.6, "policy_advocacy": 0.2},
        {"general_public": 0.5, "children": 0.4, "women": 0.3, "civil_society": 0.3},
        {"sexual_exploitation": 0.4, "forced_labour": 0.3},
        200_000,
    ),
    "UNICRI": Profile(
        2,
        {"prosecution": 0.5, "prevention": 0.5},
        {"research_data": 0.9, "capacity_building": 0.4},
        {"government_officials": 0.5, "law_enforcement": 0.4, "judiciary": 0.3, "civil_society": 0.2},
        {"sexual_exploitation": 0.4, "forced_labour": 0.3, "organ_removal": 0.1},
        250_000,
        scope=(0.4, 0.35, 0.25),
    ),
    "WHO": Profile(
        1.5,
        {"protection": 0.9, "prevention": 0.3},
        {"victim_assistance": 0.6, "research_data": 0.4, "capacity_building": 0.4, "technical_assistance": 0.3},
        {"victims_survivors": 0.8, "government_officials": 0.3, "women": 0.3},
        {"sexual_exploitation": 0.5, "organ_removal": 0.3, "forced_labour": 0.3},
        300_000,
    ),
    "UNAIDS": Profile(
        1.5,
        {"prevention": 0.7, "protection": 0.6},
        {"awareness_raising": 0.5, "policy_advocacy": 0.5, "victim_assistance": 0.3},
        {"women": 0.5, "victims_survivors": 0.5, "migrants": 0.3, "general_public": 0.3},
        {"sexual_exploitation": 0.8},
        200_000,
    ),
    "WORLDBANK": Profile(
        1,
        {"prevention": 0.7, "partnership": 0.5},
        {"research_data": 0.6, "technical_assistance": 0.5},
        {"government_officials": 0.7, "private_sector": 0.4, "migrants": 0.2},
        {"forced_labour": 0.6},
        1_500_000,
    ),
    "DPKO": Profile(
        1.5,
        {"prevention": 0.8, "protection": 0.4},
        {"capacity_building": 0.6, "awareness_raising": 0.4, "coordination": 0.3},
        {"law_enforcement": 0.5, "government_officials": 0.3, "women": 0.3, "children": 0.3, "general_public": 0.2},
        {"sexual_exploitation": 0.8},
        300_000,
    ),
}
DONORS = (
    "European Union",
    "United States of America",
    "United Kingdom",
    "Japan",
    "Norway",
    "Sweden",
    "Germany",
    "Netherlands",
    "Australia",
    "Canada",
    "Switzerland",
    "Republic of Korea",
    "UN Trust Fund for Victims of Trafficking",
    "UN Peacebuilding Fund",
    "Core resources",
    "Private foundation",
)
DONOR_P = np.array([0.35, 0.3, 0.2, 0.15, 0.12, 0.12, 0.12, 0.1, 0.1, 0.08, 0.08, 0.05, 0.06, 0.04, 0.2, 0.05])
_BASE = 0.03  # probability of a code the profile does not name
_EXTRA = 0.55  # scale on the probabilities of codes beyond the primary one
_NO_FORM = 0.1  # share of activities that name no form of exploitation
_PLANT_RATE = 100  # one planted pair per this many activities
_MIN_WEIGHTED = 50  # fewer countries with detections than this: weigh all countries alike
_UNINHABITED = {"ATA", "BVT", "HMD", "SGS", "UMI", "IOT", "ATF"}


def _days(d: date) -> int:
    return (d - EPOCH).days


# ----------------------------------------------------------------------------------------
# Static tables the generator draws from (agencies, countries, words)
# ----------------------------------------------------------------------------------------


class Tables:
    """Everything that does not depend on the seed, built once per run."""

    def __init__(self, country_weights: dict[str, float] | None):
        self.agencies = [a for a in reference.agency_codes() if a in PROFILES]
        self.A = len(self.agencies)
        prof = [PROFILES[a] for a in self.agencies]
        self.weight = np.array([p.weight for p in prof], float)
        self.first = np.array([_days(p.first) for p in prof])
        self.last = np.array([_days(p.last) if p.last else _days(AS_OF) + 540 for p in prof])
        self.open = np.array([p.last is None for p in prof])
        self.scope_cum = np.cumsum([p.scope for p in prof], axis=1)
        self.budget_median = np.array([p.budget_median for p in prof])

        def matrix(attr: str, codes: list[str]) -> np.ndarray:
            m = np.full((self.A, len(codes)), _BASE)
            for i, p in enumerate(prof):
                for code, v in getattr(p, attr).items():
                    m[i, codes.index(code)] = v
            return m

        self.P = {
            "themes": matrix("themes", THEMES),
            "activity_types": matrix("types", TYPES),
            "target_groups": matrix("groups", GROUPS),
            "exploitation_forms": matrix("forms", FORMS),
        }
        for m in self.P.values():
            assert m.max() <= 1
        self.P["themes"][self.P["themes"] == _BASE] = 0.0  # themes come only from the mandate

        ref = reference.countries()
        ref = ref[ref["sub_region"].notna() & ~ref["iso3"].isin(_UNINHABITED)].reset_index(drop=True)
        if country_weights:
            w = ref["iso3"].map(country_weights).fillna(0.0).to_numpy(float)
            # Detections range from a handful to tens of thousands; a square root keeps the
            # big reporters ahead without leaving the rest of the map empty.
            w = np.where(w > 0, np.sqrt(w + 25.0), 0.0)
            if (w > 0).sum() < _MIN_WEIGHTED:  # a partial table (a test sample): no weighting
                w = np.ones(len(ref))
        else:
            w = np.ones(len(ref))
        keep = w > 0
        ref = ref[keep].reset_index(drop=True)
        self.country_w = w[keep] / w[keep].sum()
        self.iso3 = ref["iso3"].to_numpy()
        self.C = len(self.iso3)
        self.sub = ref["sub_region"].to_numpy()
        self.sub_names = sorted(set(self.sub))
        self.sub_members = {s: np.nonzero(self.sub == s)[0] for s in self.sub_names}
        self.sub_regional = [s for s in self.sub_names if len(self.sub_members[s]) >= 2]
        sw = np.array([self.country_w[self.sub_members[s]].sum() for s in self.sub_regional])
        self.sub_w = sw / sw.sum()
        fr_names, es_names = _translated_names(ref)
        en_names = [T.english_name(n) for n in ref["name"]]
        self.lang_of_country = np.array(
            [1 if c in T.FRENCH_SPEAKING else 2 if c in T.SPANISH_SPEAKING else 0 for c in self.iso3]
        )
        # location phrases: index lang * (2C + 1) + (country | C + country | 2C for global)
        loc = []
        for lang, names in zip(T.LANGS, (en_names, fr_names, es_names)):
            f = T.LOC[lang]
            place = [T.french_location(n) for n in names] if lang == "fr" else names
            loc += [f["national"].format(c=p) for p in place]
            loc += [f["regional"].format(c=p) for p in place]
            loc.append(f["global"])
        self.loc = pa.array(loc)

        def words(table: dict, codes: list[str]) -> pa.Array:
            return pa.array([table[lang][c] for lang in T.LANGS for c in codes])

        self.w_group = words(T.GROUPS, GROUPS)
        self.w_form = words(T.FORMS_TITLE, [*FORMS, ""])
        self.w_form_noun = words(T.FORMS_NOUN, [*FORMS, ""])
        self.w_type = words(T.TYPES_NOUN, TYPES)
        nf = len(T.FOCUS["en"])
        self.n_focus = nf
        self.w_focus = pa.array([T.FOCUS_LEAD[lang] + f for lang in T.LANGS for f in T.FOCUS[lang]] + [""])
        self.w_agency = pa.array(
            [a if lang == "en" else T.AGENCY_NAMES[lang][a] for lang in T.LANGS for a in self.agencies]
        )
        self.w_ministry = pa.array([m for lang in T.LANGS for m in T.MINISTRIES[lang]])
        self.n_ministry = len(T.MINISTRIES["en"])
        self.title_templates = [t for lang in T.LANGS for ty in TYPES for t in T.TITLES[lang][ty]]
        self.what_templates = [t for lang in T.LANGS for t in T.DESC_WHAT[lang]]
        self.scale_templates = [t for lang in T.LANGS for t in T.DESC_SCALE[lang]]
        self.more_templates = [t for lang in T.LANGS for t in T.DESC_MORE[lang]]
        self.n_more = len(T.DESC_MORE["en"])


def _translated_names(ref) -> tuple[list[str], list[str]]:
    """French and Spanish country names from the ISO 3166 translations pycountry ships."""
    import pycountry

    special = {
        "COD": ("République démocratique du Congo", "República Democrática del Congo"),
        "KOR": ("République de Corée", "República de Corea"),
        "PRK": ("République populaire démocratique de Corée", "República Popular Democrática de Corea"),
        "PSE": ("État de Palestine", "Estado de Palestina"),
        "VGB": ("Îles Vierges britanniques", "Islas Vírgenes Británicas"),
        "VIR": ("Îles Vierges des États-Unis", "Islas Vírgenes de los Estados Unidos"),
    }
    out = []
    for lang in ("fr", "es"):
        try:
            tr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
        except OSError:
            tr = gettext.NullTranslations()
        names = []
        for iso3, en in zip(ref["iso3"], ref["name"]):
            if iso3 in special:
                names.append(special[iso3][lang == "es"])
                continue
            c = pycountry.countries.get(alpha_3=iso3)
            name = tr.gettext(c.name) if c else en
            names.append(name.split(", ")[0])
        out.append(names)
    return out[0], out[1]


# ----------------------------------------------------------------------------------------
# Vectorised helpers
# ----------------------------------------------------------------------------------------


def _categorical(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One draw per row from each row's (unnormalised) probabilities."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs)) * cum[:, -1]
    return np.minimum((u[:, None] > cum).sum(axis=1), probs.shape[1] - 1)


def _list_array(mask: np.ndarray, values: pa.Array) -> pa.Array:
    """A LIST<VARCHAR> with, for each row, the values whose column is set in ``mask``."""
    counts = mask.sum(axis=1)
    offsets = np.zeros(len(mask) + 1, np.int32)
    np.cumsum(counts, out=offsets[1:])
    cols = np.nonzero(mask)[1]
    return pa.ListArray.from_arrays(pa.array(offsets), values.take(pa.array(cols)))


def _padded_list(mat: np.ndarray, values: pa.Array) -> pa.Array:
    """A LIST<VARCHAR> from a matrix of value indices padded with -1."""
    mask = mat >= 0
    counts = mask.sum(axis=1)
    offsets = np.zeros(len(mat) + 1, np.int32)
    np.cumsum(counts, out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets), values.take(pa.array(mat[mask])))


def _render(templates: list[str], which: np.ndarray, slots: dict[str, pa.Array]) -> pa.Array:
    """Fill ``templates[which[i]]`` with row i of each slot array, a template at a time."""
    import string

    n = len(which)
    pieces, order = [], []
    for t in np.unique(which):
        rows = np.nonzero(which == t)[0]
        idx = pa.array(rows)
        parts = []
        for literal, field, _, _ in string.Formatter().parse(templates[t]):
            if literal:
                parts.append(pa.scalar(literal, pa.string()))
            if field is not None:
                parts.append(slots[field].take(idx))
        if not any(isinstance(p, pa.Array) for p in parts):  # a sentence with no slot
            pieces.append(pa.repeat(pa.scalar("".join(p.as_py() for p in parts)), len(rows)))
        else:
            pieces.append(pc.binary_join_element_wise(*parts, "") if len(parts) > 1 else parts[0])
        order.append(rows)
    joined = pa.concat_arrays([p.cast(pa.string()) for p in pieces])
    inverse = np.empty(n, np.int64)
    inverse[np.concatenate(order)] = np.arange(n)
    return joined.take(pa.array(inverse))


# ----------------------------------------------------------------------------------------
# One chunk of activities
# ----------------------------------------------------------------------------------------


def _chunk(tb: Tables, seed: int, chunk_no: int, start_no: int, n: int, id_width: int):
    """Activities ``start_no .. start_no + n - 1``; returns (table, planted pairs)."""
    rng = np.random.default_rng([seed, chunk_no])
    A, as_of = tb.A, _days(AS_OF)

    # When: most starts are in the past, skewed towards recent years; a few in the pipeline.
    # The lead depends on the start, since UNIFEM and UNDAW became UN Women in 2011.
    pipeline = rng.random(n) < 0.06
    u = rng.random(n) ** 0.8
    start = np.where(
        pipeline,
        as_of + 1 + (rng.random(n) * 540).astype(np.int64),
        _days(FIRST_DAY) + (u * (as_of - _days(FIRST_DAY))).astype(np.int64),
    )
    alive = (start[:, None] >= tb.first[None, :]) & (start[:, None] <= tb.last[None, :])
    lead = _categorical(rng, alive * tb.weight[None, :])

    # What: a primary theme, type, target group and form from the lead's mandate, plus others.
    masks, primary = {}, {}
    for col in ("themes", "activity_types", "target_groups", "exploitation_forms"):
        p = tb.P[col][lead]
        primary[col] = _categorical(rng, p)
        m = rng.random(p.shape) < p * _EXTRA
        m[np.arange(n), primary[col]] = True
        masks[col] = m
    no_form = rng.random(n) < _NO_FORM
    masks["exploitation_forms"][no_form] = False

    # Where: scope from the lead's profile, countries weighted by GLOTIP detections.
    scope = (rng.random(n)[:, None] > tb.scope_cum[lead]).sum(axis=1)  # 0 national 1 regional 2 global
    countries = np.full((n, 8), -1, np.int64)
    nat = np.nonzero(scope == 0)[0]
    countries[nat, 0] = rng.choice(tb.C, size=len(nat), p=tb.country_w)
    reg = np.nonzero(scope == 1)[0]
    reg_sub = rng.choice(len(tb.sub_regional), size=len(reg), p=tb.sub_w)
    for s_i, s in enumerate(tb.sub_regional):
        rows = reg[reg_sub == s_i]
        if not len(rows):
            continue
        members = tb.sub_members[s]
        k = rng.integers(2, min(8, len(members)) + 1, size=len(rows))
        # weighted sampling without replacement (Efraimidis-Spirakis keys), k per row
        w = tb.country_w[members]
        keys = np.log(rng.random((len(rows), len(members)))) / w[None, :]
        best = np.argsort(-keys, axis=1)[:, :8]
        picked = members[best]
        picked[np.arange(8)[None, : picked.shape[1]] >= k[:, None]] = -1
        countries[rows, : picked.shape[1]] = picked

    # How long and how much.
    duration = np.clip(rng.lognormal(np.log(700), 0.5, n), 180, 2555).astype(np.int64)
    end = start + duration
    ongoing = (rng.random(n) < 0.05) & (start > _days(date(2015, 1, 1)))
    budget = tb.budget_median[lead] * np.array([1.0, 2.0, 3.0])[scope] * rng.lognormal(0.0, 1.3, n)
    # a long tail, but no single anti-trafficking activity above USD 30 million
    budget = np.clip(np.round(budget / 1000.0) * 1000.0, 5000.0, 30_000_000.0)
    budget_missing = rng.random(n) < 0.1

    # Words: language by country, template variants, numbers for the description.
    first_country = countries[:, 0]
    local = tb.lang_of_country[np.maximum(first_country, 0)] * (first_country >= 0)
    lang = np.where(rng.random(n) < 0.5, local, 0)
    lang = np.where((scope == 2) & (rng.random(n) < 0.05), rng.integers(1, 3, n), lang)
    variant = rng.integers(0, 3, n)
    focus = np.where(rng.random(n) < 0.55, rng.integers(0, tb.n_focus, n), -1)
    what_v = rng.integers(0, 3, n)
    scale_v = rng.integers(0, 3, n)
    people = np.round(rng.lognormal(np.log(400), 1.0, n)).astype(np.int64) + 20
    places = rng.integers(2, 15, n)
    months = np.clip(duration // 30, 6, 84)
    more_a = rng.integers(0, tb.n_more, n)
    more_b = (more_a + rng.integers(1, tb.n_more, n)) % tb.n_more
    ministry = rng.integers(0, tb.n_ministry, n)

    # Planted near-duplicates: row b becomes a copy of row a's work by another lead agency,
    # reported the way another agency would report it (plant.py: subsets of codes, near
    # synonyms, national inside regional, partial overlap, a missing budget or end date).
    # The variations and the decoys draw from their own stream, so the other rows stay as
    # they were before these variations existed.
    n_pairs = n // _PLANT_RATE
    pairs, decoys = [], []
    if n_pairs:
        vary = plant.Variations(tb, np.random.default_rng([seed, chunk_no, 16]))
        candidates = np.nonzero(scope < 2)[0]
        a_rows = rng.choice(candidates, size=min(n_pairs, len(candidates) // 2), replace=False)
        rest = np.setdiff1d(np.arange(n), a_rows)
        b_rows = rng.choice(rest, size=len(a_rows), replace=False)
        kinds = rng.integers(0, 3, len(a_rows))  # 0 same title, 1 reworded, 2 other language
        shift = rng.integers(-90, 91, len(a_rows))
        rows = plant.Rows(
            start, end, duration, ongoing, pipeline, scope, countries, masks, primary, no_form, budget_missing, lead
        )
        for a, b, kind, sh in zip(a_rows, b_rows, kinds, shift):
            start[b] = min(max(start[a] + sh, _days(FIRST_DAY)), tb.last.max())
            end[b] = end[a] + rng.integers(-90, 91)
            end[b] = max(end[b], start[b] + 180)
            duration[b] = end[b] - start[b]
            ongoing[b] = ongoing[a]
            pipeline[b] = start[b] > as_of
            scope[b] = scope[a]
            countries[b] = countries[a]
            for col in masks:
                masks[col][b] = masks[col][a]
                primary[col][b] = primary[col][a]
            no_form[b] = no_form[a]
            varied = vary.duplicate(rows, int(a), int(b), as_of)
            ok = (start[b] >= tb.first) & (start[b] <= tb.last)
            ok[lead[a]] = False
            # a second agency whose mandate fits the same target group (or else type of work)
            cand = np.nonzero(ok & (tb.P["target_groups"][:, primary["target_groups"][a]] >= 0.2))[0]
            if not len(cand):
                cand = np.nonzero(ok & (tb.P["activity_types"][:, primary["activity_types"][a]] >= 0.4))[0]
            if not len(cand):
                cand = np.nonzero(ok)[0]
            lead[b] = rng.choice(cand, p=tb.weight[cand] / tb.weight[cand].sum())
            budget[b] = np.round(budget[a] * rng.uniform(0.6, 1.5) / 1000.0) * 1000.0
            budget_missing[b] = budget_missing[a] or "no budget" in varied
            focus[b] = focus[a]
            what_v[b] = what_v[a]
            scale_v[b] = scale_v[a]
            people[b] = max(20, int(people[a] * rng.uniform(0.85, 1.15)))
            places[b] = places[a]
            months[b] = months[a]
            more_b[b] = more_a[a]  # one sentence in common, one different
            more_a[b] = (more_a[a] + 1 + rng.integers(0, tb.n_more - 2)) % tb.n_more
            if more_a[b] == more_b[b]:
                more_a[b] = (more_a[b] + 1) % tb.n_more
            ministry[b] = ministry[a]
            if kind == 2:
                lang[a] = 0
                lang[b] = tb.lang_of_country[max(countries[a][0], 0)] or int(rng.integers(1, 3))
                variant[b] = variant[a]
                note = f"same work, described in English and in {'French' if lang[b] == 1 else 'Spanish'}"
            elif kind == 1:
                lang[b] = lang[a]
                variant[b] = (variant[a] + 1 + rng.integers(0, 2)) % 3
                note = "same work, title reworded"
            else:
                lang[b] = lang[a]
                variant[b] = variant[a]
                note = "same work, same title wording"
            pairs.append((int(a), int(b), "; ".join([note, *varied])))
        # Hard decoys: work a planner would not call a duplicate, copied from another row.
        taken = set(a_rows.tolist()) | set(b_rows.tolist())
        free = np.array([i for i in range(n) if i not in taken and scope[i] < 2], dtype=np.int64)
        picks = vary.rng.choice(free, size=min(2 * n_pairs, len(free) // 2 * 2), replace=False)
        for a, c in zip(picks[0::2], picks[1::2]):
            note = vary.decoy(rows, int(a), int(c), as_of)
            for arr in (focus, what_v, scale_v, places, months, ministry, lang, variant, more_a, more_b):
                arr[c] = arr[a]
            budget[c] = np.round(budget[a] * vary.rng.uniform(0.6, 1.5) / 1000.0) * 1000.0
            decoys.append((int(a), int(c), note))

    # Partners: about a fifth of activities are joint, with 1-3 agencies other than the lead
    # that existed at the start. Planted pairs must not be partners of each other.
    joint = rng.random(n) < 0.2
    n_part = np.where(joint, rng.choice([1, 2, 3], size=n, p=[0.6, 0.3, 0.1]), 0)
    alive = (start[:, None] >= tb.first[None, :]) & (start[:, None] <= tb.last[None, :])
    alive[np.arange(n), lead] = False
    keys = np.where(alive, np.log(rng.random((n, A))) / tb.weight[None, :], -np.inf)
    order = np.argsort(-keys, axis=1)[:, :3]
    partners = np.where(np.arange(3)[None, :] < n_part[:, None], order, -1)
    partners[~np.take_along_axis(alive, np.maximum(partners, 0), axis=1)] = -1
    for a, b, _ in pairs + decoys:
        partners[a][partners[a] == lead[b]] = -1
        partners[b][partners[b] == lead[a]] = -1

    # Status from the dates, against the demo's fixed calendar; a few cancelled.
    end_final = np.where(ongoing, -1, end)
    status_idx = np.where(start > as_of, 0, np.where(~ongoing & (end < as_of), 2, 1))
    cancelled = (status_idx != 0) & (rng.random(n) < 0.02)
    status_idx = np.where(cancelled, 3, status_idx)
    status = pa.array(["pipeline", "active", "completed", "cancelled"]).take(pa.array(status_idx))
    upto = np.minimum(np.where(ongoing, as_of, end), as_of)
    lu = np.where(
        start > as_of,
        as_of - rng.integers(0, 180, n),
        np.minimum(start + (rng.random(n) * (upto - start + 120)).astype(np.int64), as_of),
    )

    donor_mask = rng.random((n, len(DONORS))) < DONOR_P[None, :] * 0.8
    donor_mask[rng.random(n) < 0.15] = False

    # Text. Indices into the flattened word tables are lang * size + code.
    C = tb.C
    loc_idx = np.where(scope == 2, 2 * C, np.where(scope == 1, C, 0) + np.maximum(first_country, 0))
    loc_idx = lang * (2 * C + 1) + loc_idx
    form_code = np.where(no_form, len(FORMS), primary["exploitation_forms"])
    nfo = len(FORMS) + 1
    slots = {
        "g": tb.w_group.take(pa.array(lang * len(GROUPS) + primary["target_groups"])),
        "f": tb.w_form.take(pa.array(lang * nfo + form_code)),
        "fn": tb.w_form_noun.take(pa.array(lang * nfo + form_code)),
        "t": tb.w_type.take(pa.array(lang * len(TYPES) + primary["activity_types"])),
        "loc": tb.loc.take(pa.array(loc_idx)),
        "focus": tb.w_focus.take(pa.array(np.where(focus >= 0, lang * tb.n_focus + focus, 3 * tb.n_focus))),
        "a": tb.w_agency.take(pa.array(lang * A + lead)),
        "min": tb.w_ministry.take(pa.array(lang * tb.n_ministry + ministry)),
        "n": pc.cast(pa.array(people), pa.string()),
        "k": pc.cast(pa.array(places), pa.string()),
        "m": pc.cast(pa.array(months), pa.string()),
    }
    title = _render(tb.title_templates, (lang * len(TYPES) + primary["activity_types"]) * 3 + variant, slots)
    what = _render(tb.what_templates, lang * 3 + what_v, slots)
    scale_s = _render(tb.scale_templates, lang * 3 + scale_v, slots)
    more1 = _render(tb.more_templates, lang * tb.n_more + more_a, slots)
    more2 = _render(tb.more_templates, lang * tb.n_more + more_b, slots)
    description = pc.binary_join_element_wise(what, scale_s, more1, more2, " ")

    agencies = pa.array(tb.agencies)
    lead_arr = agencies.take(pa.array(lead))
    numbers = pc.utf8_lpad(pc.cast(pa.array(np.arange(start_no, start_no + n)), pa.string()), id_width, "0")
    ids = pc.binary_join_element_wise(lead_arr, pa.scalar("-DEMO-"), numbers, "")
    scope_arr = pa.array(["national", "regional", "global"]).take(pa.array(scope))

    def dates(days: np.ndarray) -> pa.Array:
        return pa.array(days.astype(np.int32), pa.int32(), mask=days < 0).cast(pa.date32())

    # Sharing levels draw on a generator of their own, so adding them left every other value
    # of a seeded export as it was: about one activity in seven is for members only, and a
    # quarter of the public ones keep their budget for members.
    share = np.random.default_rng([seed, chunk_no, 1]).random((2, n))
    members_only = share[0] < 0.15
    budget_members = members_only | (share[1] < 0.25)
    levels = pa.array(["public", "members"])

    created = _created_at(seed)
    table = pa.table(
        {
            "activity_id": ids,
            "title": title,
            "description": description,
            "lead_agency": lead_arr,
            "partner_agencies": _padded_list(partners, agencies),
            "scope": scope_arr,
            "countries": _padded_list(countries, pa.array(tb.iso3)),
            "start_date": dates(start),
            "end_date": dates(end_final),
            "status": status,
            "budget_usd": pa.array(budget, pa.float64(), mask=budget_missing),
            "themes": _list_array(masks["themes"], pa.array(THEMES)),
            "activity_types": _list_array(masks["activity_types"], pa.array(TYPES)),
            "target_groups": _list_array(masks["target_groups"], pa.array(GROUPS)),
            "exploitation_forms": _list_array(masks["exploitation_forms"], pa.array(FORMS)),
            "donors": _list_array(donor_mask, pa.array(DONORS)),
            "last_updated": dates(lu),
            "visibility": levels.take(pa.array(members_only.astype(np.int8))),
            "budget_visibility": levels.take(pa.array(budget_members.astype(np.int8))),
            "is_joint": pa.array((partners >= 0).any(axis=1)),
            "source_file": pa.array(np.full(n, f"demo (seed {seed})", dtype=object), pa.string()),
            "imported_at": pa.array(np.full(n, np.datetime64(created, "us"))),
        },
        schema=CORE_ACTIVITIES_SCHEMA,
    )
    table = with_optional_columns(table)
    id_list = table.column("activity_id").to_pylist() if pairs else []
    planted = [(id_list[a], id_list[b], note) for a, b, note in pairs]
    decoyed = [(id_list[a], id_list[b], note) for a, b, note in decoys]
    return table, planted, decoyed


def _created_at(seed: int) -> datetime:
    """A fixed timestamp derived from the seed (never the clock), so files are reproducible."""
    return datetime(AS_OF.year, AS_OF.month, AS_OF.day) + timedelta(seconds=int(seed) % 86_400)


# ----------------------------------------------------------------------------------------
# The export
# ----------------------------------------------------------------------------------------


def glotip_weights(table: pa.Table | None) -> dict[str, float] | None:
    """Detected victims per iso3 (all years, the total/total/total/total rows) from GLOTIP."""
    if table is None or table.num_rows == 0:
        return None
    import duckdb

    con = duckdb.connect()
    con.register("ind", table)
    rows = con.execute(
        """SELECT iso3, sum(coalesce(value, 2.0)) FROM ind
           WHERE indicator = 'Detected trafficking victims' AND dimension = 'Total'
             AND category = 'Total' AND sex = 'Total' AND age = 'Total' AND iso3 IS NOT NULL
           GROUP BY iso3"""
    ).fetchall()
    con.close()
    return {iso3: float(v) for iso3, v in rows}


def generate(out: Path, n: int, seed: int, glotip_file: Path | None) -> dict:
    """Write the synthetic export of ``n`` activities to ``out``; returns the manifest.

    Into a versioned export (one with ``current``) it is a new version like an import, so it
    can be undone. Into a new or flat directory it writes the flat layout the repository ships
    (fixed file names, nothing dated): files go to a work directory first and are moved in only
    when all are complete, so a failure leaves ``out`` as it was.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    indicators = None
    if glotip_file is not None and Path(glotip_file).exists():
        indicators = glotip.read_table(glotip_file)
    tb = Tables(glotip_weights(indicators))
    with export_lock(out):
        if export.is_versioned(out):
            return _new_version(out, tb, n, seed, indicators, glotip_file)
        return export.write_flat(out, lambda work: _write_files(work, tb, n, seed, indicators, glotip_file))


def _new_version(out: Path, tb: Tables, n: int, seed: int, indicators, glotip_file) -> dict:
    _, lineage = export.start_version(out)
    now = datetime.now(UTC)
    staged = export.stage(out, now)
    manifest = _write_files(staged, tb, n, seed, indicators, glotip_file)
    export.commit(out, staged, manifest, made_at=now, made_by="demo", lineage=lineage)
    export.prune(out, now=now)
    return export.read_manifest(out)


def _write_files(work: Path, tb: Tables, n: int, seed: int, indicators: pa.Table | None, glotip_file) -> dict:
    id_width = max(6, len(str(max(n - 1, 0))))
    writers = {
        name: pq.ParquetWriter(work / name, schema, compression="zstd")
        for name, schema in (
            ("activities.parquet", ACTIVITIES_SCHEMA),
            ("activity_countries.parquet", ACTIVITY_COUNTRIES_SCHEMA),
            ("activity_agencies.parquet", ACTIVITY_AGENCIES_SCHEMA),
        )
    }
    planted: list[tuple[str, str, str]] = []
    decoys: list[tuple[str, str, str]] = []
    counts = {name: 0 for name in writers}
    try:
        for chunk_no, start_no in enumerate(range(0, n, CHUNK)):
            table, pairs, chunk_decoys = _chunk(tb, seed, chunk_no, start_no, min(CHUNK, n - start_no), id_width)
            planted += pairs
            decoys += chunk_decoys
            for name, t in {"activities.parquet": table, **link_tables(table)}.items():
                t = t.select(writers[name].schema.names).cast(writers[name].schema)
                writers[name].write_table(t)
                counts[name] += t.num_rows
        if n == 0:
            for w in writers.values():
                w.write_table(w.schema.empty_table())
    finally:
        for w in writers.values():
            w.close()
    ind = indicators if indicators is not None else INDICATORS_SCHEMA.empty_table()
    pq.write_table(ind, work / "indicators.parquet", compression="zstd")
    counts["indicators.parquet"] = ind.num_rows
    # The library and the calendar: the founding report's real resources and events, then synthetic ones.
    for name, t in demo_library.tables(seed, _created_at(seed)).items():
        pq.write_table(t, work / name, compression="zstd")
        counts[name] = t.num_rows

    for name, rows in (("planted_duplicates.csv", planted), ("planted_decoys.csv", decoys)):
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["activity_id_a", "activity_id_b", "note"])
        writer.writerows(rows)
        (work / name).write_text(buf.getvalue(), encoding="utf-8")

    sources = [
        {
            "name": "Synthetic activities",
            "citation": "Generated by icat_analysis.sources.demo; no real agency activity is described.",
            "used_for": "activities.parquet",
        }
    ]
    created = _created_at(seed)
    manifest = {
        "synthetic": True,
        "generator": GENERATOR,
        "seed": int(seed),
        "activities": int(n),
        "as_of": AS_OF.isoformat(),
        "created_at": created.isoformat(),
        "updated_at": created.isoformat(),
        "planted_duplicates": {"file": "planted_duplicates.csv", "pairs": len(planted)},
        "planted_decoys": {"file": "planted_decoys.csv", "pairs": len(decoys)},
        "row_counts": {name.removesuffix(".parquet"): c for name, c in counts.items()},
    }
    if indicators is not None:
        update = glotip.manifest_update(Path(glotip_file), indicators, sources)
        sources = update["sources"]
        manifest["indicators"] = update["indicators"]
    else:
        manifest["indicators"] = {"rows": 0, "note": "no GLOTIP file was available; the indicators table is empty"}
    manifest["sources"] = [*sources, *demo_library.sources_entries()]
    return manifest


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--activities", type=int, default=2000, metavar="N", help="number of activities (default 2000)")
    parser.add_argument("--seed", type=int, default=2006, metavar="S", help="random seed (default 2006)")
    parser.add_argument("--out", metavar="DIR", help="export directory (default: ICAT_DATA_DIR or data/demo/)")
    parser.add_argument(
        "--glotip",
        metavar="FILE",
        default=str(glotip.DEFAULT_FILE),
        help="GLOTIP file for the real indicators (default: data/source copy); missing = empty indicators",
    )


def run(args: argparse.Namespace) -> int:
    from icat_analysis import paths

    if args.activities < 0 or args.seed < 0:
        print("demo: --activities and --seed must be 0 or more", file=sys.stderr)
        return 2
    out = paths.data_dir(args.out)
    glotip_file = Path(args.glotip) if args.glotip else None
    if glotip_file is not None and not glotip_file.exists():
        print(f"{glotip_file}: not found; the indicators table will be empty", file=sys.stderr)
        glotip_file = None
    try:
        manifest = generate(out, args.activities, args.seed, glotip_file)
    except glotip.GlotipError as exc:
        for line in exc.problems:
            print(line, file=sys.stderr)
        return 1
    rc = manifest["row_counts"]
    print(
        f"{rc['activities']} synthetic activities (seed {args.seed}), {manifest['planted_duplicates']['pairs']} planted "
        f"duplicate pairs and {rc['indicators']} indicator rows written to {out}"
    )
    return 0
