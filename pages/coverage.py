"""Coverage: which agency works where and on what, where nobody works although victims are
detected, one agency's overlap with the others, and joint work between agencies."""

import streamlit as st

from icat_analysis import reference
from icat_analysis.analyses import coverage
from icat_analysis.ui import st_adapter

AGENCY_NAMES = reference.labels("agency")
CHART_CONFIG = {"displaylogo": False}


f = st_adapter.current_filters()
st.title("Coverage")
st_adapter.synthetic_banner()

by_year = st_adapter.run("coverage_joint_by_year", f)
n_selected = int(by_year["activities"].sum())
st_adapter.show_filter_sentence(n_selected, f)
if n_selected == 0:
    st_adapter.empty_state(f)
    st.stop()

detections = st_adapter.run("coverage_detections", None)
# The role counts in the matrix and in one agency's overlap, so it sits above both tabs.
role = (
    st.segmented_control(
        "Count an agency's activities as",
        list(coverage.ROLES),
        format_func=coverage.ROLE_LABELS.get,
        default=f.role,
        key="cov_role",
    )
    or "any"
)
# Only the open tab runs (and is sent to the browser): each tab draws its own large chart or table.
tab_matrix, tab_overlap, tab_joint = st.tabs(
    ["Who works where", "One agency's overlap", "Joint work"], key="cov_tab", on_change="rerun"
)
# A closed tab's choices are kept for when it opens again.
st_adapter.keep_widget_values(
    "cov_dimension",
    "cov_measure",
    "cov_sort_places",
    "cov_sort_agencies",
    "cov_gap_agency",
    "cov_gap_basis",
    "cov_overlap_agency",
    prefix="cov_top_",
)

# ---- the matrix ----------------------------------------------------------------------------
if tab_matrix.open:
    with tab_matrix:
        c1, c3 = st.columns([2, 3])
        dim = c1.selectbox(
            "Agencies by",
            list(coverage.DIMENSIONS),
            format_func=lambda d: coverage.DIMENSIONS[d].label,
            key="cov_dimension",
        )
        measure = (
            c3.segmented_control(
                "A cell shows",
                list(coverage.MEASURES),
                format_func=coverage.MEASURES.get,
                default="activities",
                key="cov_measure",
            )
            or "activities"
        )
        d = coverage.dimension(dim)
        cells = st_adapter.run(d.query, f, **d.params)

        c1, c2, c3, c4 = st.columns([2, 2, 3, 2])
        sort_places = c1.selectbox(
            f"Order {d.place_word} rows", list(coverage.SORTS), format_func=coverage.SORTS.get, key="cov_sort_places"
        )
        sort_agencies = c2.selectbox(
            "Order agency columns", list(coverage.SORTS), format_func=coverage.SORTS.get, key="cov_sort_agencies"
        )
        gap_basis = "any"
        if d.has_gaps:
            gap_basis = c4.radio(
                "Detected victims",
                ["any", "latest"],
                format_func={"any": "in any year", "latest": "in the latest reported year"}.get,
                key="cov_gap_basis",
                help="UNODC GLOTIP detected victims, used to mark empty cells as gaps.",
            )
        options = dict(
            dim=dim,
            role=role,
            measure=measure,
            sort_agencies=sort_agencies,
            sort_places=sort_places,
            detections=detections,
            gap_basis=gap_basis,
        )
        full = coverage.coverage_matrix(cells, **options)
        top_n = None
        if full.places_total > 25:
            top_n = c3.slider(
                f"Show the {d.place_word} rows with the most activities",
                min_value=5,
                max_value=full.places_total,
                value=min(40, full.places_total),
                key=f"cov_top_{dim}",
                help="Drag to the right end for all of them (a tall chart that scrolls with the page).",
            )

        m = coverage.coverage_matrix(cells, top_n=top_n, **options)
        if m.empty:
            st.info(
                f"No agency works as {coverage.ROLE_LABELS[role].lower()} on a {d.place_word} in this selection"
                + (" (global activities name no country)." if d.has_gaps else "."),
                icon=":material/grid_off:",
            )
        else:
            shown = (
                f"{len(m.values):,} of {m.places_total:,}"
                if top_n and top_n < m.places_total
                else f"all {m.places_total:,}"
            )
            title = f"{coverage.MEASURES[measure]} by agency and {d.place_word} ({coverage.ROLE_LABELS[role].lower()}; {shown})"
            st_adapter.plotly_chart(
                coverage.coverage_heatmap(m, title),
                config=CHART_CONFIG,
                key="cov_heatmap",
                alt=f"Heat map of {coverage.MEASURES[measure].lower()} by agency and {d.place_word}",
            )
            notes = []
            if d.has_gaps:
                notes.append(
                    "A regional activity counts once in each of its countries, and once in its sub-region or region."
                )
                notes.append("Global activities that name no country are not in this matrix.")
            else:
                notes.append(f"An activity with several {d.place_word}s counts once under each.")
            if measure == "budget":
                notes.append(
                    "Budgets are the ones reported; a regional activity's whole budget counts in each of its places, "
                    "and activities without a budget add nothing (hover a cell for how many have one)."
                )
            if d.has_gaps and detections.empty:
                notes.append("No UNODC detected-victims data is loaded, so gaps cannot be marked.")
            elif d.has_gaps:
                notes.append(
                    "Orange cells: the agency has no activity there although UNODC reports detected victims "
                    "(detected victims measure what authorities detected, not how many victims there are)."
                )
            st.caption(" ".join(notes))
            st_adapter.table_downloads(
                coverage.matrix_table(full),
                "Whole matrix",
                f"coverage-by-{dim.replace('_', '-')}",
                "Coverage",
                "cov_matrix_dl",
            )

        if d.has_gaps:
            st.subheader("Gaps: detected victims, no activity")
            country_cells = st_adapter.run("coverage_country", f) if dim != "country" else cells
            gap_agency = st.selectbox(
                "Where no activity of",
                [None, *sorted(set(country_cells["agency"]))],
                format_func=lambda a: "any agency" if a is None else f"{a} — {AGENCY_NAMES.get(a, a)}",
                key="cov_gap_agency",
            )
            gap_table = coverage.gaps(
                country_cells, detections, agency=gap_agency, role=role, places=f.place_iso3(), basis=gap_basis
            )
            if detections.empty:
                st.info("No UNODC detected-victims data is loaded.", icon=":material/info:")
            elif gap_table.empty:
                st.success(
                    "Every country with detected victims in this selection has an activity.", icon=":material/check:"
                )
            else:
                who = "no selected activity works" if gap_agency is None else f"{gap_agency} has no selected activity"
                st.write(f"{len(gap_table):,} countries report detected victims where {who}.")
                st.dataframe(gap_table, hide_index=True, height=min(420, 36 * len(gap_table) + 40))
                st_adapter.table_downloads(gap_table, "Gaps", "coverage-gaps", "Gaps", "cov_gaps_dl")

# ---- one agency's overlap ------------------------------------------------------------------
if tab_overlap.open:
    with tab_overlap:
        country_cells = st_adapter.run("coverage_country", f)
        present = sorted(set(country_cells["agency"]))
        if not present:
            st.info("No selected activity names a country.", icon=":material/info:")
        else:
            default = next((a for a in f.agencies if a in present), present[0])
            agency = st.selectbox(
                "Agency",
                present,
                index=present.index(default),
                format_func=lambda a: f"{a} — {AGENCY_NAMES.get(a, a)}",
                key="cov_overlap_agency",
            )
            table = coverage.overlap_for_agency(country_cells, agency, role=role)
            if table.empty:
                st.info(
                    st_adapter.literal(
                        f"{agency} has no activity as {coverage.ROLE_LABELS[role].lower()} in this selection."
                    )
                )
            else:
                alone = int((table["Works"] == "alone").sum())
                a1, a2, a3 = st.columns(3)
                a1.metric("Countries", f"{len(table):,}", border=True)
                a2.metric("Works alone in", f"{alone:,}", border=True)
                a3.metric("Works beside other agencies in", f"{len(table) - alone:,}", border=True)
                st.dataframe(table, hide_index=True, height=min(560, 36 * len(table) + 40))
                st.caption(
                    "Other agencies present: any agency with a selected activity in the country, lead or partner, "
                    "whether or not it works with this one."
                )
                st_adapter.table_downloads(
                    table, "Overlap", f"overlap-{agency.lower()}", f"Overlap {agency}", "cov_overlap_dl"
                )

# ---- joint work ----------------------------------------------------------------------------
if tab_joint.open:
    with tab_joint:
        pairs = st_adapter.run("coverage_joint_pairs", f)
        joint = coverage.joint_work_matrix(pairs)
        if joint.empty:
            st.info("No selected activity has a partner agency.", icon=":material/info:")
        else:
            st_adapter.plotly_chart(
                coverage.joint_heatmap(joint, "Joint activities: both agencies take part (lead or partner)"),
                config=CHART_CONFIG,
                key="cov_joint_heatmap",
                alt="Heat map of joint activities between each pair of agencies",
            )
            st_adapter.table_downloads(
                coverage.joint_table(joint), "Joint matrix", "joint-work", "Joint work", "cov_joint_dl"
            )
        st_adapter.plotly_chart(
            coverage.joint_share_chart(by_year, "Share of activities that are joint, by start year"),
            config=CHART_CONFIG,
            key="cov_joint_share",
        )
        per_year = coverage.joint_work_by_year(by_year).rename(
            columns={
                "year": "Start year",
                "activities": "Activities started",
                "joint": "Joint activities",
                "share_joint_pct": "Joint share (%)",
            }
        )
        st_adapter.table_downloads(per_year, "Joint share", "joint-share-by-year", "Joint share", "cov_share_dl")
