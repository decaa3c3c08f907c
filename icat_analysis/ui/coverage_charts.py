"""Figures of the Coverage page and the briefing: the coverage heat map, the joint-work heat
map and the joint share per start year. They take what :mod:`icat_analysis.analyses.coverage`
returns and draw it in the house style (:mod:`icat_analysis.ui.charts`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from icat_analysis import reference
from icat_analysis.analyses.coverage import GAP_LEGEND, CoverageMatrix, joint_work_by_year
from icat_analysis.ui import charts

#: cells above which numbers are not written inside the heat map (they would be unreadable)
TEXT_CELL_LIMIT = 400


#: a light tint of the palette's orange: stands out from white and from the blues, and stays
#: readable when a sparse matrix has many gaps
GAP_COLOUR = "#F5C76B"


def coverage_heatmap(m: CoverageMatrix, title: str, *, show_text: bool | None = None) -> go.Figure:
    """Heat map of a coverage matrix: places down (tall when there are many), agencies across.

    Empty cells stay white; empty cells in places with detected victims take the gap colour.
    Numbers are written in the cells only when the matrix is small enough to read them.
    """
    names = m.place_names()
    agencies = list(m.values.columns)
    agency_names = reference.labels("agency")
    n_rows, n_cols = m.values.shape
    if show_text is None:
        show_text = n_rows * n_cols <= TEXT_CELL_LIMIT
    z = m.values.where(m.activities > 0).to_numpy()
    acts = m.activities.to_numpy()
    known = m.with_budget.to_numpy()
    hover_rows = []
    for i, place in enumerate(names):
        row = []
        for j, agency in enumerate(agencies):
            line = f"<b>{place}</b><br>{agency_names.get(agency, agency)} ({agency})<br>{reference.activities_text(int(acts[i, j]))}"
            if m.measure == "budget":
                line += f"<br>US$ {m.values.iat[i, j]:,.0f} known budget ({int(known[i, j]):,} with a budget)"
            if m.gaps.iat[i, j]:
                line += "<br>" + GAP_LEGEND
            row.append(line)
        hover_rows.append(row)
    fig = go.Figure()
    value_word = "Activities" if m.measure == "activities" else "Known budget (US$)"
    fig.add_trace(
        go.Heatmap(
            z=z,
            x=agencies,
            y=names,
            colorscale=charts.SEQUENTIAL[1:],
            hoverongaps=False,
            customdata=hover_rows,
            hovertemplate="%{customdata}<extra></extra>",
            xgap=1,
            ygap=1,
            colorbar={
                "title": {"text": value_word},
                "thickness": 14,
                # a fixed size at the top, so a tall chart does not push it out of sight
                "lenmode": "pixels",
                "len": min(300, 24 * n_rows),
                "y": 1,
                "yanchor": "top",
                **(charts.count_ticks(m.values.to_numpy().ravel()) if m.measure == "activities" else {}),
            },
            texttemplate=("%{z:,.0f}" if m.measure == "activities" else "%{z:.2s}") if show_text else None,
            name=value_word,
        )
    )
    if m.gaps.to_numpy().any():
        gz = np.where(m.gaps.to_numpy(), 1.0, np.nan)
        fig.add_trace(
            go.Heatmap(
                z=gz,
                x=agencies,
                y=names,
                colorscale=[[0, GAP_COLOUR], [1, GAP_COLOUR]],
                showscale=False,
                hoverongaps=False,
                # hover text only where the trace is drawn, to keep a 200-row figure small
                customdata=[
                    [h if g else "" for h, g in zip(row, grow)] for row, grow in zip(hover_rows, m.gaps.to_numpy())
                ],
                hovertemplate="%{customdata}<extra></extra>",
                xgap=1,
                ygap=1,
                name=GAP_LEGEND,
            )
        )
        # A heat map has no legend entry; a square marker explains the gap colour.
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                marker={"symbol": "square", "size": 14, "color": GAP_COLOUR},
                name=GAP_LEGEND,
                showlegend=True,
            )
        )
    # Agency codes sit above the columns (they stay near the top of a tall chart); the title
    # and the gap legend go above them, in the margin, so nothing overlaps.
    top = 150 if n_cols > 8 else 110
    height = max(320, 24 * n_rows + top + 30)
    charts.layout(fig, title, height=height)
    fig.update_layout(
        title={"yref": "container", "y": 1, "yanchor": "top", "pad": {"t": 12}},
        legend={
            "orientation": "h",
            "yref": "container",
            "y": 1,
            "yanchor": "top",
            "x": 1,
            "xanchor": "right",
            "font": {"size": 13},
        },
        margin={"l": 10, "r": 10, "t": top, "b": 20},
        plot_bgcolor="#FFFFFF",
    )
    fig.update_xaxes(side="top", tickangle=-45 if n_cols > 8 else 0, showgrid=False, type="category")
    fig.update_yaxes(autorange="reversed", showgrid=False, type="category", automargin=True)
    return fig


def joint_heatmap(m: pd.DataFrame, title: str) -> go.Figure:
    names = reference.labels("agency")
    n = len(m)
    z = m.where(m > 0).to_numpy(dtype=float)
    hover = [
        [
            f"{names.get(a, a)} ({a})<br>{names.get(b, b)} ({b})<br>{int(m.at[a, b]):,} joint activities"
            for b in m.columns
        ]
        for a in m.index
    ]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(m.columns),
            y=list(m.index),
            colorscale=charts.SEQUENTIAL[1:],
            hoverongaps=False,
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            xgap=1,
            ygap=1,
            texttemplate="%{z:,.0f}" if n <= 20 else None,
            colorbar={
                "title": {"text": "Joint activities"},
                "thickness": 14,
                **charts.count_ticks(m.to_numpy().ravel()),
            },
        )
    )
    charts.layout(fig, title, height=max(360, 28 * n + 190))
    fig.update_layout(
        title={"yref": "container", "y": 1, "yanchor": "top", "pad": {"t": 12}},
        margin={"l": 10, "r": 10, "t": 150, "b": 20},
        plot_bgcolor="#FFFFFF",
    )
    fig.update_xaxes(side="top", tickangle=-45, showgrid=False, type="category")
    fig.update_yaxes(autorange="reversed", showgrid=False, type="category")
    return fig


def joint_share_chart(by_year: pd.DataFrame, title: str) -> go.Figure:
    """Line of the joint share per start year; hover gives the counts behind each point."""
    d = joint_work_by_year(by_year)
    fig = go.Figure(
        go.Scatter(
            x=d["year"],
            y=d["share_joint_pct"],
            mode="lines+markers",
            line={"color": charts.OKABE_ITO["blue"], "width": 3},
            customdata=np.stack([d["joint"], d["activities"]], axis=1) if len(d) else None,
            hovertemplate="%{x}: %{y:.1f}% joint<br>%{customdata[0]:,} of %{customdata[1]:,} activities<extra></extra>",
            name="Joint share",
        )
    )
    charts.layout(fig, title, height=360)
    fig.update_yaxes(title="Joint activities (% of those started)", rangemode="tozero", ticksuffix="%")
    fig.update_xaxes(title="Start year", dtick=1 if len(d) <= 15 else None)
    return fig
