"""The pandas baseline of the benchmark: the same page queries written the plain pandas way
(read the parquet files, explode the list columns, merge and group), to measure what DuckDB
buys. Each function returns the same rows and columns as its named query, so the benchmark
also checks that both give the same answer.
"""

from __future__ import annotations

import functools
import statistics
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from icat_analysis import reference
from icat_analysis.filters import Filters
from icat_analysis.store.contract import EXPORT_FILES
from icat_analysis.store.export import current_dir


def load(data_dir: Path) -> dict[str, pd.DataFrame]:
    """The export as pandas DataFrames (dates as datetime64)."""
    d = current_dir(Path(data_dir))
    acts = pd.read_parquet(d / "activities.parquet")
    for col in ("start_date", "end_date"):
        acts[col] = pd.to_datetime(acts[col])
    return {
        "activities": acts,
        "activity_countries": pd.read_parquet(d / "activity_countries.parquet"),
        "activity_agencies": pd.read_parquet(d / "activity_agencies.parquet"),
        "indicators": pd.read_parquet(d / "indicators.parquet")
        if (d / "indicators.parquet").exists()
        else EXPORT_FILES["indicators.parquet"].empty_table().to_pandas(),
        "countries": reference.countries(),
    }


def _has_any(col: pd.Series, wanted: list[str]) -> pd.Series:
    """Rows whose list column holds any of ``wanted`` (explode, test, fold back by row)."""
    exploded = col.explode()
    return exploded.isin(wanted).groupby(level=0).any().reindex(col.index, fill_value=False)


def select(t: dict, f: Filters | None) -> pd.DataFrame:
    """selected_activities(f) in pandas."""
    p = (f or Filters()).as_sql_param()
    a = t["activities"]
    keep = pd.Series(True, index=a.index)
    today = pd.Timestamp(date.today())
    if p["year_from"] is not None:
        keep &= a["end_date"].fillna(today) >= pd.Timestamp(p["year_from"], 1, 1)
    if p["year_to"] is not None:
        keep &= a["start_date"] <= pd.Timestamp(p["year_to"], 12, 31)
    if p["agencies"] is not None:
        by_agency = pd.Series(False, index=a.index)
        if p["role"] in ("any", "lead"):
            by_agency |= a["lead_agency"].isin(p["agencies"])
        if p["role"] in ("any", "partner"):
            by_agency |= _has_any(a["partner_agencies"], p["agencies"])
        keep &= by_agency
    for col in ("themes", "activity_types", "target_groups", "exploitation_forms"):
        if p[col] is not None:
            keep &= _has_any(a[col], p[col])
    if p["iso3"] is not None:
        keep &= _has_any(a["countries"], p["iso3"])
    if p["scopes"] is not None:
        keep &= a["scope"].isin(p["scopes"])
    if p["statuses"] is not None:
        keep &= a["status"].isin(p["statuses"])
    if p["joint_only"]:
        keep &= a["is_joint"]
    return a[keep]


def overview_headline(t: dict, f: Filters | None, today: date) -> pd.DataFrame:
    a = select(t, f)
    ids = a["activity_id"]
    aa = t["activity_agencies"]
    today_ts = pd.Timestamp(today)
    active = (
        (a["start_date"] <= today_ts)
        & (a["end_date"].isna() | (a["end_date"] >= today_ts))
        & ~a["status"].fillna("").isin(["cancelled", "pipeline"])
    )
    row = {
        "activities": len(a),
        "agencies": aa.loc[aa["activity_id"].isin(ids), "agency"].nunique(),
        "countries": a["countries"].explode().dropna().nunique(),
        "joint": int(a["is_joint"].sum()),
        "known_budget_usd": a["budget_usd"].sum(min_count=1),
        "with_budget": int(a["budget_usd"].count()),
        "active_today": int(active.sum()),
    }
    return pd.DataFrame([row])


def map_country_values(t: dict, f: Filters | None) -> pd.DataFrame:
    sel = select(t, f)[["activity_id", "budget_usd"]]
    here = sel.merge(t["activity_countries"][["activity_id", "iso3"]], on="activity_id")
    present = here[["iso3", "activity_id"]].merge(t["activity_agencies"], on="activity_id")
    lists = present.groupby("iso3")["agency"].agg(lambda s: sorted(s.unique()))
    out = here.groupby("iso3").agg(
        activities=("activity_id", "nunique"),
        known_budget_usd=("budget_usd", lambda s: s.sum(min_count=1)),
        activities_with_budget=("budget_usd", "count"),
    )
    out["agencies_present"] = lists.map(len).reindex(out.index).fillna(0).astype("int64")
    out["agencies"] = lists.reindex(out.index)
    out = out.reset_index()
    cols = ["iso3", "activities", "agencies_present", "known_budget_usd", "activities_with_budget", "agencies"]
    return out[cols].sort_values("iso3").reset_index(drop=True)


def coverage_country(t: dict, f: Filters | None) -> pd.DataFrame:
    p = (f or Filters()).as_sql_param()
    sel = select(t, f)[["activity_id", "budget_usd"]]
    cells = sel.merge(t["activity_agencies"], on="activity_id").merge(
        t["activity_countries"][["activity_id", "iso3"]], on="activity_id"
    )
    if p["agencies"] is not None:
        cells = cells[cells["agency"].isin(p["agencies"])]
    if p["iso3"] is not None:
        cells = cells[cells["iso3"].isin(p["iso3"])]
    cells = cells.rename(columns={"iso3": "place"}).drop_duplicates(
        ["activity_id", "budget_usd", "agency", "role", "place"]
    )
    out = (
        cells.groupby(["agency", "role", "place"])
        .agg(
            activities=("activity_id", "size"),
            budget=("budget_usd", lambda s: s.sum(min_count=1)),
            with_budget=("budget_usd", "count"),
        )
        .reset_index()
    )
    return out.sort_values(["agency", "role", "place"]).reset_index(drop=True)


def indicators_area_cells(t: dict, indicator: str, dimension: str, iso3: list[str] | None) -> pd.DataFrame:
    i = t["indicators"]
    i = i[(i["indicator"] == indicator) & (i["dimension"] == dimension) & i["iso3"].isin(t["countries"]["iso3"])]
    if iso3 is not None:
        i = i[i["iso3"].isin(iso3)]
    out = (
        i.groupby(["year", "category", "sex", "age"])
        .agg(
            value=("value", lambda s: s.sum(min_count=1)),
            censored_cells=("is_censored", "sum"),
            numeric_cells=("value", "count"),
            reporting_countries=("iso3", "nunique"),
        )
        .reset_index()
    )
    return out.sort_values(["year", "category", "sex", "age"]).reset_index(drop=True)


def indicators_activities_by_year(
    t: dict, f: Filters | None, iso3: list[str] | None, year_from: int, year_to: int
) -> pd.DataFrame:
    a = select(t, f)
    a = a[a["status"].fillna("") != "cancelled"]
    if iso3 is not None:
        ac = t["activity_countries"]
        a = a[a["activity_id"].isin(ac.loc[ac["iso3"].isin(iso3), "activity_id"])]
    start = a["start_date"].dt.year.to_numpy()
    end = a["end_date"].fillna(pd.Timestamp(date.today())).dt.year.to_numpy()
    years = np.arange(year_from, year_to + 1)
    counts = [int(((start <= y) & (end >= y)).sum()) for y in years]
    return pd.DataFrame({"year": years, "activities": counts})


# ---- the pairs compared: (pandas function, the same work in DuckDB) ----------------------
def _indicator_args(con, f: Filters):
    """The indicators page's default choice: first indicator, the filters' area, its years."""
    from icat_analysis.analyses import indicators as ind
    from icat_analysis.store import db

    available = db.query(con, "indicators_available")
    if available.empty:
        return None
    indicator = ind.indicator_from_param(None, ind.indicator_names(available["indicator"]))
    area = ind.preselected_area(f)
    iso3 = area.iso3()
    return indicator, (None if iso3 is None else list(iso3))


def pairs(con, f: Filters) -> dict:
    """query name -> (pandas callable on tables, DuckDB callable), both taking no argument but tables."""
    from icat_analysis.store import db

    today = date.today()
    out = {
        "overview_headline": (
            lambda t: overview_headline(t, f, today),
            lambda: db.query(con, "overview_headline", f, today=today),
        ),
        "map_country_values": (lambda t: map_country_values(t, f), lambda: db.query(con, "map_country_values", f)),
        "coverage_country": (
            lambda t: coverage_country(t, f),
            lambda: db.query(con, "coverage_places", f, place="country"),
        ),
    }
    args = _indicator_args(con, f)
    if args is not None:
        indicator, iso3 = args
        out["indicators_world_trend"] = (
            lambda t: indicators_area_cells(t, indicator, "Total", iso3),
            lambda: db.query(con, "indicators_area_cells", indicator=indicator, dimension="Total", iso3=iso3),
        )
        out["indicators_activities_by_year"] = (
            lambda t: indicators_activities_by_year(t, f, iso3, 2003, 2024),
            lambda: db.query(con, "indicators_activities_by_year", f, iso3=iso3, year_from=2003, year_to=2024),
        )
    return out


def _as_list(v):
    return list(v) if isinstance(v, (list, tuple, np.ndarray)) else None


def same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Equal rows and values, ignoring dtypes (int64 vs Int64, list vs array)."""
    if list(a.columns) != list(b.columns) or len(a) != len(b):
        return False
    for col in a.columns:
        x, y = a[col].reset_index(drop=True), b[col].reset_index(drop=True)
        if any(isinstance(v, (list, tuple, np.ndarray)) for v in list(x) + list(y)):
            if [_as_list(v) for v in x] != [_as_list(v) for v in y]:
                return False
            continue
        xn, yn = pd.to_numeric(x, errors="coerce"), pd.to_numeric(y, errors="coerce")
        if xn.notna().any() or yn.notna().any():
            if not np.allclose(xn.astype(float), yn.astype(float), equal_nan=True, rtol=1e-9):
                return False
        elif x.astype(str).tolist() != y.astype(str).tolist():
            return False
    return True


def _timed(fn, warm_runs: int) -> tuple[float, float, object]:
    t0 = time.perf_counter()
    result = fn()
    cold = time.perf_counter() - t0
    warm = []
    for _ in range(warm_runs):
        t0 = time.perf_counter()
        fn()
        warm.append(time.perf_counter() - t0)
    return cold, statistics.median(warm), result


def compare(data_dir: Path, filter_sets: dict[str, Filters], *, warm_runs: int = 3) -> dict:
    """Time each query in pandas and in DuckDB (both with the data already loaded) and check
    that they agree."""
    import psutil

    from icat_analysis.store import db

    proc = psutil.Process()
    t0 = time.perf_counter()
    tables = load(data_dir)
    load_s = time.perf_counter() - t0
    rss = proc.memory_info().rss / 2**20
    con = db.connect(data_dir)
    queries: dict = {}
    try:
        for name, f in filter_sets.items():
            for q, (pd_fn, duck_fn) in pairs(con, f).items():
                p_cold, p_warm, p_res = _timed(functools.partial(pd_fn, tables), warm_runs)
                d_cold, d_warm, d_res = _timed(duck_fn, warm_runs)
                queries.setdefault(q, {})[name] = {
                    "duckdb_ms": round(d_warm * 1000, 1),
                    "pandas_ms": round(p_warm * 1000, 1),
                    "duckdb_cold_ms": round(d_cold * 1000, 1),
                    "pandas_cold_ms": round(p_cold * 1000, 1),
                    "ratio": round(p_warm / max(d_warm, 1e-9), 1),
                    "same_result": bool(same(p_res, d_res)),
                }
    finally:
        con.close()
    return {"load_s": round(load_s, 3), "rss_after_load_mb": round(rss, 1), "queries": queries}
