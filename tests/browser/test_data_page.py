"""The Data page and an agency profile in headless Chromium on the shipped export: one page
of 100 rows at a time, moved with the page number (kept in the link), and downloads that hold
every row."""

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
    pages = -(-n // 100)
    assert 1000 < n <= 2000, "the shipped export fills more than ten pages"
    open_page(page, default_server + "/data")
    assert page.locator("[data-testid='stException']").count() == 0
    assert _position(page).startswith(f"Rows 1–100 of {n:,} (page 1 of {pages})")

    box = page.get_by_label(f"Page (of {pages})")
    box.fill(str(pages))
    box.press("Enter")
    wait_until_done(page)
    first = (pages - 1) * 100 + 1
    assert _position(page).startswith(f"Rows {first:,}–{n:,} of {n:,} (page {pages} of {pages})")
    assert page.locator("[data-testid='stException']").count() == 0
    assert f"page={pages}" in page.url  # the link opens on this page

    with page.expect_download(timeout=60_000) as dl:
        page.get_by_role("button", name="CSV", exact=True).click()
    back = pd.read_csv(dl.value.path(), encoding="utf-8-sig", comment="#")
    assert len(back) == n
    with open(dl.value.path(), encoding="utf-8-sig") as fh:
        assert fh.readline().startswith("# Source:,\"export 'demo', 1 November 2026: synthetic demonstration data")
    assert back["Activity ID"].tolist() == sorted(_activities()["activity_id"])

    # the data-quality report is made when its button is clicked (the page shows neither table)
    from datetime import date

    from icat_analysis.analyses import freshness
    from icat_analysis.store import db

    stale = freshness.stale_rows(db.connect(REPO / "data" / "demo"), date.today())
    with page.expect_download(timeout=60_000) as dl:
        page.get_by_role("button", name="Stale rows, by agency (CSV)", exact=True).click()
    back = pd.read_csv(dl.value.path(), encoding="utf-8-sig", comment="#")
    assert len(back) == len(stale) > 0
    assert sorted(back["activity_id"]) == sorted(stale["activity_id"])
    assert page.outside_requests == [], page.outside_requests


def test_agency_profile_lists_its_activities_with_a_download(default_server, page):
    acts = _activities()
    ilo = int(((acts["lead_agency"] == "ILO") | acts["partner_agencies"].map(lambda p: "ILO" in list(p))).sum())
    open_page(page, default_server + "/agencies?agency=ILO")
    assert page.locator("[data-testid='stException']").count() == 0
    assert 100 < ilo, "ILO's activities fill more than one page"
    assert _position(page).startswith(f"Rows 1–100 of {ilo:,} (page 1 of {-(-ilo // 100)})")
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
