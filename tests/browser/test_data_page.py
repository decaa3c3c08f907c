"""The Data page and an agency profile in headless Chromium on the shipped export: one page
of 1,000 rows at a time, moved with the page number, and downloads that hold every row."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.browser.conftest import REPO, open_page, wait_until_done

pytestmark = pytest.mark.browser


def _position(page) -> str:
    return page.locator("[data-testid='stMarkdown']", has_text="Rows ").first.inner_text()


def _activities() -> pd.DataFrame:
    return pd.read_parquet(
        REPO / "data" / "demo" / "activities.parquet", columns=["activity_id", "lead_agency", "partner_agencies"]
    )


def test_data_page_moves_to_page_two_and_downloads_every_row(default_server, page):
    n = len(_activities())
    assert 1000 < n <= 2000, "the shipped export fills two pages"
    open_page(page, default_server + "/data")
    assert page.locator("[data-testid='stException']").count() == 0
    assert _position(page).startswith(f"Rows 1–1,000 of {n:,} (page 1 of 2)")

    box = page.get_by_label("Page (of 2)")
    box.fill("2")
    box.press("Enter")
    wait_until_done(page)
    assert _position(page).startswith(f"Rows 1,001–{n:,} of {n:,} (page 2 of 2)")
    assert page.locator("[data-testid='stException']").count() == 0

    with page.expect_download(timeout=60_000) as dl:
        page.get_by_role("button", name="CSV", exact=True).click()
    back = pd.read_csv(dl.value.path(), encoding="utf-8-sig", comment="#")
    assert len(back) == n
    with open(dl.value.path(), encoding="utf-8-sig") as fh:
        assert fh.readline().startswith("# Source:,\"export 'demo', 1 November 2026: synthetic demonstration data")
    assert back["Activity ID"].tolist() == sorted(_activities()["activity_id"])
    assert page.outside_requests == [], page.outside_requests


def test_agency_profile_lists_its_activities_with_a_download(default_server, page):
    acts = _activities()
    ilo = int(((acts["lead_agency"] == "ILO") | acts["partner_agencies"].map(lambda p: "ILO" in list(p))).sum())
    open_page(page, default_server + "/agencies?agency=ILO")
    assert page.locator("[data-testid='stException']").count() == 0
    assert _position(page).startswith(f"Rows 1–{ilo:,} of {ilo:,}")
    with page.expect_download(timeout=60_000) as dl:
        page.get_by_role("button", name="Activities (CSV)", exact=True).click()
    back = pd.read_csv(dl.value.path(), encoding="utf-8-sig", comment="#")
    assert len(back) == ilo
    assert set(back["Role of this agency"]) <= {"Lead", "Partner"}


def test_a_broken_export_opens_and_the_data_page_shows_its_problems(tmp_path, page):
    from tests.browser.conftest import dashboard_server
    from tests.conftest import four_activities
    from tests.factories import activity, make_export

    rows = [*four_activities(), activity("A5", lead="ILO", countries=["XYZ"])]
    d = make_export(tmp_path / "broken", rows)
    with dashboard_server(d) as url:
        open_page(page, url + "/")
        assert page.locator("[data-testid='stException']").count() == 0
        assert page.locator("[data-testid='stMetricValue']").first.inner_text() == "5"
        page.locator("[data-testid='stSidebarNav'] a", has_text="Data").first.click()
        # checking first (or already done); the result appears on its own, without a click
        problem = page.locator("[data-testid='stCode']", has_text="activities.parquet:5: countries:")
        problem.wait_for(timeout=60_000)
        assert "unknown country code(s) 'XYZ'" in problem.inner_text()
        assert page.locator("[data-testid='stAlertContentError']", has_text="finds 1 problems").count() == 1
        wait_until_done(page)
        page.screenshot(path=str(tmp_path / "data-contract.png"), full_page=True)
