"""Coverage against detected need: where UNODC data show detected victims, how many
protection activities work there.

Detected victims measure detection, not prevalence: a high number can mean authorities that
look hard, a low one authorities that do not. A "possible gap" is a prompt to ask, not a finding.
"""

from __future__ import annotations

import pandas as pd

from icat_analysis import reference

CAVEAT = (
    "Detected victims measure detection, the capacity and effort of national authorities to "
    "identify victims, not the prevalence of trafficking. Many detections and few protection "
    "activities is a question worth asking, not evidence of a gap."
)

DEFAULT_CITATION = "UNODC, Global Report on Trafficking in Persons: data (GLOTIP)"
INTRO = (
    "Countries where UNODC data show detected victims in their latest reported year, set against "
    "the selected protection-themed activities working there in that year or now. Ranked by "
    "detected victims per protection activity (plus one, so that a country with none ranks first "
    "among equals): the top rows are possible gaps worth a question."
)
NO_DETECTIONS = (
    "The export holds no UNODC counts of detected victims. Load them with `python -m icat_analysis import-glotip FILE`."
)


def possible_gaps(detections: pd.DataFrame, places: list[str] | None = None) -> pd.DataFrame:
    """Countries ranked by detected victims per protection activity.

    ``detections`` is the result of ``need_detections_and_protection``. The rank is detected
    victims / (protection activities + 1): many detections and few or no protection activities
    come first; a censored value ("<5") ranks as zero. ``places`` limits to a region filter.
    """
    names = reference.countries().set_index("iso3")
    # GLOTIP also publishes regional aggregates under made-up codes: keep countries only.
    d = detections[detections["iso3"].isin(names.index)].copy()
    if places is not None:
        d = d[d["iso3"].isin(places)]
    d["country"] = d["iso3"].map(names["name"]).fillna(d["iso3"])
    d["region"] = d["iso3"].map(names["sub_region"])
    censored = d["is_censored"].fillna(False).astype(bool) | d["detected_victims"].isna()
    numeric = d["detected_victims"].where(~censored, 0.0).astype("float64")
    d["victims_per_protection_activity"] = numeric / (d["protection_activities"].astype("float64") + 1.0)
    d["detected"] = ["fewer than 5" if c else f"{v:,.0f}" for c, v in zip(censored, d["detected_victims"].fillna(0))]
    d = d.sort_values(
        ["victims_per_protection_activity", "detected_victims", "country"], ascending=[False, False, True]
    ).reset_index(drop=True)
    d.insert(0, "rank", range(1, len(d) + 1))
    return d


def gaps_table(ranked: pd.DataFrame) -> pd.DataFrame:
    """The ranked list as a person reads it."""
    return pd.DataFrame(
        {
            "Rank": ranked["rank"],
            "Country": ranked["country"],
            "Sub-region": ranked["region"],
            "Latest year reported": ranked["latest_year"].astype(int),
            "Detected victims": ranked["detected"],
            "Protection activities (that year or now)": ranked["protection_activities"].astype(int),
            "Protection now": ranked["protection_now"].astype(int),
            "All activities": ranked["activities_all_themes"].astype(int),
            "Detections per (protection + 1)": ranked["victims_per_protection_activity"].round(1),
        }
    )


def citation(manifest: dict, sources: list[str] | None = None) -> str:
    """The UNODC source as the export records it: a manifest source naming UNODC or GLOTIP,
    else the indicators table's own source strings under the standard title."""
    for s in manifest.get("sources") or []:
        if isinstance(s, dict):
            text = s.get("citation") or s.get("title") or s.get("name") or ""
        else:
            text = str(s)
        if "unodc" in text.lower() or "glotip" in text.lower():
            return text
    extra = ", ".join(sorted({s for s in (sources or []) if s}))
    return DEFAULT_CITATION + (f" (source field: {extra})" if extra else "")


def theme_note(themes) -> str | None:
    """A warning when the theme filter leaves protection out (nothing would be counted)."""
    if themes and "protection" not in themes:
        return "The theme filter leaves out protection, so no protection activity is counted below."
    return None


def source_caption(manifest: dict) -> str:
    return "Source: " + citation(manifest, []) + ". Detected victims: total, all forms, sexes and ages."
