"""The members' login's configuration: off without one, on with a good one, and a stop (never an
open dashboard) on anything missing or malformed."""

from __future__ import annotations

from pathlib import Path

import pytest

from icat_analysis.ui.members import ConfigError, MembersLogin, read, read_files

AUTH = {
    "redirect_uri": "https://icat.example.org/oauth2callback",
    "cookie_secret": "x" * 40,
    "client_id": "icat",
    "client_secret": "s3cret",
    "server_metadata_url": "https://login.example.org/.well-known/openid-configuration",
}
GOOD = {"auth": AUTH, "members": {"allow": ["unodc.org", "@ILO.org", "Jane@Example.org"]}}


def test_no_configuration_leaves_the_dashboard_open(tmp_path):
    assert read({}) is None
    assert read({"other": {"x": 1}}) is None
    assert read_files([tmp_path / "missing.toml"]) is None


def test_a_good_configuration_admits_the_listed_domains_and_addresses_only():
    login = read(GOOD)
    assert login == MembersLogin(frozenset({"unodc.org", "ilo.org"}), frozenset({"jane@example.org"}))
    assert login.admits("amina@unodc.org") and login.admits("Amina@UNODC.org")
    assert login.admits("jane@example.org") and login.admits("pat@ilo.org", email_verified=True)
    assert not login.admits("sam@example.org")
    assert not login.admits("amina@unodc.org.evil.example")  # a look-alike domain
    assert not login.admits("amina@sub.unodc.org")  # the domain itself, not its subdomains
    assert not login.admits(None) and not login.admits("")
    assert not login.admits("amina@unodc.org", email_verified=False)  # the provider does not vouch for it


@pytest.mark.parametrize(
    ("secrets", "message"),
    [
        ({"auth": AUTH}, "[auth] is set but [members] is missing"),
        ({"members": {"allow": ["unodc.org"]}}, "[members] is set but [auth] is missing"),
        ({"auth": AUTH, "members": {}}, "[members] allow must list one or more"),
        ({"auth": AUTH, "members": {"allow": []}}, "[members] allow must list one or more"),
        ({"auth": AUTH, "members": {"allow": ["unodc"]}}, "'unodc' is neither an e-mail domain nor an address"),
        ({"auth": AUTH, "members": {"allow": ["*"]}}, "'*' is neither"),
        ({"auth": {**AUTH, "cookie_secret": "short"}, "members": GOOD["members"]}, "cookie_secret is too short"),
        (
            {"auth": {**AUTH, "redirect_uri": "https://icat.example.org/"}, "members": GOOD["members"]},
            "/oauth2callback",
        ),
        ({"auth": {k: v for k, v in AUTH.items() if k != "client_id"}, "members": GOOD["members"]}, "client_id is"),
        ({"auth": AUTH, "members": {"allow": ["unodc.org"], "provider": "entra"}}, "names no [auth.entra] table"),
    ],
)
def test_a_missing_or_malformed_configuration_stops_with_the_reason(secrets, message):
    with pytest.raises(ConfigError) as caught:
        read(secrets)
    assert message in str(caught.value)


def test_a_named_provider_is_used_when_members_names_it():
    auth = {k: AUTH[k] for k in ("redirect_uri", "cookie_secret")}
    auth["entra"] = {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")}
    login = read({"auth": auth, "members": {"allow": "un.org", "provider": "entra"}})
    assert login.provider == "entra" and login.domains == {"un.org"}


def test_a_file_that_is_not_toml_stops_the_dashboard_rather_than_opening_it(tmp_path):
    bad = tmp_path / "secrets.toml"
    bad.write_text('[auth]\nredirect_uri = "https://x/oauth2callback\n')
    with pytest.raises(ConfigError) as caught:
        read_files([Path("/nonexistent/secrets.toml"), bad])
    assert str(caught.value).startswith(f"{bad}: is not valid TOML")


def test_later_files_win_as_in_streamlit(tmp_path):
    first, second = tmp_path / "a.toml", tmp_path / "b.toml"
    first.write_text('[members]\nallow = ["ilo.org"]\n')
    lines = [f'{k} = "{v}"' for k, v in AUTH.items()]
    second.write_text("[auth]\n" + "\n".join(lines) + '\n[members]\nallow = ["unodc.org"]\n')
    assert read_files([first, second]).domains == {"unodc.org"}
