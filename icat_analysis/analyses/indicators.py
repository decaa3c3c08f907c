"""UNODC trafficking in persons indicators (GLOTIP): series for a country or an area, the
citizenship of the people counted, and the figures of the Indicators page.

Three rules shape everything here:

* A censored cell (UNODC publishes counts below 5 as ``<5``) is never a number. It is never
  summed and never drawn at a y value: a censored year leaves a gap in the line and gets a
  ``<5`` mark at the foot of the chart (an annotation placed in the axis' own 0-1 space, so
  no trace carries a number for it). Sums say how many such cells they leave out, and give
  the range the true total lies in (each censored cell is 0 to 4).
* Area totals (sub-regions, regions, the world) add up countries of the reference table
  only. UNODC's regional aggregates in the file (CAR, SAM ...) and 'Aruba/Curacao' are not
  countries; adding them would count their countries twice.
* Totals move with the number of countries reporting, so every total is drawn with the
  number of countries behind it, and activities are set beside detections with UNODC's
  warning that detections measure detection capacity, not prevalence.

Queries live in ``sql/indicators_*.sql``. Functions that fetch take ``run``, a callable
``run(name, filters=None, **params) -> DataFrame``: ``st_adapter.run`` on the page (cached),
``functools.partial(db.query, con)`` in tests and scripts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from icat_analysis import reference
from icat_analysis.filters import Filters
from icat_analysis.paths import REFERENCE_DIR
from icat_analysis.sources import glotip
from icat_analysis.ui import charts

Run = Callable[..., pd.DataFrame]

#: the five GLOTIP indicators, in the order of the criminal justice chain after detection
INDICATORS = (
    "Detected trafficking victims",
    "Offences of trafficking in persons",
    "Persons brought into formal contact",
    "Persons prosecuted",
    "Persons convicted",
)
#: breakdown key -> label on the page
BREAKDOWNS = {
    "total": "Total",
    "sex": "By sex",
    "age": "By age",
    "form": "By form of exploitation",
}
TOTAL = "Total"
#: the largest count a censored cell can hide (UNODC publishes 0-4 as "<5")
CENSORED_MAX = 4
CENSORED_TEXT = "<5"
CENSORED_LEGEND = "<5: fewer than 5 (censored by UNODC, not drawn as a number)"
DEFAULT_CITATION = (
    "UNODC, UNODC Research - Data Portal - Trafficking in Persons, dataunodc.un.org (release of 30 May 2023)"
)
PREVALENCE_CAVEAT = (
    "UNODC: detected victims are those officially identified and reported; the figures show "
    "detection capacity, patterns and trends, not how common trafficking is. Activities are "
    "set beside them for context, not as a cause or an effect."
)
_AGE_LABELS = {"0 to 17 years": "Children (0 to 17)", "18 years or over": "Adults (18 or over)", "Unknown": "Unknown"}
_ACTIVITY_COLOUR = "#7F7F7F"


# ---- definitions and citation ----------------------------------------------------------
@lru_cache(maxsize=1)
def definitions() -> pd.DataFrame:
    """indicator, short_name, definition, caveat: from reference/indicator_definitions.csv."""
    return pd.read_csv(REFERENCE_DIR / "indicator_definitions.csv", dtype=str, keep_default_na=False)


def definition(indicator: str) -> dict[str, str]:
    """The definition and caveat of one indicator (empty strings when it is not listed)."""
    df = definitions()
    row = df[df["indicator"] == indicator]
    if row.empty:
        return {"indicator": indicator, "short_name": indicator, "definition": "", "caveat": ""}
    return row.iloc[0].to_dict()


def citation(manifest: dict) -> str:
    """The citation the export's manifest gives for its indicators, else the 2023 release's."""
    for source in manifest.get("sources") or []:
        if isinstance(source, dict) and source.get("used_for") == "indicators.parquet" and source.get("citation"):
            return str(source["citation"])
    return DEFAULT_CITATION


def _not_countries_note() -> str:
    # The importer's list of the file's non-country codes, so the note and the data agree.
    codes = [c for c in glotip.region_codes() if re.fullmatch(r"[A-Z]{3}", c)]
    others = [c for c in glotip.region_codes() if c not in codes]
    return (
        f"UNODC's file also carries regional aggregates (codes {', '.join(codes)})"
        + (f" and {', '.join(others)} reported together" if others else "")
        + "; they are not countries and are left out of every total here, so no country is counted twice."
    )


NOT_COUNTRIES_NOTE = _not_countries_note()


def indicator_names(present) -> list[str]:
    """The indicators of the export: the five GLOTIP ones in their order, then any other."""
    present = list(dict.fromkeys(present))
    return [i for i in INDICATORS if i in present] + sorted(i for i in present if i not in INDICATORS)


def indicator_from_param(value: str | None, names: list[str]) -> str:
    """The indicator a link asks for (case-insensitive), else the first one."""
    lookup = {n.casefold(): n for n in names}
    return lookup.get((value or "").strip().casefold(), names[0])


def chart_notes(series: pd.DataFrame, area: Area) -> str:
    """What a reader must know about the lines drawn: censored cells, what a total adds up."""
    parts = []
    censored_points = int(series["censored"].sum())
    if censored_points:
        parts.append(
            f"{censored_points} point(s) are published only as <5 (fewer than 5): the line breaks "
            "there and a <5 mark sits at the foot of the chart."
        )
    if area.is_aggregate:
        left_out = int(series["censored_cells"].sum())
        parts.append(
            f"Totals add up the countries' published numbers; {left_out:,} country figure(s) published "
            "as <5 are left out (the table gives each total's range, counting <5 as 0 to 4). "
            "The middle panel shows how many countries report each year: a total rises when more "
            "countries report."
        )
        parts.append(NOT_COUNTRIES_NOTE)
    return " ".join(parts)


def file_name(indicator: str, area: Area, breakdown: str) -> str:
    """A CSV name like ``detected_trafficking_victims_world_sex.csv``."""

    text = f"{indicator}_{area.label if area.kind != 'selection' else 'selection'}_{breakdown}"
    return re.sub(r"[^a-z0-9]+", "_", text.casefold()).strip("_")[:120] + ".csv"


# ---- areas -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Area:
    """Where the figures are summed: the world, a region, a sub-region, a country, or the
    countries chosen in the sidebar (``selection``)."""

    kind: str = "world"  # world | region | sub_region | country | selection
    codes: tuple[str, ...] = ()

    @property
    def is_aggregate(self) -> bool:
        return self.kind != "country"

    @property
    def key(self) -> str:
        return self.kind if not self.codes else f"{self.kind}:{','.join(self.codes)}"

    @classmethod
    def from_key(cls, key: str) -> Area:
        kind, _, rest = key.partition(":")
        return cls(kind, tuple(c for c in rest.split(",") if c))

    @property
    def label(self) -> str:
        if self.kind == "world":
            return "World"
        if self.kind == "country":
            return reference.labels("country").get(self.codes[0], self.codes[0])
        if self.kind == "selection":
            names = reference.labels("country")
            shown = ", ".join(names.get(c, c) for c in self.codes[:3])
            more = f" and {len(self.codes) - 3} more" if len(self.codes) > 3 else ""
            return f"Selected countries ({shown}{more})"
        return self.codes[0]

    def iso3(self) -> list[str] | None:
        """The area's countries; None for the world (every country of the reference table)."""
        if self.kind == "world":
            return None
        if self.kind in ("country", "selection"):
            return list(self.codes)
        c = reference.countries()
        column = "region" if self.kind == "region" else "sub_region"
        return sorted(c.loc[c[column] == self.codes[0], "iso3"])


def area_options(countries: pd.DataFrame) -> list[Area]:
    """World, the regions, the sub-regions, then every country with figures (``countries`` is
    the result of the ``indicators_countries`` query)."""
    out = [Area("world")]
    out += [Area("region", (r,)) for r in reference.regions()]
    out += [Area("sub_region", (s,)) for s in reference.sub_regions() if s not in reference.regions()]
    out += [Area("country", (iso,)) for iso in countries["iso3"]]
    return out


def area_kind_label(area: Area) -> str:
    return {
        "world": "World",
        "region": "Region",
        "sub_region": "Sub-region",
        "country": "Country",
        "selection": "Sidebar",
    }[area.kind]


def preselected_area(filters: Filters) -> Area:
    """The area the sidebar's place filters point to: one country, one region or sub-region,
    several places (their countries together), or the world."""
    if len(filters.countries) == 1 and not filters.regions:
        return Area("country", (filters.countries[0],))
    if len(filters.regions) == 1 and not filters.countries:
        name = filters.regions[0]
        return Area("region" if name in reference.regions() else "sub_region", (name,))
    if filters.regions or filters.countries:
        return Area("selection", tuple(filters.place_iso3() or ()))
    return Area("world")


# ---- series ----------------------------------------------------------------------------
def dimension_of(breakdown: str) -> str:
    if breakdown not in BREAKDOWNS:
        raise ValueError(f"not a breakdown: {breakdown!r}")
    return "by form of exploitation" if breakdown == "form" else "Total"


def area_cells(run: Run, indicator: str, area: Area, breakdown: str = "total") -> pd.DataFrame:
    """The ``indicators_area_cells`` rows of one indicator, area and breakdown's dimension."""
    iso3 = area.iso3()
    return run(
        "indicators_area_cells",
        indicator=indicator,
        dimension=dimension_of(breakdown),
        iso3=None if iso3 is None else list(iso3),
    )


def _pick(cells: pd.DataFrame, breakdown: str) -> pd.DataFrame:
    """The cells a breakdown draws, each with the name of its line in ``series``."""
    c = cells
    if breakdown == "total":
        rows = c[(c["category"] == TOTAL) & (c["sex"] == TOTAL) & (c["age"] == TOTAL)]
        names = pd.Series(TOTAL, index=rows.index)
    elif breakdown == "sex":
        # Sex totals over all ages; 'Unknown' sex is only published with 'Unknown' age.
        rows = c[(c["category"] == TOTAL) & (c["sex"] != TOTAL) & c["age"].isin([TOTAL, "Unknown"])]
        names = rows["sex"]
    elif breakdown == "age":
        rows = c[(c["category"] == TOTAL) & (c["age"] != TOTAL) & c["sex"].isin([TOTAL, "Unknown"])]
        rows = rows[(rows["sex"] == TOTAL) | (rows["age"] == "Unknown")]
        names = rows["age"].map(lambda a: _AGE_LABELS.get(a, a))
    elif breakdown == "form":
        rows = c[(c["category"] != TOTAL) & (c["sex"] == TOTAL) & (c["age"] == TOTAL)]
        names = rows["category"]
    else:
        raise ValueError(f"not a breakdown: {breakdown!r}")
    out = rows.assign(series=names.astype(str))
    keep = ["year", "series", "value", "censored_cells", "numeric_cells", "reporting_countries"]
    return out[keep]


def _published_text(value, censored_cells: int, numeric_cells: int) -> str:
    if numeric_cells == 0:
        return CENSORED_TEXT if censored_cells == 1 else f"{censored_cells} × {CENSORED_TEXT}"
    text = f"{value:,.0f}"
    if censored_cells:
        text += f" + {censored_cells} × {CENSORED_TEXT}"
    return text


def complete(series: pd.DataFrame) -> pd.DataFrame:
    """Add what each point means: ``censored`` (no number at all: every cell <5), ``value``
    left empty then, the range ``lower_bound``-``upper_bound`` the true count lies in, and
    ``as_published`` ("1,470", "<5", "52 + 2 × <5")."""
    s = series.copy()
    for col in ("censored_cells", "numeric_cells", "reporting_countries"):
        s[col] = s[col].astype("int64")
    s["censored"] = s["numeric_cells"].eq(0)
    s["value"] = s["value"].astype("float64").where(~s["censored"])
    s["lower_bound"] = s["value"].fillna(0.0)
    s["upper_bound"] = s["lower_bound"] + CENSORED_MAX * s["censored_cells"]
    s["as_published"] = [
        _published_text(v, c, n) for v, c, n in zip(s["value"], s["censored_cells"], s["numeric_cells"])
    ]
    return s.sort_values(["series", "year"]).reset_index(drop=True)


def breakdown_series(cells: pd.DataFrame, breakdown: str = "total") -> pd.DataFrame:
    """One row per line and year: year, series, value (None when censored), censored_cells,
    numeric_cells, reporting_countries, censored, lower_bound, upper_bound, as_published."""
    return complete(_pick(cells, breakdown))


def area_series(run: Run, indicator: str, area: Area, breakdown: str = "total") -> pd.DataFrame:
    """The lines of one indicator for an area (see :func:`breakdown_series`). For an area,
    ``value`` is the sum of the countries' numbers, ``censored_cells`` the <5 cells left out
    and ``reporting_countries`` how many countries published the cell that year."""
    return breakdown_series(area_cells(run, indicator, area, breakdown), breakdown)


def series_table(series: pd.DataFrame, *, aggregate: bool) -> pd.DataFrame:
    """The series as people download it, with plain headings."""
    cols = {
        "year": "Year",
        "series": "Series",
        "as_published": "As published",
        "value": "Value (empty when censored)",
        "censored_cells": "Cells <5 left out",
        "lower_bound": "Lower bound (<5 as 0)",
        "upper_bound": "Upper bound (<5 as 4)",
    }
    if aggregate:
        cols["reporting_countries"] = "Countries reporting"
    return series[list(cols)].rename(columns=cols)


# ---- citizenship -----------------------------------------------------------------------
def origins(run: Run, indicator: str, iso3: str) -> pd.DataFrame:
    """Where the people one country counted come from, by year (see :func:`complete`)."""
    df = run("indicators_origins", indicator=indicator, iso3=iso3)
    df = df.rename(columns={"origin": "series"}).assign(reporting_countries=1)
    return complete(df)


def latest_origins(origins_df: pd.DataFrame, top: int = 10) -> tuple[int | None, pd.DataFrame, list[str]]:
    """For the latest year: the ``top`` origins with a number (largest first), and the
    names of the origins published only as <5 (listed in words, never drawn)."""
    if origins_df.empty:
        return None, origins_df, []
    year = int(origins_df["year"].max())
    latest = origins_df[origins_df["year"] == year]
    numeric = latest[~latest["censored"]].sort_values(["value", "series"], ascending=[False, True]).head(top)
    censored = sorted(latest.loc[latest["censored"], "series"])
    return year, numeric.reset_index(drop=True), censored


def top_origins(origins_df: pd.DataFrame, top: int = 6) -> list[str]:
    """The origins with the most people over all years (numbers only), largest first."""
    sums = origins_df.groupby("series")["value"].sum(min_count=1).dropna()
    return sums.sort_values(ascending=False, kind="stable").head(top).index.tolist()


def origins_table(origins_df: pd.DataFrame) -> pd.DataFrame:
    return series_table(origins_df, aggregate=False).rename(columns={"Series": "Citizenship"})


# ---- activities ------------------------------------------------------------------------
def activities_by_year(run: Run, filters: Filters, area: Area, years: tuple[int, int]) -> pd.DataFrame:
    """year, activities: activities of the sidebar selection active each year in the area."""
    iso3 = area.iso3()
    return run(
        "indicators_activities_by_year",
        filters,
        iso3=None if iso3 is None else list(iso3),
        year_from=int(years[0]),
        year_to=int(years[1]),
    )


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
) -> go.Figure:
    """Lines of ``series`` (from :func:`breakdown_series`) over the years.

    Censored years break the line and get a "<5" mark at the foot of the chart: an
    annotation in the axis' 0-1 space, never a y value. For an area a second panel gives the
    countries reporting each line; with ``activities`` (year, activities) a last panel gives
    the activities active each year.
    """
    names = _order(series)
    colour_of = colour_of or {n: charts.colour(i) for i, n in enumerate(names)}
    panels = ["main"] + (["reporting"] if aggregate else []) + (["activities"] if activities is not None else [])
    heights = {"main": 0.62, "reporting": 0.19, "activities": 0.19}
    titles = {
        "main": "",
        "reporting": "Countries reporting (totals move with them)",
        "activities": "Activities active in the selection (synthetic in the demo)",
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
    any_censored = False
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
        censored_years = [yr for yr, r in zip(span, rows) if r is not None and r["censored"]]
        for yr in censored_years:
            any_censored = True
            r = by_year[yr]
            marks.append(
                dict(
                    x=yr,
                    y=0.015 + 0.055 * i,
                    xref="x",
                    yref="y domain",
                    yanchor="bottom",
                    text=r["as_published"] if aggregate else CENSORED_TEXT,
                    showarrow=False,
                    font={"color": colour, "size": 12},
                    bgcolor="rgba(255,255,255,0.85)",
                    bordercolor=colour,
                    borderwidth=1,
                    borderpad=1,
                    hovertext=f"{name}, {yr}: fewer than 5 (censored by UNODC)",
                )
            )
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
    if any_censored:
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
