"""Browser test infrastructure: a dashboard server on a free port, headless Chromium, a page
opener that waits for Streamlit to finish, and a record of every request that leaves the
machine (there must be none: meetings run with poor or no internet).

Where /usr/bin/chromium is missing (a laptop without it) these tests skip; CI installs it.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DONE = "[data-testid='stApp'][data-test-script-state='notRunning']"
VIEWPORT = {"width": 1600, "height": 1000}
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(reason=f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install -y chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def dashboard_server(data_dir: Path, port: int | None = None, args: tuple[str, ...] = (), *, root: bool = False):
    """Run `streamlit run dashboard.py` on ``data_dir`` (with Streamlit options ``args``);
    yields the base URL, stops it after.

    With ``root``, ``data_dir`` is a folder of exports the dashboard offers (``ICAT_DATA_ROOT``)."""
    port = port or free_port()
    with socket.socket() as probe:
        # another dashboard already there would answer the health check below for this one
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise RuntimeError(f"port {port} is already in use: stop what serves there or choose another port")
    env = {k: v for k, v in os.environ.items() if k not in ("ICAT_DATA_DIR", "ICAT_DATA_ROOT")}
    env["ICAT_DATA_ROOT" if root else "ICAT_DATA_DIR"] = str(data_dir)
    # A file, not a pipe: nobody reads a pipe while the tests run, and once 64 KB of log filled it
    # the server stopped in the middle of a page's run, at its next line of log.
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "dashboard.py",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            *args,
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"the dashboard exited: {log.read().decode(errors='replace')[-2000:]}")
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                pass
            if time.time() > deadline:
                raise RuntimeError("the dashboard did not answer /_stcore/health within 90 s")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="session")
def default_server():
    """The dashboard on the synthetic demonstration export shipped in data/demo/."""
    with dashboard_server(REPO / "data" / "demo") as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class OutsideRequests(list):
    """Every request whose host is not this machine, as "METHOD URL"."""

    def __call__(self, request) -> None:
        host = urlsplit(request.url).hostname or ""
        if request.url.startswith(("data:", "blob:", "about:")):
            return
        if host not in LOCAL_HOSTS:
            self.append(f"{request.method} {request.url}")


@pytest.fixture
def page(browser):
    """A fresh browser tab at 1600x1000; ``page.outside_requests`` lists requests that left the machine."""
    context = browser.new_context(viewport=VIEWPORT)
    tab = context.new_page()
    outside = OutsideRequests()
    tab.on("request", outside)
    tab.outside_requests = outside
    yield tab
    context.close()


def wait_until_done(page, timeout: float = 60_000) -> None:
    """Wait for Streamlit to finish the run the last action started."""
    # The state attribute flips to "running" shortly after an action; give it the chance first.
    page.wait_for_timeout(300)
    page.wait_for_selector(DONE, timeout=timeout)
    page.wait_for_timeout(300)
    page.wait_for_selector(DONE, timeout=timeout)


def open_page(page, url: str, timeout: float = 90_000) -> None:
    """Go to ``url`` and wait until the script has run and the page is drawn."""
    page.goto(url)
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout)
    wait_until_done(page, timeout)


def metric_value(page, label: str):
    """The value of the tile labelled exactly ``label`` (the first such tile), as a locator to
    assert on with Playwright's ``expect(...).to_have_text(value, timeout=...)``: it waits while
    the page's runs arrive, where reading the tile once could catch it between two runs (on a
    loaded machine a tile was read with its label missing). An exact label, so that "Activities"
    is never the "Joint activities" tile."""
    label_is = page.locator("[data-testid='stMetricLabel']", has_text=re.compile(f"^{re.escape(label)}$"))
    return page.locator("[data-testid='stMetric']").filter(has=label_is).first.locator("[data-testid='stMetricValue']")


def vega_subtitle(chart) -> str:
    """The subtitle under a Vega-Lite chart's title (the Overview's), its lines joined by spaces:
    Vega draws a one-line subtitle as a text element and longer ones as one tspan a line."""
    return chart.locator(".role-title-subtitle text").first.evaluate(
        "t => t.querySelectorAll('tspan').length ? [...t.querySelectorAll('tspan')].map(s => s.textContent).join(' ') : t.textContent"
    )


def screenshot_path(name: str, tmp_path: Path) -> Path:
    """Where a test's screenshot goes: docs/ when ICAT_UPDATE_SCREENSHOTS=1 (to refresh the
    pictures in the README and docs), else the test's temporary folder, so a test run never
    changes tracked files."""
    if os.environ.get("ICAT_UPDATE_SCREENSHOTS") == "1":
        return REPO / "docs" / name
    return tmp_path / name
