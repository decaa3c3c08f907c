"""validate: the export against the contract, each problem named by file, row and column."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from icat_analysis import cli
from icat_analysis.store.contract import INDICATORS_SCHEMA
from icat_analysis.store.validate import Problem, validate_export
from tests.factories import activities_table, activity, make_export


def good_rows():
    return [
        activity("A1", lead="ILO", partners=["IOM"], countries=["THA"]),
        activity("A2", lead="UNODC", countries=["VNM", "KHM", "LAO"], scope="regional"),
        activity("A3", lead="OHCHR", countries=[], scope="global", themes=["partnership"]),
    ]


def test_a_good_export_is_ok(tmp_path, capsys):
    make_export(tmp_path, good_rows())
    assert validate_export(tmp_path) == []
    assert cli.main(["validate", "--data", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: 3 activities, 4 activity-country links, 4 activity-agency links")


def test_an_empty_directory_is_an_empty_valid_export(tmp_path):
    assert validate_export(tmp_path) == []


def test_bad_codes_in_a_crafted_parquet_are_named_by_row_and_column(tmp_path, capsys):
    rows = good_rows()
    rows[1]["lead_agency"] = "UNDOC"
    rows[2]["themes"] = ["partnership", "trafficking"]
    rows[2]["countries"] = ["XXX"]
    make_export(tmp_path, rows)
    problems = validate_export(tmp_path)
    assert Problem("activities.parquet", 2, "lead_agency", problems[0].message) == problems[0]
    assert problems[0].message.startswith("unknown agency code 'UNDOC'")
    texts = [str(p) for p in problems]
    assert "activities.parquet:3: countries: unknown country code(s) 'XXX'" in texts[1]
    assert "activities.parquet:3: themes: unknown theme(s) 'trafficking'" in texts[2]
    assert len(problems) == 3
    assert cli.main(["validate", "--data", str(tmp_path)]) == 1
    assert "activities.parquet:2: lead_agency: unknown agency code 'UNDOC'" in capsys.readouterr().out


def test_contract_rules_on_the_export(tmp_path):
    rows = good_rows()
    rows[0]["end_date"] = rows[0]["start_date"].replace(year=2010)
    rows[0]["is_joint"] = False  # but it has a partner
    rows[1]["activity_id"] = "A1"
    rows[1]["budget_usd"] = -1.0
    rows[2]["scope"] = "national"  # with no country
    rows[2]["partner_agencies"] = ["OHCHR"]
    rows[2]["is_joint"] = True
    make_export(tmp_path, rows)
    texts = [str(p) for p in validate_export(tmp_path)]
    assert texts == [
        "activities.parquet:1: end_date: 2010-01-01 is before start_date 2015-01-01",
        "activities.parquet:1: is_joint: is false but the activity has 1 partner agencies",
        "activities.parquet:2: activity_id: 'A1' appears more than once (first at row 1); an activity_id must be unique",
        "activities.parquet:2: budget_usd: is negative (-1.0); a budget is 0 or more",
        "activities.parquet:3: partner_agencies: lists the lead agency 'OHCHR' as a partner too; "
        "the lead is never its own partner",
        "activities.parquet:3: countries: a national activity needs exactly one country; 0 given",
    ]


def test_a_broken_link_table_is_found(tmp_path):
    make_export(tmp_path, good_rows())
    path = tmp_path / "activity_countries.parquet"
    links = pq.read_table(path).to_pylist()
    assert links[0] == {"activity_id": "A1", "iso3": "THA"}
    links[0]["iso3"] = "MMR"  # row 1 now says A1 works in Myanmar
    links.append({"activity_id": "A9", "iso3": "THA"})  # row 5: an activity that does not exist
    pq.write_table(pa.Table.from_pylist(links, schema=pq.read_schema(path)), path)
    texts = [str(p) for p in validate_export(tmp_path)]
    assert texts == [
        "activity_countries.parquet:1: iso3: 'MMR' for activity 'A1' does not match activities.parquet "
        "(it is not in its countries, or is listed twice)",
        "activity_countries.parquet:5: activity_id: 'A9' is not an activity of activities.parquet",
        "activities.parquet:1: countries: 'THA' has no row in activity_countries.parquet",
        "manifest.json:0: row_counts: says 4 rows for activity_countries.parquet, which has 5",
    ]


def test_a_lost_partner_link_and_a_duplicated_lead_link(tmp_path):
    make_export(tmp_path, good_rows())
    path = tmp_path / "activity_agencies.parquet"
    links = pq.read_table(path).to_pylist()
    links = [r for r in links if r["role"] != "partner"] + [links[1]]  # drop IOM, repeat UNODC lead
    pq.write_table(pa.Table.from_pylist(links, schema=pq.read_schema(path)), path)
    texts = [str(p) for p in validate_export(tmp_path)]
    assert "activity_agencies.parquet:4: agency: 'UNODC' as lead for activity 'A2' does not match" in texts[0]
    assert (
        texts[1] == "activities.parquet:1: partner_agencies: 'IOM' as partner has no row in activity_agencies.parquet"
    )


def test_columns_and_types_against_the_contract(tmp_path):
    make_export(tmp_path, good_rows())
    table = activities_table(good_rows()).drop_columns(["status"])
    table = table.set_column(table.schema.get_field_index("budget_usd"), "budget_usd", pa.array(["1"] * 3))
    table = table.append_column("notes", pa.array(["x"] * 3))
    pq.write_table(table, tmp_path / "activities.parquet")
    texts = [str(p) for p in validate_export(tmp_path)]
    assert texts == [
        "activities.parquet:0: status: column is missing (expected string)",
        "activities.parquet:0: budget_usd: has type string; the contract says double",
        "activities.parquet:0: notes: is not a column of the contract",
    ]


def test_indicators_schema_and_missing_link_file(tmp_path):
    bad = INDICATORS_SCHEMA.empty_table().drop_columns(["value"])
    make_export(tmp_path, good_rows())
    pq.write_table(bad, tmp_path / "indicators.parquet")
    (tmp_path / "activity_agencies.parquet").unlink()
    texts = [str(p) for p in validate_export(tmp_path)]
    assert texts == [
        "indicators.parquet:0: value: column is missing (expected double)",
        "activity_agencies.parquet: file is missing; the three activity files go together",
    ]
