"""The Indicators page's figures: GLOTIP series as published, censored cells never drawn as
numbers, area totals that say who reports and what they leave out, activities beside them."""

from __future__ import annotations

import math
from functools import partial
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from icat_analysis import paths
from icat_analysis.analyses import indicators as ind
from icat_analysis.filters import Filters
from icat_analysis.sources import glotip
from icat_analysis.store import db
from icat_analysis.store.contract import INDICATORS_SCHEMA
from icat_analysis.ui import indicator_charts
from tests.factories import activity, make_export

VICTIMS = "Detected trafficking victims"
SOURCE_CANDIDATES = (
    paths.SOURCE_DIR / "unodc_glotip_2023-05-30.xlsx",
    paths.REPO_DIR.parent / "shared" / "data" / "unodc_glotip_2023-05-30.xlsx",
)


# ---- the real source -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def source() -> pd.DataFrame:
    """The published GLOTIP workbook read straight with pandas (not through the importer)."""
    path = next((p for p in SOURCE_CANDIDATES if p.exists()), None)
    if path is None:
        pytest.skip("the GLOTIP workbook is not available")
    df = pd.read_excel(path, header=2, dtype=str)
    text = df["txtVALUE"].str.strip()
    df["censored"] = text.str.startswith("<")
    df["number"] = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce")
    df["Year"] = df["Year"].astype(int)
    return df


@pytest.fixture(scope="module")
def real_run(tmp_path_factory):
    """Queries over the project's default export, or over an import of the source when the
    default export carries no indicators."""
    data = paths.DEFAULT_DATA_DIR
    if not (data / "indicators.parquet").exists():
        path = next((p for p in SOURCE_CANDIDATES if p.exists()), None)
        if path is None:
            pytest.skip("neither data/demo/indicators.parquet nor the GLOTIP workbook is available")
        data = make_export(tmp_path_factory.mktemp("glotip"), [], indicators=glotip.read_table(path))
    con = db.connect(data)
    yield partial(db.query, con)
    con.close()


def _totals(df: pd.DataFrame, iso3: str, indicator: str = VICTIMS) -> pd.DataFrame:
    return df[
        (df["Iso3_code"] == iso3)
        & (df["Indicator"] == indicator)
        & (df["Dimension"] == "Total")
        & (df["Category"] == "Total")
        & (df["Sex"] == "Total")
        & (df["Age"] == "Total")
    ]


def _trace(fig, name: str) -> dict:
    traces = [t for t in fig.to_plotly_json()["data"] if t.get("name") == name and t.get("yaxis", "y") == "y"]
    assert len(traces) == 1, f"one main-panel trace named {name!r}"
    return traces[0]


def _points(trace: dict) -> dict[int, float | None]:
    return {int(x): y for x, y in zip(trace["x"], trace["y"])}


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and not math.isnan(v)


def test_nigeria_detected_victims_drawn_equal_the_source_file(source, real_run):
    expected = _totals(source, "NGA").set_index("Year")["number"]
    assert len(expected) >= 10 and expected.notna().all()  # Nigeria publishes every year as a number

    series = ind.area_series(real_run, VICTIMS, ind.Area("country", ("NGA",)))
    fig = indicator_charts.trend_figure(series, title="Nigeria", aggregate=False)
    drawn = {year: y for year, y in _points(_trace(fig, "Total")).items() if y is not None}

    assert drawn == {int(y): float(v) for y, v in expected.items()}
    assert drawn[2021] == 1470 and drawn[2017] == 1890  # as printed in the workbook: "1,470", "1,890"


def _censored_series(source: pd.DataFrame, n: int = 8) -> list[tuple[str, str, list[int]]]:
    """Countries whose total of an indicator is published as <5 in some years and as a number in
    others: (iso3, indicator, censored years)."""
    totals = source[
        (source["Dimension"] == "Total")
        & (source["Category"] == "Total")
        & (source["Sex"] == "Total")
        & (source["Age"] == "Total")
        & source["Iso3_code"].str.fullmatch(r"[A-Z]{3}")
    ]
    out = []
    for (iso3, indicator), g in totals.groupby(["Iso3_code", "Indicator"], sort=True):
        if g.duplicated("Year").any():
            continue
        if g["censored"].any() and g["number"].notna().any():
            out.append((iso3, indicator, sorted(g.loc[g["censored"], "Year"].tolist())))
    assert len(out) >= n
    return out[:: max(1, len(out) // n)][:n]


def test_censored_cells_never_appear_as_numbers_in_the_figure(source, real_run):
    cases = _censored_series(source)
    for iso3, indicator, censored_years in cases:
        series = ind.area_series(real_run, indicator, ind.Area("country", (iso3,)))
        fig = indicator_charts.trend_figure(series, title=iso3, aggregate=False)
        data = fig.to_plotly_json()
        for trace in data["data"]:
            for x, y in zip(trace.get("x") or [], trace.get("y") or []):
                if x is not None and int(x) in censored_years:
                    assert not _is_number(y), f"{iso3} {indicator} {x}: censored but drawn as {y}"
        # each censored year is marked "<5" at the foot of the chart, in the axis' 0-1 space
        marks = {int(a["x"]) for a in data["layout"]["annotations"] if a.get("text") == "<5"}
        assert marks == set(censored_years), (iso3, indicator)
        assert all(a["yref"] == "y domain" for a in data["layout"]["annotations"] if a.get("text") == "<5")


def test_censored_cells_are_never_drawn_in_breakdowns_either(source, real_run):
    victims = source[
        (source["Indicator"] == VICTIMS) & (source["Dimension"] == "Total") & (source["Category"] == "Total")
    ]
    labels = {"0 to 17 years": "Children (0 to 17)", "18 years or over": "Adults (18 or over)"}
    for breakdown, column, other in (("sex", "Sex", "Age"), ("age", "Age", "Sex")):
        rows = victims[(victims[other] == "Total") & (victims[column] != "Total")]
        rows = rows[~rows.duplicated(["Iso3_code", column, "Year"], keep=False)]
        # the three countries with the most censored cells in this breakdown
        for iso3 in rows[rows["censored"]]["Iso3_code"].value_counts().index[:3]:
            mine = rows[(rows["Iso3_code"] == iso3) & rows["censored"]]
            series = ind.area_series(real_run, VICTIMS, ind.Area("country", (iso3,)), breakdown)
            fig = indicator_charts.trend_figure(series, title=iso3, aggregate=False)
            for category, year in zip(mine[column], mine["Year"]):
                trace = _trace(fig, labels.get(category, category))
                assert not _is_number(_points(trace).get(year)), (iso3, breakdown, category, year)


def test_origins_published_as_fewer_than_five_are_listed_not_drawn(real_run):
    origins = ind.origins(real_run, VICTIMS, "NLD")
    year, latest, censored = ind.latest_origins(origins, top=10)
    fig = indicator_charts.origins_bar_figure(latest, title="Netherlands")
    drawn = set(fig.to_plotly_json()["data"][0]["y"])
    assert year == int(origins["year"].max())
    assert not drawn & set(censored)
    assert list(latest["value"]) == sorted(latest["value"], reverse=True)


# ---- hand-made exports ---------------------------------------------------------------------
def _cell(iso3, year, text, *, indicator=VICTIMS, dimension="Total", category="Total", sex="Total", age="Total"):
    censored = text.startswith("<")
    return {
        "indicator": indicator,
        "iso3": iso3,
        "country": iso3,
        "year": year,
        "dimension": dimension,
        "category": category,
        "sex": sex,
        "age": age,
        "value": None if censored else float(text.replace(",", "")),
        "value_text": text,
        "is_censored": censored,
        "unit": "Counts",
        "source": "GLOTIP",
    }


@pytest.fixture
def hand(tmp_path):
    """Three West African countries (Sub-Saharan Africa), Thailand, and two codes of the source that
    are not countries (SAF, a UNODC aggregate, and 'Aruba/Curacao')."""
    cells = [
        _cell("NGA", 2019, "1,152"),
        _cell("GHA", 2019, "40"),
        _cell("BEN", 2019, "<5"),
        _cell("SAF", 2019, "900"),  # not a country: never added
        _cell("Aruba/Curacao", 2019, "7"),
        _cell("THA", 2019, "300"),
        _cell("NGA", 2020, "1,087"),
        _cell("GHA", 2020, "<5"),
        _cell("BEN", 2020, "<5"),
        _cell("THA", 2020, "<5"),
        # a cell the source repeats (parts of 'Other forms of exploitation') is added up
        _cell("NGA", 2020, "20", dimension="by form of exploitation", category="Other forms of exploitation"),
        _cell("NGA", 2020, "<5", dimension="by form of exploitation", category="Other forms of exploitation"),
        _cell("NGA", 2020, "6", dimension="by form of exploitation", category="Other forms of exploitation"),
        _cell("NGA", 2020, "900", dimension="by form of exploitation", category="Sexual exploitation"),
        _cell("NGA", 2020, "600", sex="Female"),
        _cell("NGA", 2020, "487", sex="Male"),
        _cell("NGA", 2020, "<5", sex="Unknown", age="Unknown"),
        _cell("NGA", 2020, "300", age="0 to 17 years"),
        _cell("NGA", 2020, "787", age="18 years or over"),
        _cell("NGA", 2020, "55", dimension="by citizenship", category="Nationals"),
        _cell("NGA", 2020, "<5", dimension="by citizenship", category="Benin"),
        _cell("NGA", 2020, "12", dimension="by citizenship", category="Ghana"),
    ]
    rows = [
        activity("IN_NGA", countries=["NGA"], start="2018-03-01", end="2020-06-30"),
        activity("IN_BOTH", countries=["GHA", "THA"], start="2020-01-01", end=None),
        activity("CANCELLED", countries=["NGA"], start="2019-01-01", end="2021-12-31", status="cancelled"),
        activity("IN_THA", lead="ILO", countries=["THA"], start="2015-01-01", end="2019-12-31"),
        activity("GLOBAL", countries=[], start="2019-01-01", end="2019-12-31"),
    ]
    data = make_export(tmp_path, rows, indicators=pa.Table.from_pylist(cells, schema=INDICATORS_SCHEMA))
    con = db.connect(data)
    yield partial(db.query, con)
    con.close()


WEST_AFRICA = ind.Area("selection", ("NGA", "GHA", "BEN"))


def _row(series, year, name="Total") -> dict:
    return series[(series["year"] == year) & (series["series"] == name)].iloc[0].to_dict()


def test_area_total_counts_reporting_countries_and_leaves_censored_cells_out(hand):
    series = ind.area_series(hand, VICTIMS, WEST_AFRICA)
    y2019 = _row(series, 2019)
    assert y2019["value"] == 1152 + 40  # Benin's <5 is not added as a number
    assert y2019["reporting_countries"] == 3
    assert y2019["censored_cells"] == 1
    assert (y2019["lower_bound"], y2019["upper_bound"]) == (1192, 1196)
    assert y2019["as_published"] == "1,192 + 1 × <5"


def test_sub_region_sums_its_countries_not_unodc_aggregates(hand):
    series = ind.area_series(hand, VICTIMS, ind.Area("sub_region", ("Sub-Saharan Africa",)))
    assert _row(series, 2019)["value"] == 1192  # SAF's 900 is not added
    world = ind.area_series(hand, VICTIMS, ind.Area("world"))
    y2019 = _row(world, 2019)
    assert y2019["value"] == 1152 + 40 + 300  # neither SAF nor Aruba/Curacao
    assert y2019["reporting_countries"] == 4
    assert y2019["censored_cells"] == 1


def test_year_with_only_censored_cells_has_no_number(hand):
    thailand = ind.area_series(hand, VICTIMS, ind.Area("country", ("THA",)))
    y2020 = _row(thailand, 2020)
    assert y2020["censored"] and pd.isna(y2020["value"]) and y2020["as_published"] == "<5"
    fig = indicator_charts.trend_figure(thailand, title="Thailand", aggregate=False)
    assert _points(_trace(fig, "Total")) == {2019: 300.0, 2020: None}


def test_breakdowns_by_sex_age_and_form(hand):
    nga = ind.Area("country", ("NGA",))
    sex = ind.area_series(hand, VICTIMS, nga, "sex")
    assert set(sex["series"]) == {"Female", "Male", "Unknown"}
    assert _row(sex, 2020, "Female")["value"] == 600 and _row(sex, 2020, "Unknown")["censored"]
    age = ind.area_series(hand, VICTIMS, nga, "age")
    assert set(age["series"]) == {"Children (0 to 17)", "Adults (18 or over)", "Unknown"}
    assert _row(age, 2020, "Children (0 to 17)")["value"] == 300
    form = ind.area_series(hand, VICTIMS, nga, "form")
    other = _row(form, 2020, "Other forms of exploitation")
    assert other["value"] == 26 and other["censored_cells"] == 1  # 20 + 6, and one part <5
    assert _row(form, 2020, "Sexual exploitation")["value"] == 900


def test_origins_of_victims_detected_in_a_country(hand):
    origins = ind.origins(hand, VICTIMS, "NGA")
    year, latest, censored = ind.latest_origins(origins)
    assert year == 2020
    assert latest["series"].tolist() == ["Nationals", "Ghana"]
    assert censored == ["Benin"]
    assert ind.top_origins(origins, top=1) == ["Nationals"]


def test_activities_active_each_year_in_the_area(hand):
    per_year = ind.activities_by_year(hand, Filters(), WEST_AFRICA, (2018, 2021))
    assert dict(zip(per_year["year"], per_year["activities"])) == {2018: 1, 2019: 1, 2020: 2, 2021: 1}
    ilo = ind.activities_by_year(hand, Filters(agencies=("ILO",)), ind.Area("world"), (2018, 2021))
    assert dict(zip(ilo["year"], ilo["activities"])) == {2018: 1, 2019: 1, 2020: 0, 2021: 0}
    world = ind.activities_by_year(hand, Filters(), ind.Area("world"), (2019, 2019))
    assert world["activities"].tolist() == [3]  # IN_NGA, IN_THA and GLOBAL: the cancelled one is left out


def test_aggregate_figure_shows_countries_reporting_and_activities(hand):
    series = ind.area_series(hand, VICTIMS, WEST_AFRICA)
    acts = ind.activities_by_year(hand, Filters(), WEST_AFRICA, (2019, 2020))
    fig = indicator_charts.trend_figure(series, title="West Africa", aggregate=True, activities=acts).to_plotly_json()
    reporting = [t for t in fig["data"] if t["name"] == "Total: countries reporting"][0]
    assert list(reporting["y"]) == [3, 3]
    bars = [t for t in fig["data"] if t["name"] == "Activities active"][0]
    assert list(bars["y"]) == [1, 2]
    # 2020: Nigeria's number with two cells <5 left out, said in the hover text
    main = _trace(indicator_charts.trend_figure(series, title="x", aggregate=True), "Total")
    assert "2 cell(s) <5 left out" in main["hovertext"][1] and "3 countries reporting" in main["hovertext"][1]


def test_empty_area_gives_an_empty_series(hand):
    assert ind.area_series(hand, "Persons convicted", WEST_AFRICA).empty
    assert ind.area_series(hand, VICTIMS, ind.Area("country", ("FRA",))).empty


# ---- areas, definitions, citation ------------------------------------------------------------
def test_sidebar_place_filters_preselect_the_area():
    assert ind.preselected_area(Filters()) == ind.Area("world")
    assert ind.preselected_area(Filters(countries=("NGA",))) == ind.Area("country", ("NGA",))
    assert ind.preselected_area(Filters(regions=("Africa",))) == ind.Area("region", ("Africa",))
    assert ind.preselected_area(Filters(regions=("Sub-Saharan Africa",))).kind == "sub_region"
    both = ind.preselected_area(Filters(countries=("NGA", "THA")))
    assert both.kind == "selection" and set(both.codes) == {"NGA", "THA"}
    assert ind.Area.from_key(both.key) == both


def test_every_indicator_has_a_definition_and_a_caveat():
    defs = ind.definitions()
    assert set(defs["indicator"]) == set(ind.INDICATORS)
    assert (defs["definition"].str.len() > 40).all() and (defs["caveat"].str.len() > 20).all()
    assert "prevalence" in ind.definition(VICTIMS)["caveat"] or "how common" in ind.definition(VICTIMS)["caveat"]


def test_citation_comes_from_the_manifest():
    manifest = {"sources": [{"used_for": "indicators.parquet", "citation": "UNODC, test release"}]}
    assert ind.citation(manifest) == "UNODC, test release"
    assert "dataunodc.un.org" in ind.citation({}) and "30 May 2023" in ind.citation({})


def test_default_export_cites_the_2023_release():
    manifest_path = paths.DEFAULT_DATA_DIR / "manifest.json"
    if not manifest_path.exists():
        pytest.skip("no default export")
    from icat_analysis.store.export import read_manifest

    cite = ind.citation(read_manifest(paths.DEFAULT_DATA_DIR))
    assert "UNODC Research - Data Portal - Trafficking in Persons" in cite and "2023" in cite


# ---- the page --------------------------------------------------------------------------------
def _app(data_dir: Path, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("ICAT_DATA_DIR", str(data_dir))
    st.cache_data.clear()
    st.cache_resource.clear()
    return AppTest.from_file("../pages/indicators.py", default_timeout=60)


def test_page_draws_the_trend_citation_and_definitions(tmp_path, monkeypatch, hand):
    at = _app(tmp_path, monkeypatch).run()
    assert not at.exception
    assert any("Detected trafficking victims." in m.value for m in at.markdown)
    assert any("dataunodc.un.org" in m.value for m in at.markdown)
    assert at.get("plotly_chart")
    at.selectbox(key="ind_area").set_value(ind.Area("country", ("THA",)).key).run()
    assert not at.exception


def test_page_says_so_when_nothing_matches(tmp_path, monkeypatch):
    make_export(tmp_path, [activity("A1")])
    at = _app(tmp_path, monkeypatch).run()
    assert not at.exception
    assert any("No UNODC indicators" in i.value for i in at.info)


def test_page_switches_breakdown_and_offers_the_table_as_csv_and_xlsx(tmp_path, monkeypatch, hand):
    at = _app(tmp_path, monkeypatch)
    at.query_params["countries"] = "NGA"
    at.run()
    assert not at.exception
    assert at.selectbox(key="ind_area").value == ind.Area("country", ("NGA",)).key  # the sidebar's country
    at.segmented_control(key="ind_breakdown").set_value("sex").run()
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Figures (CSV)" in labels and "Figures (XLSX)" in labels


def test_notes_say_what_totals_leave_out_and_name_the_file(hand):
    series = ind.area_series(hand, VICTIMS, WEST_AFRICA)
    notes = ind.chart_notes(series, WEST_AFRICA)
    assert "3 country figure(s) published as <5 are left out" in notes
    assert "CAR, CAS, EEU, MCA, MCN, SAF, SAM" in notes
    assert ind.file_name(VICTIMS, ind.Area("sub_region", ("Sub-Saharan Africa",)), "sex") == (
        "detected_trafficking_victims_sub_saharan_africa_sex.csv"
    )


def test_one_citizenship_named_two_ways_is_one_line_with_its_published_names(real_run):
    nld = ind.origins(real_run, VICTIMS, "NLD")
    assert "Netherlands (own country)" not in set(nld["series"])
    own = nld[nld["series"] == "Netherlands (Kingdom of the)"]
    assert {2017, 2018, 2019} <= set(own["year"])  # the years published as "own country" join the line
    assert own["year"].is_unique
    assert "Netherlands (own country)" in set(own.loc[own["year"] == 2018, "published_as"])
    table = ind.origins_table(nld)
    assert "Named by UNODC" in table.columns

    tha = ind.origins(real_run, VICTIMS, "THA")
    assert "Burmese" not in set(tha["series"]) and "Myanmar" in set(tha["series"])
    assert tha[tha["series"] == "Myanmar"]["year"].is_unique


def test_the_activities_panel_says_synthetic_only_on_a_synthetic_export(hand):
    series = ind.area_series(hand, VICTIMS, WEST_AFRICA)
    acts = ind.activities_by_year(hand, Filters(), WEST_AFRICA, (2019, 2020))

    def panel_title(synthetic: bool) -> str:
        fig = indicator_charts.trend_figure(series, title="x", aggregate=True, activities=acts, synthetic=synthetic)
        return [a.text for a in fig.layout.annotations if a.text.startswith("Activities active")][0]

    # the IATI sample's activities are real; the demonstration's are generated
    assert panel_title(False) == "Activities active in the selection"
    assert panel_title(True) == "Activities active in the selection (synthetic)"


@pytest.mark.parametrize("shipped, label", [("iati-sample", "selection\""), ("demo", "selection (synthetic)")])
def test_the_indicators_page_words_the_activities_panel_by_the_export(shipped, label, monkeypatch, clean_streamlit):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("ICAT_DATA_DIR", str(paths.DATA_ROOT / shipped))
    at = AppTest.from_file("../dashboard.py", default_timeout=120).run()
    at.switch_page("pages/indicators.py").run()
    assert not at.exception
    specs = [e.proto.spec for e in at.get("plotly_chart")]
    assert any(f"Activities active in the {label}" in spec for spec in specs)
    assert not any("synthetic in the demo" in spec for spec in specs)


def _censored_lines(censored: dict[int, list[str]], lines: list[str]) -> pd.DataFrame:
    """Lines of 100 a year for 2018-2020, "<5" in the years given for the lines given."""
    rows = []
    for name in lines:
        for year in (2018, 2019, 2020):
            cut = name in censored.get(year, [])
            rows.append(
                dict(year=year, series=name, value=None if cut else 100.0, censored_cells=0, numeric_cells=1,
                     reporting_countries=1, censored=cut, lower_bound=None, upper_bound=None,
                     as_published="<5" if cut else "100")
            )  # fmt: skip
    return pd.DataFrame(rows)


def test_censored_marks_of_one_year_stack_apart_and_many_share_one_mark():
    lines = ["Female", "Male", "Children", "Adults", "Unknown"]
    series = _censored_lines({2019: ["Female", "Male"], 2020: lines}, lines)
    fig = indicator_charts.trend_figure(series, title="x", aggregate=False).to_plotly_json()
    marks = [a for a in fig["layout"]["annotations"] if a.get("text", "").startswith("<5")]
    in_2019 = sorted((a for a in marks if a["x"] == 2019), key=lambda a: a["yshift"])
    # two lines censored in 2019: two marks in their lines' colours, one 20 px above the other
    assert [a["yshift"] for a in in_2019] == [0, indicator_charts.MARK_STEP]
    assert ["Female" in a["hovertext"] for a in in_2019] == [True, False]
    assert len({a["font"]["color"] for a in in_2019}) == 2
    # five lines censored in 2020: one mark says so and names them, instead of a stack over the lines
    (in_2020,) = [a for a in marks if a["x"] == 2020]
    assert in_2020["text"] == "<5 (5 lines)" and in_2020["yshift"] == 0
    assert all(name in in_2020["hovertext"] for name in lines)
    assert not [a for a in marks if a["x"] == 2018]
    # every mark sits at the foot, in the axis' own 0-1 space, never at a y value
    assert all(a["yref"] == "y domain" and a["y"] < 0.05 for a in marks)


def test_both_names_of_one_citizenship_in_one_year_add_up_on_one_line_naming_both():
    rows = pd.DataFrame(
        {
            "year": [2018, 2018, 2018],
            "origin": ["Netherlands (own country)", "Netherlands (Kingdom of the)", "Germany"],
            "value": [3.0, 4.0, None],
            "censored_cells": [0, 0, 1],
            "numeric_cells": [1, 1, 0],
        }
    )
    got = ind.origins(lambda name, **kw: rows.copy(), VICTIMS, "NLD").set_index("series")
    own = got.loc["Netherlands (Kingdom of the)"]
    assert own["value"] == 7 and own["numeric_cells"] == 2
    assert own["published_as"] == "Netherlands (Kingdom of the); Netherlands (own country)"
    assert got.loc["Germany", "published_as"] == "Germany"
    assert pd.isna(got.loc["Germany", "value"]) and got.loc["Germany", "censored_cells"] == 1


def test_the_citizenship_charts_are_built_only_when_their_section_is_opened(monkeypatch, clean_streamlit):
    # The shipped export's World view: one trend chart; opening the section adds its two charts.
    monkeypatch.setenv("ICAT_DATA_DIR", str(paths.DATA_ROOT / "demo"))
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../dashboard.py", default_timeout=120).run()
    at.switch_page("pages/indicators.py").run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 1
    assert "Where the people counted come from" in [e.label for e in at.expander]
    at.session_state["ind_origins_open"] = True
    at.run()
    assert not at.exception
    specs = [e.proto.spec for e in at.get("plotly_chart")]
    assert len(specs) == 3 and any("Largest citizenships" in s for s in specs)
    assert "Citizenships (CSV)" in [b.proto.label for b in at.get("download_button")]
