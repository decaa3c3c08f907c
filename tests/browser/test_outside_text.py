"""Text from a link or from the data shown literally in Chromium: a markdown image in a link
makes no request, a markdown link is no link, bold and LaTeX in activity ids stay as typed in
the "Saved" message; ``?threshold=nan`` falls back to the default; ``/overview`` is the Overview.

The server runs on a small export of its own whose one likely duplicate pair has the ids
``**Bold1**`` and ``$x^2$`` (reviews are written to it).
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import expect

from icat_analysis.analyses.duplication import DEFAULT_THRESHOLD
from tests.browser.conftest import dashboard_server, metric_value, open_page, wait_until_done
from tests.factories import activity, make_export

pytestmark = pytest.mark.browser

PIXEL = "![p](http://198.51.100.7/pixel.png)"
LOGIN = "[Log in again](http://198.51.100.7/login)"
SAME_WORK = dict(
    themes=["protection", "prosecution"],
    activity_types=["capacity_building"],
    target_groups=["labour_inspectors"],
    exploitation_forms=["forced_labour"],
    title="Training labour inspectors on forced labour",
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("hostile-ids")
    make_export(
        data,
        [
            activity("**Bold1**", lead="ILO", **SAME_WORK),
            activity("$x^2$", lead="IOM", **SAME_WORK),
            activity("OTHER", lead="UNODC", countries=["NGA"], themes=["prevention"]),
        ],
    )
    with dashboard_server(data) as url:
        yield url


def alerts(page):
    return page.locator("[data-testid='stAlert']")


def alert_texts(page) -> list[str]:
    """The alerts' text as a person reads it (the invisible word joiners that break web
    addresses left out)."""
    return [t.replace("\u2060", "").strip() for t in alerts(page).all_inner_texts()]


def test_markdown_image_in_a_link_is_shown_as_text_and_never_fetched(page, server):
    open_page(page, f"{server}/overview?agencies={quote(PIXEL)}")
    assert any(f"Ignored agencies {PIXEL!r} from the link" in t for t in alert_texts(page)), alert_texts(page)
    assert alerts(page).locator("img").count() == 0
    assert page.outside_requests == [], page.outside_requests


def test_markdown_link_in_a_link_is_not_a_link(page, server):
    open_page(page, f"{server}/data?themes={quote(LOGIN)}")
    assert any(f"Ignored themes {LOGIN[:40]!r} from the link" in t for t in alert_texts(page)), alert_texts(page)
    assert alerts(page).locator("a").count() == 0
    assert page.get_by_role("link", name="Log in again").count() == 0
    assert page.outside_requests == []


def test_bold_and_latex_in_activity_ids_show_literally_when_saved(page, server):
    open_page(page, f"{server}/duplication")
    page.get_by_role("tab", name="Pairs to review").click()
    wait_until_done(page)
    assert page.get_by_role("combobox", name="Pair").input_value().startswith("$x^2$ and **Bold1**")
    page.get_by_text("Duplicate: the same work, funded twice").click()
    page.get_by_label("Your name").fill("Amina Diallo")
    page.get_by_role("button", name="Save review").click()
    wait_until_done(page)
    saved = alerts(page).filter(has_text="Saved")
    assert saved.inner_text().strip().endswith("\nSaved: $x^2$ and **Bold1** marked duplicate.")  # after the icon
    assert saved.locator("strong, .katex, em").count() == 0
    assert page.outside_requests == []


def test_nan_threshold_in_the_link_falls_back_to_the_default(page, server):
    open_page(page, f"{server}/duplication?threshold=nan")
    assert page.get_by_text("Ignored threshold 'nan' from the link").count() == 1
    slider = page.locator("[data-testid='stSlider']").filter(has_text="Least score of a likely duplicate")
    shown = slider.locator("[data-testid='stSliderThumbValue']").inner_text()
    assert float(shown) == pytest.approx(DEFAULT_THRESHOLD)
    expect(metric_value(page, "Likely duplicate pairs")).to_have_text("1", timeout=60_000)
    assert "nan" not in urlsplit(page.url).query


def test_overview_answers_at_its_own_path(page, server):
    open_page(page, f"{server}/overview?countries=THA")
    assert page.get_by_role("heading", name="Overview").count() >= 1
    assert page.get_by_text("Page not found").count() == 0
    assert urlsplit(page.url).path == "/overview"
    # and the navigation's Overview entry still opens it at the root
    page.locator("[data-testid='stSidebarNav'] a", has_text="Overview").click()
    wait_until_done(page)
    assert page.get_by_role("heading", name="Overview").count() >= 1
    assert page.get_by_text("Page not found").count() == 0
