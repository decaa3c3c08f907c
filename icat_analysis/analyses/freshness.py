"""How fresh each agency's data is: a scorecard per lead agency, and the rows that look stale.

The state follows HDX's data freshness method: against the expected update cycle ``f`` (the
``[freshness] update_cycle_days`` setting, default 365), an agency is **fresh** until its last
submission is ``f`` days old, then **due**, **overdue** from ``f`` + 60 days and **delinquent**
from ``f`` + 90 days (HDX's margins for a yearly cycle; shorter cycles get HDX's shorter ones).

``quality [--data DIR] [--stale]`` prints the scorecards (or the stale rows, one per activity,
for each agency's focal point) as CSV.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta

import pandas as pd

from icat_analysis import settings, spreadsheet
from icat_analysis.paths import data_dir as resolve_data_dir
from icat_analysis.store import db

STATES = ("fresh", "due", "overdue", "delinquent")
SHARES = {
    "with_budget": "budget",
    "with_description": "description",
    "with_end_date": "end date",
    "with_target_groups": "target groups",
    "with_exploitation_forms": "forms of exploitation",
}
#: (cycle at least, days after the cycle it is overdue, days after the cycle it is delinquent): HDX's table
_MARGINS = ((365, 60, 90), (180, 30, 60), (90, 30, 60), (30, 14, 30), (7, 7, 14), (0, 2, 3))


def cycle_days() -> int:
    return int(settings.get("freshness", "update_cycle_days"))


def stale_after_days() -> int:
    return int(settings.get("freshness", "stale_after_days"))


def state(age_days: int | None, cycle: int) -> str:
    """fresh, due, overdue or delinquent for a last submission ``age_days`` old (None: never)."""
    if age_days is None:
        return "delinquent"
    overdue, delinquent = next((o, d) for floor, o, d in _MARGINS if cycle >= floor)
    if age_days < cycle:
        return "fresh"
    if age_days < cycle + overdue:
        return "due"
    return "overdue" if age_days < cycle + delinquent else "delinquent"


def _params(today: date) -> dict:
    return {"today": today, "stale_before": today - timedelta(days=stale_after_days())}


def scorecards(con, today: date, agency: str | None = None) -> pd.DataFrame:
    """One row per lead agency: activities, last submission, age, state, the five shares, stale rows."""
    df = db.query(con, "agency_freshness", **_params(today))
    if agency is not None:
        df = df[df["agency"] == agency].reset_index(drop=True)
    last = pd.to_datetime(df["last_submission"])
    df["days_since"] = [None if pd.isna(t) else (today - t.date()).days for t in last]
    cycle = cycle_days()
    df["state"] = [state(None if pd.isna(a) else int(a), cycle) for a in df["days_since"]]
    cols = ["agency", "activities", "last_submission", "days_since", "state", *SHARES, "stale"]
    return df[cols]


def stale_rows(con, today: date, agency: str | None = None) -> pd.DataFrame:
    return db.query(con, "stale_activities", agency=agency or "", **_params(today))


def summary(card: pd.Series) -> str:
    """The scorecard in a sentence, for a caption."""
    shares = ", ".join(f"{card[k]:.0%} with {label}" for k, label in SHARES.items())
    when = "never" if pd.isna(card["last_submission"]) else f"{pd.Timestamp(card['last_submission']):%d %B %Y}"
    return (
        f"{card['agency']}: {card['state']} (last submission {when}, expected every {cycle_days()} days); "
        f"{shares}; {int(card['stale']):,} of {int(card['activities']):,} activities look stale."
    )


# ---- command line ---------------------------------------------------------------------------
def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", help="the export directory (default: $ICAT_DATA_DIR or data/demo/)")
    parser.add_argument("--stale", action="store_true", help="list the stale activities instead of the scorecards")
    parser.add_argument("--agency", help="only this lead agency (a code, e.g. UNODC)")
    parser.add_argument("--today", help="the date to judge against, YYYY-MM-DD (default: today)")


def run(args: argparse.Namespace) -> int:
    try:
        today = date.fromisoformat(args.today) if args.today else date.today()
    except ValueError:
        print(f"--today {args.today[:20]!r}: not a date (YYYY-MM-DD)", file=sys.stderr)
        return 2
    con = db.connect(resolve_data_dir(args.data))
    df = (stale_rows if args.stale else scorecards)(con, today, args.agency)
    spreadsheet.safe_frame(df).to_csv(sys.stdout, index=False, lineterminator="\n")
    return 0
