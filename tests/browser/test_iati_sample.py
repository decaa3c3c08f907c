"""The dashboard in headless Chromium on the exports under data/: every page on the IATI sample
(no exception, no synthetic banner, the IATI source named, nothing requested from outside),
the sidebar's export selector and the link keeping ``export=``, and an activity's IATI
identifier, publisher and why it was kept on screen.

Screenshots of every page on the sample go to the test's temporary folder (docs/ with
ICAT_UPDATE_SCREENSHOTS=1)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

import dashboard
from tests.browser.conftest import (
    REPO,
    dashboard_server,
    metric_value,
    open_page,
    screenshot_path,
    vega_subtitle,
    wait_until_done,
)

pytestmark = pytest.mark.browser

SAMPLE = REPO / "data" / "iati-sample"
SOURCE = "IATI, International Organization for Migration (IOM, XM-DAC-47066) as published on 15 June 2021"
#: the library and the calendar, whose rows each say whether they are real or synthetic
LISTINGS = ("library", "events")


@pytest.fixture(scope="module")
def root_server():
    if not (SAMPLE / "activities.parquet").exists():
        pytest.skip("no IATI sample export in data/iati-sample/")
    with dashboard_server(REPO / "data", root=True) as url:
        yield url


def _main_text(page) -> str:
    return page.locator("[data-testid='stMain']").inner_text()


def _export_in_link(page) -> list[str]:
    return parse_qs(urlsplit(page.url).query).get("export", [])


@pytest.mark.parametrize("url_path", [p[3] for p in dashboard.PAGES])
def test_every_page_on_the_iati_sample(url_path, root_server, page, tmp_path):
    open_page(page, f"{root_server}/{url_path}?export=iati-sample")
    page.wait_for_timeout(1000)  # let the charts draw before the picture
    page.screenshot(path=str(screenshot_path(f"iati-sample-{url_path}.png", tmp_path)), full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0
    text = _main_text(page)
    if url_path not in LISTINGS:
        assert SOURCE in text, "every page of activities names where its figures come from"
    assert "Demonstration data" not in text, "no synthetic banner on real data"
    assert _export_in_link(page) == ["iati-sample"]
    assert page.outside_requests == [], page.outside_requests


def test_the_overview_counts_the_sample_and_shows_its_regions_band(root_server, page):
    open_page(page, f"{root_server}/?export=iati-sample")
    expect(metric_value(page, "Activities")).to_have_text("16", timeout=60_000)
    text = _main_text(page)
    assert "3 activities are placed in 3 regions and in no country" in text
    # each chart names its source under its title, so that its downloaded picture does too
    page.locator("[data-testid='stVegaLiteChart'] svg.marks").first.wait_for(timeout=60_000)
    subtitle = vega_subtitle(page.locator("[data-testid='stVegaLiteChart']").first)
    assert subtitle == (
        "All activities. Source: export 'iati-sample': IATI activities of International Organization for "
        "Migration (IOM, XM-DAC-47066), as published on 15 June 2021"
    )


def test_choosing_the_export_in_the_sidebar_is_kept_in_the_link_across_pages(root_server, page):
    open_page(page, root_server + "/")
    assert "Demonstration data" in _main_text(page)
    page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").filter(has_text="Export").click()
    page.get_by_role("option", name="IATI sample (15 June 2021)").click()
    wait_until_done(page)
    assert _export_in_link(page) == ["iati-sample"]
    assert "Demonstration data" not in _main_text(page)
    page.locator("[data-testid='stSidebarNav']").get_by_text("Data", exact=True).click()
    wait_until_done(page)
    page.get_by_role("heading", name="Data").first.wait_for(timeout=30_000)
    assert _export_in_link(page) == ["iati-sample"]
    assert SOURCE in _main_text(page)


def test_an_unknown_export_in_the_link_is_dropped_with_a_notice(root_server, page):
    open_page(page, root_server + "/?export=nonsense")
    assert "Ignored export 'nonsense' from the link" in _main_text(page)
    assert "Demonstration data" in _main_text(page)
    assert _export_in_link(page) == []


def _grid_texts(page, header: str) -> set[str]:
    """The header and cell texts of the first table with this column heading (the cells in view)."""
    heading = page.locator("[role='columnheader']", has_text=header)
    grid = page.locator("[data-testid='stDataFrame']").filter(has=heading).first
    grid.wait_for(timeout=30_000)
    grid.locator("[role='columnheader']").first.wait_for(state="attached", timeout=30_000)
    page.wait_for_timeout(500)
    return {c.strip() for c in grid.locator("[role='columnheader'], [role='gridcell']").all_inner_texts()}


def test_an_activity_shows_its_iati_identifier_publisher_and_why_it_was_kept(root_server, page):
    # the country profile: publisher and why it was kept beside the title
    open_page(page, f"{root_server}/map?export=iati-sample&country=BGD")
    page.get_by_role("heading", name="Bangladesh (BGD)").wait_for(timeout=30_000)
    cells = _grid_texts(page, "Kept because")
    assert {"Title", "IATI publisher", "Kept because"} <= cells
    assert "International Organization for Migration (IOM, XM-DAC-47066)" in cells
    assert "title: 'Counter Trafficking' (main purpose)" in cells
    # the Data page's rows: the IATI identifier beside the activity ID, then the publisher
    open_page(page, f"{root_server}/data?export=iati-sample")
    cells = _grid_texts(page, "IATI identifier")
    assert {"Activity ID", "IATI identifier", "IATI publisher"} <= cells
    assert "XM-DAC-47066-DP.2135" in cells  # the first row (the rows in view)
