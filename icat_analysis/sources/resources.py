"""``import-resources FILE... [--data DIR] [--undo]``: the resource library from agency files.

A file in the resource template (docs/SCHEMA.md, section 4) goes through the same reading,
checks, merge, atomic write and undo as an activity submission (``sources/template.py``); the
rules of a valid resource are ``sql/resource_problems.sql``, which ``validate`` runs too.
A link must be an http:// or https:// address: anything else (``javascript:``, ``data:``) is
refused, so it can never reach a page as a link.
"""

from __future__ import annotations

import argparse

from icat_analysis.sources import template
from icat_analysis.store.contract import RESOURCE_TEMPLATE
from icat_analysis.store.validate import RESOURCE_ORDER, resource_problems

SHEET = template.library_sheet(
    "resource",
    RESOURCE_TEMPLATE,
    resource_problems,
    RESOURCE_ORDER,
    {
        "id": "agency-resource-submissions",
        "name": "ICAT member agency resources",
        "citation": "Guidelines, training material, good practice, publications, tools and legal instruments "
        "reported by ICAT member agencies in the resource template (import-resources); each keeps the name "
        "of its file in source_file.",
    },
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    template.add_arguments(parser, "resource")


def run(args: argparse.Namespace) -> int:
    return template.run(args, SHEET)
