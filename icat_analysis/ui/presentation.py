"""Showing the dashboard in a meeting: presentation mode's fixed stylesheet, and what every
chart carries so that a picture of it stands on its own (its title and the filter sentence).

Pure helpers: no streamlit here (st_adapter draws), so they are tested without a browser.
"""

from __future__ import annotations

import re
import textwrap

import plotly.graph_objects as go

#: The URL flag that opens a view in presentation mode (``?present=1``).
PRESENT_KEY = "present"

#: Presentation mode's stylesheet. Fixed text: no data value is ever put into it.
PRESENTATION_CSS = """
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], [data-testid="stToolbarActions"],
[data-testid="stMainMenu"], [data-testid="stAppDeployButton"], [data-testid="stDecoration"], [data-testid="stStatusWidget"], #MainMenu, footer {
  display: none !important;
}
[data-testid="stHeader"] { background: #FFFFFF; }
[data-testid="stTopNav"] a, [data-testid="stTopNav"] span { font-size: 1.1rem; }
html, body, [data-testid="stApp"] { font-size: 20px; }
[data-testid="stMainBlockContainer"], .block-container {
  max-width: 100% !important; padding-left: 2.5rem !important; padding-right: 2.5rem !important;
  padding-top: 4rem !important;
}
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li,
[data-testid="stCaptionContainer"] { font-size: 1.1rem; }
/* The metric's number sits in a markdown paragraph: override the paragraph size above. */
[data-testid="stMetricValue"], [data-testid="stMetricValue"] p { font-size: 2.6rem !important; line-height: 1.2; }
"""

#: Extra height given to charts in presentation mode (a projector is seen from afar).
PRESENTATION_HEIGHT_FACTOR = 1.25

#: How much larger chart text is in presentation mode: the page's text goes from 16 px to 22 px.
PRESENTATION_FONT_FACTOR = 1.4

#: Plotly's own sizes where a figure sets none (text 12, title 17 px).
_PLOTLY_FONT, _PLOTLY_TITLE = 12, 17

#: Subtitle font: smaller than the title, dark enough to read on a projector.
SUBTITLE_FONT = {"size": 13, "color": "#333333"}


def is_presenting(value) -> bool:
    """Whether a ``present`` query value asks for presentation mode ("1", "true", "yes")."""
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    return str(value or "").strip().lower() in {"1", "true", "yes", "on"}


def file_stem(title: str, fallback: str = "icat-chart") -> str:
    """A safe file name stem from a chart title ("Activities by country" -> icat-activities-by-country)."""
    words = re.sub(r"<[^>]*>", " ", title or "")
    slug = re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-")[:60].strip("-")
    return f"icat-{slug}" if slug else fallback


def figure_title(fig: go.Figure) -> str:
    t = fig.layout.title.text
    return str(t) if t else ""


def wrap_sentence(sentence: str, width: int = 110) -> str:
    """The filter sentence broken over lines for a plotly subtitle (plotly does not wrap)."""
    return "<br>".join(textwrap.wrap(sentence, width=width, break_long_words=False)) or sentence


def with_sentence(fig: go.Figure, sentence: str, *, present: bool = False) -> go.Figure:
    """The same figure with the filter sentence as its subtitle, so an exported picture says
    what was selected; in presentation mode, a taller chart. Changes ``fig`` in place."""
    text = wrap_sentence(sentence)
    lines = text.count("<br>") + 1
    title = fig.layout.title
    fig.update_layout(title={"subtitle": {"text": text, "font": SUBTITLE_FONT}})
    if not title.text:
        # A subtitle needs a title to hang from: the sentence becomes the title.
        fig.update_layout(title={"text": " ", "x": 0, "xanchor": "left"})
    top = fig.layout.margin.t if fig.layout.margin.t is not None else 60
    fig.update_layout(margin={"t": top + 18 * lines})
    if present:
        present_fonts(fig)
        # A map keeps its height, so the whole world shows on the first screen of a projector.
        if fig.layout.height and not is_map(fig):
            fig.update_layout(height=int(fig.layout.height * PRESENTATION_HEIGHT_FACTOR))
    return fig


def vega_with_sentence(spec: dict, sentence: str, *, present: bool = False) -> dict:
    """A Vega-Lite chart (the Overview's) with the filter sentence as its subtitle, so its
    downloaded picture says what was selected, as :func:`with_sentence` does for a plotly
    figure; in presentation mode, larger text and a taller plot. Returns a new spec."""
    spec = {**spec, "title": {**spec.get("title", {}), "subtitle": wrap_sentence(sentence).split("<br>")}}
    spec["title"].setdefault("subtitleFontSize", SUBTITLE_FONT["size"])
    spec["title"].setdefault("subtitleColor", SUBTITLE_FONT["color"])
    if not present:
        return spec

    def bigger(size) -> int:
        return round(size * PRESENTATION_FONT_FACTOR)

    title = spec["title"]
    title.update(
        fontSize=bigger(title.get("fontSize", _PLOTLY_TITLE)), subtitleFontSize=bigger(title["subtitleFontSize"])
    )
    config = {**spec.get("config", {})}
    for part in ("axis", "legend"):
        sizes = config.get(part, {})
        config[part] = {
            **sizes,
            "labelFontSize": bigger(sizes.get("labelFontSize", _PLOTLY_FONT)),
            "titleFontSize": bigger(sizes.get("titleFontSize", _PLOTLY_FONT)),
        }
    if "text" in config:  # a mark's own labels (the count at a bar's end)
        config["text"] = {**config["text"], "fontSize": bigger(config["text"].get("fontSize", _PLOTLY_FONT))}
    spec["config"] = config
    height = spec.get("height")
    if isinstance(height, int):
        spec["height"] = int(height * PRESENTATION_HEIGHT_FACTOR)
    elif isinstance(height, dict) and "step" in height:
        spec["height"] = {"step": int(height["step"] * PRESENTATION_HEIGHT_FACTOR)}
    return spec


def is_map(fig: go.Figure) -> bool:
    return any(t.type in ("choropleth", "scattergeo") for t in fig.data)


def present_fonts(fig: go.Figure, factor: float = PRESENTATION_FONT_FACTOR) -> go.Figure:
    """Chart text (title, axes, legend, hover, notes) scaled like the page text in presentation
    mode, with room above the plot for the larger title. Changes ``fig`` in place."""

    def bigger(size, default=_PLOTLY_FONT) -> int:
        return round((size or default) * factor)

    lay = fig.layout
    base = lay.font.size or _PLOTLY_FONT
    fig.update_layout(
        font={"size": bigger(base)},
        title={"font": {"size": bigger(lay.title.font.size, _PLOTLY_TITLE)}},
        legend={"font": {"size": bigger(lay.legend.font.size, base)}},
        hoverlabel={"font": {"size": bigger(lay.hoverlabel.font.size, 13)}},
    )
    if lay.title.subtitle.text:
        fig.update_layout(title={"subtitle": {"font": {"size": bigger(lay.title.subtitle.font.size, base)}}})
    if lay.margin.t is not None:
        fig.update_layout(margin={"t": round(lay.margin.t * factor)})
    # Sizes set on one axis or one note do not follow the layout's font: scale them too.
    fig.for_each_xaxis(lambda a: a.update(tickfont_size=bigger(a.tickfont.size, base)))
    fig.for_each_yaxis(lambda a: a.update(tickfont_size=bigger(a.tickfont.size, base)))
    fig.for_each_annotation(lambda a: a.update(font_size=bigger(a.font.size, base)))
    if lay.coloraxis.colorbar.tickfont.size:
        fig.update_layout(coloraxis_colorbar_tickfont_size=bigger(lay.coloraxis.colorbar.tickfont.size))
    return fig


def chart_config(fig: go.Figure, given: dict | None = None, *, topojson_url: str = "app/static/") -> dict:
    """The plotly config of a chart drawn on a page: a PNG download in the toolbar (drawn in
    the browser, no network), no plotly logo or cloud link, map geometry from our own server."""
    config = {
        "displaylogo": False,
        "showSendToCloud": False,
        "topojsonURL": topojson_url,
        "toImageButtonOptions": {"format": "png", "scale": 2, "filename": file_stem(figure_title(fig))},
    }
    config.update(given or {})
    return config
