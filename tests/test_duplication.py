"""Duplicate pairs, their scores and reasons, and hot-spots, on small hand-made exports."""

from __future__ import annotations

import csv
import io
import random
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from icat_analysis.analyses import duplication
from icat_analysis.analyses.duplication import DEFAULT_THRESHOLD
from icat_analysis.filters import Filters
from icat_analysis.store import db, duplicate_search
from tests.factories import activity, make_export

REPO = Path(__file__).resolve().parents[1]

# The same work: train labour inspectors on forced labour in Thailand.
SAME_WORK = dict(
    themes=["protection", "prosecution"],
    activity_types=["capacity_building"],
    target_groups=["labour_inspectors"],
    exploitation_forms=["forced_labour"],
)


def _a(aid, **kw):
    return activity(aid, **{**SAME_WORK, **kw})


def _pairs(tmp_path, rows, **kw):
    make_export(tmp_path, rows)
    con = db.connect(tmp_path)
    return duplication.duplicate_pairs(con, threshold=kw.pop("threshold", 0.0), **kw)


def _ids(pairs):
    return sorted(zip(pairs["activity_id_a"], pairs["activity_id_b"]))


def test_likely_duplicate_scores_high_with_reasons(tmp_path):
    pairs = _pairs(
        tmp_path,
        [
            _a("A1", lead="ILO", title="Training labour inspectors on forced labour", budget=2_400_000),
            _a("A2", lead="IOM", title="Labour inspection training against forced labour", budget=1_800_000,
               start="2015-03-01", end="2018-02-28"),
        ],
    )  # fmt: skip
    assert _ids(pairs) == [("A1", "A2")]
    p = pairs.iloc[0]
    # 1,037 days together of the shorter's 1,096: more than half, so the same period
    assert p["time"] == 1.0 and p["overlap_days"] == 1037
    assert p["place"] == 1.0 and p["activity_types"] == 1.0 and p["target_groups"] == 1.0
    # both texts name training, labour inspectors and forced labour, nothing else
    assert p["text"] == 1.0
    assert p["score"] == pytest.approx(1.0) and p["band"] == "likely duplicate"
    assert p["reasons"].startswith(
        "both capacity building for labour inspectors against forced labour in Thailand; "
        "texts both about training, labour inspectors and forced labour"
    )
    assert "34 months overlap; budgets 2.4M and 1.8M USD" in p["reasons"]
    assert "leads ILO and IOM" in p["reasons"]


def test_same_lead_agency_is_not_a_candidate(tmp_path):
    assert _pairs(tmp_path, [_a("A1", lead="ILO"), _a("A2", lead="ILO")]).empty


@pytest.mark.parametrize("side", ["a_lists_b", "b_lists_a"])
def test_partners_of_each_other_are_not_candidates(tmp_path, side):
    a = _a("A1", lead="ILO", partners=["IOM"] if side == "a_lists_b" else None)
    b = _a("A2", lead="IOM", partners=["ILO"] if side == "b_lists_a" else None)
    assert _pairs(tmp_path, [a, b]).empty


def test_shared_partner_other_than_leads_still_a_candidate(tmp_path):
    pairs = _pairs(tmp_path, [_a("A1", lead="ILO", partners=["UNICEF"]), _a("A2", lead="IOM", partners=["UNICEF"])])
    assert _ids(pairs) == [("A1", "A2")]


def test_no_overlap_in_time_is_not_a_candidate(tmp_path):
    rows = [
        _a("A1", lead="ILO", start="2015-01-01", end="2016-12-31"),
        _a("A2", lead="IOM", start="2017-01-01", end="2018-12-31"),
    ]
    assert _pairs(tmp_path, rows).empty


def test_ongoing_activity_runs_until_today(tmp_path):
    rows = [
        _a("A1", lead="ILO", start="2015-01-01", end=None),
        _a("A2", lead="IOM", start="2024-01-01", end="2025-06-30"),
    ]
    assert _ids(_pairs(tmp_path, rows)) == [("A1", "A2")]


def test_no_shared_country_is_not_a_candidate(tmp_path):
    assert _pairs(tmp_path, [_a("A1", lead="ILO", countries=["THA"]), _a("A2", lead="IOM", countries=["VNM"])]).empty


def test_no_shared_theme_is_not_a_candidate(tmp_path):
    rows = [_a("A1", lead="ILO", themes=["prevention"]), _a("A2", lead="IOM", themes=["prosecution"])]
    assert _pairs(tmp_path, rows).empty


def test_pair_sharing_several_countries_and_themes_is_listed_once(tmp_path):
    rows = [
        _a("A1", lead="ILO", countries=["THA", "VNM", "KHM"]),
        _a("A2", lead="IOM", countries=["THA", "VNM"]),
    ]
    pairs = _pairs(tmp_path, rows)
    assert _ids(pairs) == [("A1", "A2")]
    assert list(pairs.iloc[0]["countries"]) == ["THA", "VNM"]
    assert list(pairs.iloc[0]["themes"]) == ["protection", "prosecution"]
    assert pairs.iloc[0]["place"] == 1.0  # the smaller footprint lies inside the larger


def test_french_and_english_descriptions_of_the_same_work_in_benin(tmp_path):
    rows = [
        activity(
            "FR1",
            lead="UNODC",
            countries=["BEN"],
            start="2019-01-01",
            end="2021-12-31",
            themes=["prosecution", "protection"],
            activity_types=["capacity_building", "technical_assistance"],
            target_groups=["law_enforcement", "judiciary"],
            exploitation_forms=["forced_labour", "sexual_exploitation"],
            title="Renforcement des capacités de la police et des magistrats contre la traite des enfants",
            description="Formation des officiers de police judiciaire et des juges béninois aux enquêtes.",
        ),
        activity(
            "EN1",
            lead="IOM",
            countries=["BEN"],
            start="2019-06-01",
            end="2022-05-31",
            themes=["prosecution", "protection"],
            activity_types=["capacity_building", "technical_assistance"],
            target_groups=["law_enforcement", "judiciary"],
            exploitation_forms=["forced_labour", "sexual_exploitation"],
            title="Strengthening police and judges against child trafficking",
            description="Training Beninese judicial police officers and judges in investigations.",
        ),
    ]
    pairs = _pairs(tmp_path, rows)
    p = pairs.iloc[0]
    assert p["wording"] < 0.6  # the texts share few words ...
    assert p["text"] > 0.5  # ... but name the same concepts: police, judges, training, children
    assert p["score"] >= DEFAULT_THRESHOLD
    assert "in Benin" in p["reasons"] and "judges and prosecutors" in p["reasons"]


def test_national_inside_regional_is_a_shared_place_but_two_spread_footprints_are_not(tmp_path):
    national = [_a("N1", lead="ILO", countries=["THA"]), _a("N2", lead="IOM", countries=["THA", "LAO", "KHM"])]
    regional = [
        _a("R1", lead="ILO", countries=["THA", "VNM", "KHM", "LAO", "MMR"]),
        _a("R2", lead="IOM", countries=["THA", "MYS", "IDN", "PHL", "SGP"]),
    ]
    n = _pairs(tmp_path / "n", national).iloc[0]
    r = _pairs(tmp_path / "r", regional).iloc[0]
    assert n["place"] == 1.0  # Thailand lies inside Thailand, Laos and Cambodia
    assert r["place"] == pytest.approx(0.2)  # one of five shared
    assert n["score"] - r["score"] == pytest.approx(duplication.WEIGHTS["place"] * 0.8)


def test_contained_codes_and_near_synonyms_count_as_agreement(tmp_path):
    rows = [
        _a("A1", lead="ILO", target_groups=["children", "victims_survivors"]),
        _a("A2", lead="IOM", target_groups=["children"], activity_types=["technical_assistance"]),
    ]
    p = _pairs(tmp_path, rows).iloc[0]
    assert p["target_groups"] == 1.0  # children is inside children and victims
    assert p["activity_types"] == duplication.RELATED_CREDIT  # capacity building and technical assistance
    assert "(near synonyms)" in p["reasons"]


def test_a_next_phase_overlapping_a_month_scores_below_the_same_work_at_the_same_time(tmp_path):
    phase = _pairs(tmp_path / "p", [_a("P1", lead="ILO"), _a("P2", lead="IOM", start="2017-12-01", end="2020-11-30")])
    same = _pairs(tmp_path / "s", [_a("P1", lead="ILO"), _a("P2", lead="IOM", start="2015-06-01", end="2018-05-31")])
    p, s = phase.iloc[0], same.iloc[0]
    assert p["time"] == pytest.approx(31 / (0.5 * 1096))  # a month together of a three-year activity
    assert s["time"] == 1.0
    assert s["score"] - p["score"] == pytest.approx(duplication.WEIGHTS["time"] * (1 - p["time"]))


def test_nothing_listed_counts_as_nothing_shared(tmp_path):
    rows = [activity("A1", lead="ILO"), activity("A2", lead="IOM")]  # same country, theme and period only
    p = _pairs(tmp_path, rows).iloc[0]
    assert p["activity_types"] == 0 and p["target_groups"] == 0
    assert p["exploitation_forms"] == 1  # neither names a form: both work on trafficking in general
    assert p["score"] < DEFAULT_THRESHOLD


def test_same_regional_footprint_scores_as_high_as_national(tmp_path):
    rows = [
        _a("R1", lead="ILO", countries=["THA", "VNM", "KHM"]),
        _a("R2", lead="IOM", countries=["KHM", "THA", "VNM"]),
    ]
    assert _pairs(tmp_path, rows).iloc[0]["place"] == pytest.approx(1.0)


def test_threshold_decides_which_parts_must_be_shared():
    assert duplication.must_share(0.95) == {"activity_types", "target_groups", "exploitation_forms"}
    assert duplication.must_share(DEFAULT_THRESHOLD) == set()
    assert duplication.must_share(0.5) == set()


def _random_activities(seed: int) -> list[dict]:
    """Activities crowded on few codes, dates and countries, all with the same text, so many
    pairs sit just above or below a high threshold with code sets that differ a little."""
    rng = random.Random(seed)
    pools = {
        "activity_types": ["capacity_building", "technical_assistance", "research_data"],
        "target_groups": ["labour_inspectors", "law_enforcement", "judiciary"],
        "exploitation_forms": ["forced_labour", "sexual_exploitation", "organ_removal"],
    }
    rows = []
    for i in range(60):
        codes = {k: rng.sample(v, rng.choice([1, 1, 2, 2, 3])) for k, v in pools.items()}
        if rng.random() < 0.2:
            codes["exploitation_forms"] = []
        start = rng.choice(["2015-01-01", "2015-02-01", "2015-06-01", "2016-01-01"])
        end = rng.choice(["2017-12-31", "2018-03-31", None])
        rows.append(
            activity(
                f"R{i:02d}",
                lead=rng.choice(["ILO", "IOM", "UNODC", "UNICEF"]),
                countries=rng.choice([["THA"], ["THA"], ["VNM"], ["THA", "VNM"]]),
                themes=rng.sample(["protection", "prosecution", "prevention"], rng.choice([1, 2])),
                start=start,
                end=end,
                title="Training on trafficking",
                description="The same words",
                **codes,
            )
        )
    return rows


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_blocks_at_a_threshold_find_every_pair_the_search_at_0_finds(tmp_path, seed):
    # The blocks on shared classes of codes (at high thresholds) against the search by
    # country and theme alone (threshold 0), on crowded random activities, at several thresholds.
    make_export(tmp_path, _random_activities(seed))
    con = db.connect(tmp_path)
    wide = duplication.scored_pairs(con, threshold=0)
    assert len(wide) > 100
    near = 0
    for threshold in (0.6, 0.7, DEFAULT_THRESHOLD, 0.85, 0.92, 0.95):
        narrow = duplication.scored_pairs(con, threshold=threshold)
        expected = wide[wide["score"] >= threshold - 1e-9]
        key = ["activity_id_a", "activity_id_b", "iso3"]
        assert sorted(map(tuple, narrow[key].to_numpy())) == sorted(map(tuple, expected[key].to_numpy()))
        near += int((expected["activity_types"] < 1).sum() + (expected["target_groups"] < 1).sum())
    assert near > 0  # some pairs above a threshold do not share identical code sets


def test_sidebar_filters_and_country_apply(tmp_path):
    rows = [
        _a("A1", lead="ILO"),
        _a("A2", lead="IOM"),
        _a("B1", lead="ILO", countries=["NGA"]),
        _a("B2", lead="UNODC", countries=["NGA"]),
    ]
    make_export(tmp_path, rows)
    con = db.connect(tmp_path)
    assert _ids(duplication.duplicate_pairs(con, threshold=0)) == [("A1", "A2"), ("B1", "B2")]
    assert _ids(duplication.duplicate_pairs(con, iso3="NGA", threshold=0)) == [("B1", "B2")]
    # an agency's pairs: one side is its activity, the other side any agency's
    assert _ids(duplication.duplicate_pairs(con, Filters(agencies=("UNODC",)), threshold=0)) == [("B1", "B2")]
    assert _ids(duplication.duplicate_pairs(con, Filters(agencies=("ILO",)), threshold=0)) == [("A1", "A2"), ("B1", "B2")]
    assert _ids(duplication.duplicate_pairs(con, Filters(countries=("THA",)), threshold=0)) == [("A1", "A2")]


def test_hotspots_count_pairs_agencies_and_budget(tmp_path):
    rows = [
        _a("A1", lead="ILO", budget=1_000_000),
        _a("A2", lead="IOM", budget=500_000),
        _a("A3", lead="UNODC", budget=250_000),
        _a("B1", lead="ILO", countries=["NGA"], budget=100_000, themes=["protection"]),
        _a("B2", lead="UNODC", countries=["NGA"], budget=None, themes=["protection"]),
    ]
    make_export(tmp_path, rows)
    con = db.connect(tmp_path)
    scored = duplication.scored_pairs(con, threshold=DEFAULT_THRESHOLD)
    by_country = duplication.hotspots_by_country(scored)
    assert by_country["iso3"].tolist() == ["THA", "NGA"]
    tha = by_country.iloc[0]
    assert (tha["pairs"], tha["activities"], tha["agencies"], tha["budget_usd"]) == (3, 3, "ILO, IOM, UNODC", 1_750_000)
    nga = by_country.iloc[1]
    assert (nga["pairs"], nga["agencies"], nga["budget_usd"]) == (1, "ILO, UNODC", 100_000)
    by_theme = duplication.hotspots_by_country_theme(scored)
    assert by_theme[["country", "theme", "pairs"]].values.tolist() == [
        ["Thailand", "Prosecution", 3],
        ["Thailand", "Protection", 3],
        ["Nigeria", "Protection", 1],
    ]
    frame = duplication.hotspot_map_frame(by_country)
    assert frame.set_index("iso3").loc["THA", "value"] == 3
    assert frame.set_index("iso3").loc["FRA", "value"] == 0
    assert "ILO, IOM, UNODC" in frame.set_index("iso3").loc["THA", "hover"]


def test_threshold_filters_pairs(tmp_path):
    rows = [_a("A1", lead="ILO"), _a("A2", lead="IOM"), activity("A3", lead="UNODC")]
    make_export(tmp_path, rows)
    con = db.connect(tmp_path)
    everything = duplication.duplicate_pairs(con, threshold=0)
    assert len(everything) == 3
    high = duplication.duplicate_pairs(con, threshold=DEFAULT_THRESHOLD)
    assert _ids(high) == [("A1", "A2")]
    assert (high["score"] >= DEFAULT_THRESHOLD).all()
    assert list(everything["score"]) == sorted(everything["score"], reverse=True)


def test_cli_prints_ranked_csv(tmp_path):
    rows = [_a("A1", lead="ILO"), _a("A2", lead="IOM"), _a("B1", lead="ILO", countries=["NGA"]),
            _a("B2", lead="UNODC", countries=["NGA"], end="2016-06-30")]  # fmt: skip
    make_export(tmp_path, rows)
    out = subprocess.run(
        [sys.executable, "-m", "icat_analysis", "duplicates", "--data", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    ).stdout
    got = list(csv.DictReader(io.StringIO(out)))
    assert [(r["activity_id_a"], r["activity_id_b"]) for r in got] == [("A1", "A2"), ("B1", "B2")]
    assert float(got[0]["score"]) >= float(got[1]["score"]) >= DEFAULT_THRESHOLD
    assert got[0]["reasons"].startswith("both capacity building")
    one = subprocess.run(
        [sys.executable, "-m", "icat_analysis", "duplicates", "--data", str(tmp_path), "--country", "ng",
         "--min-score", "0.5"],
        capture_output=True, text=True, cwd=REPO, check=True,
    ).stdout  # fmt: skip
    assert [r["activity_id_a"] for r in csv.DictReader(io.StringIO(one))] == ["B1"]
    bad = subprocess.run(
        [sys.executable, "-m", "icat_analysis", "duplicates", "--data", str(tmp_path), "--country", "XXX"],
        capture_output=True, text=True, cwd=REPO,
    )  # fmt: skip
    assert bad.returncode == 2 and "not a known" in bad.stderr
    missing = subprocess.run(
        [sys.executable, "-m", "icat_analysis", "duplicates", "--data", str(tmp_path / "none")],
        capture_output=True, text=True, cwd=REPO,
    )  # fmt: skip
    assert missing.returncode == 1


# ---- on seeded demo exports: planted duplicates that vary as real reports do, and decoys ----
def _planted(path: Path, name: str = "planted_duplicates.csv") -> set[tuple[str, str]]:
    with open(path / name, encoding="utf-8") as fh:
        return {tuple(sorted((r["activity_id_a"], r["activity_id_b"]))) for r in csv.DictReader(fh)}


@pytest.fixture(scope="module", params=[2000, 10000])
def seeded(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"demo{request.param}")
    from icat_analysis.cli import main

    assert main(["demo", "--activities", str(request.param), "--seed", "2006", "--out", str(out)]) == 0
    return out, db.connect(out)


def test_planted_duplicates_found_with_precision_and_recall_of_at_least_0_9(seeded):
    path, con = seeded
    planted, decoys = _planted(path), _planted(path, "planted_decoys.csv")
    pairs = duplication.duplicate_pairs(con)  # the default threshold
    found = {tuple(sorted(p)) for p in zip(pairs["activity_id_a"], pairs["activity_id_b"])}
    hits = len(found & planted)
    precision, recall = hits / len(found), hits / len(planted)
    assert len(planted) >= 20 and len(decoys) >= 20
    assert precision >= 0.9, f"precision {precision:.2f}: {sorted(found - planted)}"
    assert recall >= 0.9, f"recall {recall:.2f}: missed {sorted(planted - found)}"
    assert len(found & decoys) <= 0.05 * len(decoys)  # the hard decoys stay out


@pytest.mark.parametrize("threshold", [0.7, DEFAULT_THRESHOLD, 0.9, 0.95])
def test_blocking_at_a_threshold_loses_no_pair(seeded, threshold):
    # The blocks at a threshold find exactly the pairs a wider search (0.65) scores at or above it.
    path, con = seeded
    wide = duplication.duplicate_pairs(con, threshold=0.65)
    wide = wide[wide["score"] >= threshold - 1e-9]
    narrow = duplication.duplicate_pairs(con, threshold=threshold)
    assert _ids(narrow) == _ids(wide)
    assert narrow["score"].tolist() == pytest.approx(wide["score"].tolist())


#: the day reference/duplication_calibration.csv was worked out (docs/DUPLICATION.md)
CALIBRATED_ON = date(2026, 12, 1)


def test_calibration_file_is_what_the_score_gives(seeded):
    # The "How well does this work?" curve is shipped as data; it must be what the score gives today.
    from icat_analysis.analyses import duplication_fit

    path, con = seeded
    size = sum(1 for _ in open(path / "planted_duplicates.csv", encoding="utf-8")) - 1
    name = f"demo export of {size * 100:,} activities, seed 2006"
    shipped = duplication.calibration()
    shipped = shipped[shipped["development_set"] == name].reset_index(drop=True)
    # An activity with no end date runs until the day of the search: the curve was worked out on
    # CALIBRATED_ON, and is recomputed as of that day (the next day, open pairs score a little more).
    rows = duplication.scored_pairs(con, threshold=0.5, today=CALIBRATED_ON)
    rows = rows.drop_duplicates(["activity_id_a", "activity_id_b"])
    planted = _planted(path)
    is_dup = [k in planted for k in zip(rows["activity_id_a"], rows["activity_id_b"])]
    again = duplication_fit.precision_recall(rows["score"], is_dup, len(planted), shipped["threshold"])
    assert len(shipped) == 50
    assert again["listed"].tolist() == shipped["listed"].tolist()
    assert again["precision"].tolist() == pytest.approx(shipped["precision"].tolist(), abs=1e-4)
    assert again["recall"].tolist() == pytest.approx(shipped["recall"].tolist(), abs=1e-4)


@pytest.mark.parametrize("value", ["0.49", "1.0", "nan"])
def test_cli_min_score_takes_the_pages_range(tmp_path, value):
    make_export(tmp_path, [_a("A1", lead="ILO"), _a("A2", lead="IOM")])
    bad = subprocess.run(
        [sys.executable, "-m", "icat_analysis", "duplicates", "--data", str(tmp_path), "--min-score", value],
        capture_output=True, text=True, cwd=REPO,
    )  # fmt: skip
    assert bad.returncode == 2 and "between 0.50 and 0.99" in bad.stderr


def test_an_activity_with_no_end_date_runs_until_the_day_of_the_search(tmp_path):
    # A started in January with no end; B runs from June 2020 to 2023. In July 2020 they share
    # 30 days of A's 182; by 2025 A has outrun B, which they share whole.
    make_export(
        tmp_path,
        [
            _a("A", lead="ILO", start="2020-01-01", end=None),
            _a("B", lead="IOM", start="2020-06-01", end="2023-12-31"),
        ],
    )
    con = db.connect(tmp_path)
    early = duplicate_search.candidate_pairs(con, today=date(2020, 7, 1))
    late = duplicate_search.candidate_pairs(con, today=date(2025, 1, 1))
    assert early["overlap_days"].iloc[0] == 31 and late["overlap_days"].iloc[0] == 1_309
    assert early["time_overlap"].iloc[0] < 0.5 and late["time_overlap"].iloc[0] == 1.0
    searched = duplication.scored_pairs(con, threshold=0.5, today=date(2025, 1, 1))
    assert searched["time"].iloc[0] == 1.0
