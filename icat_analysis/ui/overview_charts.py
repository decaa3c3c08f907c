"""Figures of the Overview: activity starts per year by theme, the busiest countries.

These two are Vega-Lite specifications, drawn by Streamlit's own chart element, where every
other page draws plotly figures. The Overview is the first page a room sees on a freshly started
server, and plotly.js is a 4.6 MB script that the browser loads, evaluates and draws with only
when a page has a plotly chart: about 0.9 s of that first visit (docs/PERFORMANCE.md, "First
visit"). Vega-Lite's script is a sixth of that and draws two bar charts at once. The specs are
plain dicts (their data inline, and a ``description`` that screen readers are given), so they
are tested without a browser.
"""

from __future__ import annotations

import pandas as pd

from icat_analysis.analyses import overview
from icat_analysis.analyses.overview import Runner
from icat_analysis.filters import Filters
from icat_analysis.ui.charts import THEME_COLOURS, colour

#: how many countries the busiest-countries chart shows
TOP_COUNTRIES = 10
#: the chart's height in pixels, its title, legend and axes included (it fits the column's width)
STARTS_HEIGHT = 400
#: pixels a country's bar takes in the busiest-countries chart
COUNTRY_STEP = 28
#: above this many years the year axis names every other year (the labels would touch)
EVERY_YEAR_UP_TO = 15


def starts_figure(run: Runner, f: Filters) -> dict:
    """The starts chart of the selected activities."""
    return starts_chart(overview.starts_per_year_by_theme(run, f))


def starts_chart(df: pd.DataFrame) -> dict:
    """Stacked bars of activity starts per year, one colour per theme, the themes stacked and
    listed in the order the data gives them (the four Ps in their usual order)."""
    themes = list(dict.fromkeys(zip(df["theme"], df["theme_label"], strict=True)))
    order = {code: i for i, (code, _) in enumerate(themes)}
    years = sorted(int(y) for y in df["year"].unique())
    shown = years if len(years) <= EVERY_YEAR_UP_TO else years[::2]
    values = [
        {"year": int(r.year), "theme": str(r.theme_label), "order": order[r.theme], "activities": int(r.activities)}
        for r in df.itertuples(index=False)
    ]
    return {
        "title": _title("Activities started per year, by theme"),
        "description": "Stacked bar chart of the activities started each year"
        + (f" from {years[0]} to {years[-1]}" if years else "")
        + ", by theme ("
        + ", ".join(label for _, label in themes)
        + "); an activity with several themes counts under each.",
        "data": {"values": values},
        "height": STARTS_HEIGHT,
        "mark": {"type": "bar"},
        "encoding": {
            "x": {
                "field": "year",
                "type": "ordinal",
                "title": "Year the activity started",
                "axis": {"labelAngle": 0, "values": shown},
            },
            "y": {
                "field": "activities",
                "type": "quantitative",
                "aggregate": "sum",
                "stack": "zero",
                "title": "Activities started",
                "axis": {"format": ",d", "tickMinStep": 1},
            },
            "color": {
                "field": "theme",
                "type": "nominal",
                "title": "Theme",
                "scale": {
                    "domain": [label for _, label in themes],
                    "range": [THEME_COLOURS.get(code, colour(i)) for i, (code, _) in enumerate(themes)],
                },
                "legend": {"orient": "top", "direction": "horizontal", "title": None},
            },
            # the first theme at the bottom of each bar, as the legend lists them
            "order": {"field": "order", "type": "quantitative", "sort": "ascending"},
            "tooltip": [
                {"field": "year", "type": "ordinal", "title": "Year"},
                {"field": "theme", "type": "nominal", "title": "Theme"},
                {"field": "activities", "type": "quantitative", "title": "Activities", "format": ",d"},
            ],
        },
        "config": _config(),
    }


def countries_chart(df: pd.DataFrame) -> dict:
    """Horizontal bars of the countries with most activities, the busiest on top, each bar
    labelled with its count."""
    values = [
        {"country": str(r.country), "activities": int(r.activities), "joint": int(r.joint)}
        for r in df.itertuples(index=False)
    ]
    # a country's whole name, however long (Vega-Lite cuts labels at 180 px: "United St…" on a projector)
    bars = {
        "field": "country",
        "type": "nominal",
        "title": None,
        "sort": [v["country"] for v in values],
        "axis": {"labelLimit": 0},
    }
    count = {"field": "activities", "type": "quantitative"}
    return {
        "title": _title(f"The {len(df)} countries with most activities"),
        "description": "Bar chart of the countries with most activities: "
        + ", ".join(f"{v['country']} {v['activities']:,}" for v in values)
        + ".",
        "data": {"values": values},
        "height": {"step": COUNTRY_STEP},
        "encoding": {
            "y": bars,
            "x": {
                **count,
                "title": "Activities",
                "axis": {"format": ",d", "tickMinStep": 1},
                # room past the longest bar for its count
                "scale": {"domain": [0, round(max((v["activities"] for v in values), default=1) * 1.1, 1)]},
            },
            "tooltip": [
                {"field": "country", "type": "nominal", "title": "Country"},
                {**count, "title": "Activities", "format": ",d"},
                {"field": "joint", "type": "quantitative", "title": "Joint", "format": ",d"},
            ],
        },
        "layer": [
            {"mark": {"type": "bar", "color": colour(0)}},
            # the count just past the bar's end: readable on any bar, however short
            {
                "mark": {"type": "text", "align": "left", "dx": 3, "color": "#1A1A1A"},
                "encoding": {"text": {**count, "format": ",d"}},
            },
        ],
        "config": _config(),
    }


def _title(text: str) -> dict:
    return {"text": text, "anchor": "start", "fontSize": 18}


def _config() -> dict:
    return {
        "axis": {"labelFontSize": 13, "titleFontSize": 14},
        "legend": {"labelFontSize": 13, "titleFontSize": 14},
        "text": {"fontSize": 13},
    }
