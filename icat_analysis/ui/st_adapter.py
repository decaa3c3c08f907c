"""The one place the analysis package meets Streamlit: the cached connection, cached
queries, and the filter sidebar shared by every page.

Filters live in plain session keys seeded once from the URL; each widget gets its value
copied in before it is drawn and copies it back in ``on_change``, and the URL is rewritten
on every run. (A widget bound straight to the URL loses its value when the user moves to
another page.)
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from icat_analysis import reference
from icat_analysis.filters import LIST_FIELDS, MIN_YEAR, Filters, allowed_values, max_year
from icat_analysis.paths import data_dir
from icat_analysis.store import db, export
from icat_analysis.ui import downloads, provenance
from icat_analysis.ui.presentation import PRESENT_KEY, PRESENTATION_CSS, chart_config, is_presenting, with_sentence

FILTER_PREFIX = "flt_"
WIDGET_PREFIX = "w_"
#: query parameters that belong to pages, not to the shared filter set; kept when the URL is rewritten
PAGE_KEYS = ("country", "agency", "present", "metric", "indicator", "threshold", "pair")


# ---- data ------------------------------------------------------------------------------
EXPORT_STATE = "_export"


def exports() -> dict[str, Path]:
    """The exports this dashboard offers (name -> directory)."""
    return provenance.available_exports()


def current_export() -> str | None:
    """The name of the export shown: the one chosen in the sidebar or named by the link."""
    _seed_from_url()
    name = st.session_state.get(EXPORT_STATE)
    offered = exports()
    if name not in offered:  # an export removed while the session was open
        name = provenance.default_export(list(offered))
        st.session_state[EXPORT_STATE] = name
    return name


def current_data_dir() -> Path:
    return exports().get(current_export()) or data_dir()


def export_version() -> str:
    return export.export_version(current_data_dir())


@st.cache_resource(max_entries=4, show_spinner=False)
def _connection(path: str, version: str):
    # One connection per export version: a new import opens a new one; each export has its own.
    return db.connect(Path(path))


def connection():
    return _connection(str(current_data_dir()), export_version())


@st.cache_data(max_entries=512, show_spinner=False)
def _cached_query(path: str, version: str, name: str, filters: Filters, params: tuple) -> pd.DataFrame:
    return db.query(_connection(path, version), name, filters, **dict(params))


def run(name: str, filters: Filters | None = None, **params) -> pd.DataFrame:
    """A named query's result, cached by export version, filter set and parameters."""
    f = (filters or Filters()).without_notices()
    frozen = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))
    return _cached_query(str(current_data_dir()), export_version(), name, f, frozen).copy()


def fetch(name: str, filters: Filters | None = None, **params) -> pd.DataFrame:
    """A named query run now, outside the result cache: for a full download that is built only
    when someone clicks it (caching every row of a large export would hold it in memory)."""
    return db.query(connection(), name, (filters or Filters()).without_notices(), **params)


def manifest() -> dict:
    return export.read_manifest(current_data_dir())


def keep_widget_values(*keys: str, prefix: str | None = None) -> None:
    """Keep these widgets' values while they are not drawn (a closed lazy tab): Streamlit
    forgets the value of a widget left out of a run, unless it is written back to itself."""
    names = set(keys)
    if prefix:
        names |= {k for k in st.session_state if isinstance(k, str) and k.startswith(prefix)}
    for k in names:
        if k in st.session_state:
            st.session_state[k] = st.session_state[k]


# ---- navigation ------------------------------------------------------------------------
def _leave_pages_directory_mode() -> None:
    """Make a deep link on a freshly started server go through dashboard.py.

    Until ``st.navigation`` has been called once in the process, Streamlit treats a ``pages/``
    folder beside the main script the old way: a first visitor opening ``/data?...`` gets
    pages/data.py run on its own, without the sidebar, and every later visitor too. A page
    that finds itself run that way switches the old mode off and runs again, which goes
    through dashboard.py and its navigation, keeping the link's query parameters.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory and not st.session_state.get("_left_pages_mode"):
        st.session_state["_left_pages_mode"] = True
        PagesManager.uses_pages_directory = False
        st.rerun()


# ---- filters ---------------------------------------------------------------------------
def _seed_from_url() -> None:
    _leave_pages_directory_mode()
    if st.session_state.get("_filters_seeded"):
        return
    params = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    f = Filters.from_query_params(params)
    _store(f)
    name, notice = provenance.choose_export(st.query_params.get(provenance.EXPORT_KEY), list(exports()))
    st.session_state[EXPORT_STATE] = name
    st.session_state["_url_notices"] = list(f.notices) + ([notice] if notice else [])
    st.session_state["_filters_seeded"] = True


def _store(f: Filters) -> None:
    years = (f.year_from, f.year_to) if f.year_from is not None else (MIN_YEAR, max_year())
    st.session_state[FILTER_PREFIX + "years"] = years
    st.session_state[FILTER_PREFIX + "role"] = f.role
    st.session_state[FILTER_PREFIX + "joint_only"] = f.joint_only
    for name in LIST_FIELDS:
        st.session_state[FILTER_PREFIX + name] = list(getattr(f, name))


def _copy_back(name: str) -> None:
    st.session_state[FILTER_PREFIX + name] = st.session_state[WIDGET_PREFIX + name]


def _prepare(name: str) -> dict:
    st.session_state[WIDGET_PREFIX + name] = st.session_state[FILTER_PREFIX + name]
    return {"key": WIDGET_PREFIX + name, "on_change": _copy_back, "args": (name,)}


def _reset() -> None:
    _store(Filters())
    st.session_state["_url_notices"] = []  # the link's dropped values no longer concern the view


def current_filters() -> Filters:
    """The filter set held in the session (the sidebar draws and updates it)."""
    _seed_from_url()
    s = st.session_state
    y0, y1 = s[FILTER_PREFIX + "years"]
    years = (None, None) if (y0, y1) == (MIN_YEAR, max_year()) else (int(y0), int(y1))
    return Filters(
        year_from=years[0],
        year_to=years[1],
        role=s[FILTER_PREFIX + "role"],
        joint_only=bool(s[FILTER_PREFIX + "joint_only"]),
        **{name: tuple(s[FILTER_PREFIX + name]) for name in LIST_FIELDS},
    )


_LABELS = {
    "agencies": "Agencies",
    "themes": "Themes",
    "activity_types": "Activity types",
    "target_groups": "Target groups",
    "exploitation_forms": "Forms of exploitation",
    "regions": "Regions and sub-regions",
    "countries": "Countries",
    "scopes": "Scope",
    "statuses": "Status",
}


def _format(kind: str):
    if kind == "agency":
        names = reference.labels("agency")
        return lambda c: f"{c} — {names.get(c, c)}"
    if kind == "region":
        return str
    names = reference.labels(kind)
    return lambda c: names.get(c, c)


def _export_changed() -> None:
    st.session_state[EXPORT_STATE] = st.session_state["w_export"]
    # The link's dropped values (and a dropped export) no longer concern the view.
    st.session_state["_url_notices"] = []


def export_selector() -> None:
    """The sidebar's choice of export, when the dashboard offers more than one."""
    offered = exports()
    if len(offered) < 2:
        return
    names = list(offered)
    labels = {n: provenance.export_label(n, export.read_manifest(d)) for n, d in offered.items()}
    st.session_state["w_export"] = current_export()
    st.selectbox(
        "Export",
        names,
        format_func=labels.get,
        key="w_export",
        on_change=_export_changed,
        help="Which data the pages show; the choice is kept in the link.",
    )


def filter_sidebar() -> Filters:
    """Draw the shared filters in the sidebar, keep the URL in step, and return the set."""
    _seed_from_url()
    st.session_state["_empty_states"] = 0
    with st.sidebar:
        export_selector()
        st.header("Filters")
        st.slider("Period (years active)", MIN_YEAR, max_year(), **_prepare("years"))
        st.multiselect(
            _LABELS["agencies"], allowed_values("agency"), format_func=_format("agency"), **_prepare("agencies")
        )
        st.segmented_control(
            "Agency role",
            ["any", "lead", "partner"],
            format_func={"any": "Lead or partner", "lead": "Lead", "partner": "Partner"}.get,
            selection_mode="single",
            **_prepare("role"),
        )
        for name in (
            "themes",
            "activity_types",
            "target_groups",
            "exploitation_forms",
            "regions",
            "countries",
            "scopes",
            "statuses",
        ):
            kind = LIST_FIELDS[name]
            st.multiselect(_LABELS[name], allowed_values(kind), format_func=_format(kind), **_prepare(name))
        st.toggle("Joint activities only", **_prepare("joint_only"))
        st.button("Reset filters", on_click=_reset, width="stretch")
    # A segmented control can be cleared; treat that as "any".
    if not st.session_state.get(FILTER_PREFIX + "role"):
        st.session_state[FILTER_PREFIX + "role"] = "any"
    f = current_filters()
    _write_url(f)
    return f


def _write_url(f: Filters) -> None:
    keep = {k: st.query_params.get_all(k) for k in st.query_params.keys() if k in PAGE_KEYS}
    wanted = {**f.to_query_params(), **{k: v[0] if len(v) == 1 else v for k, v in keep.items()}}
    if presenting():
        # Moving to another page drops the link's page keys; presentation mode stays on.
        wanted[PRESENT_KEY] = "1"
    name = current_export()
    if name and name != provenance.default_export(list(exports())):
        wanted[provenance.EXPORT_KEY] = name
    current = {k: st.query_params.get(k) for k in st.query_params.keys()}
    if current != wanted:
        st.query_params.from_dict(wanted)


def url_notices() -> list[str]:
    """Values from the link that were dropped (shown once on the page)."""
    return st.session_state.get("_url_notices", [])


def show_filter_sentence(n_activities: int | None, f: Filters) -> None:
    """The active filters in a sentence, at the top of every page."""
    for notice in url_notices():
        st.warning(notice, icon=":material/link_off:")
    st.caption(f.describe(n_activities))


def synthetic_banner() -> None:
    """Under every page's title: the demonstration banner on synthetic data, else where the
    figures come from (the IATI publishers and snapshot date, the indicators' release)."""
    m = manifest()
    if m.get("synthetic"):
        st.info(
            "**Demonstration data.** The activities shown are synthetic, generated to look like "
            "ICAT agencies' work; they are not real projects. The UNODC indicators are real.",
            icon=":material/science:",
        )
    elif line := provenance.source_line(m):
        st.caption(":material/source: **Source.** " + line)


def with_about(csv_bytes: bytes) -> bytes:
    """A CSV made elsewhere (the reviews log) with the lines saying where it comes from."""
    return downloads.with_about_csv(csv_bytes, download_about()())


def download_about(f: Filters | None = None, n: int | None = None):
    """What a download says about itself (export, source, filter sentence), as a function
    called when the file is made, so that it carries the time it was made."""
    f = f if f is not None else current_filters()
    name, m, sentence = current_export() or current_data_dir().name, manifest(), f.describe(n)
    return lambda: provenance.about(name, m, sentence)


def today() -> date:
    return date.today()


def empty_state(f: Filters) -> None:
    """What a page shows instead of a table or chart when the filters match nothing."""
    if f.is_empty():
        st.info(
            "The loaded export holds no activities yet. Load agencies' submissions with "
            "`python -m icat_analysis import-activities FILE...` (see the Data page).",
            icon=":material/inbox:",
        )
        return
    st.info(
        "No activity matches these filters. Widen the period, remove a filter in the sidebar, "
        "or start again from all activities.",
        icon=":material/filter_alt_off:",
    )
    # A page may say "nothing matches" in more than one place; each button needs its own key.
    n = st.session_state.get("_empty_states", 0) + 1
    st.session_state["_empty_states"] = n
    key = "empty_state_reset" if n == 1 else f"empty_state_reset_{n}"
    st.button("Reset filters", key=key, on_click=_reset, icon=":material/restart_alt:")


@st.cache_data(max_entries=4, show_spinner="Checking the export against the data contract…")
def _validation(path: str, version: str) -> list[str] | None:
    try:
        from icat_analysis.store import validate
    except ImportError:
        return None
    return [str(p) for p in validate.validate_export(Path(path))]


def validation_problems() -> list[str] | None:
    """What ``validate`` finds wrong with the loaded export (None where it cannot run)."""
    return _validation(str(current_data_dir()), export_version())


def table_downloads(table, what: str, name: str, sheet: str, key: str) -> None:
    """CSV and XLSX buttons for one table (labelled, formulas neutralised).

    ``table`` is a DataFrame, or a function returning one, called only when a button is
    clicked (for a table larger than what the page shows).
    """

    def rows() -> pd.DataFrame:
        return table() if callable(table) else table

    about = download_about()

    c1, c2, _ = st.columns([1, 1, 2])
    c1.download_button(
        f"{what} (CSV)",
        data=lambda: downloads.to_csv_bytes(rows(), about()),
        file_name=f"icat-{name}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        key=f"{key}_csv",
        width="stretch",
    )
    c2.download_button(
        f"{what} (XLSX)",
        data=lambda: downloads.to_xlsx_bytes(rows(), sheet, about()),
        file_name=f"icat-{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        on_click="ignore",
        key=f"{key}_xlsx",
        width="stretch",
    )


def activities_downloads(
    query: str,
    filters: Filters,
    n: int,
    *,
    name: str,
    sheet: str,
    labels: tuple[str, str, str],
    widths: list[int],
    key: str | None = None,
    **params,
) -> None:
    """CSV and XLSX buttons for every activity a named query selects (``n`` of them), read
    only when clicked: the CSV comes zipped over ``downloads.csv_zipped`` rows, and Excel is
    offered up to ``downloads.XLSX_MAX_ROWS``. ``labels``: zipped CSV, CSV, XLSX."""
    con = connection()
    about = download_about(filters, n)
    xlsx_ok = n <= downloads.XLSX_MAX_ROWS
    keys = (f"{key}_csv", f"{key}_xlsx") if key else (None, None)
    c1, c2, _ = st.columns(widths)
    if downloads.csv_zipped(n):
        c1.download_button(
            labels[0],
            data=lambda: downloads.activities_csv_zip(con, query, filters, f"icat-{name}.csv", about=about(), **params),
            file_name=f"icat-{name}-csv.zip",
            mime="application/zip",
            icon=":material/download:",
            on_click="ignore",
            key=keys[0],
            width="stretch",
        )
    else:
        c1.download_button(
            labels[1],
            data=lambda: downloads.activities_csv(con, query, filters, about=about(), **params),
            file_name=f"icat-{name}.csv",
            mime="text/csv",
            icon=":material/download:",
            on_click="ignore",
            key=keys[0],
            width="stretch",
        )
    c2.download_button(
        labels[2],
        data=(lambda: downloads.activities_xlsx(con, query, filters, sheet, about(), **params)) if xlsx_ok else b"",
        file_name=f"icat-{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        on_click="ignore",
        key=keys[1],
        width="stretch",
        disabled=not xlsx_ok,
    )
    if downloads.csv_zipped(n):
        st.caption(downloads.csv_zipped_note())
    if not xlsx_ok:
        st.info(downloads.xlsx_too_big(n), icon=":material/table_view:")


# ---- meetings: presentation mode and charts that stand on their own -------------------
def presenting() -> bool:
    """Whether this view is in presentation mode (``?present=1`` in the link, kept while
    moving between pages)."""
    if "_presenting" not in st.session_state:
        st.session_state["_presenting"] = is_presenting(st.query_params.get(PRESENT_KEY))
    return bool(st.session_state["_presenting"])


def leave_presentation() -> None:
    st.session_state["_presenting"] = False
    if PRESENT_KEY in st.query_params:
        del st.query_params[PRESENT_KEY]


def presentation_styles() -> None:
    """Hide the sidebar and Streamlit's chrome and enlarge the text (a fixed stylesheet)."""
    if presenting():
        st.html(f"<style>{PRESENTATION_CSS}</style>")


def plotly_chart(fig, f: Filters | None = None, *, config: dict | None = None, **kwargs):
    """``st.plotly_chart`` with the filter sentence under the title and a toolbar PNG download
    (made in the browser, no network) carrying both; larger in presentation mode."""
    f = f if f is not None else current_filters()
    with_sentence(fig, f.describe(None), present=presenting())
    return st.plotly_chart(fig, config=chart_config(fig, config), **kwargs)


def briefing_download(f: Filters) -> None:
    """One button: the current view as a self-contained HTML briefing (made when clicked)."""
    from functools import partial

    from icat_analysis.ui import briefing

    def make() -> bytes:
        con = connection()
        html = briefing.briefing_html(partial(db.query, con), con, f, manifest(), today())
        return html.encode("utf-8")

    def make_pptx() -> bytes:
        con = connection()
        b = briefing.build(partial(db.query, con), con, f, manifest(), today())
        return briefing.to_pptx(b)

    left, right = st.columns(2)
    left.download_button(
        "Briefing pack of this view (HTML, works offline, prints to PDF)",
        data=make,
        file_name=briefing.file_name(today(), "html"),
        mime="text/html",
        icon=":material/summarize:",
        on_click="ignore",
        key="briefing_html",
    )
    available, why = briefing.static_images_available()
    if available:
        right.download_button(
            "Briefing slides (PowerPoint)",
            data=make_pptx,
            file_name=briefing.file_name(today(), "pptx"),
            mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
            icon=":material/slideshow:",
            on_click="ignore",
            key="briefing_pptx",
        )
    else:
        right.info(f"PowerPoint slides cannot be made on this machine: {why} The HTML pack works.")


def template_downloads() -> None:
    """The blank activity template: XLSX with a dropdown on every coded column, and CSV."""
    from icat_analysis.store import blank_template

    columns = st.columns([1, 1, 2])
    for where, (label, make, suffix, mime) in zip(
        columns,
        (
            ("Blank template (XLSX, with dropdowns)", blank_template.build_xlsx, "xlsx", downloads.XLSX_MIME),
            ("Blank template (CSV)", blank_template.build_csv, "csv", "text/csv"),
        ),
        strict=False,
    ):
        where.download_button(
            label,
            data=make,
            file_name=f"icat-activity-template.{suffix}",
            mime=mime,
            icon=":material/download:",
            on_click="ignore",
            key=f"template_{suffix}",
            width="stretch",
        )
