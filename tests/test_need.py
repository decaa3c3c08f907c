"""Coverage against detected need: detected victims set against protection activities."""

import pytest

from icat_analysis.analyses import need
from icat_analysis.filters import Filters
from icat_analysis.store import db
from tests.factories import activity, make_export
from tests.test_country_profile import victims


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    rows = [
        # Thailand: two protection activities active in 2020
        activity("P1", countries=["THA"], themes=["protection"], start="2019-01-01", end="2021-12-31"),
        activity("P2", countries=["THA", "LAO"], themes=["protection"], start="2020-01-01", end="2020-12-31"),
        # Nigeria: only prevention, and a protection activity long finished
        activity("N1", countries=["NGA"], themes=["prevention"], start="2019-01-01", end=None),
        activity("N2", countries=["NGA"], themes=["protection"], start="2005-01-01", end="2006-12-31"),
        activity("N3", countries=["NGA"], themes=["protection"], start="2020-01-01", status="cancelled"),
    ]
    ind = victims(
        [
            ("THA", 2019, 50.0),
            ("THA", 2020, 400.0),  # latest year for Thailand
            ("NGA", 2018, 2000.0),
            ("NGA", 2020, 900.0),  # latest: many detections, no protection activity then or now
            ("LAO", 2020, 60.0),
            ("MLT", 2021, None),  # censored "<5"
        ]
    )
    return db.connect(make_export(tmp_path_factory.mktemp("need"), rows, indicators=ind))


def test_many_detections_and_no_protection_ranks_first(con):
    ranked = need.possible_gaps(db.query(con, "need_detections_and_protection", Filters()))
    assert ranked["iso3"].tolist()[0] == "NGA"
    r = ranked.set_index("iso3")
    assert r.loc["NGA", "latest_year"] == 2020 and r.loc["NGA", "detected_victims"] == 900
    assert r.loc["NGA", "protection_activities"] == 0  # N2 ended in 2006, N3 cancelled
    assert r.loc["THA", "protection_activities"] == 2
    assert r.loc["THA", "victims_per_protection_activity"] == pytest.approx(400 / 3)
    assert r.loc["LAO", "protection_activities"] == 1  # the regional P2 counts in Laos too
    assert r.loc["MLT", "detected"] == "fewer than 5"
    assert ranked["iso3"].tolist()[-1] == "MLT"
    assert ranked["rank"].tolist() == [1, 2, 3, 4]


def test_region_filter_limits_the_list(con):
    f = Filters(regions=("South-eastern Asia",))
    ranked = need.possible_gaps(db.query(con, "need_detections_and_protection", f), f.place_iso3())
    assert ranked["iso3"].tolist() == ["THA", "LAO"]
    table = need.gaps_table(ranked)
    assert table.loc[0, "Detected victims"] == "400"


def test_citation_prefers_the_manifest_source():
    m = {"sources": [{"name": "UNODC GLOTIP", "citation": "UNODC (2023), GLOTIP data, 30 May 2023"}]}
    assert need.citation(m) == "UNODC (2023), GLOTIP data, 30 May 2023"
    assert need.citation({}, ["GLOTIP"]).startswith("UNODC")
    assert "prevalence" in need.CAVEAT and "detection" in need.CAVEAT


def test_regional_aggregates_are_not_countries(con):
    import pandas as pd

    rows = db.query(con, "need_detections_and_protection", Filters())
    fake = rows.iloc[[0]].assign(iso3="SAM", detected_victims=99_999.0)
    ranked = need.possible_gaps(pd.concat([rows, fake]))
    assert "SAM" not in ranked["iso3"].tolist()
