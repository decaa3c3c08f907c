"""Agencies: the ICAT agencies with their mandates, and one agency's profile (where it works,
on what, with whom, and its activities). ``?agency=CODE`` opens a profile from a link.

Over 100 lines: the profile (facts, map, themes, partners, a paged list of activities) and
the directory are two views on one page."""

import streamlit as st

from icat_analysis import reference
from icat_analysis.analyses import agencies
from icat_analysis.ui import agency_charts, downloads, geo, st_adapter

MAP_CONFIG = {"scrollZoom": False}  # the page scrolls; the map zooms with its buttons


@st.fragment
def _activities_page(f, code: str, n: int) -> None:
    """One page of the agency's activities; moving to another page reruns only this part
    (not the map and charts above it)."""
    page = st_adapter.rows_pager("agency_rows_page", n, (f, code), "newest first")
    rows = st_adapter.run("agency_activities_page", f, agency=code, limit=page.limit, offset=page.offset)
    acts = downloads.labelled_activities(rows)
    st.dataframe(acts, hide_index=True, height=min(420, 36 * len(acts) + 40))


f = st_adapter.current_filters()
st.title("Agencies")
st_adapter.synthetic_banner()

by_year = st_adapter.run("coverage_joint_by_year", f)
st_adapter.show_filter_sentence(int(by_year["activities"].sum()), f)

counts = st_adapter.run("agency_counts", f)
directory = agencies.directory(counts)

# ---- profile -------------------------------------------------------------------------------
asked = st.query_params.get("agency")
if asked and agencies.profile_code(asked) is None:
    st.warning(
        st_adapter.literal(f"The link asks for agency {asked[:40]!r}, which is not an ICAT agency code."),
        icon=":material/link_off:",
    )
code = st.selectbox(
    "Agency profile",
    reference.agency_codes(),
    format_func=reference.agency_choice,
    index=None,
    placeholder="Pick an agency to open its profile",
    **st_adapter.linked("agency_profile", "agency", agencies.profile_code),
)

if code:
    e = agencies.entry(code)
    st.header(f"{e['name']} ({code})")
    st.caption(agencies.facts(e))
    st_adapter.agency_links(code)
    st.markdown("**Mandate on trafficking in persons**")
    st.text(e["mandate"])

    row = directory.set_index("Code").loc[code]
    if row["Activities led"] + row["Activities as partner"] == 0:
        st.info(
            f"{code} has no activities in this selection"
            + (" (the filters may leave them out)." if not f.is_empty() else "."),
            icon=":material/inbox:",
        )
    else:
        st_adapter.metric_row([(k, f"{row[k]:,}") for k in ("Activities led", "Activities as partner", "Countries")])

        countries = st_adapter.run("agency_countries", f, agency=code)
        st.subheader("Where it works")
        if countries.empty:
            st.info(f"None of {code}'s selected activities names a country (they are global).")
        else:
            st_adapter.plotly_chart(
                agency_charts.coverage_map(countries, code),
                config=MAP_CONFIG,
                key="agency_map",
                alt=f"World map of {code}'s activities by country",
            )
            st.caption(geo.UN_MAP_DISCLAIMER)
            table = agencies.countries_table(countries, code)
            st_adapter.table_downloads(
                table, "Countries", f"{code.lower()}-countries", f"{code} countries", "ag_countries_dl"
            )

        left, right = st.columns([3, 2])
        with left:
            themes = st_adapter.run("agency_themes_by_year", f, agency=code)
            st_adapter.plotly_chart(agency_charts.themes_over_time_chart(themes, code), key="agency_themes")
            st.caption("An activity with several themes counts once under each of them.")
        with right:
            partners = st_adapter.run("agency_partners", f, agency=code)
            if partners.empty:
                st.info(f"{code} has no joint activity in this selection.", icon=":material/person:")
            else:
                st_adapter.plotly_chart(agency_charts.partners_chart(partners, code), key="agency_partners")
        if not partners.empty:
            ptable = agencies.partners_table(partners)
            st_adapter.table_downloads(
                ptable, "Partners", f"{code.lower()}-partners", f"{code} partners", "ag_partners_dl"
            )

        st.subheader("Its activities")
        # Count in SQL and fetch one page: an agency can have 100,000 activities; the whole
        # list is read only when a download is clicked.
        n = int(st_adapter.run("agency_activities_count", f, agency=code)["activities"].iloc[0])
        _activities_page(f, code, n)
        st_adapter.activities_downloads(
            "agency_activities",
            f,
            n,
            name=f"{code.lower()}-activities",
            sheet=f"{code} activities",
            labels=("Activities (CSV, zipped)", "Activities (CSV)", "Activities (XLSX)"),
            widths=[1, 1, 2],
            key="ag_acts_dl",
            agency=code,
        )
    st_adapter.agency_scorecard(code)
    st_adapter.agency_library(code)
    st.divider()

# ---- directory -----------------------------------------------------------------------------
st.subheader("How fresh is each agency's data")
st_adapter.agency_scorecards()
st.subheader("Directory")
st.write(
    "Every agency of the ICAT reference list, with its mandate on trafficking in persons. "
    "The counts are for the selected activities; pick an agency above to open its profile."
)
st_adapter.table(directory, large=["Mandate on trafficking in persons"])
st_adapter.table_downloads(directory, "Directory", "agencies", "Agencies", "ag_directory_dl")
