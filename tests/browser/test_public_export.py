"""A dashboard on a public export says what it does not show (counts from the manifest)."""

from __future__ import annotations

import duckdb
import pytest

from icat_analysis import cli
from tests.browser.conftest import REPO, dashboard_server, open_page, screenshot_path

pytestmark = pytest.mark.browser
FULL = REPO / "data" / "demo"


@pytest.fixture(scope="module")
def public_server(tmp_path_factory):
    out = tmp_path_factory.mktemp("public") / "export"
    assert cli.main(["publish", "--level", "public", "--data", str(FULL), "--out", str(out)]) == 0
    with dashboard_server(out) as url:
        yield url


def members_only(where: str = "true", *params) -> int:
    sql = f"SELECT count(*) FROM read_parquet(?) WHERE visibility = 'members' AND {where}"
    return duckdb.execute(sql, [str(FULL / "activities.parquet"), *params]).fetchone()[0]


def main_text(page) -> str:
    return page.inner_text("[data-testid='stMain']")


def shows(page, text: str) -> bool:
    """Whether the page comes to show ``text`` (a loaded machine may draw the sentence late)."""
    page.locator("[data-testid='stMain']", has_text=text).wait_for(timeout=60_000)
    return True


def test_the_map_headline_counts_what_the_public_export_withholds(page, public_server, tmp_path):
    n = members_only("lead_agency = 'UNODC' AND list_contains(countries, 'NGA')")
    assert n >= 1
    open_page(page, public_server + "/map?countries=NGA&agencies=UNODC&role=lead")
    noun = "activity" if n == 1 else "activities"
    assert shows(page, f"in Nigeria, and {n} {noun} shared with members only (not in this public export)")
    page.screenshot(path=str(screenshot_path("public-map.png", tmp_path)))
    open_page(page, public_server + "/map")
    assert shows(page, f"and {members_only():,} activities shared with members only")
    assert page.outside_requests == []


def test_the_duplication_page_says_it_compares_only_what_is_public(page, public_server, tmp_path):
    open_page(page, public_server + "/duplication")
    text = main_text(page)
    assert "These pairs compare only the activities shared publicly" in text
    assert f"{members_only():,} activities shared with members only are not in it." in text
    page.screenshot(path=str(screenshot_path("public-duplication.png", tmp_path)))


def test_the_coverage_matrix_caption_names_what_it_does_not_count(page, public_server, tmp_path):
    open_page(page, public_server + "/coverage")
    n = members_only()
    assert shows(page, f"Not in this public export, so not counted here: {n:,} activities shared with members only.")
    page.get_by_text("Not in this public export, so not counted here").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_path("public-coverage.png", tmp_path)))
