"""Presentation helpers: the URL flag, the fixed stylesheet, and what every chart carries."""

import pandas as pd
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


def test_the_overview_charts_carry_the_sentence_and_grow_when_presenting():
    spec = {
        "title": {"text": "Activities started per year, by theme", "fontSize": 18},
        "height": 400,
        "config": {"axis": {"labelFontSize": 13, "titleFontSize": 14}, "text": {"fontSize": 13}},
    }
    plain = p.vega_with_sentence(spec, "458 activities involving IOM")
    assert plain["title"]["subtitle"] == ["458 activities involving IOM"]
    assert plain["height"] == 400 and plain["title"]["fontSize"] == 18 and "subtitle" not in spec["title"]
    shown = p.vega_with_sentence(spec, "word " * 60, present=True)
    assert len(shown["title"]["subtitle"]) == 3  # wrapped, one line a list item
    assert shown["title"]["fontSize"] == 25 and shown["title"]["subtitleFontSize"] == 18  # 18 and 13 px x 1.4
    assert shown["config"]["axis"] == {"labelFontSize": 18, "titleFontSize": 20}
    assert shown["config"]["legend"]["labelFontSize"] == 17 and shown["config"]["text"]["fontSize"] == 18
    assert shown["height"] == 500
    assert p.vega_with_sentence({"height": {"step": 28}}, "x", present=True)["height"] == {"step": 35}


def test_a_long_sentence_is_wrapped_and_a_missing_title_gets_one():
    fig = go.Figure()
    p.with_sentence(fig, "word " * 60)
    assert "<br>" in fig.layout.title.subtitle.text and fig.layout.title.text == " "


def test_presenting_scales_chart_text_like_the_page_text():
    from icat_analysis.ui import charts

    fig = go.Figure(go.Bar(x=["ILO", "IOM"], y=[3, 5]))
    charts.layout(fig, "Activities by agency", height=400)
    fig.add_annotation(text="<5", x="ILO", y=0, font={"size": 12})
    plain = go.Figure(fig)
    p.with_sentence(plain, "8 activities")
    p.with_sentence(fig, "8 activities", present=True)
    assert plain.layout.title.font.size == 18 and fig.layout.title.font.size == 25  # 18 px x 1.4
    assert fig.layout.font.size == 20  # axis titles and legend follow the layout's 14 px x 1.4
    assert fig.layout.legend.font.size == 20 and fig.layout.hoverlabel.font.size >= 18
    assert fig.layout.xaxis.tickfont.size == 20 and fig.layout.annotations[0].font.size == 17
    assert fig.layout.title.subtitle.font.size == 18  # 13 px x 1.4
    assert fig.layout.margin.t > plain.layout.margin.t  # room for the larger title


def test_a_map_keeps_its_height_when_presenting_so_the_world_fits_the_screen():
    from icat_analysis.ui import geo

    frame = pd.DataFrame({"iso3": ["THA", "NGA"], "value": [3, 5], "name": ["Thailand", "Nigeria"]})
    fig = geo.world_choropleth(frame, "value", label="Activities")
    height = fig.layout.height
    p.with_sentence(fig, "8 activities", present=True)
    assert fig.layout.height == height <= 560 and fig.layout.font.size >= 17
    assert fig.layout.coloraxis.colorbar.tickfont.size == 18  # 13 px x 1.4
