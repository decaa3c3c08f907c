"""Where the project's files are."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
REFERENCE_DIR = PACKAGE_DIR / "reference"
SQL_DIR = PACKAGE_DIR / "store" / "sql"
STATIC_DIR = REPO_DIR / "static"
DEFAULT_DATA_DIR = REPO_DIR / "data"
#: the import templates agencies fill in (resources, events), each with real example rows
TEMPLATES_DIR = REPO_DIR / "templates"


def data_dir(override: str | os.PathLike | None = None) -> Path:
    """The export directory: an explicit ``--data`` wins, then ``ICAT_DATA_DIR``, then ``data/``."""
    if override:
        return Path(override).expanduser().resolve()
    env = os.environ.get("ICAT_DATA_DIR")
    if env:
        return Path(env).expanduser().resolve()
    return DEFAULT_DATA_DIR
