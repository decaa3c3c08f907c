"""The IATI sample export shipped in data/iati-sample/: its manifest names the publishers,
files and snapshot date; an activity's detail shows its IATI identifier, publisher and why it
was kept; region-only activities stand in a band of their own and unclassified themes show as
such; a rebuild from the shared files gives the same activities."""

from __future__ import annotations

import hashlib
import io
from datetime import date

import pandas as pd
import pyarrow.parquet as pq
import pytest

import dashboard
from icat_analysis import cli
from icat_analysis.analyses import country_profile, regions
from icat_analysis.filters import Filters
from icat_analysis.paths import DATA_ROOT, SOURCE_DIR
from icat_analysis.store import db, export
from icat_analysis.ui import downloads, provenance

SAMPLE = DATA_ROOT / "iati-sample"
REAL = SOURCE_DIR / "iati" / "real"
PX0162 = "XM-DAC-47066-PX.0162"
#: pages of the library and calendar, whose rows each say whether they are real or synthetic
LISTINGS = ("pages/library.py", "pages/events.py")


@pytest.fixture(scope="module")
def con():
    return db.connect(SAMPLE)


@pytest.fixture(scope="module")
def manifest() -> dict:
    return export.read_manifest(SAMPLE)


def test_the_sample_is_one_of_the_shipped_exports_and_real(manifest):
    assert list(export.list_exports(DATA_ROOT))[:2] == ["demo", "iati-sample"]
    assert manifest["synthetic"] is False
    assert manifest["title"] == "IATI sample (15 June 2021)"
    assert manifest["row_counts"]["activities"] == 16
    assert manifest["row_counts"]["indicators"] == 46556  # GLOTIP beside the activities


def test_manifest_names_each_publisher_file_and_the_snapshot(manifest):
    iati = manifest["iati"]
    assert iati["snapshot"] == "2021-06-15"
    pubs = {p["ref"]: p for p in iati["publishers"]}
    assert pubs["XM-DAC-47066"] == {
        "ref": "XM-DAC-47066",
        "name": "International Organization for Migration (IOM)",
        "read": 257,
        "activities": 16,
        "files": ["iom_dportal_117.xml", "iom_dportal_118.xml", "iom_dportal_119.xml"],
    }
    assert pubs["XM-DAC-41122"]["name"] == "UNICEF" and pubs["XM-DAC-41122"]["activities"] == 0
    assert sum(p["read"] for p in iati["publishers"]) == 700
    files = {f["file"]: f for f in iati["files"]}
    assert len(files) == 7 and files["iom_dportal_119.xml"]["kept"] == 10
    for name, f in files.items():
        assert f["sha256"] == hashlib.sha256((REAL / name).read_bytes()).hexdigest(), name


def test_the_source_line_names_iom_and_the_date(manifest):
    assert provenance.source_line(manifest).startswith(
        "Activities: IATI, International Organization for Migration (IOM, XM-DAC-47066) as published on "
        "15 June 2021 (16 of the 700 activities in the files are about trafficking in persons). Indicators: UNODC"
    )


def test_data_as_of_is_the_snapshot_date_not_the_import_day(manifest):
    # the sample was imported in December 2026 from files served on 15 June 2021
    assert export.data_as_of(manifest) == date(2021, 6, 15)
    # the demonstration keeps its fixed date; an export of neither falls back to the version's day
    assert export.data_as_of(export.read_manifest(DATA_ROOT / "demo")) == date(2026, 11, 1)
    assert export.data_as_of({"updated_at": "2026-12-01T10:08:43+00:00"}) == date(2026, 12, 1)
    assert export.data_as_of({}) is None


def _row(con, activity_id: str) -> pd.Series:
    rows = downloads.labelled_activities(db.query(con, "activity_rows_page", Filters(), limit=100, offset=0))
    return rows.set_index("Activity ID").loc[activity_id]


def test_an_activity_shows_its_iati_identifier_publisher_and_why_it_was_kept(con):
    row = _row(con, PX0162)
    assert row["IATI identifier"] == PX0162
    assert row["IATI publisher"] == "International Organization for Migration (IOM, XM-DAC-47066)"
    assert row["Kept because"] == "title: 'Counter Trafficking'"
    assert row["Trafficking in persons is"] == "Main purpose"
    assert row["Countries"] == "Bangladesh"
    # one kept only for its description: trafficking is one component of it
    assert _row(con, "XM-DAC-47066-PX.0198")["Trafficking in persons is"] == "One component"


def test_the_country_profile_shows_the_iati_detail(con):
    acts = db.query(con, "country_activities", Filters(), iso3="BGD", by_lead=False, limit=None)
    table = country_profile.activities_table(acts).set_index("ID")
    assert sorted(table.index) == ["XM-DAC-47066-DP.2135", PX0162]
    assert table.at[PX0162, "IATI publisher"] == "International Organization for Migration (IOM, XM-DAC-47066)"
    assert table.at[PX0162, "Kept because"] == "title: 'Counter Trafficking' (main purpose)"


def test_region_only_activities_are_a_band_of_their_own(con):
    band = db.query(con, "region_band", Filters())
    assert band[["region", "activities"]].values.tolist() == [
        ["Eastern Africa", 1],
        ["Western Africa", 1],
        ["Western Asia", 1],
    ]
    assert regions.band_sentence(band).startswith("3 activities are placed in 3 regions and in no country")
    # never spread onto countries: no country row for them
    countries = db.query(con, "activity_rows", Filters())
    assert countries.loc[countries["regions"].map(len) > 0, "countries"].map(len).tolist() == [0, 0, 0]


def test_a_region_filter_finds_the_activities_placed_in_a_region_inside_it(con):
    africa = db.query(con, "activity_rows", Filters(regions=("Africa",)))
    assert "XM-DAC-47066-IB.0225" in set(africa["activity_id"])  # Western Africa, no country
    assert "XM-DAC-47066-MS.0025" not in set(africa["activity_id"])  # Western Asia
    ssa = db.query(con, "region_band", Filters(regions=("Sub-Saharan Africa",)))
    assert ssa["region"].tolist() == ["Eastern Africa", "Western Africa"]
    # a country filter alone does not take in a region's activities
    assert db.query(con, "region_band", Filters(countries=("NGA",))).empty


def test_unclassified_themes_show_as_such(con):
    from functools import partial

    from icat_analysis.analyses import overview

    starts = db.query(con, "overview_starts_by_theme", Filters())
    assert starts.set_index(["year", "theme"]).at[(2020, "unclassified"), "activities"] == 3
    chart = overview.starts_per_year_by_theme(partial(db.query, con), Filters()).set_index(["year", "theme"])
    assert chart.at[(2020, "unclassified"), "theme_label"] == "Unclassified"
    assert chart.at[(2020, "unclassified"), "activities"] == 3
    nigeria = db.query(con, "country_theme_counts", Filters(), iso3="NGA")
    assert country_profile.theme_counts(nigeria).values.tolist() == [["Unclassified", 1]]
    assert _row(con, "XM-DAC-47066-IB.0211")["Themes"] == "Unclassified"


def test_downloads_carry_the_iati_columns_only_where_the_export_has_them(con):
    raw = downloads.activities_csv(con, "activity_rows", Filters())
    back = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", comment="#")
    assert {"IATI identifier", "IATI publisher", "Kept because", "Regions"} <= set(back.columns)
    assert len(back) == 16
    demo = db.connect(DATA_ROOT / "demo")
    demo_back = pd.read_csv(
        io.BytesIO(downloads.activities_csv(demo, "activity_rows", Filters(countries=("THA",)))), encoding="utf-8-sig"
    )
    assert not {"IATI identifier", "IATI publisher", "Kept because", "Regions"} & set(demo_back.columns)


def test_a_rebuild_from_the_shared_files_gives_the_same_activities(tmp_path):
    out = tmp_path / "iati-sample"
    assert cli.main(["iati-sample", str(REAL), "--out", str(out), "--snapshot", "2021-06-15"]) == 0
    assert not (out / export.PREVIOUS).exists() and not (out / export.LOCK).exists()

    def table(d):
        return pq.read_table(d / "activities.parquet").drop(["imported_at"]).to_pandas()

    pd.testing.assert_frame_equal(table(out), table(SAMPLE))
    assert export.read_manifest(out)["iati"] == export.read_manifest(SAMPLE)["iati"]


@pytest.mark.parametrize("page", [p[0] for p in dashboard.PAGES])
def test_every_page_runs_on_the_sample_and_names_its_source(page, monkeypatch, clean_streamlit):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("ICAT_DATA_DIR", str(SAMPLE))
    at = AppTest.from_file("../dashboard.py", default_timeout=120).run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not any("Demonstration data" in i.value for i in at.info), "no synthetic banner on real data"
    if page not in LISTINGS:
        assert any("IATI, International Organization for Migration (IOM, XM-DAC-47066)" in c.value for c in at.caption)


def test_duplication_says_why_one_agency_has_no_pairs(con):
    from icat_analysis.analyses import duplication

    counts = db.query(con, "duplication_activity_count", Filters()).iloc[0]
    assert duplication.no_pairs_words(0.92, counts) == (
        "A likely duplicate is a pair of activities led by two different agencies; all 16 selected activities are "
        "led by International Organization for Migration, so there is no pair to compare. Widen the filters, or "
        "load other agencies' activities."
    )
    demo = db.query(db.connect(DATA_ROOT / "demo"), "duplication_activity_count", Filters()).iloc[0]
    assert duplication.no_pairs_words(0.92, demo).startswith("No pair of activities scores 0.92 or more")


def test_the_map_note_tells_region_only_activities_from_global_ones(con):
    from icat_analysis.ui import geo

    scope = db.query(con, "map_scope_counts", Filters()).iloc[0]
    assert (int(scope["regional"]), int(scope["without_countries"]), int(scope["region_only"])) == (0, 3, 3)
    note = geo.scope_note(scope)
    assert note == (
        " 3 activities are placed in a region and in no country: the Regions band below counts them, never their "
        "region's countries."
    )
    assert "global activities without a country list" not in note


def test_the_agency_theme_chart_keeps_unclassified(con):
    from icat_analysis.ui import agency_charts

    by_year = db.query(con, "agency_themes_by_year", Filters(), agency="IOM")
    names = [t.name for t in agency_charts.themes_over_time_chart(by_year, "IOM").data]
    assert names[-1] == "Unclassified"
