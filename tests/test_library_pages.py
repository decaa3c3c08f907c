"""The Library and Events pages, their search and filters, the calendar file, and the
cross-links from agency and country profiles, on a small export a person can count by hand."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import icalendar
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from streamlit.testing.v1 import AppTest

from icat_analysis import cli
from icat_analysis.analyses import events, library
from icat_analysis.filters import Filters
from icat_analysis.store import db, export
from icat_analysis.ui import library as texts
from tests.conftest import four_activities
from tests.factories import make_export

RESOURCES = """resource_id,title,agencies,kind,year,languages,themes,countries,regions,link,summary
L1,Guidelines on child victims of trafficking,UNICEF,guideline,2021,en,protection,THA,,https://example.org/l1,For social workers
L2,Training manual for labour inspectors,ILO,training_material,2019,en;fr,prevention,VNM,,,A module on children in fishing
L3,Model law against trafficking in persons,UNODC,legal_instrument,2009,en;es,prosecution,,South-eastern Asia,,Articles
L4,Study on forced marriage,UNWOMEN,publication,2023,fr,protection,NER,,https://example.org/l4,Girls and women at risk
"""
EVENTS = """event_id,title,kind,start_date,end_date,place,city,agencies,themes,link
V1,Regional meeting on referral,conference,2027-03-02,2027-03-03,AUT,Vienna,UNODC,partnership,https://example.org/v1
V2,Training for judges,training,2027-05-10,,THA,Bangkok,UNODC;ILO,prosecution,
V3,Workshop on victim assistance,training,2020-01-15,2020-01-17,online,,IOM,protection,
"""
TODAY = date(2026, 12, 1)


@pytest.fixture
def library_export(tmp_path, capsys) -> Path:
    data = make_export(tmp_path / "lib", four_activities())
    for command, name, text in (("import-resources", "r.csv", RESOURCES), ("import-events", "e.csv", EVENTS)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        assert cli.main([command, str(tmp_path / name), "--data", str(data)]) == 0
    capsys.readouterr()
    return data


@pytest.fixture
def run(library_export):
    con = db.connect(library_export)
    return lambda name, f=None, **p: db.query(con, name, f, **p)


def test_search_for_child_finds_the_resources_whose_title_or_summary_says_so(run):
    found = library.resources(run, search="child")
    assert sorted(found["resource_id"]) == ["L1", "L2"]  # L1 in its title, L2 "children" in its summary
    assert list(library.resources(run, search="CHILD labour")["resource_id"]) == ["L2"]  # every word must appear
    assert library.resources(run, search="orphanage").empty
    assert library.search_terms("  Child   victims! ") == ["child", "victims"]


def test_library_filters_kind_language_agency_country_and_the_shared_ones(run):
    assert list(library.resources(run, kinds=("guideline", "publication"))["resource_id"]) == ["L4", "L1"]
    assert sorted(library.resources(run, languages=("fr",))["resource_id"]) == ["L2", "L4"]
    assert list(library.resources(run, agency="ILO")["resource_id"]) == ["L2"]
    # Thailand: L1 names it, L3 concerns South-eastern Asia, where it lies
    assert sorted(library.resources(run, country="THA")["resource_id"]) == ["L1", "L3"]
    assert sorted(library.resources(run, Filters(countries=("THA",)))["resource_id"]) == ["L1", "L3"]
    assert sorted(library.resources(run, Filters(themes=("protection",)))["resource_id"]) == ["L1", "L4"]
    assert list(library.resources(run, Filters(year_from=2015, year_to=2020))["resource_id"]) == ["L2"]
    table = library.table(library.resources(run))
    assert list(table["Title"])[:2] == ["Study on forced marriage", "Guidelines on child victims of trafficking"]
    assert set(table["Real or synthetic"]) == {"Real"}


def test_upcoming_past_and_the_month_grid(run):
    df = events.events(run)
    assert list(events.upcoming(df, TODAY)["event_id"]) == ["V1", "V2"]
    assert list(events.past(df, TODAY)["event_id"]) == ["V3"]
    assert list(events.events(run, Filters(agencies=("ILO",)))["event_id"]) == ["V2"]
    assert list(events.events(run, country="AUT")["event_id"]) == ["V1"]
    grid = events.month_grid(df, 2027, 3)
    assert list(grid.columns) == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    # 2 March 2027 is a Tuesday, 3 March a Wednesday: the meeting shows on both days
    assert grid.iloc[0]["Tue"] == "2\n• Regional meeting on referral"
    assert grid.iloc[0]["Wed"] == "3\n• Regional meeting on referral"
    assert grid.iloc[0]["Thu"] == "4"
    assert events.dates_label(date(2006, 9, 26), date(2006, 9, 27)) == "26-27 Sep 2006"


def test_the_calendar_file_holds_the_selected_events_with_their_days(run):
    selected = events.upcoming(events.events(run), TODAY)
    cal = icalendar.Calendar.from_ical(texts.ics_bytes(selected, datetime(2026, 12, 1, 9, 0)))
    got = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert set(got) == {"V1@icat-dashboard", "V2@icat-dashboard"}
    v1, v2 = got["V1@icat-dashboard"], got["V2@icat-dashboard"]
    assert str(v1["summary"]) == "Regional meeting on referral"
    assert v1.decoded("dtstart") == date(2027, 3, 2)
    assert v1.decoded("dtend") == date(2027, 3, 4)  # iCalendar's end of an all-day event is the day after
    assert str(v1["location"]) == "Vienna, Austria" and str(v1["url"]) == "https://example.org/v1"
    assert v2.decoded("dtstart") == date(2027, 5, 10) and v2.decoded("dtend") == date(2027, 5, 11)
    assert "url" not in v2


def test_the_demo_calendar_file_keeps_the_founding_reports_dates_and_marks_synthetic_events(default_export):
    con = db.connect(default_export)
    df = events.events(lambda name, f=None, **p: db.query(con, name, f, **p))
    cal = icalendar.Calendar.from_ical(texts.ics_bytes(df, datetime(2026, 12, 1)))
    by_uid = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    tokyo, cop = by_uid["ICAT-2006-E01@icat-dashboard"], by_uid["ICAT-2006-E02@icat-dashboard"]
    assert (tokyo.decoded("dtstart"), tokyo.decoded("dtend")) == (date(2006, 9, 26), date(2006, 9, 28))
    assert (cop.decoded("dtstart"), cop.decoded("dtend")) == (date(2006, 10, 9), date(2006, 10, 19))
    assert str(tokyo["location"]) == "Tokyo, Japan" and str(cop["location"]) == "Vienna, Austria"
    assert "CTOC/COP/2006/CRP.5" in str(tokyo["description"])
    synthetic = [e for u, e in by_uid.items() if u.startswith("DEMO-")]
    assert synthetic and all(str(e["summary"]).startswith("[Synthetic] ") for e in synthetic)


def test_a_javascript_link_is_never_made_a_link():
    assert library.safe_link("javascript:alert(1)") is None
    assert library.safe_link("data:text/html,<b>x</b>") is None
    assert library.safe_link(" https://example.org/a ") == "https://example.org/a"
    assert texts.link_markdown("Click [me](javascript:x)", "javascript:alert(1)") == r"Click \[me\](javascript\:x)"
    assert texts.link_markdown("Guide", "https://example.org/g") == "[Guide](<https://example.org/g>)"
    grid = events.month_grid(
        pd.DataFrame(
            {"start_date": [date(2027, 3, 2)], "end_date": [date(2027, 3, 2)], "title": ["<script>x</script>"]}
        ),
        2027,
        3,
    )
    html = texts.month_html(grid, "March 2027")
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html


# ---- the pages, as AppTest runs them ------------------------------------------------------


def _page(data: Path, monkeypatch, page: str, **query) -> AppTest:
    monkeypatch.setenv("ICAT_DATA_DIR", str(data))
    at = AppTest.from_file("../dashboard.py", default_timeout=120)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _words(at: AppTest) -> str:
    return "\n".join(str(e.value) for e in [*at.markdown, *at.caption, *at.subheader, *at.info])


def test_library_page_search_from_the_link(library_export, monkeypatch, clean_streamlit):
    at = _page(library_export, monkeypatch, "pages/library.py", q="child")
    shown = at.dataframe[0].value
    assert list(shown["Title"]) == [
        "Guidelines on child victims of trafficking",
        "Training manual for labour inspectors",
    ]
    assert at.text_input(key="pg_q").value == "child"
    assert "**2 resources match** the search *child*" in _words(at)


def test_library_page_opens_a_resource_and_refuses_a_javascript_link(library_export, monkeypatch, clean_streamlit):
    table = pq.read_table(export.current_dir(library_export) / "resources.parquet")
    links = table.column("link").to_pylist()
    links[3] = "javascript:alert(document.cookie)"  # L4, as if written into the export by hand
    table = table.set_column(table.schema.get_field_index("link"), "link", pa.array(links, pa.string()))
    pq.write_table(table, export.current_dir(library_export) / "resources.parquet")
    at = _page(library_export, monkeypatch, "pages/library.py", resource="L4")
    assert "Study on forced marriage" in [s.value for s in at.subheader]
    assert "javascript" not in _words(at).lower()
    assert not [b for b in at.get("link_button")]  # no "Open the resource" button for it
    # the refused link is a blank cell, not a grey "None"
    assert at.dataframe[0].value.set_index("Title").loc["Study on forced marriage", "Link"] == ""
    at = _page(library_export, monkeypatch, "pages/library.py", resource="L1")
    assert [b.proto.url for b in at.get("link_button")] == ["https://example.org/l1"]


def test_events_page_month_view_from_the_link(library_export, monkeypatch, clean_streamlit):
    at = _page(library_export, monkeypatch, "pages/events.py", view="month", month="2027-03")
    assert "March 2027" in [s.value for s in at.subheader]
    grid = at.get("html")[0].proto.body
    assert "<td><b>2</b><ul><li>Regional meeting on referral</li></ul></td>" in grid
    assert "<td><b>4</b></td>" in grid
    assert list(at.dataframe[0].value["Title"]) == ["Regional meeting on referral"]
    at = _page(library_export, monkeypatch, "pages/events.py", view="past")
    assert list(at.dataframe[0].value["Title"]) == ["Workshop on victim assistance"]


def test_agency_profile_lists_its_resources_and_events(library_export, monkeypatch, clean_streamlit):
    at = _page(library_export, monkeypatch, "pages/agencies.py", agency="ILO")
    words = _words(at)
    assert "Training manual for labour inspectors" in words  # the one resource ILO published
    assert "Guidelines on child victims" not in words  # UNICEF's
    assert "Training for judges" in words  # ILO co-organises V2
    assert "**ICAT membership:** founding participant" in words
    assert "ILO's activities on the Data page" in [b.label for b in at.button]


def test_country_profile_lists_the_resources_concerning_it(library_export, monkeypatch, clean_streamlit):
    at = _page(library_export, monkeypatch, "pages/map.py", country="THA")
    words = _words(at)
    assert "Guidelines on child victims of trafficking" in words
    assert "Model law against trafficking in persons" in words  # through South-eastern Asia
    assert "Study on forced marriage" not in words


def test_overview_shows_the_next_events_and_the_newest_resources(library_export, monkeypatch, clean_streamlit):
    at = _page(library_export, monkeypatch, "pages/overview.py")
    words = _words(at)
    assert "Next events" in words and "Newest in the library" in words
    assert "Regional meeting on referral" in words and "Training for judges" in words
    assert "Workshop on victim assistance" not in words  # over in 2020
    assert "Study on forced marriage" in words  # 2023, the newest


def test_the_data_dictionary_describes_the_resource_and_event_templates():
    from icat_analysis.ui import dictionary

    events_cols = dictionary.template_columns(dictionary.TEMPLATES["Events"]).set_index("Column")
    assert events_cols.loc["place", "Type"] == "ISO 3166-1 code or online"
    assert events_cols.loc["start_date", "Required"] == "yes" and events_cols.loc["end_date", "Required"] == "no"
    res = dictionary.template_columns(dictionary.TEMPLATES["Resources"]).set_index("Column")
    assert (
        res.loc["link", "Type"] == "web address (http:// or https://)"
        and res.loc["kind", "Code list"] == "resource_kind"
    )
    agencies = dictionary.agencies().set_index("Code")
    assert agencies.loc["UNHCR", "ICAT membership"] == "founding participant"
    assert agencies.loc["OHCHR", "ICAT membership"] == ""  # named in 2006 only as a possible participant


@pytest.mark.parametrize("page, key", [("pages/library.py", "Link"), ("pages/events.py", "Link")])
def test_a_cell_without_a_link_is_blank_not_none(page, key, default_export, monkeypatch, clean_streamlit):
    at = _page(default_export, monkeypatch, page)
    shown = at.dataframe[0].value
    # the founding report's resources and events have no link: their cells are empty, never "None"
    assert (shown[key] == "").any(), page
    assert not shown[key].isna().any() and "None" not in set(shown[key])
    assert any(str(v).startswith("https://") for v in shown[key])
