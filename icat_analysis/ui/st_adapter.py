"""The one place the analysis package meets Streamlit: the cached connection, cached
queries, and the filter sidebar shared by every page.

Filters live in plain session keys seeded once from the URL; each widget gets its value
copied in before it is drawn and copies it back in ``on_change``, and the URL is rewritten
on every run. (A widget bound straight to the URL loses its value when the user moves to
another page.)
"""

from __future__ import annotations

import functools
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from icat_analysis import reference
from icat_analysis.analyses import duplication, sharing
from icat_analysis.errors import InputError
from icat_analysis.filters import LIST_FIELDS, MIN_YEAR, Filters, allowed_values, max_year, number_from_link
from icat_analysis.paths import data_dir
from icat_analysis.store import db, export, reviews, validate
from icat_analysis.ui import downloads, members, provenance
from icat_analysis.ui.markdown import literal
from icat_analysis.ui.presentation import (
    PRESENT_KEY,
    PRESENTATION_CSS,
    chart_config,
    is_presenting,
    vega_with_sentence,
    with_sentence,
)

FILTER_PREFIX = "flt_"
WIDGET_PREFIX = "w_"
#: query parameters that belong to pages, not to the shared filter set; kept when the URL is rewritten
PAGE_KEYS = (
    "country",
    "agency",
    "present",
    "metric",
    "indicator",
    "threshold",
    "pair",
    "area",
    "breakdown",
    "tab",
    "overlap",
    "page",  # the page of a list of rows (Data, Agencies)
    # the Library and Events pages
    "q",
    "kind",
    "language",
    "resource",
    "view",
    "month",
    # the Changes page
    "since",
    "until",
)


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
    # Every read of the export passes here: with a members' login on, nothing is read for
    # someone who is not signed in as a member, whichever page the run started on.
    require_member()
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


def _run_on(path: str, version: str, name: str, filters: Filters | None, params: dict) -> pd.DataFrame:
    f = (filters or Filters()).without_notices()
    frozen = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))
    return _cached_query(path, version, name, f, frozen).copy()


def run(name: str, filters: Filters | None = None, **params) -> pd.DataFrame:
    """A named query's result, cached by export version, filter set and parameters."""
    return _run_on(str(current_data_dir()), export_version(), name, filters, params)


#: set while the warm-up started with the server runs, and once it is done
_WARMING, _WARMED = threading.Event(), threading.Event()
#: how long a first run waits for the warm-up at most (a stuck warm-up must not stop the page)
WARM_UP_WAIT_S = 60


def warm_up() -> None:
    """What the first visit on a fresh server would otherwise wait for, done when the server
    starts (dashboard.py's ``app``): the default export's connection, the Overview's whole
    first run with no filter through the same caches the page uses (its queries, the agenda
    and the Regions band, its two figures, the sidebar's code lists), so that run asks DuckDB
    nothing and builds no figure, then every other page's imports."""
    _WARMING.set()
    try:
        _warm_up()
    finally:
        _WARMED.set()


def wait_for_warm_up() -> None:
    """A run that starts while the warm-up is still going waits for it rather than doing the
    same work beside it: the two threads share one interpreter, so each would go at half speed,
    and the module map, the code lists and the figures would be made twice."""
    if _WARMING.is_set():
        _WARMED.wait(WARM_UP_WAIT_S)


def _warm_up() -> None:
    import importlib
    import inspect
    import pkgutil

    from icat_analysis import analyses, ui
    from icat_analysis.analyses import events, library, overview
    from icat_analysis.ui import overview_charts

    offered = exports()
    path = str(offered.get(provenance.default_export(list(offered))) or data_dir())
    version = export.export_version(Path(path))
    _connection(path, version)
    for kind in {*LIST_FIELDS.values(), "agency"}:  # the sidebar's choices and their labels
        allowed_values(kind)
        _format(kind)

    def runner(name: str, filters: Filters | None = None, **params) -> pd.DataFrame:
        return _run_on(path, version, name, filters, params)

    f = Filters()
    # In the order the Overview asks: its first visitor's run then asks DuckDB nothing, and makes
    # its two charts (plain Vega-Lite dicts, overview_charts) from these answers.
    overview.headline_figures(runner, f, today())
    events.events(runner, f)
    library.resources(runner, f)
    overview.starts_per_year_by_theme(runner, f)
    overview.top_countries(runner, f, n=overview_charts.TOP_COUNTRIES)
    runner("region_band", f)
    overview.freshness(runner, export.read_manifest(Path(path)))
    for package in (analyses, ui):
        for module in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{module.name}")
    # Streamlit looks at the call stack once a process, as the first element is drawn; inspect
    # then maps every loaded module to its file (0.1 s idle, 0.4 s on a loaded machine), and
    # keeps the map: made here, once everything is imported, the first run finds it.
    inspect.stack()
    _freeze_what_lives_on()


def _freeze_what_lives_on() -> None:
    # After every script run Streamlit collects garbage through every object in the process
    # (runner.postScriptGC), holding the interpreter: 0.07 s a run on an idle machine, 0.5 s
    # on a loaded one. The modules, reference lists and caches made at start live as long as
    # the server; frozen, no collection walks them again (new objects are still collected).
    import gc

    gc.collect()
    gc.freeze()


def fetch(name: str, filters: Filters | None = None, **params) -> pd.DataFrame:
    """A named query run now, outside the result cache: for a full download that is built only
    when someone clicks it (caching every row of a large export would hold it in memory)."""
    return db.query(connection(), name, (filters or Filters()).without_notices(), **params)


def manifest() -> dict:
    return export.read_manifest(current_data_dir())


@st.cache_data(max_entries=16, show_spinner="Looking for activities that look alike…")
def _scored_pairs(path: str, version: str, filters: Filters, threshold: float, weights: tuple) -> pd.DataFrame:
    return duplication.scored_pairs(_connection(path, version), filters, threshold=threshold, weights=dict(weights))


@st.cache_data(max_entries=16, show_spinner=False)
def _described_pairs(path: str, version: str, filters: Filters, threshold: float, weights: tuple, limit: int):
    rows = _scored_pairs(path, version, filters, threshold, weights)
    return duplication.describe_pairs(_connection(path, version), rows, limit=limit)


@st.cache_data(max_entries=16, show_spinner=False)
def _hotspots(path: str, version: str, filters: Filters, threshold: float, weights: tuple) -> dict:
    from icat_analysis.ui import duplication_view

    return duplication_view.hotspot_summary(_scored_pairs(path, version, filters, threshold, weights))


def hotspots(filters: Filters, threshold: float, weights: tuple) -> dict:
    """``duplication_view.hotspot_summary`` of the current export's scored pairs at ``threshold``,
    cached by export version, filters, threshold and weights: a repeat visit neither regroups
    the pairs nor reads them all back from the cache. A selection too large to search while
    the page opens stops the page with what to narrow."""
    refusal = duplication.search_refusal(run, connection(), filters, threshold, dict(weights))
    if refusal is not None:
        st.info(refusal, icon=":material/filter_alt:")
        st.stop()
    return _hotspots(str(current_data_dir()), export_version(), filters, threshold, weights)


def described_pairs(filters: Filters, threshold: float, weights: tuple, limit: int) -> pd.DataFrame:
    """The best ``limit`` pairs with their activities' titles and the reasons in words, cached."""
    return _described_pairs(str(current_data_dir()), export_version(), filters, threshold, weights, limit).copy()


def stop_if_export_unreadable() -> None:
    """One clear message naming the damaged file and how to recover, instead of a traceback on
    every page: run first, before anything reads the export."""
    try:
        connection()
        manifest()
    except InputError as exc:
        # Paths may hold * or _: shown as written, except the command to run, which is code.
        parts = str(exc).split("`")
        text = "`".join(p if i % 2 else literal(p) for i, p in enumerate(parts))
        st.error(f"**The export cannot be read.** {text}", icon=":material/broken_image:")
        st.stop()


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


def navigation_pages(pages: list[tuple[str, str, str, str]]) -> list:
    """``st.Page``s of (file, title, icon, url path), the first being the default, which also
    answers at its own path (``/overview``).

    Streamlit serves the default page at ``/`` only, and reserves its ``url_path`` without
    answering it: a link to ``/overview`` said "Page not found". The default page therefore
    gets a path nobody links to, and a hidden twin of it takes its real path.
    """
    out = []
    for i, (file, title, icon, url_path) in enumerate(pages):
        if i == 0:
            out.append(st.Page(file, title=title, icon=icon, url_path=f"{url_path}-start", default=True))
            out.append(st.Page(file, title=title, icon=icon, url_path=url_path, visibility="hidden"))
        else:
            out.append(st.Page(file, title=title, icon=icon, url_path=url_path))
    return out


# ---- a page's own choices, kept in the link ----------------------------------------------
def linked(key: str, param: str, allowed=(), *, words: dict | None = None, default=None) -> dict:
    """Widget keywords for a page choice kept in the link as ``?param=``.

    The session key is seeded from the URL once: a value ``allowed`` refuses falls back to
    ``default``. ``allowed`` is a collection of values, or a function from the link's text to
    a value (None when refused); ``words`` instead maps a short word of the link to a widget
    value (``{"overlap": "One agency's overlap"}``). Changing the widget writes the URL, so the
    view can be shared.
    """
    if key not in st.session_state:
        raw = st.query_params.get(param)
        if words is not None:
            value = words.get(raw)
        elif callable(allowed):
            value = allowed(raw)
        else:
            value = raw if raw in allowed else None
        st.session_state[key] = default if value is None else value
    back = {v: k for k, v in words.items()} if words is not None else None
    return {"key": key, "on_change": _write_linked, "args": (key, param, default, back)}


def _write_linked(key: str, param: str, default, words: dict | None = None) -> None:
    value = st.session_state.get(key)
    if value is None and default is not None:  # a cleared control goes back to its default
        st.session_state[key] = value = default
    set_param(param, words.get(value, value) if words and value is not None else value)


_UNSEEN = object()


def reset_when_changed(key: str, follows, *, param: str | None = None, allowed=None) -> None:
    """Forget a page choice when what it follows (the sidebar's filters) changes, or when it is
    no longer ``allowed``, so it opens on its default again; the link's ``param`` goes too (its
    old value no longer applies). The first run keeps both: that is the link being restored."""
    seen = st.session_state.get(f"_{key}_follows", _UNSEEN)
    if seen == follows and (allowed is None or key not in st.session_state or st.session_state[key] in allowed):
        return
    st.session_state[f"_{key}_follows"] = follows
    if seen is not _UNSEEN:
        st.session_state.pop(key, None)
        if param:
            set_param(param, None)


def set_param(param: str, value) -> None:
    """Write one page parameter to the URL (None removes it)."""
    if value is None:
        if param in st.query_params:
            del st.query_params[param]
    elif st.query_params.get(param) != value:
        st.query_params[param] = value


def segmented(label: str, choices: dict, *, key: str, default=None, **kwargs):
    """A segmented control over ``choices`` (value -> label). Cleared, it reads as ``default``
    (the first choice unless given)."""
    default = next(iter(choices)) if default is None else default
    if key not in st.session_state:  # a value held in the session must not meet a default
        kwargs["default"] = default
    value = st.segmented_control(label, list(choices), format_func=choices.get, key=key, **kwargs)
    return value or default


def choose(label: str, choices: dict, *, key: str, where=None, widget: str = "selectbox", **kwargs):
    """A selectbox (or ``widget="radio"``) over ``choices`` (value -> label); returns the value."""
    draw = getattr(where or st, widget)
    return draw(label, list(choices), format_func=choices.get, key=key, **kwargs)


def table(df: pd.DataFrame, where=None, *, large=(), medium=(), numbers=(), hide=(), **kwargs):
    """A table without its index: ``large`` and ``medium`` text columns get that width,
    ``numbers`` are written with thousands separators; ``hide`` columns stay in the downloads only."""
    df = df.drop(columns=[c for c in hide if c in df.columns])
    config = {c: st.column_config.TextColumn(width="large") for c in large}
    config |= {c: st.column_config.TextColumn(width="medium") for c in medium}
    config |= {c: st.column_config.NumberColumn(format="localized") for c in numbers}
    return (where or st).dataframe(df, hide_index=True, column_config=config or None, **kwargs)


def rows_pager(key: str, n: int, selection, order: str, *, param: str = "page") -> downloads.Page:
    """A page-number box over a list of ``n`` rows and the words saying which rows show;
    returns the page to fetch. The page number is kept in the link as ``?param=`` (a shared
    link opens on it) and goes back to page 1 when ``selection`` changes. Call it in a
    fragment, so that moving to another page reruns only the list."""
    seen = st.session_state.get(f"_{key}_for", _UNSEEN)
    if seen != selection:
        st.session_state[f"_{key}_for"] = selection
        raw = st.query_params.get(param, "") if seen is _UNSEEN else ""
        st.session_state[key] = int(raw) if raw.isdigit() else 1
    page = downloads.page_of(n, st.session_state.get(key))
    st.session_state[key] = page.number
    set_param(param, str(page.number) if page.number > 1 else None)
    left, right = st.columns([1, 4], vertical_alignment="bottom")
    if page.pages > 1:
        left.number_input(f"Page (of {page.pages:,})", min_value=1, max_value=page.pages, step=1, key=key)
    right.markdown(f"**{page.words()}**, {order}; the downloads hold all {n:,}.")
    return page


def metric_row(tiles: list[tuple], *, per_row: int | None = None) -> None:
    """Headline figures side by side, each ``(label, value)`` or ``(label, value, help)``;
    ``per_row`` wraps them into rows of that many (so no label is cut short)."""
    per_row = per_row or len(tiles)
    for start in range(0, len(tiles), per_row):
        row = tiles[start : start + per_row]
        for col, (label, value, *help_text) in zip(st.columns(per_row), row):
            col.metric(label, value, help=help_text[0] if help_text else None, border=True)


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
        return reference.agency_choice
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


def multiselect(label: str, options, **kwargs) -> list:
    """``st.multiselect`` that adds exactly what the person picked: typing "Niger" and pressing
    Enter adds Niger, not every match (Niger and Nigeria) as the "Select all matches" row would."""
    return st.multiselect(label, options, select_all=False, **kwargs)


def filter_sidebar() -> Filters:
    """Draw the shared filters in the sidebar, keep the URL in step, and return the set."""
    _seed_from_url()
    st.session_state["_empty_states"] = 0
    with st.sidebar:
        export_selector()
        st.header("Filters")
        st.slider("Period (years active)", MIN_YEAR, max_year(), **_prepare("years"))
        multiselect(
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
            multiselect(_LABELS[name], allowed_values(kind), format_func=_format(kind), **_prepare(name))
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


def number_from_url(key: str, *, low: float, high: float, default: float) -> float:
    """A page's number from the link (``?threshold=``): the default when the link's value is
    not a finite number from ``low`` to ``high``, with a notice, and the value taken out of
    the link."""
    value, notice = number_from_link(key, st.query_params.get(key), low=low, high=high, default=default)
    if notice:
        st.warning(literal(notice), icon=":material/link_off:")
        del st.query_params[key]
    return value


def url_notices() -> list[str]:
    """Values from the link that were dropped (shown once on the page)."""
    return st.session_state.get("_url_notices", [])


def show_filter_sentence(n_activities: int | None, f: Filters) -> None:
    """The active filters in a sentence, at the top of every page."""
    for notice in url_notices():  # they quote the link's text: shown literally
        st.warning(literal(notice), icon=":material/link_off:")
    data_caption(
        literal(f.describe(n_activities) + withheld_note(f, prefix=", ", suffix=" (not in this public export)"))
    )


def withheld_note(
    f: Filters | None = None, *, budgets: bool = False, prefix: str = "", suffix: str = "", lead: str = "and "
) -> str:
    """On a published export, "and 12 activities shared with members only" for the view ``f``
    (with ``budgets``, the budgets it blanks too); empty on the full export."""
    note = sharing.note(manifest(), f, budgets=budgets, lead=lead)
    return f"{prefix}{note}{suffix}" if note else ""


def withheld_caption(f: Filters | None = None, *, budgets: bool = False) -> str:
    """The sentence a chart's caption ends with on a public export (empty on the full export)."""
    return withheld_note(
        f, budgets=budgets, prefix=" Not in this public export, so not counted here: ", suffix=".", lead=""
    )


def public_comparison_notice() -> None:
    """On a public export, say that the pairs compare only what is public (the duplication page)."""
    w = sharing.withheld(manifest())
    if sharing.level(manifest()) == "public":
        withheld = f" {w.activities:,} activities shared with members only are not in it." if w else ""
        st.info(
            "**Public export.** These pairs compare only the activities shared publicly: an activity shared "
            f"with members only can duplicate one shown here without appearing.{withheld}",
            icon=":material/public:",
        )


def data_caption(text: str) -> None:
    """A page's caption, ending with the date the export's data is as of (every page says it)."""
    as_of = export.data_as_of(manifest())
    end = "" if not text or text.rstrip().endswith(".") else "."
    st.caption(text + end + (f" Data as of {as_of:%-d %B %Y}." if as_of else ""))


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
        st.caption(":material/source: **Source.** " + literal(line))  # names from the data's publishers


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


def now() -> datetime:
    """The time a file is made (UTC), for what it says about itself."""
    return datetime.now(UTC).replace(microsecond=0)


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


@st.cache_resource(max_entries=4, show_spinner=False)
def _contract_check(path: str, version: str) -> validate.ContractCheck:
    # Once per export version and server, on the version resolved now (an import meanwhile
    # makes a new version, checked on its own).
    return validate.ContractCheck(export.current_dir(Path(path)))


def start_contract_check() -> None:
    """Start checking the loaded export against the data contract in the background (once per
    export version): the first page never waits for it; the Data page shows how it went."""
    _contract_check(str(current_data_dir()), export_version())


def contract_status() -> None:
    """The Data page's answer to "does it keep the data contract?": checking, passed, or the
    problems, each naming file, row and column."""
    path, version = str(current_data_dir()), export_version()
    check = _contract_check(path, version)
    if check.state == "checking":
        _contract_checking(path, version)
    else:
        _contract_result(check)


@st.fragment(run_every=1)
def _contract_checking(path: str, version: str) -> None:
    # Only this part reruns each second while the check runs; once it is done the page reruns
    # once, so the result is drawn and the timer stops.
    check = _contract_check(path, version)
    if check.state != "checking":
        st.rerun()
    seconds = time.monotonic() - check.started
    st.info(
        f"Checking the export against the data contract (`validate`), {seconds:.0f} s so far. The other pages "
        "can be used meanwhile; the result appears here.",
        icon=":material/hourglass_top:",
    )


def _contract_result(check: validate.ContractCheck) -> None:
    if check.state == "failed":
        st.warning(f"The contract check could not finish: {literal(check.error)}", icon=":material/help:")
    elif check.state == "passed":
        st.success(
            "The export keeps the data contract: `validate` finds nothing wrong.", icon=":material/check_circle:"
        )
    else:
        st.error(
            f"`validate` finds {len(check.problems):,} problems (file:row: column: what is wrong); the first ones:",
            icon=":material/error:",
        )
        st.code("\n".join(check.problems[:50]), language=None)


MIME = {
    "csv": "text/csv",
    "zip": "application/zip",
    "xlsx": downloads.XLSX_MIME,
    "html": "text/html",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def download(where, label: str, data, file_name: str, *, key: str | None, icon: str = ":material/download:", **kw):
    """One download button (in ``where``: a column, or ``st``); ``data`` is bytes or a function
    making them, called only when the button is clicked. The type follows the file's extension."""
    where.download_button(
        label,
        data=data,
        file_name=file_name,
        mime=MIME[file_name.rsplit(".", 1)[-1]],
        icon=icon,
        on_click="ignore",
        key=key,
        **{"width": "stretch", **kw},
    )


def regions_band(f: Filters) -> None:
    """Beside country figures: the selected activities placed in a region and in no country, in
    a band of their own (nothing is drawn when there are none)."""
    from icat_analysis.analyses import regions

    band = run("region_band", f)
    if band.empty:
        return
    with st.container(border=True):
        st.markdown("**Regions** :material/travel_explore:")
        st.caption(regions.band_sentence(band))
        table(regions.band_table(band), numbers=["Known budget (US$)"])


def map_note(description: str, scope, f: Filters) -> None:
    """Under the map: how activities reach it, then the Regions band of those placed in a region only."""
    from icat_analysis.ui import geo

    st.markdown(f"{description} {geo.scope_note(scope)}".strip())
    regions_band(f)


def matrix_notes(notes: str, f: Filters, *, budgets: bool, by_country: bool) -> None:
    """Under the coverage matrix: its notes, and by country the Regions band beside it."""
    st.caption(notes + withheld_caption(f, budgets=budgets))
    if by_country:
        regions_band(f)


def table_downloads(table, what: str, name: str, sheet: str, key: str) -> None:
    """CSV and XLSX buttons for one table (labelled, formulas neutralised).

    ``table`` is a DataFrame, or a function returning one, called only when a button is
    clicked (for a table larger than what the page shows).
    """

    def rows() -> pd.DataFrame:
        return table() if callable(table) else table

    about = download_about()

    def csv() -> bytes:
        return downloads.to_csv_bytes(rows(), about())

    def xlsx() -> bytes:
        return downloads.to_xlsx_bytes(rows(), sheet, about())

    c1, c2, _ = st.columns([1, 1, 2])
    download(c1, f"{what} (CSV)", csv, f"icat-{name}.csv", key=f"{key}_csv")
    download(c2, f"{what} (XLSX)", xlsx, f"icat-{name}.xlsx", key=f"{key}_xlsx")


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
    zipped = downloads.csv_zipped(n)

    def csv() -> bytes:
        if zipped:
            return downloads.activities_csv_zip(con, query, filters, f"icat-{name}.csv", about=about(), **params)
        return downloads.activities_csv(con, query, filters, about=about(), **params)

    def xlsx() -> bytes:
        return downloads.activities_xlsx(con, query, filters, sheet, about(), **params)

    csv_name = f"icat-{name}-csv.zip" if zipped else f"icat-{name}.csv"
    download(c1, labels[0] if zipped else labels[1], csv, csv_name, key=keys[0])
    download(c2, labels[2], xlsx if xlsx_ok else b"", f"icat-{name}.xlsx", key=keys[1], disabled=not xlsx_ok)
    if zipped:
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


@st.cache_data(max_entries=256, show_spinner=False)
def _figure_spec(
    path: str, version: str, site: tuple, same: tuple, f: Filters, sentence: str, present: bool, _make
) -> dict:
    return with_sentence(_make(), sentence, present=present).to_dict()


def chart_sentence(f: Filters, source: str = "activities") -> str:
    """What every chart says under its title, so that its downloaded picture stands on its own.
    ``source`` is what the chart draws: "activities" (the filter sentence, then where the
    activities come from, as every other download says it: "synthetic demonstration data" on
    the demo export, the IATI publishers on a real one), "indicators" (UNODC's figures, whatever
    the activities are) or "both" (an indicator trend with the selected activities beside it)."""
    m = manifest()
    indicators = provenance.indicators_source(m)
    if source == "indicators":
        return indicators or ""
    name = current_export() or current_data_dir().name
    activities = f"{f.describe(None)}. Source: {provenance.source_short(name, m)}"
    return f"{activities}. {indicators}" if source == "both" and indicators else activities


def plotly_chart(
    fig, f: Filters | None = None, *, config: dict | None = None, same: tuple = (), source: str = "activities", **kwargs
):
    """``st.plotly_chart`` with the filter sentence and the source under the title and a toolbar PNG download
    (made in the browser, no network) carrying both; larger in presentation mode.

    ``fig`` is a figure, or a function making one: that one is made once per export version,
    filter set and ``same`` (whatever else it shows: the page's choices), and a repeat visit
    draws the stored figure. plotly checks every property of a figure as it is built, about
    0.1 s a chart; the stored one is taken as it is. ``source``: what the chart draws
    (:func:`chart_sentence`)."""
    f = f if f is not None else current_filters()
    if callable(fig):
        # which chart of which page
        site = (fig.__code__.co_filename, fig.__code__.co_firstlineno)
        sentence = chart_sentence(f, source)
        spec = _figure_spec(str(current_data_dir()), export_version(), site, same, f, sentence, presenting(), fig)
        fig = go.Figure(spec, _validate=False)
    else:
        with_sentence(fig, chart_sentence(f, source), present=presenting())
    return st.plotly_chart(fig, config=chart_config(fig, config), **kwargs)


def vega_chart(spec: dict, f: Filters | None = None) -> None:
    """``st.vega_lite_chart`` (the Overview's charts, overview_charts) with the filter sentence
    under the title, carried by the toolbar's PNG download as well; larger in presentation mode.
    The spec's ``description`` is what a screen reader says of the chart (no ``alt`` as well:
    Streamlit logs a warning, with its stack, on every run that gives both)."""
    f = f if f is not None else current_filters()
    st.vega_lite_chart(vega_with_sentence(spec, chart_sentence(f), present=presenting()), width="stretch")


def briefing_download(f: Filters) -> None:
    """One button: the current view as a self-contained HTML briefing (made when clicked)."""
    from functools import partial

    from icat_analysis.ui import briefing

    def since() -> briefing.Section:
        from icat_analysis.analyses import changes

        meeting = last_meeting(today())
        try:
            return briefing.since_last_meeting(changes_between(meeting, None)[0], meeting)
        except changes.NoSnapshot:
            return briefing.since_last_meeting(None, meeting)

    def make() -> bytes:
        con = connection()
        html = briefing.briefing_html(partial(db.query, con), con, f, manifest(), today(), since=since())
        return html.encode("utf-8")

    def make_pptx() -> bytes:
        con = connection()
        b = briefing.build(partial(db.query, con), con, f, manifest(), today(), since=since())
        return briefing.to_pptx(b)

    left, right = st.columns(2)
    label = "Briefing pack of this view (HTML, works offline, prints to PDF)"
    name = briefing.file_name(today(), "html")
    download(left, label, make, name, key="briefing_html", icon=":material/summarize:", width="content")
    available, why = briefing.static_images_available()
    if available:
        name = briefing.file_name(today(), "pptx")
        label = "Briefing slides (PowerPoint)"
        download(right, label, make_pptx, name, key="briefing_pptx", icon=":material/slideshow:", width="content")
    else:
        right.info(f"PowerPoint slides cannot be made on this machine: {why} The HTML pack works.")


# ---- the members' login ----------------------------------------------------------------
@functools.lru_cache(maxsize=4)
def _read_login(stamp: tuple[tuple[str, int | None], ...]) -> members.MembersLogin | None:
    return members.read_files(Path(p) for p, _ in stamp)


def _login_config() -> members.MembersLogin | None:
    """The login the secrets files configure, read again only when one of them changes."""
    paths = [Path(p) for p in st.get_option("secrets.files")]
    return _read_login(tuple((str(p), p.stat().st_mtime_ns if p.is_file() else None) for p in paths))


def _stop_here() -> None:
    # No page navigation for someone who is not let in; st.navigation also ends Streamlit's
    # old pages-directory mode, which would list the pages in the sidebar.
    st.navigation([st.Page(lambda: None, title="Sign in", url_path="sign-in")], position="hidden")
    st.stop()


def require_member(*, sidebar: bool = False) -> str | None:
    """Let only members in, when the deployment turns the login on (ui/members.py).

    Returns the signed-in member's e-mail, or None when the dashboard is open (no login
    configured). Otherwise draws the sign-in page, the refusal or the configuration error,
    and stops the run: nothing after this call is drawn for someone who is not let in.
    With ``sidebar``, a member sees who is signed in and can sign out there.
    """
    try:
        login = _login_config()
    except members.ConfigError as exc:
        st.title("ICAT coordination dashboard")
        st.error(f"**The members' login is configured wrongly, so the dashboard does not open.** {exc}")
        _stop_here()
    if login is None:
        return None
    user = st.user
    if not user.is_logged_in:
        st.title("ICAT coordination dashboard: members")
        st.write(
            "This dashboard shows what ICAT member agencies share with one another, including activities "
            "and budgets that are not public. Sign in with your organisation's account to continue."
        )
        st.button("Sign in", on_click=st.login, args=(login.provider,), type="primary", key="sign_in")
        _stop_here()
    email = user.get("email")
    if not login.admits(email, email_verified=user.get("email_verified")):
        st.title("Not a member's account")
        st.error(
            f"You are signed in as **{literal(email or 'an account without an e-mail address')}**, which is not on this "
            "dashboard's list of members' addresses, so members' data stays closed to you. Sign out and sign in "
            "with your organisation's account, or ask the dashboard's administrators to add your organisation."
        )
        st.button("Sign out", on_click=st.logout, key="sign_out_refused")
        _stop_here()
    st.session_state["member_email"] = email
    if sidebar:
        with st.sidebar:
            st.caption(f"Signed in as {literal(email)}")  # from the identity provider
            st.button("Sign out", on_click=st.logout, icon=":material/logout:", key="sign_out")
    return email


def members_gate() -> str | None:
    """The entry point's gate: :func:`require_member` with who is signed in in the sidebar."""
    return require_member(sidebar=True)


def signed_in_email() -> str | None:
    """The e-mail of the member signed in to this session; None on an open dashboard."""
    return st.session_state.get("member_email")


def template_downloads() -> None:
    """The blank activity template: XLSX with a dropdown on every coded column, and CSV."""
    from icat_analysis.store import blank_template

    columns = st.columns([1, 1, 2])
    for where, (label, make, suffix) in zip(
        columns,
        (
            ("Blank template (XLSX, with dropdowns)", blank_template.build_xlsx, "xlsx"),
            ("Blank template (CSV)", blank_template.build_csv, "csv"),
        ),
        strict=False,
    ):
        download(where, label, make, f"icat-activity-template.{suffix}", key=f"template_{suffix}")


# ---- page filters kept in the link (the Library and Events pages) ---------------------
PAGE_PREFIX = "pg_"


def _page_value_changed(key: str, multi: bool) -> None:
    value = st.session_state[PAGE_PREFIX + key]
    text = ",".join(value) if multi else (value or "")
    if text:
        st.query_params[key] = text
    elif key in st.query_params:
        del st.query_params[key]
    st.session_state["_seen_" + key] = text


def _seed_page_value(key: str, options: list | None, multi: bool) -> None:
    """Take the widget's value from the link when the link says something new (a fresh visit,
    a cross-link); values that are not options are dropped."""
    raw = str(st.query_params.get(key, "") or "")
    state = PAGE_PREFIX + key
    if state in st.session_state and st.session_state.get("_seen_" + key) == raw:
        held = st.session_state[state]
        held = held if isinstance(held, list) else [held]
        # The same key on another page (``kind`` of a resource, ``kind`` of an event) may hold
        # values that are not this widget's options: then the link decides again.
        if options is None or all(v is None or v in options for v in held):
            return
    if options is None:
        value = raw[:200]
    else:
        lookup = {str(o).casefold(): o for o in options}
        picked = [lookup[p.strip().casefold()] for p in raw.split(",") if p.strip().casefold() in lookup]
        picked = list(dict.fromkeys(picked))
        value = picked if multi else (picked[0] if picked else None)
    st.session_state[state] = value
    st.session_state["_seen_" + key] = raw


def linked_text_input(label: str, key: str, **kwargs) -> str:
    """A text box whose value is kept in the link as ``?key=``."""
    _seed_page_value(key, None, False)
    return st.text_input(label, key=PAGE_PREFIX + key, on_change=_page_value_changed, args=(key, False), **kwargs)


def linked_multiselect(label: str, options: list, key: str, **kwargs) -> list:
    """A multiselect whose choices are kept in the link as ``?key=a,b``."""
    _seed_page_value(key, options, True)
    return multiselect(label, options, key=PAGE_PREFIX + key, on_change=_page_value_changed, args=(key, True), **kwargs)


def linked_selectbox(label: str, options: list, key: str, **kwargs):
    """A selectbox (empty allowed) whose choice is kept in the link as ``?key=``."""
    _seed_page_value(key, options, False)
    return st.selectbox(
        label, options, index=None, key=PAGE_PREFIX + key, on_change=_page_value_changed, args=(key, False), **kwargs
    )


def linked_segmented(label: str, options: list, key: str, default, **kwargs):
    """A segmented control whose choice is kept in the link; cleared, it falls back to ``default``."""
    _seed_page_value(key, options, False)
    if st.session_state.get(PAGE_PREFIX + key) is None:
        st.session_state[PAGE_PREFIX + key] = default
    value = st.segmented_control(
        label, options, key=PAGE_PREFIX + key, on_change=_page_value_changed, args=(key, False), **kwargs
    )
    return value or default


def upload_templates(kind: str) -> None:
    """The resource or event template (CSV and XLSX, with the founding report's rows as examples)."""
    from icat_analysis.paths import TEMPLATES_DIR

    columns = st.columns([1, 1, 2])
    for where, suffix in zip(columns, ("xlsx", "csv"), strict=False):
        path = TEMPLATES_DIR / f"{kind}.{suffix}"
        if path.exists():
            name = f"icat-{kind}-template.{suffix}"
            download(where, f"Template ({suffix.upper()})", path.read_bytes(), name, key=f"{kind}_template_{suffix}")


def page_link(page: str, label: str, icon: str | None = None, **query) -> None:
    """A link to another page carrying page filters (``agency=``, ``country=``) in its link."""
    from urllib.parse import urlencode

    from streamlit.errors import StreamlitAPIException

    params = {k: v for k, v in query.items() if v}
    try:
        st.page_link(page, label=label, icon=icon, query_params=params)
    except StreamlitAPIException:
        # A page run on its own (without dashboard.py's navigation) links by its address.
        from icat_analysis.ui.library import md

        st.markdown(f"[{md(label)}](<./{Path(page).stem}?{urlencode(params)}>)")


def show_agenda(f: Filters) -> None:
    """The next three events and the newest resources (the Overview, and in meetings)."""
    from icat_analysis.analyses import events, library
    from icat_analysis.ui import library as texts

    left, right = st.columns(2)
    with left:
        st.subheader("Next events")
        upcoming = events.next_events(events.events(run, f), today(), 3)
        if upcoming.empty:
            st.caption("No upcoming event in this selection.")
        for _, row in upcoming.iterrows():
            st.markdown(texts.event_line(row))
        page_link("pages/events.py", "The calendar", ":material/event:")
    with right:
        st.subheader("Newest in the library")
        newest = library.newest(library.resources(run, f), 3)
        if newest.empty:
            st.caption("No resource in this selection.")
        for _, row in newest.iterrows():
            st.markdown(texts.resource_line(row))
        page_link("pages/library.py", "The library", ":material/menu_book:")


def _show_activities_of(code: str, page: str) -> None:
    st.session_state[FILTER_PREFIX + "agencies"] = [code]
    st.session_state[FILTER_PREFIX + "role"] = "any"
    st.session_state["_go_to_page"] = page


def agency_links(code: str) -> None:
    """The agency profile's way to its activities (the Data page, filtered to the agency), its
    resources (the Library) and its events (the calendar); its website, ICAT membership and
    focal point from the agency directory."""
    from icat_analysis.analyses import agencies
    from icat_analysis.ui import library as texts

    e = agencies.entry(code)
    facts = [
        f"**ICAT membership:** {texts.md(e['icat_membership'] or 'not recorded in the founding report')}",
        f"**Website:** {texts.link_markdown(e['website'], e['website']) if e['website'] else 'not recorded'}",
        f"**Focal point:** {texts.md(e['focal_point'] or 'not filled in yet (reference/agencies.csv, focal_point)')}",
    ]
    st.markdown(" · ".join(facts))
    c1, c2, c3 = st.columns(3)
    c1.button(
        f"{code}'s activities on the Data page",
        on_click=_show_activities_of,
        args=(code, "pages/data.py"),
        icon=":material/table:",
        key="agency_activities_link",
    )
    if st.session_state.pop("_go_to_page", None):
        st.switch_page("pages/data.py")
    with c2:
        page_link("pages/library.py", f"{code}'s resources in the Library", ":material/menu_book:", agency=code)
    with c3:
        page_link("pages/events.py", f"{code}'s events in the calendar", ":material/event:", agency=code)


def _resources_and_events(page_filter: dict, titles: tuple[str, str], nothing: str, where: str) -> None:
    """Two columns: the resources a profile's agency or country has (the real ones first, they
    are what a person can cite) and the events to come, with links to the Library and the calendar."""
    from icat_analysis.analyses import events, library
    from icat_analysis.ui import library as texts

    found = library.resources(run, **page_filter).sort_values("is_synthetic", kind="stable")
    listed = events.events(run, **page_filter)
    coming = events.upcoming(listed, today())
    left, right = st.columns(2)
    with left:
        st.subheader(titles[0])
        st.caption(f"{len(found):,} in the library" if len(found) else nothing)
        for _, row in found.head(5).iterrows():
            st.markdown("- " + texts.resource_line(row))
        page_link("pages/library.py", "All of them in the Library", ":material/menu_book:", **page_filter)
    with right:
        st.subheader(titles[1])
        st.caption(f"{len(listed):,} events {where} in the calendar, {len(coming):,} of them to come.")
        for _, row in coming.head(5).iterrows():
            st.markdown("- " + texts.event_line(row))
        page_link("pages/events.py", "All of them in the calendar", ":material/event:", **page_filter)


def agency_library(code: str) -> None:
    """What the agency published (the library) and organises (the calendar), whatever the filters."""
    _resources_and_events(
        {"agency": code},
        ("Its resources", "Its events"),
        f"The library holds no resource published by {code}.",
        f"organised by {code}",
    )


def country_library(iso3: str, name: str) -> None:
    """The resources that concern the country (directly or through its region) and the events
    held there, whatever the filters."""
    _resources_and_events(
        {"country": iso3},
        ("Resources concerning it", "Events held there"),
        f"The library holds no resource about {name} or its region.",
        f"in {name}",
    )


def listing(table: pd.DataFrame, shown: list[str], synthetic: int, what: str, nothing: str) -> bool:
    """A list of resources or events (``shown`` columns, the web links as links), with how many
    are synthetic; ``nothing`` when it is empty. True when there is something to download."""
    synthetic_rows_note(synthetic, what)
    if table.empty:
        st.info(nothing, icon=":material/search_off:")
        return False
    config = {"Link": st.column_config.LinkColumn(display_text="Open")}
    if "Title" in shown:
        config["Title"] = st.column_config.TextColumn(width="large")
    # A missing value shows as a grey "None"; a row without a link (or a city) reads better blank.
    text = [c for c in shown if table[c].dtype == object or pd.api.types.is_string_dtype(table[c])]
    st.dataframe(table[shown].fillna(dict.fromkeys(text, "")), hide_index=True, column_config=config)
    return True


def synthetic_rows_note(n: int, what: str) -> None:
    """Says how many of the listed resources or events are synthetic, and how they are marked."""
    if n:
        st.info(
            f"**{n:,} of these {'is' if n == 1 else 'are'} synthetic** demonstration {what}, marked *Synthetic (demonstration)* here, "
            "*[Synthetic]* in short lists and calendar files; the real ones name the source of their facts.",
            icon=":material/science:",
        )


# ---- reviews ---------------------------------------------------------------------------
def review_form(activity_id_a: str, activity_id_b: str, *, key: str = "dup_review") -> None:
    """The form a planner saves a review of a pair with.

    A failed save keeps what was typed and says why; only a saved review clears the form (its
    widgets get new keys). The page shows ``st.session_state["dup_saved"]`` after the rerun.
    """
    gen = st.session_state.get(f"{key}_gen", 0)
    with st.form(f"{key}_{gen}", clear_on_submit=False, border=True):
        verdict = st.radio(
            "This pair is", list(reviews.VERDICTS), format_func=reviews.VERDICTS.get, index=None, key=f"{key}_v{gen}"
        )
        # No max_chars: the browser would cut a pasted note silently; a long one is refused with its length.
        note = st.text_area(
            "Note", placeholder="What you found out", help=f"Up to {reviews.MAX_NOTE:,} characters", key=f"{key}_n{gen}"
        )
        reviewer = st.text_input("Your name", max_chars=200, key=f"{key}_r{gen}")
        if not st.form_submit_button("Save review", type="primary"):
            return
        seen: list[str] = []
        try:
            reviews.add_review(
                current_data_dir(),
                activity_id_a,
                activity_id_b,
                verdict or "",
                reviewer,
                note,
                on_warning=seen.append,
                signed_in_as=signed_in_email(),
            )
        except ValueError as exc:
            st.error(literal(f"Not saved: {exc}. What you typed is still in the form."), icon=":material/error:")
            return
        except OSError as exc:
            st.error(
                literal(
                    f"Not saved: {literal(reviews.log_path(current_data_dir()))} cannot be written "
                    f"({literal(exc.strerror or exc)}). "
                    "What you typed is still in the form."
                ),
                icon=":material/error:",
            )
            return
    st.session_state[f"{key}_gen"] = gen + 1
    # activity ids come from the data: shown literally (no bold, LaTeX or links)
    st.session_state["dup_saved"] = literal(f"Saved: {activity_id_a} and {activity_id_b} marked {verdict}.")
    st.session_state["dup_saved_warnings"] = seen
    st.rerun()


def review_saved_messages() -> None:
    """The confirmation of the last save, and any repair of the log it made, once."""
    for text in st.session_state.pop("dup_saved_warnings", []):
        st.warning(literal(text), icon=":material/healing:")
    if st.session_state.get("dup_saved"):
        st.success(st.session_state.pop("dup_saved"), icon=":material/check:")


# ---- changes between two dates ---------------------------------------------------------
def date_in_link(key: str, label: str, default: date, **kwargs) -> date:
    """A date input whose value is kept in the link (``?KEY=YYYY-MM-DD``); a bad date in the link is ignored."""
    if key not in st.session_state:
        try:
            st.session_state[key] = date.fromisoformat(str(st.query_params.get(key, "")))
        except ValueError:
            st.session_state[key] = default
    value = st.date_input(label, key=key, format="YYYY-MM-DD", **kwargs)
    st.query_params[key] = value.isoformat()
    return value


@st.cache_data(max_entries=16, show_spinner="Comparing the two versions…")
def _changes(path: str, version: str, since: date, until: date | None):
    from icat_analysis.analyses import changes

    c = changes.compare(Path(path), since, until)
    return c, changes.places_gained_lost(c.since.path, c.until.path)


def last_meeting(today: date) -> date:
    """The last ICAT meeting in the events calendar, else the same day a year ago."""
    day = run("last_icat_meeting", today=today)["day"].iloc[0]
    if day is None or pd.isna(day):
        return today - timedelta(days=365)
    return pd.Timestamp(day).date()


def changes_between(since: date, until: date | None):
    """``changes.compare`` of the current export and the countries gained and lost, cached by version."""
    return _changes(str(current_data_dir()), export_version(), since, until)


# ---- freshness -------------------------------------------------------------------------
# Two caches: a hit copies its whole result, and the stale rows (up to one per activity: 0.27 s
# a visit at 1,000,000 activities) are not what the Agencies page shows.
@st.cache_data(max_entries=8, show_spinner=False)
def _scorecards(path: str, version: str, day: date):
    from icat_analysis.analyses import freshness

    return freshness.scorecards(_connection(path, version), day)


@st.cache_data(max_entries=8, show_spinner=False)
def _stale_rows(path: str, version: str, day: date):
    from icat_analysis.analyses import freshness

    return freshness.stale_rows(_connection(path, version), day)


def scorecards():
    """Every lead agency's freshness scorecard, as of today."""
    return _scorecards(str(current_data_dir()), export_version(), today())


def freshness_tables():
    """(scorecards, stale rows) of the whole export, as of today."""
    return scorecards(), _stale_rows(str(current_data_dir()), export_version(), today())


_CARD_COLUMNS = {
    "agency": "Agency",
    "activities": "Activities led",
    "last_submission": st.column_config.DateColumn("Last submission"),
    "days_since": "Days since",
    "state": "State",
    "with_budget": st.column_config.ProgressColumn("Budget", format="percent", min_value=0, max_value=1),
    "with_description": st.column_config.ProgressColumn("Description", format="percent", min_value=0, max_value=1),
    "with_end_date": st.column_config.ProgressColumn("End date", format="percent", min_value=0, max_value=1),
    "with_target_groups": st.column_config.ProgressColumn("Target groups", format="percent", min_value=0, max_value=1),
    "with_exploitation_forms": st.column_config.ProgressColumn(
        "Forms of exploitation", format="percent", min_value=0, max_value=1
    ),
    "stale": "Stale rows",
}


def agency_scorecards() -> None:
    """Every lead agency's freshness scorecard (the Agencies page)."""
    from icat_analysis.analyses import freshness

    cards = scorecards()
    st.dataframe(cards, hide_index=True, column_config=_CARD_COLUMNS)
    st.caption(
        f"Against an update every {freshness.cycle_days():,} days: fresh within one cycle of the last submission, "
        "then due, overdue after 60 more days and delinquent after 90 (HDX's method). Stale: active with the end "
        f"date passed, or last updated more than {freshness.stale_after_days():,} days ago. Whole export, not the "
        "filters."
    )


def agency_scorecard(code: str) -> None:
    """One agency's scorecard and its stale rows (the agency profile)."""
    from icat_analysis.analyses import freshness

    cards, stale = freshness_tables()
    mine = cards[cards["agency"] == code]
    st.markdown("**How fresh its data is**")
    if mine.empty:
        st.caption(f"{code} leads no activity in the export, so it has no scorecard.")
        return
    card = mine.iloc[0]
    cols = st.columns(len(freshness.SHARES) + 1)
    cols[0].metric("State", str(card["state"]).capitalize(), border=True, help=f"{card['days_since']} days since")
    for col, (k, label) in zip(cols[1:], freshness.SHARES.items()):
        col.metric(f"With {label}", f"{card[k]:.0%}", border=True)
    st.caption(freshness.summary(card))
    rows = stale[stale["agency"] == code]
    if len(rows):
        st.dataframe(
            rows,
            hide_index=True,
            width="stretch",
            column_config={c: st.column_config.DateColumn(c) for c in ("end_date", "last_updated")},
        )


def quality_downloads() -> None:
    """The data-quality report (the ``quality`` command's CSVs) for the secretariat to send on.

    Made when a button is clicked, not on every visit: the page shows neither table, and at
    1,000,000 activities the two queries over the whole export took 4-5 s each on a first visit."""
    path, version = str(current_data_dir()), export_version()
    table_downloads(
        lambda: _scorecards(path, version, today()),
        "Agency scorecards",
        "quality-scorecards",
        "Scorecards",
        key="quality_cards",
    )
    table_downloads(
        lambda: _stale_rows(path, version, today()),
        "Stale rows, by agency",
        "quality-stale-rows",
        "Stale rows",
        key="quality_stale",
    )
