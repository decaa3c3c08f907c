"""Submissions that used to change data silently, or to exhaust the machine: each is now
refused with FILE:ROW: column: what is wrong (or read as a person meant it), and the export
stays as it was."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import openpyxl
import pyarrow.parquet as pq
import pytest

from icat_analysis import cli
from icat_analysis.sources import glotip, template
from icat_analysis.store import export, validate
from tests.factories import activity, make_export

HEADER = "activity_id,title,lead_agency,partner_agencies,scope,countries,start_date,end_date,budget_usd,themes"
GOOD = "N1,Shelter support,UNODC,,national,THA,2020-01-01,2021-12-31,1000,protection"


def run_import(capsys, *args) -> tuple[int, str, str]:
    code = cli.main(["import-activities", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def seeded(tmp_path, capsys) -> Path:
    first = tmp_path / "first.csv"
    first.write_text(f"{HEADER}\n{GOOD}\n", encoding="utf-8")
    data = tmp_path / "data"
    code, _, err = run_import(capsys, first, "--data", data)
    assert code == 0, err
    return data


def ids(data: Path) -> set[str]:
    return set(pq.read_table(export.current_dir(data) / "activities.parquet").column("activity_id").to_pylist())


def refused(capsys, path: Path, data: Path) -> str:
    """Import ``path`` into ``data``; assert it is refused without a traceback and without a
    change to the export, and return what it said."""
    before = export.file_digest(data)
    code, _, err = run_import(capsys, path, "--data", data)
    assert code == 1, err
    assert "Traceback" not in err
    assert export.file_digest(data) == before
    return err


def csv_refused(capsys, data: Path, path: Path, *rows: str) -> str:
    """Write the template's header and ``rows`` to ``path``; :func:`refused` on it."""
    path.write_text("\n".join((HEADER, *rows)) + "\n", encoding="utf-8")
    return refused(capsys, path, data)


def _workbook(rows: list[list], path: Path, title: str = "Activities") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


# ---- bounded XLSX reader ----------------------------------------------------------------------
def _good_sheet_and_one_cell(path: Path, cell: str) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER.split(","))
    ws.append(GOOD.split(","))
    ws[cell] = "far away"
    wb.save(path)
    return path


def test_workbook_with_one_cell_at_the_last_row_and_column_is_refused(tmp_path, seeded, capsys):
    # The sheet's extent becomes A1:XFD1048576: 17 billion cells from a 5 KB file.
    bomb = _good_sheet_and_one_cell(tmp_path / "bomb.xlsx", "XFD1048576")
    assert bomb.stat().st_size < 10_000
    err = refused(capsys, bomb, seeded)
    assert f"bomb.xlsx: sheet 'Sheet' has a cell beyond row {template.MAX_ROWS:,}" in err


def test_workbook_with_a_value_far_to_the_right_is_refused(tmp_path, seeded, capsys):
    wide = _good_sheet_and_one_cell(tmp_path / "wide.xlsx", "XFD2")
    err = refused(capsys, wide, seeded)
    assert f"wide.xlsx: sheet 'Sheet' has a cell beyond column {template.MAX_COLUMNS} (XFD2)" in err


def test_workbook_dimension_claiming_a_huge_sheet_is_read_by_its_real_cells(tmp_path, seeded, capsys):
    # A workbook whose stored extent says A1:XFD1048576 but whose cells fit the template reads fine.
    path = _workbook([HEADER.split(","), GOOD.replace("N1", "N2").split(",")], tmp_path / "claims.xlsx")
    import zipfile

    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet].replace(b'<dimension ref="A1:J2"/>', b'<dimension ref="A1:XFD1048576"/>')
    assert b"XFD1048576" in parts[sheet]
    with zipfile.ZipFile(path, "w") as z:
        for n, b in parts.items():
            z.writestr(n, b)
    code, _, err = run_import(capsys, path, "--data", seeded)
    assert code == 0, err
    assert ids(seeded) == {"N1", "N2"}


# ---- silent changes -------------------------------------------------------------------------
def _hidden_first_sheet(path: Path, visible_title: str, visible_rows: list[list]) -> Path:
    """A workbook whose hidden first sheet holds an activity, and whose second sheet is the
    visible, active one."""
    wb = openpyxl.Workbook()
    old = wb.active
    old.title = "Old draft"
    old.append(HEADER.split(","))
    old.append(GOOD.replace("N1", "OLD1").split(","))
    old.sheet_state = "hidden"
    ws = wb.create_sheet(visible_title)
    for r in visible_rows:
        ws.append(r)
    wb.active = 1
    wb.save(path)
    return path


def test_hidden_first_sheet_is_not_imported_instead_of_the_visible_one(tmp_path, seeded, capsys):
    rows = [HEADER.split(","), GOOD.replace("N1", "NEW1").split(",")]
    path = _hidden_first_sheet(tmp_path / "hidden.xlsx", "Activities", rows)
    code, _, err = run_import(capsys, path, "--data", seeded)
    assert code == 0, err
    assert ids(seeded) == {"N1", "NEW1"}


def test_visible_sheet_that_is_empty_is_refused_though_a_hidden_one_is_full(tmp_path, seeded, capsys):
    path = _hidden_first_sheet(tmp_path / "hidden_only.xlsx", "Visible but empty", [])
    err = refused(capsys, path, seeded)
    assert "hidden_only.xlsx:1: -: sheet 'Visible but empty' is empty" in err


def test_formula_without_a_saved_result_is_refused_not_an_empty_budget(tmp_path, seeded, capsys):
    # openpyxl, like many generators, writes formulas without the value a spreadsheet computes.
    row = GOOD.replace("N1", "F1").split(",")
    row[8] = "=500*2"
    path = _workbook([HEADER.split(","), row], tmp_path / "formula.xlsx")
    err = refused(capsys, path, seeded)
    assert "formula.xlsx:2: budget_usd: is a formula (=500*2) with no saved result" in err


@pytest.mark.parametrize("code", ["ß", "ﬁ", "ǅ", "İN"])
def test_country_codes_are_not_changed_by_unicode_case_rules(tmp_path, seeded, capsys, code):
    # "ß".upper() is "SS" (South Sudan, SSD) and "ﬁ".upper() is "FI" (Finland, FIN).
    err = csv_refused(capsys, seeded, tmp_path / "letters.csv", f"L1,T,UNODC,,national,{code},2020-01-01,,,protection")
    assert f"letters.csv:2: countries: unknown country code(s) '{code}'" in err


def test_agency_and_theme_codes_are_not_changed_by_unicode_case_rules(tmp_path, seeded, capsys):
    err = csv_refused(capsys, seeded, tmp_path / "codes.csv", "L1,T,UNODC,ılo,national,THA,2020-01-01,,,protectİon")
    assert "codes.csv:2: partner_agencies: unknown agency code(s) 'ılo'" in err
    assert "codes.csv:2: themes: unknown theme(s) 'protectİon'" in err


@pytest.mark.parametrize(
    "bad, shown",
    [("N\u202e1", "U+202E"), ("N\u200f1", "U+200F"), ("N\x001", "U+0000"), ("N\x1b1", "U+001B")],
)
def test_invisible_and_control_characters_in_activity_id_are_refused(tmp_path, seeded, capsys, bad, shown):
    # A NUL past the first 4 KB used to pass the check for binary files.
    filler = "\n".join(GOOD.replace("N1", f"P{i}") for i in range(60))
    path = tmp_path / "ids.csv"
    path.write_text(f"{HEADER}\n{filler}\n{GOOD.replace('N1', bad)}\n", encoding="utf-8")
    assert path.read_bytes().find(bad[1].encode()) > 4096
    err = refused(capsys, path, seeded)
    assert f"ids.csv:62: activity_id: holds an invisible or control character ({shown}" in err


def test_validate_finds_control_characters_in_an_export(tmp_path):
    make_export(tmp_path, [activity("A\u202e1")])
    problems = [str(p) for p in validate.validate_export(tmp_path)]
    assert any(p.startswith("activities.parquet:1: activity_id: holds an invisible") for p in problems), problems


@pytest.mark.parametrize("start, year", [("0001-01-01", 1), ("2999-06-01", 2999), ("1989-12-31", 1989)])
def test_start_years_outside_the_sane_range_are_refused(tmp_path, seeded, capsys, start, year):
    err = csv_refused(capsys, seeded, tmp_path / "years.csv", f"Y1,T,UNODC,,national,THA,{start},,,protection")
    last = date.today().year + 10
    assert f"years.csv:2: start_date: year {year} is outside 1990-{last}" in err


def test_end_year_outside_the_sane_range_is_refused(tmp_path, seeded, capsys):
    err = csv_refused(
        capsys, seeded, tmp_path / "end.csv", "Y1,T,UNODC,,national,THA,2020-01-01,2999-01-01,,protection"
    )
    assert "end.csv:2: end_date: year 2999 is outside 1990-" in err


def test_years_at_the_edges_of_the_range_are_accepted(tmp_path, seeded, capsys):
    last = date.today().year + 10
    path = tmp_path / "edges.csv"
    path.write_text(f"{HEADER}\nE1,T,UNODC,,national,THA,1990-01-01,{last}-12-31,,protection\n", encoding="utf-8")
    code, _, err = run_import(capsys, path, "--data", seeded)
    assert code == 0, err


def test_utf16_csv_with_a_byte_order_mark_is_read(tmp_path, seeded, capsys):
    path = tmp_path / "excel_unicode.csv"
    path.write_bytes(f"{HEADER}\n{GOOD.replace('N1', 'U1').replace('Shelter', 'Café shelter')}\n".encode("utf-16"))
    code, _, err = run_import(capsys, path, "--data", seeded)
    assert code == 0, err
    titles = pq.read_table(export.current_dir(seeded) / "activities.parquet").column("title").to_pylist()
    assert "Café shelter support" in titles


def test_utf16_csv_without_a_byte_order_mark_is_named_as_such(tmp_path, seeded, capsys):
    path = tmp_path / "no_bom.csv"
    path.write_bytes(f"{HEADER}\n{GOOD}\n".encode("utf-16-le"))
    err = refused(capsys, path, seeded)
    assert "no_bom.csv:1: -: the text is UTF-16; save the file as CSV UTF-8" in err
    assert "binary data" not in err


def test_semicolon_separated_csv_gets_a_hint_about_the_delimiter(tmp_path, seeded, capsys):
    path = tmp_path / "semicolons.csv"
    path.write_text(HEADER.replace(",", ";") + "\n" + GOOD.replace(",", ";") + "\n", encoding="utf-8")
    err = refused(capsys, path, seeded)
    assert "semicolons.csv:1: -: the columns are separated by semicolons (;); save the file as CSV" in err
    assert "unknown column" not in err


def test_huge_description_is_blamed_on_its_own_column_and_size(tmp_path, seeded, capsys):
    path = tmp_path / "long.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([*HEADER.split(","), "description"])
        w.writerow([*GOOD.split(","), "x" * 20_000_000])
    err = refused(capsys, path, seeded)
    assert (
        f"long.csv:2: description: is 20,000,000 characters long; a cell holds at most "
        f"{template.MAX_CELL_CHARACTERS:,}" in err
    )
    assert "activity_id" not in err


def test_glotip_workbook_with_one_cell_at_the_last_row_and_column_is_refused(tmp_path, capsys):
    sample = Path(__file__).parent / "fixtures" / "glotip" / "glotip_sample.xlsx"
    wb = openpyxl.load_workbook(sample)
    wb.worksheets[0]["XFD1048576"] = "boom"
    bomb = tmp_path / "glotip_bomb.xlsx"
    wb.save(bomb)
    data = tmp_path / "export"
    assert cli.main(["import-glotip", str(bomb), "--data", str(data)]) == 1
    err = capsys.readouterr().err
    assert f"glotip_bomb.xlsx:{glotip.MAX_ROWS + 1}: file: the sheet has rows beyond row {glotip.MAX_ROWS:,}" in err
    assert "Traceback" not in err
