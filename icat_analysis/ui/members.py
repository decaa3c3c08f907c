"""Who may see members' data: the members' login's configuration, read and checked.

A deployment turns the login on in ``.streamlit/secrets.toml`` with two sections: ``[auth]``,
Streamlit's own settings for ``st.login`` (``redirect_uri``, ``cookie_secret``, and the OpenID
Connect provider's ``client_id``, ``client_secret`` and ``server_metadata_url``), and
``[members]``, whose ``allow`` lists the e-mail domains (``unodc.org``) and addresses
(``jane@example.org``) of the people who may see members' data. With neither section the
dashboard is open, as it always was. With one and not the other, or either malformed, the
dashboard stops and says why: a mistake in the configuration never opens members' data.

The files are parsed here rather than through ``st.secrets``, which treats a file it cannot
parse like a missing one; that would turn a typo into an open dashboard.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

_DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
_ADDRESS = re.compile(r"[^@\s]+@(" + _DOMAIN.pattern + ")")
#: what ``[auth]`` must give for the provider (Streamlit's names)
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")


class ConfigError(Exception):
    """The login is configured wrongly; the message says where and how."""


@dataclass(frozen=True)
class MembersLogin:
    """The login is on: these domains and addresses may see members' data."""

    domains: frozenset[str]
    addresses: frozenset[str]
    provider: str | None = None  # a named provider of [auth]; None: the keys of [auth] itself

    def admits(self, email: str | None, *, email_verified: object = None) -> bool:
        """Whether the signed-in person with this e-mail may see members' data.

        A provider that says the address is not verified is not believed (anyone could have
        typed it); one that says nothing about it is (not every provider sends the claim).
        """
        if not email or email_verified is False or str(email_verified).lower() == "false":
            return False
        email = email.strip().lower()
        if email in self.addresses:
            return True
        return "@" in email and email.rsplit("@", 1)[1] in self.domains


def read_files(paths: Iterable[Path]) -> MembersLogin | None:
    """The login configured by these secrets files (later files win, as in Streamlit);
    None when none of them turns it on. Raises :class:`ConfigError`."""
    paths = [Path(p) for p in paths]
    merged: dict = {}
    for path in paths:
        if not path.is_file():
            continue
        try:
            merged.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: is not valid TOML ({exc}); the members' login cannot start") from None
    return read(merged, where=", ".join(str(p) for p in paths) or "secrets.toml")


def read(secrets: Mapping, *, where: str = "secrets.toml") -> MembersLogin | None:
    """The login configured by parsed secrets; None when neither [auth] nor [members] is there."""
    auth, members = secrets.get("auth"), secrets.get("members")
    if auth is None and members is None:
        return None
    if members is None:
        raise ConfigError(
            f"{where}: [auth] is set but [members] is missing; add [members] with allow = [...] listing the "
            "e-mail domains or addresses that may see members' data"
        )
    if auth is None:
        raise ConfigError(
            f"{where}: [members] is set but [auth] is missing; the members' login needs an OpenID Connect "
            "provider in [auth] (redirect_uri, cookie_secret, client_id, client_secret, server_metadata_url)"
        )
    if not isinstance(auth, Mapping) or not isinstance(members, Mapping):
        raise ConfigError(f"{where}: [auth] and [members] must be tables")
    provider = members.get("provider")
    if provider is not None and (not isinstance(provider, str) or not isinstance(auth.get(provider), Mapping)):
        raise ConfigError(f"{where}: [members] provider = {provider!r} names no [auth.{provider}] table")
    _check_auth(auth, auth[provider] if provider else auth, f"[auth.{provider}]" if provider else "[auth]", where)
    return _allowed(members.get("allow"), where, provider)


def _check_auth(auth: Mapping, section: Mapping, name: str, where: str) -> None:
    for key in ("redirect_uri", "cookie_secret"):
        if not isinstance(auth.get(key), str) or not auth[key].strip():
            raise ConfigError(f"{where}: [auth] {key} is missing or empty")
    redirect = urlsplit(auth["redirect_uri"])
    if redirect.scheme not in ("http", "https") or not redirect.path.endswith("/oauth2callback"):
        raise ConfigError(
            f"{where}: [auth] redirect_uri {auth['redirect_uri']!r} must be the dashboard's address ending in "
            "/oauth2callback (for example http://localhost:8501/oauth2callback)"
        )
    if len(auth["cookie_secret"]) < 32:
        raise ConfigError(f"{where}: [auth] cookie_secret is too short; use a random string of 32 characters or more")
    for key in PROVIDER_KEYS:
        if not isinstance(section.get(key), str) or not section[key].strip():
            raise ConfigError(f"{where}: {name} {key} is missing or empty")
    if urlsplit(section["server_metadata_url"]).scheme not in ("http", "https"):
        raise ConfigError(f"{where}: {name} server_metadata_url must be an http(s) address")


def _allowed(allow: object, where: str, provider: str | None) -> MembersLogin:
    if isinstance(allow, str):
        allow = [allow]
    if not isinstance(allow, list) or not allow:
        raise ConfigError(
            f"{where}: [members] allow must list one or more e-mail domains or addresses, "
            'for example allow = ["unodc.org", "jane@example.org"]'
        )
    domains, addresses = set(), set()
    for entry in allow:
        text = entry.strip().lower().removeprefix("@") if isinstance(entry, str) else ""
        if _ADDRESS.fullmatch(text):
            addresses.add(text)
        elif _DOMAIN.fullmatch(text):
            domains.add(text)
        else:
            raise ConfigError(f"{where}: [members] allow: {entry!r} is neither an e-mail domain nor an address")
    return MembersLogin(frozenset(domains), frozenset(addresses), provider)
