"""``template --out FILE.xlsx|FILE.csv``: the blank activity template an agency fills in.

The workbook has three sheets. **Activities** comes first, because ``import-activities``
reads the first sheet: the header row of the contract (docs/SCHEMA.md) and a dropdown on
every coded column, whose choices are the codes of the **Code lists** sheet. A column that
takes one code (lead agency, scope, status, sharing level) refuses anything else; a column
that takes several (partner agencies, countries, themes ...) offers the list but accepts
several codes separated by ``;``, since a dropdown picks only one. **Instructions** says how
to fill each column. The CSV version is the header row alone.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from icat_analysis import reference
from icat_analysis.store.contract import TEMPLATE, Column

ACTIVITIES_SHEET = "Activities"
INSTRUCTIONS_SHEET = "Instructions"
CODES_SHEET = "Code lists"
#: rows of the Activities sheet that carry the dropdowns (an agency reports far fewer)
VALIDATED_ROWS = 5000
#: kinds of column that take several values in one cell, separated by ";"
MULTI_KINDS = ("agencies", "countries", "codes", "list")
SUFFIXES = (".xlsx", ".csv")

_KIND_WORDS = {
    "text": "text",
    "agency": "one agency code",
    "agencies": "agency codes, separated by ;",
    "scope": "one code",
    "countries": "country codes (ISO 3166-1 alpha-3 or alpha-2), separated by ;",
    "date": "a date, YYYY-MM-DD (or a date cell)",
    "status": "one code",
    "number": "a number, no thousands separators",
    "codes": "codes, separated by ;",
    "list": "text values, separated by ;",
    "level": "one code",
}


def choices(column: Column) -> list[tuple[str, str]] | None:
    """(code, label) a coded column takes, in the reference's order; None for a free column."""
    if column.kind in ("agency", "agencies"):
        names = reference.labels("agency")
        return [(c, names.get(c, c)) for c in reference.agency_codes()]
    if column.kind == "countries":
        names = reference.labels("country")
        return [(c, names.get(c, c)) for c in reference.country_codes()]
    if column.codelist:
        names = reference.labels(column.codelist)
        return [(c, names.get(c, c)) for c in reference.codes(column.codelist)]
    return None


def coded_columns() -> list[Column]:
    """The template columns that take codes (each gets a dropdown)."""
    return [c for c in TEMPLATE if choices(c) is not None]


def _instructions() -> list[tuple[str, str, str, str]]:
    rows = []
    for c in TEMPLATE:
        takes = _KIND_WORDS.get(c.kind, c.kind)
        if choices(c) is not None:
            takes += f" from the dropdown (sheet '{CODES_SHEET}')"
        rows.append((c.name, "yes" if c.required else "", takes, c.description))
    return rows


INTRO = (
    "One row per activity on the sheet 'Activities', from row 2; keep row 1 as it is.",
    "Required columns must be filled in; the others may stay empty.",
    "Coded columns have a dropdown. Where a column takes several codes, type them separated by ; "
    "(for example IOM;UNICEF or prevention;protection).",
    "Import with: python -m icat_analysis import-activities FILE.xlsx --data DIR "
    "(every row is checked first; nothing changes if one is wrong).",
)


def build_xlsx() -> bytes:
    """The blank template as an XLSX workbook (Activities, Instructions, Code lists)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = ACTIVITIES_SHEET
    wb.create_sheet(INSTRUCTIONS_SHEET)
    codes_ws = wb.create_sheet(CODES_SHEET)
    bold, required_fill = Font(bold=True), PatternFill("solid", fgColor="FFF2CC")

    # Code lists: a code column and a label column for each coded template column.
    ranges: dict[str, str] = {}
    for i, column in enumerate(coded_columns()):
        code_col, label_col = get_column_letter(2 * i + 1), get_column_letter(2 * i + 2)
        values = choices(column)
        codes_ws[f"{code_col}1"], codes_ws[f"{label_col}1"] = column.name, "label"
        codes_ws[f"{code_col}1"].font = codes_ws[f"{label_col}1"].font = bold
        for r, (code, label) in enumerate(values, start=2):
            codes_ws[f"{code_col}{r}"], codes_ws[f"{label_col}{r}"] = code, label
        codes_ws.column_dimensions[code_col].width = max(12, len(column.name) + 2)
        codes_ws.column_dimensions[label_col].width = 40
        ranges[column.name] = f"{quote_sheetname(CODES_SHEET)}!${code_col}$2:${code_col}${len(values) + 1}"
    codes_ws.freeze_panes = "A2"

    # Activities: the header row, described on hover, and a dropdown on every coded column.
    for i, column in enumerate(TEMPLATE, start=1):
        cell = ws.cell(row=1, column=i, value=column.name)
        cell.font = bold
        if column.required:
            cell.fill = required_fill
        cell.comment = Comment(f"{'Required. ' if column.required else ''}{column.description}", "ICAT")
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = max(14, len(column.name) + 4)
        where = f"{letter}2:{letter}{VALIDATED_ROWS + 1}"
        if column.name in ranges:
            several = column.kind in MULTI_KINDS
            dv = DataValidation(
                type="list",
                formula1=ranges[column.name],
                allow_blank=True,
                showErrorMessage=True,
                # A list accepts only one of its values; "information" lets a person type several.
                errorStyle="information" if several else "stop",
                errorTitle=column.name,
                error=(
                    "Several codes are written separated by ; (see the sheet 'Code lists')."
                    if several
                    else f"Choose one of the codes of the sheet '{CODES_SHEET}'."
                ),
                promptTitle=column.name,
                prompt=("Pick a code, or type several separated by ;" if several else "Pick one code"),
            )
        elif column.kind == "number":
            dv = DataValidation(
                type="decimal",
                operator="greaterThanOrEqual",
                formula1="0",
                allow_blank=True,
                errorTitle=column.name,
                error="A number, not negative, without thousands separators.",
            )
        else:
            continue
        dv.add(where)
        ws.add_data_validation(dv)
    ws.freeze_panes = "A2"

    # Instructions.
    ins = wb[INSTRUCTIONS_SHEET]
    ins["A1"] = "The ICAT activity template (docs/SCHEMA.md)"
    ins["A1"].font = Font(bold=True, size=13)
    for r, line in enumerate(INTRO, start=2):
        ins.cell(row=r, column=1, value=line)
    head = len(INTRO) + 3
    for i, heading in enumerate(("column", "required", "what it takes", "meaning"), start=1):
        ins.cell(row=head, column=i, value=heading).font = bold
    for r, row in enumerate(_instructions(), start=head + 1):
        for i, value in enumerate(row, start=1):
            ins.cell(row=r, column=i, value=value)
    for letter, width in zip("ABCD", (22, 10, 70, 90), strict=True):
        ins.column_dimensions[letter].width = width

    wb.active = 0
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def build_csv() -> bytes:
    """The blank template as CSV: the header row alone (UTF-8 with a byte-order mark for Excel)."""
    return (",".join(c.name for c in TEMPLATE) + "\r\n").encode("utf-8-sig")


def build(suffix: str) -> bytes:
    return build_xlsx() if suffix == ".xlsx" else build_csv()


# ---- command line ---------------------------------------------------------------------------
def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, metavar="FILE", help="where to write it: FILE.xlsx or FILE.csv")
    parser.add_argument("--force", action="store_true", help="replace FILE if it exists")


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in SUFFIXES:
        print(f"{out}: give a file name ending in .xlsx or .csv", file=sys.stderr)
        return 2
    if out.exists() and not args.force:
        print(f"{out}: already exists; give another name, or --force to replace it", file=sys.stderr)
        return 1
    if not out.parent.is_dir():
        print(f"{out}: the folder {out.parent} does not exist", file=sys.stderr)
        return 1
    out.write_bytes(build(suffix))
    print(f"wrote the blank activity template to {out}")
    return 0
