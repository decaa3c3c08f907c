"""Figures of an agency's profile: where it works, its themes over time, its partners."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from icat_analysis import reference
from icat_analysis.analyses.agencies import coverage_map_frame
from icat_analysis.ui import charts
from icat_analysis.ui.geo import world_choropleth


def coverage_map(countries: pd.DataFrame, agency: str) -> go.Figure:
    """World map of where the agency works (activities per country)."""
    return world_choropleth(coverage_map_frame(countries, agency), label=f"{agency} activities", height=480)


def themes_over_time_chart(by_year: pd.DataFrame, agency: str) -> go.Figure:
    """Stacked bars: the agency's activities started per year, by theme (the four Ps)."""
    labels = reference.labels("theme")
    fig = go.Figure()
    for theme in reference.shown_codes("theme", by_year["theme"]):  # then any unclassified, in grey
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
