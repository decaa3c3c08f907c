"""The library and the calendar as a person reads them: a resource's or an event's lines in
Markdown (every value escaped, a link only when it is a web address), and the selected events
as an iCalendar file that Outlook and Google Calendar import (the ``icalendar`` library).

Pure helpers: no Streamlit here (st_adapter and the pages draw).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import icalendar
import pandas as pd

from icat_analysis import reference
from icat_analysis.analyses.events import dates_label, place_label
from icat_analysis.analyses.library import safe_link
from icat_analysis.ui.markdown import literal

SYNTHETIC_TAG = "[Synthetic]"
PRODID = "-//ICAT coordination dashboard//Events calendar//EN"


def md(text) -> str:
    """``text`` shown as written (:func:`icat_analysis.ui.markdown.literal`): a title can never
    become a link, an image or a heading; a missing value is empty."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    return literal(text)


def link_markdown(label: str, url) -> str:
    """``[label](url)`` for a web address; the label alone (escaped) for anything else."""
    safe = safe_link(url)
    if safe is None:
        return md(label)
    return f"[{md(label)}](<{safe}>)"


def event_line(row: pd.Series, with_tag: bool = True) -> str:
    """One Markdown line for an event: dates, title (linked when it has a web link), place."""
    tag = f" *{md(SYNTHETIC_TAG)}*" if with_tag and bool(row["is_synthetic"]) else ""
    when = md(dates_label(row["start_date"], row["end_date"]))
    where = md(place_label(row["place"], row["city"]))
    return f"**{when}** · {link_markdown(row['title'], row['link'])} · {where}{tag}"


def resource_line(row: pd.Series) -> str:
    """One Markdown line for a resource: title (linked when it has a web link), kind, year, publishers."""
    kind = reference.labels("resource_kind").get(row["kind"], row["kind"])
    year = "" if pd.isna(row["year"]) else f", {int(row['year'])}"
    by = ", ".join(row["agencies"]) if row["agencies"] is not None and len(row["agencies"]) else ""
    tag = f" *{md(SYNTHETIC_TAG)}*" if bool(row["is_synthetic"]) else ""
    return f"{link_markdown(row['title'], row['link'])} ({md(kind)}{md(year)}{md(', ' + by) if by else ''}){tag}"


def ics_bytes(events: pd.DataFrame, made: datetime) -> bytes:
    """The events as an iCalendar file: all-day events (the end date is exclusive in
    iCalendar, so the day after the last), a stable UID per event, and a synthetic event's
    title and description saying it is synthetic."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "ICAT events")
    kinds = reference.labels("event_kind")
    for row in events.itertuples(index=False):
        start: date = row.start_date
        end: date = row.end_date or start
        ev = icalendar.Event()
        ev.add("uid", f"{row.event_id}@icat-dashboard")
        ev.add("dtstamp", made)
        ev.add("dtstart", start)
        ev.add("dtend", end + timedelta(days=1))
        synthetic = bool(row.is_synthetic)
        ev.add("summary", f"{SYNTHETIC_TAG} {row.title}" if synthetic else row.title)
        ev.add("location", place_label(row.place, row.city))
        ev.add("categories", [kinds.get(row.kind, row.kind)])
        lines = [row.summary or ""]
        if row.agencies is not None and len(row.agencies):
            lines.append("Organised by " + ", ".join(row.agencies) + ".")
        lines.append(
            "Synthetic: a demonstration event, not a real one." if synthetic else f"Source: {row.source or 'ICAT'}"
        )
        ev.add("description", "\n".join(x for x in lines if x))
        if url := safe_link(row.link):
            ev.add("url", url)
        cal.add_component(ev)
    return cal.to_ical()


def _short(title: str, most: int = 60) -> str:
    """A title cut to fit a day's cell; the list under the month has it in full."""
    return title if len(title) <= most else title[: most - 1].rstrip() + "…"


def month_html(grid: pd.DataFrame, caption: str) -> str:
    """The month grid (``analyses.events.month_grid``) as an HTML table: seven equal columns,
    each day's number then its events. Every value is escaped; the styles are fixed text."""
    from html import escape

    head = "".join(f'<th scope="col">{escape(str(c))}</th>' for c in grid.columns)
    rows = []
    for _, week in grid.iterrows():
        cells = []
        for text in week:
            day, *titles = str(text).split("\n") if text else [""]
            items = "".join(f"<li>{escape(_short(t.removeprefix('• ')))}</li>" for t in titles)
            cells.append(f"<td><b>{escape(day)}</b>{f'<ul>{items}</ul>' if items else ''}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        "<style>.icat-month{width:100%;table-layout:fixed;border-collapse:collapse;font-size:0.85rem}"
        ".icat-month th,.icat-month td{border:1px solid #d5d5d5;padding:4px 6px;vertical-align:top;text-align:left}"
        ".icat-month td{height:4.5rem}.icat-month ul{margin:2px 0 0 0;padding-left:1.1em}"
        ".icat-month li{margin:0;line-height:1.25}</style>"
        f'<table class="icat-month"><caption style="text-align:left">{escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
