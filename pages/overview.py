"""Overview: how much is going on, where, since when, and how fresh the data is."""

import streamlit as st

from icat_analysis.analyses import overview
from icat_analysis.ui import overview_charts, st_adapter

f = st_adapter.current_filters()
st.title("Overview")
st_adapter.synthetic_banner()

head = overview.headline_figures(st_adapter.run, f, st_adapter.today())
st_adapter.show_filter_sentence(head.activities, f)

if head.activities == 0:
    st_adapter.empty_state(f)
else:
    # Three tiles a row: six in one row cut their labels at 1400 px ("Agencies inv…").
    st_adapter.metric_row(overview.headline_tiles(head, st_adapter.today()), per_row=3)
    st_adapter.show_agenda(f)

    left, right = st.columns([3, 2])
    with left:
        # Vega-Lite, not plotly: the first page of a fresh server loads no plotly.js (overview_charts).
        st_adapter.vega_chart(overview_charts.starts_figure(st_adapter.run, f))
        st.caption("An activity with several themes counts once under each of them.")
    with right:
        top = overview.top_countries(st_adapter.run, f, n=overview_charts.TOP_COUNTRIES)
        if top.empty:
            st.info("None of these activities names a country.", icon=":material/public:")
        else:
            st_adapter.vega_chart(overview_charts.countries_chart(top))
        st_adapter.regions_band(f)

fresh = overview.freshness(st_adapter.run, st_adapter.manifest())
st.subheader("How fresh the data is")
newest = overview.day(fresh.newest_update)
made = overview.day(fresh.export_date)
lines = [
    f"- Newest revision of an activity by an agency: **{newest}**",
    f"- Export made on: **{made}**",
]
if fresh.without_update_date:
    lines.append(f"- {fresh.without_update_date:,} of {fresh.activities:,} activities carry no revision date")
st.markdown("\n".join(lines))

st_adapter.briefing_download(f)
