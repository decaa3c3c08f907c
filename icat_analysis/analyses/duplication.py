"""Duplication hot-spots: which activities of different agencies look like the same work.

A candidate pair is two activities whose lead agencies differ, where neither lead is a
partner of the other, that share a country, a theme and some time. Each pair gets a score
from 0 to 1 built from parts a planner can check by hand (docs/DUPLICATION.md):

- ``time``: days both run / days of the shorter one (no end date = runs until today);
- ``place``: 1 / sqrt(countries of A x countries of B): two national activities in one country
  score 1, two activities spread over five countries each score 0.2;
- ``activity_types``, ``target_groups``, ``exploitation_forms``: shared / listed by either
  (Jaccard); 0 when neither lists any, so a score rests only on what agencies recorded;
- ``text``: how alike the titles and descriptions read (rapidfuzz token set ratio on
  lower-cased, accent-free words).

``structured`` is the weighted mean of the first five; ``score`` is the larger of
``structured`` and the weighted mean of all six. Text can raise a score but never lower it:
a French and an English description of the same work share few words, and that says
nothing about whether the work differs.

Blocking by country, theme and period happens in SQL (sql/duplication_candidates.sql),
which also drops pairs that could not reach the threshold even with identical texts, so
only a small share of pairs is ever scored on text.
"""

from __future__ import annotations

import argparse
import csv
import functools
import math
import re
import sys
import unicodedata
from collections.abc import Sequence
from functools import cache

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from icat_analysis import reference, spreadsheet
from icat_analysis.filters import Filters
from icat_analysis.paths import data_dir as resolve_data_dir
from icat_analysis.store import db, export

#: Weights of the parts of the score: the one place they are set (docs/DUPLICATION.md explains them).
WEIGHTS: dict[str, float] = {
    "time": 0.20,
    "place": 0.20,
    "activity_types": 0.15,
    "target_groups": 0.15,
    "exploitation_forms": 0.10,
    "text": 0.20,
}
STRUCTURED_PARTS = ("time", "place", "activity_types", "target_groups", "exploitation_forms")
assert abs(sum(WEIGHTS.values()) - 1.0) < 1e-9, "the weights of the score add up to 1"
#: Pairs scoring at least this are shown as likely duplicates (the dashboard's slider starts here).
DEFAULT_THRESHOLD = 0.92
#: The slider's range on the page: from 0.86 up, a pair must share an activity type and a
#: target group to reach the threshold, which keeps the search small on large exports.
THRESHOLD_RANGE = (0.86, 0.99)
#: From this threshold up, pairs meet only on the exact codes they share (a few small blocks
#: per activity); below it, on any shared code (slower on a large export, same pairs).
NARROW_FROM = THRESHOLD_RANGE[0]
#: Width of the period buckets pairs meet in (days): a host activity is listed in every bucket
#: it spans, the shorter activity of a pair in the bucket of its middle day (docs/DUPLICATION.md).
PERIOD_DAYS = 1461

_CODE_LISTS = {
    "theme_codes": "theme",
    "type_codes": "activity_type",
    "group_codes": "target_group",
    "form_codes": "exploitation_form",
}
PAIR_COLUMNS = [
    "activity_id_a",
    "activity_id_b",
    "score",
    "structured",
    *STRUCTURED_PARTS,
    "text",
    "lead_a",
    "lead_b",
    "countries",
    "themes",
    "activity_types_shared",
    "target_groups_shared",
    "exploitation_forms_shared",
    "overlap_days",
    "budget_a",
    "budget_b",
]


# ---- candidates and structured parts (SQL) ---------------------------------------------
def candidate_pairs(con, filters: Filters | None = None, *, iso3: str | None = None, threshold: float = 0.0):
    """One row per candidate pair and shared country, with the structured parts of the score.

    Pairs that could not reach ``threshold`` even with identical texts are left out
    (``threshold=0`` keeps every candidate).
    """
    params = {f"w_{k}": float(v) for k, v in WEIGHTS.items()}
    params.update({k: reference.codes(v) for k, v in _CODE_LISTS.items()})
    need = must_share(threshold)
    params.update(
        narrow=bool(threshold >= NARROW_FROM - 1e-12),
        need_type="activity_types" in need,
        need_group="target_groups" in need,
        need_form="exploitation_forms" in need,
        can_lose=1.0 - float(threshold),
        n_themes=len(params["theme_codes"]),
        n_types=len(params["type_codes"]),
        n_groups=len(params["group_codes"]),
        n_forms=len(params["form_codes"]),
        period_days=PERIOD_DAYS,
    )
    # the block key packs the code keys, a country (10 bits), the place kind (2) and a period (10)
    code_bits = params["n_themes"] + params["n_types"] + params["n_groups"] + params["n_forms"]
    if code_bits + 22 > 63:
        raise ValueError(f"the code lists have {code_bits} codes in all: too many for the block key")
    return db.query(con, "duplication_candidates", filters, iso3=iso3, threshold=float(threshold), **params)


def must_share(threshold: float) -> set[str]:
    """The parts a pair must share something in to reach ``threshold`` at all.

    Even with identical texts, a pair needs a structured score of (threshold - w_text) /
    (1 - w_text). A part with nothing in common costs its whole weight; where that is more
    than the pair can lose, the pair must share a code of that part, and SQL blocks on it.
    """
    w_text = WEIGHTS["text"]
    least_structured = (threshold - w_text) / (1 - w_text)
    can_lose = (1 - least_structured) * (1 - w_text)  # in units of the weights
    return {k for k in ("activity_types", "target_groups", "exploitation_forms") if WEIGHTS[k] > can_lose + 1e-12}


# ---- text ------------------------------------------------------------------------------
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


def text_similarity(texts_a: Sequence[str], texts_b: Sequence[str]) -> np.ndarray:
    """Similarity 0..1 of corresponding texts (already normalised); 0 where either is empty."""
    if len(texts_a) == 0:
        return np.zeros(0)
    scores = process.cpdist(list(texts_a), list(texts_b), scorer=fuzz.token_set_ratio, dtype=np.float64, workers=-1)
    return np.asarray(scores, dtype=float) / 100.0


def final_score(structured, text):
    """The larger of the structured score and the weighted mean of all parts, text included."""
    w = WEIGHTS["text"]
    structured = np.asarray(structured, dtype=float)
    return np.maximum(structured, (1 - w) * structured + w * np.asarray(text, dtype=float))


# ---- scored pairs ----------------------------------------------------------------------
def _bits_to_codes(bits: int, codes: list[str]) -> list[str]:
    return [c for i, c in enumerate(codes) if int(bits) >> i & 1]


def scored_pairs(
    con,
    filters: Filters | None = None,
    *,
    iso3: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Pairs scoring at least ``threshold``, one row per pair and shared country (no reasons).

    The hot-spot index uses this: it is the cheap path (no per-pair Python work beyond text).
    """
    rows = candidate_pairs(con, filters, iso3=iso3, threshold=threshold)
    if rows.empty:
        return rows.assign(text=pd.Series(dtype=float), score=pd.Series(dtype=float))
    pairs = rows.drop_duplicates(["activity_id_a", "activity_id_b"])[["activity_id_a", "activity_id_b"]]
    texts = _texts(con, pd.unique(pairs[["activity_id_a", "activity_id_b"]].to_numpy().ravel()).tolist())
    ta = pairs["activity_id_a"].map(texts).fillna("").tolist()
    tb = pairs["activity_id_b"].map(texts).fillna("").tolist()
    pairs = pairs.assign(text=text_similarity(ta, tb))
    rows = rows.merge(pairs, on=["activity_id_a", "activity_id_b"], how="left")
    rows["score"] = final_score(rows["structured"].to_numpy(), rows["text"].to_numpy())
    rows = rows[rows["score"] >= threshold - 1e-9]
    return rows.reset_index(drop=True)


def _texts(con, ids: list[str]) -> dict[str, str]:
    """Normalised title and description of each activity (:func:`normalise_text`)."""
    if not ids:
        return {}
    df = db.query(con, "duplication_full_texts", ids=ids)
    return dict(zip(df["activity_id"], map(normalise_text, df["text"])))


def duplicate_pairs(
    con,
    filters: Filters | None = None,
    *,
    iso3: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Pairs scoring at least ``threshold``, one row per pair, best first, with their parts,
    titles and the reasons in words."""
    return describe_pairs(con, scored_pairs(con, filters, iso3=iso3, threshold=threshold))


def describe_pairs(con, rows: pd.DataFrame, *, limit: int | None = None) -> pd.DataFrame:
    """:func:`scored_pairs` rows as one row per pair, best first, with the shared codes,
    titles and reasons; ``limit`` keeps only the best pairs (reasons are the slow part)."""
    if rows.empty:
        return pd.DataFrame(columns=[*PAIR_COLUMNS, "title_a", "title_b", "reasons"])
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
    pairs = pairs.rename(columns={"time_overlap": "time"})[PAIR_COLUMNS].reset_index(drop=True)
    ids = pd.unique(pairs[["activity_id_a", "activity_id_b"]].to_numpy().ravel()).tolist()
    titles = db.query(con, "duplication_texts", ids=ids)
    title = dict(zip(titles["activity_id"], titles["title"]))
    pairs["title_a"] = pairs["activity_id_a"].map(title)
    pairs["title_b"] = pairs["activity_id_b"].map(title)
    pairs["reasons"] = [reasons(r) for r in pairs.itertuples(index=False)]
    return pairs


def pair_activities(con, activity_id_a: str, activity_id_b: str) -> pd.DataFrame:
    """The two activities of a pair side by side (one column each), in readable labels."""
    df = db.query(con, "duplication_pair_activities", ids=[activity_id_a, activity_id_b]).set_index("activity_id")
    out = {}
    for aid in (activity_id_a, activity_id_b):
        if aid not in df.index:
            out[aid] = {"Title": "(no longer in the export)"}
            continue
        r = df.loc[aid]
        end = r["end_date"]
        out[aid] = {
            "Title": r["title"],
            "Lead agency": r["lead_agency"],
            "Partners": ", ".join(r["partner_agencies"]) or "none",
            "Countries": _country_words(list(r["countries"])) if len(r["countries"]) else "none (global)",
            "Period": f"{r['start_date']:%Y-%m-%d} to {end:%Y-%m-%d}"
            if pd.notna(end)
            else f"{r['start_date']:%Y-%m-%d}, ongoing",
            "Budget (USD)": _money(r["budget_usd"]),
            "Themes": _words(list(r["themes"]), "theme"),
            "Activity types": _words(list(r["activity_types"]), "activity_type") or "none listed",
            "Target groups": _words(list(r["target_groups"]), "target_group") or "none listed",
            "Forms of exploitation": _words(list(r["exploitation_forms"]), "exploitation_form") or "none listed",
            "Description": r["description"] or "",
        }
    return pd.DataFrame(out)


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
    if not vals:
        return ""
    return vals[0] if len(vals) == 1 else ", ".join(vals[:-1]) + " and " + vals[-1]


def _country_words(iso3s: list[str]) -> str:
    names = _labels("country")
    vals = [names.get(c, c) for c in iso3s]
    if len(vals) > 3:
        return f"{', '.join(vals[:3])} and {len(vals) - 3} more countries"
    return vals[0] if len(vals) == 1 else ", ".join(vals[:-1]) + " and " + vals[-1]


def reasons(pair) -> str:
    """Why a pair looks like a duplicate, in words a planner can check:
    ``"both capacity building for labour inspectors against forced labour in Thailand;
    22 months overlap; budgets 2.4M and 1.8M USD"``."""
    what = "both"
    if len(pair.activity_types_shared):
        what += " " + _words(pair.activity_types_shared, "activity_type")
    else:
        what += " work on " + _words(pair.themes, "theme")
    if len(pair.target_groups_shared):
        what += " for " + _words(pair.target_groups_shared, "target_group")
    if len(pair.exploitation_forms_shared):
        what += " against " + _words(pair.exploitation_forms_shared, "exploitation_form")
    what += " in " + _country_words(list(pair.countries))
    if pair.place < 1:
        what += " (not national work for both)"
    months = pair.overlap_days / 30.44
    overlap = f"{round(months)} months overlap" if months >= 1.5 else f"{int(pair.overlap_days)} days overlap"
    parts = [what, overlap, f"budgets {_money(pair.budget_a)} and {_money(pair.budget_b)} USD"]
    if pair.text >= 0.6:
        parts.append(f"titles and descriptions {round(pair.text * 100)}% alike")
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


def method_markdown() -> str:
    """How the score is made, in a few lines for the page (docs/DUPLICATION.md has the full text)."""
    w = WEIGHTS
    return f"""
Two activities are compared when their **lead agencies differ**, neither lead is a **partner** of the
other, and they share a **country**, a **theme** and some **time** (an activity with no end date runs
until today). Each pair gets a score from 0 to 1 made of parts you can check:

| part | what it measures | weight |
|---|---|---|
| Time | days both run / days of the shorter one | {w["time"]:.2f} |
| Place | shared countries / sqrt(countries of A x countries of B): two national activities in one country score 1, two spread over five countries sharing one score 0.2 | {w["place"]:.2f} |
| Activity types | shared / listed by either | {w["activity_types"]:.2f} |
| Target groups | shared / listed by either | {w["target_groups"]:.2f} |
| Forms of exploitation | shared / listed by either; neither naming one counts as agreement | {w["exploitation_forms"]:.2f} |
| Text | how alike titles and descriptions read (word sets, accents and case ignored) | {w["text"]:.2f} |

The **structured score** is the weighted mean of the first five parts. The **score** is the larger
of the structured score and the weighted mean of all six: the text can raise a score but never
lower it, since the same work described in French and in English shares few words.
Pairs scoring **{DEFAULT_THRESHOLD:.2f}** or more (the default) are listed as likely duplicates.
A score is a prompt to ask, not a finding: a planner's review says what the pair really is.
"""


# ---- command line ----------------------------------------------------------------------
def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", help="export directory (default: ICAT_DATA_DIR or data/demo/)")
    parser.add_argument("--country", help="only pairs sharing this country (ISO alpha-3 or alpha-2)")
    parser.add_argument(
        "--min-score",
        type=float,
        default=DEFAULT_THRESHOLD,
        help=f"least score printed, 0 to 1 (default {DEFAULT_THRESHOLD}, as on the dashboard)",
    )


def _iso3(code: str) -> str | None:
    c = reference.countries()
    code = code.strip().upper()
    hit = c.loc[(c["iso3"] == code) | (c["iso2"] == code), "iso3"]
    return hit.iloc[0] if len(hit) else None


def run(args: argparse.Namespace) -> int:
    if not 0.0 <= args.min_score <= 1.0:
        print(f"--min-score must be between 0 and 1, not {args.min_score}", file=sys.stderr)
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


def no_pairs_words(threshold: float, counts) -> str:
    """Why the selection has no likely duplicate (``duplication_activity_count`` row ``counts``):
    with one lead agency there is nothing to compare, since a pair is of two agencies' work."""
    n, leads = int(counts["activities"]), int(counts["lead_agencies"])
    if n and leads == 1:
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
