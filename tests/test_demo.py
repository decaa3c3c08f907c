"""The synthetic demo export: reproducible, shaped like the agencies' mandates, with known
near-duplicate pairs planted."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from icat_analysis import reference
from icat_analysis.cli import main
from icat_analysis.sources import demo
from icat_analysis.store.export import file_digest
from icat_analysis.store.validate import validate_export

ROOT = Path(__file__).resolve().parent.parent
GLOTIP = ROOT / "data" / "source" / "unodc_glotip_2023-05-30.xlsx"
SAMPLE = Path(__file__).parent / "fixtures" / "glotip" / "glotip_sample.xlsx"


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    """2,000 activities with the real GLOTIP indicators, as the committed data/demo/ export."""
    out = tmp_path_factory.mktemp("demo")
    assert main(["demo", "--activities", "2000", "--seed", "7", "--out", str(out), "--glotip", str(GLOTIP)]) == 0
    return out


@pytest.fixture(scope="module")
def acts(export) -> pd.DataFrame:
    return pd.read_parquet(export / "activities.parquet")


@pytest.fixture(scope="module")
def planted(export) -> pd.DataFrame:
    return pd.read_csv(export / "planted_duplicates.csv")


def _run(out: Path, n: int, seed: int, glotip: Path | None = SAMPLE) -> dict[str, str]:
    args = ["demo", "--activities", str(n), "--seed", str(seed), "--out", str(out)]
    args += ["--glotip", str(glotip) if glotip else str(out / "no-such-file.xlsx")]
    assert main(args) == 0
    return file_digest(out)


def test_same_arguments_give_the_same_bytes(tmp_path):
    a = _run(tmp_path / "a", 600, 11)
    b = _run(tmp_path / "b", 600, 11)
    assert a == b
    assert (tmp_path / "a" / "planted_duplicates.csv").read_bytes() == (
        tmp_path / "b" / "planted_duplicates.csv"
    ).read_bytes()


def test_another_seed_gives_other_activities(tmp_path):
    a = _run(tmp_path / "a", 600, 11)
    b = _run(tmp_path / "b", 600, 12)
    assert a["activities.parquet"] != b["activities.parquet"]
    assert a["indicators.parquet"] == b["indicators.parquet"]  # the real data does not change


def test_rows_and_manifest(export, acts):
    assert len(acts) == 2000
    assert acts["activity_id"].is_unique
    assert acts["activity_id"].str.fullmatch(r"[A-Z]+-DEMO-\d{6}").all()
    m = json.loads((export / "manifest.json").read_text())
    assert m["synthetic"] is True
    assert (m["seed"], m["activities"], m["generator"]) == (7, 2000, demo.GENERATOR)
    assert m["created_at"] == "2026-11-01T00:00:07"  # from the seed, not the clock
    assert m["row_counts"]["activities"] == 2000
    assert m["row_counts"]["indicators"] == 46_556
    assert any("dataunodc.un.org" in s["citation"] for s in m["sources"])
    assert (acts["imported_at"] == pd.Timestamp("2026-11-01 00:00:07")).all()


def test_the_export_is_valid_against_the_contract(export):
    assert [str(p) for p in validate_export(export)] == []


def test_codes_are_in_the_reference_lists(acts):
    assert set(acts["lead_agency"]) <= set(reference.agency_codes())
    countries = set(reference.country_codes())
    assert all(set(c) <= countries for c in acts["countries"])
    for col, lst in (
        ("themes", "theme"),
        ("activity_types", "activity_type"),
        ("target_groups", "target_group"),
        ("exploitation_forms", "exploitation_form"),
    ):
        allowed = set(reference.codes(lst))
        assert all(set(v) <= allowed for v in acts[col]), col
    assert all(len(t) >= 1 for t in acts["themes"])


def test_activities_follow_the_agency_mandates(acts):
    def share(agency: str, col: str, code: str) -> float:
        rows = acts[acts["lead_agency"] == agency]
        return rows[col].map(lambda v: code in v).mean()

    assert share("UNICEF", "target_groups", "children") > 0.6
    assert share("ILO", "exploitation_forms", "forced_labour") > 0.6
    assert share("UNHCR", "target_groups", "refugees_asylum_seekers") > 0.6
    assert share("UNODC", "themes", "prosecution") > 0.6
    assert share("IOM", "themes", "protection") > 0.6
    assert share("INTERPOL", "target_groups", "law_enforcement") > 0.6
    assert share("UNWOMEN", "target_groups", "women") > 0.6
    # UNIFEM and UNDAW became UN Women: nothing of theirs starts after 2010, nothing of UN Women before 2011
    starts = acts.set_index("lead_agency")["start_date"]
    assert starts.loc[["UNIFEM", "UNDAW"]].max() < date(2011, 1, 1)
    assert starts.loc["UNWOMEN"].min() >= date(2011, 1, 1)


def test_about_a_fifth_is_joint_and_partners_are_never_the_lead(acts):
    assert 0.15 <= acts["is_joint"].mean() <= 0.25
    assert (acts["is_joint"] == acts["partner_agencies"].map(len).gt(0)).all()
    assert acts["partner_agencies"].map(len).max() <= 3
    assert not any(lead in p for lead, p in zip(acts["lead_agency"], acts["partner_agencies"]))


def test_scope_shares_and_countries(acts):
    share = acts["scope"].value_counts(normalize=True)
    assert 0.62 <= share["national"] <= 0.78
    assert 0.14 <= share["regional"] <= 0.28
    assert 0.05 <= share["global"] <= 0.15
    n = acts["countries"].map(len)
    assert (n[acts["scope"] == "national"] == 1).all()
    assert n[acts["scope"] == "regional"].between(2, 8).all()
    assert (n[acts["scope"] == "global"] == 0).all()
    sub = dict(zip(reference.countries()["iso3"], reference.countries()["sub_region"]))
    for c in acts.loc[acts["scope"] == "regional", "countries"]:
        assert len({sub[x] for x in c}) == 1, c


def test_countries_lean_towards_where_glotip_records_detections(acts):
    counts = acts.explode("countries")["countries"].value_counts()
    # Thailand's authorities detected hundreds of victims a year; Tuvalu's GLOTIP rows are few
    assert counts.get("THA", 0) > 3 * counts.get("TUV", 0)


def test_dates_statuses_and_budgets(acts):
    assert acts["start_date"].min() >= date(2007, 1, 1)
    assert (acts["start_date"] > demo.AS_OF).any()  # some pipeline
    ends = acts["end_date"].dropna()
    assert (ends >= acts.loc[ends.index, "start_date"]).all()
    assert set(acts.loc[acts["start_date"] > demo.AS_OF, "status"]) == {"pipeline"}
    done = acts[acts["end_date"].notna() & (acts["status"] != "cancelled")]
    past = done[done["end_date"].map(lambda d: d < demo.AS_OF)]
    assert set(past["status"]) == {"completed"}
    assert (acts["last_updated"] <= demo.AS_OF).all()
    budget = acts["budget_usd"]
    assert 0.03 < budget.isna().mean() < 0.2
    assert (budget.dropna() > 0).all()
    assert budget.max() > 10 * budget.median()  # a long tail


def test_some_text_is_in_french_and_spanish(acts):
    titles = acts["title"]
    assert titles.str.contains("Renforcement des capacités|Formation des|Appui aux").any()
    assert titles.str.contains(r" (?:au|en|aux) [A-ZÉ]").any()
    assert titles.str.contains("Fortalecimiento|Formación de|Apoyo a ").any()
    assert titles.str.startswith(("Strengthening", "Training", "Supporting", "Technical")).mean() > 0.1


def test_planted_pairs_are_near_duplicates_by_different_leads(acts, planted):
    assert len(planted) >= 20
    by_id = acts.set_index("activity_id")
    for a_id, b_id, note in planted.itertuples(index=False):
        a, b = by_id.loc[a_id], by_id.loc[b_id]
        assert a["lead_agency"] != b["lead_agency"]
        assert b["lead_agency"] not in a["partner_agencies"] and a["lead_agency"] not in b["partner_agencies"]
        assert set(a["countries"]) & set(b["countries"])
        far = date(2100, 1, 1)
        assert a["start_date"] <= (b["end_date"] or far) and b["start_date"] <= (a["end_date"] or far)
        assert list(a["themes"]) == list(b["themes"])
        for col in ("activity_types", "target_groups"):  # the same codes, or one more, one less, a near synonym
            assert len(set(a[col]) ^ set(b[col])) <= 2, col
        assert note.startswith("same work")
    assert planted["note"].str.contains("French|Spanish").any()
    assert planted["note"].str.contains("same title").any()


def test_unrelated_activities_rarely_look_planted(acts, planted, export):
    """Outside the planted pairs, few pairs share a title, a country and time with another lead."""
    planted_keys = {frozenset(p) for p in zip(planted["activity_id_a"], planted["activity_id_b"])}
    decoys = pd.read_csv(export / "planted_decoys.csv")  # alike on purpose: the next phase keeps its title
    planted_keys |= {frozenset(p) for p in zip(decoys["activity_id_a"], decoys["activity_id_b"])}
    rows = acts.explode("countries").dropna(subset=["countries"])
    same = rows.merge(rows, on=["title", "countries"])
    same = same[(same["activity_id_x"] < same["activity_id_y"]) & (same["lead_agency_x"] != same["lead_agency_y"])]
    accidental = {frozenset(k) for k in zip(same["activity_id_x"], same["activity_id_y"])} - planted_keys
    assert len(accidental) < len(planted) / 4
    # and unrelated activities of one country rarely share their whole set of target groups
    assert acts["title"].nunique() > 0.97 * len(acts)


def test_without_glotip_the_indicators_are_empty(tmp_path):
    out = tmp_path / "x"
    _run(out, 300, 3, glotip=None)
    assert pq.read_table(out / "indicators.parquet").num_rows == 0
    m = json.loads((out / "manifest.json").read_text())
    assert m["row_counts"]["indicators"] == 0
    assert m["synthetic"] is True


def test_twenty_thousand_activities(tmp_path):
    out = tmp_path / "big"
    _run(out, 20_000, 5)
    t = pq.read_table(out / "activities.parquet", columns=["activity_id", "scope"])
    assert t.num_rows == 20_000
    assert len(pd.read_csv(out / "planted_duplicates.csv")) == 200
    links = pq.read_table(out / "activity_agencies.parquet")
    assert links.num_rows >= 20_000


def test_regenerating_a_flat_export_writes_the_flat_layout_again(tmp_path):
    out = tmp_path / "x"
    _run(out, 200, 1)
    second = _run(out, 200, 2)
    assert not (out / "versions").exists() and not (out / ".previous").exists()
    assert file_digest(out) == second and validate_export(out) == []


def test_wrong_usage_exits_2(tmp_path):
    assert main(["demo", "--activities", "-1", "--out", str(tmp_path)]) == 2
    assert main(["demo", "--seed", "-3", "--out", str(tmp_path)]) == 2
    assert main(["demo", "--activities", "many", "--out", str(tmp_path)]) == 2
    assert not (tmp_path / "activities.parquet").exists()
