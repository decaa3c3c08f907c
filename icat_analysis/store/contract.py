"""The data contract (docs/SCHEMA.md) as code: template columns and parquet schemas."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # text | agency | agencies | scope | countries | date | status | number | codes | list | level
    required: bool = False
    codelist: str | None = None  # list name in reference/codelists.csv for kind "codes"
    description: str = ""


#: The activity template, in the order of the contract.
TEMPLATE: tuple[Column, ...] = (
    Column("activity_id", "text", True, description="Unique identifier; an IATI identifier is welcome"),
    Column("title", "text", True, description="Title of the activity"),
    Column("description", "text", description="Free text"),
    Column("lead_agency", "agency", True, description="Code of the leading agency"),
    Column("partner_agencies", "agencies", description="Codes of partner agencies; non-empty means joint"),
    Column("scope", "scope", True, codelist="scope", description="national, regional or global"),
    Column("countries", "countries", description="ISO 3166-1 codes (alpha-3 stored)"),
    Column("start_date", "date", True, description="YYYY-MM-DD"),
    Column("end_date", "date", description="Empty means ongoing"),
    Column("status", "status", codelist="status", description="Derived from the dates when empty"),
    Column("budget_usd", "number", description="Budget in US dollars, not negative"),
    Column("themes", "codes", True, codelist="theme", description="One or more of the four Ps"),
    Column("activity_types", "codes", codelist="activity_type", description="What kind of work"),
    Column("target_groups", "codes", codelist="target_group", description="Who the activity serves or trains"),
    Column("exploitation_forms", "codes", codelist="exploitation_form", description="Forms of exploitation addressed"),
    Column("donors", "list", description="Free-text donor names"),
    Column("last_updated", "date", description="When the agency last revised the row"),
    Column(
        "visibility",
        "level",
        codelist="visibility",
        description="Who may see the activity: public (anyone) or members (signed-in ICAT members only); "
        "empty takes the submission's default, members when none is given",
    ),
    Column(
        "budget_visibility",
        "level",
        codelist="visibility",
        description="Who may see budget_usd: public or members; never wider than visibility; "
        "empty takes the submission's default, else the activity's visibility",
    ),
)
TEMPLATE_NAMES = tuple(c.name for c in TEMPLATE)
REQUIRED = tuple(c.name for c in TEMPLATE if c.required)
#: sharing levels from the widest to the narrowest (reference/codelists.csv, list "visibility")
LEVELS = ("public", "members")
#: what a row that predates sharing levels (or leaves them empty) is shared as: members only,
#: because nothing may be published that an agency did not say may be published
DEFAULT_LEVEL = "members"
SHARING_COLUMNS = ("visibility", "budget_visibility")
LIST_COLUMNS = tuple(c.name for c in TEMPLATE if c.kind in ("agencies", "countries", "codes", "list"))

_STR = pa.string()
_LIST = pa.list_(pa.string())

ACTIVITIES_SCHEMA = pa.schema(
    [
        ("activity_id", _STR),
        ("title", _STR),
        ("description", _STR),
        ("lead_agency", _STR),
        ("partner_agencies", _LIST),
        ("scope", _STR),
        ("countries", _LIST),
        ("start_date", pa.date32()),
        ("end_date", pa.date32()),
        ("status", _STR),
        ("budget_usd", pa.float64()),
        ("themes", _LIST),
        ("activity_types", _LIST),
        ("target_groups", _LIST),
        ("exploitation_forms", _LIST),
        ("donors", _LIST),
        ("last_updated", pa.date32()),
        ("visibility", _STR),
        ("budget_visibility", _STR),
        ("is_joint", pa.bool_()),
        ("source_file", _STR),
        ("imported_at", pa.timestamp("us")),
    ]
)
ACTIVITY_COUNTRIES_SCHEMA = pa.schema([("activity_id", _STR), ("iso3", _STR)])
ACTIVITY_AGENCIES_SCHEMA = pa.schema([("activity_id", _STR), ("agency", _STR), ("role", _STR)])
INDICATORS_SCHEMA = pa.schema(
    [
        ("indicator", _STR),
        ("iso3", _STR),
        ("country", _STR),
        ("year", pa.int32()),
        ("dimension", _STR),
        ("category", _STR),
        ("sex", _STR),
        ("age", _STR),
        ("value", pa.float64()),
        ("value_text", _STR),
        ("is_censored", pa.bool_()),
        ("unit", _STR),
        ("source", _STR),
    ]
)

#: file name -> schema of every parquet file of an export
EXPORT_FILES: dict[str, pa.Schema] = {
    "activities.parquet": ACTIVITIES_SCHEMA,
    "activity_countries.parquet": ACTIVITY_COUNTRIES_SCHEMA,
    "activity_agencies.parquet": ACTIVITY_AGENCIES_SCHEMA,
    "indicators.parquet": INDICATORS_SCHEMA,
}
ACTIVITY_FILES = ("activities.parquet", "activity_countries.parquet", "activity_agencies.parquet")
