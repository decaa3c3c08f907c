"""Library: the guidelines, training material, good practice, publications, tools and legal
instruments of the ICAT agencies, searched by title and summary. The link keeps the search
and the filters (``?q=child&kind=guideline&language=fr&agency=UNICEF&country=THA&resource=ID``)."""

import streamlit as st

from icat_analysis import reference
from icat_analysis.analyses import library
from icat_analysis.ui import library as texts
from icat_analysis.ui import st_adapter

f = st_adapter.current_filters()
st.title("Library")
st.caption(
    "What the agencies have published on trafficking in persons. Of the shared filters, agency (publishing), "
    "theme, target group, form of exploitation, place and period (year of publication) apply here."
)
KINDS, LANGUAGES = reference.labels("resource_kind"), reference.labels("language")
AGENCIES, COUNTRIES = reference.labels("agency"), reference.labels("country")

c1, c2, c3 = st.columns([2, 1, 1])
with c1:
    search = st_adapter.linked_text_input("Search titles and summaries", "q", placeholder="for example: child victims")
with c2:
    kinds = st_adapter.linked_multiselect("Kind", library.kind_options(), "kind", format_func=KINDS.get)
with c3:
    languages = st_adapter.linked_multiselect(
        "Language", library.language_options(), "language", format_func=LANGUAGES.get
    )
c4, c5 = st.columns(2)
with c4:
    agency = st_adapter.linked_selectbox(
        "Published by", reference.agency_codes(), "agency", format_func=lambda c: f"{c} — {AGENCIES.get(c, c)}"
    )
with c5:
    country = st_adapter.linked_selectbox("Concerning", reference.country_codes(), "country", format_func=COUNTRIES.get)

found = library.resources(
    st_adapter.run, f, search=search, kinds=tuple(kinds), languages=tuple(languages), agency=agency, country=country
)
table = library.table(found)
synthetic = int(found["is_synthetic"].sum())
everything = library.resources(st_adapter.run)
titles = dict(zip(everything["resource_id"], everything["title"]))
picked = st_adapter.linked_selectbox(
    "Open a resource",
    list(dict.fromkeys([*found["resource_id"], *titles])),
    "resource",
    format_func=lambda r: titles.get(r, r),
    placeholder="Pick a resource to read its details",
)
if picked:
    row = everything.set_index("resource_id").loc[picked].copy()
    row["resource_id"] = picked
    st.subheader(texts.md(row["title"]))
    if row["summary"]:
        st.markdown(texts.md(row["summary"]))
    st.markdown("\n".join(f"- **{k}:** {texts.md(v)}" for k, v in library.detail(row)))
    if link := library.safe_link(row["link"]):
        st.link_button("Open the resource", link, icon=":material/open_in_new:")
    for code in row["agencies"] if row["agencies"] is not None else []:
        st_adapter.page_link(
            "pages/agencies.py", f"{AGENCIES.get(code, code)}: profile", ":material/apartment:", agency=code
        )

st.markdown(
    f"**{len(found):,} {'resource matches' if len(found) == 1 else 'resources match'}**"
    + (f" the search *{texts.md(search)}*" if search.strip() else "")
)
shown = ["Title", "Kind", "Year", "Published by", "Languages", "Real or synthetic", "Link"]
if st_adapter.listing(table, shown, synthetic, "entries", "Nothing matches: try fewer words, or remove a filter."):
    st_adapter.table_downloads(table, "Resources", "resources", "Resources", "lib_dl")

st.subheader("Add resources")
st.write(
    "Fill in the template (one row per resource) and load it with `python -m icat_analysis import-resources FILE`."
)
st_adapter.upload_templates("resources")
