"""Data: download the selected activities, read the data dictionary, see what the export
holds, whether it keeps the contract, and where it comes from."""

import streamlit as st

from icat_analysis.ui import dictionary, downloads, st_adapter


@st.fragment
def _rows_page(f, n: int) -> None:
    """One page of the selected rows; moving to another page reruns only this part."""
    page = st_adapter.rows_pager("data_rows_page", n, f, "in the order of the activity ID")
    rows = st_adapter.run("activity_rows_page", f, limit=page.limit, offset=page.offset)
    st.dataframe(downloads.labelled_activities(rows), hide_index=True, height=320)


f = st_adapter.current_filters()
st.title("Data")
st_adapter.synthetic_banner()

# Count in SQL and fetch one page of rows: the whole selection is read only when a download
# is clicked (fetching and keeping a million rows on every render took a minute and GBs).
n = int(st_adapter.run("activity_rows_count", f)["activities"].iloc[0])
st_adapter.show_filter_sentence(n, f)

st.subheader("Download the selected activities")
if n == 0:
    st_adapter.empty_state(f)
else:
    st.write(
        f"{n:,} activities, with agency and country names and the labels of codes. "
        "Cells that a spreadsheet would run as a formula start with a single quote."
    )
    st_adapter.activities_downloads(
        "activity_rows",
        f,
        n,
        name="activities",
        sheet="Activities",
        labels=("CSV (zipped)", "CSV", "Excel (XLSX)"),
        widths=[1, 1, 3],
    )

    _rows_page(f, n)

st.subheader("What the export holds")
counts = st_adapter.run("export_row_counts", None)
c1, c2 = st.columns([1, 2])
c1.dataframe(counts, hide_index=True, column_config={"rows": st.column_config.NumberColumn(format="localized")})
c2.dataframe(dictionary.manifest_facts(st_adapter.manifest()), hide_index=True)

st.subheader("Does it keep the data contract?")
st_adapter.contract_status()

st.subheader("Data-quality report")
st.write("Each agency's freshness scorecard, and its stale rows to send to its focal point (`quality` command).")
st_adapter.quality_downloads()

st.subheader("Sources and citations")
sources = dictionary.sources(st_adapter.manifest())
if sources.empty:
    st.write("The export's manifest names no sources.")
else:
    st.dataframe(sources, hide_index=True)

st.subheader("Start from the blank template")
st.write(
    "The activity template to fill in, one row per activity: the Excel file has a dropdown on every coded "
    "column, an instructions sheet and the code lists. Load it with `python -m icat_analysis import-activities FILE`."
)
st_adapter.template_downloads()

st.subheader("Data dictionary")
tab_cols, tab_codes, tab_agencies = st.tabs(["Template columns", "Code lists", "Agencies"])
with tab_cols:
    st.write("The columns agencies submit (docs/SCHEMA.md). Lists are separated by `;` inside one cell.")
    for what, template in dictionary.TEMPLATES.items():
        st.markdown(f"**{what}**")
        st.dataframe(dictionary.template_columns(template), hide_index=True)
with tab_codes:
    st.dataframe(dictionary.code_lists(), hide_index=True)
with tab_agencies:
    st.dataframe(dictionary.agencies(), hide_index=True)
