"""The agency directory and one agency's profile: who each agency is (reference data), and
what it does in the selected activities (the ``agency_*`` named queries).

Functions take query results and shape them into tables; :mod:`icat_analysis.ui.agency_charts`
draws them.
"""

from __future__ import annotations

import pandas as pd

from icat_analysis import reference


def successor_text(code: str | None) -> str | None:
    """ "UN Women (UNWOMEN)" for an agency that was succeeded, else None."""
    if code is None or pd.isna(code) or not code:
        return None
    short = {"UNWOMEN": "UN Women"}.get(code)
    return f"{short or reference.labels('agency').get(code, code)} ({code})"


def predecessors(code: str) -> list[str]:
    """Agencies whose work this one took over (UN Women: UNIFEM and UNDAW)."""
    a = reference.agencies()
    return a.loc[a["successor"] == code, "code"].tolist()


def directory(counts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every agency of the reference list, in its order, with what it does in the selection.

    ``counts`` is the ``agency_counts`` result (agencies without selected activities get
    zeros). Columns are headed in words, ready to show and to download.
    """
    a = reference.agencies().copy()
    if counts is None or counts.empty:
        counts = pd.DataFrame(columns=["agency", "lead_activities", "partner_activities", "countries"])
    c = counts.set_index("agency")
    pred = {code: ", ".join(predecessors(code)) for code in a["code"]}

    def n(col: str) -> list[int]:
        return [int(c[col].get(code, 0)) if col in c else 0 for code in a["code"]]

    out = pd.DataFrame(
        {
            "Code": a["code"],
            "Name": a["name"],
            # The counts follow the name, so they show without scrolling sideways.
            "Activities led": n("lead_activities"),
            "Activities as partner": n("partner_activities"),
            "Countries": n("countries"),
            "Kind": a["kind"],
            "Joined ICAT": [str(y) if not pd.isna(y) else "" for y in a["joined_icat"]],
            "Founding member": a["founding_member"].map({True: "yes", False: "no"}),
            "ICAT membership": [_text_or_none(m) or "" for m in a["icat_membership"]],
            "Website": [_text_or_none(w) or "" for w in a["website"]],
            "Focal point": [_text_or_none(p) or "" for p in a["focal_point"]],
            "Succeeded by": [successor_text(s) or "" for s in a["successor"]],
            "Took over the work of": [pred[code] for code in a["code"]],
            "Mandate on trafficking in persons": a["mandate"],
        }
    )
    return out


def entry(code: str) -> dict:
    """One agency's reference entry as a dict (code, name, kind, mandate, successor, ...).

    Raises KeyError for a code that is not an agency (a URL value is checked first)."""
    a = reference.agencies().set_index("code")
    row = a.loc[code]
    return {
        "code": code,
        "name": row["name"],
        "kind": row["kind"],
        "founding_member": bool(row["founding_member"]),
        "joined_icat": None if pd.isna(row["joined_icat"]) else int(row["joined_icat"]),
        "successor": successor_text(row["successor"]),
        "predecessors": predecessors(code),
        "mandate": row["mandate"],
        "icat_membership": _text_or_none(row["icat_membership"]),
        "website": _text_or_none(row["website"]),
        "focal_point": _text_or_none(row["focal_point"]),
    }


def _text_or_none(value) -> str | None:
    return None if value is None or pd.isna(value) or not str(value).strip() else str(value)


def facts(e: dict) -> str:
    """One line under an agency's name: kind, ICAT membership, successor, predecessors."""
    out = [e["kind"]]
    if e["joined_icat"]:
        out.append(f"in ICAT since {e['joined_icat']}" + (" (founding member)" if e["founding_member"] else ""))
    if e["successor"]:
        out.append(f"succeeded by {e['successor']}")
    if e["predecessors"]:
        out.append("took over the work of " + " and ".join(e["predecessors"]))
    return "; ".join(out)


def profile_code(value: str | None) -> str | None:
    """The agency code a URL's ``agency=`` asks for, matched case-insensitively; None if unknown."""
    if not value:
        return None
    lookup = {c.casefold(): c for c in reference.agency_codes()}
    return lookup.get(str(value).strip().casefold())


def coverage_map_frame(countries: pd.DataFrame, agency: str) -> pd.DataFrame:
    """One row per reference country for the agency's coverage map (``agency_countries``)."""
    ref = reference.countries()[["iso3", "name"]]
    out = ref.merge(countries, on="iso3", how="left")
    for col in ("activities", "as_lead", "as_partner"):
        out[col] = out[col].fillna(0).astype(int)
    out["value"] = out["activities"].astype(float)
    out["in_selection"] = True
    out["hover"] = [
        f"<b>{name}</b><br>{agency}: {reference.activities_text(n)} ({lead:,} as lead, {partner:,} as partner)"
        for name, n, lead, partner in zip(out["name"], out["activities"], out["as_lead"], out["as_partner"])
    ]
    return out


def countries_table(countries: pd.DataFrame, agency: str) -> pd.DataFrame:
    """The countries where the agency works, most activities first, headed in words."""
    table = coverage_map_frame(countries, agency)
    table = table[table["activities"] > 0][["iso3", "name", "activities", "as_lead", "as_partner"]]
    return table.sort_values(["activities", "name"], ascending=[False, True]).rename(
        columns={"name": "Country", "activities": "Activities", "as_lead": "As lead", "as_partner": "As partner"}
    )


def partners_table(partners: pd.DataFrame) -> pd.DataFrame:
    """Who the agency works with (``agency_partners``), named in full."""
    names = reference.labels("agency")
    return pd.DataFrame(
        {
            "Code": partners["partner"],
            "Agency": [names.get(p, p) for p in partners["partner"]],
            "Joint activities": partners["joint_activities"].astype(int),
            "Led by this agency": partners["led_by_this_agency"].astype(int),
            "Led by the partner": partners["led_by_partner"].astype(int),
        }
    )
