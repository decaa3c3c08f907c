"""The events calendar: upcoming and past events, a month laid out by weeks, the next few
for a meeting, shaped for the page and the downloads. The selection itself is the named
query ``calendar_events``; an event without an end date lasts its start day.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date

import pandas as pd

from icat_analysis import reference
from icat_analysis.analyses.library import real_or_synthetic, safe_link
from icat_analysis.filters import Filters

Runner = Callable[..., pd.DataFrame]
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
VIEWS = ("upcoming", "past", "month")


def events(
    run: Runner,
    f: Filters | None = None,
    *,
    kinds: tuple[str, ...] = (),
    agency: str | None = None,
    country: str | None = None,
) -> pd.DataFrame:
    """The selected events in date order, ``start_date`` and ``end_date`` as dates."""
    df = run("calendar_events", f or Filters(), kinds=list(kinds), agency=agency, country=country)
    for col in ("start_date", "end_date"):
        df[col] = pd.to_datetime(df[col]).dt.date
    return df


def upcoming(df: pd.DataFrame, today: date) -> pd.DataFrame:
    """Events not over yet (under way today included), soonest first."""
    return df[df["end_date"] >= today]


def past(df: pd.DataFrame, today: date) -> pd.DataFrame:
    """Events that are over, the most recent first."""
    return df[df["end_date"] < today].iloc[::-1]


def next_events(df: pd.DataFrame, today: date, n: int = 3) -> pd.DataFrame:
    return upcoming(df, today).head(n)


def count_words(n: int, view: str) -> str:
    """ "3 upcoming events", "1 past event", "2 events in this month"."""
    noun = "event" if n == 1 else "events"
    return f"{n:,} {noun} in this month" if view == "month" else f"{n:,} {view} {noun}"


def ics_label(n: int) -> str:
    what = "This event" if n == 1 else f"These {n:,} events"
    return f"{what} as a calendar file (.ics, for Outlook or Google Calendar)"


def place_label(place: str | None, city: str | None = None) -> str:
    """ "Vienna, Austria", "Online", or the country alone."""
    if not place:
        return ""
    if place == "online":
        return "Online"
    country = reference.labels("country").get(place, place)
    return f"{city}, {country}" if city else country


def dates_label(start: date, end: date | None) -> str:
    """ "26-27 Sep 2006", "30 Sep - 2 Oct 2027", "9 Oct 2006"."""
    end = end or start
    if end == start:
        return f"{start.day} {start:%b %Y}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}-{end.day} {end:%b %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%b} - {end.day} {end:%b %Y}"
    return f"{start.day} {start:%b %Y} - {end.day} {end:%b %Y}"


def table(df: pd.DataFrame) -> pd.DataFrame:
    """The events headed in words, for the page and the downloads; each row says whether it
    is real or synthetic and where its facts come from."""
    kinds = reference.labels("event_kind")
    return pd.DataFrame(
        {
            "Dates": [dates_label(s, e) for s, e in zip(df["start_date"], df["end_date"])],
            "Title": df["title"],
            "Kind": [kinds.get(k, k) for k in df["kind"]],
            "Place": [place_label(p, c) for p, c in zip(df["place"], df["city"])],
            "Organised by": [", ".join(a) if a is not None else "" for a in df["agencies"]],
            "Themes": [
                ", ".join(reference.labels("theme").get(t, t) for t in v) if v is not None else "" for v in df["themes"]
            ],
            "Link": [safe_link(v) for v in df["link"]],
            "Summary": df["summary"],
            "Real or synthetic": [real_or_synthetic(v) for v in df["is_synthetic"]],
            "Source": df["source"],
            "Starts": df["start_date"],
            "Ends": df["end_date"],
            "ID": df["event_id"],
        }
    )


def month_value(text: str | None) -> tuple[int, int] | None:
    """(year, month) from a link's ``month=2027-03``; None when it is not one."""
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", (text or "").strip())
    if not m:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    return (year, month) if 1 <= month <= 12 and 1900 <= year <= 2200 else None


def month_name(year: int, month: int) -> str:
    return f"{calendar.month_name[month]} {year}"


def shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    n = year * 12 + (month - 1) + by
    return n // 12, n % 12 + 1


def month_grid(df: pd.DataFrame, year: int, month: int) -> pd.DataFrame:
    """The month as a table: one row per week (Monday first), each cell the day's number and
    the titles of the events on it (an event spanning several days shows on each)."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    rows = []
    for week in weeks:
        cells = []
        for day in week:
            if day.month != month:
                cells.append("")
                continue
            on = df[(df["start_date"] <= day) & (df["end_date"] >= day)]
            cells.append("\n".join([str(day.day), *("• " + t for t in on["title"])]))
        rows.append(cells)
    return pd.DataFrame(rows, columns=list(WEEKDAYS))


def in_month(df: pd.DataFrame, year: int, month: int) -> pd.DataFrame:
    """Events with at least one day in the month."""
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    return df[(df["start_date"] <= last) & (df["end_date"] >= first)]
