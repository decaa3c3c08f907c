"""The Changes page between two snapshots, and an agency's freshness scorecard, in Chromium."""

from __future__ import annotations

from datetime import datetime

import pytest

from icat_analysis.sources import template
from tests.browser.conftest import dashboard_server, open_page, screenshot_path
from tests.test_changes import FIXTURE, _change_file

pytestmark = pytest.mark.browser


def test_changes_page_and_scorecard(tmp_path, page):
    d = tmp_path / "data"
    template.import_activities([FIXTURE], d, now=datetime(2026, 6, 1, 9, 0))
    template.import_activities([_change_file(tmp_path / "later.csv")], d, now=datetime(2026, 11, 20, 9, 0))
    with dashboard_server(d) as url:
        open_page(page, f"{url}/changes?since=2026-09-01&until=2026-11-30")
        assert page.locator("[data-testid='stException']").count() == 0
        assert "since=2026-09-01" in page.url and "until=2026-11-30" in page.url  # both dates stay in the link
        # On a loaded machine the first run can report done before the comparison is drawn, and
        # its tiles arrive one by one: wait for the last of the four.
        page.locator("[data-testid='stMetricLabel']", has_text="Removed").wait_for(timeout=60_000)
        metrics = {
            m.locator("[data-testid='stMetricLabel']").inner_text(): m.locator(
                "[data-testid='stMetricValue']"
            ).inner_text()
            for m in page.locator("[data-testid='stMetric']").all()
        }
        assert (metrics["New"], metrics["Ended"], metrics["Changed"], metrics["Removed"]) == ("1", "1", "1", "0")
        assert page.locator("[data-testid='stPlotlyChart']").count() == 1  # countries gained by IOM
        page.screenshot(path=screenshot_path("changes.png", tmp_path), full_page=True)

        open_page(page, f"{url}/agencies?agency=UNODC")
        assert page.locator("[data-testid='stException']").count() == 0
        assert page.get_by_text("How fresh its data is").count() == 1
        assert page.get_by_text("(last submission 20 November 2026, expected every 365 days)").count() == 1
