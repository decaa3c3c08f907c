"""``import-events FILE... [--data DIR] [--undo]``: the events calendar from agency files.

A file in the event template (docs/SCHEMA.md, section 5) goes through the same reading,
checks, merge, atomic write and undo as an activity submission (``sources/template.py``); the
rules of a valid event (an end before the start, a place that is neither a country nor
"online", a link that is not http(s) ...) are ``sql/event_problems.sql``, which ``validate`` runs too.
"""

from __future__ import annotations

import argparse

from icat_analysis.sources import template
from icat_analysis.store.contract import EVENT_TEMPLATE
from icat_analysis.store.validate import EVENT_ORDER, event_problems

SHEET = template.library_sheet(
    "event",
    EVENT_TEMPLATE,
    event_problems,
    EVENT_ORDER,
    {
        "id": "agency-event-submissions",
        "name": "ICAT member agency events",
        "citation": "Meetings, conferences, trainings, campaign days and deadlines reported by ICAT member "
        "agencies in the event template (import-events); each keeps the name of its file in source_file.",
    },
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    template.add_arguments(parser, "event")


def run(args: argparse.Namespace) -> int:
    return template.run(args, SHEET)
