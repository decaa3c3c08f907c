"""The Changes page between two snapshots, and an agency's freshness scorecard, in Chromium."""

from __future__ import annotations

from datetime import datetime

import pytest
from playwright.sync_api import expect

from icat_analysis.sources import template
from tests.browser.conftest import dashboard_server, metric_value, open_page, screenshot_path
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
        # On a loaded machine the tiles arrive one by one, and a tile can be between two runs when
        # it is read: wait for each tile to show its value (a wrong or missing count still fails).
        for label, value in (("New", "1"), ("Ended", "1"), ("Changed", "1"), ("Removed", "0")):
            expect(metric_value(page, label)).to_have_text(value, timeout=60_000)
        expect(page.locator("[data-testid='stPlotlyChart']")).to_have_count(1)  # countries gained by IOM
        page.screenshot(path=screenshot_path("changes.png", tmp_path), full_page=True)

        open_page(page, f"{url}/agencies?agency=UNODC")
        assert page.locator("[data-testid='stException']").count() == 0
        assert page.get_by_text("How fresh its data is").count() == 1
        assert page.get_by_text("(last submission 20 November 2026, expected every 365 days)").count() == 1
