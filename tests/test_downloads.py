"""Downloads carry names, not codes, and a spreadsheet cannot run anything they contain."""

import io

import openpyxl
import pandas as pd

from icat_analysis import db, downloads
from icat_analysis.filters import Filters
from tests.factories import activity, make_export


def _rows(tmp_path, rows, f=Filters()):
    return db.query(db.connect(make_export(tmp_path / "x", rows)), "activity_rows", f)


def test_labels_replace_codes(tmp_path):
    rows = _rows(
        tmp_path,
        [
            activity(
                "A1",
                lead="ILO",
                partners=["IOM", "UNICEF"],
                countries=["THA", "KHM"],
                themes=["prevention", "protection"],
                activity_types=["capacity_building"],
                target_groups=["law_enforcement"],
                budget=1234.5,
            )
        ],
    )
    t = downloads.labelled_activities(rows)
    r = t.iloc[0]
    assert r["Activity ID"] == "A1"
    assert r["Lead agency"] == "International Labour Organization"
    assert r["Partner agencies"] == "International Organization for Migration; United Nations Children's Fund"
    assert r["Countries"] == "Thailand; Cambodia"
    assert r["Themes"] == "Prevention; Protection"
    assert r["Activity types"] == "Capacity building"
    assert r["Target groups"] == "Law enforcement"
    assert r["Scope"] == "Regional"
    assert r["Joint"] == "yes"
    assert r["Budget (US$)"] == 1234.5


def test_downloads_follow_the_filters(tmp_path):
    rows = _rows(tmp_path, [activity("A1", lead="ILO"), activity("A2", lead="IOM")], Filters(agencies=("IOM",)))
    assert downloads.labelled_activities(rows)["Activity ID"].tolist() == ["A2"]


def test_formula_cells_are_neutralised():
    df = pd.DataFrame({"=cmd": ["=1+1", "+SUM(A1)", "-2+3", "@x", "\t=1", "plain", None], "n": [-1, 2, 3, 4, 5, 6, 7]})
    out = downloads.neutralise(df)
    assert out.columns.tolist() == ["'=cmd", "n"]
    assert out["'=cmd"].tolist()[:6] == ["'=1+1", "'+SUM(A1)", "'-2+3", "'@x", "'\t=1", "plain"]
    assert out["n"].tolist()[0] == -1  # a negative number is a number, not a formula


def test_csv_and_xlsx_hold_text_not_formulas(tmp_path):
    rows = _rows(
        tmp_path,
        [
            activity("A1", title='=HYPERLINK("http://example.org","click")', description="@SUM(1)"),
            activity("A2", title="<script>alert(1)</script>", description="-10"),
        ],
    )
    t = downloads.labelled_activities(rows)
    csv = downloads.to_csv_bytes(t).decode("utf-8-sig")
    back = pd.read_csv(io.StringIO(csv))
    assert set(back["Title"]) == {'\'=HYPERLINK("http://example.org","click")', "<script>alert(1)</script>"}
    assert "'@SUM(1)" in set(back["Description"])

    wb = openpyxl.load_workbook(io.BytesIO(downloads.to_xlsx_bytes(t, "Activities: 2026/11")))
    ws = wb.active
    assert ws.title == "Activities  2026 11"
    cells = [c for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]  # no formula anywhere
    titles = {ws.cell(row=i, column=2).value for i in (2, 3)}
    assert '\'=HYPERLINK("http://example.org","click")' in titles
    assert ws.cell(row=1, column=1).value == "Activity ID"


def test_empty_table_downloads(tmp_path):
    rows = _rows(tmp_path, [activity("A1")], Filters(countries=("FRA",)))
    t = downloads.labelled_activities(rows)
    assert t.empty and "Title" in t.columns
    assert downloads.to_csv_bytes(t).decode("utf-8-sig").startswith("Activity ID,Title")
    assert openpyxl.load_workbook(io.BytesIO(downloads.to_xlsx_bytes(t, "Activities"))).active.max_row == 1
