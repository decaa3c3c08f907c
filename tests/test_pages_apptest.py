"""Every page of the dashboard runs without an exception on the default export, on an empty
export, and with filters that match nothing; the Overview shows figures a person can check."""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

import dashboard
from tests.conftest import REPO

PAGE_FILES = [p[0] for p in dashboard.PAGES]
TIMEOUT = 120


def _app(data_dir, monkeypatch, query: dict | None = None) -> AppTest:
    monkeypatch.setenv("ICAT_DATA_DIR", str(data_dir))
    at = AppTest.from_file("../dashboard.py", default_timeout=TIMEOUT)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return at.run()


def _problems(at: AppTest) -> list[str]:
    return [e.value for e in at.exception]


@pytest.mark.parametrize("page", PAGE_FILES)
def test_every_page_runs_on_the_default_export(page, default_export, monkeypatch, clean_streamlit):
    if not (REPO / page).exists():
        pytest.skip(f"{page} is not written yet")
    at = _app(default_export, monkeypatch)
    at.switch_page(page).run()
    assert not _problems(at), _problems(at)
    assert at.caption, "every page states its filters in a sentence"


@pytest.mark.parametrize("page", PAGE_FILES)
def test_every_page_runs_on_an_empty_export(page, empty_export, monkeypatch, clean_streamlit):
    if not (REPO / page).exists():
        pytest.skip(f"{page} is not written yet")
    at = _app(empty_export, monkeypatch)
    at.switch_page(page).run()
    assert not _problems(at), _problems(at)


@pytest.mark.parametrize("page", PAGE_FILES)
def test_every_page_says_when_filters_match_nothing(page, small_export, monkeypatch, clean_streamlit):
    if not (REPO / page).exists():
        pytest.skip(f"{page} is not written yet")
    # UNAIDS leads nothing in the small export.
    at = _app(small_export, monkeypatch, {"agencies": "UNAIDS", "role": "lead"})
    at.switch_page(page).run()
    assert not _problems(at), _problems(at)
    words = " ".join(str(e.value) for e in [*at.info, *at.warning, *at.markdown, *at.caption])
    assert "0 activities" in words or "no activit" in words.lower() or "nothing" in words.lower()


def test_overview_figures_and_filters_from_the_link(small_export, monkeypatch, clean_streamlit):
    at = _app(small_export, monkeypatch)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Activities"] == "4"
    assert metrics["Agencies involved"] == "3"
    assert metrics["Joint"] == "25%"
    assert metrics["Known budget, US$"] == "450,000"
    assert at.caption[0].value == "4 activities. Data as of 1 January 2026."

    at = _app(small_export, monkeypatch, {"agencies": "ILO", "role": "lead", "themes": "nonsense"})
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Activities"] == "2"
    assert any("nonsense" in w.value for w in at.warning), "a dropped link value is stated"
    assert at.caption[0].value == "2 activities led by ILO. Data as of 1 January 2026."
    assert at.query_params["agencies"] == "ILO"  # the URL keeps the filter, without the junk
    assert "themes" not in at.query_params


def test_filters_match_nothing_then_reset(small_export, monkeypatch, clean_streamlit):
    at = _app(small_export, monkeypatch, {"countries": "FRA", "themes": "bogus"})
    assert not at.metric
    assert any("bogus" in w.value for w in at.warning)
    assert any("No activity matches" in i.value for i in at.info)
    at.button(key="empty_state_reset").click().run()
    assert {m.label: m.value for m in at.metric}["Activities"] == "4"
    assert at.caption[0].value == "4 activities. Data as of 1 January 2026."
    assert not at.warning  # the notice about the link goes with the link's filters


def _data_page_after_the_contract_check(at: AppTest) -> AppTest:
    """The Data page once the background contract check is done (AppTest runs no fragment timer)."""
    at.switch_page("pages/data.py").run()
    for _ in range(60):
        if not any("Checking the export against the data contract" in i.value for i in at.info):
            return at
        time.sleep(0.5)
        at.run()
    raise AssertionError("the contract check did not finish in 30 s")


def test_data_page_offers_downloads_and_the_dictionary(small_export, monkeypatch, clean_streamlit):
    at = _data_page_after_the_contract_check(_app(small_export, monkeypatch))
    assert not _problems(at)
    assert at.caption[0].value == "4 activities. Data as of 1 January 2026."
    assert any("keeps the data contract" in s.value for s in at.success)


def test_a_broken_export_opens_and_the_data_page_names_its_problems(tmp_path, monkeypatch, clean_streamlit):
    from tests.conftest import four_activities
    from tests.factories import activity, make_export

    rows = [*four_activities(), activity("A5", lead="ILO", countries=["XYZ"]), activity("A1", lead="IOM")]
    d = make_export(tmp_path / "broken", rows)
    at = _app(d, monkeypatch)
    # the Overview opens without waiting for the check, with its figures
    assert not _problems(at)
    assert {m.label: m.value for m in at.metric}["Activities"] == "6"
    at = _data_page_after_the_contract_check(at)
    assert not _problems(at)
    assert any("`validate` finds 2 problems" in e.value for e in at.error), [e.value for e in at.error]
    listed = at.code[0].value.splitlines()
    assert any(line.startswith("activities.parquet:5: countries:") and "XYZ" in line for line in listed), listed
    assert any(line.startswith("activities.parquet:6: activity_id:") for line in listed), listed


def test_synthetic_export_is_labelled(default_export, monkeypatch, clean_streamlit):
    at = _app(default_export, monkeypatch)
    assert any("Demonstration data" in i.value for i in at.info)


def test_the_navigation_lists_every_page_and_each_file_exists():
    assert [p[1] for p in dashboard.PAGES] == [
        "Overview",
        "Map",
        "Coverage",
        "Duplication",
        "Indicators",
        "Agencies",
        "Library",
        "Events",
        "Data",
        "Changes",
    ]
    missing = [f for f in PAGE_FILES if not (REPO / f).exists()]
    assert not missing, f"page files missing: {missing}"


def test_html_in_the_data_is_shown_as_text(tmp_path, monkeypatch, clean_streamlit):
    from tests.factories import activity, make_export

    title = "<script>alert('x')</script><b>bold</b>"
    make_export(tmp_path / "x", [activity("A1", title=title, lead="ILO", countries=["THA"])])
    at = _app(tmp_path / "x", monkeypatch)
    at.switch_page("pages/data.py").run()
    assert not _problems(at)
    shown = at.dataframe[0].value
    assert shown["Title"].tolist() == [title]  # the text itself, in a table cell
    assert not any(title in str(m.value) for m in at.markdown)  # never handed to markdown


def test_duplication_asks_for_a_narrower_selection_when_too_many_would_be_searched(
    small_export, monkeypatch, clean_streamlit
):
    # The four activities stand in for an export too large to search while the page opens: A1 and
    # A3 share Thailand, the only pair sharing a country. The export is flat, so it stores no
    # hot-spot index.
    from icat_analysis.analyses import duplication

    monkeypatch.setattr(duplication, "MAX_SEARCH_PAIRS", 0)
    at = _app(small_export, monkeypatch)
    at.switch_page("pages/duplication.py").run()
    assert not _problems(at)
    shown = " ".join(i.value for i in at.info)
    assert (
        "Too many pairs to compare here: 4 activities are selected, and comparing them means 1 pair of activities "
        "that shares a country." in shown
    )
    assert "no stored hot-spot index" in shown
    assert "to bring the pairs to 0 or fewer" in shown
    assert not at.metric  # nothing was searched

    at = _app(small_export, monkeypatch, {"countries": "VNM"})  # A2 alone: no pair to compare
    at.switch_page("pages/duplication.py").run()
    assert not _problems(at)
    assert "Too many pairs" not in " ".join(i.value for i in at.info)
    assert [m.label for m in at.metric][0] == "Likely duplicate pairs"


def test_duplication_hot_spots_are_grouped_once_per_threshold(default_export, monkeypatch, clean_streamlit):
    # A repeat visit shows the stored hot-spot tables; another threshold groups its own pairs.
    from icat_analysis.analyses import duplication

    grouped = []
    original = duplication.hotspots_by_country
    monkeypatch.setattr(duplication, "hotspots_by_country", lambda scored: grouped.append(1) or original(scored))
    at = _app(default_export, monkeypatch)
    at.switch_page("pages/duplication.py").run()
    assert not _problems(at)
    first = at.dataframe[0].value
    assert len(first) > 0 and len(grouped) == 1
    at.switch_page("pages/overview.py").run()
    at.switch_page("pages/duplication.py").run()
    assert len(grouped) == 1
    assert at.dataframe[0].value.equals(first)
    at.slider(key="dup_threshold").set_value(0.95).run()
    assert not _problems(at) and len(grouped) == 2
    assert at.dataframe[0].value["Pairs"].sum() < first["Pairs"].sum()


def _subtitles(at: AppTest) -> list[str]:
    import json

    return [json.loads(c.proto.spec)["layout"]["title"]["subtitle"]["text"] for c in at.get("plotly_chart")]


def test_each_chart_names_the_source_of_what_it_draws(default_export, monkeypatch, clean_streamlit):
    """A chart's downloaded picture says where its figures come from: the demonstration export's
    activities are synthetic, UNODC's indicators beside them are not."""
    at = _app(default_export, monkeypatch)
    at.switch_page("pages/map.py").run()
    assert not _problems(at), _problems(at)
    (world,) = _subtitles(at)
    assert world.startswith("All activities. Source: export ") and world.endswith("synthetic demonstration data")
    at.switch_page("pages/indicators.py").run()
    assert not _problems(at), _problems(at)
    trend = _subtitles(at)[0].replace("<br>", " ")
    # the trend draws the selected activities beside UNODC's figures: both sources, each named
    assert "synthetic demonstration data. Indicators: UNODC" in trend
