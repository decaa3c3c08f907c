"""Figures of the Overview: activity starts per year by theme, the busiest countries."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from icat_analysis.analyses import overview
from icat_analysis.analyses.overview import Runner
from icat_analysis.filters import Filters
from icat_analysis.ui.charts import THEME_COLOURS, colour, count_ticks, layout

#: the charts' names: the page draws them and the warm-up at start makes them (st_adapter.warm_up)
STARTS, COUNTRIES = "overview-starts", "overview-countries"
#: how many countries the busiest-countries chart shows
TOP_COUNTRIES = 10


def starts_figure(run: Runner, f: Filters) -> go.Figure:
    """The starts chart of the selected activities."""
    return starts_chart(overview.starts_per_year_by_theme(run, f))


def starts_chart(df: pd.DataFrame) -> go.Figure:
    """Stacked bars of activity starts per year, one colour per theme."""
    fig = go.Figure()
    for code, part in df.groupby("theme", sort=False):
        fig.add_bar(
            x=part["year"],
            y=part["activities"],
            name=str(part["theme_label"].iloc[0]),
            marker_color=THEME_COLOURS.get(code, colour(len(fig.data))),
            hovertemplate="%{x}: %{y} activities<extra>%{fullData.name}</extra>",
        )
    # Stacked bars list their legend bottom-up by default; keep the four Ps in their usual order.
    fig.update_layout(barmode="stack", bargap=0.15, legend_traceorder="normal")
    fig.update_xaxes(title_text="Year the activity started", dtick=1 if df["year"].nunique() <= 15 else 2)
    fig.update_yaxes(title_text="Activities started")
    return layout(fig, "Activities started per year, by theme", legend_title="Theme")


def countries_chart(df: pd.DataFrame) -> go.Figure:
    """Horizontal bars of the countries with most activities, the busiest on top."""
    df = df.iloc[::-1]
    fig = go.Figure(
        go.Bar(
            x=df["activities"],
            y=df["country"],
            orientation="h",
            marker_color=colour(0),
            text=df["activities"],
            textposition="auto",
            customdata=df[["joint"]],
            hovertemplate="%{y}: %{x} activities, %{customdata[0]} joint<extra></extra>",
        )
    )
    # counts of activities: whole-number ticks (plotly ticks 0, 0.5, 1, 1.5, 2 for a top of 2)
    fig.update_xaxes(title_text="Activities", **count_ticks(df["activities"]))
    fig.update_yaxes(title_text=None, automargin=True)
    return layout(fig, f"The {len(df)} countries with most activities", height=max(300, 32 * len(df) + 120))
