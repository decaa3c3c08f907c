"""Meetings: the briefing file draws every chart with the network cut off, and a link with
``present=1`` shows the view without the sidebar on a 1920x1080 projector."""

from __future__ import annotations

import functools
from datetime import date

import pytest

from icat_analysis.bench.browser import FIGURES_DRAWN
from icat_analysis.filters import Filters
from icat_analysis.store import db, export
from icat_analysis.ui import briefing
from tests.browser.conftest import REPO, open_page, screenshot_path, wait_until_done

pytestmark = pytest.mark.browser

PROJECTOR = {"width": 1920, "height": 1080}


@pytest.fixture(scope="module")
def briefing_file(tmp_path_factory):
    con = db.connect(REPO / "data" / "demo")
    f = Filters(agencies=("UNODC", "IOM"))
    html = briefing.briefing_html(
        functools.partial(db.query, con), con, f, export.read_manifest(REPO / "data" / "demo"), date(2026, 11, 29)
    )
    path = tmp_path_factory.mktemp("briefing") / "briefing.html"
    path.write_text(html, encoding="utf-8")
    return path


def test_briefing_draws_every_chart_with_the_network_cut_off(browser, briefing_file):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    refused = []

    def only_files(route):
        if route.request.url.startswith(("file://", "data:", "blob:")):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    context.route("**/*", only_files)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(briefing_file.as_uri())
    page.wait_for_function(
        "document.querySelectorAll('.js-plotly-plot').length === 3 && "
        "[...document.querySelectorAll('.js-plotly-plot')].every(p => p.querySelector('.main-svg'))",
        timeout=60_000,
    )
    page.wait_for_function("document.querySelectorAll('path.choroplethlocation').length > 150", timeout=30_000)
    countries = page.locator("path.choroplethlocation").count()
    charts = page.locator(".js-plotly-plot").count()
    drawn = page.locator(".js-plotly-plot .main-svg").count()
    context.close()
    assert refused == []
    assert errors == []
    assert charts == 3
    assert drawn >= charts
    assert countries > 150


def test_presentation_mode_hides_the_sidebar_and_keeps_the_filters(default_server, browser, tmp_path):
    context = browser.new_context(viewport=PROJECTOR)
    page = context.new_page()
    open_page(page, f"{default_server}/?agencies=IOM&present=1")
    sidebar = page.locator("[data-testid='stSidebar']")
    assert sidebar.count() == 0 or not sidebar.first.is_visible()
    # The link's filter still applies and the sentence says so.
    assert "involving IOM" in page.locator("[data-testid='stCaptionContainer']").first.inner_text()
    # Pages are reached from the top navigation, and presentation mode stays on when moving.
    page.get_by_role("link", name="Map").first.click()
    page.wait_for_url("**/map**")
    wait_until_done(page)
    # The page's run writes the link's parameters; wait for them rather than racing the run.
    page.wait_for_function("location.search.includes('present=1')", timeout=30_000)
    assert "present=1" in page.url and "agencies=IOM" in page.url
    assert sidebar.count() == 0 or not sidebar.first.is_visible()
    page.goto(f"{default_server}/?agencies=IOM&present=1")
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")
    page.wait_for_function(FIGURES_DRAWN, timeout=30_000)
    # the Overview's charts in the page's larger text: the title at 25 px
    title = page.locator("[data-testid='stVegaLiteChart'] .role-title-text text").first
    assert title.evaluate("e => parseFloat(getComputedStyle(e).fontSize)") >= 22
    page.wait_for_timeout(800)
    page.screenshot(path=str(screenshot_path("screenshot-presentation.png", tmp_path)))
    context.close()


def test_presenting_on_a_projector_the_world_map_fits_the_first_screen(default_server, browser, tmp_path):
    context = browser.new_context(viewport=PROJECTOR)
    page = context.new_page()
    open_page(page, f"{default_server}/map?present=1")
    page.wait_for_function("document.querySelectorAll('path.choroplethlocation').length > 150", timeout=60_000)
    page.wait_for_timeout(800)
    box = page.locator(".js-plotly-plot").first.bounding_box()
    # chart text as large as the page text: the title at 25 px, the colour scale's numbers at 20
    title_size = page.locator(".js-plotly-plot .gtitle").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    page.screenshot(path=str(screenshot_path("screenshot-presentation-map.png", tmp_path)))
    context.close()
    assert box["y"] + box["height"] <= PROJECTOR["height"], box
    assert title_size >= 22
