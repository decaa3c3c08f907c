"""UNODC trafficking in persons indicators (GLOTIP): series for a country or an area, the
citizenship of the people counted, as tables (:mod:`icat_analysis.ui.indicator_charts` draws them).

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

from icat_analysis import reference
from icat_analysis.filters import Filters
from icat_analysis.paths import REFERENCE_DIR

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
    codes = [c for c in reference.glotip_region_codes() if re.fullmatch(r"[A-Z]{3}", c)]
    others = [c for c in reference.glotip_region_codes() if c not in codes]
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


def file_stem(indicator: str, area: Area, breakdown: str) -> str:
    """A download's name without extension, like ``detected_trafficking_victims_world_sex``."""
    text = f"{indicator}_{area.label if area.kind != 'selection' else 'selection'}_{breakdown}"
    return re.sub(r"[^a-z0-9]+", "_", text.casefold()).strip("_")[:120]


def file_name(indicator: str, area: Area, breakdown: str) -> str:
    """A CSV name like ``detected_trafficking_victims_world_sex.csv``."""
    return file_stem(indicator, area, breakdown) + ".csv"


def chart_title(about: dict, area: Area, breakdown: str) -> str:
    """ "Detected victims, World: by sex" (``about`` is the indicator's :func:`definition`)."""
    return f"{about['short_name']}, {area.label}" + (
        "" if breakdown == "total" else f": {BREAKDOWNS[breakdown].lower()}"
    )


def no_figures_text(indicator: str, area: Area, breakdown: str) -> str:
    how = "" if breakdown == "total" else BREAKDOWNS[breakdown].lower() + " "
    return (
        f"UNODC publishes no figures of {indicator.lower()} {how}for {area.label}. "
        "Choose another area, indicator or breakdown."
    )


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


def area_options(countries: pd.DataFrame, first: Area | None = None) -> list[Area]:
    """World, the regions, the sub-regions, then every country with figures (``countries`` is
    the result of the ``indicators_countries`` query); ``first`` leads when it is none of them
    (the sidebar's selection of places)."""
    out = [Area("world")]
    out += [Area("region", (r,)) for r in reference.regions()]
    out += [Area("sub_region", (s,)) for s in reference.sub_regions() if s not in reference.regions()]
    out += [Area("country", (iso,)) for iso in countries["iso3"]]
    return out if first is None or first in out else [first, *out]


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
    # One group under one name although the source names it two ways across years (the
    # mapping table says which and why); the names as published stay beside it.
    same_group = reference.glotip_citizenship_names()
    df["series"] = df["origin"].map(lambda o: same_group.get(o, o))
    # Summed column by column (a Python function per group took 0.2 s for one country's 700
    # groups); the names as published are joined only where a group has more than one.
    keys = ["year", "series"]
    groups = df.groupby(keys)
    names = df[[*keys, "origin"]].drop_duplicates().sort_values("origin")
    published = names.groupby(keys)["origin"].first().rename("published_as")
    several = names[names.duplicated(keys, keep=False)]
    if not several.empty:
        published.update(several.groupby(keys)["origin"].agg("; ".join))
    df = pd.concat(
        [groups["value"].sum(min_count=1), groups[["censored_cells", "numeric_cells"]].sum(), published], axis=1
    ).reset_index()
    return complete(df.assign(reporting_countries=1))


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


def citizenship_countries(countries: pd.DataFrame, area: Area) -> pd.DataFrame:
    """The countries of the area that publish citizenship figures (``indicators_countries`` rows)."""
    with_citizenship = countries[countries["has_citizenship"]]
    in_area = area.iso3()
    if in_area is None:
        return with_citizenship
    return with_citizenship[with_citizenship["iso3"].isin(in_area)]


def origins_table(origins_df: pd.DataFrame) -> pd.DataFrame:
    table = series_table(origins_df, aggregate=False).rename(columns={"Series": "Citizenship"})
    if "published_as" in origins_df:
        table.insert(2, "Named by UNODC", origins_df["published_as"].to_numpy())
    return table


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
