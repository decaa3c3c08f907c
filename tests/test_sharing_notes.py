"""The dashboard says what a public export does not show, from the counts its manifest holds."""

from __future__ import annotations

import pytest

from icat_analysis import cli
from icat_analysis.analyses import sharing
from icat_analysis.filters import Filters
from icat_analysis.store import export
from tests.factories import activity, make_export


@pytest.fixture
def published(tmp_path) -> dict:
    """UNODC: 12 activities in Nigeria shared with members only (2 of them also in Ghana);
    IOM a partner in 3 of them; one ILO budget for members; one members-only global activity."""
    rows = [activity("P1", lead="UNODC", countries=["NGA"]), activity("P2", lead="ILO", countries=["GHA"])]
    rows += [activity(f"M{i}", lead="UNODC", countries=["NGA"], visibility="members") for i in range(10)]
    rows += [
        activity(f"R{i}", lead="UNODC", partners=["IOM"], countries=["NGA", "GHA"], visibility="members")
        for i in range(2)
    ]
    rows += [activity("M10", lead="ILO", partners=["IOM"], countries=["SEN"], visibility="members")]
    rows += [activity("B1", lead="ILO", countries=["NGA"], budget_visibility="members")]
    rows += [activity("G1", lead="OHCHR", countries=[], visibility="members")]
    data = make_export(tmp_path / "full", rows)
    assert cli.main(["publish", "--level", "public", "--data", str(data), "--out", str(tmp_path / "pub")]) == 0
    return export.read_manifest(tmp_path / "pub")


def test_the_whole_public_export_withholds_fourteen_activities_and_one_budget(published):
    assert sharing.level(published) == "public"
    assert sharing.withheld(published) == sharing.Withheld(14, 1, True)
    assert sharing.note(published) == "and 14 activities shared with members only"
    assert sharing.note(published, budgets=True) == (
        "and 14 activities shared with members only; 1 budget of the activities shown is shared with members only"
    )


def test_one_agency_in_one_country_is_exact(published):
    f = Filters(agencies=("UNODC",), countries=("NGA",))
    assert sharing.note(published, f) == "and 12 activities shared with members only"
    assert sharing.withheld(published, Filters(countries=("GHA",))) == sharing.Withheld(2, 0, True)
    # an agency alone counts each activity once, not once per country
    assert sharing.withheld(published, Filters(agencies=("UNODC",))) == sharing.Withheld(12, 0, True)
    assert sharing.withheld(published, Filters(agencies=("IOM",))) == sharing.Withheld(3, 0, True)
    assert sharing.withheld(published, Filters(agencies=("IOM",), role="lead")) == sharing.Withheld(0, 0, True)
    assert sharing.note(published, Filters(agencies=("IOM",), role="lead")) == ""


def test_filters_the_counts_do_not_know_say_up_to(published):
    f = Filters(countries=("NGA",), themes=("protection",))
    assert sharing.note(published, f) == "and up to 12 activities shared with members only"
    # two countries: an activity in both is counted in each
    assert sharing.withheld(published, Filters(countries=("NGA", "GHA"))) == sharing.Withheld(14, 1, False)
    assert sharing.withheld(published, Filters(year_from=2015, year_to=2016)).exact is False


def test_the_full_export_says_nothing(small_export):
    manifest = export.read_manifest(small_export)
    assert sharing.level(manifest) is None
    assert sharing.withheld(manifest) is None
    assert sharing.note(manifest, Filters(countries=("THA",))) == ""


def test_a_caption_names_the_withheld_without_joining_word(published):
    assert sharing.note(published, Filters(countries=("NGA",)), budgets=True, lead="") == (
        "12 activities shared with members only; 1 budget of the activities shown is shared with members only"
    )
