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
from playwright.sync_api import expect

from icat_analysis.analyses.duplication import DEFAULT_THRESHOLD
from icat_analysis.store import reviews
from tests.browser.conftest import REPO, dashboard_server, metric_value, open_page, screenshot_path, wait_until_done

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def review_server(tmp_path_factory):
    data = tmp_path_factory.mktemp("data-copy")
    for f in (REPO / "data" / "demo").iterdir():
        if f.is_file() and f.name != reviews.LOG_NAME:
            shutil.copy2(f, data / f.name)
    with dashboard_server(data) as url:
        yield url, data


def open_tab(page, url: str, tab: str) -> None:
    open_page(page, f"{url}/duplication")
    page.get_by_role("tab", name=tab).click()
    wait_until_done(page)


def test_page_opens_with_map_and_screenshot(page, review_server, tmp_path):
    url, _ = review_server
    open_page(page, f"{url}/duplication")
    assert page.locator("[data-testid='stException']").count() == 0
    page.wait_for_selector("path.choroplethlocation", timeout=60_000)
    expect(metric_value(page, "Likely duplicate pairs")).to_have_text("20", timeout=60_000)
    assert page.get_by_text("do not imply official endorsement").count() >= 1
    page.wait_for_timeout(1000)
    page.screenshot(path=str(screenshot_path("screenshot-duplication.png", tmp_path)))
    assert page.outside_requests == []


def test_marking_a_pair_moves_it_to_the_reviewed_view(page, review_server, tmp_path):
    url, data = review_server
    open_tab(page, url, "Pairs to review")
    picker = page.get_by_role("combobox", name="Pair")
    chosen = picker.input_value().split(" (score")[0]  # "A and B", the best-scoring open pair
    a, b = chosen.split(" and ")
    page.get_by_text("Duplicate: the same work, funded twice").click()
    page.get_by_role("textbox", name="Note").fill("Same trainers, same ministry <b>check</b>")
    page.get_by_role("textbox", name="Your name", exact=True).fill("Amina Diallo")
    page.get_by_role("button", name="Save review").click()
    wait_until_done(page)
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.get_by_text(f"Saved: {a} and {b} marked duplicate.").count() == 1
    expect(metric_value(page, "Pairs reviewed")).to_have_text("1", timeout=60_000)
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


def test_an_agency_filter_shows_that_agencys_pairs_with_any_other_agency(page, review_server, tmp_path):
    from icat_analysis.analyses import duplication
    from icat_analysis.filters import Filters
    from icat_analysis.store import db

    url, data = review_server
    con = db.connect(data)
    rows = duplication.scored_pairs(con, Filters(agencies=("UNODC",)))
    pairs = rows.drop_duplicates(["activity_id_a", "activity_id_b"])
    sql = "SELECT activity_id FROM activities WHERE lead_agency = 'UNODC' OR list_contains(partner_agencies, 'UNODC')"
    theirs = set(con.execute(sql).df()["activity_id"])
    # each pair involves a UNODC activity (led or joined); the other side may be any agency's
    assert len(pairs) > 0
    assert all(a in theirs or b in theirs for a, b in zip(pairs["activity_id_a"], pairs["activity_id_b"]))
    assert not all(a in theirs and b in theirs for a, b in zip(pairs["activity_id_a"], pairs["activity_id_b"]))
    open_page(page, f"{url}/duplication?agencies=UNODC")
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.get_by_text("the other side of a pair may be any agency's").count() == 1
    expect(metric_value(page, "Likely duplicate pairs")).to_have_text(f"{len(pairs):,}", timeout=60_000)
    page.screenshot(path=str(screenshot_path("screenshot-duplication-agency.png", tmp_path)), full_page=True)


def test_a_pair_is_read_side_by_side_in_full_with_bands(page, review_server, tmp_path):
    import pyarrow.parquet as pq

    url, data = review_server
    open_tab(page, url, "Pairs to review")
    a, b = page.get_by_role("combobox", name="Pair").input_value().split(" (score")[0].split(" and ")
    acts = pq.read_table(data / "activities.parquet", columns=["activity_id", "title", "description"]).to_pandas()
    acts = acts.set_index("activity_id")
    table = page.locator("[data-testid='stTable']")
    shown = table.inner_text()
    for aid in (a, b):  # every title and description in full, not cut
        assert acts.loc[aid, "title"] in shown and acts.loc[aid, "description"] in shown
    for field in ("Lead agency", "Partners", "Countries", "Start", "End", "Budget (USD)", "Activity types",
                  "Target groups", "Forms of exploitation", "Donors"):  # fmt: skip
        assert field in shown
    assert "✓" in shown  # shared codes are marked
    assert page.get_by_text("Why they look alike:").count() == 1
    assert page.get_by_text("worth a look").count() >= 1  # the two bands are named
    page.get_by_text("Why they look alike:").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_path("screenshot-duplication-pair.png", tmp_path)), full_page=True)


def test_how_well_it_works_shows_the_curve(page, review_server, tmp_path):
    open_tab(page, review_server[0], "How the score works")
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.get_by_text("How well does this work?").count() == 1
    assert page.get_by_text(f"At the default {DEFAULT_THRESHOLD:.2f}").count() == 2  # one per development set
    chart = "[data-testid='stVegaLiteChart'], [data-testid='stArrowVegaLiteChart']"
    page.wait_for_selector(chart, timeout=30_000)
    assert page.get_by_text("Reviews teach the score").count() == 1
    page.locator(chart).first.scroll_into_view_if_needed()
    page.wait_for_timeout(1000)
    page.screenshot(path=str(screenshot_path("screenshot-duplication-how.png", tmp_path)), full_page=True)
