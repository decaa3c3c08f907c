"""The data contract (docs/SCHEMA.md) as code: template columns and parquet schemas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pyarrow as pa


@dataclass(frozen=True)
class Column:
    name: str
    # text | agency | agencies | scope | countries | date | status | number | codes | list | level, and for
    # library and the calendar: code (one code) | year | link (http/https) | place (a country or "online")
    # | regions (UN M49 region or sub-region names)
    kind: str
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

#: The years an activity's start and end dates may fall in (docs/SCHEMA.md): ICAT's members
#: report work from well before ICAT's founding in 2007 up to what is planned ten years ahead.
#: A year outside (0001, 2999) is a typing mistake, and would stretch every timeline to it.
FIRST_YEAR = 1990
YEARS_AHEAD = 10


def last_year(today: date | None = None) -> int:
    """The last year a start or end date may fall in: ten years from now."""
    return (today or date.today()).year + YEARS_AHEAD


REQUIRED = tuple(c.name for c in TEMPLATE if c.required)
#: sharing levels from the widest to the narrowest (reference/codelists.csv, list "visibility")
LEVELS = ("public", "members")
#: what a row that predates sharing levels (or leaves them empty) is shared as: members only,
#: because nothing may be published that an agency did not say may be published
DEFAULT_LEVEL = "members"
SHARING_COLUMNS = ("visibility", "budget_visibility")
#: the sharing columns of each file that has its own (a file written before them lacks them:
#: its rows were never said to be public, so they are shared with members only)
SHARING_COLUMNS_OF: dict[str, tuple[str, ...]] = {
    "activities.parquet": SHARING_COLUMNS,
    "resources.parquet": ("visibility",),
    "events.parquet": ("visibility",),
}
LIST_COLUMNS = tuple(c.name for c in TEMPLATE if c.kind in ("agencies", "countries", "codes", "list"))

_STR = pa.string()
_LIST = pa.list_(pa.string())
#: the DuckDB type of each kind of column the activities have (for columns an older export lacks)
SQL_TYPES = {_STR: "VARCHAR", _LIST: "VARCHAR[]", pa.float64(): "DOUBLE", pa.date32(): "DATE"}

#: Activity columns a template submission never fills and an export may lack. Most say where
#: an imported activity came from and how it was read (the IATI import, docs/IATI.md).
OPTIONAL_ACTIVITY_FIELDS: tuple[pa.Field, ...] = (
    pa.field("regions", _LIST),  # named regions worked in, never spread onto their countries
    pa.field("implementing_partners", _LIST),  # implementers that are not ICAT agencies
    pa.field("language", _STR),  # ISO 639-1 code of the activity's own language
    pa.field("other_language_texts", _LIST),  # "title (fr): ..." for every text in another language
    pa.field("iati_publisher", _STR),  # IATI identifier of the reporting organisation
    pa.field("iati_publisher_name", _STR),
    pa.field("iati_version", _STR),
    pa.field("relevance", _STR),  # main_purpose | component | not_assessed
    pa.field("relevance_reason", _STR),  # "title: 'counter-trafficking'"
    pa.field("start_date_kind", _STR),  # actual | planned
    pa.field("end_date_kind", _STR),
    pa.field("budget_value", pa.float64()),  # the budget in its own currency
    pa.field("budget_currency", _STR),  # ISO 4217
    pa.field("inferred_from", _LIST),  # "themes prevention: title: 'prevention'"
    pa.field("import_notes", _LIST),  # what the importer had to decide, in words
)

#: the columns ``budget_visibility`` governs: a budget shared with members only leaves them all
#: blank in a public export (the notes may quote the amounts the importer converted)
BUDGET_COLUMNS = ("budget_usd", "budget_value", "budget_currency", "import_notes")

#: the columns every export has, and every source fills
CORE_ACTIVITIES_SCHEMA = pa.schema(
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
# The optional columns (docs/SCHEMA.md, section 2) come last: an export written before they
# existed lacks them, a source with nothing to say in them leaves them null.
ACTIVITIES_SCHEMA = pa.schema([*CORE_ACTIVITIES_SCHEMA, *OPTIONAL_ACTIVITY_FIELDS])
OPTIONAL_ACTIVITY_COLUMNS = tuple(f.name for f in OPTIONAL_ACTIVITY_FIELDS)
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


def _sharing_columns(one: str) -> tuple[Column, ...]:
    """The last two columns of the resource and event templates: where a row's facts come from,
    and who may see it (``one``: "resource", "event")."""
    return (
        Column("source", "text", description="Where the facts of this row come from; empty: the submitting file"),
        Column(
            "visibility",
            "level",
            codelist="visibility",
            description=f"Who may see the {one}: public (anyone) or members (signed-in ICAT members only); empty: members",
        ),
    )


#: The resource template: guidelines, training material, good practice, publications, tools and
#: legal instruments (docs/SCHEMA.md, section 4).
RESOURCE_TEMPLATE: tuple[Column, ...] = (
    Column("resource_id", "text", True, description="Unique identifier"),
    Column("title", "text", True, description="Title as published"),
    Column("agencies", "agencies", description="Codes of the publishing agency or agencies"),
    Column("kind", "code", True, codelist="resource_kind", description="What it is"),
    Column("year", "year", description="Year of publication (four digits)"),
    Column("languages", "codes", codelist="language", description="Languages it is available in"),
    Column("themes", "codes", codelist="theme", description="Which of the four Ps it serves"),
    Column("target_groups", "codes", codelist="target_group", description="Who it is for or about"),
    Column("exploitation_forms", "codes", codelist="exploitation_form", description="Forms of exploitation"),
    Column("countries", "countries", description="Countries it concerns (ISO 3166-1; alpha-3 stored)"),
    Column("regions", "regions", description="UN M49 regions or sub-regions it concerns"),
    Column("link", "link", description="Where to read it: an http:// or https:// address"),
    Column("file_name", "text", description="The file's name where there is no link"),
    Column("summary", "text", description="A few sentences on what it holds"),
    *_sharing_columns("resource"),
)

#: The event template: ICAT meetings, conferences, trainings, campaign days and deadlines.
EVENT_TEMPLATE: tuple[Column, ...] = (
    Column("event_id", "text", True, description="Unique identifier"),
    Column("title", "text", True, description="Name of the event"),
    Column("kind", "code", True, codelist="event_kind", description="What kind of event"),
    Column("start_date", "date", True, description="YYYY-MM-DD"),
    Column("end_date", "date", description="Last day, YYYY-MM-DD; empty: a one-day event"),
    Column("place", "place", True, description="ISO 3166-1 country code, or online"),
    Column("city", "text", description="City, where it is held in one"),
    Column("agencies", "agencies", description="Codes of the organising agencies"),
    Column("themes", "codes", codelist="theme", description="Which of the four Ps it concerns"),
    Column("link", "link", description="An http:// or https:// address with details"),
    Column("summary", "text", description="A sentence or two on the event"),
    *_sharing_columns("event"),
)

_IMPORTED = [("is_synthetic", pa.bool_()), ("source_file", _STR), ("imported_at", pa.timestamp("us"))]
#: the stored type of each kind of resource and event column (one code or text: a string; several: a list)
_LIBRARY_TYPES = {
    "year": pa.int32(),
    "date": pa.date32(),
    **dict.fromkeys(("agencies", "codes", "countries", "regions"), _LIST),
}


def _library_schema(template: tuple[Column, ...]) -> pa.Schema:
    """A resource or event file's schema: the template's columns, then where and when it was imported."""
    return pa.schema([*((c.name, _LIBRARY_TYPES.get(c.kind, _STR)) for c in template), *_IMPORTED])


RESOURCES_SCHEMA = _library_schema(RESOURCE_TEMPLATE)
EVENTS_SCHEMA = _library_schema(EVENT_TEMPLATE)

#: file name -> schema of every parquet file of an export
EXPORT_FILES: dict[str, pa.Schema] = {
    "activities.parquet": ACTIVITIES_SCHEMA,
    "activity_countries.parquet": ACTIVITY_COUNTRIES_SCHEMA,
    "activity_agencies.parquet": ACTIVITY_AGENCIES_SCHEMA,
    "indicators.parquet": INDICATORS_SCHEMA,
    "resources.parquet": RESOURCES_SCHEMA,
    "events.parquet": EVENTS_SCHEMA,
}
#: how ``publish`` treats each file (docs/SCHEMA.md, section 1.1): "visibility" keeps the rows
#: whose own visibility the level may see; "activity" keeps the rows of the activities it
#: keeps; "published" copies statistics that are public already. A file not named here is
#: never published.
PUBLISHED_BY: dict[str, str] = {
    "activities.parquet": "visibility",
    "activity_countries.parquet": "activity",
    "activity_agencies.parquet": "activity",
    "indicators.parquet": "published",
    "resources.parquet": "visibility",
    "events.parquet": "visibility",
}


def with_optional_columns(table: pa.Table) -> pa.Table:
    """``table`` with every optional activity column it lacks added as nulls."""
    for f in OPTIONAL_ACTIVITY_FIELDS:
        if f.name not in table.column_names:
            table = table.append_column(f, pa.nulls(table.num_rows, f.type))
    return table


ACTIVITY_FILES = ("activities.parquet", "activity_countries.parquet", "activity_agencies.parquet")
