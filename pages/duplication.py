"""Duplication hot-spots: where activities of different agencies look like the same work,
why, and what planners decided about each pair."""

from datetime import date

import streamlit as st

from icat_analysis import reference
from icat_analysis.analyses import duplication
from icat_analysis.filters import Filters
from icat_analysis.store import reviews
from icat_analysis.ui import geo, st_adapter

MAP_CONFIG = {"topojsonURL": "app/static/", "displaylogo": False, "scrollZoom": False}
NAMES = reference.labels("country")
LOW, HIGH = duplication.THRESHOLD_RANGE

f = st_adapter.current_filters()
st.title("Duplication hot-spots")
st_adapter.synthetic_banner()
n_activities = int(st_adapter.run("duplication_activity_count", f).iloc[0]["activities"])
st_adapter.show_filter_sentence(n_activities, f)


# ---- cached work, keyed by export version, filters and threshold (never by a DataFrame) ----
@st.cache_data(max_entries=16, show_spinner="Looking for activities that look alike…")
def _scored(path: str, version: str, filters: Filters, threshold: float):
    return duplication.scored_pairs(st_adapter.connection(), filters, threshold=threshold)


@st.cache_data(max_entries=16, show_spinner=False)
def _described(path: str, version: str, filters: Filters, threshold: float, limit: int):
    rows = _scored(path, version, filters, threshold)
    return duplication.describe_pairs(st_adapter.connection(), rows, limit=limit)


def _threshold_from_url() -> float:
    try:
        value = float(st.query_params.get("threshold", duplication.DEFAULT_THRESHOLD))
    except ValueError:
        return duplication.DEFAULT_THRESHOLD
    return min(max(value, LOW), HIGH)


def _threshold_changed() -> None:
    st.query_params["threshold"] = f"{st.session_state['dup_threshold']:.2f}"


if "dup_threshold" not in st.session_state:
    st.session_state["dup_threshold"] = _threshold_from_url()

if n_activities == 0:
    st_adapter.empty_state(f)
    st.stop()

st.slider(
    "Least score of a likely duplicate",
    min_value=LOW,
    max_value=HIGH,
    step=0.01,
    key="dup_threshold",
    on_change=_threshold_changed,
    help=(
        f"Pairs scoring at least this are likely duplicates. {duplication.DEFAULT_THRESHOLD:.2f} is the default, "
        "chosen on the development set (see How the score works); pairs from "
        f"{duplication.WORTH_A_LOOK:.2f} are worth a look."
    ),
)
if f.agencies:
    st.info(
        f"Agency filter: pairs that involve an activity of {', '.join(f.agencies)}; "
        "the other side of a pair may be any agency's.",
        icon=":material/filter_alt:",
    )
threshold = float(st.session_state["dup_threshold"])
path, version = str(st_adapter.current_data_dir()), st_adapter.export_version()
scored = _scored(path, version, f, threshold)
by_country = duplication.hotspots_by_country(scored)
latest = reviews.latest_reviews(st_adapter.current_data_dir())
reviewed = set(zip(latest["activity_id_a"], latest["activity_id_b"]))
n_pairs = scored[["activity_id_a", "activity_id_b"]].drop_duplicates().shape[0] if len(scored) else 0

cols = st.columns(4)
cols[0].metric("Likely duplicate pairs", f"{n_pairs:,}", border=True, help=f"Scoring {threshold:.2f} or more")
cols[1].metric("Countries with pairs", f"{len(by_country):,}", border=True)
agencies_involved = sorted(set(scored["lead_a"]) | set(scored["lead_b"])) if len(scored) else []
cols[2].metric("Agencies involved", f"{len(agencies_involved):,}", border=True, help=", ".join(agencies_involved))
cols[3].metric("Pairs reviewed", f"{len(latest):,}", border=True, help="By planners, at any threshold")

# Only the open tab runs and is drawn; a link naming a country opens on the pairs to review.
tab_hot, tab_open, tab_done, tab_how = st.tabs(
    ["Hot-spots", "Pairs to review", "Reviewed pairs", "How the score works"],
    key="dup_tab",
    on_change="rerun",
    default="Pairs to review" if st.query_params.get("country") else None,
)
# A closed tab's choices are kept for when it opens again.
st_adapter.keep_widget_values("dup_country", "dup_pair")

with tab_hot:
    if by_country.empty:
        st.info(
            f"No pair of activities scores {threshold:.2f} or more with these filters. "
            "Lower the least score or widen the filters.",
            icon=":material/check_circle:",
        )
    else:
        frame = duplication.hotspot_map_frame(by_country, f.place_iso3())
        st_adapter.plotly_chart(
            geo.world_choropleth(frame, "value", label="Likely duplicate pairs"),
            config=MAP_CONFIG,
            alt="World map of likely duplicate pairs by country",
        )
        st.caption(geo.UN_MAP_DISCLAIMER)
        st.subheader("By country")
        by_country_table = by_country.drop(columns=["iso3"]).rename(
            columns={
                "country": "Country",
                "pairs": "Pairs",
                "activities": "Activities involved",
                "agencies": "Agencies",
                "n_agencies": "Number of agencies",
                "budget_usd": "Budget involved (USD)",
                "top_score": "Highest score",
            }
        )
        st.dataframe(
            by_country_table,
            hide_index=True,
            width="stretch",
            column_config={
                "Budget involved (USD)": st.column_config.NumberColumn(format="localized"),
                "Highest score": st.column_config.NumberColumn(format="%.2f"),
            },
        )
        st_adapter.table_downloads(
            by_country_table, "Hot-spots by country", "hotspots-by-country", "Hot-spots", "dup_country_dl"
        )
        st.caption(
            "A pair sharing several countries counts in each. Budget involved: the sum of the budgets "
            "of the activities in these pairs, each counted once per country (regional budgets are not split)."
        )
        st.subheader("By country and theme")
        by_theme = duplication.hotspots_by_country_theme(scored)
        by_theme_table = by_theme.drop(columns=["iso3", "n_agencies"]).rename(
            columns={
                "country": "Country",
                "theme": "Theme",
                "pairs": "Pairs",
                "activities": "Activities involved",
                "agencies": "Agencies",
                "budget_usd": "Budget involved (USD)",
                "top_score": "Highest score",
            }
        )
        st.dataframe(
            by_theme_table,
            hide_index=True,
            width="stretch",
            column_config={
                "Budget involved (USD)": st.column_config.NumberColumn(format="localized"),
                "Highest score": st.column_config.NumberColumn(format="%.2f"),
            },
        )
        st.caption("A pair counts under every theme both activities share.")
        st_adapter.table_downloads(
            by_theme_table, "Hot-spots by country and theme", "hotspots-by-theme", "Hot-spots by theme", "dup_theme_dl"
        )

with tab_open:
    limit = 500
    lowest = min(threshold, duplication.WORTH_A_LOOK)  # the two bands: likely duplicates and worth a look
    pairs = _described(path, version, f, lowest, limit + len(reviewed))
    pairs["band"] = [duplication.band(x, threshold) for x in pairs["score"]]
    open_pairs = reviews.without_reviewed(pairs, reviewed)
    countries_with_pairs = by_country["iso3"].tolist()
    url_country = st.query_params.get("country")
    if "dup_country" not in st.session_state:
        st.session_state["dup_country"] = url_country if url_country in countries_with_pairs else None
    if st.session_state["dup_country"] not in countries_with_pairs:
        st.session_state["dup_country"] = None
    country = st.selectbox(
        "Country",
        countries_with_pairs,
        format_func=lambda c: f"{NAMES.get(c, c)} ({c})",
        index=None,
        placeholder="All countries",
        key="dup_country",
    )
    if country:
        open_pairs = open_pairs[[country in list(c) for c in open_pairs["countries"]]]
    if open_pairs.empty:
        st.info("No pair is waiting for review here.", icon=":material/task_alt:")
    else:
        shown = open_pairs.head(limit)
        st.dataframe(
            shown[
                ["band", "score", "activity_id_a", "lead_a", "title_a", "activity_id_b", "lead_b", "title_b", "reasons"]
            ],
            hide_index=True,
            width="stretch",
            column_config={
                "band": "Band",
                "score": st.column_config.ProgressColumn("Score", format="%.2f", min_value=0, max_value=1),
                "activity_id_a": "Activity A",
                "lead_a": "Lead A",
                "title_a": st.column_config.TextColumn("Title A", width="medium"),
                "activity_id_b": "Activity B",
                "lead_b": "Lead B",
                "title_b": st.column_config.TextColumn("Title B", width="medium"),
                "reasons": st.column_config.TextColumn("Why they look alike", width="large"),
            },
        )
        st.caption(
            f"Likely duplicates score {threshold:.2f} or more; pairs from {duplication.WORTH_A_LOOK:.2f} are worth a look."
            + (
                f" The {limit:,} best-scoring pairs are listed; pick a country to see its own."
                if len(pairs) > limit
                else ""
            )
        )

        st.subheader("Review a pair")
        keys = [f"{a}|{b}" for a, b in zip(shown["activity_id_a"], shown["activity_id_b"])]
        by_key = dict(zip(keys, shown.itertuples(index=False)))
        choice = st.selectbox(
            "Pair",
            keys,
            format_func=lambda k: f"{k.replace('|', ' and ')} (score {by_key[k].score:.2f})",
            key="dup_pair",
        )
        pair = by_key[choice]
        st.markdown(f"**Why they look alike:** {pair.reasons}.")
        st.caption("Both activities in full, side by side: ✓ both list it, ≈ the other lists a related code.")
        st.table(duplication.pair_activities(st_adapter.connection(), pair.activity_id_a, pair.activity_id_b))
        with st.form("dup_review", clear_on_submit=True, border=True):
            verdict = st.radio(
                "This pair is",
                list(reviews.VERDICTS),
                format_func=reviews.VERDICTS.get,
                index=None,
                horizontal=False,
            )
            note = st.text_area("Note", max_chars=reviews.MAX_NOTE, placeholder="What you found out")
            reviewer = st.text_input("Your name", max_chars=200)
            if st.form_submit_button("Save review", type="primary"):
                try:
                    reviews.add_review(
                        st_adapter.current_data_dir(),
                        pair.activity_id_a,
                        pair.activity_id_b,
                        verdict or "",
                        reviewer,
                        note,
                    )
                except ValueError as exc:
                    st.error(f"Not saved: {exc}.", icon=":material/error:")
                except OSError as exc:
                    st.error(f"Not saved: the data directory cannot be written ({exc}).", icon=":material/error:")
                else:
                    st.session_state["dup_saved"] = (
                        f"Saved: {pair.activity_id_a} and {pair.activity_id_b} marked {verdict}."
                    )
                    st.rerun()
    if st.session_state.get("dup_saved"):
        st.success(st.session_state.pop("dup_saved"), icon=":material/check:")

with tab_done:
    if latest.empty:
        st.info("No pair has been reviewed yet.", icon=":material/rate_review:")
    else:
        done = duplication.reviewed_pairs(st_adapter.connection(), latest)
        st.dataframe(
            done[
                [
                    "verdict",
                    "activity_id_a",
                    "lead_a",
                    "title_a",
                    "activity_id_b",
                    "lead_b",
                    "title_b",
                    "note",
                    "reviewer",
                    "reviewed_at",
                    "reviews",
                ]
            ],
            hide_index=True,
            width="stretch",
            column_config={
                "verdict": "Verdict",
                "activity_id_a": "Activity A",
                "lead_a": "Lead A",
                "title_a": "Title A",
                "activity_id_b": "Activity B",
                "lead_b": "Lead B",
                "title_b": "Title B",
                "note": st.column_config.TextColumn("Note", width="large"),
                "reviewer": "Reviewer",
                "reviewed_at": "When (UTC)",
                "reviews": st.column_config.NumberColumn("Reviews", help="Earlier reviews of the pair are kept"),
            },
        )
        c1, c2 = st.columns(2)
        c1.download_button(
            "Download reviews (CSV)",
            st_adapter.with_about(reviews.reviews_csv(done)),
            file_name=f"duplicate-reviews-{date.today():%Y-%m-%d}.csv",
            mime="text/csv",
            icon=":material/download:",
        )
        c2.download_button(
            "Download full review history (CSV)",
            st_adapter.with_about(reviews.reviews_csv(reviews.history(st_adapter.current_data_dir()))),
            file_name=f"duplicate-review-history-{date.today():%Y-%m-%d}.csv",
            mime="text/csv",
            icon=":material/history:",
        )
        st.caption("A pair marked again keeps its earlier reviews in the history; the latest one is shown.")

with tab_how:
    st.markdown(duplication.method_markdown())
    st.subheader("How well does this work?")
    curve = duplication.calibration()
    st.caption(
        "Precision (of the pairs listed, the share that are planted duplicates) and recall (of the planted "
        "duplicates, the share listed) at each least score, on the development set: synthetic demo exports "
        "with planted duplicates that vary as agencies report, and hard decoys."
    )
    for name, one in curve.groupby("development_set", sort=False):
        st.markdown(f"**{name}**")
        st.line_chart(one, x="threshold", y=["precision", "recall"], x_label="Least score", y_label="Share")
