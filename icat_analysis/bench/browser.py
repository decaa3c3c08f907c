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


#: a page drawn: no element still waiting for its code (on a first visit Streamlit fetches each kind
#: of element's code when one first arrives and shows a grey placeholder, `stSkeleton`, until it
#: has; a chart waiting so is not a chart element yet) and the drawn SVG (plotly's, or Vega-Lite's on
#: the Overview) inside every chart element
#: shown (a chart of the page being left, or one in a part that is not shown, never draws and is
#: not waited for)
FIGURES_DRAWN = """() => {
  const shown = el => el.offsetParent !== null && !el.closest("[data-stale='true']");
  if ([...document.querySelectorAll("[data-testid='stSkeleton']")].some(shown)) return false;
  const plotly = [...document.querySelectorAll("[data-testid='stPlotlyChart']")];
  const vega = [...document.querySelectorAll("[data-testid='stVegaLiteChart']")];
  return plotly.filter(shown).every(c => c.querySelector('.main-svg'))
    && vega.filter(shown).every(c => c.querySelector('svg.marks'));
}"""
#: how long to wait for a page's charts once its run is done, before calling it not drawn
FIGURES_TIMEOUT_S = 60
#: warm visits of every page; the median is reported
WARM_VISITS = 3


def _load_average() -> str:
    """The machine's load average (1, 5, 15 minutes): these times depend on what else runs."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f}, {five:.1f}, {fifteen:.1f}"


def _median(values: list):
    """The median of the values, or None when one of them is None (a visit not drawn)."""
    if not values or any(v is None for v in values):
        return None
    return sorted(values)[len(values) // 2]


def _wait_drawn(tab, title: str) -> None:
    tab.locator("h1", has_text=title).first.wait_for(timeout=PAGE_TIMEOUT_S * 1000)
    tab.wait_for_selector(DONE, timeout=PAGE_TIMEOUT_S * 1000)
    tab.wait_for_function(FIGURES_DRAWN, timeout=FIGURES_TIMEOUT_S * 1000)


def first_visits(data_dir: Path, pages=None, runs: int = 1) -> dict:
    """Seconds from starting a fresh server to each page drawn with its figures: for every page in
    ``pages`` (all by default) a new server process, opened straight at that page's address,
    in a new browser context (nothing cached from an earlier visit).

    This is what the first person in a meeting waits for after the dashboard was (re)started:
    Python and Streamlit starting, the export opening, the page's queries and its drawing. The
    median of ``runs`` servers per page is reported, with every run, and the same time counted
    from the server answering its health check (``after_ready``)."""
    from playwright.sync_api import sync_playwright

    pages = pages or [label for label, _ in PAGES]
    titles = dict(PAGES)
    out: dict = {"export": str(data_dir), "load": _load_average(), "runs": {}, "median_s": {}, "server_ready_s": {}}
    out["after_ready_runs"], out["after_ready_median_s"] = {}, {}
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
                    _wait_drawn(tab, titles[label])
                    times.append(round(time.perf_counter() - t0, 2))
                except Exception:  # noqa: BLE001 - reported as not drawn, the other pages still run
                    times.append(None)
                finally:
                    tab.close()
                    _stop_server(server)
            out["runs"][label] = times
            out["server_ready_s"][label] = _median(ready)
            out["median_s"][label] = _median(times)
            after = [None if t is None else round(t - r, 2) for t, r in zip(times, ready, strict=True)]
            out["after_ready_runs"][label] = after
            out["after_ready_median_s"][label] = _median(after)
        browser.close()
    out["load_after"] = _load_average()
    return out


class _Meter:
    """What one visit costs besides its wall time: the server's CPU seconds (the script run),
    the bytes the server sent over the websocket, and the browser's main-thread CPU seconds
    (Chromium's TaskDuration: parsing, layout, plotly drawing)."""

    def __init__(self, tab, server_pid: int):
        import psutil

        self.server = psutil.Process(server_pid)
        self.cdp = tab.context.new_cdp_session(tab)
        self.cdp.send("Performance.enable")
        self.received = 0
        tab.on("websocket", lambda ws: ws.on("framereceived", self._count))

    def _count(self, payload) -> None:
        self.received += len(payload)

    def _browser_cpu(self) -> float:
        metrics = self.cdp.send("Performance.getMetrics")["metrics"]
        return next(m["value"] for m in metrics if m["name"] == "TaskDuration")

    def start(self) -> None:
        t = self.server.cpu_times()
        self._cpu, self._bytes, self._render = t.user + t.system, self.received, self._browser_cpu()

    def stop(self) -> dict:
        t = self.server.cpu_times()
        return {
            "server_cpu_s": round(t.user + t.system - self._cpu, 2),
            "sent_kb": round((self.received - self._bytes) / 1024),
            "browser_cpu_s": round(self._browser_cpu() - self._render, 2),
        }


def _visit(tab, label: str, title: str, meter: _Meter, costs: list) -> float | None:
    """Seconds from the click on the page's link until it is drawn with every chart (None: not
    drawn in time); the visit's costs are appended to ``costs``."""
    meter.start()
    t0 = time.perf_counter()
    tab.locator("[data-testid='stSidebarNav'] a", has_text=label).first.click(timeout=PAGE_TIMEOUT_S * 1000)
    try:
        _wait_drawn(tab, title)
    except Exception:  # noqa: BLE001 - reported as not drawn, the other pages still run
        return None
    seconds = round(time.perf_counter() - t0, 2)
    costs.append(meter.stop())
    return seconds


def render_times(data_dir: Path) -> dict:
    """Cold and warm seconds of every page on ``data_dir`` (warm: the median of
    ``WARM_VISITS`` visits, each page in turn), what a warm visit costs (median server CPU,
    bytes sent, browser CPU), and the server's memory."""
    import psutil
    from playwright.sync_api import sync_playwright

    port = _free_port()
    server = _start_server(Path(data_dir), port)
    out: dict = {"export": str(data_dir), "load": _load_average()}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            tab = browser.new_page(viewport={"width": 1600, "height": 1000})
            meter = _Meter(tab, server.pid)
            t0 = time.perf_counter()
            tab.goto(f"http://127.0.0.1:{port}/")
            _wait_drawn(tab, "Overview")
            out["first_open_s"] = round(time.perf_counter() - t0, 2)
            # The Overview's first visit is the first opening (it also loads the export).
            out["cold_s"] = {"Overview": out["first_open_s"]}
            for label, title in PAGES[1:]:
                out["cold_s"][label] = _visit(tab, label, title, meter, [])
            visits: dict = {label: [] for label, _ in PAGES}
            costs: dict = {label: [] for label, _ in PAGES}
            for _ in range(WARM_VISITS):
                for label, title in PAGES:
                    visits[label].append(_visit(tab, label, title, meter, costs[label]))
            out["warm_runs"] = visits
            out["warm_s"] = {label: _median(v) for label, v in visits.items()}
            out["warm_costs"] = {
                label: {k: _median([c[k] for c in cs]) for k in ("server_cpu_s", "sent_kb", "browser_cpu_s")}
                for label, cs in costs.items()
                if cs
            }
            out["exceptions"] = tab.locator("[data-testid='stException']").count()
            browser.close()
        out["server_rss_mb"] = round(psutil.Process(server.pid).memory_info().rss / 2**20, 1)
    finally:
        _stop_server(server)
    out["load_after"] = _load_average()
    return out
