"""The query layer and the shared filter set, on a small hand-made export."""

from icat_analysis.filters import Filters
from icat_analysis.store import db
from tests.factories import activity, make_export


def _ids(con, f):
    return sorted(
        con.execute("SELECT activity_id FROM selected_activities($f)", {"f": f.as_sql_param()})
        .fetchnumpy()["activity_id"]
        .tolist()
    )


def test_filters_select_by_role_place_theme_and_period(tmp_path):
    make_export(
        tmp_path,
        [
            activity("A1", lead="ILO", countries=["THA"], start="2015-01-01", end="2016-12-31"),
            activity("A2", lead="IOM", partners=["ILO"], countries=["VNM", "KHM"], themes=["prevention"]),
            activity("A3", lead="UNODC", countries=["NGA"], start="2019-06-01", end=None),
            activity("A4", lead="UNICEF", countries=[], start="2010-01-01", end="2011-01-01"),
        ],
    )
    con = db.connect(tmp_path)
    assert _ids(con, Filters()) == ["A1", "A2", "A3", "A4"]
    assert _ids(con, Filters(agencies=("ILO",))) == ["A1", "A2"]
    assert _ids(con, Filters(agencies=("ILO",), role="lead")) == ["A1"]
    assert _ids(con, Filters(agencies=("ILO",), role="partner")) == ["A2"]
    assert _ids(con, Filters(regions=("South-eastern Asia",))) == ["A1", "A2"]
    assert _ids(con, Filters(countries=("NGA",))) == ["A3"]
    assert _ids(con, Filters(themes=("prevention",))) == ["A2"]
    assert _ids(con, Filters(year_from=2018, year_to=2020)) == ["A3"]  # A3 is ongoing
    assert _ids(con, Filters(joint_only=True)) == ["A2"]
    assert _ids(con, Filters(scopes=("global",))) == ["A4"]


def test_link_tables_and_empty_export(tmp_path):
    make_export(tmp_path / "x", [activity("A1", lead="IOM", partners=["ILO", "UNICEF"], countries=["THA", "LAO"])])
    con = db.connect(tmp_path / "x")
    assert con.execute("SELECT count(*) FROM activity_countries").fetchone()[0] == 2
    roles = con.execute("SELECT agency, role FROM activity_agencies ORDER BY agency").fetchall()
    assert roles == [("ILO", "partner"), ("IOM", "lead"), ("UNICEF", "partner")]
    empty = db.connect(tmp_path / "nothing-here")
    assert (
        empty.execute("SELECT count(*) FROM selected_activities($f)", {"f": Filters().as_sql_param()}).fetchone()[0]
        == 0
    )


def test_url_values_outside_code_lists_are_dropped_with_notice():
    f = Filters.from_query_params({"agencies": "ILO,<script>", "years": "1900-3000", "role": "boss"})
    assert f.agencies == ("ILO",)
    assert f.year_from is None
    assert len(f.notices) == 3
    assert Filters.from_query_params(f.to_query_params()) == f


def test_sentence_names_the_filters():
    f = Filters(agencies=("ILO", "IOM"), role="lead", regions=("South-eastern Asia",), year_from=2015, year_to=2020)
    assert f.describe(214) == "214 activities led by ILO or IOM in South-eastern Asia, 2015-2020"


def test_row_ids_tie_the_link_tables_to_their_activity(tmp_path):
    """Page queries join on the integer rid: it must name the same activity in all three
    tables, and a link row whose activity is missing is kept (with no rid), not dropped."""
    rows = [
        activity("A1", lead="ILO", partners=["IOM"], countries=["THA", "LAO"]),
        activity("A2", lead="UNICEF", countries=["VNM"]),
    ]
    con = db.connect(make_export(tmp_path, rows))
    by_id = dict(con.execute("SELECT activity_id, rid FROM activities").fetchall())
    assert sorted(by_id) == ["A1", "A2"] and len(set(by_id.values())) == 2
    for table in ("activity_countries", "activity_agencies"):
        pairs = con.execute(f"SELECT DISTINCT activity_id, rid FROM {table}").fetchall()
        assert all(by_id[a] == r for a, r in pairs)
    who_where = con.execute(
        "SELECT iso3, agency, role FROM activity_places_agencies WHERE rid = ? ORDER BY ALL", [by_id["A1"]]
    ).fetchall()
    assert who_where == [
        ("LAO", "ILO", "lead"),
        ("LAO", "IOM", "partner"),
        ("THA", "ILO", "lead"),
        ("THA", "IOM", "partner"),
    ]

    # a link file naming an activity the activities file lacks (validate reports it)
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "activity_countries.parquet"
    links = pq.read_table(path)
    extra = pa.table({"activity_id": ["GONE"], "iso3": ["KHM"]}).cast(links.schema)
    pq.write_table(pa.concat_tables([links, extra]), path)
    con = db.connect(tmp_path)
    assert con.execute("SELECT count(*), count(rid) FROM activity_countries").fetchone() == (4, 3)
