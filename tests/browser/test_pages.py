"""Every page in headless Chromium on the default export: no exception, no request leaving
the machine; a filter given in the link changes the Overview's figures and survives moving
to another page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
from playwright.sync_api import expect

import dashboard
from icat_analysis.bench.browser import FIGURES_DRAWN
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


@pytest.mark.parametrize("url_path", [p[3] for p in dashboard.PAGES])
def test_every_page_draws_without_error_or_outside_request(url_path, default_server, page):
    if not (REPO / next(p[0] for p in dashboard.PAGES if p[3] == url_path)).exists():
        pytest.skip(f"the {url_path} page is not written yet")
    open_page(page, f"{default_server}/{url_path}")
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stCaptionContainer']").first.inner_text().strip()  # the filter sentence
    assert page.outside_requests == [], page.outside_requests


def test_filter_in_the_link_changes_the_overview_and_survives_navigation(default_server, page):
    data = REPO / "data" / "demo" / "activities.parquet"
    lead = pd.read_parquet(data, columns=["lead_agency"])["lead_agency"]
    all_n, ilo_lead_n = len(lead), int((lead == "ILO").sum())
    assert 0 < ilo_lead_n < all_n

    open_page(page, default_server + "/")
    expect(metric_value(page, "Activities")).to_have_text(f"{all_n:,}", timeout=60_000)

    open_page(page, default_server + "/?agencies=ILO&role=lead")
    expect(metric_value(page, "Activities")).to_have_text(f"{ilo_lead_n:,}", timeout=60_000)
    assert "led by ILO" in page.get_by_text("activities led by ILO").first.inner_text()

    page.locator("[data-testid='stSidebarNav'] a", has_text="Data").click()
    wait_until_done(page)
    page.wait_for_url("**/data?*")
    query = parse_qs(urlsplit(page.url).query)
    assert query["agencies"] == ["ILO"] and query["role"] == ["lead"]
    assert page.get_by_text(f"{ilo_lead_n:,} activities led by ILO").count() >= 1

    page.locator("[data-testid='stSidebarNav'] a", has_text="Overview").click()
    wait_until_done(page)
    expect(metric_value(page, "Activities")).to_have_text(f"{ilo_lead_n:,}", timeout=60_000)
    assert parse_qs(urlsplit(page.url).query)["agencies"] == ["ILO"]
    assert page.outside_requests == []


def test_unknown_link_values_are_dropped_with_a_notice(default_server, page):
    open_page(page, default_server + "/?agencies=ILO,%3Cscript%3E&countries=XXX")
    assert page.get_by_text("not a known code").count() == 2
    assert page.locator("[data-testid='stException']").count() == 0
    assert "XXX" not in urlsplit(page.url).query


def test_reset_clears_the_filters_and_the_link(default_server, page):
    open_page(page, default_server + "/data?countries=FRA&themes=prevention")
    page.locator("[data-testid='stSidebar'] button", has_text="Reset filters").click()
    wait_until_done(page)
    assert urlsplit(page.url).query == ""


def test_overview_screenshot(default_server, page, tmp_path):
    """The README's picture of the Overview (docs/screenshot-overview.png)."""
    open_page(page, default_server + "/")
    page.wait_for_function(FIGURES_DRAWN, timeout=30_000)
    charts = page.locator("[data-testid='stVegaLiteChart'] svg.marks")
    assert charts.count() == 2
    # the busiest countries, each named whole (a Vega-Lite label is cut at 180 px by default)
    labels = charts.nth(1).locator(".role-axis-label text").all_text_contents()
    assert "United States" in labels and not any(label.endswith("…") for label in labels)
    assert page.locator(".js-plotly-plot").count() == 0  # the first page loads no plotly.js
    # under each title: the filter sentence and the source, here synthetic (the PNG download carries both)
    subtitle = vega_subtitle(charts.nth(0))
    assert subtitle.startswith("All activities. Source: export 'demo'") and subtitle.endswith(
        "synthetic demonstration data"
    )
    # what a screen reader is told of the chart: its description, with the counts
    told = page.locator("[data-testid='stVegaLiteChart']").nth(1).get_attribute("aria-label")
    assert told.startswith("Bar chart of the countries with most activities: United States 80, ")
    page.wait_for_timeout(1000)
    page.screenshot(path=str(screenshot_path("screenshot-overview.png", tmp_path)))


def test_a_deep_link_is_the_first_visit_of_a_fresh_server(page):
    """The first visitor of a just-started dashboard opens a shared link to the Data page."""
    with dashboard_server(REPO / "data" / "demo") as url:
        open_page(page, url + "/data?agencies=ILO&role=lead")
        # The page runs a second time through dashboard.py; wait for the navigation it draws.
        nav = page.locator("[data-testid='stSidebarNav']")
        nav.get_by_text("Overview", exact=True).wait_for(timeout=30_000)
        wait_until_done(page)
        assert page.locator("[data-testid='stSidebar']").get_by_text("Filters", exact=True).count() == 1
        assert nav.get_by_text("coverage", exact=True).count() == 0  # the old file-name navigation
        assert page.get_by_text("activities led by ILO").count() >= 1
        assert parse_qs(urlsplit(page.url).query)["agencies"] == ["ILO"]
