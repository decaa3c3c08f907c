"""Data: download the selected activities, read the data dictionary, see what the export
holds, whether it keeps the contract, and where it comes from."""

import streamlit as st

from icat_analysis import dictionary, downloads, st_adapter

f = st_adapter.current_filters()
st.title("Data")
st_adapter.synthetic_banner()

rows = st_adapter.run("activity_rows", f)
st_adapter.show_filter_sentence(len(rows), f)

st.subheader("Download the selected activities")
if rows.empty:
    st_adapter.empty_state(f)
else:
    # Label only the rows shown; the downloads label every row when clicked (a Python pass
    # over every row cost seconds at 100,000 activities on each render).
    preview = downloads.labelled_activities(rows.head(1000))
    st.write(
        f"{len(rows):,} activities, with agency and country names and the labels of codes. "
        "Cells that a spreadsheet would run as a formula start with a single quote."
    )
    c1, c2, _ = st.columns([1, 1, 3])
    c1.download_button(
        "CSV",
        data=lambda: downloads.to_csv_bytes(downloads.labelled_activities(rows)),
        file_name="icat-activities.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        width="stretch",
    )
    c2.download_button(
        "Excel (XLSX)",
        data=lambda: downloads.to_xlsx_bytes(downloads.labelled_activities(rows), "Activities"),
        file_name="icat-activities.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        on_click="ignore",
        width="stretch",
    )
    st.dataframe(preview, hide_index=True, height=320)
    if len(rows) > 1000:
        st.caption(f"The first 1,000 of {len(rows):,} rows; the downloads hold them all.")

st.subheader("What the export holds")
counts = st_adapter.run("export_row_counts", None)
c1, c2 = st.columns([1, 2])
c1.dataframe(counts, hide_index=True, column_config={"rows": st.column_config.NumberColumn(format="localized")})
c2.dataframe(dictionary.manifest_facts(st_adapter.manifest()), hide_index=True)

st.subheader("Does it keep the data contract?")
problems = st_adapter.validation_problems()
if problems is None:
    st.info("The contract check is not available in this installation.", icon=":material/help:")
elif not problems:
    st.success("The export keeps the data contract: `validate` finds nothing wrong.", icon=":material/check_circle:")
else:
    st.error(f"`validate` finds {len(problems):,} problems; the first ones:", icon=":material/error:")
    st.code("\n".join(problems[:50]), language=None)

st.subheader("Sources and citations")
sources = dictionary.sources(st_adapter.manifest())
if sources.empty:
    st.write("The export's manifest names no sources.")
else:
    st.dataframe(sources, hide_index=True)

st.subheader("Data dictionary")
tab_cols, tab_codes, tab_agencies = st.tabs(["Template columns", "Code lists", "Agencies"])
with tab_cols:
    st.write("The columns agencies submit (docs/SCHEMA.md). Lists are separated by `;` inside one cell.")
    st.dataframe(dictionary.template_columns(), hide_index=True)
with tab_codes:
    st.dataframe(dictionary.code_lists(), hide_index=True)
with tab_agencies:
    st.dataframe(dictionary.agencies(), hide_index=True)
