"""The package's rooms import only along the data flow (docs/ARCHITECTURE.md).

sources -> store -> analyses -> ui -> pages: a room may import the shared base and the rooms
it reads from, never a room downstream of it; only ``ui/st_adapter.py`` imports Streamlit.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "icat_analysis"

#: room -> the rooms it may import (besides itself); "base" is the package's root modules
ALLOWED = {
    "base": {"base"},
    "store": {"base"},
    "sources": {"base", "store"},
    "analyses": {"base", "store"},
    "ui": {"base", "store", "analyses"},
    "bench": {"base", "store", "sources", "analyses", "ui"},
    "pages": {"base", "analyses", "ui"},
}
ROOMS = {"store", "sources", "analyses", "ui", "bench"}
#: the modules allowed to import Streamlit: the adapter, and the pages and entry point it serves
STREAMLIT_OK = {"icat_analysis/ui/st_adapter.py"}


def room_of_file(path: Path) -> str:
    rel = path.relative_to(REPO)
    if rel.parts[0] in ("pages",) or rel.name == "dashboard.py":
        return "pages"
    if len(rel.parts) > 2 and rel.parts[1] in ROOMS:
        return rel.parts[1]
    return "base"


def room_of_module(dotted: str) -> str | None:
    parts = dotted.split(".")
    if parts[0] != "icat_analysis":
        return None
    if len(parts) > 1 and parts[1] in ROOMS:
        return parts[1]
    return "base"


def imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative imports would hide the room; the package uses absolute ones
                found.append((node.lineno, "." * node.level + (node.module or "")))
            elif node.module.split(".")[0] == "icat_analysis" if node.module else False:
                found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
            elif node.module:
                found.append((node.lineno, node.module))
    return found


def source_files() -> list[Path]:
    files = sorted(PACKAGE.rglob("*.py")) + sorted((REPO / "pages").glob("*.py")) + [REPO / "dashboard.py"]
    return [f for f in files if "__pycache__" not in f.parts]


def violations() -> list[str]:
    out = []
    for f in source_files():
        room = room_of_file(f)
        rel = str(f.relative_to(REPO))
        for line, mod in imports(f):
            if mod.startswith("."):
                out.append(f"{rel}:{line}: relative import {mod!r}; write icat_analysis.ROOM.module")
                continue
            if mod.split(".")[0] == "streamlit" and room != "pages" and rel not in STREAMLIT_OK:
                out.append(f"{rel}:{line}: imports streamlit; only ui/st_adapter.py may")
            target = room_of_module(mod)
            if target and target != room and target not in ALLOWED[room]:
                out.append(f"{rel}:{line}: {room} imports {mod} ({target}), against the flow")
    return out


#: imports still against the flow (emptied: the Duplication page now reads the store through ui/)
PENDING: set[str] = set()


def test_every_module_imports_along_the_flow():
    assert [v for v in violations() if v.split(":")[0] not in PENDING] == []


def test_the_rule_catches_an_import_against_the_flow(tmp_path, monkeypatch):
    """The check itself works: a store module importing the UI, or Streamlit outside the adapter, fails."""
    fake = tmp_path / "repo"
    (fake / "icat_analysis" / "store").mkdir(parents=True)
    (fake / "pages").mkdir()
    (fake / "dashboard.py").write_text("")
    (fake / "icat_analysis" / "store" / "bad.py").write_text(
        "from icat_analysis.ui import charts\nimport streamlit as st\nfrom . import db\n"
    )
    monkeypatch.setitem(globals(), "REPO", fake)
    monkeypatch.setitem(globals(), "PACKAGE", fake / "icat_analysis")
    found = violations()
    assert any("store imports icat_analysis.ui.charts (ui), against the flow" in v for v in found)
    assert any("imports streamlit; only ui/st_adapter.py may" in v for v in found)
    assert any("relative import" in v for v in found)


@pytest.mark.parametrize("room", sorted(ROOMS))
def test_each_room_says_what_it_holds(room):
    doc = (PACKAGE / room / "__init__.py").read_text(encoding="utf-8")
    assert doc.strip().startswith('"""'), f"icat_analysis/{room}/__init__.py has no docstring"


def test_analyses_return_tables_not_figures():
    """Figures are drawn in ui/: no analysis, store or source module imports plotly."""
    found = [
        f"{f.relative_to(REPO)}:{line}: imports {mod}"
        for f in source_files()
        if room_of_file(f) in ("analyses", "store", "sources")
        for line, mod in imports(f)
        if mod.split(".")[0] == "plotly"
    ]
    assert found == []


#: pages allowed over the limit (none: every page lays out only)
LONG_PAGES_PENDING: set[str] = set()
PAGE_LIMIT = 150


def _page_files() -> list[Path]:
    return sorted((REPO / "pages").glob("*.py")) + [REPO / "dashboard.py"]


def test_no_page_is_over_150_lines():
    long = {p.name: n for p in _page_files() if (n := len(p.read_text(encoding="utf-8").splitlines())) > PAGE_LIMIT}
    assert set(long) <= LONG_PAGES_PENDING, f"pages over {PAGE_LIMIT} lines: {long}"


def test_a_page_over_100_lines_says_why():
    for p in _page_files():
        text = p.read_text(encoding="utf-8")
        if len(text.splitlines()) > 100 and p.name not in LONG_PAGES_PENDING:
            doc = ast.get_docstring(ast.parse(text)) or ""
            assert "Over 100 lines" in doc, f"{p.name} is over 100 lines and its docstring does not say why"
