"""The Map page in headless Chromium on the default export: the world map draws from the
app's own geometry with no request leaving the machine, the numbers shown for a country equal
an independent count of the parquet files, picking a country opens its activities, and a
filter given in the link changes the map.

Self-contained: starts its own server on a free port. The final screenshot is saved as
docs/screenshot-map.png.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow.parquet as pq
import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"
CHROMIUM = "/usr/bin/chromium"
DONE = "[data-testid='stApp'][data-test-script-state='notRunning']"
VIEWPORT = {"width": 1600, "height": 1000}

if not Path(CHROMIUM).exists():
    pytest.skip("needs /usr/bin/chromium", allow_module_level=True)
if not (DATA / "activities.parquet").exists():
    pytest.skip("no default export in data/", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def base():
    port = int(os.environ.get("ICAT_MAP_TEST_PORT") or _free_port())
    env = {**os.environ, "ICAT_DATA_DIR": str(DATA)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.terminate()
        raise RuntimeError("the dashboard did not start")
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        yield b
        b.close()


class Page:
    """A browser tab that records every request that is not to the local server."""

    def __init__(self, browser, base):
        self.page = browser.new_page(viewport=VIEWPORT)
        self.outside: list[str] = []
        self.page.on("request", self._request)
        self.base = base

    def _request(self, request):
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob"):
            return
        if parts.hostname not in ("127.0.0.1", "localhost"):
            self.outside.append(request.url)

    def open(self, query: str = ""):
        # The entry script runs first so the navigation (not the bare page file) serves /map.
        self.page.goto(self.base + "/")
        self.page.wait_for_selector(DONE, timeout=60_000)
        self.page.goto(self.base + "/map" + query)
        self.wait()
        self.page.wait_for_selector("path.choroplethlocation", timeout=60_000)

    def wait(self):
        self.page.wait_for_timeout(300)
        self.page.wait_for_selector(DONE, timeout=60_000)

    def map_values(self) -> dict[str, float]:
        """iso3 -> value of every coloured or zero country shape, read from the drawn figure."""
        return self.page.evaluate(
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

    def metric(self, label: str) -> str:
        box = self.page.locator("[data-testid='stMetric']").filter(has_text=label).first
        return box.locator("[data-testid='stMetricValue']").inner_text().strip()


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


def test_world_map_draws_offline_with_independent_values(browser, base):
    tab = Page(browser, base)
    tab.open()
    shapes = tab.page.locator("path.choroplethlocation").count()
    assert shapes > 150
    values = tab.map_values()
    iso3 = _busiest_country()
    assert values[iso3] == _activities_in(iso3)
    assert values["THA"] == _activities_in("THA")
    text = tab.page.locator("[data-testid='stMain']").inner_text()
    assert "do not imply official endorsement or acceptance by the United Nations" in text
    assert "regional activities counted in each of their countries" in text
    assert tab.outside == [], f"requests left the machine: {tab.outside[:3]}"
    tab.page.close()


def test_picking_a_country_opens_its_activities(browser, base):
    tab = Page(browser, base)
    tab.open()
    box = tab.page.locator("[data-testid='stSelectbox']").filter(has_text="Country profile")
    box.click()
    tab.page.keyboard.type("Thailand")
    tab.page.keyboard.press("Enter")
    tab.wait()
    tab.page.get_by_role("heading", name="Thailand (THA)").wait_for(timeout=30_000)
    assert tab.metric("Activities") == f"{_activities_in('THA'):,}"
    assert "country=THA" in tab.page.url
    grid = tab.page.locator("[data-testid='stDataFrame']").first
    grid.wait_for(timeout=30_000)
    rows = int(grid.locator("[role='grid'], [role='table']").first.get_attribute("aria-rowcount") or 0)
    assert rows - 1 == _activities_in("THA")  # the header row plus one row per activity
    assert tab.outside == []
    tab.page.close()


def test_filter_in_the_link_changes_the_map(browser, base):
    tab = Page(browser, base)
    tab.open("?agencies=UNICEF&country=THA")
    values = tab.map_values()
    unicef = _activities_in("THA", "UNICEF")
    assert unicef < _activities_in("THA")
    assert values.get("THA", 0) == unicef
    assert tab.metric("Activities") == f"{unicef:,}"
    assert "involving UNICEF" in tab.page.locator("[data-testid='stMain']").inner_text()
    tab.page.close()


def test_screenshot(browser, base):
    tab = Page(browser, base)
    tab.open("?country=NGA")
    tab.page.wait_for_timeout(1500)
    (REPO / "docs").mkdir(exist_ok=True)
    tab.page.screenshot(path=str(REPO / "docs" / "screenshot-map.png"))
    assert tab.outside == []
    tab.page.close()
