"""Coverage: which agency works where and on what, where nobody works although victims are
detected, one agency's overlap with the others, and joint work between agencies.

Over 100 lines: three tabs (the matrix with its gaps, one agency's overlap, joint work), each
with its own choices, chart and downloads."""

import streamlit as st

from icat_analysis import reference
from icat_analysis.analyses import coverage
from icat_analysis.ui import coverage_charts, st_adapter

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
role = st_adapter.segmented("Count an agency's activities as", coverage.ROLE_LABELS, default=f.role, key="cov_role")
# Only the open tab runs (each draws its own large chart or table); the link keeps it (?tab=overlap).
tab_words = st_adapter.linked("cov_tab", "tab", words=coverage.TABS, default=coverage.TABS["matrix"])
tab_matrix, tab_overlap, tab_joint = st.tabs(list(coverage.TABS.values()), **tab_words)
# A closed tab's choices are kept for when it opens again.
kept = ("dimension", "measure", "sort_places", "sort_agencies", "gap_agency", "gap_basis", "overlap_agency")
st_adapter.keep_widget_values(*(f"cov_{k}" for k in kept), prefix="cov_top_")

# ---- the matrix ----------------------------------------------------------------------------
if tab_matrix.open:
    with tab_matrix:
        c1, c3 = st.columns([2, 3])
        dim = st_adapter.choose("Agencies by", coverage.DIMENSION_LABELS, key="cov_dimension", where=c1)
        with c3:
            measure = st_adapter.segmented("A cell shows", coverage.MEASURES, key="cov_measure")
        d = coverage.dimension(dim)
        cells = st_adapter.run(d.query, f, **d.params)

        c1, c2, c3, c4 = st.columns([2, 2, 3, 2])
        sort_places = st_adapter.choose(f"Order {d.place_word} rows", coverage.SORTS, key="cov_sort_places", where=c1)
        sort_agencies = st_adapter.choose("Order agency columns", coverage.SORTS, key="cov_sort_agencies", where=c2)
        gap_basis = "any"
        if d.has_gaps:
            why = "UNODC GLOTIP detected victims, used to mark empty cells as gaps."
            gap_basis = st_adapter.choose(
                "Detected victims", coverage.GAP_BASES, key="cov_gap_basis", where=c4, widget="radio", help=why
            )
        options = dict(dim=dim, role=role, measure=measure, detections=detections, gap_basis=gap_basis)
        options |= dict(sort_agencies=sort_agencies, sort_places=sort_places)
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
            st.info(coverage.empty_matrix_text(dim, role), icon=":material/grid_off:")
        else:
            st_adapter.plotly_chart(
                lambda: coverage_charts.coverage_heatmap(m, coverage.matrix_title(m, top_n)),
                key="cov_heatmap", same=(dim, role, measure, gap_basis, sort_agencies, sort_places, top_n),
                alt=f"Heat map of {coverage.MEASURES[measure].lower()} by agency and {d.place_word}",
            )
            notes = coverage.matrix_notes(dim, measure, detections_loaded=not detections.empty)
            st_adapter.matrix_notes(notes, f, budgets=measure == "budget", by_country=dim == "country")
            st_adapter.table_downloads(
                coverage.matrix_table(full),
                "Whole matrix",
                f"coverage-by-{dim.replace('_', '-')}",
                "Coverage",
                "cov_matrix_dl",
            )

        if d.has_gaps:
            st.subheader("Gaps: detected victims, no activity")
            country_cells = st_adapter.run("coverage_places", f, place="country") if dim != "country" else cells
            choices = {None: "any agency"} | {
                a: reference.agency_choice(a) for a in sorted(set(country_cells["agency"]))
            }
            gap_agency = st_adapter.choose("Where no activity of", choices, key="cov_gap_agency")
            gap_table = coverage.gaps(
                country_cells, detections, agency=gap_agency, role=role, places=f.place_iso3(), basis=gap_basis
            )
            if detections.empty:
                st.info("No UNODC detected-victims data is loaded.", icon=":material/info:")
            elif gap_table.empty:
                st.success(coverage.NO_GAPS, icon=":material/check:")
            else:
                st.write(coverage.gaps_sentence(len(gap_table), gap_agency))
                st_adapter.table(gap_table, height=min(420, 36 * len(gap_table) + 40), hide=[coverage.ISO_CODE])
                st_adapter.table_downloads(gap_table, "Gaps", "coverage-gaps", "Gaps", "cov_gaps_dl")

# ---- one agency's overlap ------------------------------------------------------------------
if tab_overlap.open:
    with tab_overlap:
        country_cells = st_adapter.run("coverage_places", f, place="country")
        present = sorted(set(country_cells["agency"]))
        if not present:
            st.info("No selected activity names a country.", icon=":material/info:")
        else:
            # The link's agency (?overlap=ILO), else the sidebar's first, else the first; a new sidebar choice wins.
            st_adapter.reset_when_changed("cov_overlap_agency", f.agencies, param="overlap", allowed=present)
            default = coverage.overlap_default(f.agencies, present)
            kept_in_link = st_adapter.linked("cov_overlap_agency", "overlap", present, default=default)
            agency = st_adapter.choose("Agency", {a: reference.agency_choice(a) for a in present}, **kept_in_link)
            table = coverage.overlap_for_agency(country_cells, agency, role=role)
            if table.empty:
                st.info(f"{agency} has no activity as {coverage.ROLE_LABELS[role].lower()} in this selection.")
            else:
                st_adapter.metric_row(coverage.overlap_figures(table))
                st_adapter.table(table, height=min(560, 36 * len(table) + 40), hide=[coverage.ISO_CODE])
                st.caption(coverage.OVERLAP_NOTE)
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
                coverage_charts.joint_heatmap(joint, "Joint activities: both agencies take part (lead or partner)"),
                key="cov_joint_heatmap",
                alt="Heat map of joint activities between each pair of agencies",
            )
            st_adapter.table_downloads(
                coverage.joint_table(joint), "Joint matrix", "joint-work", "Joint work", "cov_joint_dl"
            )
        st_adapter.plotly_chart(
            coverage_charts.joint_share_chart(by_year, "Share of activities that are joint, by start year"),
            key="cov_joint_share",
        )
        st_adapter.table_downloads(
            coverage.joint_share_table(by_year), "Joint share", "joint-share-by-year", "Joint share", "cov_share_dl"
        )
