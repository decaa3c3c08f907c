"""Changes: what changed in the export between two dates (by default, since the last meeting).

The first date picks the version that was current at its start (the last one made before the
meeting), the second the one current at its end (default: today, the current export). Both
dates stay in the link.
"""

import streamlit as st

from icat_analysis import reference
from icat_analysis.analyses import changes
from icat_analysis.ui import geo, st_adapter

st.title("What changed")
st_adapter.synthetic_banner()
today = st_adapter.today()
left, right, _ = st.columns([1, 1, 2])
with left:
    since = st_adapter.date_in_link(
        "since", "Since (the meeting)", st_adapter.last_meeting(today), max_value=today, help="The version current then"
    )
with right:
    until = st_adapter.date_in_link("until", "Until", today, max_value=today, help="Today means the current export")

try:
    c, places = st_adapter.changes_between(since, None if until >= today else until)
except changes.NoSnapshot as exc:
    st.info(f"Nothing to compare. {exc}", icon=":material/history:")
    st_adapter.data_caption("Each import or undo makes a new version of the export; this page compares two")
    st.stop()

st_adapter.data_caption(
    f"Version {c.since.id} ({c.since.made_at:%-d %B %Y}) against {c.until.id} ({c.until.made_at:%-d %B %Y}), "
    "the whole export: the sidebar's filters do not apply here."
)
counts = c.counts()
cols = st.columns(len(counts) + 1)
for col, (kind, n) in zip(cols, counts.items()):
    col.metric(kind.capitalize(), f"{n:,}", border=True)
cols[-1].metric("Pairs reviewed", f"{len(c.reviewed):,}", border=True, help="Duplicate pairs reviewed in between")

if c.changes.empty:
    st.info("Nothing changed in the activities between these two versions.", icon=":material/check:")
else:
    st.subheader("Activity by activity")
    st.dataframe(
        c.changes,
        hide_index=True,
        width="stretch",
        column_config={
            "agency": "Lead agency",
            "countries": "Countries",
            "activity_id": "Activity",
            "title": st.column_config.TextColumn("Title", width="medium"),
            "change": "Change",
            "field": "Field",
            "old": st.column_config.TextColumn("Was", width="medium"),
            "new": st.column_config.TextColumn("Now", width="medium"),
        },
    )
    st_adapter.table_downloads(c.changes, "Changes", f"changes-{since}-{until}", "Changes", key="changes_dl")

st.subheader("Countries gained and lost")
names = dict(zip(reference.countries()["iso3"], reference.countries()["name"]))
agencies = sorted(places["agency"].unique())
if not agencies:
    st.caption("No agency started or stopped working in a country between these two versions.")
else:
    agency = st.selectbox("Agency", agencies, key="changes_agency")
    mine = places[places["agency"] == agency]
    st_adapter.plotly_chart(geo.gained_lost_map(places, agency, names), key="changes_map")
    gained = ", ".join(names.get(i, i) for i in mine.loc[mine["place"] == "gained", "iso3"]) or "none"
    lost = ", ".join(names.get(i, i) for i in mine.loc[mine["place"] == "lost", "iso3"]) or "none"
    st.caption(f"Blue: gained ({gained}). Orange: lost ({lost}). {geo.UN_MAP_DISCLAIMER}")

st.subheader(f"Duplicate pairs reviewed since {since:%-d %B %Y}")
if c.reviewed.empty:
    st.caption("None.")
else:
    st.dataframe(c.reviewed, hide_index=True, width="stretch")
