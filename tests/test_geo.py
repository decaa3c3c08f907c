"""Map values per country, counted independently on a small hand-made export."""

import json

import pandas as pd
import pytest

from icat_analysis.filters import Filters
from icat_analysis.store import db
from icat_analysis.ui import geo
from tests.factories import activity, make_export

ROWS = [
    activity("A1", lead="ILO", countries=["THA"], budget=100_000.0),
    activity("A2", lead="IOM", partners=["ILO", "UNICEF"], countries=["THA", "LAO"], budget=200_000.0),
    activity("A3", lead="UNODC", countries=["THA"], budget=None),
    activity("A4", lead="UNICEF", countries=["VNM"], budget=50_000.0),
    activity("A5", lead="UNODC", scope="global", countries=[], budget=1_000_000.0),
    activity("A6", lead="ILO", scope="global", countries=["NGA", "BRA"], budget=None),
    activity("A7", lead="IOM", countries=["MLT"], budget=10_000.0),
]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    return db.connect(make_export(tmp_path_factory.mktemp("geo"), ROWS))


def frame(con, key, f=Filters()):
    metric = geo.METRICS[key]
    values = db.query(con, metric.query, f)
    presence = db.query(con, "map_country_values", f)
    return geo.map_frame(values, metric, f.place_iso3(), presence).set_index("iso3")


def test_activities_count_regional_activities_in_each_country(con):
    fr = frame(con, "activities")
    # Thailand: A1, A3 national and the regional A2 (Thailand and Laos).
    assert fr.loc["THA", "value"] == 3
    assert fr.loc["LAO", "value"] == 1
    assert fr.loc["NGA", "value"] == 1  # the global A6 lists Nigeria
    assert fr.loc["FRA", "value"] == 0  # in the selection, nothing there
    assert fr["in_selection"].all()
    assert len(fr) == 249


def test_agencies_present_are_distinct_leads_and_partners(con):
    fr = frame(con, "agencies")
    assert fr.loc["THA", "value"] == 4  # ILO (lead A1, partner A2), IOM, UNICEF, UNODC
    assert fr.loc["LAO", "value"] == 3  # IOM, ILO, UNICEF
    assert "ILO, IOM, UNICEF, UNODC" in fr.loc["THA", "hover"]


def test_budget_sums_known_budgets_only(con):
    fr = frame(con, "budget")
    assert fr.loc["THA", "value"] == 300_000  # A3 has no budget: unknown, not zero
    assert fr.loc["NGA", "value"] == 0
    assert "US$ 300,000" in fr.loc["THA", "hover"]


def test_scope_counts_report_global_activities_apart(con):
    counts = db.query(con, "map_scope_counts", Filters()).iloc[0]
    assert counts["activities"] == 7
    assert counts["regional"] == 1
    assert counts["global_with_countries"] == 1
    assert counts["without_countries"] == 1


def test_region_filter_blanks_countries_outside(con):
    fr = frame(con, "activities", Filters(regions=("South-eastern Asia",)))
    assert fr.loc["THA", "value"] == 3
    assert fr.loc["MYS", "value"] == 0 and fr.loc["MYS", "in_selection"]
    assert pd.isna(fr.loc["NGA", "value"]) and not fr.loc["NGA", "in_selection"]


def test_agency_filter_changes_values(con):
    fr = frame(con, "activities", Filters(agencies=("UNICEF",)))
    assert fr.loc["THA", "value"] == 1  # only A2, where UNICEF is a partner
    assert fr.loc["VNM", "value"] == 1


def test_figure_is_offline_world_map_with_small_state_markers(con):
    fr = frame(con, "activities").reset_index()
    fig = geo.world_choropleth(fr, "value", label="Activities")
    spec = json.loads(fig.to_json())
    g = spec["layout"]["geo"]
    assert g["resolution"] == 50
    assert g["fitbounds"] is False
    assert g["projection"]["type"] == "natural earth"
    # every country is drawn as a shape with its outline: the geometry's own lines are not drawn again
    assert g["showcountries"] is False and g["showcoastlines"] is False
    assert spec["data"][0]["marker"]["line"]["width"] == geo.OUTLINE_WIDTH
    kinds = [t["type"] for t in spec["data"]]
    assert kinds.count("choropleth") == 2 and "scattergeo" in kinds
    markers = [t for t in spec["data"] if t["type"] == "scattergeo"]
    coloured = next(t for t in markers if "coloraxis" in t["marker"])
    i = coloured["customdata"].index("MLT")
    assert coloured["marker"]["color"][i] == 1  # Malta's marker carries Malta's value
    grey = next(t for t in markers if t["marker"].get("color") == geo.ZERO_COLOUR)
    assert "SGP" in grey["customdata"] and "VAT" in grey["customdata"]
    # zero countries are drawn grey and hoverable; positive ones on the scale
    zero, positive = spec["data"][0], spec["data"][1]
    assert "FRA" in zero["locations"] and "THA" not in zero["locations"]
    assert dict(zip(positive["locations"], positive["z"]))["THA"] == 3


def test_figure_leaves_countries_outside_selection_blank(con):
    fr = frame(con, "activities", Filters(regions=("South-eastern Asia",))).reset_index()
    spec = json.loads(geo.world_choropleth(fr, "value").to_json())
    drawn = {loc for t in spec["data"] if t["type"] == "choropleth" for loc in t["locations"]}
    assert "THA" in drawn and "MYS" in drawn and "NGA" not in drawn and "FRA" not in drawn
    # the blank countries still show their borders and coasts
    assert spec["layout"]["geo"]["showcountries"] is True and spec["layout"]["geo"]["showcoastlines"] is True
    marked = {c for t in spec["data"] if t["type"] == "scattergeo" for c in t["customdata"]}
    assert "SGP" in marked and "MLT" not in marked


def test_every_small_state_has_a_marker_position():
    pos = geo.marker_positions().set_index("iso3")
    assert set(geo.SMALL_STATES) <= set(pos.index)
    assert pos.loc["MLT", "lat"] == pytest.approx(35.9, abs=0.5)
    assert pos.loc["TUV", "lon"] == pytest.approx(179.2, abs=1)  # no shape in the geometry: hand position
    assert geo.iso3_from_selection({"points": [{"customdata": "THA"}]}) == "THA"
    assert geo.iso3_from_selection({"points": [{"location": "LAO"}]}) == "LAO"
    assert geo.iso3_from_selection({"points": []}) is None


def test_highlight_outlines_the_profile_country(con):
    fr = frame(con, "activities").reset_index()
    spec = json.loads(geo.world_choropleth(fr, "value", highlight="MLT").to_json())
    names = [t.get("name") for t in spec["data"]]
    assert "highlight" in names and "highlight marker" in names  # Malta: its shape and its marker
    shape = spec["data"][names.index("highlight")]
    assert shape["locations"] == ["MLT"] and shape["hoverinfo"] == "skip"
    # clicking selects; nothing else on the map fades
    assert spec["data"][0]["unselected"]["marker"]["opacity"] == 1


def test_every_registered_metric_answers_with_iso3_and_its_column(con):
    # A metric another view registers (e.g. duplication hot-spots) must meet the same contract.
    for key, metric in geo.METRICS.items():
        values = db.query(con, metric.query, Filters())
        assert {"iso3", metric.column} <= set(values.columns), key
        fr = geo.map_frame(values, metric, None, db.query(con, "map_country_values", Filters()))
        assert fr["value"].notna().all() and len(fr) == 249, key


def test_a_colour_scale_of_counts_never_shows_fractions():
    import pandas as pd

    from icat_analysis.ui import charts, geo

    frame = pd.DataFrame(
        {"iso3": ["THA", "NGA"], "value": [1.0, 2.0], "hover": ["a", "b"], "in_selection": [True, True]}
    )
    bar = geo.world_choropleth(frame, label="Activities").layout.coloraxis.colorbar
    assert (bar.tick0, bar.dtick, bar.tickformat) == (0, 1, "d")  # 0, 1, 2: never 0.5 or 1.5
    assert charts.count_ticks([1.5e6, 3.2e9]) == {}  # budgets keep plotly's ticks
    assert charts.count_ticks([3, 40]) == {}  # a large scale of counts ticks at whole numbers anyway


def test_map_geometry_is_the_simplified_one_with_every_country():
    # The browser draws every point of the geometry on each map; the full 50m file (122,526
    # points) took about three times as long to draw as this one, with the same world view.
    topo = json.loads((geo.STATIC_DIR / "world_50m.json").read_text(encoding="utf-8"))
    assert sum(len(arc) for arc in topo["arcs"]) < 60_000
    assert {"countries", "land", "coastlines", "ocean"} <= set(topo["objects"])
    shaped = geo.shaped_iso3()
    assert len(shaped) == 235 and {"THA", "SGP", "MLT", "BHR", "LUX"} <= shaped
    assert geo.marker_positions().set_index("iso3").loc["SGP", "lat"] == pytest.approx(1.35, abs=0.2)
