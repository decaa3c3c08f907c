"""The members' login in Chromium, against a local OpenID Connect provider (tests/browser/oidc/).

The provider grants every sign-in at once, as whoever ``email.txt`` names; the dashboard runs
on the full synthetic export (2,000 activities, some shared with members only) with a
secrets file that lets unodc.org and one address in.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from icat_analysis.store import reviews
from tests.browser.conftest import REPO, dashboard_server, free_port, open_page, screenshot_path, wait_until_done

pytestmark = pytest.mark.browser

OIDC_DIR = Path(__file__).parent / "oidc"
SECRETS = """
[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "a cookie secret for the browser tests only, long enough"
client_id = "icat-dashboard"
client_secret = "browser-tests"
server_metadata_url = "http://127.0.0.1:{oidc_port}/.well-known/openid-configuration"

[members]
allow = ["unodc.org", "jane@example.org"]
"""


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    """The local OpenID Connect provider: yields (port, file naming who signs in next)."""
    if shutil.which("node") is None or not (OIDC_DIR / "node_modules" / "oauth2-mock-server").is_dir():
        pytest.skip("the local OpenID Connect provider needs node and `npm ci` in tests/browser/oidc/")
    email_file = tmp_path_factory.mktemp("oidc") / "email.txt"
    email_file.write_text("nobody@nowhere.example\n")
    port = free_port()
    proc = subprocess.Popen(
        ["node", "server.mjs", str(port), str(email_file)],
        cwd=OIDC_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        if not line.startswith("ready"):
            raise RuntimeError(f"the OpenID Connect provider did not start: {line}{proc.stderr.read()[-2000:]}")
        yield port, email_file
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def members_server(provider, tmp_path_factory):
    oidc_port, _ = provider
    port = free_port()
    secrets = tmp_path_factory.mktemp("secrets") / "secrets.toml"
    secrets.write_text(SECRETS.format(port=port, oidc_port=oidc_port))
    data = tmp_path_factory.mktemp("data-copy")  # a review is saved into it
    for f in (REPO / "data" / "demo").iterdir():
        if f.is_file() and f.name != reviews.LOG_NAME:
            shutil.copy2(f, data / f.name)
    with dashboard_server(data, port=port, args=("--secrets.files", str(secrets))) as url:
        url_data[url] = data
        yield url


url_data: dict[str, Path] = {}


def sign_in(page, provider, email: str) -> None:
    provider[1].write_text(email + "\n")
    page.get_by_role("button", name="Sign in").click()
    # the provider sends the browser back to the dashboard, which draws the page anew
    deadline = time.time() + 30
    while page.get_by_role("button", name="Sign in").count() and time.time() < deadline:
        page.wait_for_timeout(300)
    wait_until_done(page)


def text_of(page, selector: str) -> str:
    # an address is drawn with an invisible word joiner before its @, so it is not made a link
    return page.inner_text(selector).replace("\u2060", "")


def main_text(page) -> str:
    return text_of(page, "[data-testid='stMain']")


def test_not_signed_in_sees_the_login_and_no_data(page, members_server, tmp_path):
    # A deep link to a page, as the first visit to a fresh server: it too meets the login.
    open_page(page, members_server + "/data?countries=NGA")
    text = main_text(page)
    assert "ICAT coordination dashboard: members" in text
    assert page.get_by_role("button", name="Sign in").is_visible()
    assert "activities" not in text.replace("activities and budgets", "")
    assert page.locator("[data-testid='stSidebarNav']").count() == 0
    page.screenshot(path=str(screenshot_path("members-login.png", tmp_path)))
    assert page.outside_requests == []


def test_a_member_of_an_allowed_domain_sees_members_data_and_can_sign_out(page, members_server, provider, tmp_path):
    open_page(page, members_server)
    sign_in(page, provider, "amina@unodc.org")
    sidebar = text_of(page, "[data-testid='stSidebar']")
    assert "Signed in as amina@unodc.org" in sidebar
    # the full export: its 2,000 activities include those shared with members only
    assert "2,000 activities" in main_text(page)
    assert "shared with members only" not in main_text(page)
    page.screenshot(path=str(screenshot_path("members-signed-in.png", tmp_path)))

    # a review saved while signed in keeps the member's e-mail beside the name typed
    open_page(page, members_server + "/duplication")
    page.get_by_role("tab", name="Pairs to review").click()
    wait_until_done(page)
    page.get_by_text("Duplicate: the same work, funded twice").click()
    page.get_by_label("Your name").fill("Amina")
    page.get_by_role("button", name="Save review").click()
    wait_until_done(page)
    logged = [json.loads(line) for line in (url_data[members_server] / reviews.LOG_NAME).read_text().splitlines()]
    assert [(r["reviewer"], r["signed_in_as"]) for r in logged] == [("Amina", "amina@unodc.org")]

    page.get_by_role("button", name="Sign out").click()
    deadline = time.time() + 30
    while not page.get_by_role("button", name="Sign in").count() and time.time() < deadline:
        page.wait_for_timeout(300)
    wait_until_done(page)
    assert page.get_by_role("button", name="Sign in").is_visible()
    assert "2,000 activities" not in main_text(page)
    assert page.outside_requests == []


def test_a_person_from_another_domain_is_refused_with_a_clear_page(page, members_server, provider, tmp_path):
    open_page(page, members_server)
    sign_in(page, provider, "sam@example.com")
    text = main_text(page)
    assert "Not a member's account" in text
    assert "You are signed in as sam@example.com, which is not on this dashboard's list of members' addresses" in text
    assert "activities" not in text
    assert page.locator("[data-testid='stSidebarNav']").count() == 0
    page.screenshot(path=str(screenshot_path("members-refused.png", tmp_path)))
    page.get_by_role("button", name="Sign out").click()
    # signing out goes through the provider and back: wait for the login page to be drawn
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=30_000)
    wait_until_done(page)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_a_malformed_configuration_stops_the_dashboard_with_a_readable_error(page, tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[auth]\nredirect_uri = "http://127.0.0.1:1/oauth2callback\n[members]\nallow = ["unodc.org"]\n')
    with dashboard_server(REPO / "data" / "demo", args=("--secrets.files", str(secrets))) as url:
        open_page(page, url)
        text = main_text(page)
        page.screenshot(path=str(screenshot_path("members-misconfigured.png", tmp_path)))
    assert "The members' login is configured wrongly, so the dashboard does not open." in text
    assert f"{secrets}: is not valid TOML" in text
    assert "activities" not in text
