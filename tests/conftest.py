"""Fixtures shared by the tests: small hand-made exports, the default export, an empty one,
and clean Streamlit caches for AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.factories import activity, make_export

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO / "data" / "demo"


def four_activities() -> list[dict]:
    """Four activities a person can count by hand: 3 lead agencies among 4 involved, 1 joint,
    US$ 450,000 of known budget, 4 countries."""
    return [
        activity("A1", lead="ILO", countries=["THA"], start="2015-01-01", end="2016-12-31", budget=250_000),
        activity(
            "A2",
            lead="IOM",
            partners=["ILO"],
            countries=["VNM", "KHM"],
            themes=["prevention", "protection"],
            start="2018-03-01",
            end=None,
            budget=None,
        ),
        activity("A3", lead="UNODC", countries=["THA", "NGA"], start="2019-06-01", end=None, budget=100_000),
        activity("A4", lead="ILO", countries=[], start="2010-01-01", end="2011-01-01", budget=100_000),
    ]


@pytest.fixture
def small_export(tmp_path) -> Path:
    return make_export(tmp_path / "small", four_activities())


@pytest.fixture
def empty_export(tmp_path) -> Path:
    """A data directory with no files at all: every page must still answer."""
    d = tmp_path / "empty"
    d.mkdir()
    return d


@pytest.fixture(scope="session")
def default_export() -> Path:
    """The synthetic demonstration shipped in data/demo/ (what `streamlit run dashboard.py` shows)."""
    assert (DEFAULT_DATA / "activities.parquet").exists(), "data/demo/ holds no export"
    return DEFAULT_DATA


@pytest.fixture
def clean_streamlit():
    """Streamlit caches are process-wide: clear them so one test's export never leaks into another."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()
