"""What a person picks is what the page shows, and a link keeps the view: the country filter
adds exactly the typed country, and each page's own choices (the Indicators area and
breakdown, the Coverage tab and overlap agency, the Map metric) come back from the link."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import open_page, screenshot_path, wait_until_done

pytestmark = pytest.mark.browser


def _query(page) -> dict:
    return parse_qs(urlsplit(page.url).query)


def _type_and_enter(page, label: str, text: str) -> None:
    box = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").filter(has_text=label)
    box.locator("input").click()
    page.keyboard.type(text)
    page.wait_for_timeout(300)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    wait_until_done(page)


def test_typing_a_country_and_enter_adds_only_that_country(default_server, page, tmp_path):
    open_page(page, default_server + "/")
    _type_and_enter(page, "Countries", "Niger")
    assert _query(page).get("countries") == ["NER"], page.url  # not Nigeria as well
    _type_and_enter(page, "Countries", "Thailand")
    assert sorted(_query(page)["countries"][0].split(",")) == ["NER", "THA"], page.url
    chips = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").filter(has_text="Countries")
    text = chips.inner_text()
    assert "Niger" in text and "Thailand" in text and "Nigeria" not in text and "Mariana" not in text
    page.screenshot(path=str(screenshot_path("filter-countries.png", tmp_path)))
