"""Indicators: UNODC's trafficking in persons figures (GLOTIP) for a country, a sub-region, a
region or the world, with who reports them and the activities of the selection beside them.

Over 100 lines: the indicator's lines and the citizenship of the people counted are two
views, each with its choices, notes and table."""

import streamlit as st

from icat_analysis.analyses import indicators as ind
from icat_analysis.ui import indicator_charts, st_adapter

f = st_adapter.current_filters()
st.title("Indicators")
n_activities = int(st_adapter.run("indicators_selected_count", f)["activities"].iloc[0])
st_adapter.show_filter_sentence(n_activities, f)
st_adapter.synthetic_banner()
cite = ind.citation(st_adapter.manifest())

available = st_adapter.run("indicators_available")
if available.empty:
    st.info(
        "No UNODC indicators are loaded in this export. Load the GLOTIP workbook with "
        "`python -m icat_analysis import-glotip FILE`.",
        icon=":material/inbox:",
    )
    st.stop()

names = ind.indicator_names(available["indicator"])
left, middle, right = st.columns([3, 3, 4])
# The indicator can come from a link (?indicator=...); an unknown one falls back to the first.
linked = st_adapter.linked("ind_indicator", "indicator", lambda v: ind.indicator_from_param(v, names))
indicator = left.selectbox("Indicator", names, **linked)
st_adapter.set_param("indicator", indicator)  # the link names the indicator shown, chosen or not

countries = st_adapter.run("indicators_countries", indicator=indicator)
preselect = ind.preselected_area(f)
options = ind.area_options(countries, preselect)
keys = [a.key for a in options]
# The sidebar's place filters choose the area when they change; the link's or the page's own
# choice wins otherwise (?area=region:Africa).
st_adapter.reset_when_changed("ind_area", preselect.key, param="area", allowed=keys)
by_key = {a.key: a for a in options}
area_key = middle.selectbox(
    "Area",
    keys,
    **st_adapter.linked("ind_area", "area", keys, default=preselect.key),
    format_func=lambda k: f"{ind.area_kind_label(by_key[k])}: {by_key[k].label}",
    help="Sub-regions and regions follow UN M49. Their totals add up the countries' own figures.",
)
area = by_key[area_key]
with right:
    breakdown_words = st_adapter.linked("ind_breakdown", "breakdown", list(ind.BREAKDOWNS), default="total")
    breakdown = st_adapter.segmented("Breakdown", ind.BREAKDOWNS, **breakdown_words)

about = ind.definition(indicator)

series = ind.area_series(st_adapter.run, indicator, area, breakdown)
if series.empty:
    st.info(ind.no_figures_text(indicator, area, breakdown), icon=":material/search_off:")
else:
    years = (int(series["year"].min()), int(series["year"].max()))
    activities = ind.activities_by_year(st_adapter.run, f, area, years)
    title = ind.chart_title(about, area, breakdown)
    synthetic = bool(st_adapter.manifest().get("synthetic"))
    fig = lambda: indicator_charts.trend_figure(series, title=title, aggregate=area.is_aggregate,  # noqa: E731
                                                activities=activities, synthetic=synthetic)
    st_adapter.plotly_chart(fig, key="ind_trend", same=(indicator, area_key, breakdown), source="both")
    st.caption(ind.chart_notes(series, area))
    st.caption(ind.PREVALENCE_CAVEAT)
    with st.expander("Table of the figures"):
        table = ind.series_table(series, aggregate=area.is_aggregate)
        st.dataframe(table, hide_index=True)
        st_adapter.table_downloads(
            table, "Figures", ind.file_stem(indicator, area, breakdown), "Figures", "ind_trend_dl"
        )

st.markdown(f"**{indicator}.** {about['definition']}")
st.caption(about["caveat"])

# ---- citizenship ---------------------------------------------------------------------------
with_citizenship = ind.citizenship_countries(countries, area)
# Closed (as it opens), the section is not built: its two charts were most of the browser's work.
box = None if with_citizenship.empty else st.expander("Where the people counted come from", key="ind_origins_open",
                                                      on_change="rerun")  # fmt: skip
if box is not None and box.open:
    with box:
        country_names = dict(zip(with_citizenship["iso3"], with_citizenship["name"]))
        if len(country_names) == 1:
            detecting = next(iter(country_names))
        else:
            # The country publishing the most citizenship figures comes first: the richest view.
            richest = with_citizenship.sort_values(["citizenship_cells", "name"], ascending=[False, True])
            detecting = st.selectbox(
                "Country of detection",
                richest["iso3"].tolist(),
                format_func=country_names.get,
                key="ind_detecting",
                help="Citizenship is published for one country of detection at a time.",
            )
        origins = ind.origins(st_adapter.run, indicator, detecting)
        year, latest, censored_origins = ind.latest_origins(origins, top=10)
        c1, c2 = st.columns(2)
        with c1:
            if latest.empty:
                st.info(
                    st_adapter.literal(f"In {year}, every citizenship {country_names[detecting]} reported was below 5.")
                )
            else:
                st_adapter.plotly_chart(
                    lambda: indicator_charts.origins_bar_figure(
                        latest, title=f"Largest citizenships, {country_names[detecting]}, {year}"
                    ),
                    key="ind_origins_latest",
                    same=(indicator, detecting),
                    source="indicators",
                )
            if censored_origins:
                st.caption(
                    st_adapter.literal(
                        f"Also reported in {year} as fewer than 5 (<5): " + "; ".join(censored_origins) + "."
                    )
                )
        with c2:
            top = ind.top_origins(origins, top=6)
            trend = origins[origins["series"].isin(top)]
            if not trend.empty:
                st_adapter.plotly_chart(
                    lambda: indicator_charts.trend_figure(
                        trend, title=f"Largest citizenships over time, {country_names[detecting]}", aggregate=False
                    ),
                    key="ind_origins_trend",
                    same=(indicator, detecting),
                    source="indicators",
                )
        st.caption("'Nationals' are citizens of the country of detection, trafficked within their own country.")
        st.markdown("**Table of citizenships**")  # an expander holds no other expander
        table = ind.origins_table(origins)
        st.dataframe(table, hide_index=True, height=250)
        name = ind.file_stem(indicator, ind.Area("country", (detecting,)), "citizenship")
        st_adapter.table_downloads(table, "Citizenships", name, "Citizenships", "ind_origins_dl")

# ---- source and definitions -------------------------------------------------------------
st.divider()
st.markdown(f"**Source:** {st_adapter.literal(cite)}.")
with st.expander("What each indicator counts"):
    for _, row in ind.definitions().iterrows():
        st.markdown(f"**{row['indicator']}.** {row['definition']}")
        st.caption(row["caveat"])
