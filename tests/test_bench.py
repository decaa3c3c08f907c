"""The performance benchmark: it runs end to end on a tiny export, the pandas baseline gives
the same answers as the DuckDB queries, and the result cache is keyed by the export version."""

from __future__ import annotations

import argparse
import ast
import json
from pathlib import Path

import plotly.graph_objects as go
import pytest

from icat_analysis.bench import pandas_baseline
from icat_analysis.bench import run as bench
from icat_analysis.filters import Filters
from icat_analysis.store import db, export
from tests.conftest import four_activities
from tests.factories import activity, make_export

REPO = Path(__file__).resolve().parents[1]
TINY = 2_000


@pytest.fixture(scope="module")
def tiny_bench(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    parser = argparse.ArgumentParser()
    bench.add_arguments(parser)
    args = parser.parse_args(["--sizes", str(TINY), "--out", str(out), "--quick", "--duplication-timeout", "120"])
    status = bench.run(args)
    return status, out, json.loads((out / "results.json").read_text())


def test_quick_bench_writes_every_page_with_numeric_timings(tiny_bench):
    status, out, results = tiny_bench
    assert status == 0
    res = results["sizes"][str(TINY)]
    assert res["activities"] == TINY
    assert set(res["pages"]) == set(bench.PAGES)
    for page, by_filter in res["pages"].items():
        assert set(by_filter) == {"default", "narrow"}, page
        for t in by_filter.values():
            for key in ("connect_ms", "cold_ms", "warm_ms", "repeat_uncached_ms"):
                assert isinstance(t[key], float) and t[key] >= 0, (page, key)
    assert res["connect_s"] > 0 and res["peak_memory_mb"] > 0
    dup = res["duplication"]["default"]
    assert isinstance(dup["hotspot_index_s"], float) and isinstance(dup["country_pairs_s"], float)
    # the demo export stores its hot-spot index; the command line and the search that builds it are timed too
    assert dup["index_stored"] is True
    assert isinstance(dup["country_cli_s"], float) and isinstance(dup["index_build_s"], float)
    assert not dup.get("timed_out") and "error" not in dup
    assert any(c["what"] == "peak memory" for c in res["checks"])


def test_the_export_is_reused_the_second_time(tiny_bench):
    _, out, _ = tiny_bench
    d, built = bench.ensure_export(out, TINY)
    assert built is None and (d / "activities.parquet").exists()


def test_pandas_baseline_gives_the_duckdb_answers(tiny_bench):
    _, out, _ = tiny_bench
    d = out / f"demo-{TINY}-s{bench.SEED}"
    res = pandas_baseline.compare(d, bench.FILTER_SETS, warm_runs=1)
    assert set(res["queries"]) == {
        "overview_headline",
        "map_country_values",
        "coverage_country",
        "indicators_world_trend",
        "indicators_activities_by_year",
    }
    for q, by_filter in res["queries"].items():
        for name, t in by_filter.items():
            assert t["same_result"], (q, name)


def test_the_first_visit_times_are_printed_against_their_targets(tiny_bench):
    _, _, results = tiny_bench
    res = results["sizes"][str(TINY)]
    res["first_visit"] = {
        "load": "load average 1.0, 1.0, 1.0",
        "median_s": {"Overview": 2.5, "Map": 3.4},
        "runs": {"Overview": [2.4, 2.5, 2.9], "Map": [3.4]},
        "after_ready_median_s": {"Overview": 1.2, "Map": 2.0},
        "after_ready_runs": {"Overview": [1.1, 1.2, 1.5], "Map": [2.0]},
    }
    lines = bench.table(results).splitlines()
    assert "  first visit on a fresh server (s from its start to the page drawn; load average 1.0, 1.0, 1.0):" in lines
    overview = next(line for line in lines if line.split()[:2] == ["Overview", "2.5"])
    assert overview.split() == [
        *("Overview", "2.5", "runs", "[2.4,", "2.5,", "2.9]", "pass;"),
        *("from", "answering", "1.2", "runs", "[1.1,", "1.2,", "1.5]"),
    ]
    assert any(line.split()[:2] == ["Map", "3.4"] and "FAIL" in line for line in lines)  # over 3 s
    assert bench.first_visit_target(1_000_000) == 6
    # a page's repeat visit: 1 s up to 10,000 activities, 1.5 s at a million
    assert (bench.browser_warm_target(10_000), bench.browser_warm_target(1_000_000)) == (1.0, 1.5)


def test_pandas_headline_counts_a_hand_made_export(small_export):
    t = pandas_baseline.load(small_export)
    from datetime import date

    row = pandas_baseline.overview_headline(t, Filters(), date(2020, 1, 1)).iloc[0]
    # four activities, ILO IOM UNODC involved, THA VNM KHM NGA, one joint, 450,000 known
    assert (row["activities"], row["agencies"], row["countries"], row["joint"]) == (4, 3, 4, 1)
    assert row["known_budget_usd"] == 450_000
    con = db.connect(small_export)
    duck = db.query(con, "map_country_values", Filters())
    assert pandas_baseline.same(pandas_baseline.map_country_values(t, Filters()), duck)
    tha = duck.set_index("iso3").loc["THA"]
    assert tha["activities"] == 2


def test_a_new_import_changes_the_export_version_and_the_cached_answer(tmp_path, monkeypatch):
    import streamlit as st

    from icat_analysis.ui import st_adapter

    d = make_export(tmp_path / "data", four_activities(), versioned=True)
    monkeypatch.setenv("ICAT_DATA_DIR", str(d))
    st.cache_data.clear()
    st.cache_resource.clear()
    v1 = export.export_version(d)
    assert int(st_adapter.run("overview_headline", Filters(), today=st_adapter.today())["activities"].iloc[0]) == 4

    rows = [*four_activities(), activity("A5", lead="UNHCR", countries=["KEN"])]
    make_export(d, rows, versioned=True)  # a new import makes a new version
    v2 = export.export_version(d)
    assert v2 != v1
    assert int(st_adapter.run("overview_headline", Filters(), today=st_adapter.today())["activities"].iloc[0]) == 5

    export.undo_last_import(d)
    assert export.export_version(d) == v1
    assert int(st_adapter.run("overview_headline", Filters(), today=st_adapter.today())["activities"].iloc[0]) == 4
    st.cache_data.clear()
    st.cache_resource.clear()


def test_a_chart_is_made_once_per_view_and_again_for_a_new_version_or_choice(tmp_path, monkeypatch):
    import streamlit as st

    from icat_analysis.ui import st_adapter

    d = make_export(tmp_path / "data", four_activities(), versioned=True)
    monkeypatch.setenv("ICAT_DATA_DIR", str(d))
    st.cache_data.clear()
    made, drawn = [], []
    monkeypatch.setattr(st, "plotly_chart", lambda fig, **kw: drawn.append(fig))

    def chart(metric: str) -> None:
        def make():
            n = int(st_adapter.run("overview_headline", Filters(), today=st_adapter.today())["activities"].iloc[0])
            made.append(n)
            return go.Figure(go.Bar(x=[metric], y=[n]), layout={"title": {"text": f"{n} activities"}})

        st_adapter.plotly_chart(make, Filters(), same=(metric,))

    chart("activities")
    chart("activities")  # the repeat view: the stored figure, not made again
    assert made == [4]
    assert [f.layout.title.text for f in drawn] == ["4 activities", "4 activities"]
    # the filter sentence is kept, and where the activities come from (a picture names its source)
    subtitle = drawn[1].layout.title.subtitle.text
    assert subtitle.startswith("All activities. Source: export 'data', ") and subtitle.endswith(
        ": the agencies' submissions"
    )
    chart("budget")  # another choice on the page: made for it
    make_export(d, [*four_activities(), activity("A5", lead="UNHCR", countries=["KEN"])], versioned=True)
    chart("activities")  # a new import: made again from the new version
    assert made == [4, 4, 5]
    assert drawn[-1].data[0].y == (5,)
    st.cache_data.clear()


def _cache_data_functions():
    for path in [*sorted((REPO / "icat_analysis").rglob("*.py")), *sorted((REPO / "pages").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any("cache_data" in ast.unparse(d) for d in node.decorator_list):
                yield path.name, node


def test_no_cached_function_takes_a_dataframe():
    found = list(_cache_data_functions())
    assert found, "expected the cached query of st_adapter"
    for file_name, fn in found:
        names = [a.arg for a in fn.args.args]
        assert "version" in names, f"{file_name}:{fn.name} must be keyed by the export version"
        for a in fn.args.args:
            ann = ast.unparse(a.annotation) if a.annotation else ""
            assert "DataFrame" not in ann, f"{file_name}:{fn.name}({a.arg}) hashes a DataFrame"
            assert a.arg not in ("df", "frame", "rows", "table"), f"{file_name}:{fn.name}({a.arg})"


def test_streamlit_run_serves_the_app_that_warms_up_at_start():
    import streamlit as st
    from streamlit.web.server.app_discovery import discover_asgi_app

    import dashboard

    # `streamlit run dashboard.py` (the README's command, and the browser tests' server) finds
    # the app and serves it, so its start-up work runs before anyone visits.
    found = discover_asgi_app(REPO / "dashboard.py")
    assert found.is_asgi_app and found.app_name == "app"
    assert isinstance(dashboard.app, st.App)
    assert dashboard.app.script_path.name == "dashboard.py"


def test_a_first_run_during_the_warm_up_waits_for_it(monkeypatch):
    import threading

    from icat_analysis.ui import st_adapter

    monkeypatch.setattr(st_adapter, "_WARMING", threading.Event())
    monkeypatch.setattr(st_adapter, "_WARMED", threading.Event())
    order, gate = [], threading.Event()
    st_adapter.wait_for_warm_up()  # no warm-up started (tests, a bare script run): no wait
    monkeypatch.setattr(st_adapter, "_warm_up", lambda: gate.wait(30) and order.append("warm-up done"))
    warming = threading.Thread(target=st_adapter.warm_up)
    warming.start()
    assert st_adapter._WARMING.wait(30)
    page = threading.Thread(target=lambda: st_adapter.wait_for_warm_up() or order.append("page runs"))
    page.start()
    gate.set()
    page.join(30)
    warming.join(30)
    assert order == ["warm-up done", "page runs"]


def test_the_served_dashboard_does_not_watch_its_source_files():
    import tomllib

    # Watching maps every loaded module to its real path on each new visitor's first run,
    # holding the server; a served dashboard's code does not change under it.
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["server"]["fileWatcherType"] == "none"


def test_the_warm_up_answers_the_first_overview_before_anyone_visits(tmp_path, monkeypatch, clean_streamlit):
    import gc

    from streamlit.testing.v1 import AppTest

    from icat_analysis.ui import st_adapter

    d = make_export(tmp_path / "data", four_activities(), versioned=True, synthetic=True)
    monkeypatch.setenv("ICAT_DATA_DIR", str(d))
    try:
        st_adapter.warm_up()
        # what was made at start is left out of every later garbage collection
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    asked = []
    real_query = db.query
    monkeypatch.setattr(db, "query", lambda *a, **kw: asked.append(a[1]) or real_query(*a, **kw))
    # The first person's Overview, with no filter: every query was answered at start, so the
    # run asks DuckDB nothing.
    at = AppTest.from_file("../dashboard.py", default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    assert asked == []
    # and it shows what it would have shown without the warm-up
    assert [m.value for m in at.metric][:3] == ["4", "3", "4"]  # activities, agencies (ILO, IOM, UNODC), countries
    assert "Demonstration data" in at.info[0].value
    # its two charts are Vega-Lite's: the first page of a fresh server loads no plotly.js
    assert at.get("plotly_chart") == []
    charts = at.get("vega_lite_chart")
    titles = [json.loads(c.proto.spec)["title"] for c in charts]
    assert [t["text"] for t in titles] == [
        "Activities started per year, by theme",
        "The 4 countries with most activities",
    ]
    # the filter sentence and the source, in the downloaded picture too: this export is synthetic
    assert " ".join(titles[0]["subtitle"]).startswith("All activities. Source: export 'data', ")
    assert " ".join(titles[0]["subtitle"]).endswith(": synthetic demonstration data")
    assert json.loads(charts[1].proto.spec)["description"].startswith(
        "Bar chart of the countries with most activities: "
    )
