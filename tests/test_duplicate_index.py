"""The hot-spot index stored with each export version gives exactly what the search gives."""

from __future__ import annotations

import functools

import pytest

from icat_analysis.analyses import duplication
from icat_analysis.filters import Filters
from icat_analysis.store import db, duplicate_index, duplicate_search, export, score_weights
from tests.factories import activities_table, activity, make_export
from tests.test_duplication_blocks import _random_activities

KEY = ["activity_id_a", "activity_id_b", "iso3"]


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    path = tmp_path_factory.mktemp("indexed")
    make_export(path, _random_activities(7), versioned=True)
    return path


def test_an_import_stores_the_index_and_says_so_in_the_manifest(indexed):
    described = export.read_manifest(indexed)["duplicate_index"]
    assert described["built"] and described["least_score"] == duplicate_index.LEAST_SCORE
    assert (export.current_dir(indexed) / duplicate_index.FILE).is_file()
    con = db.connect(indexed)
    assert duplicate_search.stored_index(con)["pairs"] == described["pairs"] > 0


@pytest.mark.parametrize("threshold", [duplicate_index.LEAST_SCORE, 0.78, duplication.DEFAULT_THRESHOLD, 0.9, 0.99])
@pytest.mark.parametrize(
    "filters", [None, Filters(agencies=("ILO",)), Filters(countries=("KHM",)), Filters(year_from=2015, year_to=2018)]
)
def test_stored_pairs_are_the_searched_pairs(indexed, threshold, filters):
    con = db.connect(indexed)
    stored = duplicate_search.scored_pairs(con, filters, threshold=threshold)
    searched = duplicate_search.scored_pairs(con, filters, threshold=threshold, stored=False)
    assert stored[KEY].values.tolist() == searched[KEY].values.tolist()
    assert stored["score"].tolist() == pytest.approx(searched["score"].tolist())


def test_one_country_from_the_index_is_that_country_of_the_search(indexed):
    con = db.connect(indexed)
    for iso3 in ("THA", "LAO"):
        stored = duplicate_search.scored_pairs(con, iso3=iso3)
        searched = duplicate_search.scored_pairs(con, iso3=iso3, stored=False)
        assert stored[KEY].values.tolist() == searched[KEY].values.tolist()
        assert set(stored["iso3"]) <= {iso3}


def test_a_pair_list_from_the_index_reads_as_the_searched_one(indexed):
    con = db.connect(indexed)
    for iso3 in ("THA", None):
        stored = duplication.describe_pairs(con, duplicate_search.scored_pairs(con, iso3=iso3, threshold=0.75))
        searched = duplication.describe_pairs(
            con, duplicate_search.scored_pairs(con, iso3=iso3, threshold=0.75, stored=False)
        )
        assert len(stored) > 0
        for column in ("activity_id_a", "activity_id_b", "reasons", "title_a", "title_b", "band"):
            assert stored[column].tolist() == searched[column].tolist()
        assert stored["wording"].tolist() == pytest.approx(searched["wording"].tolist())


def test_the_command_lists_a_country_from_the_index_without_loading_the_export(indexed, monkeypatch, capsys):
    import argparse

    def no_loading(*args, **kwargs):
        raise AssertionError("the export was loaded")

    searched = duplication.duplicate_pairs(db.connect(indexed), iso3="THA", threshold=0.8)
    monkeypatch.setattr(db, "connect", no_loading)
    args = argparse.Namespace(data=str(indexed), country="TH", min_score=0.8)
    assert duplication.run(args) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "activity_id_a,activity_id_b,score,reasons"
    assert [line.split(",")[:2] for line in lines[1:]] == searched[["activity_id_a", "activity_id_b"]].values.tolist()
    assert len(lines) > 1
    # below the least score stored, the command searches: it must load the export
    with pytest.raises(AssertionError, match="loaded"):
        duplication.run(argparse.Namespace(data=str(indexed), country="THA", min_score=0.6))


def test_below_the_stored_least_score_the_pairs_are_searched(indexed):
    con = db.connect(indexed)
    assert not duplicate_index.covers(duplicate_search.stored_index(con), 0.6, duplication.WEIGHTS)
    low = duplicate_search.scored_pairs(con, threshold=0.6)
    assert len(low) > len(duplicate_search.scored_pairs(con, threshold=0.7))
    assert (
        low[KEY].values.tolist() == duplicate_search.scored_pairs(con, threshold=0.6, stored=False)[KEY].values.tolist()
    )


def test_accepted_weights_are_searched_until_the_next_import_builds_the_index_for_them(tmp_path):
    make_export(tmp_path, _random_activities(8), versioned=True)
    heavy_time = {"time": 0.6, "place": 0.05, "activity_types": 0.05, "target_groups": 0.05,
                  "exploitation_forms": 0.05, "text": 0.2}  # fmt: skip
    score_weights.accept(tmp_path, heavy_time, threshold=0.7, reviews=20, by="Ana", note="test")
    con = db.connect(tmp_path)
    assert not duplicate_index.covers(duplicate_search.stored_index(con), 0.77, heavy_time)
    live = duplicate_search.scored_pairs(con, threshold=0.77, weights=heavy_time)
    assert (
        live[KEY].values.tolist()
        == duplicate_search.scored_pairs(con, threshold=0.77, weights=heavy_time, stored=False)[KEY].values.tolist()
    )
    # the next version of the export (here an unchanged re-import) is indexed with the accepted weights
    export.write_export(tmp_path, {"activities.parquet": activities_table(_random_activities(8))}, {})
    con = db.connect(tmp_path)
    assert duplicate_index.covers(duplicate_search.stored_index(con), 0.77, heavy_time)
    again = duplicate_search.scored_pairs(con, threshold=0.77, weights=heavy_time)
    assert again[KEY].values.tolist() == live[KEY].values.tolist()


def test_a_version_with_other_activities_gets_its_own_index(tmp_path):
    rows = [
        activity("A1", lead="ILO", title="Training labour inspectors", description="Forced labour at sea, 24 months"),
        activity("A2", lead="IOM", title="Training labour inspectors", description="Forced labour at sea, 24 months"),
    ]
    make_export(tmp_path, rows, versioned=True)
    assert export.read_manifest(tmp_path)["duplicate_index"]["pairs"] == 1
    export.write_export(tmp_path, {"activities.parquet": activities_table(rows[:1])}, {})
    assert export.read_manifest(tmp_path)["duplicate_index"]["pairs"] == 0
    assert duplicate_search.scored_pairs(db.connect(tmp_path)).empty


def test_an_export_without_an_index_is_searched(tmp_path):
    make_export(tmp_path, _random_activities(9))  # flat, as the repository ships one: no index
    con = db.connect(tmp_path)
    assert duplicate_search.stored_index(con) is None
    assert len(duplicate_search.scored_pairs(con)) > 0


def test_an_export_over_the_size_limit_is_not_indexed_and_is_searched(tmp_path, monkeypatch):
    monkeypatch.setattr(duplicate_index, "MAX_ACTIVITIES", 100)
    make_export(tmp_path, _random_activities(10), versioned=True)  # 160 activities
    assert export.read_manifest(tmp_path)["duplicate_index"] == {
        "built": False,
        "activities": 160,
        "why": "more than 100 activities",
    }
    assert not (export.current_dir(tmp_path) / duplicate_index.FILE).exists()
    con = db.connect(tmp_path)
    assert duplicate_search.stored_index(con) is None and len(duplicate_search.scored_pairs(con)) > 0


def test_accepting_or_restoring_weights_writes_a_version_indexed_with_them(tmp_path):
    from icat_analysis.analyses import duplication_fit

    make_export(tmp_path, _random_activities(11), versioned=True)
    first = export.current_dir(tmp_path)
    fitted = {"weights": {"time": 0.2, "place": 0.1, "activity_types": 0.1, "target_groups": 0.1,
                          "exploitation_forms": 0.1, "text": 0.4}, "even_odds": 0.7, "reviews": 20}  # fmt: skip
    duplication_fit.accept_fitted(tmp_path, fitted, "Ana")
    second = export.current_dir(tmp_path)
    assert second != first and export.read_manifest(tmp_path)["version"]["lineage"][0] == first.name
    con = db.connect(tmp_path)
    assert duplicate_index.covers(duplicate_search.stored_index(con), 0.77, fitted["weights"])
    stored = duplicate_search.scored_pairs(con, threshold=0.77, weights=fitted["weights"])
    searched = duplicate_search.scored_pairs(con, threshold=0.77, weights=fitted["weights"], stored=False)
    assert stored[KEY].values.tolist() == searched[KEY].values.tolist() and len(stored) > 0
    # the activities are the same files (hard links), only the index was scored again
    assert (second / "activities.parquet").stat().st_ino == (first / "activities.parquet").stat().st_ino
    duplication_fit.restore_previous(tmp_path, "Ana")
    con = db.connect(tmp_path)
    assert duplicate_index.covers(duplicate_search.stored_index(con), 0.77, duplication.WEIGHTS)
    assert not duplicate_index.follow_weights(tmp_path, "Ana")  # already indexed with them: nothing written


@pytest.mark.parametrize("sample_from", [0, 10**9])
def test_the_bound_on_texts_changes_how_fast_never_which_pairs(indexed, monkeypatch, sample_from):
    # from 0: a sample decides whether the bound is worked out; never: it always is
    con = db.connect(indexed)
    always = duplicate_search.scored_pairs(con, threshold=duplicate_index.LEAST_SCORE, stored=False)
    monkeypatch.setattr(duplicate_search, "BOUND_SAMPLE_FROM", sample_from)
    decided = duplicate_search.scored_pairs(con, threshold=duplicate_index.LEAST_SCORE, stored=False)
    assert len(always) > 0
    assert decided[KEY].values.tolist() == always[KEY].values.tolist()
    assert decided["score"].tolist() == pytest.approx(always["score"].tolist())


def test_the_pairs_a_search_would_compare_are_counted_country_by_country(tmp_path, monkeypatch):
    # Thailand: A, B and D (three pairs); Laos: B and C (one); Viet Nam: C alone; E names no country.
    rows = [
        activity("A", lead="ILO", countries=["THA"]),
        activity("B", lead="IOM", scope="regional", countries=["THA", "LAO"]),
        activity("C", lead="IOM", scope="regional", countries=["LAO", "VNM"]),
        activity("D", lead="UNODC", countries=["THA"]),
        activity("E", lead="ILO", scope="global", countries=[]),
    ]
    con = db.connect(make_export(tmp_path / "e", rows))
    run = functools.partial(db.query, con)
    monkeypatch.setattr(duplication, "MAX_SEARCH_PAIRS", 0)
    assert duplication.too_many_to_search(run, con, None, 0.83) == duplication.SearchSize(4, 5)
    # B and C are selected: they share Laos; Thailand and Viet Nam each hold only one of them
    assert duplication.too_many_to_search(run, con, Filters(countries=("LAO",)), 0.83).pairs == 1
    # ILO's activities are compared with every agency's: the same four pairs as no filter
    assert duplication.too_many_to_search(run, con, Filters(agencies=("ILO",)), 0.83).pairs == 4
    monkeypatch.setattr(duplication, "MAX_SEARCH_PAIRS", 4)
    assert duplication.too_many_to_search(run, con, None, 0.83) is None
    # a large export is not searched at all: every activity's texts are read first
    monkeypatch.setattr(duplication, "MAX_RARITY_ACTIVITIES", 4)
    assert duplication.too_many_to_search(run, con, Filters(countries=("VNM",)), 0.83) == duplication.SearchSize(0, 5)
    text = duplication.narrow_the_selection(con, Filters(countries=("VNM",)), 1, duplication.SearchSize(0, 5), 0.83)
    assert text.startswith("**Too many activities to search here: this export holds 5.** It has no stored hot-spot")
    assert "`python -m icat_analysis duplicates --country VNM` lists one country's pairs" in text


def test_a_selection_too_large_to_search_is_read_from_the_index_where_it_covers(indexed, monkeypatch):
    monkeypatch.setattr(duplication, "MAX_SEARCH_PAIRS", 0)
    con = db.connect(indexed)
    run = functools.partial(db.query, con)
    assert duplication.too_many_to_search(run, con, None, duplicate_index.LEAST_SCORE) is None
    assert duplication.too_many_to_search(run, con, None, 0.6).pairs > 0  # below the stored least score: searched
    text = duplication.narrow_the_selection(
        con, Filters(agencies=("ILO",)), 300, duplication.SearchSize(5_000, 900), 0.6
    )
    assert "300 activities are selected, and comparing them means 5,000 pairs of activities that share" in text
    assert "(that agency's activities with every agency's)" in text
    assert "lists pairs from 0.75" in text and "set the threshold to 0.75 or more" in text
