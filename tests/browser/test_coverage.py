"""The Coverage and Agencies pages in headless Chromium, on the default export and on a
20,000-activity demo export: they open without an exception, draw their heat maps, stay
legible at full size, and make no request outside the local server.

Screenshots go to docs/ (the default export) and to the test's temporary directory.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
PORT = int(os.environ.get("ICAT_COVERAGE_TEST_PORT", "8604"))
DONE = "[data-testid='stApp'][data-test-script-state='notRunning']"
VIEWPORT = {"width": 1600, "height": 1000}
#: The page icon set in dashboard.py (":material/handshake:") is fetched by Streamlit's frontend
#: from fonts.gstatic.com on every page; that belongs to the app shell and is reported there.
#: Anything else leaving the local server fails these tests.
SHELL_ICON = "fonts.gstatic.com/s/i/short-term/release/materialsymbolsrounded/handshake/"

if not Path(CHROMIUM).exists():
    pytest.skip("needs /usr/bin/chromium", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def _start(data_dir: Path):
    if not _port_free(PORT):
        pytest.skip(f"port {PORT} is in use")
    env = {**os.environ, "ICAT_DATA_DIR": str(data_dir)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(PORT)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{PORT}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(base + "/_stcore/health", timeout=2).read() == b"ok":
                return proc, base
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise RuntimeError("the dashboard did not start")


@pytest.fixture(scope="module", params=["default", "demo20k"])
def server(request, tmp_path_factory):
    if request.param == "default":
        data = REPO / "data"
        if not (data / "activities.parquet").exists():
            pytest.skip("no default export in data/")
    else:
        data = tmp_path_factory.mktemp("cov20k")
        subprocess.run(
            [sys.executable, "-m", "icat_analysis", "demo", "--activities", "20000", "--seed", "1", "--out", str(data)],
            cwd=REPO,
            check=True,
            capture_output=True,
        )
    proc, base = _start(data)
    yield request.param, base
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


def _open(browser, base: str, path: str, height: int = 1000):
    page = browser.new_page(viewport={**VIEWPORT, "height": height})
    outside: list[str] = []
    errors: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(base) and SHELL_ICON not in r.url else None,
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base + path, timeout=120_000)
    page.wait_for_selector(DONE, timeout=120_000)
    return page, outside, errors


def _settle(page):
    page.wait_for_selector(DONE, timeout=120_000)
    page.wait_for_timeout(1500)  # plotly draws after the script is done


def _check(page, errors):
    assert page.locator("[data-testid='stException']").count() == 0
    assert errors == []


def test_coverage_page_draws_and_stays_legible(server, browser, tmp_path):
    name, base = server
    # The first page of a session comes from the navigation: open the app, then the page.
    page, outside, errors = _open(browser, base, "/")
    page.get_by_role("link", name="Coverage").click()
    page.wait_for_url("**/coverage**")
    _settle(page)
    _check(page, errors)
    heat = page.locator(".js-plotly-plot").first
    heat.wait_for(timeout=60_000)
    heat.locator(".ytick text").first.wait_for(timeout=30_000)
    labels = [t.text_content() for t in heat.locator(".ytick text").all()]
    assert 5 <= len(labels) <= 40  # the top-N slider keeps the first view short
    assert page.get_by_text("Gaps: detected victims, no activity").count() == 1
    shot = REPO / "docs" / "screenshot-coverage.png" if name == "default" else tmp_path / f"coverage-{name}.png"
    page.screenshot(path=str(shot))

    # Every country: a tall chart whose rows keep their height (labels never overlap).
    slider = page.locator("[data-testid='stSlider']", has_text="Show the").get_by_role("slider")
    slider.focus()
    slider.press("End")
    page.wait_for_function(
        "document.querySelector('.js-plotly-plot').querySelectorAll('.ytick').length > 100", timeout=120_000
    )
    _settle(page)
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
    assert outside == []
    page.close()


def test_agencies_page_opens_a_profile_from_the_link(server, browser, tmp_path):
    name, base = server
    page, outside, errors = _open(browser, base, "/")
    page.get_by_role("link", name="Agencies").click()
    page.wait_for_url("**/agencies**")
    _settle(page)
    page.get_by_label("Agency profile").click()
    page.get_by_role("option", name="UNODC — United Nations Office on Drugs and Crime").click()
    page.wait_for_url("**agency=UNODC**")
    _settle(page)
    _check(page, errors)
    assert page.get_by_text("United Nations Office on Drugs and Crime (UNODC)").count() >= 1
    assert page.get_by_text("Where it works").count() == 1
    assert page.get_by_text("Directory").count() >= 1
    page.screenshot(path=str(tmp_path / f"agencies-{name}.png"))
    assert outside == []
    page.close()
