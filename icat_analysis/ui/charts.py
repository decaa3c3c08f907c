"""What every figure shares: one colour-blind-safe palette and one layout.

Figure builders elsewhere take a DataFrame and return a plotly Figure; they call
:func:`layout` last so every chart has the same fonts, margins, legend and a title that says
what is shown. The palette is Okabe and Ito's (2008), which stays distinguishable for the
common forms of colour blindness and on a washed-out projector.
"""

from __future__ import annotations

import plotly.graph_objects as go

#: Okabe-Ito colours, in the order charts use them (black last: it is kept for text and totals)
OKABE_ITO = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "bluish_green": "#009E73",
    "vermillion": "#D55E00",
    "sky_blue": "#56B4E9",
    "reddish_purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}
PALETTE: tuple[str, ...] = tuple(OKABE_ITO.values())

#: The four Ps keep their colour on every page.
THEME_COLOURS = {
    "prevention": OKABE_ITO["blue"],
    "protection": OKABE_ITO["orange"],
    "prosecution": OKABE_ITO["bluish_green"],
    "partnership": OKABE_ITO["reddish_purple"],
    # an activity whose text gave no evidence for a theme (an IATI import): grey, not a P
    "unclassified": "#999999",
}

#: Sequential scale for maps and heat maps: light to the palette's blue, readable in grey too.
SEQUENTIAL = ["#F2F5F8", "#C6DBEF", "#6BAED6", "#2171B5", "#08306B"]

FONT = "Source Sans Pro, Segoe UI, Helvetica, Arial, sans-serif"


def count_ticks(values) -> dict:
    """Colour-bar ticks for a scale of counts: whole numbers only. A scale up to 10 is ticked
    at every count (left alone, plotly ticks 0, 0.5, 1, 1.5, 2 for a maximum of 2); a larger
    or a non-count scale (budgets) keeps plotly's ticks."""
    vals = [float(v) for v in values if v == v]  # NaN is not equal to itself
    if not vals or any(not v.is_integer() for v in vals) or max(vals) > 10:
        return {}
    return {"tick0": 0, "dtick": 1, "tickformat": "d"}


def colour(i: int) -> str:
    """The i-th palette colour (cycles)."""
    return PALETTE[i % len(PALETTE)]


def layout(fig: go.Figure, title: str, *, height: int | None = 420, legend_title: str | None = None) -> go.Figure:
    """Apply the house layout and a title; returns the same figure for chaining."""
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 18}},
        template="plotly_white",
        font={"family": FONT, "size": 14, "color": "#1A1A1A"},
        colorway=list(PALETTE),
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        legend={"title": {"text": legend_title or ""}, "orientation": "h", "y": -0.15, "x": 0},
        hoverlabel={"font": {"family": FONT}},
        separators=".,",
    )
    if height:
        fig.update_layout(height=height)
    return fig


def empty_figure(title: str, message: str) -> go.Figure:
    """A figure that says there is nothing to draw (for exported reports; pages show text)."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return layout(fig, title)
