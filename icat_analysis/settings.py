"""The deployment's settings: ``icat.toml`` at the repository root, or the file ``ICAT_CONFIG`` names.

Every key has a default (below), so the file only needs what a deployment changes; docs/SCHEMA.md
lists the keys.
"""

from __future__ import annotations

import os
import tomllib
from functools import cache
from pathlib import Path

from icat_analysis.errors import InputError
from icat_analysis.paths import REPO_DIR

DEFAULTS: dict[str, dict[str, object]] = {
    "history": {
        # every version of the export is kept this many days after it was made ...
        "keep_every_version_days": 90,
        # ... and after that the last version of each month ("week", "month", "year", or "none")
        "then_keep_one_per": "month",
    },
    "freshness": {
        # how often each agency is expected to send its activities
        "update_cycle_days": 365,
        # an activity whose last_updated is older than this looks stale
        "stale_after_days": 730,
    },
}


def config_path() -> Path:
    env = os.environ.get("ICAT_CONFIG")
    return Path(env).expanduser() if env else REPO_DIR / "icat.toml"


@cache
def _load(path: str) -> dict:
    p = Path(path)
    if not p.exists():
        return {}
    try:
        return tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{p}: not valid TOML ({exc})") from exc


def get(section: str, key: str):
    """The configured value of ``[section] key``, or its default; a value of the wrong kind is refused."""
    default = DEFAULTS[section][key]
    value = _load(str(config_path())).get(section, {}).get(key, default)
    if type(value) is not type(default):
        raise InputError(f"{config_path()}: [{section}] {key} must be a {type(default).__name__}, not {value!r}")
    return value
