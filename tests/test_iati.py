"""import-iati on the IATI files agencies really publish, the standard's examples, and bad input."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pycountry
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from icat_analysis import cli
from icat_analysis.paths import SOURCE_DIR
from icat_analysis.sources import iati
from icat_analysis.store import export
from icat_analysis.store.validate import validate_export

SHARED = SOURCE_DIR / "iati"
REAL = SHARED / "real"
STANDARD = SHARED / "standard"
LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def run(capsys, *args) -> tuple[int, str, str]:
    code = cli.main(["import-iati", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def activities(data: Path) -> dict[str, dict]:
    return {r["activity_id"]: r for r in pq.read_table(export.current_dir(data) / "activities.parquet").to_pylist()}


@pytest.fixture(scope="module")
def real_export(tmp_path_factory) -> Path:
    """Every shared real file, default relevance."""
    data = tmp_path_factory.mktemp("real") / "data"
    assert cli.main(["import-iati", str(REAL), "--data", str(data)]) == 0
    return data


@pytest.fixture(scope="module")
def all_export(tmp_path_factory) -> Path:
    """The bilateral and UNDP files with --all: every activity of an ICAT agency."""
    data = tmp_path_factory.mktemp("all") / "data"
    files = [REAL / "bilateral_dportal_125.xml", REAL / "undp_multilingual_dportal_100.xml"]
    assert cli.main(["import-iati", *map(str, files), "--data", str(data), "--all"]) == 0
    return data


# --- counts per real file -------------------------------------------------------------------

NO_AGENCY = "no ICAT agency reports, extends or implements it"
NOT_TIP = "not about trafficking in persons"
#: file -> (read, kept, {reason: skipped}) with the default relevance
COUNTS = {
    "iom_dportal_119.xml": (100, 10, {NOT_TIP: 90}),
    "iom_dportal_118.xml": (100, 4, {NOT_TIP: 96}),
    "iom_dportal_117.xml": (100, 2, {NOT_TIP: 67, NO_AGENCY: 31}),
    "undp_multilingual_dportal_100.xml": (100, 0, {NOT_TIP: 100}),
    "unicef_unido_wfp_dportal_114.xml": (100, 0, {NOT_TIP: 63, NO_AGENCY: 37}),
    "fao_unwomen_dportal_115.xml": (100, 0, {NOT_TIP: 12, NO_AGENCY: 88}),
    "bilateral_dportal_125.xml": (100, 0, {NOT_TIP: 12, NO_AGENCY: 88}),
}


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_each_real_file_reads_keeps_and_skips_as_counted(tmp_path, name):
    report = iati.stage(
        [REAL / name], tmp_path / "staged.parquet", {"keep_all": False, "rates": {}, "today": date(2021, 6, 15)}
    )
    read, kept, skipped = COUNTS[name]
    assert sum(report.read.values()) == read
    assert sum(report.kept.values()) == kept
    reasons: dict[str, int] = {}
    for per_publisher in report.skipped.values():
        for reason, n in per_publisher.items():
            reasons[reason] = reasons.get(reason, 0) + n
    assert reasons == skipped
    assert pq.read_metadata(tmp_path / "staged.parquet").num_rows == kept


def test_report_counts_by_reporting_organisation(tmp_path, capsys):
    code, out, _ = run(capsys, REAL / "iom_dportal_117.xml", "--data", tmp_path / "d")
    assert code == 0
    assert "XM-DAC-47066 (International Organization for Migration (IOM)): read 57, kept 2" in out
    assert "XM-DAC-47015 (CGIAR): read 16, kept 0" in out
    assert f"skipped 16: {NO_AGENCY}" in out
    assert "2 inserted, 0 updated, 0 unchanged" in out


def test_real_export_validates_and_keeps_16_anti_trafficking_activities(real_export):
    assert validate_export(real_export) == []
    acts = activities(real_export)
    assert len(acts) == 16
    assert {a["lead_agency"] for a in acts.values()} == {"IOM"}
    main = sorted(k for k, a in acts.items() if a["relevance"] == "main_purpose")
    assert main == [
        "XM-DAC-47066-PR.0259",
        "XM-DAC-47066-PX.0121",
        "XM-DAC-47066-PX.0129",
        "XM-DAC-47066-PX.0162",
        "XM-DAC-47066-PX.0197",
    ]
    # Migrant smuggling alone is not trafficking in persons.
    assert "XM-DAC-47066-IB.0205" not in acts
    manifest = export.read_manifest(real_export)
    assert manifest["synthetic"] is False
    entry = next(s for s in manifest["sources"] if s["id"] == "iati")
    assert {f["file"] for f in entry["files"]} == set(COUNTS)


# --- three activities, field by field against the XML -------------------------------------------


def _xml_activity(path: Path, identifier: str):
    for a in etree.parse(str(path)).getroot().iter("iati-activity"):
        if a.findtext("iati-identifier") == identifier:
            return a
    raise AssertionError(identifier)


def _narrative(el, lang):
    """English, else the activity's language (a narrative without xml:lang is in it), else the first."""
    ns = el.findall("narrative")
    for want in ("en", lang):
        for n in ns:
            if (n.get(LANG) or lang).lower() == want:
                return n.text.strip()
    return ns[0].text.strip()


def _expected(a) -> dict:
    """What docs/IATI.md says the activity becomes, read straight from the XML."""
    lang = a.get(LANG).lower()
    dates = {d.get("type"): date.fromisoformat(d.get("iso-date")) for d in a.findall("activity-date")}
    budgets = {}
    for b in a.findall("budget"):
        period = (b.find("period-start").get("iso-date"), b.find("period-end").get("iso-date"))
        if b.get("type", "1") == "2" or period not in budgets:
            budgets[period] = float(b.find("value").text)
    currencies = {b.find("value").get("currency") or a.get("default-currency") for b in a.findall("budget")}
    countries = [pycountry.countries.get(alpha_2=c.get("code")).alpha_3 for c in a.findall("recipient-country")]
    return {
        "activity_id": a.findtext("iati-identifier"),
        "title": _narrative(a.find("title"), lang),
        "language": lang,
        "countries": countries,
        "start_date": dates.get("2") or dates.get("1"),
        "start_date_kind": "actual" if "2" in dates else "planned",
        "end_date": dates.get("4") or dates.get("3"),
        "end_date_kind": "actual" if "4" in dates else "planned",
        "budget_value": sum(budgets.values()),
        "budget_currency": currencies.pop(),
        "donors": [_narrative(p, lang) for p in a.findall("participating-org") if p.get("role") == "1"],
        "iati_publisher": a.find("reporting-org").get("ref"),
    }


def _check_fields(got: dict, want: dict) -> None:
    for key, value in want.items():
        assert got[key] == (pytest.approx(value) if isinstance(value, float) else value), key


def test_counter_trafficking_programme_in_bangladesh_maps_field_by_field(real_export):
    a = _xml_activity(REAL / "iom_dportal_119.xml", "XM-DAC-47066-PX.0162")
    got = activities(real_export)["XM-DAC-47066-PX.0162"]
    want = _expected(a)
    _check_fields(got, want)
    assert got["title"] == "A Comprehensive Counter Trafficking Program to Address Human Trafficking in Bangladesh"
    assert got["description"] == _narrative(a.find("description"), "en")
    assert got["lead_agency"] == "IOM" and got["partner_agencies"] == [] and not got["is_joint"]
    assert got["countries"] == ["BGD"] and got["scope"] == "national" and got["regions"] == []
    assert got["status"] == "active"  # activity-status 2
    assert got["budget_currency"] == "USD" and got["budget_usd"] == pytest.approx(want["budget_value"])
    assert got["relevance"] == "main_purpose"
    assert got["relevance_reason"] == "title: 'Counter Trafficking'"
    assert got["source_file"] == "iom_dportal_119.xml" and got["iati_version"] == "2.03"
    # every class value says where it was read
    for column in ("themes", "activity_types", "target_groups", "exploitation_forms"):
        for code in got[column]:
            assert any(e.startswith(f"{column} {code}: ") for e in got["inferred_from"]), (column, code)
    assert "themes prevention: title: 'Program'" not in got["inferred_from"]
    assert "prevention" in got["themes"] and "protection" in got["themes"]


def test_donor_record_of_an_agency_project_becomes_the_agency_activity_in_euro(all_export):
    """A Netherlands record (reporting org XM-DAC-7) whose implementer is UNFPA (41119)."""
    a = _xml_activity(REAL / "bilateral_dportal_125.xml", "XM-DAC-7-PPR-4000004113")
    got = activities(all_export)["XM-DAC-7-PPR-4000004113"]
    _check_fields(got, _expected(a))
    assert got["lead_agency"] == "UNFPA"
    assert [p.get("ref") for p in a.findall("participating-org") if p.get("role") == "4"] == ["41119"]
    assert got["countries"] == ["YEM"] and got["language"] == "nl"
    assert got["budget_currency"] == "EUR" and got["budget_usd"] is None  # no rate given: never invented
    assert got["relevance"] == "none"


def test_portuguese_activity_keeps_its_language(all_export):
    a = _xml_activity(REAL / "undp_multilingual_dportal_100.xml", "XM-DAC-41114-OUTPUT-00101554")
    got = activities(all_export)["XM-DAC-41114-OUTPUT-00101554"]
    _check_fields(got, _expected(a))
    assert got["language"] == "pt" and got["title"] == "BRA/17/018 - Saúde no Haiti"
    assert got["lead_agency"] == "UNDP"
    assert (
        got["implementing_partners"]
        == [_narrative(p, "pt") for p in a.findall("participating-org") if p.get("role") == "4"]
        or got["implementing_partners"] == []
    )


def test_region_only_activity_has_a_region_and_no_country_rows(real_export):
    got = activities(real_export)["XM-DAC-47066-MS.0025"]
    assert got["countries"] == [] and got["regions"] == ["Western Asia"]  # UN M49 145
    assert got["scope"] == "regional"
    links = pq.read_table(export.current_dir(real_export) / "activity_countries.parquet").to_pylist()
    assert not [r for r in links if r["activity_id"] == "XM-DAC-47066-MS.0025"]


def test_rates_fill_budget_usd(tmp_path, capsys):
    rates = tmp_path / "rates.csv"
    rates.write_text("currency,usd_per_unit\nEUR,1.2\n")
    code, _, err = run(capsys, REAL / "bilateral_dportal_125.xml", "--data", tmp_path / "d", "--all", "--rates", rates)
    assert code == 0, err
    got = activities(tmp_path / "d")["XM-DAC-7-PPR-4000004113"]
    assert got["budget_usd"] == pytest.approx(got["budget_value"] * 1.2)


def test_bad_rates_file_is_refused(tmp_path, capsys):
    rates = tmp_path / "rates.csv"
    rates.write_text("currency,usd_per_unit\nEURO,1.2\nGBP,-1\n")
    code, _, err = run(capsys, REAL / "bilateral_dportal_125.xml", "--data", tmp_path / "d", "--rates", rates)
    assert code == 1
    assert "rates.csv:2: currency: 'EURO' is not an ISO 4217 code" in err
    assert "rates.csv:3: usd_per_unit: '-1' is not a positive number" in err


# --- the standard's examples ---------------------------------------------------------------------


@pytest.mark.parametrize("version", ["2.01", "2.02", "2.03"])
def test_standard_examples_read_and_map(tmp_path, capsys, version):
    path = STANDARD / f"activity-standard-example-annotated-{version}.xml"
    code, out, err = run(capsys, path, "--data", tmp_path / "d", "--all")
    assert code == 0, err
    # The example's organisations are fictional: read, and skipped for having no ICAT agency.
    assert "read 1, kept 0, skipped 1" in out and NO_AGENCY in out
    el = next(el for _, _, el in iati.iter_activities(path, path.name))
    ctx = iati.Context(file=path.name, keep_all=True, rates={}, today=date(2021, 6, 15))
    mapped = iati.map_activity(el, version, None, ctx)
    assert mapped.activity["activity_id"] == "AA-AAA-123456789-ABC123"
    assert mapped.skip == NO_AGENCY


def test_standard_example_maps_every_field_once_an_agency_is_its_publisher(tmp_path, capsys):
    text = (STANDARD / "activity-standard-example-annotated-2.03.xml").read_text(encoding="utf-8")
    text = text.replace('<reporting-org ref="AA-AAA-123456789"', '<reporting-org ref="XM-DAC-41122"')
    path = tmp_path / "example.xml"
    path.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, path, "--data", tmp_path / "d", "--all")
    assert code == 0, err
    got = activities(tmp_path / "d")["AA-AAA-123456789-ABC123"]
    assert got["lead_agency"] == "UNICEF"
    assert got["title"] == "Activity title"
    assert "title (fr): Titre de l'activité" in got["other_language_texts"]
    assert got["countries"] == ["AFG", "ATG"]
    assert "South America, regional" in got["regions"]
    assert got["start_date"] == date(2012, 4, 28) and got["start_date_kind"] == "actual"
    assert got["end_date"] == date(2015, 12, 31) and got["end_date_kind"] == "planned"
    assert got["scope"] == "regional"  # activity-scope 3, multi-national
    assert got["themes"] == [] and got["relevance"] == "none"  # no evidence: unclassified
    assert validate_export(tmp_path / "d") == []


def test_version_1_activity_with_text_roles_and_no_narratives(tmp_path, capsys):
    path = tmp_path / "v1.xml"
    path.write_text(
        """<iati-activities version="1.05"><iati-activity default-currency="USD" xml:lang="en">
<iati-identifier>XM-DAC-41122-OLD-1</iati-identifier>
<reporting-org ref="41122">UNICEF</reporting-org>
<title>Preventing child trafficking in Nepal</title>
<participating-org role="Funding">Government of Norway</participating-org>
<participating-org role="Implementing" ref="47066">IOM</participating-org>
<activity-date type="start-actual" iso-date="2010-01-01"/>
<activity-date type="end-planned" iso-date="2012-12-31"/>
<recipient-country code="NP"/>
<budget><period-start iso-date="2010-01-01"/><period-end iso-date="2012-12-31"/><value>100</value></budget>
</iati-activity></iati-activities>""",
        encoding="utf-8",
    )
    code, _, err = run(capsys, path, "--data", tmp_path / "d")
    assert code == 0, err
    got = activities(tmp_path / "d")["XM-DAC-41122-OLD-1"]
    assert got["lead_agency"] == "UNICEF" and got["partner_agencies"] == ["IOM"]
    assert got["donors"] == ["Government of Norway"]
    assert got["start_date"] == date(2010, 1, 1) and got["budget_usd"] == 100
    assert got["iati_version"] == "1.05" and got["relevance"] == "main_purpose"



OVERLAPPING = """<iati-activities version="2.03"><iati-activity default-currency="USD" xml:lang="en">
<iati-identifier>XM-DAC-47066-OVERLAP-1</iati-identifier>
<reporting-org ref="XM-DAC-47066"><narrative>IOM</narrative></reporting-org>
<title><narrative>Counter-trafficking in the Sahel</narrative></title>
<description><narrative>Research on migrant smuggling of migrants along the route.</narrative></description>
<activity-date type="2" iso-date="2020-01-01"/>
</iati-activity></iati-activities>"""


def test_two_overlapping_excluded_phrases_give_the_same_evidence_in_every_run(tmp_path):
    # "migrant smuggling" and "smuggling of migrants" share a word: the longer is left out, so
    # "migrant" stays as evidence, whatever order Python's hashing gives a set of words.
    path = tmp_path / "overlap.xml"
    path.write_text(OVERLAPPING, encoding="utf-8")
    script = (
        "import sys; from datetime import date; from pathlib import Path; from icat_analysis.sources import iati; "
        "ctx = iati.Context(file='overlap.xml', keep_all=False, rates={}, today=date(2026, 12, 1)); "
        "[print(iati.map_activity(el, v, lang, ctx).activity['inferred_from']) "
        "for v, lang, el in iati.iter_activities(Path(sys.argv[1]), 'overlap.xml')]"
    )
    runs = set()
    for seed in ("1", "2", "3", "4"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", script, str(path)], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        runs.add(done.stdout)
    assert len(runs) == 1
    assert "target_groups migrants: description: 'migrant'" in runs.pop()


# --- bad input ---------------------------------------------------------------------------------


@pytest.fixture
def seeded(tmp_path) -> Path:
    data = tmp_path / "data"
    assert cli.main(["import-iati", str(REAL / "iom_dportal_119.xml"), "--data", str(data)]) == 0
    return data


BAD = {
    "json.xml": ('{"iati-activities": []}', "json.xml:1: is not XML: it starts with '{', like JSON"),
    "empty.xml": ("", "empty.xml:1: the file is empty"),
    "root.xml": (
        "<?xml version='1.0'?>\n<activities><a/></activities>",
        "root.xml:2: the root element is <activities>",
    ),
    "org.xml": (
        "<iati-organisations/>",
        "org.xml:1: the root element is <iati-organisations>; it is an IATI organisation",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_file_is_refused_and_the_export_is_unchanged(seeded, tmp_path, capsys, name):
    text, message = BAD[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    before = export.file_digest(seeded)
    code, out, err = run(capsys, REAL / "iom_dportal_118.xml", path, "--data", seeded)
    assert code == 1
    assert message in err
    assert "Traceback" not in err
    assert export.file_digest(seeded) == before


def test_truncated_file_is_refused_with_its_line(seeded, tmp_path, capsys):
    lines = (REAL / "iom_dportal_119.xml").read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "cut.xml"
    path.write_text("".join(lines[:500]), encoding="utf-8")
    before = export.file_digest(seeded)
    code, _, err = run(capsys, path, "--data", seeded)
    assert code == 1
    assert err.startswith("cut.xml:") and "the file ends before its XML is complete" in err
    assert export.file_digest(seeded) == before


def test_activity_without_identifier_or_ending_before_it_starts_is_skipped_and_listed(tmp_path, capsys):
    text = (REAL / "iom_dportal_119.xml").read_text(encoding="utf-8")
    text = text.replace("<iati-identifier>XM-DAC-47066-PX.0121</iati-identifier>", "<iati-identifier/>", 1)
    text = text.replace(
        '<activity-date iso-date="2020-03-19" type="2">', '<activity-date iso-date="2030-03-19" type="2">', 1
    )
    path = tmp_path / "odd.xml"
    path.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, path, "--data", tmp_path / "d")
    assert code == 0, err
    assert "(no identifier): no iati-identifier" in out
    assert "activity 'XM-DAC-47066-PX.0162': ends (2024-12-31) before it starts (2030-03-19)" in out
    acts = activities(tmp_path / "d")
    assert len(acts) == 8 and "XM-DAC-47066-PX.0162" not in acts


def test_reimport_changes_nothing_and_undo_restores(seeded, capsys):
    before = export.file_digest(seeded)
    code, out, _ = run(capsys, REAL / "iom_dportal_119.xml", "--data", seeded)
    assert code == 0 and "0 inserted, 0 updated, 10 unchanged" in out and "no changes" in out
    assert export.file_digest(seeded) == before
    code, _, _ = run(capsys, REAL / "iom_dportal_118.xml", "--data", seeded)
    assert code == 0 and len(activities(seeded)) == 14
    code, _, _ = run(capsys, "--undo", "--data", seeded)
    assert code == 0 and export.file_digest(seeded) == before


def test_import_into_the_demo_export_keeps_it_valid_and_synthetic(tmp_path, capsys):
    data = tmp_path / "demo"
    assert cli.main(["demo", "--activities", "50", "--seed", "1", "--out", str(data)]) == 0
    capsys.readouterr()
    code, _, err = run(capsys, REAL / "iom_dportal_119.xml", "--data", data)
    assert code == 0, err
    assert validate_export(data) == []
    assert len(activities(data)) == 60
    assert export.read_manifest(data)["synthetic"] is True


# --- mangled files never crash --------------------------------------------------------------------

SAMPLE = etree.tostring(_xml_activity(REAL / "iom_dportal_119.xml", "XM-DAC-47066-PX.0162"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_mangled_elements_never_produce_a_traceback(capsys, data):
    root = etree.fromstring(b"<iati-activities version='2.03'>" + SAMPLE + SAMPLE + b"</iati-activities>")
    elements = list(root.iter())
    for _ in range(data.draw(st.integers(1, 6))):
        el = data.draw(st.sampled_from(elements))
        what = data.draw(st.sampled_from(["drop", "text", "attr", "dup"]))
        junk = data.draw(st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=12))
        if what == "drop" and el.getparent() is not None:
            el.getparent().remove(el)
        elif what == "text":
            el.text = junk
        elif what == "attr":
            el.set(
                data.draw(st.sampled_from(["code", "type", "role", "iso-date", "vocabulary", "currency", "ref"])), junk
            )
        elif what == "dup" and el.getparent() is not None:
            el.getparent().append(etree.fromstring(etree.tostring(el)))
    raw = etree.tostring(root)
    raw = raw[: data.draw(st.integers(len(raw) // 2, len(raw)))] if data.draw(st.booleans()) else raw
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mangled.xml"
        path.write_bytes(raw)
        code, _, err = run(capsys, path, "--data", Path(tmp) / "d")
        assert code in (0, 1)
        assert "Traceback" not in err
        if code == 0 and export.is_export(Path(tmp) / "d"):
            assert validate_export(Path(tmp) / "d") == []
        shutil.rmtree(Path(tmp) / "d", ignore_errors=True)


def test_activity_breaking_a_contract_rule_is_skipped_with_the_rule(tmp_path, capsys):
    text = (REAL / "iom_dportal_119.xml").read_text(encoding="utf-8")
    path = tmp_path / "far.xml"
    path.write_text(
        text.replace('iso-date="2024-12-31" type="3"', 'iso-date="2099-12-31" type="3"', 1), encoding="utf-8"
    )
    code, out, err = run(capsys, path, "--data", tmp_path / "d")
    assert code == 0, err
    assert "activity 'XM-DAC-47066-PX.0162': end_date: year 2099 is outside" in out
    assert len(activities(tmp_path / "d")) == 9 and validate_export(tmp_path / "d") == []


def test_benchmark_file_imports_every_generated_activity(tmp_path):
    from icat_analysis.bench import iati as bench_iati

    path = bench_iati.generate(tmp_path / "bench.xml", 30, seed=1)
    assert path.read_bytes() == bench_iati.generate(tmp_path / "again.xml", 30, seed=1).read_bytes()
    report = iati.import_iati([path], tmp_path / "d")
    assert sum(report.read.values()) == 30 and sum(report.kept.values()) == 30
    assert validate_export(tmp_path / "d") == []
    acts = activities(tmp_path / "d")
    assert sum(1 for a in acts.values() if a["regions"] == ["Sub-Saharan Africa"]) == 5  # every 7th: 0, 7, 14, 21, 28


def test_unicef_named_under_its_funders_identifiers_is_unicef_not_a_partner(tmp_path, capsys):
    code, _, err = run(capsys, REAL / "unicef_unido_wfp_dportal_114.xml", "--data", tmp_path / "d", "--all")
    assert code == 0, err
    acts = activities(tmp_path / "d")
    unicef = [a for a in acts.values() if a["iati_publisher"] == "XM-DAC-41122"]
    assert len(unicef) == 62 and all(a["lead_agency"] == "UNICEF" for a in unicef)
    dr = acts["XM-DAC-41122-Dominican Republic-1260/A0/05/803/002"]
    # listed as implementer under the identifiers of UNAIDS (XM-DAC-41110) and IOM, named UNICEF
    assert dr["partner_agencies"] == [] and "UNICEF" not in dr["implementing_partners"]
    kosovo = acts["XM-DAC-41122-Kosovo (UN SC resolution 1244)-8971/A0/05/001/003"]
    assert kosovo["countries"] == [] and any("'XK'" in n for n in kosovo["import_notes"])


def test_a_changed_activity_is_updated_in_place_and_the_rest_left_alone(seeded, tmp_path, capsys):
    order = list(activities(seeded))
    text = (REAL / "iom_dportal_119.xml").read_text(encoding="utf-8")
    path = tmp_path / "iom_dportal_119.xml"
    old = "A Comprehensive Counter Trafficking Program to Address Human Trafficking in Bangladesh"
    path.write_text(text.replace(old, "Counter-Trafficking in Bangladesh, phase II"), encoding="utf-8")
    before = {k: a["imported_at"] for k, a in activities(seeded).items()}
    code, out, err = run(capsys, path, REAL / "iom_dportal_118.xml", "--data", seeded)
    assert code == 0, err
    assert "4 inserted, 1 updated, 9 unchanged" in out
    after = activities(seeded)
    assert list(after)[:10] == order  # in place; the new ones after
    assert after["XM-DAC-47066-PX.0162"]["title"] == "Counter-Trafficking in Bangladesh, phase II"
    assert after["XM-DAC-47066-PX.0121"]["imported_at"] == before["XM-DAC-47066-PX.0121"]
    assert validate_export(seeded) == []


# --- a big file read on every core ---------------------------------------------------------------


@pytest.fixture
def small_pieces(monkeypatch):
    """Files from 20 KB up are read in pieces of about 20 KB, as files from 8 MB up are."""
    monkeypatch.setattr(iati, "PARALLEL_FROM", 20_000)
    monkeypatch.setattr(iati, "PIECE", 20_000)


def _bench_file(tmp_path: Path, name: str = "bench.xml", edit=lambda text: text) -> Path:
    """200 generated activities, one a line (activity n on line n + 3): number 150 repeats the
    identifier of number 4, number 121 has none."""
    from icat_analysis.bench import iati as bench_iati

    path = bench_iati.generate(tmp_path / name, 200, seed=3)
    text = path.read_text(encoding="utf-8")
    text = text.replace("XM-DAC-47066-BENCH-0000150<", "XM-DAC-47066-BENCH-0000004<")
    text = text.replace("<iati-identifier>XM-DAC-41122-BENCH-0000121</iati-identifier>", "<iati-identifier/>")
    path.write_text(edit(text), encoding="utf-8")
    return path


def _import_on(cores: int, monkeypatch, paths: list[Path], data: Path):
    """(report or refusal, the export's files) of an import on ``cores`` cores."""
    monkeypatch.setattr(iati, "_cores", lambda: cores)
    try:
        report = iati.import_iati(paths, data, now=datetime(2026, 6, 1))
    except iati.Refused as refused:
        return [str(p) for p in refused.problems], {}
    files = {p.name: p.read_bytes() for p in export.current_dir(data).glob("*.parquet")}
    return report.text(), files


def test_big_file_read_on_two_cores_gives_the_export_of_one(tmp_path, monkeypatch, small_pieces):
    path = _bench_file(tmp_path)
    assert len(iati._pieces(path, path.name)) > 10
    one = _import_on(1, monkeypatch, [path], tmp_path / "one")
    two = _import_on(2, monkeypatch, [path], tmp_path / "two")
    assert two == one
    report, files = two
    assert "read 200, kept 198, skipped 2" in report
    assert "bench.xml:153: activity 'XM-DAC-47066-BENCH-0000004': read already from bench.xml:7" in report
    assert "bench.xml:124: activity number 122 (no identifier): no iati-identifier" in report
    assert {"activities.parquet", "activity_agencies.parquet", "activity_countries.parquet"} <= set(files)


def test_big_file_with_a_comment_holding_activity_tags_reads_as_on_one_core(tmp_path, monkeypatch, small_pieces):
    comment = "<!-- " + "<iati-activity hierarchy='1'> " * 2_000 + "-->\n"
    path = _bench_file(
        tmp_path, edit=lambda text: text.replace("\n<iati-activity", "\n" + comment + "<iati-activity", 1)
    )
    one = _import_on(1, monkeypatch, [path], tmp_path / "one")
    assert "read 200, kept 198" in one[0]
    assert _import_on(2, monkeypatch, [path], tmp_path / "two") == one


def _nest_100_in_99(text: str) -> str:
    lines = text.split("\n")
    i = next(n for n, line in enumerate(lines) if "-BENCH-0000099<" in line)
    lines[i] = lines[i].removesuffix("</iati-activity>")
    lines[i + 1] += "</iati-activity>"
    return "\n".join(lines)


def test_big_file_with_an_activity_inside_another_reads_as_on_one_core(tmp_path, monkeypatch, small_pieces):
    # streaming reads the inner activity first: the pieces are not used, the file is read whole
    path = _bench_file(tmp_path, edit=_nest_100_in_99)
    one = _import_on(1, monkeypatch, [path], tmp_path / "one")
    assert "read 200, kept 197" in one[0]
    assert _import_on(2, monkeypatch, [path], tmp_path / "two") == one


def test_big_file_cut_off_is_refused_with_the_line_one_core_gives(tmp_path, monkeypatch, small_pieces):
    path = _bench_file(tmp_path, "cut.xml", edit=lambda text: text[: len(text) * 2 // 3])
    one = _import_on(1, monkeypatch, [path], tmp_path / "one")
    assert one[0][0].startswith("cut.xml:") and "the file ends before its XML is complete" in one[0][0]
    assert _import_on(2, monkeypatch, [path], tmp_path / "two") == one


_NARRATIVE = st.tuples(
    st.sampled_from([None, "en", "EN", "fr", "es", "pt"]), st.sampled_from(["", "  ", "A", " B ", "C"])
)


@settings(max_examples=300, deadline=None)
@given(
    narratives=st.lists(_NARRATIVE, max_size=4),
    own_text=st.sampled_from([None, "", "Direct", " 1.0x name "]),
    lang=st.sampled_from([None, "en", "fr", "es"]),
)
def test_an_organisations_name_is_the_narrative_a_title_would_choose(narratives, own_text, lang):
    # the import reads names with a quicker twin of _choose(_narratives(...)): they must agree
    el = etree.Element("participating-org")
    el.text = own_text
    for code, text in narratives:
        n = etree.SubElement(el, "narrative")
        n.text = text
        if code:
            n.set(iati.XML_LANG, code)
    assert iati._name(el, lang) == iati._choose(iati._narratives(el, lang), lang)[1]


BUDGET = """<iati-activities version="2.03"><iati-activity default-currency="USD" xml:lang="en">
<iati-identifier>XM-DAC-47066-BUDGET-1</iati-identifier>
<reporting-org ref="XM-DAC-47066"><narrative>IOM</narrative></reporting-org>
<title><narrative>Counter-trafficking in Ghana</narrative></title>
<activity-date type="2" iso-date="2020-01-01"/>
<budget><period-start iso-date="2020-01-01"/><period-end iso-date="2020-12-31"/><value>{}</value></budget>
</iati-activity></iati-activities>"""


@pytest.mark.parametrize(
    ("written", "usd", "note"),
    [
        ("\n   250000.00\n  ", 250_000.0, None),
        ("1e5", 100_000.0, None),
        ("1,500", None, "budget value '1,500' is not an amount of 0 or more; left out"),
        ("-5", None, "budget value '-5' is not an amount of 0 or more; left out"),
        ("NaN", None, "budget value 'NaN' is not an amount of 0 or more; left out"),
        ("", None, "budget value '' is not an amount of 0 or more; left out"),
    ],
)
def test_a_budget_value_is_read_as_publishers_write_it(tmp_path, capsys, written, usd, note):
    path = tmp_path / "budget.xml"
    path.write_text(BUDGET.format(written), encoding="utf-8")
    code, _, err = run(capsys, path, "--data", tmp_path / "d")
    assert code == 0, err
    got = activities(tmp_path / "d")["XM-DAC-47066-BUDGET-1"]
    assert got["budget_usd"] == usd
    assert [n for n in got["import_notes"] if "budget" in n] == ([note] if note else [])


def _mapped(title: str, description: str = "", lang: str = "en", tag: str = "") -> iati.Mapped:
    desc = f"<description><narrative>{description}</narrative></description>" if description else ""
    xml = f"""<iati-activity xml:lang="{lang}"><iati-identifier>XM-DAC-47066-TEXT-1</iati-identifier>
<reporting-org ref="XM-DAC-47066"><narrative>IOM</narrative></reporting-org>
<title><narrative>{title}</narrative></title>{desc}{tag}<activity-date type="2" iso-date="2020-01-01"/>
</iati-activity>"""
    ctx = iati.Context(file="texts.xml", keep_all=False, rates={}, today=date(2026, 12, 1))
    return iati.map_activity(etree.fromstring(xml), "2.03", None, ctx)


@pytest.mark.parametrize(
    ("title", "description", "lang", "tag", "relevance", "reason"),
    [
        # a term written with a star (trafficked person*) quotes the whole word, as written
        ("Support to Trafficked Persons in Nepal", "", "en", "", "main_purpose", "title: 'Trafficked Persons'"),
        ("Lutte contre la Traite des Êtres Humains au Mali", "", "fr", "", "main_purpose", "title: 'Lutte contre la Traite'"),
        # narcotráfico is blanked out; the trafficking in persons beside it still counts
        (
            "Programa regional",
            "Contra el narcotráfico y la trata de personas; formación de policías.",
            "es",
            "",
            "component",
            "description: 'trata de personas'",
        ),
        (
            "Youth employment",
            "Decent work for young people and an end to child labour.",
            "en",
            '<tag vocabulary="3" code="8.7"/>',
            "component",
            "tag SDG target 8.7 with description: 'child labour'",
        ),
        # drug and arms trafficking never count, nor a phrase cut by punctuation
        ("Border management", "Fighting drug trafficking and arms trafficking along the border.", "en", "", None, None),
        ("Human. Trafficking statistics", "", "en", "", None, None),
    ],
)
def test_the_reason_an_activity_is_kept_quotes_its_own_words(title, description, lang, tag, relevance, reason):
    mapped = _mapped(title, description, lang, tag)
    if relevance is None:
        assert mapped.skip == NOT_TIP
    else:
        assert mapped.skip is None
        assert (mapped.activity["relevance"], mapped.activity["relevance_reason"]) == (relevance, reason)


def test_classes_inferred_from_a_text_and_a_tag_say_where_each_was_read():
    got = _mapped("Youth employment", "Decent work for young people and an end to child labour.", "en", '<tag vocabulary="3" code="8.7"/>')
    assert got.activity["inferred_from"] == [
        "target_groups children: description: 'child'",
        "exploitation_forms forced_labour: tag SDG target 8.7",
    ]
    assert got.activity["target_groups"] == ["children"] and got.activity["exploitation_forms"] == ["forced_labour"]
