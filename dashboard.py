"""ICAT coordination dashboard: who does what, where and when against trafficking in persons.

Run with ``streamlit run dashboard.py``. This entry point sets the page up, draws the filter
sidebar every page shares, and hands over to the chosen page.
"""

import streamlit as st

from icat_analysis import st_adapter

st.set_page_config(
    page_title="ICAT coordination dashboard",
    page_icon=":material/handshake:",
    layout="wide",
)

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True, url_path="overview"),
    st.Page("pages/map.py", title="Map", icon=":material/public:", url_path="map"),
    st.Page("pages/coverage.py", title="Coverage", icon=":material/grid_on:", url_path="coverage"),
    st.Page("pages/duplication.py", title="Duplication", icon=":material/content_copy:", url_path="duplication"),
    st.Page("pages/indicators.py", title="Indicators", icon=":material/trending_up:", url_path="indicators"),
    st.Page("pages/agencies.py", title="Agencies", icon=":material/apartment:", url_path="agencies"),
    st.Page("pages/data.py", title="Data", icon=":material/table:", url_path="data"),
]

page = st.navigation(PAGES)
st.session_state["filters"] = st_adapter.filter_sidebar()
page.run()
