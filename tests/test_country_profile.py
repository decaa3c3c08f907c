"""A country's profile: activities, agencies by role, themes, timeline, UNODC trend."""

import json
from datetime import date

import pytest

from icat_analysis.analyses import country_profile as cp
from icat_analysis.filters import Filters
from icat_analysis.store import db
from icat_analysis.ui import country_charts
from tests.factories import activity, detected_victims, indicators_table, make_export


def victims(rows):
    """GLOTIP-like rows: (iso3, year, value or None for "<5")."""
    out = detected_victims(rows)
    # A breakdown row that the trend must not mix in.
    out.append({**out[0], "sex": "Female", "value": 999.0, "value_text": "999", "is_censored": False})
    return indicators_table(out)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    rows = [
        activity("A1", lead="ILO", countries=["THA"], themes=["prevention"], title="<script>alert(1)</script>"),
        activity("A2", lead="IOM", partners=["ILO", "UNICEF"], countries=["THA", "LAO"], themes=["protection"]),
        activity("A3", lead="UNODC", countries=["THA"], budget=None, end=None, themes=["protection", "prosecution"]),
        activity("A4", lead="UNICEF", countries=["VNM"]),
    ]
    ind = victims([("THA", 2018, 120.0), ("THA", 2019, None), ("THA", 2020, 300.0), ("THA", 2021, None)])
    return db.connect(make_export(tmp_path_factory.mktemp("cp"), rows, indicators=ind))


def test_profile_lists_the_countrys_activities_and_agencies_by_role(con):
    acts = db.query(con, "country_activities", Filters(), iso3="THA", by_lead=False, limit=None)
    assert sorted(acts["activity_id"]) == ["A1", "A2", "A3"]
    table = cp.activities_table(acts).set_index("ID")
    assert table.loc["A2", "Partners"] == "ILO, UNICEF"
    assert table.loc["A3", "Themes"] == "Protection, Prosecution"
    agencies = cp.agencies_table(db.query(con, "country_agencies", Filters(), iso3="THA")).set_index("Agency")
    assert agencies.loc["ILO", "Lead in"] == 1 and agencies.loc["ILO", "Partner in"] == 1
    assert agencies.loc["UNICEF", "Lead in"] == 0 and agencies.loc["UNICEF", "Partner in"] == 1
    totals = db.query(con, "country_summary", Filters(), iso3="THA")
    s = cp.summary(totals, db.query(con, "country_agencies", Filters(), iso3="THA"))
    assert s == {
        "activities": 3,
        "agencies_present": 4,
        "known_budget_usd": 200_000.0,
        "activities_with_budget": 2,
        "regional_or_global": 1,
    }
    counts = db.query(con, "country_theme_counts", Filters(), iso3="THA")
    themes = cp.theme_counts(counts).set_index("Theme")["Activities"].to_dict()
    assert themes == {"Prevention": 1, "Protection": 2, "Prosecution": 1}


def test_profile_respects_filters(con):
    acts = db.query(con, "country_activities", Filters(agencies=("UNICEF",)), iso3="THA", by_lead=False, limit=None)
    assert acts["activity_id"].tolist() == ["A2"]


def test_profile_shows_the_first_rows_and_counts_them_all(con):
    """The page shows the first rows by start date (or by lead for the timeline); the header
    counts every activity, so a busy country's profile stays quick."""
    shown = db.query(con, "country_activities", Filters(), iso3="THA", by_lead=False, limit=2)
    everything = db.query(con, "country_activities", Filters(), iso3="THA", by_lead=False, limit=None)
    assert shown["activity_id"].tolist() == everything["activity_id"].tolist()[:2]
    by_lead = db.query(con, "country_activities", Filters(), iso3="THA", by_lead=True, limit=2)
    assert by_lead["lead_agency"].tolist() == ["ILO", "IOM"]
    assert int(db.query(con, "country_summary", Filters(), iso3="THA")["activities"].iloc[0]) == 3


def test_timeline_has_a_bar_per_activity_by_lead_and_escapes_titles(con):
    acts = db.query(con, "country_activities", Filters(), iso3="THA", by_lead=True, limit=60)
    fig = country_charts.timeline_figure(acts, today=date(2026, 6, 1))
    assert sorted(t.name for t in fig.data) == ["ILO", "IOM", "UNODC"]
    labels = [y for t in fig.data for y in t.y]
    assert any("&lt;script&gt;" in y for y in labels)
    assert not any("<script>" in y for y in labels)
    unodc = next(t for t in fig.data if t.name == "UNODC")
    assert unodc.customdata[0][1] == "ongoing"


def test_trend_shows_censored_years_as_marks_never_numbers(con):
    trend = db.query(con, "country_victims_trend", iso3="THA")
    assert trend["year"].tolist() == [2018, 2019, 2020, 2021]  # the Female breakdown is not mixed in
    fig = country_charts.victims_trend_figure(trend, "Thailand")
    spec = json.loads(fig.to_json())
    line, cens = spec["data"]
    assert line["x"] == [2018, 2019, 2020, 2021]
    assert line["y"] == [120.0, None, 300.0, None]  # censored years break the line, no number
    assert line["connectgaps"] is False
    assert cens["x"] == [2019, 2021]
    # The censored points sit in the 0-5 band and say "fewer than 5": no number in the hover.
    assert "%{y" not in cens["hovertemplate"]
    assert "fewer than 5" in cens["hovertemplate"]
    assert all(country_charts.CENSORED_BAND[0] < y < country_charts.CENSORED_BAND[1] for y in cens["y"])
    assert "text" not in cens and "texttemplate" not in cens
