"""The Indicators page in headless Chromium on the default export: it opens without an
exception, draws the trend for the country the sidebar chose with the numbers of the parquet
file (censored years left empty), marks <5 years, and makes no request off the machine.

Uses the shared browser fixtures (tests/browser/conftest.py). The screenshot (1600x1000) is
written to the test's temporary directory, or to $INDICATORS_SCREENSHOT when set.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.browser.conftest import REPO, open_page, wait_until_done

pytestmark = pytest.mark.browser

DATA = REPO / "data" / "demo"
VICTIMS = "Detected trafficking victims"


def open_indicators(page, base: str, query: str = "") -> None:
    # Through the entry script first, so the page gets the navigation and the filter sidebar
    # (a fresh session asking for /indicators first runs pages/indicators.py on its own).
    open_page(page, f"{base}/{query}")
    open_page(page, f"{base}/indicators{query}")
    assert page.locator("[data-testid='stSidebar']").get_by_text("Filters").count() >= 1
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)


def drawn_total(page) -> dict[int, float | None]:
    """year -> y of the main-panel "Total" line of the first chart, as plotly holds it."""
    return page.evaluate(
        """() => {
            const gd = document.querySelector('.js-plotly-plot');
            const t = gd.data.find(t => t.name === 'Total' && (t.yaxis || 'y') === 'y');
            const out = {};
            Array.from(t.x).forEach((x, i) => { out[x] = t.y[i]; });
            return out;
        }"""
    )


def parquet_totals(iso3: str, indicator: str = VICTIMS):
    df = pq.read_table(DATA / "indicators.parquet").to_pandas()
    rows = df[
        (df["iso3"] == iso3)
        & (df["indicator"] == indicator)
        & (df["dimension"] == "Total")
        & (df["category"] == "Total")
        & (df["sex"] == "Total")
        & (df["age"] == "Total")
    ]
    return rows


def screenshot(page, tmp_path: Path, name: str) -> Path:
    target = Path(os.environ.get("INDICATORS_SCREENSHOT_DIR", tmp_path)) / name
    page.screenshot(path=str(target))
    return target


def test_indicators_page_draws_nigeria_as_published(default_server, page, tmp_path):
    open_indicators(page, default_server, "?countries=NGA")
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.get_by_text("Detected victims, Nigeria").count() >= 1

    expected = {int(r.year): float(r.value) for r in parquet_totals("NGA").itertuples()}
    drawn = {int(k): v for k, v in drawn_total(page).items() if v is not None}
    assert drawn == expected

    assert page.get_by_text("dataunodc.un.org").count() >= 1
    assert page.outside_requests == []
    screenshot(page, tmp_path, "indicators-nigeria.png")


def test_censored_years_are_marked_not_drawn(default_server, page, tmp_path):
    # Angola's persons brought into formal contact: published as <5 in some years.
    rows = parquet_totals("AGO", "Persons brought into formal contact")
    censored = {int(y) for y in rows.loc[rows["is_censored"], "year"]}
    assert censored
    open_indicators(page, default_server, "?countries=AGO")
    page.locator("[data-testid='stSelectbox']").filter(has_text="Indicator").first.click()
    page.get_by_role("option", name="Persons brought into formal contact").first.click()
    wait_until_done(page)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    drawn = {int(k): v for k, v in drawn_total(page).items()}
    assert all(drawn.get(y) is None for y in censored)
    assert page.locator(".js-plotly-plot .annotation-text").filter(has_text="<5").count() == len(censored)
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, tmp_path, "indicators-censored.png")


def test_world_total_shows_countries_reporting_and_activities(default_server, page, tmp_path):
    open_indicators(page, default_server)
    assert page.get_by_text("Detected victims, World").count() >= 1
    texts = page.locator(".js-plotly-plot").first.inner_text()
    assert "Countries reporting" in texts and "Activities active" in texts
    assert page.get_by_text("Where the people counted come from").count() == 1
    assert page.locator(".js-plotly-plot").count() == 1  # the citizenship charts wait for their section
    page.get_by_text("Where the people counted come from").click()
    wait_until_done(page)
    page.get_by_text("Largest citizenships over time").first.wait_for(timeout=60_000)
    assert page.locator(".js-plotly-plot").count() == 3
    assert page.locator("[data-testid='stException']").count() == 0
    # each chart names its source under its title: the trend both (the activities beside it are
    # synthetic here), the citizenship charts UNODC's alone
    subtitles = [" ".join(t.split()) for t in page.locator(".js-plotly-plot .gtitle-subtitle").all_text_contents()]
    assert "synthetic demonstration data. Indicators: UNODC" in subtitles[0]
    assert [t.startswith("Indicators: UNODC") and "synthetic" not in t for t in subtitles[1:]] == [True, True]
    screenshot(page, tmp_path, "indicators-world.png")
