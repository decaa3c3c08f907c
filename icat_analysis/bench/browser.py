"""Full page renders in a real browser, for ``python -m icat_analysis bench --browser``.

Starts the dashboard on an export, opens it in headless Chromium and, for every page, times
how long a person waits from clicking the page in the sidebar until Streamlit has finished
drawing it: once on the first visit (the result cache is empty for that page: cold) and once
on a second visit (warm). The first opening of the dashboard also loads the export into
DuckDB, so it is reported on its own.

Needs the test dependencies (playwright) and Debian's chromium (``apt-get install -y chromium``).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from icat_analysis.paths import REPO_DIR

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DONE = "[data-testid='stApp'][data-test-script-state='notRunning']"
#: (label in the sidebar, the page's title)
PAGES = [
    ("Overview", "Overview"),
    ("Map", "Map"),
    ("Coverage", "Coverage"),
    ("Duplication", "Duplication hot-spots"),
    ("Indicators", "Indicators"),
    ("Agencies", "Agencies"),
    ("Data", "Data"),
]
#: a page not drawn within this many seconds is reported as not drawn
PAGE_TIMEOUT_S = 300


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(data_dir: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "ICAT_DATA_DIR": str(data_dir)}
    cmd = [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port)]
    cmd += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
    proc = subprocess.Popen(cmd, cwd=REPO_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 90
    while True:
        if proc.poll() is not None:
            raise RuntimeError("the dashboard exited before answering")
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                return proc
        except OSError:
            pass
        if time.time() > deadline:
            proc.terminate()
            raise RuntimeError("the dashboard did not answer /_stcore/health within 90 s")
        # Polled often: the first-visit time counts from the server's start.
        time.sleep(0.05)


def _stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(20)
    except subprocess.TimeoutExpired:
        server.kill()


#: a page's figures drawn: plotly's SVG inside every chart element that is on the page
FIGURES_DRAWN = """() => {
  const charts = document.querySelectorAll("[data-testid='stPlotlyChart']");
  return [...charts].every(c => c.querySelector('.main-svg'));
}"""


def _load_average() -> str:
    """The machine's load average (1, 5, 15 minutes): these times depend on what else runs."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f}, {five:.1f}, {fifteen:.1f}"


def first_visits(data_dir: Path, pages=None, runs: int = 1) -> dict:
    """Seconds from starting a fresh server to each page drawn with its figures: for every page in
    ``pages`` (all by default) a new server process, opened straight at that page's address.

    This is what the first person in a meeting waits for after the dashboard was (re)started:
    Python and Streamlit starting, the export opening, the page's queries and its drawing. The
    median of ``runs`` servers per page is reported, with every run."""
    from playwright.sync_api import sync_playwright

    pages = pages or [label for label, _ in PAGES]
    titles = dict(PAGES)
    out: dict = {"export": str(data_dir), "load": _load_average(), "runs": {}, "median_s": {}, "server_ready_s": {}}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for label in pages:
            times, ready = [], []
            for _ in range(runs):
                port = _free_port()
                tab = browser.new_page(viewport={"width": 1600, "height": 1000})
                t0 = time.perf_counter()
                server = _start_server(Path(data_dir), port)
                try:
                    ready.append(round(time.perf_counter() - t0, 2))
                    tab.goto(f"http://127.0.0.1:{port}/{'' if label == 'Overview' else label.lower()}")
                    tab.locator("h1", has_text=titles[label]).first.wait_for(timeout=PAGE_TIMEOUT_S * 1000)
                    tab.wait_for_selector(DONE, timeout=PAGE_TIMEOUT_S * 1000)
                    tab.wait_for_function(FIGURES_DRAWN, timeout=PAGE_TIMEOUT_S * 1000)
                    times.append(round(time.perf_counter() - t0, 2))
                except Exception:  # noqa: BLE001 - reported as not drawn, the other pages still run
                    times.append(None)
                finally:
                    tab.close()
                    _stop_server(server)
            out["runs"][label] = times
            out["server_ready_s"][label] = sorted(ready)[len(ready) // 2]
            drawn = sorted(t for t in times if t is not None)
            out["median_s"][label] = drawn[len(drawn) // 2] if len(drawn) == len(times) else None
        browser.close()
    out["load_after"] = _load_average()
    return out


def _visit(tab, label: str, title: str) -> float | None:
    """Seconds from the click on the page's link until it is drawn (None: not drawn in time)."""
    t0 = time.perf_counter()
    tab.locator("[data-testid='stSidebarNav'] a", has_text=label).first.click(timeout=PAGE_TIMEOUT_S * 1000)
    try:
        tab.locator("h1", has_text=title).first.wait_for(timeout=PAGE_TIMEOUT_S * 1000)
        tab.wait_for_selector(DONE, timeout=PAGE_TIMEOUT_S * 1000)
    except Exception:  # noqa: BLE001 - reported as not drawn, the other pages still run
        return None
    return round(time.perf_counter() - t0, 2)


def render_times(data_dir: Path) -> dict:
    """Cold and warm render seconds of every page on ``data_dir``, and the server's memory."""
    import psutil
    from playwright.sync_api import sync_playwright

    port = _free_port()
    server = _start_server(Path(data_dir), port)
    out: dict = {"export": str(data_dir)}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            tab = browser.new_page(viewport={"width": 1600, "height": 1000})
            t0 = time.perf_counter()
            tab.goto(f"http://127.0.0.1:{port}/")
            tab.locator("h1", has_text="Overview").first.wait_for(timeout=PAGE_TIMEOUT_S * 1000)
            tab.wait_for_selector(DONE, timeout=PAGE_TIMEOUT_S * 1000)
            out["first_open_s"] = round(time.perf_counter() - t0, 2)
            # The Overview's first visit is the first opening (it also loads the export).
            out["cold_s"] = {"Overview": out["first_open_s"]}
            for label, title in PAGES[1:]:
                out["cold_s"][label] = _visit(tab, label, title)
            out["warm_s"] = {label: _visit(tab, label, title) for label, title in PAGES}
            out["exceptions"] = tab.locator("[data-testid='stException']").count()
            browser.close()
        out["server_rss_mb"] = round(psutil.Process(server.pid).memory_info().rss / 2**20, 1)
    finally:
        _stop_server(server)
    return out
