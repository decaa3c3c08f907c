"""The briefing pack: every section, the filter sentence, the synthetic notice, and nothing
that would load from the network when the file is opened."""

from __future__ import annotations

import functools
import re
from datetime import date

import pytest

from icat_analysis.filters import Filters
from icat_analysis.paths import DEFAULT_DATA_DIR
from icat_analysis.store import db, export
from icat_analysis.ui import briefing

TODAY = date(2026, 11, 29)


@pytest.fixture(scope="module")
def con():
    return db.connect(DEFAULT_DATA_DIR)


def make(con, f: Filters, manifest: dict | None = None) -> str:
    manifest = export.read_manifest(DEFAULT_DATA_DIR) if manifest is None else manifest
    return briefing.briefing_html(functools.partial(db.query, con), con, f, manifest, TODAY)


@pytest.fixture(scope="module")
def iom(con):
    return make(con, Filters(agencies=("IOM",)))


def test_every_section_is_there(iom):
    for key in ("headline", "map", "coverage", "hotspots", "trend", "sources"):
        assert f'<section id="{key}"' in iom
    assert 'id="chart-map"' in iom and 'id="chart-coverage"' in iom and 'id="chart-trend"' in iom
    assert "Detected victims of trafficking, world" in iom
    assert "UNODC, UNODC Research - Data Portal - Trafficking in Persons" in iom
    assert "29 November 2026" in iom or "2026-11-29" in iom


def test_the_filter_sentence_heads_the_file_and_every_chart(con, iom):
    f = Filters(agencies=("IOM",))
    b = briefing.build(functools.partial(db.query, con), con, f, export.read_manifest(DEFAULT_DATA_DIR), TODAY)
    assert b.sentence == "458 activities involving IOM"
    assert f'id="filter-sentence">{b.sentence}</p>' in iom
    for s in b.sections:
        if s.figure is not None:
            assert b.sentence in s.figure.layout.title.subtitle.text


def test_nothing_is_loaded_from_the_network(iom):
    assert not re.search(r"<script[^>]+src=", iom)
    assert not re.search(r"<link[^>]+href=", iom)
    assert not re.search(r'topojsonURL"\s*:\s*"https?:', iom)
    # The map geometry is in the file, before plotly.js (which only fills it when missing).
    assert iom.index("window.PlotlyGeoAssets = {topojson: {world_50m:") < iom.index("plotly.js v")
    assert '"showSendToCloud": false' in iom and '"displaylogo": false' in iom


def test_the_synthetic_notice_follows_the_manifest(con, iom):
    assert 'id="synthetic-notice"' in iom
    real = make(con, Filters(agencies=("IOM",)), manifest={"synthetic": False})
    assert 'id="synthetic-notice"' not in real


def test_an_empty_selection_still_makes_a_briefing(con):
    html = make(con, Filters(year_from=1990, year_to=1990))
    assert "0 activities" in html and "No activity matches these filters." in html
    assert 'id="chart-trend"' in html


def test_hotspot_table_lists_the_countries_with_most_pairs(con):
    b = briefing.build(functools.partial(db.query, con), con, Filters(), export.read_manifest(DEFAULT_DATA_DIR), TODAY)
    table = b.section("hotspots").table
    assert 0 < len(table) <= briefing.HOTSPOT_ROWS
    assert list(table["Likely duplicate pairs"]) == sorted(table["Likely duplicate pairs"], reverse=True)


def test_hotspots_of_a_selection_too_large_to_search_say_what_to_narrow(con, monkeypatch):
    # As on the Duplication page: a selection with more pairs sharing a country than a search
    # takes while one waits is not searched (the demonstration export stores no index).
    from icat_analysis.analyses import duplication

    monkeypatch.setattr(duplication, "MAX_SEARCH_PAIRS", 3_000)
    monkeypatch.setattr(duplication, "scored_pairs", lambda *a, **k: pytest.fail("searched"))
    b = briefing.build(
        functools.partial(db.query, con),
        con,
        Filters(countries=("THA",)),
        export.read_manifest(DEFAULT_DATA_DIR),
        TODAY,
    )
    section = b.section("hotspots")
    assert section.table is None
    assert "Too many pairs to compare here: 54 activities are selected, and comparing them means 3,019 pairs" in (
        section.notes[0]
    )
    assert "no stored hot-spot index" in section.notes[0] and "to 3,000 or fewer" in section.notes[0]


def test_print_styles_break_pages_and_hide_the_toolbar(iom):
    assert "@media print" in iom and "page-break-before: always" in iom and ".modebar" in iom


@pytest.mark.browser
@pytest.mark.skipif(not briefing.static_images_available()[0], reason="needs kaleido and /usr/bin/chromium")
def test_powerpoint_has_a_slide_per_chart_with_offline_map(con):
    """Static pictures come from kaleido's Chromium with the map geometry of static/."""
    import io

    from pptx import Presentation

    b = briefing.build(
        functools.partial(db.query, con),
        con,
        Filters(agencies=("IOM",)),
        export.read_manifest(DEFAULT_DATA_DIR),
        date(2026, 11, 29),
    )
    deck = Presentation(io.BytesIO(briefing.to_pptx(b)))
    titles = [s.shapes.title.text for s in deck.slides]
    charts = [s for s in b.sections if s.figure is not None]
    pictures = [sh for s in deck.slides for sh in s.shapes if sh.shape_type == 13]  # PICTURE
    assert len(pictures) == len(charts) >= 3
    assert titles[0] == "ICAT coordination briefing" and titles[-1] == "Sources"
    # The map picture is a real drawing, not a blank frame (countries coloured: many distinct colours).
    from PIL import Image

    img = Image.open(io.BytesIO(pictures[0].image.blob)).convert("RGB").resize((200, 112))
    assert len(img.getcolors(maxcolors=1_000_000)) > 20


def test_the_map_title_has_room_above_the_map(con):
    """The map draws from the top edge on a page; in the briefing its title sits in a margin of its own."""
    b = briefing.build(functools.partial(db.query, con), con, Filters(), export.read_manifest(DEFAULT_DATA_DIR), TODAY)
    fig = b.section("map").figure
    assert fig.layout.title.text == "Activities by country"
    # its own room plus the filter sentence's line below the title
    assert fig.layout.margin.t >= briefing.MAP_TITLE_ROOM + 18 and fig.layout.title.yanchor == "top"
    assert fig.layout.height == 540 + briefing.MAP_TITLE_ROOM  # the map itself keeps its size


def test_the_coverage_matrix_and_its_caption_print_on_one_page(iom):
    from lxml import html as lxml_html

    block = lxml_html.fromstring(iom).xpath("//section[@id='coverage']/div[@class='keep-together']")
    assert len(block) == 1
    assert block[0].xpath("./div[@class='chart']") and block[0].xpath("./p[@class='note']")
    assert "Orange cells" in block[0].xpath("./p[@class='note']")[0].text
    assert re.search(r"\.keep-together \{ break-inside: avoid;", iom.split("@media print", 1)[1])


def test_slides_say_when_kaleido_is_not_installed(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "kaleido" else real(name, *a))
    assert briefing.static_images_available() == (False, "kaleido is not installed (pip install kaleido).")
