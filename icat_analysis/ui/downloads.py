"""Tables people take away: CSV and XLSX with labels instead of bare codes, and cells a
spreadsheet would run as formulas made harmless.

A title sent by an agency could start with ``=`` (or hide one behind a control character).
Every text cell and heading of every file written here goes through
:mod:`icat_analysis.spreadsheet`: control characters are removed first, then a cell starting
like a formula gets a leading single quote, so the spreadsheet shows the text instead of
running it.

Activities are labelled column by column with Arrow compute functions, never cell by cell in
Python: a download of a million activities is labelled in seconds. The full download of a
selection is written batch by batch straight from DuckDB, so it never holds the whole
selection as a DataFrame. Pages show one page of rows at a time (:func:`page_of`).

Every file says where it comes from (:class:`provenance.About`: the export and its source,
the filter sentence, when it was made). An XLSX file has it on an "About" sheet after the
data. A CSV starts with it as comment lines, each beginning with ``#`` (``# Source:,"..."``:
Excel shows the words in two cells above the table); every text cell below is quoted, so
``pandas.read_csv(FILE, comment="#")`` reads the table and keeps a ``#`` inside a title.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from icat_analysis import reference, spreadsheet
from icat_analysis.store.contract import LIST_COLUMNS
from icat_analysis.ui.provenance import About

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: the sheet of an XLSX download that says where it comes from
ABOUT_SHEET = "About"

#: activity column -> (heading, reference list whose labels replace the codes)
ACTIVITY_COLUMNS: dict[str, tuple[str, str | None]] = {
    "activity_id": ("Activity ID", None),
    # where an activity was read from IATI: its identifier there, who published it, and why it
    # was kept (optional columns, left out where the export has nothing in them)
    "iati_identifier": ("IATI identifier", None),
    "title": ("Title", None),
    "publisher": ("IATI publisher", None),
    "relevance_reason": ("Kept because", None),
    "relevance": ("Trafficking in persons is", "relevance"),
    # only in one agency's list of activities (``agency_activities``): its role in each
    "role": ("Role of this agency", "role"),
    "description": ("Description", None),
    "lead_agency": ("Lead agency", "agency"),
    "partner_agencies": ("Partner agencies", "agency"),
    "implementing_partners": ("Implementing partners", None),
    "is_joint": ("Joint", None),
    "scope": ("Scope", "scope"),
    "countries": ("Countries", "country"),
    "regions": ("Regions", None),
    "start_date": ("Start date", None),
    "start_date_kind": ("Start date is", "date_kind"),
    "end_date": ("End date", None),
    "end_date_kind": ("End date is", "date_kind"),
    "status": ("Status", "status"),
    "budget_usd": ("Budget (US$)", None),
    "budget_value": ("Budget in its currency", None),
    "budget_currency": ("Currency", None),
    "themes": ("Themes", "theme"),
    "activity_types": ("Activity types", "activity_type"),
    "target_groups": ("Target groups", "target_group"),
    "exploitation_forms": ("Forms of exploitation", "exploitation_form"),
    "donors": ("Donors", None),
    "last_updated": ("Last updated", None),
    "inferred_from": ("Codes read from", None),
    "visibility": ("Shared with", "visibility"),
    "budget_visibility": ("Budget shared with", "visibility"),
}
DATE_COLUMNS = ("start_date", "end_date", "last_updated")
NUMBER_COLUMNS = ("budget_usd", "budget_value")
#: lists besides the template's: where an import found them
_LISTS = (*LIST_COLUMNS, "regions", "implementing_partners", "inferred_from")
#: optional columns by what fills them (``export_optional_columns``): left out of a download
#: when no activity of the export has anything in them
OPTIONAL_GROUPS: dict[str, tuple[str, ...]] = {
    "iati": ("iati_identifier", "publisher", "relevance", "relevance_reason", "inferred_from"),
    "regions": ("regions",),
    "implementing_partners": ("implementing_partners",),
    "budget_currency": ("budget_value", "budget_currency"),
    "date_kinds": ("start_date_kind", "end_date_kind"),
}
OPTIONAL = frozenset(c for group in OPTIONAL_GROUPS.values() for c in group)
LIST_SEPARATOR = "; "

#: rows shown on one page of a table of activities: about a dozen show at once, and every row
#: sent is drawn by the browser (1,000 rows were 850 KB a visit and most of the Data page's time)
PAGE_ROWS = 100
#: the largest selection offered as an Excel file: openpyxl writes about 1,800 rows of
#: activities a second (50,000 take about half a minute), and a sheet holds at most
#: 1,048,576 rows. The CSV holds every selection and opens in Excel too.
XLSX_MAX_ROWS = 50_000
#: the most rows an Excel sheet holds
EXCEL_SHEET_ROWS = 1_048_576
#: rows DuckDB hands over at a time while a full download is written
BATCH_ROWS = 100_000
#: a CSV of more rows than this is offered zipped (about a sixth of the size)
ZIP_OVER_ROWS = 100_000
#: zlib level 3: a file about 30% larger than level 6 makes, in under half its time
ZIP_LEVEL = 3


# ---- labels ---------------------------------------------------------------------------------
@cache
def _label_arrays(kind: str) -> tuple[pa.Array, pa.Array]:
    names = reference.labels(kind)
    return pa.array(list(names), pa.string()), pa.array(list(names.values()), pa.string())


def _labelled_codes(arr: pa.Array, kind: str | None) -> pa.Array:
    """Codes replaced by their labels; a value without a label stays as it is."""
    arr = arr.cast(pa.string())
    if kind is None:
        return arr
    codes, labels = _label_arrays(kind)
    return pc.coalesce(labels.take(pc.index_in(arr, value_set=codes)), arr)


def _joined_list(arr: pa.Array, kind: str | None) -> pa.Array:
    """Each list labelled and joined with "; " (an empty list gives "", a missing one null)."""
    if not (pa.types.is_list(arr.type) and pa.types.is_string(arr.type.value_type)):
        arr = arr.cast(pa.list_(pa.string()))
    # Label the list values once, then rebuild the lists on the same offsets.
    values = _labelled_codes(arr.values, kind)
    lists = pa.ListArray.from_arrays(arr.offsets, values, mask=arr.is_null() if arr.null_count else None)
    return pc.binary_join(lists, LIST_SEPARATOR)


def _labelled_column(col: str, arr: pa.Array) -> pa.Array:
    kind = ACTIVITY_COLUMNS[col][1]
    if col == "themes":
        # An activity without a theme (an import found no evidence for one) says so.
        joined = _joined_list(arr, kind)
        return pc.if_else(pc.equal(joined, ""), reference.labels("theme")[reference.UNCLASSIFIED], joined)
    if col in _LISTS:
        return _joined_list(arr, kind)
    if col == "is_joint":
        return pc.if_else(arr.cast(pa.bool_()), "yes", "no")
    if col in NUMBER_COLUMNS:
        return arr.cast(pa.float64())
    if col in DATE_COLUMNS:
        return arr.cast(pa.date32())
    return _labelled_codes(arr, kind)


def _filled(col: str, data) -> bool:
    """Whether a column holds anything: a value that is not null, or a list that is not empty."""
    if pa.types.is_list(data.type):
        return pc.sum(pc.list_value_length(data)).as_py() not in (None, 0)
    return data.null_count < len(data)


def optional_columns(con) -> frozenset[str]:
    """The optional columns the export behind ``con`` fills (``export_optional_columns``)."""
    from icat_analysis.store import db

    found = db.query(con, "export_optional_columns").iloc[0]
    return frozenset(c for group, cols in OPTIONAL_GROUPS.items() if bool(found[group]) for c in cols)


def labelled_table(table: pa.Table | pa.RecordBatch, optional: frozenset[str] | None = None) -> pa.Table:
    """Arrow activities with readable headings, names for codes and lists joined with "; ".

    An optional column (the IATI publisher, regions ...) is kept when it is in ``optional``, or,
    when ``optional`` is None, when this table holds anything in it."""
    columns, headings = [], []
    for col, (heading, _kind) in ACTIVITY_COLUMNS.items():
        if col not in table.column_names:
            continue
        if col in OPTIONAL and not (col in optional if optional is not None else _filled(col, table.column(col))):
            continue
        data = table.column(col)
        chunks = data.chunks if isinstance(data, pa.ChunkedArray) else [data]
        labelled = [_labelled_column(col, c) for c in chunks]
        columns.append(pa.chunked_array(labelled, type=_labelled_type(col)))
        headings.append(heading)
    return pa.Table.from_arrays(columns, names=headings)


def _labelled_type(col: str) -> pa.DataType:
    if col in NUMBER_COLUMNS:
        return pa.float64()
    if col in DATE_COLUMNS:
        return pa.date32()
    return pa.string()


def _arrow_column(col: str, s: pd.Series) -> pa.Array:
    if col in _LISTS:
        return pa.array(s, type=pa.list_(pa.string()), from_pandas=True)
    if col in DATE_COLUMNS:
        return pa.array(pd.to_datetime(s), from_pandas=True)
    return pa.array(s, from_pandas=True)


def labelled_activities(df: pd.DataFrame) -> pd.DataFrame:
    """Activities with readable headings, names for codes and lists joined with "; ".

    Agencies and countries appear by name (ILO -> International Labour Organization), code
    lists by label (capacity_building -> Capacity building); the activity ID keeps its code.
    Columns not in the template are left out, except an agency's role and the optional columns
    (an IATI activity's identifier, publisher and why it was kept; regions ...) the rows fill.
    """
    cols = [c for c in ACTIVITY_COLUMNS if c in df.columns]
    table = labelled_table(pa.Table.from_arrays([_arrow_column(c, df[c]) for c in cols], names=cols))
    out = table.to_pandas()
    # A description nobody wrote is blank on screen, not "None" (a missing code stays missing).
    if "Description" in out:
        out["Description"] = out["Description"].fillna("")
    return out


# ---- pages of rows --------------------------------------------------------------------------
@dataclass(frozen=True)
class Page:
    """One page of a long table: which rows it shows and how to say so."""

    number: int  # 1-based, within 1..pages
    pages: int
    offset: int  # rows before this page (the SQL OFFSET)
    limit: int  # rows on a full page (the SQL LIMIT)
    first: int  # 1-based row number of the first row shown (0 when there is none)
    last: int
    total: int

    def words(self) -> str:
        """ "Rows 1,001–2,000 of 2,500 (page 2 of 3)"."""
        if self.total == 0:
            return "No rows."
        where = f" (page {self.number:,} of {self.pages:,})" if self.pages > 1 else ""
        return f"Rows {self.first:,}–{self.last:,} of {self.total:,}{where}"


def page_of(total: int, number: int | None, size: int = PAGE_ROWS) -> Page:
    """Page ``number`` (1-based; out-of-range numbers are brought back in range) of ``total`` rows."""
    total = max(0, int(total))
    pages = max(1, math.ceil(total / size))
    number = min(max(1, int(number or 1)), pages)
    offset = (number - 1) * size
    first = offset + 1 if total else 0
    last = min(offset + size, total)
    return Page(number, pages, offset, size, first, last, total)


# ---- neutralising formulas ------------------------------------------------------------------
def neutralise(df: pd.DataFrame) -> pd.DataFrame:
    """A copy in which no text cell, and no heading, can be read as a spreadsheet formula
    (see :mod:`icat_analysis.spreadsheet`)."""
    return spreadsheet.safe_frame(df)


# ---- files ----------------------------------------------------------------------------------
def about_csv_lines(about: About | None) -> str:
    """The CSV's comment lines: ``# Field:,"value"`` for each fact of ``about`` ("" for None)."""
    if about is None:
        return ""
    out = []
    for field_name, value in about.rows():
        # one line each, whatever the value holds, and never a formula
        text = spreadsheet.safe_cell(" ".join(str(value).split())).replace('"', '""')
        out.append(f'# {field_name}:,"{text}"\n')
    return "".join(out)


def to_csv_bytes(df: pd.DataFrame, about: About | None = None) -> bytes:
    """UTF-8 CSV (with a byte-order mark, so Excel reads accents right), formulas neutralised,
    after the ``#`` lines saying where it comes from (text cells then quoted)."""
    body = neutralise(df).to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC if about else csv.QUOTE_MINIMAL)
    return (about_csv_lines(about) + body).encode("utf-8-sig")


def with_about_csv(data: bytes, about: About | None) -> bytes:
    """A CSV made elsewhere (UTF-8, perhaps with a byte-order mark) with the ``#`` lines on top."""
    text = data.decode("utf-8-sig")
    return (about_csv_lines(about) + text).encode("utf-8-sig")


@contextmanager
def query_reader(con, name: str, filters, batch_rows: int = BATCH_ROWS, **params):
    """The named query's rows as an Arrow record batch reader, read from DuckDB as they come.

    ``$filters`` is bound to ``filters`` and every other ``$name`` to ``params`` (as
    :func:`db.query` does), on a cursor of its own.
    """
    from icat_analysis.filters import Filters
    from icat_analysis.store import db

    bound = {"filters": (filters or Filters()).as_sql_param(), **params}
    cur = con.cursor()
    try:
        yield cur.sql(db.sql_text(name), params=bound).to_arrow_reader(batch_rows)
    finally:
        cur.close()


def _write_csv(fh, con, name: str, filters, batch_rows: int, params: dict, about: About | None = None) -> None:
    fh.write(("\ufeff" + about_csv_lines(about)).encode())
    # Quoted text keeps a "#" in a cell from being read as a comment (pandas' comment="#").
    options = pa_csv.WriteOptions(include_header=True, quoting_style="all_valid" if about else "needed")
    with query_reader(con, name, filters, batch_rows, **params) as reader:
        # The columns are settled once for the whole file: an optional one the export fills
        # is kept even where one batch has nothing in it.
        optional = optional_columns(con)
        schema = labelled_table(reader.schema.empty_table(), optional).schema
        with pa_csv.CSVWriter(fh, schema, write_options=options) as writer:
            for batch in reader:
                writer.write_table(spreadsheet.safe_table(labelled_table(batch, optional)))


def activities_csv(
    con, name: str, filters, batch_rows: int = BATCH_ROWS, about: About | None = None, **params
) -> bytes:
    """Every row of the named activities query as a labelled CSV, written batch by batch.

    The same table :func:`to_csv_bytes` writes of :func:`labelled_activities` (UTF-8 with a
    byte-order mark, formulas neutralised), without a DataFrame of the whole selection: the
    memory it needs beyond the file itself is one batch (and DuckDB's sort).
    """
    out = io.BytesIO()
    _write_csv(out, con, name, filters, batch_rows, params, about)
    return out.getvalue()


def activities_csv_zip(
    con, name: str, filters, csv_name: str, batch_rows: int = BATCH_ROWS, about: About | None = None, **params
) -> bytes:
    """:func:`activities_csv` compressed into a ZIP holding one file, ``csv_name``, as it is
    written. For large selections: a million activities make 760 MB of CSV but about 125 MB
    zipped, which the server holds in memory until the session ends and sends over the network.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL) as zf:
        with zf.open(csv_name, "w", force_zip64=True) as fh:
            _write_csv(fh, con, name, filters, batch_rows, params, about)
    return out.getvalue()


def csv_zipped(n: int) -> bool:
    """Whether the CSV of ``n`` rows is offered zipped."""
    return n > ZIP_OVER_ROWS


def csv_zipped_note() -> str:
    """What a person waiting for a zipped CSV should know."""
    return (
        f"Over {ZIP_OVER_ROWS:,} rows the CSV comes in a ZIP file, about a sixth of its size. "
        "It is prepared when you click, which takes a while: about 15 seconds for a million rows on a two-core server."
    )


def activities_xlsx(
    con, name: str, filters, sheet_name: str = "Activities", about: About | None = None, **params
) -> bytes:
    """Every row of the named activities query as a labelled XLSX (for selections up to
    :data:`XLSX_MAX_ROWS`; the page offers the CSV beyond that)."""
    from icat_analysis.store import db

    return to_xlsx_bytes(labelled_activities(db.query(con, name, filters, **params)), sheet_name, about)


def xlsx_too_big(n: int) -> str:
    """Why a selection of ``n`` rows gets no Excel file, and what to do instead."""
    if n > EXCEL_SHEET_ROWS:
        why = f"an Excel sheet holds at most {EXCEL_SHEET_ROWS:,} rows"
        csv = "The CSV holds every row (Excel opens only its first rows; a database or Python reads it all)."
    else:
        why = f"an Excel file is made for up to {XLSX_MAX_ROWS:,} rows (writing one takes about half a minute at that size)"
        csv = f"The CSV holds every row and opens in Excel too (a sheet holds up to {EXCEL_SHEET_ROWS:,} rows)."
    return f"No Excel file for {n:,} rows: {why}. {csv} Narrow the filters for an Excel file."


def _sheet_name(name: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", name).strip("' ") or "Sheet1"
    return cleaned[:31]


def _about_sheet(writer, about: About) -> None:
    """The "About" sheet: one fact a row (Source, Selection, Made, ...), made safe like the data."""
    rows = pd.DataFrame([(k, str(v)) for k, v in about.rows()], columns=["About", "Value"])
    neutralise(rows).to_excel(writer, sheet_name=ABOUT_SHEET, index=False)
    ws = writer.sheets[ABOUT_SHEET]
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 110


def to_xlsx_bytes(df: pd.DataFrame, sheet_name: str = "Data", about: About | None = None) -> bytes:
    """An XLSX workbook: the table (formulas neutralised, headings bold and frozen) and, with
    ``about``, an "About" sheet saying where it comes from."""
    safe = neutralise(df)  # also removes the control characters XLSX cannot hold
    buf = io.BytesIO()
    name = _sheet_name(sheet_name)
    if about is not None and name == ABOUT_SHEET:
        name = f"{ABOUT_SHEET} data"
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        safe.to_excel(writer, sheet_name=name, index=False)
        ws = writer.sheets[name]
        ws.freeze_panes = "A2"
        for i, col in enumerate(safe.columns, start=1):
            width = min(60, max(10, len(str(col)) + 2))
            ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = width
        if about is not None:
            _about_sheet(writer, about)
    return buf.getvalue()
