"""Map: who works where. A world map of the selected activities by country, a country's
profile, and detected victims set against protection activities.

Over 100 lines: the country profile has four tabs, each with its own table or chart."""

from functools import partial

import streamlit as st

from icat_analysis import reference
from icat_analysis.analyses import country_profile as cp
from icat_analysis.analyses import need
from icat_analysis.ui import country_charts, geo, st_adapter

MAP_CONFIG = {"scrollZoom": False}  # the page scrolls; the map zooms with its buttons
NAMES = reference.labels("country")

f = st_adapter.current_filters()
st.title("Map")
st_adapter.synthetic_banner()
scope = st_adapter.run("map_scope_counts", f).iloc[0]
n_activities = int(scope["activities"])
st_adapter.show_filter_sentence(n_activities, f)
# The metric and the country live in the URL so a view can be shared.
metric_widget = st_adapter.linked("map_metric", "metric", list(geo.METRICS), default="activities")
country_widget = st_adapter.linked("map_country", "country", NAMES)


def _map_clicked() -> None:
    # A click on a country (or a small state's marker) opens its profile.
    iso3 = geo.iso3_from_selection(st.session_state["map_chart"].get("selection"))
    if iso3 in NAMES:
        st.session_state["map_country"] = iso3
        st_adapter.set_param("country", iso3)


if n_activities == 0:
    st_adapter.empty_state(f)
else:
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    with left:
        labels = {k: m.label for k, m in geo.METRICS.items()}
        metric = geo.METRICS[st_adapter.segmented("Colour countries by", labels, **metric_widget)]
    values, presence = st_adapter.run(metric.query, f), st_adapter.run("map_country_values", f)
    frame = geo.map_frame(values, metric, f.place_iso3(), presence)
    in_selection = frame.loc[frame["in_selection"], "iso3"].tolist()
    if st.session_state.get("map_country") not in in_selection:
        st.session_state["map_country"] = None  # a filter moved the country out of the selection
    with right:
        st.selectbox(
            "Country profile",
            sorted(in_selection, key=lambda c: NAMES.get(c, c)),
            format_func=lambda c: f"{NAMES.get(c, c)} ({c})",
            index=None,
            placeholder="Pick a country, or click one on the map",
            **country_widget,
        )
    iso3 = st.session_state.get("map_country")
    alt = f"World map of {metric.label.lower()} by country"
    chart = dict(key="map_chart", on_select=_map_clicked, selection_mode="points", config=MAP_CONFIG, alt=alt)
    draw = dict(label=metric.label, colorscale=metric.colorscale, highlight=iso3)
    st_adapter.plotly_chart(lambda: geo.world_choropleth(frame, "value", **draw), same=(metric.column, iso3), **chart)
    st.caption(geo.UN_MAP_DISCLAIMER)
    st_adapter.map_note(metric.description, scope, f)
    if frame["value"].fillna(0).gt(0).sum() == 0:
        st.info(f"No country has a {metric.label.lower()} value for these filters.", icon=":material/info:")

    # ---- the country profile -------------------------------------------------------------
    if iso3:
        name = NAMES.get(iso3, iso3)
        st.header(f"{name} ({iso3})", anchor="country-profile")
        acts = st_adapter.run("country_activities", f, iso3=iso3, by_lead=False, limit=cp.SHOWN)
        agencies = st_adapter.run("country_agencies", f, iso3=iso3)
        s = cp.summary(st_adapter.run("country_summary", f, iso3=iso3), agencies)
        budget_help = f"{s['activities_with_budget']:,} of {s['activities']:,} activities state a budget"
        st_adapter.metric_row(
            [
                ("Activities", f"{s['activities']:,}"),
                ("Agencies present", f"{s['agencies_present']:,}"),
                ("Known budget", geo.format_value(s["known_budget_usd"], "usd_short"), budget_help),
                ("Regional or global", f"{s['regional_or_global']:,}", "Activities that also work in other countries"),
            ]
        )
        # Only the open tab runs and is drawn.
        tab_acts, tab_agencies, tab_timeline, tab_trend = st.tabs(
            ["Activities", "Agencies and themes", "Timeline", "Detected victims (UNODC)"],
            key="map_profile_tab",
            on_change="rerun",
        )
        if tab_acts.open:
            with tab_acts:
                if acts.empty:
                    st.info(f"None of the selected activities works in {name}.", icon=":material/info:")
                else:
                    st_adapter.table(cp.activities_table(acts), large=["Title"], numbers=["Budget (USD)"])
                    if note := cp.shown_note(len(acts), s["activities"], "by start date"):
                        st.caption(f"{note}; the downloads hold them all.")
                    every = partial(st_adapter.fetch, "country_activities", f, iso3=iso3, by_lead=False, limit=None)
                    rows = lambda: cp.activities_table(every())  # noqa: E731 - read only when clicked
                    st_adapter.table_downloads(
                        rows, "Activities", f"{iso3.lower()}-activities", f"{iso3} activities", "map_acts_dl"
                    )
        if tab_agencies.open:
            with tab_agencies:
                a, b = st.columns([2, 1])
                st_adapter.table(cp.agencies_table(agencies), a, medium=["Name"])
                st_adapter.table(cp.theme_counts(st_adapter.run("country_theme_counts", f, iso3=iso3)), b)
                b.caption("An activity with several themes counts under each.")
        if tab_timeline.open:
            with tab_timeline:
                if acts.empty:
                    st.info(f"No activities in {name} to draw.", icon=":material/info:")
                else:
                    timeline = st_adapter.run("country_activities", f, iso3=iso3, by_lead=True, limit=cp.TIMELINE_ROWS)
                    fig = lambda: country_charts.timeline_figure(timeline, st_adapter.today())  # noqa: E731
                    alt = f"Timeline of activities in {name} by lead agency"
                    st_adapter.plotly_chart(fig, alt=alt, same=(iso3, st_adapter.today()))
                    if note := cp.shown_note(len(timeline), s["activities"], "by lead agency and start date"):
                        st.caption(f"{note}.")
        if tab_trend.open:
            with tab_trend:
                trend = st_adapter.run("country_victims_trend", iso3=iso3)
                if trend.empty:
                    st.info(f"UNODC publishes no total of detected victims for {name}.", icon=":material/info:")
                else:
                    fig = lambda: country_charts.victims_trend_figure(trend, name)  # noqa: E731
                    alt = f"Detected victims of trafficking in {name} by year"
                    st_adapter.plotly_chart(fig, alt=alt, same=(iso3,), source="indicators")
                    st.caption(cp.trend_caption(trend, st_adapter.manifest()))
        st_adapter.country_library(iso3, name)

# ---- coverage against detected need ------------------------------------------------------
detections = st_adapter.run("need_detections_and_protection", f) if n_activities else None
if detections is not None:
    st.header("Coverage against detected need", anchor="need")
if detections is not None and detections.empty:
    st.info(need.NO_DETECTIONS, icon=":material/info:")
elif detections is not None:
    ranked = need.possible_gaps(detections, f.place_iso3())
    st.markdown(need.INTRO)
    st.warning(need.CAVEAT, icon=":material/warning:")
    if note := need.theme_note(f.themes):
        st.info(note, icon=":material/filter_alt:")
    if ranked.empty:
        st.info("No country in the selected places has UNODC counts of detected victims.", icon=":material/info:")
    else:
        gaps = need.gaps_table(ranked)
        st_adapter.table(gaps, height=420)
        st_adapter.table_downloads(gaps, "Possible gaps", "possible-gaps", "Possible gaps", "map_gaps_dl")
    st.caption(need.source_caption(st_adapter.manifest()))
