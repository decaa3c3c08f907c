"""import-resources and import-events: the library and the calendar come in through the same
checks, atomic write and undo as the activities, or are refused whole with FILE:ROW: column."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pyarrow.parquet as pq
import pytest

from icat_analysis import cli
from icat_analysis.paths import TEMPLATES_DIR
from icat_analysis.sources import demo_library
from icat_analysis.store import export
from icat_analysis.store.contract import EVENT_TEMPLATE, EXPORT_FILES, RESOURCE_TEMPLATE

R_HEAD = "resource_id,title,agencies,kind,year,languages,themes,countries,link,summary"
R_GOOD = "X1,Guide on child victims,UNICEF,guideline,2021,en;fr,protection,TH,https://example.org/x1,For social workers"
E_HEAD = "event_id,title,kind,start_date,end_date,place,city,agencies,themes,link"
E_GOOD = "M1,ICAT principals meeting,icat_meeting,2027-03-02,2027-03-03,at,Vienna,unodc;ILO,partnership,"


def run(capsys, command: str, *args) -> tuple[int, str, str]:
    code = cli.main([command, *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def rows(data: Path, name: str) -> dict[str, dict]:
    table = pq.read_table(export.current_dir(data) / f"{name}.parquet").to_pylist()
    return {r[f"{name[:-1]}_id"]: r for r in table}


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return p


@pytest.fixture
def seeded(tmp_path, capsys) -> Path:
    """An export holding the shipped templates' real rows: 4 resources and 2 events."""
    data = tmp_path / "data"
    assert run(capsys, "import-resources", TEMPLATES_DIR / "resources.csv", "--data", data)[0] == 0
    assert run(capsys, "import-events", TEMPLATES_DIR / "events.csv", "--data", data)[0] == 0
    return data


def test_templates_name_the_contract_columns_and_hold_the_founding_reports_rows(seeded):
    for name, template in (("resources", RESOURCE_TEMPLATE), ("events", EVENT_TEMPLATE)):
        header = (TEMPLATES_DIR / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
        assert header == [c.name for c in template]
        sheet = openpyxl.load_workbook(TEMPLATES_DIR / f"{name}.xlsx").worksheets[0]
        assert [c.value for c in sheet[1]] == header
    res = rows(seeded, "resources")
    assert len(res) == 4
    unhcr = res["ICAT-2006-R01"]
    assert unhcr["title"].startswith("Guidelines on International Protection")
    assert unhcr["agencies"] == ["UNHCR"] and unhcr["kind"] == "guideline"
    assert unhcr["year"] is None  # the report does not give the year, so none is invented
    assert "Annex 1" in unhcr["source"] and unhcr["is_synthetic"] is False
    assert res["ICAT-2006-R02"]["languages"] == ["en"]  # the report is marked "English only"
    ev = rows(seeded, "events")
    tokyo, cop = ev["ICAT-2006-E01"], ev["ICAT-2006-E02"]
    assert (tokyo["start_date"], tokyo["end_date"], tokyo["place"], tokyo["city"]) == (
        date(2006, 9, 26),
        date(2006, 9, 27),
        "JPN",
        "Tokyo",
    )
    assert (cop["start_date"], cop["end_date"], cop["place"]) == (date(2006, 10, 9), date(2006, 10, 18), "AUT")
    for name in ("resources.parquet", "events.parquet"):
        assert pq.read_schema(export.current_dir(seeded) / name).equals(EXPORT_FILES[name])
    assert cli.main(["validate", "--data", str(seeded)]) == 0


def test_xlsx_template_gives_the_same_rows_as_the_csv(tmp_path, seeded, capsys):
    data = tmp_path / "x"
    assert run(capsys, "import-resources", TEMPLATES_DIR / "resources.xlsx", "--data", data)[0] == 0
    strip = {"source_file", "imported_at"}
    a = {k: {c: v for c, v in r.items() if c not in strip} for k, r in rows(data, "resources").items()}
    b = {k: {c: v for c, v in r.items() if c not in strip} for k, r in rows(seeded, "resources").items()}
    assert a == b


def test_codes_are_normalised_and_again_changes_nothing(tmp_path, seeded, capsys):
    f = write(tmp_path, "events.csv", f"{E_HEAD}\n{E_GOOD}\n")
    code, out, _ = run(capsys, "import-events", f, "--data", seeded)
    assert code == 0 and "1 inserted, 0 updated, 0 unchanged" in out
    assert len(rows(seeded, "events")) == 3  # the two of the founding report are kept
    m1 = rows(seeded, "events")["M1"]
    assert m1["place"] == "AUT" and m1["agencies"] == ["UNODC", "ILO"] and m1["end_date"] == date(2027, 3, 3)
    assert m1["source_file"] == "events.csv" and m1["is_synthetic"] is False
    code, out, _ = run(capsys, "import-events", f, "--data", seeded)
    assert code == 0 and "no changes" in out
    assert export.read_manifest(seeded)["last_import"]["into"] == "events.parquet"


def test_undo_puts_back_the_library_as_it_was(tmp_path, seeded, capsys):
    before = export.file_digest(seeded)
    f = write(tmp_path, "r.csv", f"{R_HEAD}\n{R_GOOD}\n")
    assert run(capsys, "import-resources", f, "--data", seeded)[0] == 0
    assert "X1" in rows(seeded, "resources")
    code, out, _ = run(capsys, "import-resources", "--undo", "--data", seeded)
    assert code == 0 and "resources.parquet" in out
    assert export.file_digest(seeded) == before


BAD_RESOURCES = [
    ("title,kind\nT,tool\n", "r.csv:1: resource_id: required column is missing"),
    (f"{R_HEAD}\nX2,T,ABC,guideline,,,,,,\n", "r.csv:2: agencies: unknown agency code(s) 'ABC'"),
    (f"{R_HEAD}\nX2,T,ILO,poster,,,,,,\n", "r.csv:2: kind: unknown kind 'poster'"),
    (f"{R_HEAD}\nX2,,ILO,tool,,,,,,\n", "r.csv:2: title: is blank; every resource needs a title"),
    (f"{R_HEAD}\nX2,T,ILO,,,,,,,\n", "r.csv:2: kind: is blank; use "),
    (f"{R_HEAD}\n{'X' * 101},T,ILO,tool,,,,,,\n", "r.csv:2: resource_id: is 101 characters long; at most 100"),
    (f"{R_HEAD}\nX2,T,ILO,tool,2021,de,,,,\n", "r.csv:2: languages: unknown language code(s) 'de'"),
    (f"{R_HEAD}\nX2,T,ILO,tool,21st,,,,,\n", "r.csv:2: year: '21st' is not a year"),
    (f"{R_HEAD}\nX2,T,ILO,tool,,,,XX,,\n", "r.csv:2: countries: unknown country code(s) 'XX'"),
    (f"{R_HEAD}\n{R_GOOD}\n{R_GOOD}\n", "r.csv:3: resource_id: 'X1' appears more than once (first at row 2)"),
    (f"{R_HEAD}\nX2,T,ILO,tool,,,,,javascript:alert(1),\n", "r.csv:2: link: 'javascript:alert(1)' is not an http"),
    (f'{R_HEAD}\nX2,T,ILO,tool,,,,,"data:text/html,<b>x</b>",\n', "r.csv:2: link: 'data:text/html,<b>x</b>' is not"),
    (f"{R_HEAD}\nX2,T,ILO,tool,,,,,ftp://example.org/f,\n", "r.csv:2: link: 'ftp://example.org/f' is not an http"),
    ("", "r.csv:1: -: the file is empty"),
    (f"{R_HEAD}\n", "r.csv:2: -: no rows: the header row has no resource below it"),
    (f"{R_HEAD}\nX2,Trafic d'\xe9tres humains,ILO,tool,,,,,,\n".encode("latin-1"), "r.csv:2: title: text is not UTF-8"),
]


@pytest.mark.parametrize(("text", "message"), BAD_RESOURCES)
def test_bad_resource_files_are_refused_with_file_row_and_column(text, message, tmp_path, seeded, capsys):
    before = export.file_digest(seeded)
    code, _, err = run(capsys, "import-resources", write(tmp_path, "r.csv", text), "--data", seeded)
    assert code == 1
    assert message in err, err
    assert "Traceback" not in err and "the export was not changed" in err
    assert export.file_digest(seeded) == before


BAD_EVENTS = [
    ("event_id,title,start_date,place\nM2,T,2027-01-01,AUT\n", "e.csv:1: kind: required column is missing"),
    (
        f"{E_HEAD}\nM2,T,icat_meeting,2027-03-05,2027-03-01,AUT,,,,\n",
        "e.csv:2: end_date: 2027-03-01 is before start_date",
    ),
    (f"{E_HEAD}\nM2,T,icat_meeting,2027-02-30,,AUT,,,,\n", "e.csv:2: start_date: '2027-02-30' is not a real calendar"),
    (f"{E_HEAD}\nM2,T,icat_meeting,05/03/2027,,AUT,,,,\n", "e.csv:2: start_date: '05/03/2027' is not a date"),
    (f"{E_HEAD}\nM2,T,party,2027-03-05,,AUT,,,,\n", "e.csv:2: kind: unknown kind 'party'"),
    (f"{E_HEAD}\nM2,,training,2027-03-05,,AUT,,,,\n", "e.csv:2: title: is blank; every event needs a title"),
    (f"{E_HEAD}\n{'M' * 101},T,training,2027-03-05,,AUT,,,,\n", "e.csv:2: event_id: is 101 characters long; at most 100"),
    (f"{E_HEAD}\nM2,T,training,2027-03-05,,Atlantis,,,,\n", "e.csv:2: place: unknown place 'ATLANTIS'"),
    (f"{E_HEAD}\nM2,T,training,2027-03-05,,online,,,,JAVASCRIPT:alert(1)\n", "e.csv:2: link: 'JAVASCRIPT:alert(1)'"),
    (f"{E_HEAD}\n{E_GOOD}\n{E_GOOD}\n", "e.csv:3: event_id: 'M1' appears more than once (first at row 2)"),
]


@pytest.mark.parametrize(("text", "message"), BAD_EVENTS)
def test_bad_event_files_are_refused_with_file_row_and_column(text, message, tmp_path, seeded, capsys):
    before = export.file_digest(seeded)
    code, _, err = run(capsys, "import-events", write(tmp_path, "e.csv", text), "--data", seeded)
    assert code == 1
    assert message in err, err
    assert export.file_digest(seeded) == before


def test_validate_reports_a_bad_link_written_straight_into_the_export(seeded, capsys):
    import pyarrow as pa

    table = pq.read_table(export.current_dir(seeded) / "resources.parquet")
    links = table.column("link").to_pylist()
    links[1] = "javascript:alert(1)"
    table = table.set_column(table.schema.get_field_index("link"), "link", pa.array(links, pa.string()))
    pq.write_table(table, export.current_dir(seeded) / "resources.parquet")
    code, out, _ = run(capsys, "validate", "--data", seeded)
    assert code == 1
    assert "resources.parquet:2: link: 'javascript:alert(1)' is not an http:// or https:// web address" in out


def test_demo_library_marks_real_rows_with_their_source_and_the_rest_synthetic():
    from datetime import datetime

    t = demo_library.tables(2006, datetime(2026, 11, 1))
    res = t["resources.parquet"].to_pylist()
    real = [r for r in res if not r["is_synthetic"]]
    assert [r["resource_id"] for r in real] == ["ICAT-2006-R01", "ICAT-2006-R02", "ICAT-2006-R03", "ICAT-2006-R04"]
    assert all("CTOC/COP/2006/CRP.5" in r["source"] for r in real)
    fake = [r for r in res if r["is_synthetic"]]
    assert len(fake) == 60 and all(r["source"].startswith("Synthetic") for r in fake)
    assert all(r["link"] is None or r["link"].startswith("https://example.org/") for r in fake)
    ev = t["events.parquet"].to_pylist()
    assert [e["event_id"] for e in ev if not e["is_synthetic"]] == ["ICAT-2006-E01", "ICAT-2006-E02"]
    # the same seed gives the same rows
    assert demo_library.tables(2006, datetime(2026, 11, 1))["events.parquet"].equals(t["events.parquet"])


def test_the_demo_command_writes_the_library_and_calendar_beside_the_activities(tmp_path, capsys):
    out = tmp_path / "demo"
    assert cli.main(["demo", "--activities", "40", "--out", str(out), "--glotip", str(tmp_path / "none.xlsx")]) == 0
    capsys.readouterr()
    manifest = export.read_manifest(out)
    assert manifest["row_counts"]["resources"] == 64 and manifest["row_counts"]["events"] == 50
    assert {"icat-2006-report-library", "synthetic-library"} <= {s.get("id") for s in manifest["sources"]}
    assert "ICAT-2006-R01" in rows(out, "resources") and "ICAT-2006-E02" in rows(out, "events")
    assert cli.main(["validate", "--data", str(out)]) == 0
