"""The UNODC GLOTIP import: values a person can look up in the published workbook."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from icat_analysis.cli import main
from icat_analysis.sources import glotip
from icat_analysis.store import export
from icat_analysis.store.export import file_digest

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED = ROOT / "data" / "source" / "unodc_glotip_2023-05-30.xlsx"
SAMPLE = Path(__file__).parent / "fixtures" / "glotip" / "glotip_sample.xlsx"


@pytest.fixture(scope="module")
def published():
    """The whole workbook as UNODC published it (the project's copy under data/source)."""
    return glotip.read_table(PUBLISHED).to_pandas()


def _one(df, **where):
    sel = df
    for k, v in where.items():
        sel = sel[sel[k] == v]
    assert len(sel) == 1, f"{len(sel)} rows for {where}"
    return sel.iloc[0]


def test_thailand_detected_victims_2019_is_the_published_1540(published):
    row = _one(
        published,
        iso3="THA",
        indicator="Detected trafficking victims",
        dimension="Total",
        category="Total",
        sex="Total",
        age="Total",
        year=2019,
    )
    assert row["value"] == 1540.0
    assert row["value_text"] == "1,540"
    assert not row["is_censored"]
    assert row["country"] == "Thailand"
    assert row["unit"] == "Counts"
    assert row["source"] == "GLOTIP"


def test_a_thousands_separated_value_is_read_as_a_number(published):
    row = _one(published, iso3="ARG", indicator="Offences of trafficking in persons", year=2012)
    assert (row["value_text"], row["value"]) == ("1,757", 1757.0)


def test_the_whole_file_is_kept(published):
    assert len(published) == 46_556
    assert published["iso3"].nunique() == 207
    assert (published["year"].min(), published["year"].max()) == (2003, 2021)


def test_every_less_than_five_is_censored_with_its_text_kept(published):
    censored = published[published["is_censored"]]
    assert len(censored) == 23_076
    assert set(censored["value_text"]) == {"<5"}
    assert censored["value"].isna().all()
    # and nothing else is missing a value
    assert published.loc[~published["is_censored"], "value"].notna().all()


def test_region_codes_are_kept_and_listed(published):
    regions = glotip.region_codes()
    assert set(regions) == {"CAR", "CAS", "EEU", "MCA", "MCN", "SAF", "SAM", "Aruba/Curacao"}
    present = set(published["iso3"].dropna())
    assert set(regions) <= present
    rows = published[published["iso3"].isin(list(regions))]
    assert len(rows) == 161 + 129 + 129 + 88 + 40 + 204 + 205 + 1
    assert rows["country"].isna().all()  # as published: no country name for an aggregate
    s = glotip.summary(glotip.read_table(SAMPLE))
    assert s["region_codes"]["CAR"]["rows"] == 5
    assert "not a country" in s["region_codes"]["CAR"]["meaning"]


def test_sark_has_no_code_and_is_kept(published):
    sark = published[published["country"] == "Sark"]
    assert len(sark) == 26
    assert sark["iso3"].isna().all()


def _sample_rows() -> list[list]:
    wb = openpyxl.load_workbook(SAMPLE, read_only=True)
    rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    wb.close()
    return rows


def _write_xlsx(path: Path, rows: list[list]) -> Path:
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    wb.save(path)
    return path


def _write_csv(path: Path, rows: list[list]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["" if c is None else c for c in r] for r in rows])
    return path


def test_csv_and_no_preamble_variants_give_the_same_table(tmp_path):
    rows = _sample_rows()
    assert rows[2][0] == "Iso3_code"  # two preamble lines, then the header
    expected = glotip.read_table(SAMPLE)
    assert expected.num_rows == 311
    variants = [
        _write_xlsx(tmp_path / "no_preamble.xlsx", rows[2:]),
        _write_csv(tmp_path / "with_preamble.csv", rows),
        _write_csv(tmp_path / "no_preamble.csv", rows[2:]),
    ]
    for path in variants:
        assert glotip.read_table(path).equals(expected), path.name


def test_sample_values_match_the_published_file():
    t = glotip.read_table(SAMPLE).to_pandas()
    row = _one(t, iso3="SAM", value_text="1,714")
    assert row["value"] == 1714.0 and row["sex"] == "Female" and row["age"] == "18 years or over"
    assert int(pc.sum(glotip.read_table(SAMPLE).column("is_censored")).as_py()) == 167


def test_import_command_writes_indicators_and_the_citation(tmp_path, capsys):
    data = tmp_path / "export"
    assert main(["import-glotip", str(SAMPLE), "--data", str(data)]) == 0
    table = pq.read_table(export.current_dir(data) / "indicators.parquet")
    assert table.num_rows == 311
    manifest = export.read_manifest(data)
    (source,) = manifest["sources"]
    assert source["citation"] == (
        "UNODC, UNODC Research - Data Portal - Trafficking in Persons, dataunodc.un.org (release of 30 May 2023)"
    )
    assert "prevalence" in source["caveat"]
    assert set(manifest["indicators"]["region_codes"]) == {"CAR", "SAM", "Aruba/Curacao"}
    assert manifest["indicators"]["rows_without_iso3"] == {"Sark": 2}
    assert manifest["row_counts"]["indicators"] == 311
    assert "311 indicator rows" in capsys.readouterr().out


def _refused(tmp_path, bad: Path, capsys) -> str:
    data = tmp_path / "export"
    assert main(["import-glotip", str(SAMPLE), "--data", str(data)]) == 0
    before = file_digest(data)
    capsys.readouterr()
    assert main(["import-glotip", str(bad), "--data", str(data)]) == 1
    assert file_digest(data) == before, "a refused file must leave the export as it was"
    return capsys.readouterr().err


def test_a_bad_number_is_refused_with_its_row(tmp_path, capsys):
    rows = _sample_rows()
    rows[10][11] = "abc"  # line 11 of the file
    bad = _write_csv(tmp_path / "bad.csv", rows)
    err = _refused(tmp_path, bad, capsys)
    assert f"{bad}:11: txtVALUE: 'abc' is not a number" in err


def test_a_missing_column_is_refused(tmp_path, capsys):
    rows = [r[:9] + r[10:] for r in _sample_rows()]  # drop Year
    bad = _write_csv(tmp_path / "no_year.csv", rows)
    err = _refused(tmp_path, bad, capsys)
    assert f"{bad}:3: year: column missing from the header" in err


def test_a_file_that_is_not_glotip_is_refused(tmp_path, capsys):
    bad = _write_csv(tmp_path / "other.csv", [["activity_id", "title"], ["A1", "Something"]])
    err = _refused(tmp_path, bad, capsys)
    assert f"{bad}:2: header: no GLOTIP header" in err
    assert "export was not changed" in err


def test_a_bad_year_is_refused(tmp_path, capsys):
    rows = _sample_rows()
    rows[5][9] = "20x9"
    bad = _write_xlsx(tmp_path / "bad_year.xlsx", rows)
    err = _refused(tmp_path, bad, capsys)
    assert f"{bad}:6: Year: '20x9' is not a year" in err
