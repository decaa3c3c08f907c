"""One country's profile: its activities, the agencies present, themes, a timeline, and the
UNODC trend of detected victims. Pure functions from query results to tables (the figures are in
:mod:`icat_analysis.ui.country_charts`).
"""

from __future__ import annotations

import pandas as pd

from icat_analysis import reference
from icat_analysis.analyses import need
from icat_analysis.store.db import as_list

#: rows of a country's activities shown on the page (the download has them all)
SHOWN = 1000
#: bars in the timeline
TIMELINE_ROWS = 60


def _join(codes, names: dict[str, str] | None = None) -> str:
    return ", ".join((names or {}).get(c, c) for c in as_list(codes))


def activities_table(activities: pd.DataFrame) -> pd.DataFrame:
    """The country's activities as a person reads them (lists joined, codes as labels)."""
    themes = reference.labels("theme")
    statuses = reference.labels("status")
    scopes = reference.labels("scope")
    iati = _iati_detail(activities)
    return pd.DataFrame(
        {
            "Title": activities["title"],
            # read from IATI: who published it and why it was kept, beside the title
            **{k: iati[k] for k in ("IATI publisher", "Kept because") if k in iati},
            "Lead": activities["lead_agency"],
            "Partners": [_join(p) for p in activities["partner_agencies"]],
            "Scope": activities["scope"].map(lambda s: scopes.get(s, s)),
            "Start": pd.to_datetime(activities["start_date"]).dt.date,
            "End": pd.to_datetime(activities["end_date"]).dt.date,
            "Status": activities["status"].map(lambda s: statuses.get(s, s)),
            "Themes": [_join(t, themes) or themes[reference.UNCLASSIFIED] for t in activities["themes"]],
            "Budget (USD)": activities["budget_usd"],
            "ID": activities["activity_id"],
            **{k: iati[k] for k in ("IATI identifier",) if k in iati},
        }
    )


def _iati_detail(activities: pd.DataFrame) -> dict[str, pd.Series]:
    """For activities read from IATI: their identifier there, publisher and why each was kept."""
    out = {}
    for col, heading in (("iati_identifier", "IATI identifier"), ("publisher", "IATI publisher")):
        if col in activities and activities[col].notna().any():
            out[heading] = activities[col]
    if "relevance_reason" in activities and activities["relevance_reason"].notna().any():
        how = reference.labels("relevance")
        out["Kept because"] = [
            f"{reason} ({how.get(rel, rel).lower()})" if isinstance(rel, str) and isinstance(reason, str) else reason
            for rel, reason in zip(
                activities.get("relevance", [None] * len(activities)), activities["relevance_reason"]
            )
        ]
    return out


def agencies_table(agencies: pd.DataFrame) -> pd.DataFrame:
    """Agencies present with how many activities they lead and partner in."""
    names = reference.labels("agency")
    return pd.DataFrame(
        {
            "Agency": agencies["agency"],
            "Name": agencies["agency"].map(lambda c: names.get(c, c)),
            "Lead in": agencies["as_lead"].astype(int),
            "Partner in": agencies["as_partner"].astype(int),
            "Activities": agencies["activities"].astype(int),
        }
    )


def theme_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """Activities per theme (``country_theme_counts``), labelled, in the code list's order."""
    labels = reference.labels("theme")
    by_code = dict(zip(counts["theme"], counts["activities"]))
    order = [c for c in reference.shown_codes("theme", by_code) if c in by_code]
    return pd.DataFrame({"Theme": [labels.get(c, c) for c in order], "Activities": [int(by_code[c]) for c in order]})


def summary(totals: pd.DataFrame, agencies: pd.DataFrame) -> dict:
    """Headline numbers for the profile header, from ``country_summary`` and ``country_agencies``."""
    row = totals.iloc[0]
    return {
        "activities": int(row["activities"]),
        "agencies_present": int(agencies["agency"].nunique()),
        "known_budget_usd": float(row["known_budget_usd"]),
        "activities_with_budget": int(row["activities_with_budget"]),
        "regional_or_global": int(row["regional_or_global"]),
    }


def shown_note(shown: int, total: int, order: str) -> str:
    """ "The first 1,000 of 2,345 activities, by start date" when a list is cut; else ""."""
    return f"The first {shown:,} of {total:,} activities, {order}" if total > shown else ""


def trend_caption(trend: pd.DataFrame, manifest: dict) -> str:
    """What the detected-victims chart needs beside it: the <5 marks, the caveat, the source."""
    censored = "Open circles in the shaded band: years UNODC published as fewer than 5 (<5). "
    return (
        (censored if trend["is_censored"].fillna(False).any() else "")
        + f"{need.CAVEAT.split('. ')[0]}. Source: "
        + need.citation(manifest, trend["source"].dropna().unique().tolist())
    )
