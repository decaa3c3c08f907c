"""The briefing pack: the current view (its filters) as one self-contained HTML file to take
into a meeting with no internet, and print to PDF; and, where a Chromium is installed for
static images, the same charts as PowerPoint slides.

The sections reuse the pages' own figure builders (overview, geo, coverage, duplication,
indicators) through a ``run`` callable (``st_adapter.run`` on a page,
``functools.partial(db.query, con)`` in tests), so a briefing says what the pages say.

Self-contained means: plotly.js is written into the file, the map geometry too
(``window.PlotlyGeoAssets`` is filled before plotly.js loads; plotly.js then never fetches
``world_50m.json``), and nothing else is referenced.
"""

from __future__ import annotations

import html
import importlib.util
import io
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from icat_analysis.analyses import changes, coverage, duplication, overview
from icat_analysis.analyses import indicators as ind
from icat_analysis.filters import Filters
from icat_analysis.paths import STATIC_DIR
from icat_analysis.ui import coverage_charts, geo, indicator_charts
from icat_analysis.ui.presentation import file_stem, with_sentence

Run = Callable[..., pd.DataFrame]

STATIC = STATIC_DIR
#: plotly.js looks up the map geometry under this name (scope "world", resolution 50)
TOPOJSON_NAME = "world_50m"
TREND_INDICATOR = "Detected trafficking victims"
COVERAGE_ROWS = 25
#: pixels above the briefing's map for its title
MAP_TITLE_ROOM = 56
HOTSPOT_ROWS = 10
SYNTHETIC_NOTICE = (
    "Demonstration data. The activities shown are synthetic, generated to look like ICAT agencies' work; "
    "they are not real projects. The UNODC indicators are real."
)
#: Standalone figures: no plotly logo, no link to plotly's cloud; the PNG button draws in the browser.
HTML_CONFIG = {"displaylogo": False, "showSendToCloud": False, "responsive": True}


@dataclass
class Section:
    key: str
    title: str
    figure: go.Figure | None = None
    table: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Briefing:
    sentence: str
    made_on: date
    synthetic: bool
    citations: list[str]
    sections: list[Section]

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


# ---- content ---------------------------------------------------------------------------
def _headline(run: Run, f: Filters, today: date) -> tuple[overview.Headline, Section]:
    head = overview.headline_figures(run, f, today)
    table = pd.DataFrame(
        {
            "Figure": ["Activities", "Agencies involved", "Countries", "Joint", "Known budget, US$", "Active today"],
            "Value": [
                f"{head.activities:,}",
                f"{head.agencies:,}",
                f"{head.countries:,}",
                f"{head.joint:,} ({overview.percent(head.share_joint)})",
                overview.money(head.known_budget_usd),
                f"{head.active_today:,}",
            ],
        }
    )
    notes = [
        f"Known budget: the sum of the budgets given; {head.activities - head.with_budget:,} activities state none.",
        f"Active today: started and not yet ended on {overview.day(today)}.",
    ]
    return head, Section("headline", "Headline figures", table=table, notes=notes)


def _map(run: Run, f: Filters) -> Section:
    metric = geo.METRICS["activities"]
    frame = geo.map_frame(run(metric.query, f), metric, f.place_iso3(), run("map_country_values", f))
    fig = geo.world_choropleth(frame, "value", label=metric.label, colorscale=metric.colorscale)
    # The map draws with no top margin (on a page the title is above it); here the title needs room of its own.
    fig.update_layout(
        title={"text": "Activities by country", "x": 0, "xanchor": "left", "y": 0.98, "yanchor": "top"},
        margin={"t": MAP_TITLE_ROOM},
        height=fig.layout.height + MAP_TITLE_ROOM,
    )
    notes = [
        "A regional activity counts in each of its countries; global activities without a country list are not on "
        "the map.",
        geo.UN_MAP_DISCLAIMER,
    ]
    return Section("map", "Where the activities are", figure=fig, notes=notes)


def _coverage(run: Run, f: Filters) -> Section:
    d = coverage.dimension("country")
    cells = run(d.query, f, **d.params)
    m = coverage.coverage_matrix(
        cells, dim="country", role=f.role, top_n=COVERAGE_ROWS, detections=run("coverage_detections", None)
    )
    if m.empty:
        return Section("coverage", "Who works where", notes=["No agency works on a named country in this selection."])
    shown = f"{len(m.values):,} of {m.places_total:,}" if len(m.values) < m.places_total else f"all {m.places_total:,}"
    title = f"Activities by agency and country ({coverage.ROLE_LABELS[f.role].lower()}; {shown} countries)"
    notes = [
        f"The {min(COVERAGE_ROWS, m.places_total)} countries with the most activities. A regional activity counts "
        "once in each of its countries. Orange cells: the agency has no activity there although UNODC reports "
        "detected victims (detected victims measure what authorities detected, not how many victims there are)."
    ]
    return Section("coverage", "Who works where", figure=coverage_charts.coverage_heatmap(m, title), notes=notes)


def _hotspots(run, con, f: Filters, threshold: float) -> Section:
    title = "Duplication hot-spots"
    refusal = duplication.search_refusal(run, con, f, threshold)
    if refusal is not None:  # the same selection the Duplication page would not search while it opens
        return Section("hotspots", title, notes=[refusal.replace("**", "").replace("`", "")])
    by_country = duplication.hotspots_by_country(duplication.scored_pairs(con, f, threshold=threshold))
    if by_country.empty:
        return Section("hotspots", title, notes=[f"No pair of activities scores {threshold:.2f} or more."])
    table = (
        by_country.head(HOTSPOT_ROWS)
        .drop(columns=["iso3"])
        .rename(
            columns={
                "country": "Country",
                "pairs": "Likely duplicate pairs",
                "activities": "Activities involved",
                "agencies": "Agencies",
                "n_agencies": "Number of agencies",
                "budget_usd": "Budget involved (US$)",
                "top_score": "Highest score",
            }
        )
    )
    table["Budget involved (US$)"] = table["Budget involved (US$)"].map(lambda v: f"{v:,.0f}")
    table["Highest score"] = table["Highest score"].map(lambda v: f"{v:.2f}")
    notes = [
        f"The {len(table)} countries with the most pairs of activities by different agencies scoring {threshold:.2f} "
        f"or more ({len(by_country):,} countries have some). A pair is a candidate to review, not a finding. "
        "A pair sharing several countries counts in each."
    ]
    return Section("hotspots", title, table=table, notes=notes)


def _trend(run: Run, f: Filters, synthetic: bool) -> Section:
    title = "Detected victims of trafficking, world"
    area = ind.Area("world")
    series = ind.area_series(run, TREND_INDICATOR, area, "total")
    if series.empty:
        return Section("trend", title, notes=["No UNODC indicators are loaded in this export."])
    years = (int(series["year"].min()), int(series["year"].max()))
    activities = ind.activities_by_year(run, f, area, years)
    fig = indicator_charts.trend_figure(series, title=title, aggregate=True, activities=activities, synthetic=synthetic)
    return Section("trend", title, figure=fig, notes=[ind.chart_notes(series, area), ind.PREVALENCE_CAVEAT])


def since_last_meeting(c: changes.Comparison | None, meeting: date | None) -> Section:
    """What changed since the last meeting, per lead agency (the Changes page in one table)."""
    title = "Since the last meeting" + (f" ({overview.day(meeting)})" if meeting else "")
    if c is None:
        return Section("since", title, notes=["The export's history does not reach back to the last meeting."])
    per = c.changes.drop_duplicates("activity_id")
    table = (
        pd.crosstab(per["agency"], per["change"]).reindex(columns=list(changes.KINDS), fill_value=0)
        if len(per)
        else pd.DataFrame(columns=list(changes.KINDS))
    )
    table = table.rename(columns=str.capitalize).rename_axis(None, axis=1).reset_index(names="Lead agency")
    totals = ", ".join(f"{n:,} {k}" for k, n in c.counts().items())
    notes = [
        f"From the version of {overview.day(c.since.made_at.date())} to the version of "
        f"{overview.day(c.until.made_at.date())}: {totals} activities.",
        f"{len(c.reviewed):,} candidate duplicate pairs were reviewed in between.",
    ]
    return Section("since", title, table=table if len(table) else None, notes=notes)


def citations(manifest: dict) -> list[str]:
    """The export's sources as cited in the manifest, the UNODC GLOTIP release among them."""
    out = []
    for source in manifest.get("sources") or []:
        if isinstance(source, dict) and source.get("citation"):
            out.append(str(source["citation"]))
    glotip = ind.citation(manifest)
    if glotip not in out:
        out.append(glotip)
    return out


def build(
    run: Run,
    con,
    f: Filters,
    manifest: dict,
    today: date,
    *,
    threshold: float = duplication.DEFAULT_THRESHOLD,
    since: Section | None = None,
) -> Briefing:
    """The briefing of the view ``f``: headline, map, coverage matrix, duplication hot-spots,
    the world trend of detected victims, with the filter sentence on every chart; and, when
    given, what changed since the last meeting (:func:`since_last_meeting`), second."""
    head, first = _headline(run, f, today)
    sentence = f.describe(head.activities)
    sections = [first] + ([since] if since is not None else [])
    if head.activities:
        sections += [_map(run, f), _coverage(run, f), _hotspots(run, con, f, threshold)]
    else:
        note = ["No activity matches these filters."]
        sections += [
            Section("map", "Where the activities are", notes=note),
            Section("coverage", "Who works where", notes=note),
            Section("hotspots", "Duplication hot-spots", notes=note),
        ]
    sections.append(_trend(run, f, bool(manifest.get("synthetic"))))
    for s in sections:
        if s.figure is not None:
            with_sentence(s.figure, sentence)
    return Briefing(
        sentence=sentence,
        made_on=today,
        synthetic=bool(manifest.get("synthetic")),
        citations=citations(manifest),
        sections=sections,
    )


# ---- HTML ------------------------------------------------------------------------------
CSS = """
body { font-family: "Source Sans Pro", "Segoe UI", Helvetica, Arial, sans-serif; color: #1A1A1A;
  margin: 0 auto; max-width: 1100px; padding: 24px; line-height: 1.4; }
h1 { font-size: 28px; margin: 0 0 4px; } h2 { font-size: 22px; margin: 0 0 8px; }
.sentence { font-size: 18px; margin: 8px 0; }
.meta, .note { color: #333333; font-size: 14px; }
.notice { border: 2px solid #0072B2; background: #EAF3FA; padding: 10px 14px; margin: 12px 0; }
section { margin: 28px 0; }
table { border-collapse: collapse; font-size: 15px; }
th, td { border-bottom: 1px solid #BBBBBB; padding: 4px 10px; text-align: left; }
th { background: #F2F5F8; }
.chart { width: 100%; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { max-width: none; padding: 0; }
  .modebar-container, .modebar { display: none !important; }
  section { break-before: page; page-break-before: always; break-inside: avoid; page-break-inside: avoid; }
  section.first { break-before: auto; page-break-before: auto; }
  .keep-together { break-inside: avoid; page-break-inside: avoid; }
  /* The 25-row matrix is taller than an A4 landscape page: smaller, it fits with its caption. */
  #coverage .chart { zoom: 0.75; }
}
"""


def _script_json(value) -> str:
    # JSON inside <script>: "</" would end the element early.
    return json.dumps(value, separators=(",", ":")).replace("</", "<\\/")


def _geo_assets() -> str:
    topo = json.loads((STATIC / f"{TOPOJSON_NAME}.json").read_text(encoding="utf-8"))
    return f"window.PlotlyGeoAssets = {{topojson: {{{TOPOJSON_NAME}: {_script_json(topo)}}}}};"


def _figure_div(fig: go.Figure, div_id: str) -> str:
    config = {**HTML_CONFIG, "toImageButtonOptions": {"format": "png", "scale": 2, "filename": file_stem(div_id)}}
    return pio.to_html(fig, full_html=False, include_plotlyjs=False, config=config, div_id=div_id)


def _table_html(df: pd.DataFrame) -> str:
    return df.to_html(index=False, escape=True, border=0, classes="data")


def to_html(b: Briefing) -> str:
    """The briefing as one HTML file that opens, draws and prints with no network."""
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>ICAT briefing, {e(overview.day(b.made_on))}</title>",
        f"<style>{CSS}</style>",
        # The map geometry first: plotly.js only fills PlotlyGeoAssets when it is not there yet.
        f"<script>{_geo_assets()}</script>",
        "<script>" + get_plotlyjs().replace("</script", "<\\/script") + "</script>",
        "</head><body><main>",
        "<header><h1>ICAT coordination briefing</h1>",
        f'<p class="sentence" id="filter-sentence">{e(b.sentence)}</p>',
        f'<p class="meta">Made on {e(overview.day(b.made_on))} from the ICAT coordination dashboard.</p>',
    ]
    if b.synthetic:
        parts.append(f'<p class="notice" id="synthetic-notice" role="note">{e(SYNTHETIC_NOTICE)}</p>')
    parts.append("</header>")
    for i, s in enumerate(b.sections):
        parts.append(f'<section id="{e(s.key)}" class="{"first" if i == 0 else ""}"><h2>{e(s.title)}</h2>')
        # A chart and its caption print on one page: the caption says how to read the chart.
        parts.append('<div class="keep-together">')
        if s.figure is not None:
            parts.append(f'<div class="chart">{_figure_div(s.figure, "chart-" + s.key)}</div>')
        if s.table is not None:
            parts.append(_table_html(s.table))
        parts += [f'<p class="note">{e(n)}</p>' for n in s.notes]
        parts.append("</div></section>")
    parts.append('<section id="sources"><h2>Sources</h2><ul>')
    parts += [f"<li>{e(c)}</li>" for c in b.citations]
    parts.append("</ul></section></main></body></html>")
    return "\n".join(parts)


def briefing_html(run: Run, con, f: Filters, manifest: dict, today: date, **kwargs) -> str:
    return to_html(build(run, con, f, manifest, today, **kwargs))


def file_name(today: date, ext: str) -> str:
    return f"icat-briefing-{today.isoformat()}.{ext}"


# ---- PowerPoint ------------------------------------------------------------------------
class StaticImagesUnavailable(RuntimeError):
    """Static chart images need kaleido and a Chromium; the message says what is missing."""


def _static_image(fig: go.Figure) -> bytes:
    # The map geometry from our own folder, so making the picture needs no network.
    pio.defaults.topojson = STATIC.as_uri() + "/"
    try:
        # Room above the plot for the title and the filter sentence, which a slide would clip.
        fig = go.Figure(fig).update_layout(margin=dict(t=110, l=40, r=40, b=40))
        return fig.to_image(format="png", width=1600, height=900, scale=1)
    except Exception as exc:  # kaleido reports a missing Chromium in several ways
        raise StaticImagesUnavailable(
            "PowerPoint slides need static chart images, made by kaleido with a Chromium browser "
            f"(apt-get install -y chromium). It failed here: {exc}. The HTML briefing needs neither."
        ) from exc


_PPTX_LOCK = threading.Lock()


def to_pptx(b: Briefing) -> bytes:
    """One slide per chart (title, filter sentence, picture); a title slide with the date and
    the synthetic-data notice; a last slide with the sources.

    One Chromium serves every picture (kaleido's sync server): starting one per chart took
    about 20 s for the deck on a loaded two-core machine, one for all about 11 s."""
    import warnings

    import kaleido

    # The server is one per process: two decks asked for at once are made one after the other,
    # so one does not stop the server under the other.
    with _PPTX_LOCK:
        kaleido.start_sync_server(silence_warnings=True)
        try:
            with warnings.catch_warnings():
                # plotly passes its image options again on every call; the server already has them
                warnings.filterwarnings("ignore", message="The kopts argument is ignored")
                return _pptx(b)
        finally:
            kaleido.stop_sync_server(silence_warnings=True)


def _pptx(b: Briefing) -> bytes:
    from pptx import Presentation
    from pptx.util import Inches, Pt

    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)

    def text_slide(title: str, lines: list[str]):
        slide = deck.slides.add_slide(deck.slide_layouts[5])
        slide.shapes.title.text = title
        box = slide.shapes.add_textbox(Inches(0.6), Inches(1.6), Inches(12.1), Inches(5.4)).text_frame
        box.word_wrap = True
        for i, line in enumerate(lines):
            p = box.paragraphs[0] if i == 0 else box.add_paragraph()
            p.text = line
            p.font.size = Pt(18)
        return slide

    head = b.section("headline")
    text_slide(
        "ICAT coordination briefing",
        [b.sentence, f"Made on {overview.day(b.made_on)}"]
        + ([SYNTHETIC_NOTICE] if b.synthetic else [])
        + [f"{r.Figure}: {r.Value}" for r in head.table.itertuples()],
    )
    for s in b.sections:
        if s.figure is not None:
            slide = deck.slides.add_slide(deck.slide_layouts[5])
            slide.shapes.title.text = s.title
            png = _static_image(s.figure)
            slide.shapes.add_picture(io.BytesIO(png), Inches(0.9), Inches(1.3), height=Inches(6.0))
            notes = slide.notes_slide.notes_text_frame
            notes.text = " ".join([b.sentence, *s.notes])
        elif s.table is not None and s.key != "headline":
            cols = list(s.table.columns)
            text_slide(
                s.title, [", ".join(f"{c}: {v}" for c, v in zip(cols, row)) for row in s.table.itertuples(False)]
            )
    text_slide("Sources", b.citations)
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def static_images_available() -> tuple[bool, str]:
    """Whether PowerPoint slides can be made here, and if not why."""
    # Looked up, not imported: every Overview asks this for its briefing button, and importing
    # kaleido took 0.2-0.3 s of the first visit; it is imported when slides are made.
    if importlib.util.find_spec("kaleido") is None:
        return False, "kaleido is not installed (pip install kaleido)."
    if not any(Path(p).exists() for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")):
        return False, "no Chromium browser is installed (apt-get install -y chromium)."
    return True, ""
