"""The data dictionary the Data page shows: the template's columns, the code lists, the
agencies, and where the data comes from (the export's manifest)."""

from __future__ import annotations

import pandas as pd

from icat_analysis import reference
from icat_analysis.store.contract import EVENT_TEMPLATE, RESOURCE_TEMPLATE, TEMPLATE, Column

_KIND_WORDS = {
    "text": "text",
    "agency": "agency code",
    "agencies": "list of agency codes",
    "scope": "code",
    "countries": "list of ISO 3166-1 codes",
    "date": "date (YYYY-MM-DD)",
    "status": "code",
    "number": "number",
    "codes": "list of codes",
    "list": "list of text",
    "level": "sharing level (public or members)",
    "code": "code",
    "year": "year (four digits)",
    "link": "web address (http:// or https://)",
    "place": "ISO 3166-1 code or online",
    "regions": "list of UN M49 regions or sub-regions",
}
#: the templates the dictionary describes, by the name a person knows them by
TEMPLATES = {"Activities": TEMPLATE, "Resources": RESOURCE_TEMPLATE, "Events": EVENT_TEMPLATE}


def template_columns(template: tuple[Column, ...] = TEMPLATE) -> pd.DataFrame:
    """One row per template column: column, required, type, code list, meaning (the activity
    template unless another is given: ``TEMPLATES``)."""
    return pd.DataFrame(
        {
            "Column": [c.name for c in template],
            "Required": ["yes" if c.required else "no" for c in template],
            "Type": [_KIND_WORDS.get(c.kind, c.kind) for c in template],
            "Code list": [c.codelist or "" for c in template],
            "Meaning": [c.description for c in template],
        }
    )


def code_lists() -> pd.DataFrame:
    """Every code of every list, with its label and description."""
    df = reference.codelists().rename(
        columns={"list": "List", "code": "Code", "label": "Label", "description": "Description"}
    )
    return df[["List", "Code", "Label", "Description"]].reset_index(drop=True)


def agencies() -> pd.DataFrame:
    """The agencies of the reference list with what became of them."""
    a = reference.agencies()
    return pd.DataFrame(
        {
            "Code": a["code"],
            "Name": a["name"],
            "Kind": a["kind"],
            "Founding member (2006)": a["founding_member"].map({True: "yes", False: "no"}),
            "Joined ICAT": a["joined_icat"].astype("string").fillna(""),
            "Succeeded by": a["successor"].fillna(""),
            "ICAT membership": a["icat_membership"].fillna(""),
            "Website": a["website"].fillna(""),
            "Focal point": a["focal_point"].fillna(""),
        }
    )


def sources(manifest: dict) -> pd.DataFrame:
    """The sources the manifest cites: name, citation, licence, link (whatever it gives)."""
    rows = []
    for s in manifest.get("sources") or []:
        if isinstance(s, str):
            rows.append({"Source": s})
            continue
        if not isinstance(s, dict):
            continue
        row = {}
        for key, heading in (
            ("name", "Source"),
            ("title", "Source"),
            ("citation", "Citation"),
            ("cite", "Citation"),
            ("publisher", "Publisher"),
            ("url", "Link"),
            ("license", "Licence"),
            ("licence", "Licence"),
            ("file", "File"),
            ("retrieved", "Retrieved"),
            ("release", "Release"),
        ):
            if s.get(key) and heading not in row:
                row[heading] = str(s[key])
        extra = {
            k: v
            for k, v in s.items()
            if k
            not in {
                "name",
                "title",
                "citation",
                "cite",
                "publisher",
                "url",
                "license",
                "licence",
                "file",
                "retrieved",
                "release",
            }
        }
        for k, v in extra.items():
            if isinstance(v, (str, int, float)):
                row[k.replace("_", " ").capitalize()] = str(v)
        rows.append(row)
    return pd.DataFrame(rows)


def manifest_facts(manifest: dict) -> pd.DataFrame:
    """The manifest's plain facts (not its sources or row counts) as two columns."""
    rows = []
    for k, v in sorted(manifest.items()):
        if k in ("sources", "row_counts"):
            continue
        if isinstance(v, (dict, list)):
            continue
        rows.append({"Fact": k.replace("_", " "), "Value": str(v)})
    return pd.DataFrame(rows, columns=["Fact", "Value"])
