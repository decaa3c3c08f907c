"""``import-activities FILE... [--data DIR]``: agency submissions into the export.

The machinery here (reading CSV and XLSX, typing cells, header checks, merging, the atomic
write and undo) serves every template: a :class:`Sheet` says what is particular to one
(activities here; resources and events in ``sources/resources.py`` and ``sources/events.py``).

A submission is a CSV (UTF-8) or XLSX (active or first visible sheet) file in the activity template of
docs/SCHEMA.md. The import reads every file, turns each cell into its typed value (dates,
numbers, `;`-separated lists, codes normalised: ``th`` -> ``THA``, ``unodc`` -> ``UNODC``)
and checks every activity with the same rules ``validate`` applies to the export
(``sql/activity_problems.sql``). Any problem refuses the whole run: every problem is listed as
``FILE:ROW: column: what is wrong`` (ROW as a spreadsheet shows it, the header being row 1)
and the export is left byte for byte as it was. Otherwise new activity_ids are inserted and
existing ones updated, nothing is deleted, and the export is replaced atomically under its
lock, keeping the previous version for ``--undo``.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import io
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from icat_analysis import reference
from icat_analysis.paths import data_dir as resolve_data_dir
from icat_analysis.store import export
from icat_analysis.store.contract import (
    ACTIVITIES_SCHEMA,
    DEFAULT_LEVEL,
    EXPORT_FILES,
    LEVELS,
    REQUIRED,
    SHARING_COLUMNS_OF,
    TEMPLATE,
    TEMPLATE_NAMES,
    Column,
    with_optional_columns,
)
from icat_analysis.store.validate import COLUMN_ORDER, Problem, activity_problems

#: at most this many problems are printed; the rest are counted
MAX_LISTED = 100
#: Limits that keep reading any file bounded in memory and time (docs/IMPORT.md). A file past
#: one is refused whole, saying which. One agency's submission is far smaller.
#: the largest file read (CSV or XLSX)
MAX_FILE_BYTES = 100 * 1024 * 1024
#: what an XLSX workbook may unpack to (a 5 KB zip can unpack to gigabytes)
MAX_UNPACKED_BYTES = 500 * 1024 * 1024
#: rows of a file, the header included
MAX_ROWS = 100_000
#: columns of a sheet that may hold something (the template has 17)
MAX_COLUMNS = 100
#: cells an XLSX sheet's rows may span in all, empty ones included
MAX_CELLS = 5_000_000
#: characters of one cell: the most a spreadsheet cell holds
MAX_CELL_CHARACTERS = 32_767
SUFFIXES = (".csv", ".xlsx")
SOURCE_ENTRY = {
    "id": "agency-activity-submissions",
    "name": "ICAT member agency activity submissions",
    "citation": "Activities reported by ICAT member agencies in the ICAT activity template "
    "(import-activities); each activity keeps the name of the file it came from in source_file.",
}

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NUMBER = re.compile(r"(\d+(\.\d*)?|\.\d+)")

# The csv module's own limit would fail a long cell as a quoting error in the wrong column;
# cells are measured after reading instead (MAX_CELL_CHARACTERS), naming their column.
csv.field_size_limit(MAX_FILE_BYTES)


class Refused(Exception):
    """The submission breaks the contract; ``problems`` says where and how."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass
class ImportResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    written: bool = False
    files: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"{self.inserted} inserted, {self.updated} updated, {self.unchanged} unchanged"


# --- reading files: header row + (row number, cells) -------------------------------------


def _file_problem(name: str, message: str, row: int = 1, column: str = "-") -> Problem:
    return Problem(name, row, column, message)


def _past_limit(name: str, message: str) -> Problem:
    """A file past one of the reading limits: about the file as a whole (``FILE: message``)."""
    return Problem(name, 0, "-", message)


def _too_big(path: Path, name: str) -> Problem | None:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return _past_limit(
            name, f"the file is {size / 2**20:,.0f} MB; at most {MAX_FILE_BYTES // 2**20} MB are read: split it"
        )
    return None


def _read_csv(path: Path, name: str) -> tuple[list | None, list, list[Problem]]:
    """(header, [(row, cells)], problems) of a CSV file; header None when unreadable."""
    if big := _too_big(path, name):
        return None, [], [big]
    data = path.read_bytes()
    text, problem = _decode(data, name)
    if problem:
        return None, [], [problem]
    if not text.strip():
        return None, [], [_file_problem(name, "the file is empty; the first row must name the template's columns")]
    if problem := _delimiter_problem(text, name):
        return None, [], [problem]
    lines = list(io.StringIO(text, newline=""))
    reader = csv.reader(lines, strict=True)
    records: list[tuple[int, list[str]]] = []
    last_end = 0  # physical lines consumed by the complete records
    try:
        for record in reader:
            records.append((len(records) + 1, record))
            last_end = reader.line_num
            if len(records) > MAX_ROWS:
                return None, [], [_too_many_rows(name)]
    except csv.Error as exc:
        row = len(records) + 1  # the record that failed starts on the row after the last good one
        col_index = _quote_field("".join(lines[last_end:]))
        header = records[0][1] if records else []
        column = _header_name(header, col_index)
        what = "a quote opened here is never closed" if "unexpected end of data" in str(exc) else f"bad quoting ({exc})"
        return None, [], [Problem(name, row, column, what + '; a quote inside a cell is written as ""')]
    header, body = records[0][1], records[1:]
    return header, body, []


_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def _decode(data: bytes, name: str) -> tuple[str, Problem | None]:
    """The file's text: UTF-8 (with or without a byte-order mark), or UTF-16/32 with one
    (Excel's "Unicode text"); otherwise what is wrong with it."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), None
            except UnicodeDecodeError:
                return "", _file_problem(name, f"the text is damaged {encoding.upper()}; save the file as CSV UTF-8")
    if _looks_utf16(data):
        return "", _file_problem(name, "the text is UTF-16; save the file as CSV UTF-8")
    if _looks_binary(data):
        return "", _file_problem(name, "is not a CSV text file (it contains binary data); save it as CSV UTF-8")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return "", _encoding_problem(data, exc, name)


def _looks_utf16(data: bytes) -> bool:
    """UTF-16 without a byte-order mark: ASCII text with a NUL after (or before) every character."""
    head = data[:4096]
    if len(head) < 8:
        return False
    odd, even = head[1::2], head[0::2]
    return odd.count(0) > 0.9 * len(odd) or even.count(0) > 0.9 * len(even)


def _delimiter_problem(text: str, name: str) -> Problem | None:
    """A header row separated by semicolons or tabs (a spreadsheet set to another locale).

    Every template has several required columns, so a header without a comma but with two
    or more semicolons or tabs is one of those, whichever template it is."""
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    if "," in first:
        return None
    for sign, words in ((";", "semicolons (;)"), ("\t", "tabs")):
        if sum(bool(p.strip()) for p in first.split(sign)) >= 3:
            return _file_problem(
                name,
                f"the columns are separated by {words}; save the file as CSV with commas "
                "(in Excel: CSV UTF-8 (Comma delimited)); lists inside a cell use ;",
            )
    return None


def _too_many_rows(name: str, sheet: str = "") -> Problem:
    where = f"sheet {sheet!r} has a cell beyond row {MAX_ROWS:,}" if sheet else f"the file has over {MAX_ROWS:,} rows"
    return _past_limit(
        name,
        f"{where}; a file holds at most {MAX_ROWS:,} rows: delete what is below the activities, or split the file",
    )


def _looks_binary(data: bytes) -> bool:
    """Many control characters, or a zip: an image, a renamed workbook, not text."""
    head = data[:4096]
    if data.startswith(b"PK\x03\x04"):
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32 or b == 127)
    return bool(head) and controls / len(head) > 0.01


def _quote_field(text: str) -> int:
    """0-based index of the cell of the first record of ``text`` whose quote goes wrong."""
    index, in_quotes, at_start, i, opened = 0, False, True, 0, 0
    while i < len(text):
        ch = text[i]
        if in_quotes:
            if ch == '"':
                if text[i + 1 : i + 2] == '"':
                    i += 1
                else:
                    in_quotes = False
                    nxt = text[i + 1 : i + 2]
                    if nxt not in ("", ",", "\r", "\n"):
                        return index  # a quote closed in the middle of a cell
        elif ch == '"':
            if not at_start:
                return index
            in_quotes, opened = True, index
        elif ch == ",":
            index += 1
            at_start = True
            i += 1
            continue
        elif ch in "\r\n":
            return opened
        at_start = False
        i += 1
    return opened


def _header_name(header: list, index: int) -> str:
    if 0 <= index < len(header) and str(header[index] or "").strip():
        return str(header[index]).strip().lower()
    return f"(column {index + 1})"


def _encoding_problem(data: bytes, exc: UnicodeDecodeError, name: str) -> Problem:
    """Name the row and cell of the first byte that is not UTF-8."""
    prefix = data[: exc.start].decode("utf-8-sig", errors="replace")
    records = list(csv.reader(io.StringIO(prefix, newline="")))
    row = max(len(records), 1)
    if prefix.endswith(("\n", "\r")):
        row += 1
        col_index = 0
    else:
        col_index = len(records[-1]) - 1 if records else 0
    header = records[0] if records else []
    bad = data[exc.start : exc.start + 4]
    return Problem(
        name,
        row,
        _header_name(header, col_index),
        f"text is not UTF-8 (byte {bad[:1].hex(' ')} at offset {exc.start}); save the file as CSV UTF-8",
    )


def _read_xlsx(path: Path, name: str) -> tuple[list | None, list, list[Problem]]:
    """(header, [(row, cells)], problems) of the workbook's sheet of activities: the sheet
    open when the file was saved, or the first visible one; hidden sheets are never read.

    The sheet is read in read-only mode by its real cells, not the extent it claims (a 5 KB
    file can claim 17 billion cells), within MAX_ROWS, MAX_COLUMNS and MAX_CELLS. It is read
    twice, side by side: once for the values a spreadsheet saved, once for formulas, so a
    formula saved without its result is refused instead of becoming an empty cell.
    """
    import zipfile

    import openpyxl

    if big := _too_big(path, name):
        return None, [], [big]
    try:
        with zipfile.ZipFile(path) as z:
            unpacked = sum(i.file_size for i in z.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            return None, [], [_past_limit(
                name,
                f"the workbook unpacks to {unpacked / 2**20:,.0f} MB; at most {MAX_UNPACKED_BYTES // 2**20} MB are "
                "read: delete unused sheets and formatting, or split it",
            )]  # fmt: skip
        values = openpyxl.load_workbook(path, read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is refused with its reason
        return None, [], [_file_problem(name, f"is not a readable XLSX workbook ({type(exc).__name__})")]
    try:
        sheet, why = _activity_sheet(values)
        if sheet is None:
            return None, [], [_file_problem(name, why)]
        rows, problem = _sheet_rows(sheet, formulas[sheet.title], name)
    except Exception as exc:  # noqa: BLE001
        return None, [], [_file_problem(name, f"is not a readable XLSX workbook ({type(exc).__name__})")]
    finally:
        values.close()
        formulas.close()
    if problem:
        return None, [], [problem]
    if not rows or rows[0][0] != 1 or all(_blank(v) for v in rows[0][1]):
        return None, [], [_file_problem(
            name, f"sheet {sheet.title!r} is empty; its first row must name the template's columns"
        )]  # fmt: skip
    header = rows[0][1]
    body, problems = [], []
    for row_number, cells in rows[1:]:
        for i, cell in enumerate(cells):
            if isinstance(cell, _Uncalculated):
                problems.append(Problem(
                    name,
                    row_number,
                    _header_name(header, i),
                    f"is a formula ({cell.formula[:60]}) with no saved result; open the file in a spreadsheet "
                    "and save it again, or type the value",
                ))  # fmt: skip
        body.append((row_number, [None if isinstance(c, _Uncalculated) else c for c in cells]))
    return header, body, problems


@dataclass(frozen=True)
class _Uncalculated:
    """A formula cell whose result was never saved (the file came from a program that writes
    formulas but does not calculate them)."""

    formula: str


def _activity_sheet(wb):
    """(the sheet to read, None) or (None, why there is none)."""
    if not wb.worksheets:
        return None, "the workbook has no sheet"
    visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
    if not visible:
        return None, "every sheet of the workbook is hidden; show the sheet of activities and save"
    try:
        active = wb.active
    except IndexError:
        active = None
    return (active if active in visible else visible[0]), None


def _sheet_rows(values, formulas, name: str) -> tuple[list, Problem | None]:
    """[(row, cells)] of the sheet's rows that hold something (row 1 always), trailing empty
    cells dropped; or the limit the sheet goes past."""
    from openpyxl.utils import get_column_letter

    for ws in (values, formulas):
        ws.reset_dimensions()  # read the cells there are, not the extent the file claims
    rows: list[tuple[int, list]] = []
    spanned = 0
    pairs = zip(values.iter_rows(values_only=True), formulas.iter_rows(values_only=True))
    for index, (vals, forms) in enumerate(pairs, start=1):
        if index > MAX_ROWS:
            return [], _too_many_rows(name, values.title)
        spanned += len(vals)
        if spanned > MAX_CELLS:
            return [], _past_limit(
                name,
                f"sheet {values.title!r} spans over {MAX_CELLS:,} cells (row {index:,} reaches column "
                f"{get_column_letter(len(vals))}); delete the unused columns and rows, or split the file",
            )
        cells = [
            _Uncalculated(f) if v is None and isinstance(f, str) and f.startswith("=") else v
            for v, f in zip(vals, forms)
        ]
        while cells and _blank(cells[-1]):
            cells.pop()
        if len(cells) > MAX_COLUMNS:
            return [], _past_limit(
                name,
                f"sheet {values.title!r} has a cell beyond column {MAX_COLUMNS} ({get_column_letter(len(cells))}"
                f"{index}); the template has {len(TEMPLATE_NAMES)} columns: delete what is to their right",
            )
        if cells or index == 1:
            rows.append((index, cells))
    return rows, None


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- cells to typed values -----------------------------------------------------------------


@lru_cache(maxsize=1)
def _iso2_to_iso3() -> dict[str, str]:
    df = reference.countries()
    return {r.iso2: r.iso3 for r in df.itertuples() if r.iso2}


def _text(value) -> str | None:
    if _blank(value):
        return None
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _split(value) -> list[str]:
    text = _text(value)
    if text is None:
        return []
    out: list[str] = []
    for part in text.split(";"):
        part = part.strip()
        if part and part not in out:  # a code listed twice means it once
            out.append(part)
    return out


def _date(value) -> tuple[date | None, str | None]:
    if _blank(value):
        return None, None
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    if isinstance(value, (int, float)):
        return None, f"{value!r} is a number, not a date; format the cell as a date or write YYYY-MM-DD"
    text = str(value).strip()
    if not _DATE.fullmatch(text):
        return None, f"{text!r} is not a date; write YYYY-MM-DD (for example 2024-03-31)"
    try:
        return date.fromisoformat(text), None
    except ValueError:
        return None, f"{text!r} is not a real calendar date"


def _number(value) -> tuple[float | None, str | None]:
    if _blank(value):
        return None, None
    if isinstance(value, bool):
        return None, f"{value!r} is not a number"
    if isinstance(value, (int, float)):
        if value < 0:
            return None, f"is negative ({value}); a budget is 0 or more"
        return float(value), None
    text = str(value).strip()
    if _NUMBER.fullmatch(text):
        return float(text), None
    if text.startswith("-") and _NUMBER.fullmatch(text[1:]):
        return None, f"is negative ({text}); a budget is 0 or more"
    plain = text.replace(",", "").replace(" ", "").replace("\u00a0", "")
    if _NUMBER.fullmatch(plain):
        return None, f"{text!r} has thousands separators; write plain digits such as {plain}"
    return None, f"{text!r} is not a number; write plain digits with an optional decimal point (e.g. 250000.50)"


def _upper(code: str) -> str:
    """A code in capitals, changing ASCII letters only: Unicode's case rules turn "ß" into
    "SS" (South Sudan once alpha-3 is looked up) and "ﬁ" into "FI" (Finland). Codes are ASCII,
    so anything else is left as typed and refused as an unknown code."""
    return code.upper() if code.isascii() else code


def _lower(code: str) -> str:
    return code.lower() if code.isascii() else code


def status_from_dates(start: date | None, end: date | None, today: date) -> str | None:
    if start is None:
        return None
    if start > today:
        return "pipeline"
    if end is not None and end < today:
        return "completed"
    return "active"


def parse_cells(cells: dict[str, object], template: tuple[Column, ...]) -> tuple[dict, dict[str, str]]:
    """One template row (column -> raw cell) as typed values by the columns' kinds, and
    {column: parse error}. Only what a cell's text can get wrong is checked here (dates,
    numbers, years); every rule about values is in the template's ``sql/*_problems.sql``."""
    errors: dict[str, str] = {}
    row: dict[str, object] = {}
    iso3 = _iso2_to_iso3()
    for col in template:
        name, kind, raw = col.name, col.kind, cells.get(col.name)
        if kind in ("text", "link"):
            row[name] = _text(raw)
        elif kind in ("agency",):
            row[name] = _upper(_text(raw) or "") or None
        elif kind in ("scope", "status", "level", "code"):
            row[name] = _lower(_text(raw) or "") or None
        elif kind == "place":
            code = _upper(_text(raw) or "") or None
            if code == "ONLINE":
                code = "online"
            row[name] = iso3.get(code, code) if code and len(code) == 2 else code
        elif kind == "agencies":
            row[name] = list(dict.fromkeys(_upper(p) for p in _split(raw)))
        elif kind == "countries":
            codes = [_upper(p) for p in _split(raw)]
            row[name] = list(dict.fromkeys(iso3.get(c, c) if len(c) == 2 else c for c in codes))
        elif kind == "codes":
            row[name] = list(dict.fromkeys(_lower(p) for p in _split(raw)))
        elif kind in ("list", "regions"):
            row[name] = _regions(_split(raw)) if kind == "regions" else _split(raw)
        elif kind == "date":
            row[name], err = _date(raw)
            if err:
                errors[name] = err
        elif kind == "number":
            row[name], err = _number(raw)
            if err:
                errors[name] = err
        elif kind == "year":
            row[name], err = _year(raw)
            if err:
                errors[name] = err
    return row, errors


def _year(value) -> tuple[int | None, str | None]:
    if _blank(value):
        return None, None
    if isinstance(value, (datetime, date)):
        return value.year, None
    text = _text(value)
    if re.fullmatch(r"\d{4}", text):
        return int(text), None
    return None, f"{text!r} is not a year; write four digits such as 2006"


@lru_cache(maxsize=1)
def _region_names() -> dict[str, str]:
    names = reference.regions() + reference.sub_regions()
    return {n.casefold(): n for n in names}


def _regions(values: list[str]) -> list[str]:
    """Region names as the reference spells them (``south-eastern asia`` -> ``South-eastern Asia``)."""
    names = _region_names()
    # ASCII only, like codes (_upper): Unicode case folding would read "ß" as "ss"
    return list(dict.fromkeys(names.get(v.casefold(), v) if v.isascii() else v for v in values))


@dataclass(frozen=True)
class Sharing:
    """A submission's default sharing levels; a row's own cells override them.

    An empty ``budget_visibility`` cell takes ``budget`` but never more widely than the row's
    own visibility, so a default of public budgets cannot publish the budget of an activity
    the row shares with members only.
    """

    visibility: str = DEFAULT_LEVEL
    budget: str | None = None  # None: the same as each row's visibility

    def apply(self, act: dict) -> None:
        act["visibility"] = act["visibility"] or self.visibility
        if act["budget_visibility"] is None:
            wanted = self.budget or act["visibility"]
            narrowest = max((wanted, act["visibility"]), key=lambda v: LEVELS.index(v) if v in LEVELS else -1)
            act["budget_visibility"] = narrowest


def parse_row(cells: dict[str, object], *, today: date, sharing: Sharing = Sharing()) -> tuple[dict, dict[str, str]]:
    """One activity template row (column -> raw cell) as an activity dict, and {column: parse error}.

    Only what a cell's text can get wrong is checked here (dates, numbers); every rule about
    values (codes, scope, uniqueness...) is in sql/activity_problems.sql, shared with validate.
    Empty sharing cells take the submission's defaults (``sharing``).
    """
    act, errors = parse_cells(cells, TEMPLATE)
    if act["status"] is None:
        act["status"] = status_from_dates(act["start_date"], act["end_date"], today)
        if act["status"] is None:  # no start date: that problem is reported on start_date
            errors.setdefault("status", "")
    sharing.apply(act)
    act["is_joint"] = bool(act["partner_agencies"])
    return act, errors


def submitted_rows(template: tuple[Column, ...]) -> Callable[[dict, date], tuple[dict, dict[str, str]]]:
    """How a row of ``template`` becomes a record: typed cells, and real (``is_synthetic`` false),
    since an agency's submission describes real resources or events (the demo marks its own)."""

    def parse(cells: dict, today: date, sharing: Sharing | None = None) -> tuple[dict, dict[str, str]]:
        row, errors = parse_cells(cells, template)
        row["visibility"] = row.get("visibility") or DEFAULT_LEVEL  # never public unless the row says so
        row["is_synthetic"] = False
        return row, errors

    return parse


@dataclass(frozen=True)
class Sheet:
    """One kind of submission: its template, how a row becomes a record, the rules it must
    keep and where it lands in the export. Activities, resources and events are each one."""

    noun: str  # plural, as a person says it: "activities"
    one: str  # and one of them: "activity"
    id_column: str
    template: tuple[Column, ...]
    file: str  # the export file it merges into
    schema: pa.Schema
    #: (cells, today, the submission's sharing defaults or None) -> (record, {column: parse error})
    parse: Callable[[dict, date, Sharing | None], tuple[dict, dict[str, str]]]
    problems: Callable[[duckdb.DuckDBPyConnection], list[Problem]]
    order: dict[str, int]
    source_entry: dict
    #: the derived files written beside it (the activities' link tables)
    derived: Callable[[pa.Table], dict[str, pa.Table]] | None = None
    #: brings a stored file written before a contract change up to the current columns
    upgrade: Callable[[pa.Table], pa.Table] | None = None
    #: computed columns compared, besides the template's, to tell an update from no change
    compared_extra: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.template)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.template if c.required)

    @property
    def compared(self) -> tuple[str, ...]:
        return (*self.names, *self.compared_extra)


ACTIVITIES = Sheet(
    noun="activities",
    one="activity",
    id_column="activity_id",
    template=TEMPLATE,
    file="activities.parquet",
    schema=ACTIVITIES_SCHEMA,
    parse=lambda cells, today, sharing: parse_row(cells, today=today, sharing=sharing or Sharing()),
    problems=activity_problems,
    order=COLUMN_ORDER,
    source_entry=SOURCE_ENTRY,
    derived=export.link_tables,
    upgrade=lambda table: with_optional_columns(export.with_sharing_levels(table)),
    compared_extra=("is_joint",),
)


def library_sheet(
    one: str,
    template: tuple[Column, ...],
    problems: Callable[[duckdb.DuckDBPyConnection], list[Problem]],
    order: dict[str, int],
    source_entry: dict,
) -> Sheet:
    """A sheet of the resource library or the events calendar (``one``: "resource", "event"):
    identified by ONE_id, merged into ONES.parquet with the contract's schema, each row parsed
    by its template, given the default sharing level when stored without one."""
    file = f"{one}s.parquet"
    return Sheet(
        noun=f"{one}s",
        one=one,
        id_column=f"{one}_id",
        template=template,
        file=file,
        schema=EXPORT_FILES[file],
        parse=submitted_rows(template),
        problems=problems,
        order=order,
        source_entry={**source_entry, "used_for": file},
        upgrade=lambda table: export.with_sharing_levels(table, SHARING_COLUMNS_OF[file]),
        compared_extra=("is_synthetic",),
    )


# --- a submission: files -> checked activities ----------------------------------------------


def _header_problems(
    name: str, header: list, names: tuple[str, ...] = TEMPLATE_NAMES, required: tuple[str, ...] = REQUIRED
) -> tuple[dict[int, str], list[Problem]]:
    """Column position -> template column, and what is wrong with the header row."""
    problems, positions, seen = [], {}, {}
    for i, cell in enumerate(header):
        col = _text(cell)
        if col is None:
            continue  # a blank header cell: its cells must be blank too (checked per row)
        key = col.lower()
        if key not in names:
            close = difflib.get_close_matches(key, names, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; the template's columns are {', '.join(names)}"
            problems.append(Problem(name, 1, col, "unknown column" + hint))
        elif key in seen:
            problems.append(Problem(name, 1, col, f"column appears twice (also column {seen[key] + 1})"))
        else:
            seen[key] = i
            positions[i] = key
    for req in required:
        if req not in seen:
            problems.append(Problem(name, 1, req, "required column is missing"))
    return positions, problems


def read_submission(
    paths: list[Path], *, today: date | None = None, sharing: Sharing = Sharing()
) -> tuple[list[dict], list[Problem]]:
    """Every activity of the files, normalised, and every problem (empty when all is well)."""
    return read_rows(paths, ACTIVITIES, today=today, sharing=sharing)


def read_rows(
    paths: list[Path], sheet: Sheet, *, today: date | None = None, sharing: Sharing | None = None
) -> tuple[list[dict], list[Problem]]:
    """Every row of the files in ``sheet``'s template, normalised, and every problem (empty when all is well)."""
    today = today or datetime.now(UTC).date()
    problems: list[Problem] = []
    rows: list[dict] = []
    suppressed: set[tuple[str, int, str]] = set()
    for path in paths:
        name = path.name
        if not path.exists():
            problems.append(Problem(str(path), 0, "-", "no such file"))
            continue
        if not path.is_file():
            problems.append(Problem(str(path), 0, "-", "is not a file"))
            continue
        suffix = path.suffix.lower()
        if suffix not in SUFFIXES:
            problems.append(
                Problem(name, 0, "-", f"unsupported file type {suffix or '(none)'}; give a .csv or .xlsx file")
            )
            continue
        header, body, file_problems = (_read_csv if suffix == ".csv" else _read_xlsx)(path, name)
        problems += file_problems
        if header is None:
            continue
        positions, head_problems = _header_problems(name, header, sheet.names, sheet.required)
        problems += head_problems
        if head_problems:
            continue  # every row would repeat the header's problem
        n_data = 0
        for row_number, cells in body:
            if all(_blank(v) for v in cells):
                continue  # blank lines between rows are harmless
            n_data += 1
            named = {}
            for i, value in enumerate(cells):
                if isinstance(value, str) and len(value) > MAX_CELL_CHARACTERS:
                    col = positions.get(i) or _header_name(header, i)
                    suppressed.add((name, row_number, col))
                    problems.append(Problem(
                        name,
                        row_number,
                        col,
                        f"is {len(value):,} characters long; a cell holds at most {MAX_CELL_CHARACTERS:,} "
                        "(as in a spreadsheet)",
                    ))  # fmt: skip
                    value = value[:MAX_CELL_CHARACTERS]
                if i in positions:
                    named[positions[i]] = value
                elif not _blank(value):
                    col = _header_name(header, i)
                    problems.append(Problem(name, row_number, col, "has a value but its column has no name in row 1"))
            act, errors = sheet.parse(named, today, sharing)
            for col, message in errors.items():
                suppressed.add((name, row_number, col))
                if message:
                    problems.append(Problem(name, row_number, col, message))
            act.update(source_file=name, imported_at=None, _file=name, _row=row_number, _ord=len(rows))
            rows.append(act)
        if n_data == 0:
            what = f"no rows: the header row has no {sheet.one} below it; fill in one row per {sheet.one} from row 2"
            problems.append(Problem(name, 2, "-", what))
    if rows:
        checked_schema = sheet.schema
        for extra, typ in (("_file", pa.string()), ("_row", pa.int64()), ("_ord", pa.int64())):
            checked_schema = checked_schema.append(pa.field(extra, typ))
        table = pa.Table.from_pylist(rows, schema=checked_schema)
        con = duckdb.connect(":memory:")
        try:
            # a registered Arrow table is visible to this connection only, not its cursors
            con.register("incoming", table)
            con.execute("CREATE TABLE checked AS SELECT * FROM incoming")
            found = sheet.problems(con)
        finally:
            con.close()
        problems += [p for p in found if (p.file, p.row, p.column) not in suppressed]
    order = {p.name if p.exists() else str(p): i for i, p in enumerate(paths)}
    problems.sort(key=lambda p: (order.get(p.file, -1), p.row, sheet.order.get(p.column, -1)))
    for r in rows:
        for key in ("_file", "_row", "_ord"):
            r.pop(key)
    return rows, problems


# --- merging into the export ----------------------------------------------------------------


def _read_existing(data_dir: Path, sheet: Sheet = ACTIVITIES) -> list[dict]:
    path = export.current_dir(data_dir) / sheet.file
    if not path.exists():
        return []
    table = pq.read_table(path)
    if sheet.upgrade is not None:
        table = sheet.upgrade(table)
    return table.select(sheet.schema.names).cast(sheet.schema).to_pylist()


def merge(
    existing: list[dict], incoming: list[dict], now: datetime, sheet: Sheet = ACTIVITIES
) -> tuple[list[dict], ImportResult]:
    """Existing rows with the incoming ones inserted or updated; nothing is deleted.

    An incoming row equal to the stored one keeps the stored row (and its imported_at),
    so importing the same file twice changes nothing.
    """
    result = ImportResult()
    out = list(existing)
    key, compared = sheet.id_column, sheet.compared
    where = {a[key]: i for i, a in enumerate(out)}
    for act in incoming:
        i = where.get(act[key])
        if i is not None and all(out[i][k] == act[k] for k in compared):
            result.unchanged += 1
            continue
        new = {**act, "imported_at": now}
        if i is None:
            where[act[key]] = len(out)
            out.append(new)
            result.inserted += 1
        else:
            out[i] = new
            result.updated += 1
    return out, result


def import_activities(
    paths: list[Path], data_dir: Path, *, now: datetime | None = None, sharing: Sharing = Sharing()
) -> ImportResult:
    """Check the files and merge them into the export; raises :class:`Refused` on any problem."""
    return import_rows(paths, data_dir, ACTIVITIES, now=now, sharing=sharing)


def import_rows(
    paths: list[Path], data_dir: Path, sheet: Sheet, *, now: datetime | None = None, sharing: Sharing | None = None
) -> ImportResult:
    """Check the files in ``sheet``'s template and merge them into the export; raises
    :class:`Refused` on any problem, leaving the export as it was."""
    now = now or datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    incoming, problems = read_rows([Path(p) for p in paths], sheet, today=now.date(), sharing=sharing)
    if problems:
        raise Refused(problems)
    data_dir = Path(data_dir)
    with export.export_lock(data_dir):  # held from read to write: a concurrent import waits
        try:
            existing = _read_existing(data_dir, sheet)
        except export.ExportError:
            raise
        except Exception as exc:  # noqa: BLE001 - a damaged export is reported, never overwritten
            path = export.current_dir(data_dir) / sheet.file
            raise export.DamagedExport(path, f"cannot be read as parquet ({exc})", data_dir) from exc
        merged, result = merge(existing, incoming, now, sheet)
        result.files = [Path(p).name for p in paths]
        if result.inserted == 0 and result.updated == 0:
            return result
        table = pa.Table.from_pylist(merged, schema=sheet.schema)
        manifest = export.read_manifest(data_dir)
        entry = sheet.source_entry
        sources = [s for s in manifest.get("sources", []) if not (isinstance(s, dict) and s.get("id") == entry["id"])]
        last = {
            "at": now.isoformat(timespec="seconds") + "Z",
            "files": result.files,
            "inserted": result.inserted,
            "updated": result.updated,
            "unchanged": result.unchanged,
        }
        if sheet is not ACTIVITIES:
            last["into"] = sheet.file
        update = {"sources": [*sources, entry], "last_import": last}
        # Real submissions into an export without activities make it real data; merged into a
        # synthetic demo export they do not make the demo rows real, so the flag stays.
        # (Resources and events say row by row whether they are synthetic: is_synthetic.)
        if sheet is ACTIVITIES and not existing:
            update["synthetic"] = False
        tables = {sheet.file: table, **(sheet.derived(table) if sheet.derived else {})}
        export.write_export(
            data_dir,
            tables,
            update,
            locked=True,
            made_by=f"import {', '.join(result.files)}",
            now=now.replace(tzinfo=UTC),
        )
        result.written = True
        return result


# --- command line ---------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser, what: str = "activity") -> None:
    parser.add_argument("files", nargs="*", metavar="FILE", help=f"CSV or XLSX files in the {what} template")
    parser.add_argument("--data", help="the export directory (default: $ICAT_DATA_DIR or data/demo/)")
    parser.add_argument("--undo", action="store_true", help="put back the export as it was before the last import")
    if what != "activity":
        return
    parser.add_argument(
        "--visibility",
        choices=LEVELS,
        default=DEFAULT_LEVEL,
        help=f"who may see the activities whose visibility cell is empty (default: {DEFAULT_LEVEL})",
    )
    parser.add_argument(
        "--budget-visibility",
        choices=LEVELS,
        help="who may see the budgets whose budget_visibility cell is empty (default: as the activity; "
        "never wider than the activity)",
    )


def print_problems(problems: list[Problem], stream=None) -> None:
    stream = stream or sys.stderr
    for p in problems[:MAX_LISTED]:
        print(p, file=stream)
    if len(problems) > MAX_LISTED:
        print(f"... and {len(problems) - MAX_LISTED} more problem(s)", file=stream)
    print(f"refused: {len(problems)} problem(s); the export was not changed", file=stream)


def undo(directory: Path, given: list) -> int:
    """``--undo`` of an import command: exit status 0 restored, 1 nothing to undo, 2 files given too."""
    if given:
        print("--undo takes no files", file=sys.stderr)
        return 2
    restored = export.undo_last_import(directory)
    if not restored:
        print(f"nothing to undo in {directory}", file=sys.stderr)
        return 1
    print(f"restored the previous version of {', '.join(restored)}")
    return 0


def run(args: argparse.Namespace, sheet: Sheet = ACTIVITIES) -> int:
    directory = resolve_data_dir(args.data)
    if args.undo:
        return undo(directory, args.files)
    if not args.files:
        print("give one or more CSV or XLSX files to import (or --undo)", file=sys.stderr)
        return 2
    try:
        sharing = Sharing(args.visibility, args.budget_visibility) if sheet is ACTIVITIES else None
        result = import_rows([Path(f) for f in args.files], directory, sheet, sharing=sharing)
    except Refused as refused:
        print_problems(refused.problems)
        return 1
    if not result.written:
        print(f"no changes: {result.summary()}")
    else:
        print(f"{result.summary()} into {directory}")
    return 0
