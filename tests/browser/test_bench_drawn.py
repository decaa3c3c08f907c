"""What the benchmark calls a page drawn: on a first visit Streamlit shows a grey placeholder
for every element whose code it is still fetching; a chart in that state is not a chart element
yet, so counting charts alone called such a page drawn before anything was on screen."""

import pytest

from icat_analysis.bench.browser import FIGURES_DRAWN

pytestmark = pytest.mark.browser

CHART = "<div data-testid='stPlotlyChart'>{}</div>"
SVG = "<svg class='main-svg'></svg>"
VEGA = "<div data-testid='stVegaLiteChart'>{}</div>"
SKELETON = "<div data-testid='stSkeleton' style='height:10px'></div>"


@pytest.mark.parametrize(
    ("body", "drawn"),
    [
        (CHART.format(SVG), True),
        (CHART.format(""), False),  # a chart element whose SVG is not drawn yet
        (SKELETON, False),  # an element (a chart, a slider) still waiting for its code
        (CHART.format(SVG) + SKELETON, False),
        (f"<div style='display:none'>{SKELETON}</div>" + CHART.format(SVG), True),  # not shown
        (f"<div data-stale='true'>{SKELETON}{CHART.format('')}</div>", True),  # the page being left
        ("<h1>Overview</h1>", True),  # a page with no chart
        (VEGA.format("<svg class='marks'></svg>"), True),  # the Overview's Vega-Lite charts
        (VEGA.format("<svg class='marks'></svg>") + VEGA.format(""), False),
        (CHART.format(SVG) + VEGA.format(""), False),
    ],
)
def test_a_page_is_drawn_only_when_no_element_waits_for_its_code(page, body, drawn):
    page.set_content(f"<html><body>{body}</body></html>")
    assert page.evaluate(FIGURES_DRAWN) is drawn
