"""``import-glotip FILE``: the UNODC Global Report on Trafficking in Persons data as published.

UNODC publishes the GLOTIP table as a workbook whose first two lines are a preamble (the
contact address and the release date), then a header, then one row per observation. Values
are text: ``1,540`` is the number 1540 and ``<5`` is a small count that UNODC does not
publish (censored): we keep the text as published and leave the number empty.

A few codes in the ``Iso3_code`` column are UNODC regional aggregates, not countries, and a
few rows (Sark) have no code at all. They are kept as published, so the table still adds up
to the file; :func:`region_codes` lists the aggregates and the manifest records them.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter
from pathlib import Path

import pyarrow as pa

from icat_analysis import paths, reference
from icat_analysis.store.contract import INDICATORS_SCHEMA
from icat_analysis.store.export import write_export

CITATION = "UNODC, UNODC Research - Data Portal - Trafficking in Persons, dataunodc.un.org"
RELEASE = "2023-05-30"
SOURCE_NAME = "UNODC Global Report on Trafficking in Persons (GLOTIP) data"
DEFAULT_FILE = paths.SOURCE_DIR / "unodc_glotip_2023-05-30.xlsx"
CAVEAT = (
    "Detected victims measure what national authorities detected and reported, not how "
    "common trafficking is (UNODC: not representative of the prevalence of the crime)."
)


def region_codes() -> dict[str, str]:
    """Codes of the GLOTIP file that are not countries -> what they stand for
    (``reference/glotip_region_codes.csv``)."""
    return reference.glotip_region_codes()


# header of the published table -> column of indicators.parquet (None: read but not kept)
COLUMNS = {
    "iso3_code": "iso3",
    "country": "country",
    "region": None,
    "subregion": None,
    "indicator": "indicator",
    "dimension": "dimension",
    "category": "category",
    "sex": "sex",
    "age": "age",
    "year": "year",
    "unit of measurement": "unit",
    "txtvalue": "value_text",
    "source": "source",
}
REQUIRED = [k for k, v in COLUMNS.items() if v is not None]
_HEADER_SEARCH_ROWS = 20
_PLAIN = re.compile(r"^\d+(\.\d+)?$")
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
_CENSORED = re.compile(r"^<\s*\d+(\.\d+)?$")


class GlotipError(Exception):
    """The file was refused; ``problems`` holds one ``FILE:ROW: column: what`` line each."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _cell_text(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = str(v).strip()
    return s or None


#: bounds of a GLOTIP workbook: the 2023 edition has about 50,000 rows and 20 columns
MAX_ROWS = 200_000
MAX_COLUMNS = 200


def _raw_rows(path: Path):
    """Every line of the first sheet (xlsx) or the CSV, as a list of cells."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        import openpyxl

        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # a corrupt or non-workbook file
            raise GlotipError([f"{path}:1: file: not a readable workbook ({exc})"]) from exc
        try:
            ws = wb.worksheets[0]
            # Read the cells there are, not the extent the file claims (one cell at XFD1048576
            # would make every row 16,384 cells wide), within bounds: memory stays small.
            ws.reset_dimensions()
            for line_no, row in enumerate(ws.iter_rows(values_only=True), start=1):
                if line_no > MAX_ROWS:
                    raise GlotipError([f"{path}:{line_no}: file: the sheet has rows beyond row {MAX_ROWS:,}"])
                cells = list(row)
                while cells and cells[-1] is None:
                    cells.pop()
                if len(cells) > MAX_COLUMNS:
                    raise GlotipError(
                        [f"{path}:{line_no}: file: a cell beyond column {MAX_COLUMNS} (column {len(cells):,})"]
                    )
                yield cells
        finally:
            wb.close()
        return
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            sample = fh.read(65536)
            fh.seek(0)
            try:
                dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
            except csv.Error:
                dialect = csv.excel
            yield from csv.reader(fh, dialect)
    except UnicodeDecodeError as exc:
        raise GlotipError([f"{path}:1: file: not UTF-8 text ({exc.reason})"]) from exc


def read_table(path: str | Path) -> pa.Table:
    """Read a GLOTIP workbook or CSV (with or without the preamble) into the indicators schema.

    Raises :class:`GlotipError` listing every problem found.
    """
    path = Path(path)
    if not path.exists():
        raise GlotipError([f"{path}:0: file: does not exist"])
    rows = _raw_rows(path)
    header_line = None
    index: dict[str, int] = {}
    seen = 0
    for line_no, row in enumerate(rows, start=1):
        seen = line_no
        names = [(_cell_text(c) or "").lower() for c in row]
        if "iso3_code" in names and "txtvalue" in names:
            header_line = line_no
            index = {n: i for i, n in enumerate(names) if n}
            break
        if line_no >= _HEADER_SEARCH_ROWS:
            break
    if header_line is None:
        raise GlotipError(
            [
                f"{path}:{seen or 1}: header: no GLOTIP header (Iso3_code ... txtVALUE) in the first {_HEADER_SEARCH_ROWS} lines"
            ]
        )
    missing = [c for c in REQUIRED if c not in index]
    if missing:
        raise GlotipError([f"{path}:{header_line}: {c}: column missing from the header" for c in missing])

    out: dict[str, list] = {name: [] for name in INDICATORS_SCHEMA.names}
    problems: list[str] = []
    pos = {c: index[c] for c in REQUIRED}
    for line_no, row in enumerate(rows, start=header_line + 1):
        cells = {c: _cell_text(row[i]) if i < len(row) else None for c, i in pos.items()}
        if all(v is None for v in cells.values()):
            continue  # blank line
        where = f"{path}:{line_no}"
        for c in ("indicator", "year", "txtvalue"):
            if cells[c] is None:
                problems.append(f"{where}: {c}: empty")
        if cells["iso3_code"] is None and cells["country"] is None:
            problems.append(f"{where}: Iso3_code: empty, and no country name either")
        year = None
        if cells["year"] is not None:
            if re.fullmatch(r"\d{4}", cells["year"]):
                year = int(cells["year"])
            else:
                problems.append(f"{where}: Year: {cells['year']!r} is not a year")
        text = cells["txtvalue"]
        value, censored = None, False
        if text is not None:
            if _PLAIN.match(text):
                value = float(text)
            elif _THOUSANDS.match(text):
                value = float(text.replace(",", ""))
            elif _CENSORED.match(text):
                censored = True
            else:
                problems.append(f"{where}: txtVALUE: {text!r} is not a number, a thousands-separated number or <N")
        out["indicator"].append(cells["indicator"])
        out["iso3"].append(cells["iso3_code"])
        out["country"].append(cells["country"])
        out["year"].append(year)
        out["dimension"].append(cells["dimension"])
        out["category"].append(cells["category"])
        out["sex"].append(cells["sex"])
        out["age"].append(cells["age"])
        out["value"].append(value)
        out["value_text"].append(text)
        out["is_censored"].append(censored)
        out["unit"].append(cells["unit of measurement"])
        out["source"].append(cells["source"])
    if problems:
        raise GlotipError(problems)
    if not out["indicator"]:
        raise GlotipError([f"{path}:{header_line + 1}: rows: the table has a header but no rows"])
    return pa.table(out, schema=INDICATORS_SCHEMA)


def summary(table: pa.Table) -> dict:
    """What the manifest records about an indicators table."""
    iso3 = table.column("iso3").to_pylist()
    country = table.column("country").to_pylist()
    codes = Counter(iso3)
    regions = region_codes()
    years = [y for y in table.column("year").to_pylist() if y is not None]
    return {
        "rows": table.num_rows,
        "codes": len([c for c in codes if c is not None]),
        "years": [min(years), max(years)] if years else [],
        "censored_cells": int(sum(table.column("is_censored").to_pylist())),
        "region_codes": {c: {"meaning": regions[c], "rows": codes[c]} for c in regions if c in codes},
        "rows_without_iso3": dict(Counter(n for c, n in zip(iso3, country) if c is None)),
        "caveat": CAVEAT,
    }


def source_entry(path: Path) -> dict:
    return {
        "name": SOURCE_NAME,
        "citation": f"{CITATION} (release of 30 May 2023)",
        "release": RELEASE,
        "file": Path(path).name,
        "used_for": "indicators.parquet",
        "caveat": CAVEAT,
    }


def manifest_update(path: Path, table: pa.Table, existing_sources: list | None = None) -> dict:
    """Manifest keys for an indicators table read from ``path``: the citation, region codes."""
    sources = [
        s for s in (existing_sources or []) if not (isinstance(s, dict) and s.get("used_for") == "indicators.parquet")
    ]
    sources.append(source_entry(path))
    return {"sources": sources, "indicators": summary(table)}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the GLOTIP workbook (.xlsx) or CSV as published by UNODC")
    parser.add_argument("--data", metavar="DIR", help="export directory (default: ICAT_DATA_DIR or data/demo/)")


def run(args: argparse.Namespace) -> int:
    from icat_analysis.store.export import export_lock, read_manifest

    path = Path(args.file)
    try:
        table = read_table(path)
    except GlotipError as exc:
        for line in exc.problems:
            print(line, file=sys.stderr)
        print(f"{path}: refused, the export was not changed", file=sys.stderr)
        return 1
    data_dir = paths.data_dir(args.data)
    with export_lock(data_dir):
        update = manifest_update(path, table, read_manifest(data_dir).get("sources"))
        write_export(data_dir, {"indicators.parquet": table}, update, locked=True)
    s = update["indicators"]
    print(
        f"{table.num_rows} indicator rows from {path.name} ({s['codes']} codes, {s['years'][0]}-{s['years'][1]}, "
        f"{s['censored_cells']} censored) written to {data_dir / 'indicators.parquet'}"
    )
    return 0
