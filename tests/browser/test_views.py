"""What a person picks is what the page shows, and a link keeps the view: the country filter
adds exactly the typed country, and each page's own choices (the Indicators area and
breakdown, the Coverage tab and overlap agency, the Map metric) come back from the link."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import open_page, screenshot_path, wait_until_done

pytestmark = pytest.mark.browser


def _query(page) -> dict:
    return parse_qs(urlsplit(page.url).query)


def _type_and_enter(page, label: str, text: str) -> None:
    box = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").filter(has_text=label)
    box.locator("input").click()
    page.keyboard.type(text)
    page.wait_for_timeout(300)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    wait_until_done(page)


def test_typing_a_country_and_enter_adds_only_that_country(default_server, page, tmp_path):
    open_page(page, default_server + "/")
    _type_and_enter(page, "Countries", "Niger")
    assert _query(page).get("countries") == ["NER"], page.url  # not Nigeria as well
    _type_and_enter(page, "Countries", "Thailand")
    assert sorted(_query(page)["countries"][0].split(",")) == ["NER", "THA"], page.url
    chips = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").filter(has_text="Countries")
    text = chips.inner_text()
    assert "Niger" in text and "Thailand" in text and "Nigeria" not in text and "Mariana" not in text
    page.screenshot(path=str(screenshot_path("filter-countries.png", tmp_path)))


def _selected_tab(page) -> str:
    return page.locator("[role='tab'][aria-selected='true']").first.inner_text().strip()


def _box(page, label: str) -> str:
    box = page.locator("[data-testid='stMain'] [data-testid='stSelectbox']").filter(has_text=label).first
    return box.inner_text() + " " + box.locator("input").input_value()


def test_the_link_keeps_the_coverage_tab_and_overlap_agency(default_server, page):
    open_page(page, default_server + "/coverage?tab=overlap&overlap=UNODC")
    assert _selected_tab(page) == "One agency's overlap"
    assert "UNODC —" in _box(page, "Agency")
    page.get_by_role("tab", name="Joint work").click()
    wait_until_done(page)
    assert _query(page)["tab"] == ["joint"]

    # Without an agency in the link the tab opens on the sidebar's agency, not the first in the alphabet.
    open_page(page, default_server + "/coverage?agencies=UNICEF&tab=overlap")
    assert _selected_tab(page) == "One agency's overlap"
    assert "UNICEF —" in _box(page, "Agency")


def test_the_link_keeps_the_indicators_area_and_breakdown(default_server, page, tmp_path):
    open_page(page, default_server + "/indicators?area=region:Africa&breakdown=sex")
    assert "Region: Africa" in _box(page, "Area")
    checked = page.locator(
        "[data-testid='stMain'] [data-testid='stButtonGroup'] [aria-checked='true']"
    ).all_inner_texts()
    assert "By sex" in checked, checked
    page.get_by_role("radio", name="By age").or_(page.get_by_role("button", name="By age")).first.click()
    wait_until_done(page)
    assert _query(page)["breakdown"] == ["age"] and _query(page)["area"] == ["region:Africa"]
    page.screenshot(path=str(screenshot_path("indicators-from-link.png", tmp_path)), full_page=False)


def test_the_link_keeps_the_map_metric(default_server, page):
    open_page(page, default_server + "/map?metric=budget")
    # The map draws its controls after its data: wait for the metric row rather than read it mid-run.
    page.locator("[data-testid='stMain'] [data-testid='stButtonGroup'] button", has_text="Known budget").wait_for()
    checked = page.locator(
        "[data-testid='stMain'] [data-testid='stButtonGroup'] [aria-checked='true']"
    ).all_inner_texts()
    assert any("Known budget" in c for c in checked), checked
    page.get_by_role("radio", name="Agencies present").or_(
        page.get_by_role("button", name="Agencies present")
    ).first.click()
    wait_until_done(page)
    assert _query(page)["metric"] == ["agencies"]


def test_opening_a_page_directly_fails_only_streamlits_base_path_probes(default_server, page):
    """Streamlit first probes the page's own path as a base path (404), then the root (200):
    harmless, documented in the README (streamlit/streamlit issue 7074)."""
    failed, answered = [], []
    page.on("response", lambda r: (failed if r.status >= 400 else answered).append(urlsplit(r.url).path))
    open_page(page, default_server + "/map")
    assert page.locator("[data-testid='stException']").count() == 0
    assert set(failed) <= {"/map/_stcore/health", "/map/_stcore/host-config"}, failed
    assert "/_stcore/health" in answered and "/_stcore/host-config" in answered
    assert page.outside_requests == []
