"""axe-core on every page: no serious or critical violation. axe.min.js is vendored under
tests/vendor (MPL-2.0, licence beside it) so the test needs no download."""

from __future__ import annotations

from pathlib import Path

import pytest

import dashboard
from tests.browser.conftest import open_page

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe.min.js"
#: Violations inside Streamlit's own widgets that a page cannot change: (rule id, CSS selector
#: fragment). Listed one by one, each with its reason; nothing else is excused.
STREAMLIT_INTERNALS: tuple[tuple[str, str], ...] = ()


def serious_violations(page) -> list[str]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    out = []
    for v in result["violations"]:
        if v["impact"] not in ("serious", "critical"):
            continue
        for node in v["nodes"]:
            target = " ".join(map(str, node["target"]))
            if any(v["id"] == rule and part in target for rule, part in STREAMLIT_INTERNALS):
                continue
            out.append(f"{v['id']} ({v['impact']}): {target}: {node.get('failureSummary', '')[:200]}")
    return out


@pytest.mark.parametrize("url_path", [p[3] for p in dashboard.PAGES])
def test_no_serious_accessibility_violation(url_path, default_server, page):
    open_page(page, f"{default_server}/{'' if url_path == 'overview' else url_path}")
    page.wait_for_timeout(500)
    assert serious_violations(page) == []
