"""Figures of the Indicators page and the briefing: an indicator's lines over the years
(with the countries reporting and the activities beside them) and the largest citizenships.

A censored cell (``<5``) is never drawn at a y value: its year leaves a gap in the line and
gets a ``<5`` mark at the foot of the chart, an annotation in the axis' own 0-1 space.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from icat_analysis.analyses.indicators import CENSORED_LEGEND, CENSORED_TEXT, TOTAL
from icat_analysis.ui import charts

_ACTIVITY_COLOUR = "#7F7F7F"


#: pixels between the "<5" marks of one year, one above the other
MARK_STEP = 20
#: more censored lines than this in one year share one grey mark (a taller stack would cover the lines)
MAX_MARKS_A_YEAR = 3


def _censored_marks(year: int, cells: list[tuple[str, str, str]]) -> list[dict]:
    """The "<5" marks of one year at the foot of the chart: one a line, stacked a fixed number
    of pixels apart (so they never cover each other whatever the chart's height), or one grey
    mark naming the lines when there are many."""
    if len(cells) > MAX_MARKS_A_YEAR:
        names = ", ".join(name for name, _, _ in cells)
        cells = [(None, "#555555", f"{CENSORED_TEXT} ({len(cells)} lines)", f"{year}: fewer than 5 for {names}")]
    else:
        cells = [(n, c, t, f"{n}, {year}: fewer than 5") for n, c, t in cells]
    return [
        dict(
            x=year,
            y=0.015,
            yshift=k * MARK_STEP,
            xref="x",
            yref="y domain",
            yanchor="bottom",
            text=text,
            showarrow=False,
            font={"color": colour, "size": 12},
            bgcolor="rgba(255,255,255,0.85)",
            bordercolor=colour,
            borderwidth=1,
            borderpad=1,
            hovertext=hover + " (censored by UNODC)",
        )
        for k, (_, colour, text, hover) in enumerate(cells)
    ]


# ---- figures ---------------------------------------------------------------------------
def _order(series: pd.DataFrame) -> list[str]:
    names = list(dict.fromkeys(series["series"]))
    first = [n for n in (TOTAL,) if n in names]
    rest = [n for n in names if n not in first and n != "Unknown"]
    last = [n for n in names if n == "Unknown"]
    return first + rest + last


def _hover(row, *, aggregate: bool) -> str:
    if row is None:
        return "not reported"
    if row["censored"]:
        text = f"{row['as_published']}: fewer than 5 (censored)"
    else:
        text = f"{row['value']:,.0f}"
        if row["censored_cells"]:
            text += (
                f" counted; {row['censored_cells']} cell(s) <5 left out, so between "
                f"{row['lower_bound']:,.0f} and {row['upper_bound']:,.0f}"
            )
    if aggregate:
        text += f"<br>{row['reporting_countries']} countries reporting"
    return text


def trend_figure(
    series: pd.DataFrame,
    *,
    title: str,
    aggregate: bool,
    activities: pd.DataFrame | None = None,
    y_title: str = "People",
    colour_of: dict[str, str] | None = None,
    synthetic: bool = False,
) -> go.Figure:
    """Lines of ``series`` (from :func:`breakdown_series`) over the years.

    Censored years break the line and get a "<5" mark at the foot of the chart: an
    annotation in the axis' 0-1 space, never a y value. For an area a second panel gives the
    countries reporting each line; with ``activities`` (year, activities) a last panel gives
    the activities active each year, labelled synthetic when the export's are (``synthetic``).
    """
    names = _order(series)
    colour_of = colour_of or {n: charts.colour(i) for i, n in enumerate(names)}
    panels = ["main"] + (["reporting"] if aggregate else []) + (["activities"] if activities is not None else [])
    heights = {"main": 0.62, "reporting": 0.19, "activities": 0.19}
    titles = {
        "main": "",
        "reporting": "Countries reporting (totals move with them)",
        "activities": "Activities active in the selection" + (" (synthetic)" if synthetic else ""),
    }
    fig = make_subplots(
        rows=len(panels),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.1,
        row_heights=[heights[p] for p in panels],
        subplot_titles=[titles[p] for p in panels],
    )
    # The only annotations so far are the panels' titles: smaller and left-aligned, like captions.
    fig.update_annotations(font={"size": 13, "color": "#444444"}, x=0, xanchor="left")
    years = sorted(series["year"].unique().tolist()) if not series.empty else []
    if activities is not None and not activities.empty:
        years = sorted(set(years) | set(int(y) for y in activities["year"]))
    span = list(range(min(years), max(years) + 1)) if years else []
    censored_at: dict[int, list[tuple[str, str, str]]] = {}  # year -> (line, colour, text) of its censored cells
    # Built here and set once: adding annotations one by one re-validates the whole layout
    # each time (it was most of this function's time).
    marks = []
    by_series = {name: g for name, g in series.groupby("series", sort=False)} if not series.empty else {}
    for i, name in enumerate(names):
        by_year = by_series[name].set_index("year").to_dict("index") if name in by_series else {}
        rows = [by_year.get(y) for y in span]
        # A censored or unreported year is None: the line breaks there instead of drawing a number.
        y = [None if r is None or r["censored"] else float(r["value"]) for r in rows]
        colour = colour_of.get(name, charts.colour(i))
        fig.add_trace(
            go.Scatter(
                x=span,
                y=y,
                name=name,
                mode="lines+markers",
                line={"color": colour, "width": 3 if name == TOTAL else 2},
                marker={"size": 8},
                connectgaps=False,
                hovertext=[_hover(r, aggregate=aggregate) for r in rows],
                hovertemplate="%{x}: %{hovertext}<extra>" + name + "</extra>",
                legendgroup=name,
            ),
            row=1,
            col=1,
        )
        for yr, r in zip(span, rows):
            if r is not None and r["censored"]:
                censored_at.setdefault(yr, []).append((name, colour, r["as_published"] if aggregate else CENSORED_TEXT))
        if aggregate:
            row_no = panels.index("reporting") + 1
            fig.add_trace(
                go.Scatter(
                    x=span,
                    y=[None if r is None else int(r["reporting_countries"]) for r in rows],
                    name=f"{name}: countries reporting",
                    mode="lines+markers",
                    line={"color": colour, "width": 1.5},
                    marker={"size": 4},
                    showlegend=False,
                    legendgroup=name,
                    hovertemplate="%{x}: %{y} countries<extra>" + name + "</extra>",
                ),
                row=row_no,
                col=1,
            )
    marks += [m for yr, cells in censored_at.items() for m in _censored_marks(yr, cells)]
    if censored_at:
        # A legend entry for the "<5" marks; it holds no data point.
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=CENSORED_LEGEND,
                marker={"symbol": "square-open", "color": "#555555", "size": 10},
                hoverinfo="skip",
            ),
            row=1,
            col=1,
        )
    if activities is not None:
        row_no = panels.index("activities") + 1
        fig.add_trace(
            go.Bar(
                x=activities["year"].astype(int).tolist(),
                y=activities["activities"].astype(int).tolist(),
                name="Activities active",
                marker={"color": _ACTIVITY_COLOUR},
                hovertemplate="%{x}: %{y} activities<extra></extra>",
            ),
            row=row_no,
            col=1,
        )
    if marks:
        fig.update_layout(annotations=list(fig.layout.annotations) + marks)
    fig.update_yaxes(title_text=y_title, rangemode="tozero", row=1, col=1)
    for p in panels[1:]:
        fig.update_yaxes(rangemode="tozero", row=panels.index(p) + 1, col=1, nticks=4)
    # Whole years only; plotly spaces the ticks to the width (a narrow chart must not crowd them).
    fig.update_xaxes(tickformat="d", dtick=1 if len(span) <= 8 else None, nticks=10)
    height = {1: 440, 2: 560, 3: 680}[len(panels)]
    charts.layout(fig, title, height=height)
    fig.update_layout(legend={"y": -0.08, "yanchor": "top"}, hovermode="closest", margin={"b": 40})
    return fig


def origins_bar_figure(latest: pd.DataFrame, *, title: str) -> go.Figure:
    """Horizontal bars of the largest origins of one year (numbers only; <5 are listed in
    words beside the chart)."""
    df = latest.sort_values("value")
    fig = go.Figure(
        go.Bar(
            x=df["value"].astype(float).tolist(),
            y=df["series"].tolist(),
            orientation="h",
            marker={"color": charts.OKABE_ITO["blue"]},
            hovertext=df["as_published"].tolist(),
            hovertemplate="%{y}: %{hovertext}<extra></extra>",
            text=df["as_published"].tolist(),
            textposition="outside",
            cliponaxis=False,
        )
    )
    # Room on the right for the value printed beside the longest bar.
    top = float(df["value"].max()) if not df.empty else 1.0
    fig.update_xaxes(title_text="People", range=[0, top * 1.18])
    charts.layout(fig, title, height=max(260, 60 + 34 * len(df)))
    fig.update_layout(showlegend=False, margin={"l": 10, "r": 60, "t": 60, "b": 10})
    return fig
