"""Downloads carry names, not codes, and a spreadsheet cannot run anything they contain."""

import io

import openpyxl
import pandas as pd

from icat_analysis.filters import Filters
from icat_analysis.store import db
from icat_analysis.ui import downloads
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


def test_labels_column_by_column_keep_unknown_codes_and_missing_values():
    import datetime as dt

    import numpy as np

    df = pd.DataFrame(
        {
            "activity_id": ["A1", "A2", "A3"],
            "lead_agency": ["ILO", "NEWAGENCY", None],
            "countries": [np.array(["THA", "ZZZ"], dtype=object), np.array([], dtype=object), None],
            "themes": [np.array(["prevention"], dtype=object), np.array(["protection"], dtype=object), None],
            "start_date": pd.to_datetime(["2015-02-01", "2016-03-04", None]),
            "is_joint": [True, False, True],
            "budget_usd": [1.5, None, 3.0],
        }
    )
    t = downloads.labelled_activities(df)
    assert t.columns.tolist() == [
        "Activity ID",
        "Lead agency",
        "Joint",
        "Countries",
        "Start date",
        "Budget (US$)",
        "Themes",
    ]
    assert t["Lead agency"].tolist()[:2] == ["International Labour Organization", "NEWAGENCY"]  # unknown code kept
    assert pd.isna(t["Lead agency"].iloc[2])
    assert t["Countries"].tolist()[:2] == ["Thailand; ZZZ", ""] and pd.isna(t["Countries"].iloc[2])
    assert t["Themes"].tolist()[:2] == ["Prevention", "Protection"]
    assert t["Start date"].tolist()[:2] == [dt.date(2015, 2, 1), dt.date(2016, 3, 4)]
    assert t["Joint"].tolist() == ["yes", "no", "yes"]
    assert t["Budget (US$)"].iloc[0] == 1.5 and pd.isna(t["Budget (US$)"].iloc[1])


def test_an_empty_description_reads_blank_not_none(tmp_path):
    rows = _rows(tmp_path, [activity("A1", lead="ILO", countries=["THA"], description=None)])
    shown = downloads.labelled_activities(rows)
    assert shown["Description"].tolist() == [""]


def test_one_activity_is_one_activity_in_hover_texts():
    from icat_analysis import reference
    from icat_analysis.analyses import agencies

    assert reference.activities_text(1) == "1 activity" and reference.activities_text(2345) == "2,345 activities"
    frame = agencies.coverage_map_frame(
        pd.DataFrame({"iso3": ["THA"], "activities": [1], "as_lead": [1], "as_partner": [0]}), "ILO"
    )
    assert "ILO: 1 activity (1 as lead, 0 as partner)" in frame.set_index("iso3").at["THA", "hover"]
