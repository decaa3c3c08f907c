"""Presentation helpers: the URL flag, the fixed stylesheet, and what every chart carries."""

import plotly.graph_objects as go

from icat_analysis.ui import presentation as p


def test_the_flag_reads_like_a_person_writes_it():
    assert p.is_presenting("1") and p.is_presenting(["true"]) and p.is_presenting("yes")
    assert not p.is_presenting(None) and not p.is_presenting("0") and not p.is_presenting([])


def test_the_stylesheet_hides_the_sidebar_and_enlarges_text():
    assert '[data-testid="stSidebar"]' in p.PRESENTATION_CSS and "font-size: 20px" in p.PRESENTATION_CSS
    assert "{" not in p.PRESENTATION_CSS.replace("{ ", "").split("}")[-1]


def test_a_chart_carries_the_filter_sentence_and_a_png_download():
    fig = go.Figure(layout={"title": {"text": "Activities by country"}, "height": 400})
    p.with_sentence(fig, "458 activities involving IOM", present=True)
    assert fig.layout.title.subtitle.text == "458 activities involving IOM"
    assert fig.layout.height == 500
    config = p.chart_config(fig, {"scrollZoom": False})
    assert config["toImageButtonOptions"] == {"format": "png", "scale": 2, "filename": "icat-activities-by-country"}
    assert config["displaylogo"] is False and config["showSendToCloud"] is False
    assert config["topojsonURL"] == "app/static/" and config["scrollZoom"] is False


def test_a_long_sentence_is_wrapped_and_a_missing_title_gets_one():
    fig = go.Figure()
    p.with_sentence(fig, "word " * 60)
    assert "<br>" in fig.layout.title.subtitle.text and fig.layout.title.text == " "
