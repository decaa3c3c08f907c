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
  when a text names no concept (:mod:`icat_analysis.store.duplicate_text`).

The search and the parts live in :mod:`icat_analysis.store.duplicate_search` (every import
builds the hot-spot index with it, :mod:`icat_analysis.store.duplicate_index`); this module
reads the stored index, describes pairs in words and counts the hot-spots.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from icat_analysis import reference, spreadsheet
from icat_analysis.filters import Filters
from icat_analysis.paths import REFERENCE_DIR
from icat_analysis.paths import data_dir as resolve_data_dir
from icat_analysis.store import db, duplicate_index, export
from icat_analysis.store.duplicate_search import (
    _CODE_LISTS,
    _LIST_OF_PART,
    DEFAULT_THRESHOLD,
    FULL_OVERLAP,
    PARTS,
    PERIOD_DAYS,
    RELATED_CREDIT,
    STRUCTURED_PARTS,
    THRESHOLD_RANGE,
    WEIGHTS,
    WORTH_A_LOOK,
    block_kinds,
    candidate_pairs,
    checked_weights,
    compared_activities,
    index_covers,
    must_share,
    normalise_text,
    related_codes,
    scored_pairs,
    stored_index,
    text_parts,
    weighted_score,
)

#: What the page, the command line and the tests read from here (the search is in the store).
__all__ = [
    "DEFAULT_THRESHOLD",
    "FULL_OVERLAP",
    "PARTS",
    "PERIOD_DAYS",
    "RELATED_CREDIT",
    "STRUCTURED_PARTS",
    "THRESHOLD_RANGE",
    "WEIGHTS",
    "WORTH_A_LOOK",
    "block_kinds",
    "candidate_pairs",
    "checked_weights",
    "must_share",
    "normalise_text",
    "related_codes",
    "scored_pairs",
    "text_parts",
    "weighted_score",
]

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


# ---- scored pairs ----------------------------------------------------------------------
#: How many pairs of selected activities sharing a country a page searches live when no stored
#: hot-spot index covers the selection. The search compares activities country by country, so its
#: time follows these pairs, not the activities: 4.2 s for the 1,463,768 of the 10,000-activity
#: demo, 65 s for the 3,131,022 of the Bahamas' 2,003 activities at 1,000,000 (docs/DUPLICATION.md,
#: "Scale"). A country of the 1,000,000-activity demo over two years holds ten times as many.
MAX_SEARCH_PAIRS = 2_000_000
#: Activities of an export above which a page does not search live at all: before comparing any
#: pair, a search weighs each concept by how rare it is, reading every activity's texts once
#: (about 1 s per 10,000 activities, 100 s at 1,000,000; once per open export).
MAX_RARITY_ACTIVITIES = 200_000


@dataclass(frozen=True)
class SearchSize:
    """What a live search of a selection would read: the pairs of compared activities that share
    a country, and every activity of the export (for the concepts' rarity)."""

    pairs: int
    export_activities: int


def too_many_to_search(run, con, filters: Filters | None, threshold: float, weights=None) -> SearchSize | None:
    """What a live search of ``filters`` would read, when that is more than a page can search
    while it opens (:data:`MAX_SEARCH_PAIRS`, :data:`MAX_RARITY_ACTIVITIES`) and no stored
    hot-spot index covers the selection at ``threshold``; otherwise None. A page then asks for a
    narrower selection rather than keep a room waiting for minutes, or hours at 1,000,000
    activities. ``run`` runs a named query."""
    if index_covers(con, threshold, weights):
        return None
    compared, _ = compared_activities(filters)
    row = run("duplication_compared_pairs", compared).iloc[0]
    size = SearchSize(int(row["country_pairs"]), int(row["export_activities"]))
    if size.pairs > MAX_SEARCH_PAIRS or size.export_activities > MAX_RARITY_ACTIVITIES:
        return size
    return None


def narrow_the_selection(con, filters: Filters | None, n_activities: int, size: SearchSize, threshold: float) -> str:
    """What to do when :func:`too_many_to_search`, in a planner's words."""
    if size.export_activities > MAX_RARITY_ACTIVITIES:
        one = filters.countries[0] if filters and len(filters.countries) == 1 else "THA"
        return (
            f"**Too many activities to search here: this export holds {size.export_activities:,}.** It has no "
            f"stored hot-spot index (an import stores one for up to {duplicate_index.MAX_ACTIVITIES:,} activities), "
            "so listing pairs would first weigh what two texts share by how rare it is in the whole export, reading "
            "every activity's texts while the page opens: minutes before any pair is compared. From the command "
            f"line, `python -m icat_analysis duplicates --country {one}` lists one country's pairs."
        )
    desc = stored_index(con)
    if desc and desc.get("built") and threshold < float(desc["least_score"]):
        least = float(desc["least_score"])
        why = f"The hot-spot index stored with this export lists pairs from {least:.2f}, so a threshold of {threshold:.2f}"
        instead = f", or set the threshold to {least:.2f} or more"
    else:
        why = (
            "This export has no stored hot-spot index for this selection (an import stores one for up to "
            f"{duplicate_index.MAX_ACTIVITIES:,} activities), so listing its pairs"
        )
        instead = ""
    pairs = size.pairs
    anchored = " (that agency's activities with every agency's)" if filters and filters.agencies else ""
    return (
        f"**Too many pairs to compare here: {n_activities:,} activities are selected, and comparing them means "
        f"{pairs:,} {'pair of activities that shares' if pairs == 1 else 'pairs of activities that share'} a "
        f"country{anchored}.** {why} means comparing them while the page opens, which would take minutes. Choose a "
        f"country, a shorter period or an agency in the sidebar to bring the pairs to {MAX_SEARCH_PAIRS:,} or "
        f"fewer{instead}."
    )


def search_refusal(run, con, filters: Filters | None, threshold: float, weights=None) -> str | None:
    """The planner's message when a selection is too large to search while a page (or the
    briefing) is made (:func:`too_many_to_search`), else None: the pairs may be listed."""
    size = too_many_to_search(run, con, filters, threshold, weights)
    if size is None:
        return None
    n = int(run("duplication_activity_count", filters).iloc[0]["activities"])
    return narrow_the_selection(con, filters, n, size, threshold)


def _bits_to_codes(bits: int, codes: list[str]) -> list[str]:
    return [c for i, c in enumerate(codes) if int(bits) >> i & 1]


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
    # Rows from the stored index carry their words and titles (duplicate_index.WORDS): no text
    # is read and no rarity counted over the whole export to list them.
    if not set(duplicate_index.WORDS) <= set(pairs.columns):
        named = text_parts(con, pairs, names=True)
        for column in ("concepts_shared", "figures_shared", "wording"):
            pairs[column] = named[column]
        ids = pd.unique(pairs[["activity_id_a", "activity_id_b"]].to_numpy().ravel()).tolist()
        titles = db.query(con, "duplication_texts", ids=ids)
        title = dict(zip(titles["activity_id"], titles["title"]))
        pairs["title_a"] = pairs["activity_id_a"].map(title)
        pairs["title_b"] = pairs["activity_id_b"].map(title)
    pairs = pairs[[*PAIR_COLUMNS, "title_a", "title_b"]].reset_index(drop=True)
    pairs.insert(3, "band", [band(s) for s in pairs["score"]])
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
    # The stored index of the current version answers alone when it can: the export is not loaded.
    rows = duplicate_index.country_pairs(path, iso3, args.min_score)
    if rows is not None:
        pairs = describe_pairs(None, rows)
    else:
        pairs = duplicate_pairs(db.connect(path), iso3=iso3, threshold=args.min_score)
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
