"""Where the figures come from: the exports the dashboard offers and the one a link names,
the source under every page's title, and the source, filter sentence and date in every download."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from icat_analysis.filters import Filters
from icat_analysis.store import db, export
from icat_analysis.ui import downloads, provenance
from tests.conftest import four_activities
from tests.factories import activity, make_export

MADE = datetime(2026, 12, 1, 9, 30)

IATI_MANIFEST = {
    "synthetic": False,
    "iati": {
        "snapshot": "2021-06-15",
        "relevance": "default: only work against trafficking in persons",
        "publishers": [
            {"ref": "XM-DAC-41122", "name": "UNICEF", "activities": 2, "read": 62, "files": ["unicef.xml"]},
            {"ref": "XM-DAC-47066", "name": "International Organization for Migration (IOM)", "activities": 11,
             "read": 257, "files": ["iom_dportal_119.xml", "iom_dportal_118.xml"]},
            {"ref": "XM-DAC-41301", "name": "FAO", "activities": 0, "read": 88, "files": ["fao.xml"]},
        ],
    },
    "sources": [
        {"name": "IATI activity files", "used_for": "activities.parquet"},
        {"name": "UNODC GLOTIP", "citation": "UNODC, GLOTIP data (release of 30 May 2023)",
         "used_for": "indicators.parquet"},
    ],
}  # fmt: skip


def _about(manifest: dict, f: Filters = Filters(), n: int | None = None, name: str = "demo") -> provenance.About:
    return provenance.about(name, manifest, f.describe(n), MADE)


# ---- the source in words -------------------------------------------------------------------
def test_synthetic_data_is_named_so_with_its_export_and_date(default_export):
    m = export.read_manifest(default_export)
    about = dict(_about(m).rows())
    assert about["Source"] == "export 'demo', 1 November 2026: synthetic demonstration data"
    assert about["Selection"] == "All activities"
    assert about["Made"].startswith("2026-12-01 09:30")
    assert "UNODC" in about["Indicators"] and "30 May 2023" in about["Indicators"]


def test_iati_source_names_each_publisher_and_the_snapshot_date():
    line = provenance.source_line(IATI_MANIFEST)
    # the publishers whose activities the export holds, the one with the most first; not FAO
    assert line == (
        "Activities: IATI, International Organization for Migration (IOM, XM-DAC-47066), UNICEF (XM-DAC-41122) "
        "as published on 15 June 2021 (13 of the 407 activities in the files are about trafficking in persons). "
        "Indicators: UNODC, GLOTIP data (release of 30 May 2023)."
    )
    source = dict(_about(IATI_MANIFEST, name="iati-sample").rows())["Source"]
    assert source == (
        "export 'iati-sample': IATI activities of International Organization for Migration (IOM, XM-DAC-47066), "
        "UNICEF (XM-DAC-41122), as published on 15 June 2021"
    )


# ---- CSV ------------------------------------------------------------------------------------
def _table() -> pd.DataFrame:
    return pd.DataFrame(
        {"Country": ["Thailand", "Niger"], "Title": ["Phase #2, with a comma", "=SUM(A1)"], "Activities": [3, 12]}
    )


def test_csv_starts_with_the_source_filters_and_date_and_reads_back_with_pandas():
    f = Filters(agencies=("ILO",), role="lead")
    raw = downloads.to_csv_bytes(_table(), _about({"synthetic": True, "as_of": "2026-11-01"}, f, 2))
    text = raw.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "# Source:,\"export 'demo', 1 November 2026: synthetic demonstration data\""
    assert lines[1] == '# Selection:,"2 activities led by ILO"'
    assert lines[2].startswith('# Made:,"2026-12-01 09:30')
    back = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", comment="#")
    assert back["Title"].tolist() == ["Phase #2, with a comma", "'=SUM(A1)"]  # the # in a title is kept
    assert back["Activities"].tolist() == [3, 12]


def test_full_activities_csv_and_its_zip_carry_the_about_lines(small_export):
    con = db.connect(small_export)
    about = _about({"synthetic": False, "sources": []}, Filters(countries=("THA",)), 2, "small")
    raw = downloads.activities_csv(con, "activity_rows", Filters(countries=("THA",)), about=about)
    assert raw.decode("utf-8-sig").startswith("# Source:,\"export 'small'")
    assert '# Selection:,"2 activities in Thailand"' in raw.decode("utf-8-sig")
    back = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", comment="#")
    assert sorted(back["Activity ID"]) == ["A1", "A3"]
    zipped = downloads.activities_csv_zip(con, "activity_rows", Filters(), "icat-activities.csv", about=about)
    with zipfile.ZipFile(io.BytesIO(zipped)) as zf:
        inner = zf.read("icat-activities.csv")
    assert len(pd.read_csv(io.BytesIO(inner), encoding="utf-8-sig", comment="#")) == 4
    assert inner.decode("utf-8-sig").startswith("# Source:")


def test_a_csv_made_elsewhere_gets_the_lines_on_top():
    raw = downloads.with_about_csv("\ufeffa,b\n1,2\n".encode(), _about({"synthetic": True}))
    assert raw.startswith("\ufeff# Source:".encode())
    assert pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", comment="#").to_dict("list") == {"a": [1], "b": [2]}


# ---- XLSX -----------------------------------------------------------------------------------
def _about_sheet(data: bytes) -> dict[str, str]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames[-1] == "About"
    ws = wb["About"]
    return {r[0]: r[1] for r in ws.iter_rows(min_row=2, values_only=True)}


def test_xlsx_has_the_table_first_and_an_about_sheet():
    data = downloads.to_xlsx_bytes(_table(), "Coverage", _about(IATI_MANIFEST, Filters(countries=("NER",)), None))
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Coverage", "About"]
    assert wb["Coverage"]["B3"].value == "'=SUM(A1)"
    about = _about_sheet(data)
    assert about["Selection"] == "All activities in Niger"
    assert "International Organization for Migration (IOM, XM-DAC-47066)" in about["Source"]
    assert about["Made"].startswith("2026-12-01 09:30")


def test_full_activities_xlsx_has_the_about_sheet(small_export):
    con = db.connect(small_export)
    data = downloads.activities_xlsx(con, "activity_rows", Filters(), "Activities", _about({}, Filters(), 4, "small"))
    assert _about_sheet(data)["Selection"] == "4 activities"
    assert openpyxl.load_workbook(io.BytesIO(data))["Activities"].max_row == 5


def test_about_text_that_looks_like_a_formula_is_made_harmless():
    data = downloads.to_xlsx_bytes(_table(), "T", provenance.About("x", "=HYPERLINK(1)", "All", "now"))
    assert _about_sheet(data)["Source"] == "'=HYPERLINK(1)"


# ---- which exports ---------------------------------------------------------------------------
def test_the_exports_of_a_folder_are_its_export_directories(tmp_path):
    make_export(tmp_path / "demo", four_activities(), synthetic=True)
    make_export(tmp_path / "iati-sample", [activity("X1")])
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "workbook.xlsx").write_bytes(b"x")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "README.md").write_text("x")
    assert list(export.list_exports(tmp_path)) == ["demo", "iati-sample"]


def test_a_link_naming_an_unknown_export_falls_back_with_a_notice():
    names = ["demo", "iati-sample"]
    assert provenance.choose_export("iati-sample", names) == ("iati-sample", None)
    assert provenance.choose_export(None, names) == ("demo", None)
    shown, notice = provenance.choose_export("../../etc", names)
    assert shown == "demo"
    assert notice == (
        "Ignored export '../../etc' from the link: not an export of this dashboard (demo, iati-sample); showing 'demo'."
    )
    assert provenance.choose_export("x", ["b", "a"])[0] == "b"  # no demo: the first offered


# ---- on screen (AppTest) ---------------------------------------------------------------------
@pytest.fixture
def two_exports(tmp_path, monkeypatch):
    root = tmp_path / "root"
    make_export(root / "demo", four_activities(), synthetic=True)
    iati = make_export(root / "iati-sample", [activity("XM-DAC-47066-PX.0162", lead="IOM", countries=["BGD"])])
    manifest = json.loads((iati / "manifest.json").read_text())
    (iati / "manifest.json").write_text(json.dumps({**manifest, **IATI_MANIFEST, "title": "IATI sample"}))
    monkeypatch.delenv("ICAT_DATA_DIR", raising=False)
    monkeypatch.setenv("ICAT_DATA_ROOT", str(root))
    return root


def _run(query: dict | None = None) -> AppTest:
    at = AppTest.from_file("../dashboard.py", default_timeout=120)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return at.run()


def _activities(at: AppTest) -> str:
    return {m.label: m.value for m in at.metric}["Activities"]


def test_the_sidebar_switches_export_and_the_link_keeps_it(two_exports, clean_streamlit):
    at = _run()
    assert not at.exception
    assert at.selectbox(key="w_export").options == ["Synthetic demonstration (demo)", "IATI sample"]
    assert _activities(at) == "4"
    assert any("Demonstration data" in i.value for i in at.info)
    assert "export" not in at.query_params  # the default export needs no word in the link

    at.selectbox(key="w_export").select("iati-sample").run()
    assert _activities(at) == "1"
    assert at.query_params["export"] == "iati-sample"
    assert not any("Demonstration data" in i.value for i in at.info), "no synthetic banner on real data"
    assert any("IATI, International Organization for Migration (IOM, XM-DAC-47066)" in c.value for c in at.caption)

    at.switch_page("pages/data.py").run()
    assert at.query_params["export"] == "iati-sample"  # kept while moving to another page
    assert any(c.value.startswith("1 activity.") for c in at.caption)  # the filter sentence counts the IATI export


def test_a_link_opens_its_export_and_an_unknown_one_is_dropped_with_a_notice(two_exports, clean_streamlit):
    at = _run({"export": "iati-sample"})
    assert _activities(at) == "1"
    at = _run({"export": "nonsense"})
    assert _activities(at) == "4"
    assert any("Ignored export 'nonsense'" in w.value for w in at.warning)
    assert "export" not in at.query_params


def test_every_download_a_page_draws_itself_says_where_it_comes_from():
    """A page's own CSV or XLSX download button (the reviews log) wraps it in ``st_adapter.with_about``;
    the others go through st_adapter's table and activities helpers, which always add it."""
    import ast

    from tests.conftest import REPO

    unlabelled = []
    for path in sorted((REPO / "pages").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "download_button":
                mime = next((ast.unparse(k.value) for k in node.keywords if k.arg == "mime"), "")
                if "csv" not in mime and "spreadsheet" not in mime:
                    continue  # a calendar file (.ics) is no table
                data = node.args[1] if len(node.args) > 1 else next(k.value for k in node.keywords if k.arg == "data")
                if "with_about" not in ast.unparse(data):
                    unlabelled.append(f"{path.name}:{node.lineno}")
    assert unlabelled == []
