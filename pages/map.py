"""Map: who works where. A world map of the selected activities by country, a country's
profile, and detected victims set against protection activities."""

import streamlit as st

from icat_analysis import reference
from icat_analysis.analyses import country_profile, need
from icat_analysis.ui import geo, st_adapter

MAP_CONFIG = {"topojsonURL": "app/static/", "displaylogo": False, "scrollZoom": False}
PLAIN_CONFIG = {"displaylogo": False}
NAMES = reference.labels("country")

f = st_adapter.current_filters()
st.title("Map")
st_adapter.synthetic_banner()
scope = st_adapter.run("map_scope_counts", f).iloc[0]
n_activities = int(scope["activities"])
st_adapter.show_filter_sentence(n_activities, f)


# ---- page state: the metric and the country live in the URL so a view can be shared ----
def _url_value(key: str, allowed) -> str | None:
    value = st.query_params.get(key)
    return value if value in allowed else None


if "map_metric" not in st.session_state:
    st.session_state["map_metric"] = _url_value("metric", geo.METRICS) or "activities"
if "map_country" not in st.session_state:
    st.session_state["map_country"] = _url_value("country", NAMES)


def _metric_changed() -> None:
    if not st.session_state.get("map_metric"):
        st.session_state["map_metric"] = "activities"
    st.query_params["metric"] = st.session_state["map_metric"]


def _country_changed() -> None:
    iso3 = st.session_state.get("map_country")
    if iso3:
        st.query_params["country"] = iso3
    elif "country" in st.query_params:
        del st.query_params["country"]


def _map_clicked() -> None:
    # A click on a country (or a small state's marker) opens its profile.
    iso3 = geo.iso3_from_selection(st.session_state["map_chart"].get("selection"))
    if iso3 in NAMES:
        st.session_state["map_country"] = iso3
        _country_changed()


if n_activities == 0:
    st_adapter.empty_state(f)
else:
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    with left:
        st.segmented_control(
            "Colour countries by",
            list(geo.METRICS),
            format_func=lambda k: geo.METRICS[k].label,
            key="map_metric",
            on_change=_metric_changed,
        )
    metric = geo.METRICS[st.session_state["map_metric"] or "activities"]
    values = st_adapter.run(metric.query, f)
    presence = st_adapter.run("map_country_values", f)
    frame = geo.map_frame(values, metric, f.place_iso3(), presence)
    in_selection = frame.loc[frame["in_selection"], "iso3"].tolist()
    if st.session_state.get("map_country") not in in_selection:
        # A filter moved the country out of the selection: close its profile.
        st.session_state["map_country"] = None
    with right:
        st.selectbox(
            "Country profile",
            sorted(in_selection, key=lambda c: NAMES.get(c, c)),
            format_func=lambda c: f"{NAMES.get(c, c)} ({c})",
            index=None,
            placeholder="Pick a country, or click one on the map",
            key="map_country",
            on_change=_country_changed,
        )

    fig = geo.world_choropleth(
        frame, "value", label=metric.label, colorscale=metric.colorscale, highlight=st.session_state.get("map_country")
    )
    st_adapter.plotly_chart(
        fig,
        key="map_chart",
        on_select=_map_clicked,
        selection_mode="points",
        config=MAP_CONFIG,
        alt=f"World map of {metric.label.lower()} by country",
    )
    st.caption(geo.UN_MAP_DISCLAIMER)

    # None dropped in silence: say how regional and global activities reach the map.
    parts = []
    if scope["regional"]:
        parts.append(f"{int(scope['regional']):,} regional activities counted in each of their countries")
    if scope["global_with_countries"]:
        parts.append(
            f"{int(scope['global_with_countries']):,} global activities with a country list, "
            "counted in each listed country"
        )
    note = "The map includes " + "; ".join(parts) + "." if parts else ""
    if scope["without_countries"]:
        note += (
            f" {int(scope['without_countries']):,} global activities without a country list are not on the map"
            " (they appear in the totals above and on the other pages)."
        )
    st.markdown(f"{metric.description} {note}".strip())
    if frame["value"].fillna(0).gt(0).sum() == 0:
        st.info(f"No country has a {metric.label.lower()} value for these filters.", icon=":material/info:")

    # ---- the country profile -------------------------------------------------------------
    iso3 = st.session_state.get("map_country")
    if iso3:
        name = NAMES.get(iso3, iso3)
        st.header(f"{name} ({iso3})", anchor="country-profile")
        acts = st_adapter.run("country_activities", f, iso3=iso3, by_lead=False, limit=country_profile.SHOWN)
        agencies = st_adapter.run("country_agencies", f, iso3=iso3)
        s = country_profile.summary(st_adapter.run("country_summary", f, iso3=iso3), agencies)
        c = st.columns(4)
        c[0].metric("Activities", f"{s['activities']:,}", border=True)
        c[1].metric("Agencies present", f"{s['agencies_present']:,}", border=True)
        c[2].metric(
            "Known budget",
            geo.format_value(s["known_budget_usd"], "usd_short"),
            help=f"{s['activities_with_budget']:,} of {s['activities']:,} activities state a budget",
            border=True,
        )
        c[3].metric(
            "Regional or global",
            f"{s['regional_or_global']:,}",
            help="Activities that also work in other countries",
            border=True,
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
                    acts_table = country_profile.activities_table(acts)
                    st.dataframe(
                        acts_table,
                        hide_index=True,
                        width="stretch",
                        column_config={
                            "Budget (USD)": st.column_config.NumberColumn(format="localized"),
                            "Title": st.column_config.TextColumn(width="large"),
                        },
                    )
                    if s["activities"] > len(acts):
                        st.caption(
                            f"The first {len(acts):,} of {s['activities']:,} activities, by start date;"
                            " the downloads hold them all."
                        )
                    st_adapter.table_downloads(
                        lambda: country_profile.activities_table(
                            st_adapter.fetch("country_activities", f, iso3=iso3, by_lead=False, limit=None)
                        ),
                        "Activities",
                        f"{iso3.lower()}-activities",
                        f"{iso3} activities",
                        "map_acts_dl",
                    )
        if tab_agencies.open:
            with tab_agencies:
                a, b = st.columns([2, 1])
                with a:
                    st.dataframe(
                        country_profile.agencies_table(agencies),
                        hide_index=True,
                        width="stretch",
                        column_config={"Name": st.column_config.TextColumn(width="medium")},
                    )
                with b:
                    st.dataframe(
                        country_profile.theme_counts(st_adapter.run("country_theme_counts", f, iso3=iso3)),
                        hide_index=True,
                        width="stretch",
                    )
                    st.caption("An activity with several themes counts under each.")
        if tab_timeline.open:
            with tab_timeline:
                if acts.empty:
                    st.info(f"No activities in {name} to draw.", icon=":material/info:")
                else:
                    timeline = st_adapter.run(
                        "country_activities", f, iso3=iso3, by_lead=True, limit=country_profile.TIMELINE_ROWS
                    )
                    st_adapter.plotly_chart(
                        country_profile.timeline_figure(timeline, st_adapter.today()),
                        config=PLAIN_CONFIG,
                        alt=f"Timeline of activities in {name} by lead agency",
                    )
                    if s["activities"] > len(timeline):
                        st.caption(
                            f"The first {len(timeline):,} of {s['activities']:,} activities, by lead agency and start date."
                        )
        if tab_trend.open:
            with tab_trend:
                trend = st_adapter.run("country_victims_trend", iso3=iso3)
                if trend.empty:
                    st.info(f"UNODC publishes no total of detected victims for {name}.", icon=":material/info:")
                else:
                    st_adapter.plotly_chart(
                        country_profile.victims_trend_figure(trend, name),
                        config=PLAIN_CONFIG,
                        alt=f"Detected victims of trafficking in {name} by year",
                    )
                    censored = "Open circles in the shaded band: years UNODC published as fewer than 5 (<5). "
                    st.caption(
                        (censored if trend["is_censored"].fillna(False).any() else "")
                        + f"{need.CAVEAT.split('. ')[0]}. Source: "
                        + need.citation(st_adapter.manifest(), trend["source"].dropna().unique().tolist())
                    )
        st_adapter.country_library(iso3, name)

# ---- coverage against detected need ------------------------------------------------------
detections = st_adapter.run("need_detections_and_protection", f) if n_activities else None
if detections is None:
    pass
elif detections.empty:
    st.header("Coverage against detected need", anchor="need")
    st.info(
        "The export holds no UNODC counts of detected victims. Load them with "
        "`python -m icat_analysis import-glotip FILE`.",
        icon=":material/info:",
    )
else:
    st.header("Coverage against detected need", anchor="need")
    ranked = need.possible_gaps(detections, f.place_iso3())
    st.markdown(
        "Countries where UNODC data show detected victims in their latest reported year, set against "
        "the selected protection-themed activities working there in that year or now. Ranked by "
        "detected victims per protection activity (plus one, so that a country with none ranks first "
        "among equals): the top rows are possible gaps worth a question."
    )
    st.warning(need.CAVEAT, icon=":material/warning:")
    if f.themes and "protection" not in f.themes:
        st.info(
            "The theme filter leaves out protection, so no protection activity is counted below.",
            icon=":material/filter_alt:",
        )
    if ranked.empty:
        st.info("No country in the selected places has UNODC counts of detected victims.", icon=":material/info:")
    else:
        gaps = need.gaps_table(ranked)
        st.dataframe(gaps, hide_index=True, width="stretch", height=420)
        st_adapter.table_downloads(gaps, "Possible gaps", "possible-gaps", "Possible gaps", "map_gaps_dl")
    st.caption(
        "Source: " + need.citation(st_adapter.manifest(), []) + ". Detected victims: total, all forms, sexes and ages."
    )
