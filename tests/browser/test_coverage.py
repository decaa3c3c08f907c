"""The Coverage and Agencies pages in headless Chromium, on the default export and on a
20,000-activity demo export: they open without an exception, draw their heat maps, stay
legible at full size, and make no request outside the local server.

Screenshots go to docs/ (the default export) and to the test's temporary directory.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.browser.conftest import REPO, dashboard_server, open_page, screenshot_path, wait_until_done

pytestmark = pytest.mark.browser

#: The page icon set in dashboard.py (":material/handshake:") is fetched by Streamlit's frontend
#: from fonts.gstatic.com; that belongs to the app shell and is reported there (the shell's own
#: test of every page catches it). Anything else leaving the machine fails these tests.
SHELL_ICON = "fonts.gstatic.com/s/i/short-term/release/materialsymbolsrounded/handshake/"


@pytest.fixture(scope="module", params=["default", "demo20k"])
def server(request, tmp_path_factory):
    if request.param == "default":
        data = REPO / "data" / "demo"
        if not (data / "activities.parquet").exists():
            pytest.skip("no default export in data/demo/")
    else:
        data = tmp_path_factory.mktemp("cov20k")
        subprocess.run(
            [sys.executable, "-m", "icat_analysis", "demo", "--activities", "20000", "--seed", "1", "--out", str(data)],
            cwd=REPO,
            check=True,
            capture_output=True,
        )
    with dashboard_server(data) as url:
        yield request.param, url


def _outside(page) -> list[str]:
    return [r for r in page.outside_requests if SHELL_ICON not in r]


def _check(page, errors):
    assert page.locator("[data-testid='stException']").count() == 0
    assert errors == []


def _go(page, link: str, url_part: str):
    page.get_by_role("link", name=link).click()
    page.wait_for_url(f"**/{url_part}**")
    wait_until_done(page, 120_000)
    page.wait_for_timeout(1500)  # plotly draws after the script is done


def test_coverage_page_draws_and_stays_legible(server, page, tmp_path):
    name, base = server
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    # Open the app, then the page through the navigation, as a person does.
    open_page(page, base + "/", 120_000)
    _go(page, "Coverage", "coverage")
    _check(page, errors)
    heat = page.locator(".js-plotly-plot").first
    heat.wait_for(timeout=60_000)
    heat.locator(".ytick text").first.wait_for(timeout=30_000)
    labels = [t.text_content() for t in heat.locator(".ytick text").all()]
    assert 5 <= len(labels) <= 40  # the top-N slider keeps the first view short
    assert page.get_by_text("Gaps: detected victims, no activity").count() == 1
    shot = (
        screenshot_path("screenshot-coverage.png", tmp_path) if name == "default" else tmp_path / f"coverage-{name}.png"
    )
    page.screenshot(path=str(shot))

    # Every country: a tall chart whose rows keep their height (labels never overlap).
    slider = page.locator("[data-testid='stSlider']", has_text="Show the").get_by_role("slider")
    slider.focus()
    slider.press("End")
    page.wait_for_function(
        "document.querySelector('.js-plotly-plot').querySelectorAll('.ytick').length > 100", timeout=120_000
    )
    wait_until_done(page, 120_000)
    _check(page, errors)
    heat = page.locator(".js-plotly-plot").first
    labels = [t.text_content() for t in heat.locator(".ytick text").all()]
    assert len(labels) > 100 and "" not in labels
    box = heat.bounding_box()
    assert box["height"] >= 20 * len(labels)
    assert page.get_by_text("lead or partner; all").count() == 1  # the title says every row is shown

    # The other views of the page.
    for tab in ("One agency's overlap", "Joint work"):
        page.get_by_role("tab", name=tab).click()
        page.wait_for_timeout(800)
        _check(page, errors)
    page.screenshot(path=str(tmp_path / f"coverage-{name}-joint.png"))
    assert _outside(page) == []


def test_agencies_page_opens_a_profile(server, page, tmp_path):
    name, base = server
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    open_page(page, base + "/", 120_000)
    _go(page, "Agencies", "agencies")
    page.get_by_label("Agency profile").click()
    page.get_by_role("option", name="UNODC — United Nations Office on Drugs and Crime").click()
    page.wait_for_url("**agency=UNODC**")
    wait_until_done(page, 120_000)
    _check(page, errors)
    assert page.get_by_text("United Nations Office on Drugs and Crime (UNODC)").count() >= 1
    assert page.get_by_text("Where it works").count() == 1
    assert page.get_by_text("Directory").count() >= 1
    page.screenshot(path=str(tmp_path / f"agencies-{name}.png"))
    assert _outside(page) == []


def test_only_the_open_tab_is_drawn_and_choices_survive_moving_between_tabs(server, page):
    name, base = server
    if name != "default":
        pytest.skip("the tabs behave the same on every export")
    open_page(page, base + "/coverage", 120_000)
    page.get_by_label("Agencies by").click()
    page.get_by_role("option", name="Region", exact=True).click()
    wait_until_done(page)
    assert page.get_by_text("Activities by agency and region").count() == 1
    page.get_by_role("tab", name="Joint work").click()
    wait_until_done(page)
    # The joint-work tab draws its two charts; the closed matrix tab is not sent at all.
    assert page.get_by_text("Activities by agency and region").count() == 0
    assert page.get_by_text("Joint activities: both agencies take part").count() >= 1
    page.get_by_role("tab", name="Who works where").click()
    wait_until_done(page)
    assert page.get_by_text("Activities by agency and region").count() == 1  # still by region
    assert page.locator("[data-testid='stException']").count() == 0
