"""Events: ICAT meetings, conferences, trainings, campaign days and deadlines, upcoming and
past or a month at a time; the selection downloads as a calendar file (.ics). The link keeps
the view and the filters (``?view=month&month=2027-03&kind=training&agency=IOM&country=AUT``)."""

import streamlit as st

from icat_analysis import reference
from icat_analysis.analyses import events
from icat_analysis.ui import library as texts
from icat_analysis.ui import st_adapter


def _move_month(month: tuple[int, int], by: int) -> None:
    y, m = events.shift_month(*month, by)
    st.query_params["month"] = f"{y:04d}-{m:02d}"


f = st_adapter.current_filters()
st.title("Events")
today = st_adapter.today()
KINDS, AGENCIES, COUNTRIES = reference.labels("event_kind"), reference.labels("agency"), reference.labels("country")
everything = events.events(st_adapter.run, f)

if st_adapter.presenting():
    st.subheader("Next events")
    for _, row in events.next_events(everything, today, 5).iterrows():
        st.markdown(texts.event_line(row))

st.caption(
    "Of the shared filters, agency (organising), theme, place (an online event is in no country) and period apply here."
)
c1, c2, c3, c4 = st.columns([2, 2, 2, 2])
with c1:
    view = st_adapter.linked_segmented(
        "Show",
        list(events.VIEWS),
        "view",
        "upcoming",
        format_func={"upcoming": "Upcoming", "past": "Past", "month": "Month"}.get,
    )
with c2:
    kinds = st_adapter.linked_multiselect("Kind", reference.codes("event_kind"), "kind", format_func=KINDS.get)
with c3:
    agency = st_adapter.linked_selectbox(
        "Organised by", reference.agency_codes(), "agency", format_func=lambda c: f"{c} — {AGENCIES.get(c, c)}"
    )
with c4:
    country = st_adapter.linked_selectbox("Held in", reference.country_codes(), "country", format_func=COUNTRIES.get)

df = events.events(st_adapter.run, f, kinds=tuple(kinds), agency=agency, country=country)
shown_month = events.month_value(st.query_params.get("month")) or (today.year, today.month)
if view == "month":
    left, mid, right = st.columns([1, 3, 1], vertical_alignment="center")
    left.button(
        "Previous month", on_click=_move_month, args=(shown_month, -1), icon=":material/chevron_left:", width="stretch"
    )
    mid.subheader(f"{events.month_name(*shown_month)}")
    right.button(
        "Next month", on_click=_move_month, args=(shown_month, 1), icon=":material/chevron_right:", width="stretch"
    )
    st.html(texts.month_html(events.month_grid(df, *shown_month), f"Events in {events.month_name(*shown_month)}"))
    selected = events.in_month(df, *shown_month)
else:
    selected = events.upcoming(df, today) if view == "upcoming" else events.past(df, today)

table = events.table(selected)
synthetic = int(selected["is_synthetic"].sum())
st.markdown(f"**{events.count_words(len(selected), view)}**")
shown = ["Dates", "Title", "Kind", "Place", "Organised by", "Real or synthetic", "Link"]
if st_adapter.listing(table, shown, synthetic, "events", "Nothing in this selection: no event matches."):
    st.download_button(
        events.ics_label(len(selected)),
        data=lambda: texts.ics_bytes(selected, st_adapter.now()),
        file_name="icat-events.ics",
        mime="text/calendar",
        icon=":material/calendar_add_on:",
        on_click="ignore",
        key="ev_ics",
    )
    st_adapter.table_downloads(table, "Events", "events", "Events", "ev_dl")

st.subheader("Add events")
st.write("Fill in the template (one row per event) and load it with `python -m icat_analysis import-events FILE`.")
st_adapter.upload_templates("events")
