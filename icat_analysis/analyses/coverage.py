"""Who works where and on what: agency coverage matrices, one agency's overlap with others,
joint work between agencies, and gaps (places with detected victims where nobody works).

The named queries (``sql/coverage_*.sql``) return long cells (agency, role, place, activities,
budget); the functions here shape them into matrices and tables, which
:mod:`icat_analysis.ui.coverage_charts` draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from icat_analysis import reference


@dataclass(frozen=True)
class Dimension:
    label: str  # what a person calls it ("Country")
    place: str  # what ``coverage_places`` counts as places ($place): a place column or a code list
    place_word: str  # one of them, in a sentence ("country")
    has_gaps: bool  # whether UNODC detections can mark places of it as gaps
    query: str = "coverage_places"  # the named query that returns its cells

    @property
    def params(self) -> dict:
        """The query's parameters besides the filters."""
        return {"place": self.place}


#: The dimensions a person may choose, each mapped to a fixed value of $place (an allow-list).
DIMENSIONS: dict[str, Dimension] = {
    "country": Dimension("Country", "country", "country", True),
    "sub_region": Dimension("Sub-region", "sub_region", "sub-region", True),
    "region": Dimension("Region", "region", "region", True),
    "theme": Dimension("Theme", "themes", "theme", False),
    "target_group": Dimension("Target group", "target_groups", "target group", False),
    "exploitation_form": Dimension("Form of exploitation", "exploitation_forms", "form of exploitation", False),
}
DIMENSION_LABELS = {k: d.label for k, d in DIMENSIONS.items()}
#: role choice -> roles counted in a cell
ROLES: dict[str, tuple[str, ...]] = {"any": ("lead", "partner"), "lead": ("lead",), "partner": ("partner",)}
ROLE_LABELS = {"any": "Lead or partner", "lead": "Lead only", "partner": "Partner only"}
MEASURES = {"activities": "Activities", "budget": "Known budget (US$)"}
SORTS = {"total": "By total", "alphabetical": "Alphabetically"}
GAP_BASES = {"any": "in any year", "latest": "in the latest reported year"}
GAP_LEGEND = "Empty, but UNODC reports detected victims here"
NO_GAPS = "Every country with detected victims in this selection has an activity."


def dimension(name: str) -> Dimension:
    """The dimension of this name; anything not in the allow-list is refused."""
    try:
        return DIMENSIONS[name]
    except KeyError:
        raise ValueError(f"not a coverage dimension: {name!r}") from None


def place_labels(dim: str) -> dict[str, str]:
    """Code -> label of the places of a dimension (regions are their own labels)."""
    if dim == "country":
        return reference.labels("country")
    if dim in ("region", "sub_region"):
        return {}
    return reference.labels(dim)


def agency_label(code: str) -> str:
    """ "International Labour Organization (ILO)" - how a download names an agency."""
    name = reference.labels("agency").get(code)
    return f"{name} ({code})" if name else code


# ---- gaps ------------------------------------------------------------------------------
def current_agencies() -> set[str]:
    """Agencies that still exist (no successor in the reference list)."""
    a = reference.agencies()
    return set(a.loc[a["successor"].isna(), "code"])


def detected_places(detections: pd.DataFrame, dim: str, *, basis: str = "any") -> set[str]:
    """Places of a dimension where UNODC reports detected victims.

    ``detections`` is the result of ``coverage_detections``. ``basis="any"`` counts a country
    with detections in any year; ``"latest"`` only when its latest reported year had detections.
    A sub-region or region counts when any of its countries does.
    """
    if not DIMENSIONS[dim].has_gaps or detections.empty:
        return set()
    d = detections
    if basis == "latest":
        d = d[d["latest_detection_year"] == d["latest_reported_year"]]
    iso3 = set(d["iso3"])
    if dim == "country":
        return iso3
    c = reference.countries()
    return set(c.loc[c["iso3"].isin(iso3), dim].dropna())


# ---- the matrix ------------------------------------------------------------------------
@dataclass(frozen=True)
class CoverageMatrix:
    """One coverage matrix: places down, agencies across.

    ``values`` holds what a cell shows (activities, or the sum of known budgets);
    ``activities`` and ``with_budget`` are the counts behind each cell (for hover text);
    ``gaps`` marks empty cells in places where UNODC reports detected victims.
    """

    dimension: str
    measure: str
    role: str
    values: pd.DataFrame
    activities: pd.DataFrame
    with_budget: pd.DataFrame
    gaps: pd.DataFrame
    places_total: int  # places with any activity before the top-N cut

    @property
    def empty(self) -> bool:
        return self.values.empty or not self.activities.to_numpy().any()

    def place_names(self) -> list[str]:
        names = place_labels(self.dimension)
        return [names.get(p, p) for p in self.values.index]


def _order(totals: pd.Series, labels: dict[str, str], how: str) -> list[str]:
    if how == "alphabetical":
        return sorted(totals.index, key=lambda k: labels.get(k, k).casefold())
    if how != "total":
        raise ValueError(f"not a sort order: {how!r}")
    return sorted(totals.index, key=lambda k: (-totals[k], labels.get(k, k).casefold()))


def coverage_matrix(
    cells: pd.DataFrame,
    *,
    dim: str = "country",
    role: str = "any",
    measure: str = "activities",
    sort_agencies: str = "total",
    sort_places: str = "total",
    top_n: int | None = None,
    detections: pd.DataFrame | None = None,
    gap_basis: str = "any",
) -> CoverageMatrix:
    """Shape the cells of a ``coverage_*`` query into a matrix.

    ``role`` picks which roles a cell counts (``any`` adds lead and partner: an agency has one
    role per activity, so nothing is counted twice). ``measure`` is ``activities`` or
    ``budget`` (the sum of the budgets that are known). Only agencies with work under the
    chosen role appear. ``top_n`` keeps the places with the largest totals. For places of the
    dimension's code list (themes ...) every code is a row, worked on or not.
    """
    dimension(dim)
    if role not in ROLES or measure not in MEASURES:
        raise ValueError(f"role {role!r} or measure {measure!r} not allowed")
    c = cells[cells["role"].isin(ROLES[role])]
    value_col = "activities" if measure == "activities" else "budget"

    def pivot(col: str) -> pd.DataFrame:
        if c.empty:
            return pd.DataFrame(dtype=float)
        return c.pivot_table(index="place", columns="agency", values=col, aggfunc="sum", fill_value=0).astype(float)

    acts, vals, known = pivot("activities"), pivot(value_col), pivot("with_budget")
    if dim not in ("country", "region", "sub_region"):
        codes = reference.codes(dim)
        acts = acts.reindex(codes + [p for p in acts.index if p not in codes], fill_value=0)
    labels = place_labels(dim)
    agency_names = {a: a for a in acts.columns}
    places_total = int((acts.sum(axis=1) > 0).sum()) if not acts.empty else 0
    if not acts.empty:
        place_order = _order(
            acts.sum(axis=1) if measure == "activities" else vals.reindex(acts.index).fillna(0).sum(axis=1),
            labels,
            sort_places,
        )
        if top_n is not None and sort_places == "total":
            place_order = place_order[:top_n]
        elif top_n is not None:
            biggest = set(_order(acts.sum(axis=1), labels, "total")[:top_n])
            place_order = [p for p in place_order if p in biggest]
        totals = acts.sum(axis=0) if measure == "activities" else vals.sum(axis=0)
        agency_order = _order(totals, agency_names, sort_agencies)
        acts = acts.reindex(index=place_order, columns=agency_order, fill_value=0)
    vals = vals.reindex(index=acts.index, columns=acts.columns, fill_value=0)
    known = known.reindex(index=acts.index, columns=acts.columns, fill_value=0)
    detected = detected_places(detections, dim, basis=gap_basis) if detections is not None else set()
    # An agency that was succeeded (UNIFEM, UNDAW -> UN Women) no longer works anywhere:
    # its empty cells are history, not gaps.
    gap_rows = acts.index.isin(list(detected))
    gap_cols = acts.columns.isin(list(current_agencies()))
    gaps = (acts == 0) & pd.DataFrame(np.outer(gap_rows, gap_cols), index=acts.index, columns=acts.columns)
    return CoverageMatrix(dim, measure, role, vals, acts, known, gaps, places_total)


def matrix_table(m: CoverageMatrix) -> pd.DataFrame:
    """The matrix as a labelled table for download: code, name, one column per agency
    (headed by its full name and code), and the row total."""
    d = DIMENSIONS[m.dimension]
    out = pd.DataFrame({f"{d.label} code": list(m.values.index), d.label: m.place_names()})
    for agency in m.values.columns:
        out[agency_label(agency)] = m.values[agency].to_numpy()
    out["Total (sum of cells)"] = m.values.sum(axis=1).to_numpy()
    if d.has_gaps:
        # one pass over a boolean array: cell-by-cell .at lookups took 0.2 s for 164 x 19
        flags = m.gaps.to_numpy(dtype=bool)
        agencies = list(m.values.columns)
        out["Agencies with no work where UNODC reports detected victims"] = [
            "; ".join(a for a, gap in zip(agencies, row) if gap) for row in flags
        ]
    return out


def matrix_title(m: CoverageMatrix, top_n: int | None) -> str:
    """ "Activities by agency and country (lead or partner; 40 of 164)"."""
    d = DIMENSIONS[m.dimension]
    shown = (
        f"{len(m.values):,} of {m.places_total:,}" if top_n and top_n < m.places_total else f"all {m.places_total:,}"
    )
    return f"{MEASURES[m.measure]} by agency and {d.place_word} ({ROLE_LABELS[m.role].lower()}; {shown})"


def empty_matrix_text(dim: str, role: str) -> str:
    d = DIMENSIONS[dim]
    return f"No agency works as {ROLE_LABELS[role].lower()} on a {d.place_word} in this selection" + (
        " (global activities name no country)." if d.has_gaps else "."
    )


def matrix_notes(dim: str, measure: str, *, detections_loaded: bool) -> str:
    """What a reader must know under the matrix: how activities are counted, budgets, gaps."""
    d = DIMENSIONS[dim]
    notes = []
    if d.has_gaps:
        notes.append("A regional activity counts once in each of its countries, and once in its sub-region or region.")
        notes.append("Global activities that name no country are not in this matrix.")
    else:
        notes.append(f"An activity with several {d.place_word}s counts once under each.")
    if measure == "budget":
        notes.append(
            "Budgets are the ones reported; a regional activity's whole budget counts in each of its places, "
            "and activities without a budget add nothing (hover a cell for how many have one)."
        )
    if d.has_gaps and not detections_loaded:
        notes.append("No UNODC detected-victims data is loaded, so gaps cannot be marked.")
    elif d.has_gaps:
        notes.append(
            "Orange cells: the agency has no activity there although UNODC reports detected victims "
            "(detected victims measure what authorities detected, not how many victims there are)."
        )
    return " ".join(notes)


# ---- one agency's overlap ----------------------------------------------------------------
#: the Coverage page's tabs: the word in the link -> the tab's label
TABS = {"matrix": "Who works where", "overlap": "One agency's overlap", "joint": "Joint work"}


def overlap_default(sidebar_agencies, present: list[str]) -> str:
    """The agency the overlap tab opens on: the first of the sidebar's agencies that works in
    the selection, else the first present."""
    return next((a for a in sidebar_agencies if a in present), present[0])


#: the country code column of the gap and overlap tables: in their downloads (to join on), not on screen
ISO_CODE = "ISO code"
#: the overlap table's column naming the other agencies in a country and their activities there
OTHERS = "Other agencies (their activities)"

OVERLAP_NOTE = (
    "Other agencies present: any agency with a selected activity in the country, lead or partner, "
    "whether or not it works with this one."
)


def overlap_for_agency(cells: pd.DataFrame, agency: str, *, role: str = "any") -> pd.DataFrame:
    """Where one agency works (from the country cells of ``coverage_places``): alone, or with which others.

    One row per country where the agency has activities under ``role``: its activities, how
    many other agencies work there (in any role) and who, with their activity counts.
    Countries where it works alone come first, then by its activities.
    """
    mine = cells[(cells["agency"] == agency) & cells["role"].isin(ROLES[role])]
    mine = mine.groupby("place")["activities"].sum()
    others = cells[(cells["agency"] != agency) & cells["place"].isin(mine.index)]
    others = others.groupby(["place", "agency"], as_index=False)["activities"].sum()
    others = others.sort_values(["place", "activities", "agency"], ascending=[True, False, True])
    # Named in full (a newcomer does not know every acronym), the code kept in brackets.
    others["text"] = [f"{agency_label(a)}: {int(n)}" for a, n in zip(others["agency"], others["activities"])]
    present = others.groupby("place")["text"].agg("; ".join)
    n_others = others.groupby("place")["agency"].size()
    names = reference.labels("country")
    rows = [
        {
            "Country": names.get(place, place),
            ISO_CODE: place,
            "This agency's activities": int(n),
            "Other agencies present": int(n_others.get(place, 0)),
            "Works": "with others" if n_others.get(place, 0) else "alone",
            OTHERS: present.get(place, ""),
        }
        for place, n in mine.items()
    ]
    cols = [
        "Country",
        ISO_CODE,
        "This agency's activities",
        "Other agencies present",
        "Works",
        OTHERS,
    ]
    out = pd.DataFrame(rows, columns=cols)
    if out.empty:
        return out
    out["_alone"] = out["Other agencies present"].eq(0)
    out = out.sort_values(["_alone", "This agency's activities", "Country"], ascending=[False, False, True])
    return out.drop(columns="_alone").reset_index(drop=True)


def overlap_figures(table: pd.DataFrame) -> list[tuple[str, str]]:
    """The headline of one agency's overlap (an :func:`overlap_for_agency` table): label, figure."""
    alone = int((table["Works"] == "alone").sum())
    return [
        ("Countries", f"{len(table):,}"),
        ("Works alone in", f"{alone:,}"),
        ("Works beside other agencies in", f"{len(table) - alone:,}"),
    ]


# ---- joint work ------------------------------------------------------------------------
def joint_work_matrix(pairs: pd.DataFrame, *, sort: str = "total") -> pd.DataFrame:
    """Agency x agency: the activities both take part in (``coverage_joint_pairs`` rows).

    Symmetric, with zeros on the diagonal (an agency's work with itself is not joint work).
    """
    agencies = sorted(set(pairs["agency_a"]) | set(pairs["agency_b"]))
    m = pd.DataFrame(0, index=agencies, columns=agencies, dtype="int64")
    for a, b, n in zip(pairs["agency_a"], pairs["agency_b"], pairs["activities"]):
        m.at[a, b] += int(n)
        m.at[b, a] += int(n)
    if agencies:
        order = _order(m.sum(axis=1), {a: a for a in agencies}, sort)
        m = m.loc[order, order]
    m.index.name = "agency"
    return m


def joint_table(m: pd.DataFrame) -> pd.DataFrame:
    """The joint-work matrix for download, agencies named in full."""
    out = pd.DataFrame({"Agency code": list(m.index), "Agency": [agency_label(a) for a in m.index]})
    for a in m.columns:
        out[agency_label(a)] = m[a].to_numpy()
    return out


def joint_work_by_year(by_year: pd.DataFrame) -> pd.DataFrame:
    """Activities started each year, how many were joint, and the joint share in percent."""
    out = by_year.copy()
    out["share_joint_pct"] = (100 * out["joint"] / out["activities"].where(out["activities"] > 0)).round(1)
    return out


def joint_share_table(by_year: pd.DataFrame) -> pd.DataFrame:
    """The joint share per start year for download, headed in words."""
    return joint_work_by_year(by_year).rename(
        columns={
            "year": "Start year",
            "activities": "Activities started",
            "joint": "Joint activities",
            "share_joint_pct": "Joint share (%)",
        }
    )


# ---- gaps ------------------------------------------------------------------------------
def gaps(
    cells: pd.DataFrame,
    detections: pd.DataFrame,
    *,
    agency: str | None = None,
    role: str = "any",
    places: list[str] | None = None,
    basis: str = "any",
) -> pd.DataFrame:
    """Countries where UNODC reports detected victims but no agency (or not ``agency``) works.

    ``cells`` are the country cells of ``coverage_places``; ``places`` limits the countries (the filters'
    places, None = everywhere). ``basis`` as in :func:`detected_places`. Sorted by the latest
    detected count, largest first, so the biggest unanswered detections lead.
    """
    d = detections
    if basis == "latest":
        d = d[d["latest_detection_year"] == d["latest_reported_year"]]
    if places is not None:
        d = d[d["iso3"].isin(places)]
    c = cells[cells["role"].isin(ROLES[role])]
    working = c if agency is None else c[c["agency"] == agency]
    covered = set(working.loc[working["activities"] > 0, "place"])
    others = c.groupby("place")["agency"].nunique()
    d = d[~d["iso3"].isin(covered)]
    ref = reference.countries().set_index("iso3")
    out = pd.DataFrame(
        {
            "Country": [ref["name"].get(i, i) for i in d["iso3"]],
            ISO_CODE: d["iso3"].to_numpy(),
            "Region": [ref["region"].get(i) for i in d["iso3"]],
            "Sub-region": [ref["sub_region"].get(i) for i in d["iso3"]],
            "Latest year with detected victims": d["latest_detection_year"].astype("Int64").to_numpy(),
            "Detected victims that year": d["latest_detected_victims"].to_numpy(),
            "Years with detected victims": d["years_with_detections"].astype("Int64").to_numpy(),
        }
    )
    if agency is not None:
        out["Other agencies working there"] = [int(others.get(i, 0)) for i in out[ISO_CODE]]
    return out.sort_values(["Detected victims that year", "Country"], ascending=[False, True]).reset_index(drop=True)


def gaps_sentence(n: int, agency: str | None) -> str:
    who = "no selected activity works" if agency is None else f"{agency_label(agency)} has no selected activity"
    return f"{n:,} countries report detected victims where {who}."
