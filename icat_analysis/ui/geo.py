"""World map data and the reusable world choropleth.

``METRICS`` names every value the map can show and the named query that computes it, so a
page (or another view, such as duplication hot-spots) adds a metric by adding an entry.
``map_frame`` turns a query result into one row per reference country; ``world_choropleth``
draws any such frame. The geometry is the project's own ``static/world_50m.json``: the page
passes ``topojsonURL="app/static/"`` to plotly so the map draws with no network.

That file is plotly's 50m world with its lines simplified (topojson-simplify 3.0.3,
``toposimplify -p 0.005``: points whose triangle covers less than 0.005 square degrees are
dropped, shared borders stay shared, every country and island keeps its shape and its centre).
It holds 54,683 points instead of 122,526; the browser projects and draws every point of it on
each map, so the world map draws in about a third of the time and looks the same at world scale.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

import pandas as pd
import plotly.graph_objects as go

from icat_analysis import reference
from icat_analysis.paths import STATIC_DIR
from icat_analysis.store.db import as_list
from icat_analysis.ui import charts

UN_MAP_DISCLAIMER = (
    "The boundaries and names shown and the designations used on this map do not imply "
    "official endorsement or acceptance by the United Nations."
)

#: colours: countries in the selection with nothing there, outside the selection, land, sea
ZERO_COLOUR = "#D5D8DC"
OUTSIDE_COLOUR = "#FFFFFF"
LAND_COLOUR = "#FFFFFF"
OCEAN_COLOUR = "#EEF3F8"
BORDER_COLOUR = "#9AA5B1"
OUTLINE_WIDTH = 0.7
BLUES = [[0.0, "#C6DBEF"], [0.25, "#A9CCE8"], [0.5, "#5DA2D5"], [0.75, "#1F6FB2"], [1.0, "#08306B"]]


@dataclass(frozen=True)
class MapMetric:
    """One value the map can colour countries by.

    ``query`` is a named query (``sql/<query>.sql``) taking ``$filters`` and returning one row
    per country with ``iso3`` and ``column``; countries it leaves out count as zero.
    """

    label: str
    query: str
    column: str
    unit: str = ""  # "usd" formats as money
    description: str = ""
    colorscale: tuple = tuple(map(tuple, BLUES))


#: metric key (also the URL value of ``metric``) -> how to compute and show it. Another view
#: registers its own metric here (e.g. duplication hot-spots) with its own named query.
METRICS: dict[str, MapMetric] = {
    "activities": MapMetric(
        label="Activities",
        query="map_country_values",
        column="activities",
        description="Activities working in the country; a regional activity counts in each of its countries.",
    ),
    "agencies": MapMetric(
        label="Agencies present",
        query="map_country_values",
        column="agencies_present",
        description="Distinct agencies leading or partnering in at least one activity in the country.",
    ),
    "budget": MapMetric(
        label="Known budget (USD)",
        query="map_country_values",
        column="known_budget_usd",
        unit="usd",
        description=(
            "Sum of the reported budgets of activities working in the country. A regional "
            "activity's whole budget counts in each of its countries (no split by country is "
            "recorded); activities without a budget add nothing."
        ),
    ),
}


#: Countries too small to see or click at world scale (area under about 5,000 km2, plus a few
#: island groups whose land is scattered specks). They get a marker at their centre as well
#: as their shape, carrying the same value and hover.
SMALL_STATES: tuple[str, ...] = (
    # Europe
    "AND", "LIE", "MCO", "SMR", "VAT", "MLT", "LUX", "GIB", "JEY", "GGY", "IMN", "FRO",
    # Asia
    "SGP", "BHR", "MDV", "BRN", "HKG", "MAC",
    # Caribbean and Atlantic
    "ATG", "BRB", "DMA", "GRD", "KNA", "LCA", "VCT", "TTO", "ABW", "CUW", "SXM", "MAF", "BLM",
    "AIA", "VGB", "VIR", "CYM", "MSR", "TCA", "BMU", "BES", "GLP", "MTQ", "SPM",
    # Africa and the Indian Ocean
    "STP", "SYC", "MUS", "COM", "CPV", "MYT", "REU", "SHN",
    # Pacific
    "NRU", "TUV", "PLW", "MHL", "FSM", "KIR", "TON", "WSM", "NIU", "COK", "ASM", "GUM", "MNP",
    "WLF", "TKL", "PYF",
)  # fmt: skip

#: (lon, lat) of places that have no shape in the 50m geometry (they are drawn as a marker
#: only); positions of the others come from the geometry's own centre points.
_NO_SHAPE_POSITION = {
    "TUV": (179.2, -8.5),
    "GIB": (-5.35, 36.14),
    "GLP": (-61.55, 16.25),
    "MTQ": (-61.02, 14.64),
    "REU": (55.54, -21.12),
    "MYT": (45.15, -12.83),
    "GUF": (-53.1, 3.93),
    "BES": (-68.26, 12.18),
    "TKL": (-171.85, -9.2),
    "CCK": (96.87, -12.16),
    "CXR": (105.69, -10.45),
    "SJM": (16.0, 78.2),
    "BVT": (3.41, -54.42),
}


@cache
def _geometry_centres() -> dict[str, tuple[float, float]]:
    """iso3 -> (lon, lat) centre point recorded in the 50m geometry."""
    topo = json.loads((STATIC_DIR / "world_50m.json").read_text(encoding="utf-8"))
    out = {}
    for g in topo["objects"]["countries"]["geometries"]:
        ct = (g.get("properties") or {}).get("ct")
        if g.get("id") and ct:
            out[g["id"]] = (float(ct[0]), float(ct[1]))
    return out


def shaped_iso3() -> set[str]:
    """Countries that have a shape in the map geometry."""
    return set(_geometry_centres())


def marker_positions() -> pd.DataFrame:
    """iso3, lon, lat of every country drawn as a marker: small states and shapeless places."""
    centres = _geometry_centres()
    wanted = list(SMALL_STATES) + [c for c in _NO_SHAPE_POSITION if c not in SMALL_STATES]
    rows = []
    for iso3 in wanted:
        pos = centres.get(iso3) or _NO_SHAPE_POSITION.get(iso3)
        if pos:
            rows.append((iso3, pos[0], pos[1]))
    return pd.DataFrame(rows, columns=["iso3", "lon", "lat"])


def format_value(value: float, unit: str = "") -> str:
    """A value as people read it; ``usd_short`` (US$ 156.1M) fits a metric box."""
    if pd.isna(value):
        return "no data"
    if unit in ("usd", "usd_short"):
        if value >= 1e6:
            return f"US$ {value / 1e6:,.1f}" + ("M" if unit == "usd_short" else " million")
        return f"US$ {value:,.0f}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _agency_text(agencies, limit: int = 8) -> str:
    items = as_list(agencies)
    if not items:
        return "none"
    text = ", ".join(items[:limit])
    if len(items) > limit:
        text += f" and {len(items) - limit} more"
    return text


def map_frame(
    values: pd.DataFrame,
    metric: MapMetric,
    places: list[str] | None = None,
    presence: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per reference country: iso3, name, value, in_selection, agencies, hover.

    ``values`` is the metric query's result; countries it leaves out have value 0 when they
    are in the selection and NaN (drawn blank) when ``places`` (a region or country filter)
    leaves them out. ``presence`` (map_country_values) supplies the agencies for the hover.
    """
    countries = reference.countries()[["iso3", "name"]].copy()
    v = values[["iso3", metric.column]].rename(columns={metric.column: "value"})
    out = countries.merge(v, on="iso3", how="left")
    out["in_selection"] = True if places is None else out["iso3"].isin(places)
    out["value"] = out["value"].astype("float64").fillna(0.0)
    out.loc[~out["in_selection"], "value"] = float("nan")
    source = presence if presence is not None else (values if "agencies" in values else None)
    if source is not None and "agencies" in source:
        out = out.merge(source[["iso3", "agencies"]], on="iso3", how="left")
    else:
        out["agencies"] = None
    out["hover"] = [
        f"<b>{name}</b><br>{metric.label}: {format_value(val, metric.unit)}<br>Agencies present: {_agency_text(ag)}"
        for name, val, ag in zip(out["name"], out["value"], out["agencies"])
    ]
    return out


def world_choropleth(
    df: pd.DataFrame,
    value_col: str = "value",
    *,
    iso3_col: str = "iso3",
    hover_col: str = "hover",
    in_selection_col: str = "in_selection",
    label: str = "",
    colorscale=BLUES,
    height: int = 540,
    small_state_markers: bool = True,
    highlight: str | None = None,
) -> go.Figure:
    """A world choropleth of ``df[value_col]`` by ``df[iso3_col]``.

    Countries with a value above zero are coloured on ``colorscale``; countries in the
    selection with zero are light grey (and still say 0 on hover); countries outside the
    selection (``in_selection_col`` false) are left blank. Small states also get a marker
    carrying the same colour and hover, so they can be seen and pointed at. ``highlight`` (an
    iso3) draws that country with a dark outline, e.g. the one whose profile is open.
    """
    d = df.copy()
    if in_selection_col not in d:
        d[in_selection_col] = True
    if hover_col not in d:
        d[hover_col] = d[iso3_col] + ": " + d[value_col].map(format_value)
    d = d[d[in_selection_col].astype(bool)]
    # Every shape drawn as a country already has its outline: the geometry's own border and
    # coast lines would draw the same lines again (a third of the map's drawing time). They
    # are kept when some countries are left blank, whose borders nothing else draws; without
    # them the outlines are drawn a little wider, so borders stay as dark as before.
    outlines = not shaped_iso3() <= set(d[iso3_col])
    positive = d[d[value_col].fillna(0) > 0]
    zero = d[d[value_col].fillna(0) <= 0]
    cmax = float(positive[value_col].max()) if len(positive) else 1.0
    fig = go.Figure()
    common = dict(
        locationmode="ISO-3",
        marker_line_color=BORDER_COLOUR,
        marker_line_width=0.4 if outlines else OUTLINE_WIDTH,
        hovertemplate="%{text}<extra></extra>",
        # A click selects a country to open its profile; the rest of the map must stay readable.
        selected=dict(marker=dict(opacity=1)),
        unselected=dict(marker=dict(opacity=1)),
    )
    fig.add_trace(
        go.Choropleth(
            name="zero",
            locations=zero[iso3_col].tolist(),
            z=[0] * len(zero),
            text=zero[hover_col].tolist(),
            customdata=zero[iso3_col].tolist(),
            colorscale=[[0, ZERO_COLOUR], [1, ZERO_COLOUR]],
            showscale=False,
            **common,
        )
    )
    fig.add_trace(
        go.Choropleth(
            name=label or value_col,
            locations=positive[iso3_col].tolist(),
            z=positive[value_col].tolist(),
            text=positive[hover_col].tolist(),
            customdata=positive[iso3_col].tolist(),
            coloraxis="coloraxis",
            **common,
        )
    )
    if small_state_markers:
        m = d.merge(marker_positions(), on=iso3_col, how="inner")
        has_value = m[value_col].fillna(0) > 0
        outline = dict(color="#4A5560", width=0.8)
        # Two marker layers, like the shapes: coloured by value, and grey for zero.
        for part, marker in (
            (m[has_value], dict(color=m.loc[has_value, value_col].tolist(), coloraxis="coloraxis")),
            (m[~has_value], dict(color=ZERO_COLOUR)),
        ):
            if len(part):
                fig.add_trace(
                    go.Scattergeo(
                        name="small states",
                        lon=part["lon"].tolist(),
                        lat=part["lat"].tolist(),
                        text=part[hover_col].tolist(),
                        customdata=part[iso3_col].tolist(),
                        mode="markers",
                        marker=dict(size=7, line=outline, **marker),
                        hovertemplate="%{text}<extra></extra>",
                        showlegend=False,
                        selected=dict(marker=dict(opacity=1)),
                        unselected=dict(marker=dict(opacity=1)),
                    )
                )
    if highlight and highlight in set(d[iso3_col]):
        fig.add_trace(
            go.Choropleth(
                name="highlight",
                locationmode="ISO-3",
                locations=[highlight],
                z=[0],
                colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]],
                showscale=False,
                marker_line_color="#1A1A1A",
                marker_line_width=2,
                hoverinfo="skip",
            )
        )
        pos = marker_positions().set_index("iso3")
        if highlight in pos.index:
            fig.add_trace(
                go.Scattergeo(
                    name="highlight marker",
                    lon=[pos.loc[highlight, "lon"]],
                    lat=[pos.loc[highlight, "lat"]],
                    mode="markers",
                    marker=dict(size=13, color="rgba(0,0,0,0)", line=dict(color="#1A1A1A", width=2)),
                    hoverinfo="skip",
                    showlegend=False,
                )
            )
    fig.update_layout(
        coloraxis=dict(
            colorscale=[list(s) for s in colorscale],
            cmin=0,
            cmax=cmax,
            colorbar=dict(
                title=dict(text=label, side="right"),
                thickness=14,
                len=0.75,
                x=1.0,
                xanchor="left",
                tickfont=dict(size=13),
                **charts.count_ticks(positive[value_col]),
            ),
        ),
        geo=dict(
            projection_type="natural earth",
            resolution=50,
            fitbounds=False,
            showcountries=outlines,
            countrycolor=BORDER_COLOUR,
            countrywidth=0.4,
            showcoastlines=outlines,
            coastlinecolor=BORDER_COLOUR,
            coastlinewidth=0.4,
            showland=True,
            landcolor=LAND_COLOUR,
            showocean=True,
            oceancolor=OCEAN_COLOUR,
            showlakes=False,
            showframe=False,
            lataxis_range=[-58, 85],
            bgcolor="rgba(0,0,0,0)",
        ),
        height=height,
        margin=dict(l=0, r=0, t=0, b=0),
        showlegend=False,
        dragmode=False,
        font=dict(size=14),
        hoverlabel=dict(font_size=14, bgcolor="white"),
    )
    return fig


def iso3_from_selection(selection: dict | None) -> str | None:
    """The country a click on the map picked (the first point's iso3), if any."""
    if not selection:
        return None
    points = selection.get("points") or []
    for p in points:
        cd = p.get("customdata")
        if isinstance(cd, list):
            cd = cd[0] if cd else None
        if isinstance(cd, str) and len(cd) == 3:
            return cd
        loc = p.get("location")
        if isinstance(loc, str) and len(loc) == 3:
            return loc
    return None


def scope_note(scope) -> str:
    """How regional and global activities reach the map (a ``map_scope_counts`` row), so none
    is dropped in silence."""
    parts = []
    if scope["regional"]:
        parts.append(f"{int(scope['regional']):,} regional activities counted in each of their countries")
    if scope["global_with_countries"]:
        parts.append(
            f"{int(scope['global_with_countries']):,} global activities with a country list, "
            "counted in each listed country"
        )
    note = "The map includes " + "; ".join(parts) + "." if parts else ""
    in_region = int(scope["region_only"]) if "region_only" in scope else 0
    if in_region:
        note += (
            f" {in_region:,} {'activity is' if in_region == 1 else 'activities are'} placed in a region and in no "
            "country: the Regions band below counts them, never their region's countries."
        )
    if unplaced := int(scope["without_countries"]) - in_region:
        note += (
            f" {unplaced:,} global activities without a country list are not on the map"
            " (they appear in the totals above and on the other pages)."
        )
    return note


#: gained: Okabe-Ito blue; lost: vermillion (told apart without colour by the hover text and the table)
GAINED_LOST_SCALE = [[0.0, "#D55E00"], [0.5, "#D55E00"], [0.5, "#0072B2"], [1.0, "#0072B2"]]


def gained_lost_map(places: pd.DataFrame, agency: str, names: dict[str, str]) -> go.Figure:
    """The countries ``agency`` works in now and did not before (blue), and the reverse (vermillion).

    ``places`` is ``changes.places_gained_lost`` (agency, iso3, place).
    """
    mine = places[places["agency"] == agency]
    d = pd.DataFrame(
        {
            "iso3": mine["iso3"],
            # 3 gained, 1 lost: the two halves of the scale, and both above zero to be coloured
            "value": mine["place"].map({"gained": 3.0, "lost": 1.0}),
            "hover": [f"{names.get(i, i)}: {p} by {agency}" for i, p in zip(mine["iso3"], mine["place"])],
        }
    )
    fig = world_choropleth(d, "value", label="", colorscale=GAINED_LOST_SCALE, height=460)
    fig.update_layout(coloraxis=dict(cmin=0, cmax=3, showscale=False))
    return fig
