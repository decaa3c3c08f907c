"""The Library and Events pages in headless Chromium, used as a person would: a search typed
in the box, a filter picked, the link that keeps them, a resource opened, the month view, the
calendar file downloaded and read back, and an agency profile's links to its resources and
activities. Screenshots of each go to the test's folder (docs/ with ICAT_UPDATE_SCREENSHOTS=1)."""

from __future__ import annotations

from datetime import date

import icalendar
import pandas as pd
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import REPO, open_page, screenshot_path, wait_until_done

pytestmark = pytest.mark.browser


def _resources() -> pd.DataFrame:
    return pd.read_parquet(REPO / "data" / "demo" / "resources.parquet")


def _no_errors(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0


def test_library_search_and_kind_filter_are_kept_in_the_link(default_server, page, tmp_path):
    r = _resources()
    text = (r["title"] + " " + r["summary"].fillna("")).str.lower()
    child = r[text.str.contains("child")]
    assert len(child) >= 3, "the demo library has resources on children"
    open_page(page, default_server + "/library")
    box = page.get_by_label("Search titles and summaries")
    box.fill("child")
    box.press("Enter")
    wait_until_done(page)
    _no_errors(page)
    assert "q=child" in page.url
    assert page.get_by_text(f"{len(child)} resources match", exact=False).count() == 1

    page.get_by_label("Kind").click()  # the kind multiselect
    page.get_by_role("option", name="Guideline", exact=True).click()
    page.keyboard.press("Escape")
    wait_until_done(page)
    guidelines = child[child["kind"] == "guideline"]
    assert "kind=guideline" in page.url
    assert page.get_by_text(f"{len(guidelines)} resource", exact=False).first.is_visible()
    page.screenshot(path=str(screenshot_path("screenshot-library.png", tmp_path)))

    # the link opens the same view in a fresh visit
    url = page.url
    open_page(page, url)
    # Read through expect(), which waits: a box can be drawn a moment before its value is set.
    count = page.locator("[data-testid='stMarkdown']", has_text="the search child")
    expect(count).to_contain_text(f"{len(guidelines)} resource")
    expect(page.get_by_label("Search titles and summaries")).to_have_value("child", timeout=15_000)
    assert page.outside_requests == [], page.outside_requests


def test_a_resource_opens_as_a_detail_with_its_source(default_server, page, tmp_path):
    open_page(page, default_server + "/library?resource=ICAT-2006-R01")
    _no_errors(page)
    heading = page.get_by_role("heading", name="Guidelines on International Protection", exact=False)
    assert heading.count() == 1
    heading.scroll_into_view_if_needed()
    detail = page.locator("[data-testid='stMarkdown']", has_text="Source:").first
    assert "Annex 1" in detail.inner_text() and "Real" in detail.inner_text()
    page.screenshot(path=str(tmp_path / "library-detail.png"))


def test_events_month_view_and_the_calendar_file(default_server, page, tmp_path):
    open_page(page, default_server + "/events?view=past&country=JPN")
    _no_errors(page)
    assert page.get_by_text("1 past event", exact=False).count() == 1
    with page.expect_download(timeout=60_000) as dl:
        page.get_by_role("button", name="This event as a calendar file", exact=False).click()
    cal = icalendar.Calendar.from_ical(open(dl.value.path(), "rb").read())
    (tokyo,) = list(cal.walk("VEVENT"))
    assert str(tokyo["uid"]) == "ICAT-2006-E01@icat-dashboard"
    assert tokyo.decoded("dtstart") == date(2006, 9, 26) and tokyo.decoded("dtend") == date(2006, 9, 28)
    assert dl.value.suggested_filename == "icat-events.ics"

    open_page(page, default_server + "/events?view=month&month=2006-09")
    _no_errors(page)
    month = page.locator("table.icat-month")
    assert "Inter-agency coordination meeting" in month.inner_text()
    page.get_by_role("button", name="Next month").click()
    wait_until_done(page)
    assert "month=2006-10" in page.url
    assert "Conference of the Parties" in page.locator("table.icat-month").inner_text()
    assert page.get_by_role("heading", name="October 2006").count() == 1
    with page.expect_download(timeout=60_000) as dl:
        page.get_by_role("button", name="This event as a calendar file", exact=False).click()
    (cop,) = list(icalendar.Calendar.from_ical(open(dl.value.path(), "rb").read()).walk("VEVENT"))
    assert cop.decoded("dtstart") == date(2006, 10, 9) and cop.decoded("dtend") == date(2006, 10, 19)
    page.get_by_role("heading", name="Events", exact=True).scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_path("screenshot-events.png", tmp_path)))
    assert page.outside_requests == [], page.outside_requests


def test_agency_profile_links_to_its_resources_and_activities(default_server, page, tmp_path):
    r = _resources()
    unhcr = r[r["agencies"].map(lambda a: "UNHCR" in list(a))]
    open_page(page, default_server + "/agencies?agency=UNHCR")
    _no_errors(page)
    listed = page.get_by_role("heading", name="Its resources")
    listed.scroll_into_view_if_needed()
    assert page.get_by_text("Guidelines on International Protection", exact=False).count() >= 1  # real ones first
    page.screenshot(path=str(tmp_path / "agency-resources.png"))

    page.get_by_role("link", name="All of them in the Library").click()
    wait_until_done(page)
    _no_errors(page)
    assert "/library" in page.url and "agency=UNHCR" in page.url
    assert page.get_by_text(f"{len(unhcr)} resources match", exact=False).count() == 1

    open_page(page, default_server + "/agencies?agency=UNHCR")
    page.get_by_role("button", name="UNHCR's activities on the Data page").click()
    wait_until_done(page)
    _no_errors(page)
    assert "/data" in page.url and "agencies=UNHCR" in page.url
