"""Tables people take away: CSV and XLSX with labels instead of bare codes, and cells a
spreadsheet would run as formulas made harmless.

A cell beginning with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some
spreadsheets skip before such a sign) is a formula to Excel and LibreOffice; a title sent
by an agency could start with one. Such cells get a leading single quote, so the spreadsheet
shows the text instead of running it.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd

from . import reference

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: control characters XLSX cannot hold (openpyxl refuses them)
_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

#: activity column -> (heading, reference list whose labels replace the codes)
ACTIVITY_COLUMNS: dict[str, tuple[str, str | None]] = {
    "activity_id": ("Activity ID", None),
    "title": ("Title", None),
    "description": ("Description", None),
    "lead_agency": ("Lead agency", "agency"),
    "partner_agencies": ("Partner agencies", "agency"),
    "is_joint": ("Joint", None),
    "scope": ("Scope", "scope"),
    "countries": ("Countries", "country"),
    "start_date": ("Start date", None),
    "end_date": ("End date", None),
    "status": ("Status", "status"),
    "budget_usd": ("Budget (US$)", None),
    "themes": ("Themes", "theme"),
    "activity_types": ("Activity types", "activity_type"),
    "target_groups": ("Target groups", "target_group"),
    "exploitation_forms": ("Forms of exploitation", "exploitation_form"),
    "donors": ("Donors", None),
    "last_updated": ("Last updated", None),
}
LIST_SEPARATOR = "; "


def _is_listy(v) -> bool:
    return isinstance(v, (list, tuple, np.ndarray))


def _label_cell(v, names: dict[str, str] | None):
    if _is_listy(v):
        return LIST_SEPARATOR.join(str(names.get(x, x)) if names else str(x) for x in v)
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    return names.get(v, v) if names else v


def labelled_activities(df: pd.DataFrame) -> pd.DataFrame:
    """Activities with readable headings, names for codes and lists joined with "; ".

    Agencies and countries appear by name (ILO -> International Labour Organization), code
    lists by label (capacity_building -> Capacity building); the activity ID keeps its code.
    Columns not in the template are left out.
    """
    out = {}
    for col, (heading, kind) in ACTIVITY_COLUMNS.items():
        if col not in df.columns:
            continue
        names = reference.labels(kind) if kind else None
        if col == "is_joint":
            out[heading] = df[col].map({True: "yes", False: "no"})
        elif col == "budget_usd":
            out[heading] = df[col]
        else:
            out[heading] = [_label_cell(v, names) for v in df[col]]
    return pd.DataFrame(out, index=df.index).reset_index(drop=True)


def _neutral_text(v):
    if isinstance(v, str) and v.startswith(FORMULA_START):
        return "'" + v
    return v


def neutralise(df: pd.DataFrame) -> pd.DataFrame:
    """A copy in which no text cell, and no heading, can be read as a spreadsheet formula.

    Numbers stay numbers (a negative number is not a formula); only text is prefixed.
    """
    out = df.copy()
    out.columns = [_neutral_text(str(c)) for c in out.columns]
    for col in out.columns:
        s = out[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            out[col] = s.map(_neutral_text).astype(object)
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with a byte-order mark, so Excel reads accents right), formulas neutralised."""
    return neutralise(df).to_csv(index=False).encode("utf-8-sig")


def _sheet_name(name: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", name).strip("' ") or "Sheet1"
    return cleaned[:31]


def to_xlsx_bytes(df: pd.DataFrame, sheet_name: str = "Data") -> bytes:
    """An XLSX workbook of one sheet, formulas neutralised, headings bold and frozen."""
    safe = neutralise(df)
    for col in safe.columns:
        if safe[col].dtype == object:
            safe[col] = safe[col].map(lambda v: _ILLEGAL_XLSX.sub("", v) if isinstance(v, str) else v)
    buf = io.BytesIO()
    name = _sheet_name(sheet_name)
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        safe.to_excel(writer, sheet_name=name, index=False)
        ws = writer.sheets[name]
        ws.freeze_panes = "A2"
        for i, col in enumerate(safe.columns, start=1):
            width = min(60, max(10, len(str(col)) + 2))
            ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = width
    return buf.getvalue()
