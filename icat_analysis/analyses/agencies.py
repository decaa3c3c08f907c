"""The agency directory and one agency's profile: who each agency is (reference data), and
what it does in the selected activities (the ``agency_*`` named queries).

Functions take query results and shape them; figure builders return plotly figures.
Nothing here touches Streamlit.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from icat_analysis import reference
from icat_analysis.ui import charts
from icat_analysis.ui.downloads import labelled_activities
from icat_analysis.ui.geo import world_choropleth


def successor_text(code: str | None) -> str | None:
    """ "UN Women (UNWOMEN)" for an agency that was succeeded, else None."""
    if code is None or pd.isna(code) or not code:
        return None
    short = {"UNWOMEN": "UN Women"}.get(code)
    return f"{short or reference.labels('agency').get(code, code)} ({code})"


def predecessors(code: str) -> list[str]:
    """Agencies whose work this one took over (UN Women: UNIFEM and UNDAW)."""
    a = reference.agencies()
    return a.loc[a["successor"] == code, "code"].tolist()


def directory(counts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every agency of the reference list, in its order, with what it does in the selection.

    ``counts`` is the ``agency_counts`` result (agencies without selected activities get
    zeros). Columns are headed in words, ready to show and to download.
    """
    a = reference.agencies().copy()
    if counts is None or counts.empty:
        counts = pd.DataFrame(columns=["agency", "lead_activities", "partner_activities", "countries"])
    c = counts.set_index("agency")
    pred = {code: ", ".join(predecessors(code)) for code in a["code"]}

    def n(col: str) -> list[int]:
        return [int(c[col].get(code, 0)) if col in c else 0 for code in a["code"]]

    out = pd.DataFrame(
        {
            "Code": a["code"],
            "Name": a["name"],
            "Kind": a["kind"],
            "Joined ICAT": [str(y) if not pd.isna(y) else "" for y in a["joined_icat"]],
            "Founding member": a["founding_member"].map({True: "yes", False: "no"}),
            "ICAT membership": [m or "" for m in a["icat_membership"]],
            "Website": [w or "" for w in a["website"]],
            "Focal point": [p or "" for p in a["focal_point"]],
            "Succeeded by": [successor_text(s) or "" for s in a["successor"]],
            "Took over the work of": [pred[code] for code in a["code"]],
            "Activities led": n("lead_activities"),
            "Activities as partner": n("partner_activities"),
            "Countries": n("countries"),
            "Mandate on trafficking in persons": a["mandate"],
        }
    )
    return out


def entry(code: str) -> dict:
    """One agency's reference entry as a dict (code, name, kind, mandate, successor, ...).

    Raises KeyError for a code that is not an agency (a URL value is checked first)."""
    a = reference.agencies().set_index("code")
    row = a.loc[code]
    return {
        "code": code,
        "name": row["name"],
        "kind": row["kind"],
        "founding_member": bool(row["founding_member"]),
        "joined_icat": None if pd.isna(row["joined_icat"]) else int(row["joined_icat"]),
        "successor": successor_text(row["successor"]),
        "predecessors": predecessors(code),
        "mandate": row["mandate"],
        "icat_membership": row["icat_membership"],
        "website": row["website"],
        "focal_point": row["focal_point"],
    }


def profile_code(value: str | None) -> str | None:
    """The agency code a URL's ``agency=`` asks for, matched case-insensitively; None if unknown."""
    if not value:
        return None
    lookup = {c.casefold(): c for c in reference.agency_codes()}
    return lookup.get(str(value).strip().casefold())


def coverage_map_frame(countries: pd.DataFrame, agency: str) -> pd.DataFrame:
    """One row per reference country for the agency's coverage map (``agency_countries``)."""
    ref = reference.countries()[["iso3", "name"]]
    out = ref.merge(countries, on="iso3", how="left")
    for col in ("activities", "as_lead", "as_partner"):
        out[col] = out[col].fillna(0).astype(int)
    out["value"] = out["activities"].astype(float)
    out["in_selection"] = True
    out["hover"] = [
        f"<b>{name}</b><br>{agency}: {n:,} activities ({lead:,} as lead, {partner:,} as partner)"
        for name, n, lead, partner in zip(out["name"], out["activities"], out["as_lead"], out["as_partner"])
    ]
    return out


def coverage_map(countries: pd.DataFrame, agency: str) -> go.Figure:
    """World map of where the agency works (activities per country)."""
    return world_choropleth(coverage_map_frame(countries, agency), label=f"{agency} activities", height=480)


def themes_over_time_chart(by_year: pd.DataFrame, agency: str) -> go.Figure:
    """Stacked bars: the agency's activities started per year, by theme (the four Ps)."""
    labels = reference.labels("theme")
    fig = go.Figure()
    for theme in reference.codes("theme"):
        d = by_year[by_year["theme"] == theme]
        if d.empty:
            continue
        fig.add_trace(
            go.Bar(
                x=d["year"],
                y=d["activities"],
                name=labels.get(theme, theme),
                marker_color=charts.THEME_COLOURS.get(theme),
                hovertemplate=f"{labels.get(theme, theme)}, %{{x}}: %{{y:,}} activities<extra></extra>",
            )
        )
    charts.layout(fig, f"{agency}: activities started per year, by theme", height=380, legend_title="Theme")
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title="Start year", dtick=1 if by_year["year"].nunique() <= 15 else None)
    fig.update_yaxes(title="Activities started")
    return fig


def partners_table(partners: pd.DataFrame) -> pd.DataFrame:
    """Who the agency works with (``agency_partners``), named in full."""
    names = reference.labels("agency")
    return pd.DataFrame(
        {
            "Code": partners["partner"],
            "Agency": [names.get(p, p) for p in partners["partner"]],
            "Joint activities": partners["joint_activities"].astype(int),
            "Led by this agency": partners["led_by_this_agency"].astype(int),
            "Led by the partner": partners["led_by_partner"].astype(int),
        }
    )


def partners_chart(partners: pd.DataFrame, agency: str) -> go.Figure:
    """Horizontal bars of joint activities with each partner, the biggest on top."""
    names = reference.labels("agency")
    d = partners.sort_values(["joint_activities", "partner"], ascending=[True, False])
    fig = go.Figure(
        go.Bar(
            x=d["joint_activities"],
            y=d["partner"],
            orientation="h",
            marker_color=charts.OKABE_ITO["blue"],
            customdata=[names.get(p, p) for p in d["partner"]],
            hovertemplate="%{customdata} (%{y}): %{x:,} joint activities<extra></extra>",
        )
    )
    charts.layout(fig, f"{agency} works with", height=max(260, 26 * len(d) + 120))
    fig.update_xaxes(title="Joint activities")
    fig.update_yaxes(type="category")
    return fig


def activities_table(activities: pd.DataFrame) -> pd.DataFrame:
    """The agency's activities (``agency_activities`` or one page of them) with its role,
    labelled like every other activity download."""
    return labelled_activities(activities)
