"""ICAT coordination dashboard: who does what, where and when against trafficking in persons.

Run with ``streamlit run dashboard.py``. This entry point sets the page up, draws the filter
sidebar every page shares, and hands over to the chosen page.
"""

import contextlib
import sys
import threading
from pathlib import Path

import streamlit as st

HERE = Path(__file__).resolve().parent

#: (file, title, icon, url path): the pages, in the order of the navigation
PAGES = (
    ("pages/overview.py", "Overview", ":material/dashboard:", "overview"),
    ("pages/map.py", "Map", ":material/public:", "map"),
    ("pages/coverage.py", "Coverage", ":material/grid_on:", "coverage"),
    ("pages/duplication.py", "Duplication", ":material/content_copy:", "duplication"),
    ("pages/indicators.py", "Indicators", ":material/trending_up:", "indicators"),
    ("pages/agencies.py", "Agencies", ":material/apartment:", "agencies"),
    ("pages/library.py", "Library", ":material/menu_book:", "library"),
    ("pages/events.py", "Events", ":material/event:", "events"),
    ("pages/data.py", "Data", ":material/table:", "data"),
    ("pages/changes.py", "Changes", ":material/history:", "changes"),
)


@contextlib.asynccontextmanager
async def _warm_up_at_start(_app):
    # In a thread of its own, so the server answers at once; a visit meanwhile waits only for
    # what is not ready yet (the same imports and caches).
    threading.Thread(target=_warm_up, name="warm-up", daemon=True).start()
    yield


def _warm_up() -> None:
    from icat_analysis.ui import st_adapter

    try:
        st_adapter.warm_up()
    except Exception as exc:  # noqa: BLE001 - a damaged export is named on every page when visited
        print(f"dashboard: not warmed up at start ({type(exc).__name__}: {exc})", file=sys.stderr)


if __name__ != "__main__":
    # `streamlit run dashboard.py` finds this app, imports this file as a module (the script
    # itself runs as __main__ on every visit) and serves it: the pages' imports, the default
    # export and plotly are ready when the first person arrives.
    app = st.App("dashboard.py", lifespan=_warm_up_at_start)
else:
    from icat_analysis.ui import st_adapter

    # The first visitor on a fresh server waits for the start-up work instead of repeating it.
    st_adapter.wait_for_warm_up()
    st.set_page_config(
        page_title="ICAT coordination dashboard",
        # A local file: a material icon as page_icon is fetched from a font CDN as the favicon.
        page_icon=str(HERE / "static" / "icon.png"),
        layout="wide",
        initial_sidebar_state="collapsed" if st_adapter.presenting() else "expanded",
        menu_items={
            "About": "ICAT coordination dashboard: who does what, where and when against trafficking in persons."
        },
    )
    # With a members' login configured, nobody goes further without signing in as a member.
    st_adapter.members_gate()
    # In presentation mode (?present=1) the pages are tabs along the top: the sidebar is hidden.
    presenting = st_adapter.presenting()
    # A page file that is not there (a partial checkout) is left out rather than breaking every page.
    pages = st_adapter.navigation_pages([p for p in PAGES if (HERE / p[0]).exists()])
    page = st.navigation(pages, position="top" if presenting else "sidebar")
    # A damaged export: one message naming the file and how to recover, on every page.
    st_adapter.stop_if_export_unreadable()
    # The sidebar is still drawn (hidden) so the link's filters keep applying and stay in the URL.
    st.session_state["filters"] = st_adapter.filter_sidebar()
    if presenting:
        st_adapter.presentation_styles()
    page.run()
    # After the page is drawn, never before it: the contract check runs once in the background
    # and the Data page shows how it went.
    st_adapter.start_contract_check()
    if presenting:
        st.button(
            "Leave presentation mode",
            on_click=st_adapter.leave_presentation,
            icon=":material/close_fullscreen:",
            key="leave_presentation",
        )
