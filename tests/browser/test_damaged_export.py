"""A damaged export in Chromium: one message naming the file and how to recover, no traceback."""

from __future__ import annotations

import pytest

from tests.browser.conftest import dashboard_server, open_page, screenshot_path
from tests.factories import activity, make_export

pytestmark = pytest.mark.browser


def test_a_truncated_activities_file_shows_the_recovery_message(tmp_path, page):
    from icat_analysis.store import export

    d = make_export(tmp_path / "x", [activity("A1"), activity("A2", lead="ILO")], versioned=True)
    path = export.current_dir(d) / "activities.parquet"
    path.write_bytes(path.read_bytes()[:100])
    with dashboard_server(d) as url:
        for url_path in ("", "map", "data"):
            open_page(page, f"{url}/{url_path}")
            assert page.locator("[data-testid='stException']").count() == 0
            alert = page.locator("[data-testid='stAlertContentError']")
            assert alert.count() == 1
            text = alert.inner_text()
            assert "The export cannot be read." in text and str(path) in text
            assert "import-activities --undo" in text and "import the data again" in text
        page.screenshot(path=screenshot_path("damaged-export.png", tmp_path), full_page=True)
