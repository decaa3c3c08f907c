"""The Duplication page in headless Chromium: it opens on (a copy of) the default export with
no exception and no request leaving the machine, draws the hot-spot map, and a pair marked by
a planner leaves the list of pairs to review and appears in the reviewed view.

Reviews are written to the data directory, so the server runs on a copy of data/demo/. The
screenshot goes to docs/screenshot-duplication.png with ICAT_UPDATE_SCREENSHOTS=1.
"""

from __future__ import annotations

import json
import shutil

import pytest

from icat_analysis.store import reviews
from tests.browser.conftest import REPO, dashboard_server, open_page, screenshot_path, wait_until_done

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def review_server(tmp_path_factory):
    data = tmp_path_factory.mktemp("data-copy")
    for f in (REPO / "data" / "demo").iterdir():
        if f.is_file() and f.name != reviews.LOG_NAME:
            shutil.copy2(f, data / f.name)
    with dashboard_server(data) as url:
        yield url, data


def metric(page, label: str) -> str:
    box = page.locator("[data-testid='stMetric']").filter(has_text=label).first
    return box.locator("[data-testid='stMetricValue']").inner_text().strip()


def test_page_opens_with_map_and_screenshot(page, review_server, tmp_path):
    url, _ = review_server
    open_page(page, f"{url}/duplication")
    assert page.locator("[data-testid='stException']").count() == 0
    page.wait_for_selector("path.choroplethlocation", timeout=60_000)
    assert metric(page, "Likely duplicate pairs") == "20"
    assert page.get_by_text("do not imply official endorsement").count() >= 1
    page.wait_for_timeout(1000)
    page.screenshot(path=str(screenshot_path("screenshot-duplication.png", tmp_path)))
    assert page.outside_requests == []


def test_marking_a_pair_moves_it_to_the_reviewed_view(page, review_server, tmp_path):
    url, data = review_server
    open_page(page, f"{url}/duplication")
    page.get_by_role("tab", name="Pairs to review").click()
    wait_until_done(page)
    picker = page.get_by_role("combobox", name="Pair")
    chosen = picker.input_value().split(" (score")[0]  # "A and B", the best-scoring open pair
    a, b = chosen.split(" and ")
    page.get_by_text("Duplicate: the same work, funded twice").click()
    page.get_by_label("Note").fill("Same trainers, same ministry <b>check</b>")
    page.get_by_label("Your name").fill("Amina Diallo")
    page.get_by_role("button", name="Save review").click()
    wait_until_done(page)
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.get_by_text(f"Saved: {a} and {b} marked duplicate.").count() == 1
    assert metric(page, "Pairs reviewed") == "1"
    # it left the open list: the pair picker now offers another pair first
    assert not page.get_by_role("combobox", name="Pair").input_value().startswith(chosen)
    # and it is in the reviewed view (and in the log on disk)
    page.get_by_role("tab", name="Reviewed pairs").click()
    wait_until_done(page)
    panel = page.locator("[data-testid='stTabs'] [role='tabpanel']:visible")
    assert panel.get_by_role("button", name="Download reviews (CSV)").count() == 1
    logged = [json.loads(line) for line in (data / reviews.LOG_NAME).read_text(encoding="utf-8").splitlines()]
    assert [(r["activity_id_a"], r["activity_id_b"], r["verdict"], r["reviewer"]) for r in logged] == [
        (*sorted((a, b)), "duplicate", "Amina Diallo")
    ]
    page.screenshot(path=str(screenshot_path("screenshot-duplication-reviewed.png", tmp_path)))
    assert page.outside_requests == []
