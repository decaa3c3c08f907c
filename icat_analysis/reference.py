"""Reference data versioned with the code: agencies, countries (UN M49 regions), code lists."""

from __future__ import annotations

from functools import cache, lru_cache

import pandas as pd

from icat_analysis.paths import REFERENCE_DIR

#: what a chart shows for an activity with no code of a list (codelists.csv, list "shown")
UNCLASSIFIED = "unclassified"
UNCLASSIFIED_LIST = "shown"

#: list name in codelists.csv for each list column of the template
LIST_OF_COLUMN = {
    "scope": "scope",
    "status": "status",
    "themes": "theme",
    "activity_types": "activity_type",
    "target_groups": "target_group",
    "exploitation_forms": "exploitation_form",
    "role": "role",
}


@lru_cache(maxsize=1)
def agencies() -> pd.DataFrame:
    """One row per agency code: name, kind, founding_member, joined_icat, successor,
    icat_membership ("founding participant", "later member" or None where no source says),
    website, focal_point (None until a deployment fills it in), mandate."""
    df = pd.read_csv(REFERENCE_DIR / "agencies.csv", dtype=str, keep_default_na=False)
    df["founding_member"] = df["founding_member"].eq("true")
    df["joined_icat"] = pd.to_numeric(df["joined_icat"].replace("", None)).astype("Int64")
    for col in ("successor", "icat_membership", "website", "focal_point"):
        df[col] = df[col].replace("", None)
    return df


@lru_cache(maxsize=1)
def countries() -> pd.DataFrame:
    """One row per country: iso3, iso2, m49, name, official_name, region, sub_region."""
    df = pd.read_csv(REFERENCE_DIR / "countries.csv", dtype=str, keep_default_na=False)
    return df.replace("", None)


@lru_cache(maxsize=1)
def codelists() -> pd.DataFrame:
    """Every code of the template's code lists: list, code, label, description."""
    return pd.read_csv(REFERENCE_DIR / "codelists.csv", dtype=str, keep_default_na=False)


def codes(list_name: str) -> list[str]:
    """The codes of one list (``theme``, ``status`` ...) in their documented order."""
    df = codelists()
    return df.loc[df["list"] == list_name, "code"].tolist()


def labels(list_name: str) -> dict[str, str]:
    """Code -> human label for one list; ``agency`` and ``country`` are lists too."""
    # A page names hundreds of codes a run (each area in the Indicators page's list): the labels
    # are read once, and each caller gets its own copy to change.
    return dict(_labels(list_name))


@cache
def _labels(list_name: str) -> dict[str, str]:
    if list_name == "agency":
        return dict(zip(agencies()["code"], agencies()["name"]))
    if list_name == "country":
        return dict(zip(countries()["iso3"], countries()["name"]))
    df = codelists()
    # "unclassified" (list "shown") is how an activity without a code of the list appears.
    df = df[df["list"].isin((list_name, UNCLASSIFIED_LIST))]
    return dict(zip(df["code"], df["label"]))


def activities_text(n: int) -> str:
    """ "1 activity", "2,345 activities"."""
    return f"{n:,} activity" if n == 1 else f"{n:,} activities"


def agency_choice(code: str) -> str:
    """ "ILO — International Labour Organization": how a list of agencies to pick from names one."""
    return f"{code} — {labels('agency').get(code, code)}"


def shown_codes(list_name: str, present) -> list[str]:
    """The codes of a list in their documented order, then "unclassified" when it is among
    ``present`` (the codes a query returned): how charts order a list's categories."""
    codes_ = codes(list_name)
    return codes_ + ([UNCLASSIFIED] if UNCLASSIFIED in set(present) else [])


def agency_codes() -> list[str]:
    return agencies()["code"].tolist()


def country_codes() -> list[str]:
    return countries()["iso3"].tolist()


def regions() -> list[str]:
    return sorted(countries()["region"].dropna().unique())


def sub_regions() -> list[str]:
    return sorted(countries()["sub_region"].dropna().unique())


def _csv(name: str) -> pd.DataFrame:
    return pd.read_csv(REFERENCE_DIR / name, dtype=str, keep_default_na=False)


@lru_cache(maxsize=1)
def iati_organisations() -> dict[str, str]:
    """IATI organisation identifier (every form the files use) -> agency code."""
    df = _csv("iati_organisations.csv")
    return dict(zip(df["ref"], df["agency"]))


@lru_cache(maxsize=1)
def iati_regions() -> dict[tuple[str, str], tuple[str, str]]:
    """(region vocabulary, code) -> (name, scope) for IATI recipient regions."""
    df = _csv("iati_regions.csv")
    return {(v, c): (n, s) for v, c, n, s in zip(df["vocabulary"], df["code"], df["name"], df["scope"])}


@lru_cache(maxsize=1)
def iati_relevance() -> pd.DataFrame:
    """kind (tip, related, exclude, boilerplate, tag), language, term."""
    return _csv("iati_relevance.csv")


@lru_cache(maxsize=1)
def iati_inference() -> pd.DataFrame:
    """column, code, source (text, sector, tag, policy_marker), match."""
    return _csv("iati_inference.csv")


@lru_cache(maxsize=1)
def glotip_region_codes() -> dict[str, str]:
    """Codes of UNODC's GLOTIP file that are regional aggregates, not countries -> what each
    seems to cover (read by comparing its values with the sums of the country rows)."""
    df = _csv("glotip_region_codes.csv")
    return dict(zip(df["code"], df["meaning"]))


@lru_cache(maxsize=1)
def region_parents() -> pd.DataFrame:
    """Each named region an activity can be placed in (IATI recipient regions, both
    vocabularies) with the UN M49 sub-region and region of the country list it lies in."""
    return _csv("region_parents.csv")


@lru_cache(maxsize=1)
def glotip_citizenship_names() -> dict[str, str]:
    """A citizenship GLOTIP names differently across years or countries -> the one name the
    dashboard draws it under (``reference/glotip_citizenship_names.csv``, each with why)."""
    df = _csv("glotip_citizenship_names.csv")
    return dict(zip(df["published"], df["reconciled"]))
