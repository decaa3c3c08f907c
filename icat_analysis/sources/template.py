"""``import-activities FILE... [--data DIR]``: agency submissions into the export.

A submission is a CSV (UTF-8) or XLSX (first sheet) file in the activity template of
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
    LEVELS,
    REQUIRED,
    TEMPLATE,
    TEMPLATE_NAMES,
)
from icat_analysis.store.validate import COLUMN_ORDER, Problem, activity_problems

#: at most this many problems are printed; the rest are counted
MAX_LISTED = 100
SUFFIXES = (".csv", ".xlsx")
SOURCE_ENTRY = {
    "id": "agency-activity-submissions",
    "name": "ICAT member agency activity submissions",
    "citation": "Activities reported by ICAT member agencies in the ICAT activity template "
    "(import-activities); each activity keeps the name of the file it came from in source_file.",
}

_KIND = {c.name: c.kind for c in TEMPLATE}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NUMBER = re.compile(r"(\d+(\.\d*)?|\.\d+)")
_CHECKED_SCHEMA = ACTIVITIES_SCHEMA.append(pa.field("_file", pa.string())).append(pa.field("_row", pa.int64()))
_CHECKED_SCHEMA = _CHECKED_SCHEMA.append(pa.field("_ord", pa.int64()))

csv.field_size_limit(16 * 1024 * 1024)  # long descriptions are legitimate


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


def _read_csv(path: Path, name: str) -> tuple[list | None, list, list[Problem]]:
    """(header, [(row, cells)], problems) of a CSV file; header None when unreadable."""
    data = path.read_bytes()
    if _looks_binary(data):
        return None, [], [_file_problem(name, "is not a CSV text file (it contains binary data); save it as CSV UTF-8")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [], [_encoding_problem(data, exc, name)]
    if not text.strip():
        return None, [], [_file_problem(name, "the file is empty; the first row must name the template's columns")]
    lines = list(io.StringIO(text, newline=""))
    reader = csv.reader(lines, strict=True)
    records: list[tuple[int, list[str]]] = []
    last_end = 0  # physical lines consumed by the complete records
    try:
        for record in reader:
            records.append((len(records) + 1, record))
            last_end = reader.line_num
    except csv.Error as exc:
        row = len(records) + 1  # the record that failed starts on the row after the last good one
        col_index = _quote_field("".join(lines[last_end:]))
        header = records[0][1] if records else []
        column = _header_name(header, col_index)
        what = "a quote opened here is never closed" if "unexpected end of data" in str(exc) else f"bad quoting ({exc})"
        return None, [], [Problem(name, row, column, what + '; a quote inside a cell is written as ""')]
    header, body = records[0][1], records[1:]
    return header, body, []


def _looks_binary(data: bytes) -> bool:
    """NUL bytes or many control characters: an image, a zip, a renamed workbook, not text."""
    head = data[:4096]
    if b"\x00" in head or data.startswith(b"PK\x03\x04"):
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
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is refused with its reason
        return None, [], [_file_problem(name, f"is not a readable XLSX workbook ({type(exc).__name__})")]
    try:
        if not wb.worksheets:
            return None, [], [_file_problem(name, "the workbook has no sheet")]
        rows = [(i, list(r)) for i, r in enumerate(wb.worksheets[0].iter_rows(values_only=True), start=1)]
    except Exception as exc:  # noqa: BLE001
        return None, [], [_file_problem(name, f"is not a readable XLSX workbook ({type(exc).__name__})")]
    finally:
        wb.close()
    if not rows or all(_blank(v) for v in rows[0][1]):
        return (
            None,
            [],
            [_file_problem(name, "the first sheet is empty; its first row must name the template's columns")],
        )
    return rows[0][1], rows[1:], []


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


def _status(start: date | None, end: date | None, today: date) -> str | None:
    if start is None:
        return None
    if start > today:
        return "pipeline"
    if end is not None and end < today:
        return "completed"
    return "active"


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
    """One template row (column -> raw cell) as an activity dict, and {column: parse error}.

    Only what a cell's text can get wrong is checked here (dates, numbers); every rule about
    values (codes, scope, uniqueness...) is in sql/activity_problems.sql, shared with validate.
    Empty sharing cells take the submission's defaults (``sharing``).
    """
    errors: dict[str, str] = {}
    act: dict[str, object] = {}
    iso3 = _iso2_to_iso3()
    for name in TEMPLATE_NAMES:
        kind, raw = _KIND[name], cells.get(name)
        if kind == "text":
            act[name] = _text(raw)
        elif kind in ("agency",):
            act[name] = (_text(raw) or "").upper() or None
        elif kind in ("scope", "status", "level"):
            act[name] = (_text(raw) or "").lower() or None
        elif kind == "agencies":
            act[name] = list(dict.fromkeys(p.upper() for p in _split(raw)))
        elif kind == "countries":
            codes = [p.upper() for p in _split(raw)]
            act[name] = list(dict.fromkeys(iso3.get(c, c) if len(c) == 2 else c for c in codes))
        elif kind == "codes":
            act[name] = list(dict.fromkeys(p.lower() for p in _split(raw)))
        elif kind == "list":
            act[name] = _split(raw)
        elif kind == "date":
            act[name], err = _date(raw)
            if err:
                errors[name] = err
        elif kind == "number":
            act[name], err = _number(raw)
            if err:
                errors[name] = err
    if act["status"] is None:
        act["status"] = _status(act["start_date"], act["end_date"], today)
        if act["status"] is None:  # no start date: that problem is reported on start_date
            errors.setdefault("status", "")
    sharing.apply(act)
    act["is_joint"] = bool(act["partner_agencies"])
    return act, errors


# --- a submission: files -> checked activities ----------------------------------------------


def _header_problems(name: str, header: list) -> tuple[dict[int, str], list[Problem]]:
    """Column position -> template column, and what is wrong with the header row."""
    problems, positions, seen = [], {}, {}
    for i, cell in enumerate(header):
        col = _text(cell)
        if col is None:
            continue  # a blank header cell: its cells must be blank too (checked per row)
        key = col.lower()
        if key not in TEMPLATE_NAMES:
            close = difflib.get_close_matches(key, TEMPLATE_NAMES, n=1)
            hint = (
                f"; did you mean {close[0]!r}?"
                if close
                else f"; the template's columns are {', '.join(TEMPLATE_NAMES)}"
            )
            problems.append(Problem(name, 1, col, "unknown column" + hint))
        elif key in seen:
            problems.append(Problem(name, 1, col, f"column appears twice (also column {seen[key] + 1})"))
        else:
            seen[key] = i
            positions[i] = key
    for req in REQUIRED:
        if req not in seen:
            problems.append(Problem(name, 1, req, "required column is missing"))
    return positions, problems


def read_submission(
    paths: list[Path], *, today: date | None = None, sharing: Sharing = Sharing()
) -> tuple[list[dict], list[Problem]]:
    """Every activity of the files, normalised, and every problem (empty when all is well)."""
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
        positions, head_problems = _header_problems(name, header)
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
                if i in positions:
                    named[positions[i]] = value
                elif not _blank(value):
                    col = _header_name(header, i)
                    problems.append(Problem(name, row_number, col, "has a value but its column has no name in row 1"))
            act, errors = parse_row(named, today=today, sharing=sharing)
            for col, message in errors.items():
                suppressed.add((name, row_number, col))
                if message:
                    problems.append(Problem(name, row_number, col, message))
            act.update(source_file=name, imported_at=None, _file=name, _row=row_number, _ord=len(rows))
            rows.append(act)
        if n_data == 0:
            problems.append(Problem(name, 2, "-", "the file has a header row but no activities"))
    if rows:
        table = pa.Table.from_pylist(rows, schema=_CHECKED_SCHEMA)
        con = duckdb.connect(":memory:")
        try:
            # a registered Arrow table is visible to this connection only, not its cursors
            con.register("incoming", table)
            con.execute("CREATE TABLE checked AS SELECT * FROM incoming")
            found = activity_problems(con)
        finally:
            con.close()
        problems += [p for p in found if (p.file, p.row, p.column) not in suppressed]
    order = {p.name if p.exists() else str(p): i for i, p in enumerate(paths)}
    problems.sort(key=lambda p: (order.get(p.file, -1), p.row, COLUMN_ORDER.get(p.column, -1)))
    for r in rows:
        for key in ("_file", "_row", "_ord"):
            r.pop(key)
    return rows, problems


# --- merging into the export ----------------------------------------------------------------

_COMPARED = (*TEMPLATE_NAMES, "is_joint")


def _read_existing(data_dir: Path) -> list[dict]:
    path = export.current_dir(data_dir) / "activities.parquet"
    if not path.exists():
        return []
    table = export.with_sharing_levels(pq.read_table(path))
    return table.select(ACTIVITIES_SCHEMA.names).cast(ACTIVITIES_SCHEMA).to_pylist()


def merge(existing: list[dict], incoming: list[dict], now: datetime) -> tuple[list[dict], ImportResult]:
    """Existing activities with the incoming ones inserted or updated; nothing is deleted.

    An incoming activity equal to the stored one keeps the stored row (and its imported_at),
    so importing the same file twice changes nothing.
    """
    result = ImportResult()
    out = list(existing)
    where = {a["activity_id"]: i for i, a in enumerate(out)}
    for act in incoming:
        i = where.get(act["activity_id"])
        if i is not None and all(out[i][k] == act[k] for k in _COMPARED):
            result.unchanged += 1
            continue
        new = {**act, "imported_at": now}
        if i is None:
            where[act["activity_id"]] = len(out)
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
    now = now or datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    incoming, problems = read_submission([Path(p) for p in paths], today=now.date(), sharing=sharing)
    if problems:
        raise Refused(problems)
    data_dir = Path(data_dir)
    with export.export_lock(data_dir):  # held from read to write: a concurrent import waits
        try:
            existing = _read_existing(data_dir)
        except export.ExportError:
            raise
        except Exception as exc:  # noqa: BLE001 - a damaged export is reported, never overwritten
            path = export.current_dir(data_dir) / "activities.parquet"
            raise export.DamagedExport(path, f"cannot be read as parquet ({exc})", data_dir) from exc
        merged, result = merge(existing, incoming, now)
        result.files = [Path(p).name for p in paths]
        if result.inserted == 0 and result.updated == 0:
            return result
        table = pa.Table.from_pylist(merged, schema=ACTIVITIES_SCHEMA)
        manifest = export.read_manifest(data_dir)
        sources = [
            s for s in manifest.get("sources", []) if not (isinstance(s, dict) and s.get("id") == SOURCE_ENTRY["id"])
        ]
        update = {
            "sources": [*sources, SOURCE_ENTRY],
            "last_import": {
                "at": now.isoformat(timespec="seconds") + "Z",
                "files": result.files,
                "inserted": result.inserted,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
        }
        # Real submissions into an export without activities make it real data; merged into a
        # synthetic demo export they do not make the demo rows real, so the flag stays.
        if not existing:
            update["synthetic"] = False
        export.write_export(
            data_dir,
            {"activities.parquet": table, **export.link_tables(table)},
            update,
            locked=True,
            made_by=f"import-activities {', '.join(result.files)}",
        )
        result.written = True
        return result


# --- command line ---------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="*", metavar="FILE", help="CSV or XLSX files in the activity template")
    parser.add_argument("--data", help="the export directory (default: $ICAT_DATA_DIR or data/demo/)")
    parser.add_argument("--undo", action="store_true", help="put back the export as it was before the last import")
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


def run(args: argparse.Namespace) -> int:
    directory = resolve_data_dir(args.data)
    if args.undo:
        if args.files:
            print("--undo takes no files", file=sys.stderr)
            return 2
        restored = export.undo_last_import(directory)  # a damaged version is refused (exit 1, cli.py)
        if not restored:
            print(f"nothing to undo in {directory}", file=sys.stderr)
            return 1
        print(f"restored the previous version of {', '.join(restored)} ({export.export_version(directory)} is current)")
        return 0
    if not args.files:
        print("give one or more CSV or XLSX files to import (or --undo)", file=sys.stderr)
        return 2
    try:
        sharing = Sharing(args.visibility, args.budget_visibility)
        result = import_activities([Path(f) for f in args.files], directory, sharing=sharing)
    except Refused as refused:
        print_problems(refused.problems)
        return 1
    if not result.written:
        print(f"no changes: {result.summary()}")
    else:
        print(f"{result.summary()} into {directory}")
    return 0
