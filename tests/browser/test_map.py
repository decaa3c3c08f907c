"""The Map page in headless Chromium on the default export: the world map draws from the
app's own geometry with no request leaving the machine, the numbers shown for a country equal
an independent count of the parquet files, picking a country opens its activities, and a
filter given in the link changes the map.

Uses the shared browser fixtures (tests/browser/conftest.py). The screenshot is saved as
docs/screenshot-map.png when ICAT_UPDATE_SCREENSHOTS=1.
"""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import REPO, metric_value, open_page, screenshot_path, wait_until_done

pytestmark = pytest.mark.browser

DATA = REPO / "data" / "demo"


def open_map(page, base: str, query: str = "") -> None:
    # A fresh session that asks for /map first gets pages/map.py run on its own (Streamlit's
    # pages/ folder discovery), without the entry script's navigation and filter sidebar; going
    # through the entry script first gives the page as users see it.
    open_page(page, f"{base}/")
    open_page(page, f"{base}/map{query}")
    assert page.locator("[data-testid='stSidebar']").get_by_text("Filters").count() >= 1
    page.wait_for_selector("path.choroplethlocation", timeout=60_000)


def map_values(page) -> dict[str, float]:
    """iso3 -> value of every coloured or zero country shape, read from the drawn figure."""
    return page.evaluate(
        """() => {
            const gd = [...document.querySelectorAll('.js-plotly-plot')]
                .find(g => (g.data || []).some(t => t.type === 'choropleth'));
            const out = {};
            for (const t of gd.data) {
                if (t.type !== 'choropleth' || t.name === 'highlight') continue;
                const z = Array.from(t.z);
                Array.from(t.locations).forEach((loc, i) => { out[loc] = z[i]; });
            }
            return out;
        }"""
    )


def _activities_in(iso3: str, agency: str | None = None) -> int:
    """Independent count straight from the parquet link tables."""
    countries = pq.read_table(DATA / "activity_countries.parquet").to_pandas()
    ids = set(countries.loc[countries["iso3"] == iso3, "activity_id"])
    if agency:
        agencies = pq.read_table(DATA / "activity_agencies.parquet").to_pandas()
        ids &= set(agencies.loc[agencies["agency"] == agency, "activity_id"])
    return len(ids)


def _busiest_country() -> str:
    countries = pq.read_table(DATA / "activity_countries.parquet").to_pandas()
    return countries["iso3"].value_counts().index[0]


def test_world_map_draws_offline_with_independent_values(default_server, page):
    open_map(page, default_server)
    assert page.locator("path.choroplethlocation").count() > 150
    values = map_values(page)
    iso3 = _busiest_country()
    assert values[iso3] == _activities_in(iso3)
    assert values["THA"] == _activities_in("THA")
    text = page.locator("[data-testid='stMain']").inner_text()
    assert "do not imply official endorsement or acceptance by the United Nations" in text
    assert "regional activities counted in each of their countries" in text
    assert page.outside_requests == [], page.outside_requests


def test_picking_a_country_opens_its_activities(default_server, page):
    open_map(page, default_server)
    page.locator("[data-testid='stSelectbox']").filter(has_text="Country profile").click()
    page.keyboard.type("Thailand")
    page.keyboard.press("Enter")
    wait_until_done(page)
    page.get_by_role("heading", name="Thailand (THA)").wait_for(timeout=30_000)
    expect(metric_value(page, "Activities")).to_have_text(f"{_activities_in('THA'):,}", timeout=60_000)
    assert "country=THA" in page.url
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.wait_for(timeout=30_000)
    rows = int(grid.locator("[role='grid'], [role='table']").first.get_attribute("aria-rowcount") or 0)
    assert rows - 1 == _activities_in("THA")  # the header row plus one row per activity
    assert page.outside_requests == [], page.outside_requests


def test_filter_in_the_link_changes_the_map(default_server, page):
    open_map(page, default_server, "?agencies=UNICEF&country=THA")
    values = map_values(page)
    unicef = _activities_in("THA", "UNICEF")
    assert unicef < _activities_in("THA")
    assert values.get("THA", 0) == unicef
    expect(metric_value(page, "Activities")).to_have_text(f"{unicef:,}", timeout=60_000)
    assert "involving UNICEF" in page.locator("[data-testid='stMain']").inner_text()


def test_screenshot(default_server, page, tmp_path):
    open_map(page, default_server, "?country=NGA")
    page.wait_for_timeout(1500)
    (REPO / "docs").mkdir(exist_ok=True)
    page.screenshot(path=str(screenshot_path("screenshot-map.png", tmp_path)))
    assert page.locator("[data-testid='stException']").count() == 0
