"""The Data page and the full download on 2,500 activities: the page counts them, shows one
page of 100 at a time (the page number kept in the link) in the order of the activity ID, and the downloads hold all 2,500."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from icat_analysis.filters import Filters
from icat_analysis.store import db
from icat_analysis.ui import downloads
from tests.factories import activity, make_export

N = 2500
LEADS = ("ILO", "IOM", "UNODC")


def _rows() -> list[dict]:
    rows = []
    for i in range(N):
        rows.append(
            activity(
                f"A{i:04d}",
                lead=LEADS[i % 3],
                partners=["UNICEF"] if i % 5 == 0 else None,
                countries=["THA", "KHM"] if i % 2 else ["VNM"],
                themes=["prevention", "protection"] if i % 4 == 0 else ["prosecution"],
                start=f"{2010 + i % 10}-0{1 + i % 9}-01",
                title="=HYPERLINK(1)" if i == 1500 else None,
            )
        )
    # stored out of order: the page puts them in the order of the activity ID
    return rows[::-1]


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    return make_export(tmp_path_factory.mktemp("rows2500"), _rows())


@pytest.fixture(scope="module")
def con(export):
    return db.connect(export)


def test_page_positions_in_words():
    p = downloads.page_of(2500, 2, size=1000)
    assert (p.offset, p.limit, p.first, p.last, p.pages) == (1000, 1000, 1001, 2000, 3)
    assert p.words() == "Rows 1,001–2,000 of 2,500 (page 2 of 3)"
    assert downloads.page_of(2500, 3, size=1000).words() == "Rows 2,001–2,500 of 2,500 (page 3 of 3)"
    assert downloads.page_of(2500, 99).number == 25  # a page past the end shows the last one
    assert downloads.page_of(2500, 0).number == 1
    assert downloads.page_of(1_000_000, 1).words() == "Rows 1–100 of 1,000,000 (page 1 of 10,000)"
    assert downloads.page_of(12, 1).words() == "Rows 1–12 of 12"
    assert downloads.page_of(0, 1).words() == "No rows."


def test_count_and_pages_in_sql(con):
    assert db.query(con, "activity_rows_count")["activities"].iloc[0] == N
    ilo = Filters(agencies=("ILO",), role="lead")
    assert db.query(con, "activity_rows_count", ilo)["activities"].iloc[0] == 834  # i = 0, 3, ..., 2499

    page2 = db.query(con, "activity_rows_page", limit=1000, offset=1000)
    assert len(page2) == 1000
    assert page2["activity_id"].iloc[0] == "A1000" and page2["activity_id"].iloc[-1] == "A1999"
    last = db.query(con, "activity_rows_page", limit=1000, offset=2000)
    assert len(last) == 500 and last["activity_id"].iloc[-1] == "A2499"
    shown = downloads.labelled_activities(page2).set_index("Activity ID")
    assert shown.at["A1000", "Lead agency"] == "International Organization for Migration"
    assert shown.at["A1001", "Lead agency"] == "United Nations Office on Drugs and Crime"
    assert shown.at["A1001", "Countries"] == "Thailand; Cambodia"
    assert shown.at["A1000", "Partner agencies"] == "United Nations Children's Fund"
    assert shown.at["A1000", "Themes"] == "Prevention; Protection"
    # the filters apply to the pages too
    ilo_page = db.query(con, "activity_rows_page", ilo, limit=1000, offset=0)
    assert set(ilo_page["lead_agency"]) == {"ILO"} and ilo_page["activity_id"].iloc[1] == "A0003"


def test_the_csv_download_holds_every_row_labelled(con):
    raw = downloads.activities_csv(con, "activity_rows", Filters(), batch_rows=700)  # four batches
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", keep_default_na=False)
    assert len(back) == N
    assert back["Activity ID"].tolist() == [f"A{i:04d}" for i in range(N)]
    assert back.columns.tolist()[:4] == ["Activity ID", "Title", "Description", "Lead agency"]
    r = back.set_index("Activity ID")
    assert r.at["A0001", "Lead agency"] == "International Organization for Migration"
    assert r.at["A0001", "Countries"] == "Thailand; Cambodia"
    assert r.at["A0000", "Joint"] == "yes" and r.at["A0001", "Joint"] == "no"
    assert r.at["A0000", "Partner agencies"] == "United Nations Children's Fund"
    assert r.at["A0001", "Partner agencies"] == ""
    assert r.at["A0002", "Start date"] == "2012-03-01"
    assert r.at["A1500", "Title"] == "'=HYPERLINK(1)"  # never a formula
    assert r.at["A0001", "Budget (US$)"] == 100_000

    # the same table the DataFrame route gives
    frame = downloads.labelled_activities(db.query(con, "activity_rows"))
    via_frame = pd.read_csv(io.BytesIO(downloads.to_csv_bytes(frame)), encoding="utf-8-sig", keep_default_na=False)
    pd.testing.assert_frame_equal(back, via_frame, check_dtype=False)


def test_a_large_csv_comes_zipped_with_the_same_rows(con):
    import zipfile

    assert not downloads.csv_zipped(100_000) and downloads.csv_zipped(100_001)
    plain = downloads.activities_csv(con, "activity_rows", Filters())
    zipped = downloads.activities_csv_zip(con, "activity_rows", Filters(), "icat-activities.csv", batch_rows=700)
    with zipfile.ZipFile(io.BytesIO(zipped)) as zf:
        assert zf.namelist() == ["icat-activities.csv"]
        assert zf.read("icat-activities.csv") == plain
    assert len(zipped) < len(plain) / 4


def test_the_csv_download_follows_the_filters_and_may_be_empty(con):
    raw = downloads.activities_csv(con, "activity_rows", Filters(agencies=("ILO",), role="lead"))
    back = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig")
    assert len(back) == 834 and set(back["Lead agency"]) == {"International Labour Organization"}
    none = downloads.activities_csv(con, "activity_rows", Filters(countries=("FRA",)))
    assert none.decode("utf-8-sig").splitlines() == [
        '"Activity ID","Title","Description","Lead agency","Partner agencies","Joint","Scope","Countries",'
        '"Start date","End date","Status","Budget (US$)","Themes","Activity types","Target groups",'
        '"Forms of exploitation","Donors","Last updated","Shared with","Budget shared with"'
    ]


def test_the_xlsx_download_and_its_limit(con):
    f = Filters(agencies=("UNODC",), role="lead", countries=("VNM",))
    n = db.query(con, "activity_rows_count", f)["activities"].iloc[0]
    ws = openpyxl.load_workbook(io.BytesIO(downloads.activities_xlsx(con, "activity_rows", f))).active
    assert ws.max_row == n + 1 == 418
    assert ws.cell(row=2, column=1).value == "A0002" and ws.cell(row=2, column=8).value == "Vietnam"
    assert "2,000,000" in downloads.xlsx_too_big(2_000_000) and "1,048,576" in downloads.xlsx_too_big(2_000_000)
    assert downloads.xlsx_too_big(60_000).startswith("No Excel file for 60,000 rows")


# ---- the page ------------------------------------------------------------------------------
@pytest.fixture
def page_env(export, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("ICAT_DATA_DIR", str(export))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def _page(**link):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../pages/data.py", default_timeout=60)
    for param, value in link.items():
        at.query_params[param] = value
    return at.run()


def _position(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**Rows"))


def test_data_page_moves_through_pages(page_env):
    at = _page()
    assert not at.exception
    assert at.caption[0].value == "2,500 activities. Data as of 1 January 2026."  # the day its manifest was made
    table = at.dataframe[0].value
    assert len(table) == 100 and table["Activity ID"].iloc[0] == "A0000"
    assert _position(at).startswith("**Rows 1–100 of 2,500 (page 1 of 25)**")
    assert "page" not in at.query_params

    at.number_input(key="data_rows_page").set_value(11).run()
    table = at.dataframe[0].value
    assert table["Activity ID"].iloc[0] == "A1000" and table["Activity ID"].iloc[-1] == "A1099"
    assert table.set_index("Activity ID").at["A1001", "Countries"] == "Thailand; Cambodia"
    assert _position(at).startswith("**Rows 1,001–1,100 of 2,500 (page 11 of 25)**")
    assert at.query_params["page"] == "11"  # the link opens on this page

    at.number_input(key="data_rows_page").set_value(25).run()
    assert len(at.dataframe[0].value) == 100
    assert _position(at).startswith("**Rows 2,401–2,500 of 2,500 (page 25 of 25)**")
    # 2,500 rows: the Excel file is offered (the contract check may still say it is running)
    assert not any("No Excel file" in i.value for i in at.info)


def test_data_page_opens_on_the_page_in_the_link(page_env):
    at = _page(page="12")
    assert not at.exception
    assert at.dataframe[0].value["Activity ID"].iloc[0] == "A1100"
    assert _position(at).startswith("**Rows 1,101–1,200 of 2,500 (page 12 of 25)**")
    # a page past the end opens on the last one, and a word on the first
    assert _position(_page(page="99")).startswith("**Rows 2,401–2,500 of 2,500 (page 25 of 25)**")
    assert _position(_page(page="two")).startswith("**Rows 1–100 of 2,500 (page 1 of 25)**")


def test_data_page_says_when_no_excel_file_is_made_and_zips_the_csv(page_env, monkeypatch):
    monkeypatch.setattr(downloads, "XLSX_MAX_ROWS", 2000)
    monkeypatch.setattr(downloads, "ZIP_OVER_ROWS", 2000)
    at = _page()
    assert not at.exception
    assert any("No Excel file for 2,500 rows" in i.value for i in at.info)
    assert any("the CSV comes in a ZIP file" in c.value for c in at.caption)


def test_the_data_quality_report_is_made_only_when_asked_for(page_env, monkeypatch):
    # Neither table is shown on the page; at 1,000,000 activities the two queries took 4-5 s each.
    from icat_analysis.analyses import freshness

    def asked(*_a, **_k):
        raise AssertionError("the data-quality report was made on a visit")

    monkeypatch.setattr(freshness, "scorecards", asked)
    monkeypatch.setattr(freshness, "stale_rows", asked)
    at = _page()
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    for what in ("Agency scorecards", "Stale rows, by agency"):
        assert f"{what} (CSV)" in labels and f"{what} (XLSX)" in labels
