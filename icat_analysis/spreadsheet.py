"""Text that goes into a cell of a CSV or XLSX file people take away: shown, never run.

Every download (the dashboard's CSV and XLSX files, the reviews CSV) and the ``duplicates``
command's CSV pass their text cells through :func:`safe_cell` (or its column-at-a-time twins),
in this order:

1. Control characters are removed: C0 and C1 controls other than tab, line feed and
   carriage return (NUL, ``\\x01``...), and the invisible bidirectional marks and overrides
   (U+200E, U+200F, U+061C, U+202A-U+202E, U+2066-U+2069) that make text read differently
   from what it holds. XLSX cannot store most C0 controls at all.
2. A cell that then begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return,
   which some spreadsheets skip before such a sign) gets a leading single quote, so the
   spreadsheet shows the text instead of running it as a formula.

The order matters: ``"\\x01=HYPERLINK(...)"`` does not start with ``=`` until the control
character is gone, so neutralising first would let the formula through.
"""

from __future__ import annotations

import re

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: C0/C1 controls except tab, LF and CR, DEL, and the bidirectional marks, embeddings,
#: overrides and isolates
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
CONTROL_CHARACTERS = re.compile(f"[{_CONTROLS}]")
#: the same class for Arrow's regular expressions (RE2), spelled with escapes
_CONTROLS_RE2 = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x{9f}\x{61c}\x{200e}\x{200f}\x{202a}-\x{202e}\x{2066}-\x{2069}]"


def without_controls(text: str) -> str:
    """``text`` with the control characters of step 1 removed."""
    return CONTROL_CHARACTERS.sub("", text)


def safe_cell(value):
    """A cell's value as a spreadsheet may hold it; anything that is not text is returned as it is."""
    if not isinstance(value, str):
        return value
    text = CONTROL_CHARACTERS.sub("", value)
    return "'" + text if text.startswith(FORMULA_START) else text


def safe_array(arr: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """:func:`safe_cell` for a column of Arrow strings, without a Python loop over the cells."""
    text = pc.replace_substring_regex(arr, pattern=_CONTROLS_RE2, replacement="")
    formula = None
    for sign in FORMULA_START:
        hit = pc.starts_with(text, sign)
        formula = hit if formula is None else pc.or_(formula, hit)
    return pc.if_else(pc.fill_null(formula, False), pc.binary_join_element_wise("'", text, ""), text)


def safe_table(table: pa.Table) -> pa.Table:
    """Every text column and every heading of an Arrow table made safe."""
    columns = [
        safe_array(table.column(i)) if pa.types.is_string(table.schema.field(i).type) else table.column(i)
        for i in range(table.num_columns)
    ]
    return pa.Table.from_arrays(columns, names=[safe_cell(n) for n in table.column_names])


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` in which no text cell, and no heading, can be read as a formula.

    Numbers stay numbers (a negative number is not a formula); only text is changed.
    """
    out = df.copy()
    out.columns = [safe_cell(str(c)) for c in out.columns]
    for i in range(out.shape[1]):
        s = out.iloc[:, i]
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            out.isetitem(i, s.map(safe_cell).astype(object))
    return out


def safe_row(values) -> list:
    """One row of a CSV written with the csv module, each cell made safe."""
    return [safe_cell(v) for v in values]
