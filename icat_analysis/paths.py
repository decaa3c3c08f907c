"""Where the project's files are."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
REFERENCE_DIR = PACKAGE_DIR / "reference"
SQL_DIR = PACKAGE_DIR / "store" / "sql"
STATIC_DIR = REPO_DIR / "static"
#: the folder of exports shipped with the project: one directory per export
DATA_ROOT = REPO_DIR / "data"
#: the export commands and the dashboard use when nothing else is named: the synthetic demonstration
DEFAULT_EXPORT = "demo"
DEFAULT_DATA_DIR = DATA_ROOT / DEFAULT_EXPORT
#: source files shared by the exports (the GLOTIP workbook as published)
SOURCE_DIR = DATA_ROOT / "source"
#: the import templates agencies fill in (resources, events), each with real example rows
TEMPLATES_DIR = REPO_DIR / "templates"


def data_dir(override: str | os.PathLike | None = None) -> Path:
    """The export directory: an explicit ``--data`` wins, then ``ICAT_DATA_DIR``, then ``data/demo/``."""
    if override:
        return Path(override).expanduser().resolve()
    env = os.environ.get("ICAT_DATA_DIR")
    if env:
        return Path(env).expanduser().resolve()
    return DEFAULT_DATA_DIR


def data_root() -> Path:
    """The folder whose export directories the dashboard offers: ``ICAT_DATA_ROOT``, else ``data/``."""
    env = os.environ.get("ICAT_DATA_ROOT")
    return Path(env).expanduser().resolve() if env else DATA_ROOT


def pinned_data_dir() -> Path | None:
    """The one export ``ICAT_DATA_DIR`` names, when it is set: the dashboard then offers no other."""
    env = os.environ.get("ICAT_DATA_DIR")
    return Path(env).expanduser().resolve() if env else None


def sql_literal(value: str | os.PathLike) -> str:
    """A path (or a text of ours) as a DuckDB string literal, for the statements that take no
    bound parameters: views, ``ATTACH``, ``COPY ... TO``, ``SET``. Where a statement takes one,
    bind the value instead."""
    return "'" + str(value).replace("'", "''") + "'"
