"""Duplication hot-spots: where activities of different agencies look like the same work,
why, and what planners decided about each pair.

Over 100 lines: four tabs (hot-spots, pairs to review side by side, reviewed pairs, how the
score works and the planners' re-fitted weights), each a different view a planner needs."""

from datetime import date

import streamlit as st

from icat_analysis import reference
from icat_analysis.analyses import duplication
from icat_analysis.ui import duplication_view as view
from icat_analysis.ui import geo, st_adapter

NAMES, (LOW, HIGH) = reference.labels("country"), duplication.THRESHOLD_RANGE
f = st_adapter.current_filters()
st.title("Duplication hot-spots")
st_adapter.synthetic_banner()
counts = st_adapter.run("duplication_activity_count", f).iloc[0]
n_activities = int(counts["activities"])
st_adapter.show_filter_sentence(n_activities, f)
st_adapter.public_comparison_notice()

if "dup_threshold" not in st.session_state:
    st.session_state["dup_threshold"] = st_adapter.number_from_url(
        "threshold", low=LOW, high=HIGH, default=duplication.DEFAULT_THRESHOLD
    )  # a bad value (nan): the default
if n_activities == 0:
    st_adapter.empty_state(f)
    st.stop()
st.slider("Least score of a likely duplicate", LOW, HIGH, step=0.01, key="dup_threshold",
          on_change=lambda: st.query_params.update(threshold=f"{st.session_state['dup_threshold']:.2f}"),
          help=f"{duplication.DEFAULT_THRESHOLD:.2f} is the default, chosen on the development set (How the score "
          f"works); pairs from {duplication.WORTH_A_LOOK:.2f} are worth a look.")  # fmt: skip
if view.agency_sentence(f):
    st.info(view.agency_sentence(f), icon=":material/filter_alt:")
threshold = float(st.session_state["dup_threshold"])
data_dir = st_adapter.current_data_dir()
weights = view.weights_key(view.weights_in_use(data_dir))
hot = st_adapter.hotspots(f, threshold, weights)
by_country, n_pairs, agencies_involved = hot["by_country"], hot["pairs"], hot["agencies"]
latest = view.latest_reviews(data_dir)
reviewed = set(zip(latest["activity_id_a"], latest["activity_id_b"]))
for col, (label, value, hint) in zip(st.columns(4), [
    ("Likely duplicate pairs", n_pairs, f"Scoring {threshold:.2f} or more"), ("Countries with pairs", len(by_country), None),
    ("Agencies involved", len(agencies_involved), ", ".join(agencies_involved)),
    ("Pairs reviewed", len(latest), "By planners, at any threshold")]):  # fmt: skip
    col.metric(label, f"{value:,}", border=True, help=hint)

# Only the open tab runs and is drawn; a link naming a country opens on the pairs to review.
tab_hot, tab_open, tab_done, tab_how = st.tabs(
    ["Hot-spots", "Pairs to review", "Reviewed pairs", "How the score works"], key="dup_tab", on_change="rerun",
    default="Pairs to review" if st.query_params.get("country") or f.countries else None,
)  # fmt: skip
st_adapter.keep_widget_values("dup_country", "dup_pair")
money = {"Budget involved (USD)": st.column_config.NumberColumn(format="localized")}

if tab_hot.open:
    with tab_hot:
        if by_country.empty:
            st.info(
                duplication.no_pairs_words(threshold, counts, agency_filter=bool(f.agencies)),
                icon=":material/check_circle:",
            )
        else:
            frame = duplication.hotspot_map_frame(by_country, f.place_iso3())
            st_adapter.plotly_chart(lambda: geo.world_choropleth(frame, "value", label="Likely duplicate pairs"),
                                    same=(threshold, weights),
                                    config={"topojsonURL": "app/static/", "displaylogo": False, "scrollZoom": False},
                                    alt="World map of likely duplicate pairs by country")  # fmt: skip
            st.caption(geo.UN_MAP_DISCLAIMER)
            for title, table, name in (("By country", hot["country_table"], "hotspots-by-country"),
                                       ("By country and theme", hot["theme_table"], "hotspots-by-theme")):  # fmt: skip
                st.subheader(title)
                st.dataframe(table, hide_index=True, width="stretch", column_config=money)
                st_adapter.table_downloads(table, f"Hot-spots {title.lower()}", name, title[:30], f"dup_{name}")
            st.caption(view.HOTSPOT_CAPTION)

if tab_open.open:
    with tab_open:
        limit = 500
        pairs = st_adapter.described_pairs(f, min(threshold, duplication.WORTH_A_LOOK), weights, limit + len(reviewed))
        pairs["band"] = [duplication.band(x, threshold) for x in pairs["score"]]
        open_pairs = view.without_reviewed(pairs, reviewed)
        choices = by_country["iso3"].tolist() + sorted(
            {c for cs in open_pairs["countries"] for c in cs} - set(by_country["iso3"])
        )
        wanted = st.query_params.get("country") or (f.countries[0] if len(f.countries) == 1 else None)
        if st.session_state.get("dup_country") not in choices:  # a country chosen in the sidebar or a link opens its pairs
            st.session_state["dup_country"] = wanted if wanted in choices else None
        country = st.selectbox("Country", choices, format_func=lambda c: f"{NAMES.get(c, c)} ({c})", index=None,
                               placeholder="All countries", key="dup_country")  # fmt: skip
        if country:
            open_pairs = open_pairs[[country in list(c) for c in open_pairs["countries"]]]
        if open_pairs.empty:
            st.info("No pair is waiting for review here.", icon=":material/task_alt:")
        else:  # the two bands, then one pair read side by side in full
            shown = open_pairs.head(limit)
            st.dataframe(view.open_table(shown), hide_index=True, width="stretch",
                         column_config={"Why they look alike": st.column_config.TextColumn(width="large")})  # fmt: skip
            st.caption(f"Likely duplicates score {threshold:.2f} or more; from {duplication.WORTH_A_LOOK:.2f} they are "
                       "worth a look." + (f" The {limit:,} best pairs are listed." if len(pairs) > limit else ""))  # fmt: skip
            by_key = {f"{p.activity_id_a}|{p.activity_id_b}": p for p in shown.itertuples(index=False)}
            pair = by_key[
                st.selectbox("Pair", list(by_key), format_func=lambda k: view.pair_label(by_key[k]), key="dup_pair")
            ]
            st.markdown(f"#### Review a pair\n**Why they look alike:** {pair.reasons}.\n\n{view.SIDE_BY_SIDE}")
            st.table(duplication.pair_activities(st_adapter.connection(), pair.activity_id_a, pair.activity_id_b))
            st_adapter.review_form(pair.activity_id_a, pair.activity_id_b)
        st_adapter.review_saved_messages()

if tab_done.open:
    with tab_done:
        if latest.empty:
            st.info("No pair has been reviewed yet.", icon=":material/rate_review:")
        else:
            done = duplication.reviewed_pairs(st_adapter.connection(), latest)
            st.dataframe(view.done_table(done), hide_index=True, width="stretch")
            for col, (label, frame, name) in zip(st.columns(2), [("Download reviews (CSV)", done, "reviews"),
                                                  ("Download full review history (CSV)", view.review_history(data_dir), "review-history")]):  # fmt: skip
                col.download_button(label, st_adapter.with_about(view.reviews_csv(frame)), mime="text/csv",
                                    file_name=f"duplicate-{name}-{date.today():%Y-%m-%d}.csv", icon=":material/download:")  # fmt: skip
            st.caption("A pair marked again keeps its earlier reviews in the history; the latest one is shown.")

if tab_how.open:
    with tab_how:
        st.markdown(duplication.method_markdown(dict(weights)))
        st.subheader("How well does this work?")
        st.caption(view.CURVE_CAPTION)
        for name, one in view.curve_sets():
            st.markdown(f"**{name}.** {view.curve_sentence(one)}")
            st.line_chart(one, x="threshold", y=["precision", "recall"], x_label="Least score", y_label="Share", height=260)
        st.subheader("Reviews teach the score")
        teach = view.teaching(st_adapter.connection(), data_dir, latest)
        st.write(teach["sentence"])
        st.dataframe(teach["table"], hide_index=True, column_config={"part": "Part"})
        who = st.text_input("Accepted or restored by", key="dup_weights_by", max_chars=200)
        c1, c2 = st.columns(2)
        if teach["fitted"] and c1.button("Use the fitted weights", type="primary", disabled=not who.strip()):
            view.accept_fitted(data_dir, teach["fitted"], who)
            st.rerun()
        if len(teach["versions"]):
            st.dataframe(teach["versions"], hide_index=True)
            if c2.button("Restore the previous weights", disabled=not who.strip()):
                view.restore_previous(data_dir, who)
                st.rerun()
