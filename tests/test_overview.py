"""The Overview's figures on four activities a person can count by hand."""

from datetime import date
from functools import partial

import pandas as pd
import pytest

from icat_analysis.analyses import overview
from icat_analysis.filters import Filters
from icat_analysis.store import db
from icat_analysis.ui import overview_charts

TODAY = date(2026, 6, 1)


@pytest.fixture
def run(small_export):
    return partial(db.query, db.connect(small_export))


def test_headline_figures_of_all_activities(run):
    h = overview.headline_figures(run, Filters(), TODAY)
    assert h.activities == 4
    assert h.agencies == 3  # ILO, IOM, UNODC (ILO also partner of A2)
    assert h.countries == 4  # THA, VNM, KHM, NGA; A4 is global
    assert h.joint == 1
    assert h.share_joint == pytest.approx(0.25)
    assert h.known_budget_usd == pytest.approx(450_000)
    assert h.with_budget == 3
    assert h.active_today == 2  # A2 and A3 are open-ended


def test_headline_figures_follow_the_filters(run):
    h = overview.headline_figures(run, Filters(agencies=("ILO",), role="lead"), TODAY)
    assert (h.activities, h.agencies, h.countries, h.joint) == (2, 1, 1, 0)
    assert h.known_budget_usd == pytest.approx(350_000)
    h = overview.headline_figures(run, Filters(agencies=("ILO",)), TODAY)
    assert (h.activities, h.agencies, h.joint) == (3, 2, 1)


def test_nothing_selected_gives_zeros_not_errors(run):
    h = overview.headline_figures(run, Filters(countries=("FRA",)), TODAY)
    assert (h.activities, h.agencies, h.countries, h.known_budget_usd) == (0, 0, 0, 0.0)
    assert h.share_joint is None
    assert overview.starts_per_year_by_theme(run, Filters(countries=("FRA",))).empty
    assert overview.top_countries(run, Filters(countries=("FRA",))).empty


def test_starts_per_year_by_theme_fills_the_years_between(run):
    df = overview.starts_per_year_by_theme(run, Filters())
    assert df["year"].min() == 2010 and df["year"].max() == 2019
    assert len(df) == 10 * 4  # every year, every theme
    by = df.set_index(["year", "theme"])["activities"]
    assert by[(2018, "prevention")] == 1 and by[(2018, "protection")] == 1  # A2 has two themes
    assert by[(2015, "protection")] == 1
    assert by[(2012, "protection")] == 0
    assert df.loc[df["theme"] == "prevention", "theme_label"].iloc[0] == "Prevention"


def test_top_countries_ranks_by_activities(run):
    df = overview.top_countries(run, Filters(), n=2)
    assert df["iso3"].tolist()[0] == "THA"
    assert df["country"].iloc[0] == "Thailand"
    assert df["activities"].iloc[0] == 2
    assert len(df) == 2


def test_freshness_reads_the_export_and_manifest(run):
    fr = overview.freshness(run, {"updated_at": "2026-01-02T03:04:05+00:00"})
    assert fr.newest_update == date(2024, 1, 15)
    assert fr.export_date == date(2026, 1, 2)
    assert overview.freshness(run, {"updated_at": "garbage"}).export_date is None
    assert fr.activities == 4 and fr.without_update_date == 0


def test_charts_have_titles_and_theme_colours(run):
    spec = overview_charts.starts_chart(overview.starts_per_year_by_theme(run, Filters()))
    assert spec["title"]["text"] == "Activities started per year, by theme"
    colours = spec["encoding"]["color"]["scale"]
    assert colours["domain"] == ["Prevention", "Protection", "Prosecution", "Partnership"]
    assert colours["range"][0] == "#0072B2"  # prevention's blue, as on every page
    starts = {(v["year"], v["theme"]): v["activities"] for v in spec["data"]["values"]}
    assert starts[(2018, "Prevention")] == 1 and starts[(2018, "Protection")] == 1  # A2 has two themes
    assert starts[(2012, "Protection")] == 0
    assert spec["description"] == (
        "Stacked bar chart of the activities started each year from 2010 to 2019, by theme "
        "(Prevention, Protection, Prosecution, Partnership); an activity with several themes counts under each."
    )
    top = overview.top_countries(run, Filters())
    spec = overview_charts.countries_chart(top)
    assert spec["encoding"]["y"]["sort"][0] == "Thailand"  # the busiest country is drawn on top
    assert spec["data"]["values"][0] == {
        "country": "Thailand",
        "activities": 2,
        "joint": 0,
    }  # A1 and A3, each by one agency
    assert (
        spec["description"]
        == "Bar chart of the countries with most activities: "
        + ", ".join(f"{c} {n}" for c, n in zip(top["country"], top["activities"], strict=True))
        + "."
    )


def test_the_charts_tick_whole_numbers_and_name_every_country_in_full():
    few = pd.DataFrame({"country": ["Central African Republic", "Ghana"], "activities": [2, 1], "joint": [1, 0]})
    spec = overview_charts.countries_chart(few)
    # at most 2 activities: ticks 0, 1, 2 (never 0.5 or 1.5), and room past the longest bar for its count
    assert spec["encoding"]["x"]["axis"] == {"format": ",d", "tickMinStep": 1}
    assert spec["encoding"]["x"]["scale"]["domain"] == [0, 2.2]
    assert spec["encoding"]["y"]["axis"]["labelLimit"] == 0  # no "Central African Rep…"
    years = pd.DataFrame(
        {"year": range(2000, 2020), "theme": "prevention", "theme_label": "Prevention", "activities": 3}
    )
    spec = overview_charts.starts_chart(years)
    assert spec["encoding"]["y"]["axis"]["format"] == ",d"
    assert spec["encoding"]["x"]["axis"]["values"] == list(range(2000, 2020, 2))  # 20 years: every other one named


def test_money_and_percent_words():
    assert overview.money(12_400_000) == "US$ 12.4 million"
    assert overview.money(450_000) == "US$ 450,000"
    assert overview.money_short(3_140_000_000) == "3.1 bn"
    assert overview.day(date(2026, 11, 1)) == "1 November 2026"
    assert overview.percent(0.25) == "25%"
    assert overview.percent(None) == "–"


def test_headline_tiles_keep_whole_labels_and_their_figures():
    head = overview.Headline(
        activities=1200, agencies=19, countries=163, joint=252, known_budget_usd=3.2e9, with_budget=900, active_today=5
    )
    tiles = {label: (value, help_text) for label, value, help_text in overview.headline_tiles(head, date(2026, 12, 1))}
    assert list(tiles) == ["Activities", "Agencies involved", "Countries", "Joint", "Known budget, US$", "Active today"]
    assert tiles["Known budget, US$"][0] == "3.2 bn" and "300 activities state none" in tiles["Known budget, US$"][1]
    assert tiles["Joint"][0] == "21%" and tiles["Active today"][1].endswith("1 December 2026")
