"""A hostile cell imported through the template never becomes a live formula in any download,
nor in the CSV the ``duplicates`` command prints."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd

from icat_analysis import cli, spreadsheet
from icat_analysis.analyses import country_profile
from icat_analysis.filters import Filters
from icat_analysis.store import db, reviews
from icat_analysis.ui import downloads
from tests.factories import activity, make_export

REPO = Path(__file__).resolve().parents[1]
HOSTILE = '\x01=HYPERLINK("http://example.org/steal","click me")'
HEADER = "activity_id,title,lead_agency,partner_agencies,scope,countries,start_date,end_date,budget_usd,themes"


def test_sanitiser_strips_controls_before_neutralising_formulas():
    assert spreadsheet.safe_cell(HOSTILE) == '\'=HYPERLINK("http://example.org/steal","click me")'
    assert spreadsheet.safe_cell("\x00+1") == "'+1"
    assert spreadsheet.safe_cell("\u202e@SUM(1)") == "'@SUM(1)"  # a right-to-left override hid the @
    assert spreadsheet.safe_cell("Line one\nline two\tend") == "Line one\nline two\tend"
    assert spreadsheet.safe_cell("\t=1") == "'\t=1"
    assert spreadsheet.safe_cell(-3) == -3
    import pyarrow as pa

    arr = pa.array([HOSTILE, "\u2066-2\u2069", "plain", None])
    assert spreadsheet.safe_array(arr).to_pylist() == [spreadsheet.safe_cell(HOSTILE), "'-2", "plain", None]


def _imported_export(tmp_path, capsys) -> Path:
    submission = tmp_path / "hostile.csv"
    with open(submission, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER.split(","))
        w.writerow(["H1", HOSTILE, "ILO", "IOM", "national", "THA", "2020-01-01", "2021-12-31", "1000", "protection"])
        w.writerow(["H2", "Plain title", "IOM", "", "national", "THA", "2020-01-01", "", "", "protection"])
    data = tmp_path / "data"
    code = cli.main(["import-activities", str(submission), "--data", str(data)])
    assert code == 0, capsys.readouterr().err
    return data


def _formulas(xlsx: bytes) -> list[str]:
    ws = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    return [f"{c.coordinate}={c.value!r}" for row in ws.iter_rows() for c in row if c.data_type == "f"]


def _texts(xlsx: bytes) -> set:
    ws = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    return {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}


def test_imported_hyperlink_title_is_text_in_every_xlsx_and_csv_download(tmp_path, capsys):
    con = db.connect(_imported_export(tmp_path, capsys))
    shown = '\'=HYPERLINK("http://example.org/steal","click me")'
    data_page = downloads.activities_xlsx(con, "activity_rows", Filters(), "Activities")
    agency_profile = downloads.activities_xlsx(con, "agency_activities", Filters(), "ILO activities", agency="ILO")
    country = db.query(con, "country_activities", Filters(), iso3="THA", by_lead=False, limit=None)
    map_profile = downloads.to_xlsx_bytes(country_profile.activities_table(country), "THA activities")
    for name, xlsx in (("Data", data_page), ("Agency profile", agency_profile), ("Map profile", map_profile)):
        assert _formulas(xlsx) == [], name
        assert shown in _texts(xlsx), name
    for csv_bytes in (
        downloads.activities_csv(con, "activity_rows", Filters()),
        downloads.to_csv_bytes(country_profile.activities_table(country)),
    ):
        titles = set(pd.read_csv(io.StringIO(csv_bytes.decode("utf-8-sig")))["Title"])
        assert titles == {shown, "Plain title"}


def test_reviews_csv_strips_controls_before_neutralising():
    table = pd.DataFrame({"note": [HOSTILE, "fine"], "reviewer": ["\u202e=cmd", "Ana"]})
    back = pd.read_csv(io.BytesIO(reviews.reviews_csv(table)), encoding="utf-8-sig")
    assert back["note"].tolist() == ['\'=HYPERLINK("http://example.org/steal","click me")', "fine"]
    assert back["reviewer"].tolist() == ["'=cmd", "Ana"]


SAME_WORK = dict(
    themes=["protection", "prosecution"],
    activity_types=["capacity_building"],
    target_groups=["labour_inspectors"],
    exploitation_forms=["forced_labour"],
)


def test_duplicates_csv_neutralises_formulas(tmp_path):
    make_export(tmp_path, [activity("=1+2", lead="ILO", **SAME_WORK), activity("@A2", lead="IOM", **SAME_WORK)])
    out = subprocess.run(
        [sys.executable, "-m", "icat_analysis", "duplicates", "--data", str(tmp_path)],
        capture_output=True, text=True, cwd=REPO, check=True,
    ).stdout  # fmt: skip
    got = list(csv.DictReader(io.StringIO(out)))
    assert {(r["activity_id_a"], r["activity_id_b"]) for r in got} == {("'=1+2", "'@A2")}


def test_duplicates_piped_into_head_ends_quietly(tmp_path):
    # Enough pairs that the output outgrows the pipe's buffer before the reader goes away.
    rows = [activity(f"A{i:03}", lead=("ILO", "IOM", "UNODC", "UNICEF")[i % 4], **SAME_WORK) for i in range(80)]
    make_export(tmp_path, rows)
    proc = subprocess.Popen(
        [sys.executable, "-m", "icat_analysis", "duplicates", "--data", str(tmp_path), "--min-score", "0.5"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO,
    )  # fmt: skip
    assert proc.stdout.readline().startswith(b"activity_id_a,")
    proc.stdout.close()  # what `| head -1` does after its line
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert "BrokenPipeError" not in err and "Traceback" not in err, err
    assert proc.returncode == 0
