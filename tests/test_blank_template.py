"""The blank activity template: an XLSX with a dropdown on every coded column, instructions
and the code lists, a CSV of the header row, and a clear "no rows" when either is imported blank."""

from __future__ import annotations

import io
import subprocess
import sys

import openpyxl
import pytest

from icat_analysis import reference
from icat_analysis.sources import template
from icat_analysis.store import blank_template, export
from icat_analysis.store.contract import TEMPLATE_NAMES
from tests.conftest import REPO

CODED = {
    "lead_agency": "agency",
    "partner_agencies": "agency",
    "scope": "scope",
    "countries": "country",
    "status": "status",
    "themes": "theme",
    "activity_types": "activity_type",
    "target_groups": "target_group",
    "exploitation_forms": "exploitation_form",
    "visibility": "visibility",
    "budget_visibility": "visibility",
}


@pytest.fixture(scope="module")
def workbook():
    return openpyxl.load_workbook(io.BytesIO(blank_template.build_xlsx()))


def _codes_sheet(wb) -> dict[str, list[str]]:
    """Template column -> the codes listed under its heading on the Code lists sheet."""
    ws = wb["Code lists"]
    out = {}
    for col in ws.iter_cols(values_only=True):
        if col[0] and col[0] != "label":
            out[col[0]] = [v for v in col[1:] if v is not None]
    return out


def _validations(wb) -> dict[str, object]:
    """Column letter of the Activities sheet -> its data validation."""
    ws = wb["Activities"]
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            out[rng.coord.split(":")[0].rstrip("0123456789")] = dv
    return out


def test_sheets_in_order_with_the_header_row_first(workbook):
    assert workbook.sheetnames == ["Activities", "Instructions", "Code lists"]
    header = [c.value for c in workbook["Activities"][1]]
    assert tuple(header) == TEMPLATE_NAMES
    assert workbook["Activities"].max_row == 1  # blank: no activity, no example row to delete


def test_every_coded_column_has_a_dropdown_of_its_codes(workbook):
    header = [c.value for c in workbook["Activities"][1]]
    letter = {name: openpyxl.utils.get_column_letter(i + 1) for i, name in enumerate(header)}
    validations = _validations(workbook)
    listed = _codes_sheet(workbook)
    for column, kind in CODED.items():
        dv = validations[letter[column]]
        assert dv.type == "list", column
        assert dv.formula1.startswith("'Code lists'!$"), column
        assert [r.coord for r in dv.sqref.ranges] == [f"{letter[column]}2:{letter[column]}5001"]
        expected = (
            reference.agency_codes()
            if kind == "agency"
            else reference.country_codes()
            if kind == "country"
            else reference.codes(kind)
        )
        assert listed[column] == expected, column
        # the formula covers exactly the codes listed
        assert dv.formula1.endswith(f"${len(expected) + 1}"), column
    assert "ILO" in listed["lead_agency"] and "THA" in listed["countries"]
    assert listed["themes"] == ["prevention", "protection", "prosecution", "partnership"]
    # one code only where the contract takes one; several allowed (information only) elsewhere
    assert validations[letter["scope"]].errorStyle == "stop"
    assert validations[letter["lead_agency"]].errorStyle == "stop"
    assert validations[letter["themes"]].errorStyle == "information"
    assert validations[letter["countries"]].errorStyle == "information"
    # free text has no dropdown; the budget must be a number, not negative
    assert letter["title"] not in validations
    assert validations[letter["budget_usd"]].type == "decimal"


def test_code_lists_sheet_gives_labels_beside_codes(workbook):
    ws = workbook["Code lists"]
    rows = {r[0]: r[1] for r in ws.iter_rows(min_row=2, max_col=2, values_only=True) if r[0]}
    assert rows["ILO"] == "International Labour Organization"


def test_instructions_name_every_column_and_say_how_to_import(workbook):
    ws = workbook["Instructions"]
    text = [str(c) for row in ws.iter_rows(values_only=True) for c in row if c]
    for name in TEMPLATE_NAMES:
        assert name in text
    assert any("import-activities" in t for t in text)
    assert any("separated by ;" in t for t in text)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_the_command_writes_it_and_importing_it_blank_says_no_rows(suffix, tmp_path):
    out = tmp_path / f"blank{suffix}"
    done = subprocess.run(
        [sys.executable, "-m", "icat_analysis", "template", "--out", str(out)],
        capture_output=True, text=True, cwd=REPO,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"wrote the blank activity template to {out}" in done.stdout
    data = tmp_path / "data"
    with pytest.raises(template.Refused) as refused:
        template.import_activities([out], data)
    assert [str(p) for p in refused.value.problems] == [
        f"blank{suffix}:2: -: no rows: the header row has no activity below it; fill in one row per activity from row 2"
    ]
    assert export.file_digest(data) == {}  # nothing was written


def test_the_command_refuses_another_file_type_and_an_existing_file(tmp_path):
    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "icat_analysis", "template", *args], capture_output=True, text=True, cwd=REPO
        )

    bad = run("--out", str(tmp_path / "t.txt"))
    assert bad.returncode == 2 and "ending in .xlsx or .csv" in bad.stderr
    (tmp_path / "t.xlsx").write_bytes(b"keep me")
    kept = run("--out", str(tmp_path / "t.xlsx"))
    assert kept.returncode == 1 and "already exists" in kept.stderr
    assert (tmp_path / "t.xlsx").read_bytes() == b"keep me"
    assert run("--out", str(tmp_path / "t.xlsx"), "--force").returncode == 0


def test_the_csv_template_is_the_header_row():
    assert blank_template.build_csv().decode("utf-8-sig") == ",".join(TEMPLATE_NAMES) + "\r\n"
