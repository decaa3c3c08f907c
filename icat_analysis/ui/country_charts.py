"""Figures of a country's profile (Map page): the activities' timeline and UNODC's detected
victims by year. Titles from the data are escaped so plotly shows them as text."""

from __future__ import annotations

import html
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from icat_analysis.analyses.country_profile import TIMELINE_ROWS

#: the band where censored GLOTIP values ("<5") are drawn: they are known to be 0-4, no more
CENSORED_BAND = (0.0, 5.0)
CENSORED_Y = 2.5


def timeline_figure(activities: pd.DataFrame, today: date | None = None, max_rows: int = TIMELINE_ROWS) -> go.Figure:
    """A bar per activity from start to end (ongoing ones run to today), coloured by lead agency.

    Titles come from the data: they are escaped so plotly shows them as text.
    """
    today = today or date.today()
    d = activities.sort_values(["lead_agency", "start_date", "activity_id"]).head(max_rows).copy()
    d["start"] = pd.to_datetime(d["start_date"])
    d["end"] = pd.to_datetime(d["end_date"]).fillna(pd.Timestamp(today))
    d["ongoing"] = d["end_date"].isna()
    d["label"] = [
        html.escape(t if len(t) <= 50 else t[:49] + "…") + f" ({i})"
        for t, i in zip(d["title"].astype(str), d["activity_id"])
    ]
    palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
    fig = go.Figure()
    for k, (lead, g) in enumerate(d.groupby("lead_agency", sort=True)):
        duration_ms = (g["end"] - g["start"]).dt.total_seconds() * 1000
        fig.add_trace(
            go.Bar(
                name=lead,
                y=g["label"],
                x=duration_ms,
                base=g["start"],
                orientation="h",
                marker_color=palette[k % len(palette)],
                customdata=list(
                    zip(
                        g["start"].dt.strftime("%Y-%m-%d"),
                        [("ongoing" if o else e.strftime("%Y-%m-%d")) for o, e in zip(g["ongoing"], g["end"])],
                    )
                ),
                hovertemplate="%{y}<br>" + html.escape(lead) + ": %{customdata[0]} to %{customdata[1]}<extra></extra>",
            )
        )
    fig.update_layout(
        barmode="overlay",
        height=max(260, 26 * len(d) + 100),
        # The legend sits right of the bars so it never covers the first rows.
        margin=dict(l=10, r=10, t=20, b=40),
        xaxis=dict(type="date", title=None),
        yaxis=dict(autorange="reversed", title=None, automargin=True),
        legend=dict(title="Lead agency", orientation="v", x=1.01, xanchor="left", y=1, yanchor="top"),
        shapes=[
            dict(
                type="line",
                x0=pd.Timestamp(today),
                x1=pd.Timestamp(today),
                y0=0,
                y1=1,
                yref="paper",
                line=dict(color="#555", dash="dot", width=1),
            )
        ],
        font=dict(size=13),
    )
    return fig


def victims_trend_figure(trend: pd.DataFrame, country_name: str = "") -> go.Figure:
    """UNODC detected victims by year. Published numbers are a line with points; censored
    years ("<5") are open markers in a shaded 0-5 band and say "fewer than 5", never a number.
    """
    d = trend.sort_values("year")
    censored = d["is_censored"].fillna(False).astype(bool) | d["value"].isna()
    cens = d[censored]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            name="Detected victims",
            # Censored years are gaps in the line: joining across them would draw a trend
            # through values nobody published.
            x=d["year"].astype(int).tolist(),
            y=[None if c else float(v) for c, v in zip(censored, d["value"])],
            connectgaps=False,
            mode="lines+markers",
            line=dict(color="#0072B2", width=2),
            marker=dict(size=7),
            hovertemplate="%{x}: %{y:,.0f} detected victims<extra></extra>",
        )
    )
    if len(cens):
        fig.add_trace(
            go.Scatter(
                name="Fewer than 5 (published as <5)",
                x=cens["year"].astype(int).tolist(),
                # Placed in the band only; the hover and legend say "fewer than 5".
                y=[CENSORED_Y] * len(cens),
                mode="markers",
                marker=dict(symbol="circle-open", size=10, color="#D55E00", line=dict(width=2)),
                hovertemplate="%{x}: fewer than 5 detected victims (published as &lt;5)<extra></extra>",
            )
        )
    fig.update_layout(
        height=320,
        margin=dict(l=10, r=10, t=40, b=40),
        title=dict(text=f"Detected victims of trafficking{', ' + html.escape(country_name) if country_name else ''}"),
        xaxis=dict(title=None, dtick=1 if d["year"].nunique() <= 12 else None, tickformat="d"),
        yaxis=dict(title="Detected victims", rangemode="tozero"),
        legend=dict(orientation="h", y=-0.2),
        shapes=[
            dict(
                type="rect",
                xref="paper",
                x0=0,
                x1=1,
                y0=CENSORED_BAND[0],
                y1=CENSORED_BAND[1],
                fillcolor="rgba(213,94,0,0.08)",
                line_width=0,
                layer="below",
            )
        ]
        if len(cens)
        else [],
        font=dict(size=13),
    )
    return fig
