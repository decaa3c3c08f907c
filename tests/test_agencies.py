"""The agency directory and profile on a small hand-made export."""

import io

import openpyxl
import pandas as pd
import pytest

from icat_analysis import reference
from icat_analysis.analyses import agencies
from icat_analysis.filters import Filters
from icat_analysis.store import db
from icat_analysis.ui import agency_charts, downloads
from tests.factories import activity, make_export

ROWS = [
    activity(
        "A1", lead="ILO", partners=["UNICEF"], countries=["THA", "LAO"], themes=["prevention"], start="2015-02-01"
    ),
    activity("A2", lead="ILO", countries=["THA"], themes=["protection", "prosecution"], start="2016-01-01"),
    activity("A3", lead="IOM", partners=["ILO"], countries=["VNM"], start="2018-03-01", end=None),
    activity(
        "A4", lead="IOM", partners=["ILO", "UNICEF"], countries=["THA"], start="2018-01-01", title="=HYPERLINK(1)"
    ),
    activity("A5", lead="UNODC", countries=["NGA"]),
]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    return db.connect(make_export(tmp_path_factory.mktemp("ag"), ROWS))


def test_directory_lists_every_reference_agency_with_counts(con):
    d = agencies.directory(db.query(con, "agency_counts"))
    assert d["Code"].tolist() == reference.agency_codes()
    row = d.set_index("Code")
    assert row.at["ILO", "Activities led"] == 2
    assert row.at["ILO", "Activities as partner"] == 2
    assert row.at["ILO", "Countries"] == 3  # THA, LAO, VNM
    assert row.at["DPKO", "Activities led"] == 0 and row.at["DPKO", "Countries"] == 0
    assert row.at["UNIFEM", "Succeeded by"] == "UN Women (UNWOMEN)"
    assert row.at["UNDAW", "Succeeded by"] == "UN Women (UNWOMEN)"
    assert row.at["UNWOMEN", "Took over the work of"] == "UNIFEM, UNDAW"
    assert row.at["ILO", "Joined ICAT"] == "2006" and row.at["DPKO", "Joined ICAT"] == ""
    assert "forced labour" in row.at["ILO", "Mandate on trafficking in persons"]


def test_directory_downloads_with_names(con):
    d = agencies.directory(db.query(con, "agency_counts"))
    ws = openpyxl.load_workbook(io.BytesIO(downloads.to_xlsx_bytes(d, "Agencies"))).active
    assert [c.value for c in ws[1]][:3] == ["Code", "Name", "Activities led"]
    assert ws.cell(row=2, column=2).value == "International Labour Organization"


def test_profile_pieces_for_an_agency(con):
    e = agencies.entry("UNWOMEN")
    assert e["predecessors"] == ["UNIFEM", "UNDAW"] and e["successor"] is None
    assert agencies.profile_code("unicef") == "UNICEF"
    assert agencies.profile_code("<script>") is None

    countries = db.query(con, "agency_countries", agency="ILO")
    by = countries.set_index("iso3")
    assert by.at["THA", "activities"] == 3 and by.at["THA", "as_lead"] == 2 and by.at["THA", "as_partner"] == 1
    frame = agencies.coverage_map_frame(countries, "ILO")
    assert len(frame) == len(reference.countries())
    assert frame.set_index("iso3").at["NGA", "value"] == 0
    fig = agency_charts.coverage_map(countries, "ILO")
    assert fig.layout.geo.resolution == 50

    themes = db.query(con, "agency_themes_by_year", agency="ILO")
    t = themes.set_index(["year", "theme"])["activities"]
    assert t[(2015, "prevention")] == 1 and t[(2016, "prosecution")] == 1 and t[(2018, "protection")] == 2
    chart = agency_charts.themes_over_time_chart(themes, "ILO")
    assert {tr.name for tr in chart.data} == {"Prevention", "Protection", "Prosecution"}

    partners = agencies.partners_table(db.query(con, "agency_partners", agency="ILO"))
    p = partners.set_index("Code")
    assert p.at["IOM", "Joint activities"] == 2 and p.at["IOM", "Led by the partner"] == 2
    assert p.at["UNICEF", "Joint activities"] == 2 and p.at["UNICEF", "Led by this agency"] == 1
    assert p.at["UNICEF", "Agency"] == "United Nations Children's Fund"

    acts = downloads.labelled_activities(db.query(con, "agency_activities", agency="ILO"))
    assert acts["Activity ID"].tolist() == ["A3", "A4", "A2", "A1"]  # newest first
    assert acts.set_index("Activity ID").at["A4", "Role of this agency"] == "Partner"
    ws = openpyxl.load_workbook(io.BytesIO(downloads.to_xlsx_bytes(acts, "ILO"))).active
    titles = [r[1] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert "'=HYPERLINK(1)" in titles  # a title never runs as a formula


def test_profile_activities_counted_paged_and_downloaded(con):
    assert db.query(con, "agency_activities_count", agency="ILO")["activities"].iloc[0] == 4
    page2 = db.query(con, "agency_activities_page", agency="ILO", limit=2, offset=2)
    shown = downloads.labelled_activities(page2)
    assert shown["Activity ID"].tolist() == ["A2", "A1"]  # the 3rd and 4th newest
    assert shown.columns.tolist()[:4] == ["Activity ID", "Title", "Role of this agency", "Lead agency"]
    assert shown["Role of this agency"].tolist() == ["Lead", "Lead"]
    assert shown.set_index("Activity ID").at["A1", "Countries"] == "Thailand; Laos"

    back = pd.read_csv(
        io.BytesIO(downloads.activities_csv(con, "agency_activities", Filters(), agency="ILO")), encoding="utf-8-sig"
    )
    assert back["Activity ID"].tolist() == ["A3", "A4", "A2", "A1"]
    r = back.set_index("Activity ID")
    assert r.at["A4", "Role of this agency"] == "Partner" and r.at["A4", "Title"] == "'=HYPERLINK(1)"
    assert r.at["A4", "Partner agencies"] == "International Labour Organization; United Nations Children's Fund"
    wb = openpyxl.load_workbook(
        io.BytesIO(downloads.activities_xlsx(con, "agency_activities", None, "ILO", agency="ILO"))
    )
    assert wb.active.max_row == 5 and wb.active.cell(row=2, column=3).value == "Partner"


def test_agency_with_no_activities_in_the_selection(con):
    assert db.query(con, "agency_activities", agency="DPKO").empty
    assert db.query(con, "agency_countries", agency="DPKO").empty
    assert db.query(con, "agency_partners", agency="DPKO").empty
    assert agencies.entry("DPKO")["name"] == "Department of Peacekeeping Operations"
    # the filters apply to the profile too
    f = Filters(countries=("NGA",))
    assert db.query(con, "agency_activities", f, agency="ILO").empty


# ---- the page ------------------------------------------------------------------------------
@pytest.fixture
def page_data(tmp_path, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("ICAT_DATA_DIR", str(make_export(tmp_path / "page", ROWS)))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def _page(agency: str | None):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../pages/agencies.py", default_timeout=60)
    if agency is not None:
        at.query_params["agency"] = agency
    return at.run()


def test_agencies_page_profile_from_the_link(page_data):
    at = _page("ilo")
    assert not at.exception
    assert at.header[0].value == "International Labour Organization (ILO)"
    assert [m.value for m in at.metric][:3] == ["2", "2", "3"]  # led, as partner, countries
    # then its freshness scorecard: a state and the five shares
    assert [m.label for m in at.metric][3:] == [
        "State",
        "With budget",
        "With description",
        "With end date",
        "With target groups",
        "With forms of exploitation",
    ]
    directory = at.dataframe[-1].value
    assert len(directory) == len(reference.agency_codes())


def _activities(at):
    return next(d.value for d in at.dataframe if "Role of this agency" in d.value.columns)


def test_agencies_page_lists_the_profile_activities_a_page_at_a_time(page_data):
    at = _page("ILO")
    assert not at.exception
    table = _activities(at)
    assert table["Activity ID"].tolist() == ["A3", "A4", "A2", "A1"]
    assert any(m.value.startswith("**Rows 1–4 of 4**") for m in at.markdown)
    assert not at.number_input  # one page: nothing to move through


@pytest.fixture
def many_rows(tmp_path, monkeypatch):
    import streamlit as st

    # 2,500 ILO activities started on distinct days, newest first: B2499 ... B0000
    rows = [
        activity(f"B{i:04d}", lead="ILO" if i % 2 else "IOM", partners=None if i % 2 else ["ILO"], start=_day(i))
        for i in range(2500)
    ]
    monkeypatch.setenv("ICAT_DATA_DIR", str(make_export(tmp_path / "many", rows)))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def _day(i: int) -> str:
    from datetime import date, timedelta

    return (date(2010, 1, 1) + timedelta(days=i)).isoformat()


def test_agencies_page_second_page_of_2500_activities(many_rows):
    at = _page("ILO")
    assert not at.exception
    assert [m.value for m in at.metric][:3] == ["1,250", "1,250", "1"]
    acts = _activities(at)
    assert len(acts) == 100 and acts["Activity ID"].iloc[0] == "B2499"
    at.number_input(key="agency_rows_page").set_value(11).run()
    acts = _activities(at)
    assert acts["Activity ID"].iloc[0] == "B1499" and acts["Activity ID"].iloc[-1] == "B1400"
    assert acts.set_index("Activity ID").at["B1499", "Role of this agency"] == "Lead"
    assert acts.set_index("Activity ID").at["B1498", "Role of this agency"] == "Partner"
    assert any(m.value.startswith("**Rows 1,001–1,100 of 2,500 (page 11 of 25)**") for m in at.markdown)
    assert at.query_params["page"] == "11"


def test_agencies_page_agency_without_activities_and_unknown_code(page_data):
    at = _page("DPKO")
    assert not at.exception
    assert at.header[0].value == "Department of Peacekeeping Operations (DPKO)"
    assert any("DPKO has no activities in this selection" in i.value for i in at.info)
    at = _page("<script>")
    assert not at.exception and not at.header
    assert "not an ICAT agency code" in at.warning[0].value


def test_directory_counts_follow_the_name_so_they_show_without_scrolling():
    cols = agencies.directory().columns.tolist()
    assert cols[:5] == ["Code", "Name", "Activities led", "Activities as partner", "Countries"]
