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
        time.sleep(0.5)


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
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
    return out
