"""Coverage matrices, overlap, joint work and gaps, on a small hand-made export whose counts
are checked against counts taken directly from the fixture rows."""

import io

import openpyxl
import pytest

from icat_analysis.analyses import coverage
from icat_analysis.filters import Filters
from icat_analysis.store import db
from icat_analysis.ui import coverage_charts, downloads
from tests.factories import activity, detected_victims, indicators_table, make_export

ROWS = [
    activity("A0", lead="UNIFEM", countries=["VNM"], start="2008-01-01", end="2009-12-31", budget=None),
    activity("A1", lead="ILO", partners=["UNICEF"], countries=["THA", "LAO"], budget=100_000, themes=["prevention"]),
    activity("A2", lead="ILO", countries=["THA"], budget=None, themes=["protection", "prosecution"]),
    activity("A3", lead="IOM", partners=["ILO"], countries=["VNM"], budget=50_000, start="2018-03-01", end=None),
    activity("A4", lead="UNODC", countries=["NGA"], budget=200_000, themes=["prosecution"]),
    activity("A5", lead="IOM", partners=["ILO", "UNICEF"], countries=["THA"], budget=10_000, start="2018-01-01"),
    activity("A6", lead="UNODC", countries=[], budget=5_000),
    activity("A7", lead="UNHCR", partners=["OHCHR"], countries=["KHM"], budget=1_000, start="2016-05-01"),
]


def _victims(rows):
    return indicators_table(detected_victims(rows))


INDICATORS = _victims(
    [
        ("THA", 2020, 10.0, "10"),
        ("MMR", 2021, 25.0, "25"),  # detections, nobody works there: a gap
        ("PHL", 2019, None, "<5"),  # censored only: not counted as a detection
        ("NGA", 2019, 30.0, "30"),
        ("NGA", 2021, 0.0, "0"),  # latest reported year has none
        ("LAO", 2021, 3.0, "3"),
        ("EEU", 2020, 100.0, "100"),  # a GLOTIP regional aggregate, not a country
    ]
)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    d = make_export(tmp_path_factory.mktemp("cov"), ROWS, indicators=INDICATORS)
    return db.connect(d)


def _cells(con, dim, f=None):
    d = coverage.dimension(dim)
    return db.query(con, d.query, f, **d.params)


def _independent(agency, place, roles, key="countries", budget=False):
    """Count (or sum known budgets of) fixture activities in which ``agency`` has one of
    ``roles`` and ``place`` is among the activity's ``key`` values."""
    total = 0
    for r in ROWS:
        role = "lead" if r["lead_agency"] == agency else ("partner" if agency in r["partner_agencies"] else None)
        if role in roles and place in r[key]:
            total += (r["budget_usd"] or 0) if budget else 1
    return total


def test_country_cells_match_independent_counts_for_every_role(con):
    cells = _cells(con, "country")
    for role, roles in coverage.ROLES.items():
        m = coverage.coverage_matrix(cells, dim="country", role=role)
        for place in m.values.index:
            for agency in m.values.columns:
                assert m.values.at[place, agency] == _independent(agency, place, roles), (role, place, agency)
    m = coverage.coverage_matrix(cells, dim="country", role="any")
    assert m.values.at["THA", "ILO"] == 3  # leads A1 and A2, partner in A5
    assert m.values.at["LAO", "ILO"] == 1  # the regional A1 counts in LAO too
    assert m.values.at["THA", "UNICEF"] == 2
    # the global A6 has no country, so UNODC appears in NGA only
    assert m.values["UNODC"].sum() == 1


def test_partner_only_agency_appears_only_when_role_includes_partner(con):
    cells = _cells(con, "country")
    lead = coverage.coverage_matrix(cells, role="lead")
    assert "UNICEF" not in lead.values.columns and "OHCHR" not in lead.values.columns
    partner = coverage.coverage_matrix(cells, role="partner")
    assert "UNICEF" in partner.values.columns and "UNODC" not in partner.values.columns
    assert partner.values.at["THA", "ILO"] == 1  # only A5, where ILO is a partner
    assert "OHCHR" in coverage.coverage_matrix(cells, role="any").values.columns


def test_regional_activity_counts_once_per_country_and_once_in_its_sub_region(con):
    country = coverage.coverage_matrix(_cells(con, "country"), role="lead")
    assert country.values.at["THA", "ILO"] == 2 and country.values.at["LAO", "ILO"] == 1
    sub = coverage.coverage_matrix(_cells(con, "sub_region"), dim="sub_region", role="lead")
    # A1 (THA+LAO) and A2 (THA): two activities, not three
    assert sub.values.at["South-eastern Asia", "ILO"] == 2
    region = coverage.coverage_matrix(_cells(con, "region"), dim="region", role="lead")
    assert region.values.at["Asia", "ILO"] == 2


def test_one_query_serves_every_dimension_and_refuses_others(con):
    """Country, sub-region, region and code-list cells come from one query; what it counts is
    chosen from the allow-list, and any other value selects nothing (it never becomes SQL)."""
    assert {d.query for d in coverage.DIMENSIONS.values()} == {"coverage_places"}
    assert db.query(con, "coverage_places", place="iso3; DROP TABLE activities").empty
    assert not db.query(con, "coverage_places", place="region").empty


def test_region_counts_distinct_activities(con):
    region = coverage.coverage_matrix(_cells(con, "region"), dim="region", role="any")
    asia = {"THA", "LAO", "VNM", "KHM"}
    expected = sum(
        1 for r in ROWS if "ILO" in [r["lead_agency"], *r["partner_agencies"]] and asia & set(r["countries"])
    )
    assert expected == 4  # A1, A2, A3, A5
    assert region.values.at["Asia", "ILO"] == 4


def test_budget_mode_sums_known_budgets(con):
    cells = _cells(con, "country")
    m = coverage.coverage_matrix(cells, measure="budget", role="any")
    for place in m.values.index:
        for agency in m.values.columns:
            assert m.values.at[place, agency] == _independent(agency, place, ("lead", "partner"), budget=True)
    # A1 100,000 + A5 10,000; A2 has no budget and adds nothing
    assert m.values.at["THA", "ILO"] == 110_000
    assert m.activities.at["THA", "ILO"] == 3 and m.with_budget.at["THA", "ILO"] == 2
    sub = coverage.coverage_matrix(_cells(con, "sub_region"), dim="sub_region", measure="budget", role="lead")
    assert sub.values.at["South-eastern Asia", "ILO"] == 100_000  # A1 once, not once per country


def test_theme_matrix_lists_every_theme(con):
    m = coverage.coverage_matrix(_cells(con, "theme"), dim="theme", role="any", sort_places="alphabetical")
    assert list(m.values.index) == ["partnership", "prevention", "prosecution", "protection"]
    assert m.values.loc["partnership"].sum() == 0
    assert m.values.at["prosecution", "ILO"] == _independent("ILO", "prosecution", ("lead", "partner"), key="themes")
    assert m.values.at["prosecution", "UNODC"] == 1  # A4
    assert m.values.at["protection", "UNODC"] == 1  # the global A6: no country, but a theme


def test_sorting_and_top_n(con):
    cells = _cells(con, "country")
    m = coverage.coverage_matrix(cells, role="any", top_n=2)
    assert list(m.values.index) == ["THA", "VNM"]  # THA 5 activity-agency cells, VNM 3
    assert m.places_total == 5
    assert list(m.values.columns)[0] == "ILO"  # the busiest agency first
    alpha = coverage.coverage_matrix(cells, role="any", sort_agencies="alphabetical", sort_places="alphabetical")
    assert list(alpha.values.index) == ["KHM", "LAO", "NGA", "THA", "VNM"]  # Cambodia, Laos, Nigeria ...
    assert list(alpha.values.columns) == sorted(alpha.values.columns)
    with pytest.raises(ValueError):
        coverage.dimension("countries; DROP TABLE activities")


def test_gap_flags_and_gap_table(con):
    cells = _cells(con, "country")
    detections = db.query(con, "coverage_detections")
    assert set(detections["iso3"]) == {"THA", "MMR", "NGA", "LAO"}  # PHL is censored only
    m = coverage.coverage_matrix(cells, role="any", detections=detections)
    assert bool(m.gaps.at["LAO", "IOM"])  # detected victims in Laos, IOM has no work there
    assert not m.gaps.at["LAO", "ILO"]  # ILO works there
    assert not m.gaps.at["VNM", "UNODC"]  # no detections reported for Viet Nam
    assert not m.gaps.at["LAO", "UNIFEM"]  # succeeded by UN Women: an empty cell is not a gap
    table = coverage.gaps(cells, detections)
    assert list(table.columns[:2]) == ["Country", "ISO code"]  # a name first, the code plainly named
    assert table["ISO code"].tolist() == ["MMR"]
    assert table.loc[0, "Detected victims that year"] == 25
    assert table.loc[0, "Country"] == "Myanmar"
    for_iom = coverage.gaps(cells, detections, agency="IOM")
    assert for_iom["Country"].tolist() == ["Nigeria", "Myanmar", "Laos"]
    assert for_iom.set_index("ISO code").at["LAO", "Other agencies working there"] == 2
    latest = coverage.gaps(cells, detections, agency="IOM", basis="latest")
    assert "NGA" not in latest["ISO code"].tolist()  # none detected in its latest reported year
    sub = coverage.coverage_matrix(_cells(con, "sub_region"), dim="sub_region", role="any", detections=detections)
    assert bool(sub.gaps.at["South-eastern Asia", "UNODC"])
    assert list(m.values.columns) and coverage_charts.coverage_heatmap(m, "t").data[1].name == coverage.GAP_LEGEND


def test_place_filter_keeps_cells_inside_the_chosen_region(con):
    f = Filters(countries=("LAO",))
    m = coverage.coverage_matrix(_cells(con, "country", f), role="any")
    assert list(m.values.index) == ["LAO"]  # A1 also covers THA, which is outside the filter
    assert m.values.at["LAO", "UNICEF"] == 1


def test_overlap_lists_the_other_agencies(con):
    table = coverage.overlap_for_agency(_cells(con, "country"), "IOM")
    assert list(table.columns[:2]) == ["Country", "ISO code"]
    by = table.set_index("Country")
    assert by.at["Thailand", "This agency's activities"] == 1
    assert by.at["Thailand", "Other agencies present"] == 2
    others = "International Labour Organization (ILO): 3; United Nations Children's Fund (UNICEF): 2"
    assert by.at["Thailand", "Other agencies (their activities)"] == others
    assert by.at["Vietnam", "Other agencies (their activities)"].startswith(
        "International Labour Organization (ILO): 1; "
    )
    alone = coverage.overlap_for_agency(_cells(con, "country"), "UNODC")
    assert alone["Works"].tolist() == ["alone"] and alone["Country"].tolist() == ["Nigeria"]


def test_joint_matrix_is_symmetric_and_counts_shared_activities(con):
    m = coverage.joint_work_matrix(db.query(con, "coverage_joint_pairs"))
    assert (m.to_numpy() == m.to_numpy().T).all()
    assert m.at["ILO", "IOM"] == 2  # A3, A5
    assert m.at["ILO", "UNICEF"] == 2  # A1, A5
    assert m.at["IOM", "UNICEF"] == 1  # A5
    assert m.at["OHCHR", "UNHCR"] == 1
    assert m.at["ILO", "ILO"] == 0
    assert "UNODC" not in m.index  # never works jointly


def test_joint_share_by_year(con):
    by_year = coverage.joint_work_by_year(db.query(con, "coverage_joint_by_year"))
    row = by_year.set_index("year")
    assert row.at[2015, "activities"] == 4 and row.at[2015, "joint"] == 1
    assert row.at[2015, "share_joint_pct"] == 25.0
    assert row.at[2018, "share_joint_pct"] == 100.0
    fig = coverage_charts.joint_share_chart(db.query(con, "coverage_joint_by_year"), "Joint share")
    assert list(fig.data[0].y) == [0.0, 25.0, 100.0, 100.0]  # 2008 (A0), 2015, 2016, 2018


def test_matrix_downloads_as_labelled_xlsx_and_csv(con):
    m = coverage.coverage_matrix(_cells(con, "country"), role="any", detections=db.query(con, "coverage_detections"))
    table = coverage.matrix_table(m)
    wb = openpyxl.load_workbook(io.BytesIO(downloads.to_xlsx_bytes(table, "Coverage")))
    ws = wb.active
    header = [c.value for c in ws[1]]
    assert header[:3] == ["Country code", "Country", "International Labour Organization (ILO)"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["THA"][1] == "Thailand" and rows["THA"][2] == 3
    csv = downloads.to_csv_bytes(table).decode("utf-8-sig")
    assert "United Nations Children's Fund (UNICEF)" in csv.splitlines()[0]
    joint = coverage.joint_table(coverage.joint_work_matrix(db.query(con, "coverage_joint_pairs")))
    wb = openpyxl.load_workbook(io.BytesIO(downloads.to_xlsx_bytes(joint, "Joint work")))
    assert wb.active.cell(row=2, column=2).value == "International Labour Organization (ILO)"


def test_heatmap_writes_numbers_only_when_small(con):
    m = coverage.coverage_matrix(_cells(con, "country"), role="any")
    fig = coverage_charts.coverage_heatmap(m, "Coverage")
    assert fig.data[0].texttemplate
    assert list(fig.data[0].y)[0] == "Thailand"
    assert coverage_charts.coverage_heatmap(m, "Coverage", show_text=False).data[0].texttemplate is None


# ---- the page ------------------------------------------------------------------------------
@pytest.fixture
def page_data(tmp_path, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("ICAT_DATA_DIR", str(make_export(tmp_path / "page", ROWS, indicators=INDICATORS)))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def test_coverage_page_every_dimension_role_and_measure(page_data):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../pages/coverage.py", default_timeout=60).run()
    assert not at.exception
    assert "8 activities" in at.caption[0].value
    assert at.subheader[0].value == "Gaps: detected victims, no activity"
    gap_table = at.dataframe[0].value
    assert gap_table["Country"].tolist() == ["Myanmar"]
    assert "ISO code" not in gap_table.columns and "iso3" not in gap_table.columns  # the code is in the downloads
    for dim in coverage.DIMENSIONS:
        at.selectbox(key="cov_dimension").set_value(dim).run()
        assert not at.exception, dim
    at.selectbox(key="cov_dimension").set_value("country").run()
    at.segmented_control(key="cov_role").set_value("partner").run()
    at.segmented_control(key="cov_measure").set_value("budget").run()
    assert not at.exception
    # the overlap tab (it runs only when open) for the first agency present (ILO, alphabetically)
    at.session_state["cov_tab"] = "One agency's overlap"
    at.run()
    assert not at.exception
    overlap = at.dataframe[0].value
    assert "ISO code" not in overlap.columns
    assert overlap.set_index("Country").at["Thailand", "This agency's activities"] == 1  # partner in A5 only
    assert "United Nations Children's Fund (UNICEF): 2" in overlap.set_index("Country").at["Thailand", coverage.OTHERS]


def test_coverage_page_empty_selection(page_data):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../pages/coverage.py", default_timeout=60)
    at.query_params["countries"] = "FRA"
    at.run()
    assert not at.exception
    assert any("No activity matches" in i.value for i in at.info)


def test_agency_filter_keeps_only_those_agencies_as_columns(con):
    f = Filters(agencies=("IOM",))
    m = coverage.coverage_matrix(_cells(con, "country", f), role="any")
    assert list(m.values.columns) == ["IOM"]  # ILO and UNICEF partner IOM's activities but are not asked for
    assert m.values.at["THA", "IOM"] == 1 and m.values.at["VNM", "IOM"] == 1
