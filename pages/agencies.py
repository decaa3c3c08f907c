"""Agencies: the ICAT agencies with their mandates, and one agency's profile (where it works,
on what, with whom, and its activities). ``?agency=CODE`` opens a profile from a link."""

import streamlit as st

from icat_analysis import reference
from icat_analysis.analyses import agencies
from icat_analysis.ui import downloads, geo, st_adapter

AGENCY_NAMES = reference.labels("agency")
MAP_CONFIG = {"topojsonURL": "app/static/", "displaylogo": False, "scrollZoom": False}
CHART_CONFIG = {"displaylogo": False}


def _profile_changed() -> None:
    code = st.session_state.get("agency_profile")
    if code:
        st.query_params["agency"] = code
    elif "agency" in st.query_params:
        del st.query_params["agency"]


@st.fragment
def _activities_page(f, code: str, n: int) -> None:
    """One page of the agency's activities; moving to another page reruns only this part
    (not the map and charts above it)."""
    if st.session_state.get("_agency_rows_for") != (f, code):  # a new list starts on its first page
        st.session_state["_agency_rows_for"] = (f, code)
        st.session_state["agency_rows_page"] = 1
    page = downloads.page_of(n, st.session_state.get("agency_rows_page"))
    st.session_state["agency_rows_page"] = page.number
    left, right = st.columns([1, 4], vertical_alignment="bottom")
    if page.pages > 1:
        left.number_input(
            f"Page (of {page.pages:,})", min_value=1, max_value=page.pages, step=1, key="agency_rows_page"
        )
    right.markdown(f"**{page.words()}**, newest first; the downloads hold all {n:,}.")
    rows = st_adapter.run("agency_activities_page", f, agency=code, limit=page.limit, offset=page.offset)
    acts = agencies.activities_table(rows)
    st.dataframe(acts, hide_index=True, height=min(420, 36 * len(acts) + 40))


f = st_adapter.current_filters()
st.title("Agencies")
st_adapter.synthetic_banner()

by_year = st_adapter.run("coverage_joint_by_year", f)
st_adapter.show_filter_sentence(int(by_year["activities"].sum()), f)

counts = st_adapter.run("agency_counts", f)
directory = agencies.directory(counts)

# ---- profile -------------------------------------------------------------------------------
codes = reference.agency_codes()
asked = st.query_params.get("agency")
wanted = agencies.profile_code(asked)
if asked and wanted is None:
    st.warning(
        f"The link asks for agency {asked[:40]!r}, which is not an ICAT agency code.", icon=":material/link_off:"
    )
if "agency_profile" not in st.session_state and wanted:
    st.session_state["agency_profile"] = wanted
code = st.selectbox(
    "Agency profile",
    codes,
    format_func=lambda c: f"{c} — {AGENCY_NAMES.get(c, c)}",
    index=None,
    placeholder="Pick an agency to open its profile",
    key="agency_profile",
    on_change=_profile_changed,
)

if code:
    e = agencies.entry(code)
    st.header(f"{e['name']} ({code})")
    facts = [e["kind"]]
    if e["joined_icat"]:
        facts.append(f"in ICAT since {e['joined_icat']}" + (" (founding member)" if e["founding_member"] else ""))
    if e["successor"]:
        facts.append(f"succeeded by {e['successor']}")
    if e["predecessors"]:
        facts.append("took over the work of " + " and ".join(e["predecessors"]))
    st.caption("; ".join(facts))
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
        m1, m2, m3 = st.columns(3)
        m1.metric("Activities led", f"{row['Activities led']:,}", border=True)
        m2.metric("Activities as partner", f"{row['Activities as partner']:,}", border=True)
        m3.metric("Countries", f"{row['Countries']:,}", border=True)

        countries = st_adapter.run("agency_countries", f, agency=code)
        st.subheader("Where it works")
        if countries.empty:
            st.info(f"None of {code}'s selected activities names a country (they are global).")
        else:
            st_adapter.plotly_chart(
                agencies.coverage_map(countries, code),
                config=MAP_CONFIG,
                key="agency_map",
                alt=f"World map of {code}'s activities by country",
            )
            st.caption(geo.UN_MAP_DISCLAIMER)
            table = agencies.coverage_map_frame(countries, code)
            table = table[table["activities"] > 0][["iso3", "name", "activities", "as_lead", "as_partner"]]
            table = table.sort_values(["activities", "name"], ascending=[False, True]).rename(
                columns={
                    "name": "Country",
                    "activities": "Activities",
                    "as_lead": "As lead",
                    "as_partner": "As partner",
                }
            )
            st_adapter.table_downloads(
                table, "Countries", f"{code.lower()}-countries", f"{code} countries", "ag_countries_dl"
            )

        left, right = st.columns([3, 2])
        with left:
            themes = st_adapter.run("agency_themes_by_year", f, agency=code)
            st_adapter.plotly_chart(
                agencies.themes_over_time_chart(themes, code), config=CHART_CONFIG, key="agency_themes"
            )
            st.caption("An activity with several themes counts once under each of them.")
        with right:
            partners = st_adapter.run("agency_partners", f, agency=code)
            if partners.empty:
                st.info(f"{code} has no joint activity in this selection.", icon=":material/person:")
            else:
                st_adapter.plotly_chart(
                    agencies.partners_chart(partners, code), config=CHART_CONFIG, key="agency_partners"
                )
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
    st_adapter.agency_library(code)
    st.divider()

# ---- directory -----------------------------------------------------------------------------
st.subheader("Directory")
st.write(
    "Every agency of the ICAT reference list, with its mandate on trafficking in persons. "
    "The counts are for the selected activities; pick an agency above to open its profile."
)
st.dataframe(
    directory,
    hide_index=True,
    column_config={
        "Mandate on trafficking in persons": st.column_config.TextColumn(width="large"),
    },
)
st_adapter.table_downloads(directory, "Directory", "agencies", "Agencies", "ag_directory_dl")
