"""Activities placed in a region and in no country (an IATI recipient region only): the band
of their own that stands beside the country figures of the Overview, the Map and Coverage.
They are never spread onto the region's countries, and never left out."""

from __future__ import annotations

import pandas as pd

from icat_analysis import reference


def band_table(band: pd.DataFrame) -> pd.DataFrame:
    """``region_band`` as a person reads it: region, activities, lead agencies, known budget."""
    names = reference.labels("agency")
    return pd.DataFrame(
        {
            "Region": band["region"],
            "Activities": band["activities"].astype(int),
            "Lead agencies": [", ".join(names.get(a, a) for a in list(agencies)) for agencies in band["agencies"]],
            "Known budget (US$)": band["budget_usd"],
        }
    )


def band_sentence(band: pd.DataFrame) -> str:
    """What the band holds, in a sentence ("" when no selected activity is placed in a region only)."""
    if band.empty:
        return ""
    n = int(band["region_only"].iloc[0])
    regions = len(band)
    what = "activity is" if n == 1 else "activities are"
    where = "a region" if regions == 1 else f"{regions} regions"
    return (
        f"{n:,} {what} placed in {where} and in no country (the publisher names a region, not its countries): "
        "they are counted here, not on the countries of the region."
    )
