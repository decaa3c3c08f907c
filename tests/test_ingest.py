"""import-activities: agency submissions in the template become the export, or are refused whole."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from icat_analysis import cli
from icat_analysis.store import export
from icat_analysis.store.contract import EXPORT_FILES, TEMPLATE_NAMES

FIXTURE = Path(__file__).parent / "fixtures" / "ingest" / "activities_20.csv"
REPO = Path(__file__).resolve().parent.parent
HEADER = "activity_id,title,lead_agency,partner_agencies,scope,countries,start_date,end_date,budget_usd,themes"
GOOD = "N1,Shelter support,UNODC,,national,THA,2020-01-01,2021-12-31,1000,protection"


def run_import(capsys, *args: str | Path) -> tuple[int, str, str]:
    code = cli.main(["import-activities", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def activities(data: Path) -> dict[str, dict]:
    rows = pq.read_table(export.current_dir(data) / "activities.parquet").to_pylist()
    return {r["activity_id"]: r for r in rows}


@pytest.fixture
def seeded(tmp_path, capsys):
    """An export holding the 22 activities of the hand-made fixture."""
    data = tmp_path / "data"
    code, _, err = run_import(capsys, FIXTURE, "--data", data)
    assert code == 0, err
    return data


def test_fixture_imports_into_empty_directory_with_contract_columns_and_types(tmp_path, capsys):
    data = tmp_path / "data"
    code, out, err = run_import(capsys, FIXTURE, "--data", data)
    assert code == 0, err
    assert "22 inserted, 0 updated, 0 unchanged" in out
    for name in ("activities.parquet", "activity_countries.parquet", "activity_agencies.parquet"):
        assert pq.read_schema(export.current_dir(data) / name).equals(EXPORT_FILES[name]), name
    acts = activities(data)
    assert len(acts) == 22
    thai = acts["XM-DAC-41102-TH-001"]
    assert thai["lead_agency"] == "ILO"  # written as "ilo"
    assert thai["partner_agencies"] == ["IOM"]
    assert thai["countries"] == ["THA"]  # written as "TH"
    assert thai["status"] == "completed"  # derived: ended 2022
    assert thai["is_joint"] is True
    assert thai["source_file"] == "activities_20.csv"
    assert acts["UNODC-GLO-ACT-005"]["countries"][:3] == ["BGD", "BLR", "COL"]
    assert acts["WORLDBANK-GLO-018"]["lead_agency"] == "WORLDBANK"  # "WorldBank"
    assert acts["XM-DAC-41122-NG-003"]["budget_usd"] == 920000.5
    assert acts["UNODC-PH-022"]["status"] == "pipeline"  # starts 2030
    assert acts["IOM-LY-019"]["status"] == "cancelled"  # given, not derived
    assert acts["ILO-IOM-GLO-021"]["end_date"] is None and acts["ILO-IOM-GLO-021"]["status"] == "active"
    assert acts["UNODC-KE-017"]["description"].endswith('"train the trainer" model')
    links = pq.read_table(export.current_dir(data) / "activity_countries.parquet")
    assert links.num_rows == 35
    roles = pq.read_table(export.current_dir(data) / "activity_agencies.parquet").column("role").to_pylist()
    assert roles.count("lead") == 22 and roles.count("partner") == 18
    manifest = export.read_manifest(data)
    assert manifest["synthetic"] is False
    assert manifest["last_import"]["inserted"] == 22
    assert cli.main(["validate", "--data", str(data)]) == 0


def test_importing_the_same_file_again_changes_nothing(seeded, capsys):
    before = export.file_digest(seeded)
    code, out, _ = run_import(capsys, FIXTURE, "--data", seeded)
    assert code == 0
    assert "no changes" in out and "22 unchanged" in out
    assert export.file_digest(seeded) == before


def _xlsx_from_csv(csv_path: Path, xlsx_path: Path) -> None:
    """The fixture as a workbook a person would save: real date cells, numbers as numbers."""
    wb = openpyxl.Workbook()
    ws = wb.active
    with open(csv_path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        ws.append([h.upper() if h == "title" else h for h in header])  # names match case-insensitively
        for record in reader:
            row = []
            for name, value in zip(header, record):
                if name.endswith("_date") or name == "last_updated":
                    row.append(date.fromisoformat(value) if value else None)
                elif name == "budget_usd":
                    row.append(float(value) if value else None)
                else:
                    row.append(value or None)
            ws.append(row)
    wb.save(xlsx_path)


def test_xlsx_version_gives_the_same_activities(tmp_path, seeded, capsys):
    xlsx = tmp_path / "activities_20.xlsx"
    _xlsx_from_csv(FIXTURE, xlsx)
    ws = openpyxl.load_workbook(xlsx).active
    assert ws["H2"].is_date  # start_date is a real date cell
    code, _, err = run_import(capsys, xlsx, "--data", tmp_path / "x")
    assert code == 0, err
    from_csv, from_xlsx = activities(seeded), activities(tmp_path / "x")
    assert from_csv.keys() == from_xlsx.keys()
    for aid, row in from_csv.items():
        for col in (*TEMPLATE_NAMES, "is_joint"):
            assert from_xlsx[aid][col] == row[col], (aid, col)
    # and the workbook holds nothing new for the CSV's export
    before = export.file_digest(seeded)
    code, out, _ = run_import(capsys, xlsx, "--data", seeded)
    assert code == 0 and "22 unchanged" in out
    assert export.file_digest(seeded) == before


def test_update_changes_one_title_and_adds_one_activity(tmp_path, seeded, capsys):
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    changed = lines[1].replace("Strengthening labour inspection", "Stronger labour inspection")
    new = "UNODC-TH-023,Border liaison offices,,UNODC,,national,THA,2024-01-01,2025-12-31,,50000,prosecution,,,,,"
    update = tmp_path / "update.csv"
    update.write_text("\n".join([lines[0], changed, lines[2], new]) + "\n", encoding="utf-8")
    old = activities(seeded)
    code, out, err = run_import(capsys, update, "--data", seeded)
    assert code == 0, err
    assert "1 inserted, 1 updated, 1 unchanged" in out
    acts = activities(seeded)
    assert len(acts) == 23  # nothing deleted
    assert acts["XM-DAC-41102-TH-001"]["title"].startswith("Stronger labour inspection")
    assert acts["XM-DAC-41102-TH-001"]["source_file"] == "update.csv"
    assert acts["XM-DAC-47066-VN-002"]["imported_at"] == old["XM-DAC-47066-VN-002"]["imported_at"]
    assert acts["XM-DAC-47066-VN-002"]["source_file"] == "activities_20.csv"  # unchanged row kept as it was
    assert acts["UNODC-TH-023"]["countries"] == ["THA"]
    assert cli.main(["validate", "--data", str(seeded)]) == 0


def test_undo_restores_the_previous_export(tmp_path, seeded, capsys):
    before = export.file_digest(seeded)
    extra = tmp_path / "extra.csv"
    extra.write_text(f"{HEADER}\n{GOOD}\n", encoding="utf-8")
    assert run_import(capsys, extra, "--data", seeded)[0] == 0
    assert export.file_digest(seeded) != before
    code, out, _ = run_import(capsys, "--undo", "--data", seeded)
    assert code == 0 and "activities.parquet" in out
    assert export.file_digest(seeded) == before
    assert "N1" not in activities(seeded)
    assert run_import(capsys, "--undo", "--data", seeded)[0] == 1  # one step only: nothing left to undo
    assert export.file_digest(seeded) == before


# --- refused input: every problem named by file, row and column; export untouched ----------

BAD_CASES = {
    "missing_column": (
        "activity_id,title,lead_agency,scope,countries,start_date\nA,T,UNODC,national,THA,2020-01-01\n",
        "missing_column.csv:1: themes: required column is missing",
    ),
    "unknown_column": (
        HEADER + ",titel\n" + GOOD + ",x\n",
        "unknown_column.csv:1: titel: unknown column; did you mean 'title'?",
    ),
    "unknown_agency": (
        HEADER + "\nN1,T,UNDOC,,national,THA,2020-01-01,,,protection\n",
        "unknown_agency.csv:2: lead_agency: unknown agency code 'UNDOC'",
    ),
    "unknown_partner": (
        HEADER + "\nN1,T,UNODC,ilo;FOO,national,THA,2020-01-01,,,protection\n",
        "unknown_partner.csv:2: partner_agencies: unknown agency code(s) 'FOO'",
    ),
    "unknown_country": (
        HEADER + "\nN1,T,UNODC,,national,XX,2020-01-01,,,protection\n",
        "unknown_country.csv:2: countries: unknown country code(s) 'XX'",
    ),
    "unknown_theme": (
        HEADER + "\nN1,T,UNODC,,national,THA,2020-01-01,,,protection;trafficking\n",
        "unknown_theme.csv:2: themes: unknown theme(s) 'trafficking'",
    ),
    "unknown_scope": (
        HEADER + "\nN1,T,UNODC,,local,THA,2020-01-01,,,protection\n",
        "unknown_scope.csv:2: scope: unknown scope 'local'",
    ),
    "invalid_date": (
        HEADER + "\nN1,T,UNODC,,national,THA,31/12/2020,,,protection\n",
        "invalid_date.csv:2: start_date: '31/12/2020' is not a date; write YYYY-MM-DD",
    ),
    "impossible_date": (
        HEADER + "\nN1,T,UNODC,,national,THA,2021-02-29,,,protection\n",
        "impossible_date.csv:2: start_date: '2021-02-29' is not a real calendar date",
    ),
    "end_before_start": (
        HEADER + "\nN1,T,UNODC,,national,THA,2020-01-01,2019-12-31,,protection\n",
        "end_before_start.csv:2: end_date: 2019-12-31 is before start_date 2020-01-01",
    ),
    "negative_budget": (
        HEADER + "\nN1,T,UNODC,,national,THA,2020-01-01,,-5,protection\n",
        "negative_budget.csv:2: budget_usd: is negative (-5)",
    ),
    "text_budget": (
        HEADER + "\nN1,T,UNODC,,national,THA,2020-01-01,,about 5k,protection\n",
        "text_budget.csv:2: budget_usd: 'about 5k' is not a number",
    ),
    "thousands_budget": (
        HEADER + '\nN1,T,UNODC,,national,THA,2020-01-01,,"1,000",protection\n',
        "thousands_budget.csv:2: budget_usd: '1,000' has thousands separators; write plain digits such as 1000",
    ),
    "duplicate_id": (
        HEADER + "\n" + GOOD + "\n" + GOOD.replace("Shelter", "Other") + "\n",
        "duplicate_id.csv:3: activity_id: 'N1' appears more than once (first at row 2)",
    ),
    "national_several": (
        HEADER + "\nN1,T,UNODC,,national,THA;VN,2020-01-01,,,protection\n",
        "national_several.csv:2: countries: a national activity needs exactly one country; 2 given",
    ),
    "regional_none": (
        HEADER + "\nN1,T,UNODC,,regional,,2020-01-01,,,protection\n",
        "regional_none.csv:2: countries: a regional activity needs one or more countries",
    ),
    "lead_partner": (
        HEADER + "\nN1,T,UNODC,ilo;unodc,national,THA,2020-01-01,,,protection\n",
        "lead_partner.csv:2: partner_agencies: lists the lead agency 'UNODC' as a partner too",
    ),
    "blank_id": (
        HEADER + "\n  ,T,UNODC,,national,THA,2020-01-01,,,protection\n",
        "blank_id.csv:2: activity_id: is blank",
    ),
    "long_id": (
        HEADER + "\n" + "X" * 101 + ",T,UNODC,,national,THA,2020-01-01,,,protection\n",
        "long_id.csv:2: activity_id: is 101 characters long; at most 100",
    ),
    "blank_title": (
        HEADER + "\nN1, ,UNODC,,national,THA,2020-01-01,,,protection\n",
        "blank_title.csv:2: title: is blank",
    ),
    "no_themes": (HEADER + "\nN1,T,UNODC,,national,THA,2020-01-01,,,\n", "no_themes.csv:2: themes: is empty"),
    "empty": ("", "empty.csv:1: -: the file is empty"),
    "header_only": (
        HEADER + "\n",
        "header_only.csv:2: -: no rows: the header row has no activity below it; fill in one row per activity from row 2",
    ),
    "unclosed_quote": (
        HEADER
        + "\n"
        + GOOD
        + '\nN2,"Shelter, with no end,UNODC,,national,THA,2020-01-01,,,protection\n'
        + GOOD.replace("N1", "N3")
        + "\n",
        "unclosed_quote.csv:3: title: a quote opened here is never closed",
    ),
    "extra_cells": (
        HEADER + "\n" + GOOD + ",surprise\n",
        "extra_cells.csv:2: (column 11): has a value but its column has no name",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_input_is_refused_with_file_row_and_column(case, tmp_path, seeded, capsys):
    text, expected = BAD_CASES[case]
    path = tmp_path / f"{case}.csv"
    path.write_text(text, encoding="utf-8")
    before = export.file_digest(seeded)
    code, out, err = run_import(capsys, path, "--data", seeded)
    assert code == 1
    assert expected in err, err
    assert "Traceback" not in err
    assert export.file_digest(seeded) == before


def test_binary_garbage_and_non_utf8_text_are_refused(tmp_path, seeded, capsys):
    before = export.file_digest(seeded)
    png = tmp_path / "photo.csv"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    code, _, err = run_import(capsys, png, "--data", seeded)
    assert code == 1 and "photo.csv:1: -: is not a CSV text file (it contains binary data)" in err
    latin = tmp_path / "latin1.csv"
    latin.write_bytes((HEADER + "\n" + GOOD.replace("Shelter", "Caf\xe9 shelter") + "\n").encode("latin-1"))
    code, _, err = run_import(capsys, latin, "--data", seeded)
    assert code == 1 and "latin1.csv:2: title: text is not UTF-8 (byte e9" in err
    workbook = tmp_path / "broken.xlsx"
    workbook.write_bytes(b"not a zip at all")
    code, _, err = run_import(capsys, workbook, "--data", seeded)
    assert code == 1 and "broken.xlsx:1: -: is not a readable XLSX workbook" in err
    assert export.file_digest(seeded) == before


def test_duplicate_id_across_the_files_of_one_run(tmp_path, seeded, capsys):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(f"{HEADER}\n{GOOD}\n", encoding="utf-8")
    b.write_text(f"{HEADER}\n{GOOD.replace('N1', 'N2')}\n{GOOD}\n", encoding="utf-8")
    before = export.file_digest(seeded)
    code, _, err = run_import(capsys, a, b, "--data", seeded)
    assert code == 1
    assert "b.csv:3: activity_id: 'N1' appears more than once (first at a.csv:2)" in err
    assert export.file_digest(seeded) == before


def test_many_errors_list_the_first_hundred_and_count_the_rest(tmp_path, seeded, capsys):
    rows = [f"M{i},T,UNODC,,national,THA,2020-13-{i % 28 + 1:02d},,,protection" for i in range(150)]
    path = tmp_path / "many.csv"
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    before = export.file_digest(seeded)
    code, _, err = run_import(capsys, path, "--data", seeded)
    assert code == 1
    listed = [line for line in err.splitlines() if line.startswith("many.csv:")]
    assert len(listed) == 100
    assert listed[0].startswith("many.csv:2: start_date:") and listed[-1].startswith("many.csv:101: start_date:")
    assert "... and 50 more problem(s)" in err
    assert export.file_digest(seeded) == before


def test_missing_file_and_unsupported_extension(tmp_path, seeded, capsys):
    before = export.file_digest(seeded)
    code, _, err = run_import(capsys, tmp_path / "nope.csv", "--data", seeded)
    assert code == 1 and "nope.csv: no such file" in err
    doc = tmp_path / "activities.ods"
    doc.write_text("x", encoding="utf-8")
    code, _, err = run_import(capsys, doc, "--data", seeded)
    assert code == 1 and "activities.ods: unsupported file type .ods; give a .csv or .xlsx file" in err
    assert run_import(capsys, "--data", seeded)[0] == 2  # no file at all is wrong usage
    assert export.file_digest(seeded) == before


def test_xlsx_cells_that_are_not_dates_or_numbers(tmp_path, seeded, capsys):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER.split(","))
    ws.append(["X1", "T", "UNODC", None, "national", "THA", 43831, None, -3.5, "protection"])
    ws.append(["X2", "T", "UNODC", None, "national", "TH", date(2020, 1, 1), None, 2500, "protection"])
    path = tmp_path / "cells.xlsx"
    wb.save(path)
    before = export.file_digest(seeded)
    code, _, err = run_import(capsys, path, "--data", seeded)
    assert code == 1
    assert "cells.xlsx:2: start_date: 43831 is a number, not a date" in err
    assert "cells.xlsx:2: budget_usd: is negative (-3.5)" in err
    assert "cells.xlsx:3:" not in err
    assert export.file_digest(seeded) == before


def test_two_imports_at_once_both_land(tmp_path, seeded):
    files = []
    for k in range(2):
        path = tmp_path / f"agency{k}.csv"
        rows = [GOOD.replace("N1", f"C{k}-{i}") for i in range(30)]
        path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
        files.append(path)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "icat_analysis", "import-activities", str(f), "--data", str(seeded)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for f in files
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    acts = activities(seeded)
    assert len(acts) == 22 + 60  # neither import lost the other's rows
    assert cli.main(["validate", "--data", str(seeded)]) == 0


# --- whatever comes in, no traceback and no half-changed export -----------------------------

_cell = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "TH", "th;VN", "unodc", "2020-01-01", "2020-13-01", "-1", "1,5", '"', "global", ";;"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.dictionaries(st.sampled_from(HEADER.split(",")), _cell, max_size=4), min_size=1, max_size=4),
    junk=st.one_of(
        st.none(),
        st.binary(max_size=200),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=200).map(lambda t: (HEADER + "\n" + t).encode()),
    ),
)
def test_malformed_input_never_crashes_or_half_changes(tmp_path_factory, rows, junk):
    data = tmp_path_factory.mktemp("data")
    good = data.parent / f"{data.name}-good.csv"
    good.write_text(f"{HEADER}\n{GOOD}\n", encoding="utf-8")
    assert cli.main(["import-activities", str(good), "--data", str(data)]) == 0
    before = export.file_digest(data)
    path = data.parent / f"{data.name}-in.csv"
    if junk is not None:
        path.write_bytes(junk)
    else:
        base = dict(zip(HEADER.split(","), GOOD.split(",")))
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(HEADER.split(","))
            for i, changes in enumerate(rows):
                writer.writerow([{**base, "activity_id": f"H{i}", **changes}[c] for c in HEADER.split(",")])
    code = cli.main(["import-activities", str(path), "--data", str(data)])
    assert code in (0, 1)
    if code == 1:
        assert export.file_digest(data) == before
    else:
        assert cli.main(["validate", "--data", str(data)]) == 0
