"""Build small exports by hand for tests: each activity is a dict with only what matters.

make_export(tmp_path, [activity("A1", lead="ILO", countries=["THA"]), ...])
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from icat_analysis.store.contract import ACTIVITIES_SCHEMA, EXPORT_FILES, INDICATORS_SCHEMA
from icat_analysis.store.export import link_tables, write_export


def activity(
    activity_id: str,
    *,
    lead: str = "UNODC",
    partners: list[str] | None = None,
    scope: str | None = None,
    countries: list[str] | None = None,
    start: str = "2015-01-01",
    end: str | None = "2017-12-31",
    status: str | None = None,
    budget: float | None = 100_000.0,
    themes: list[str] | None = None,
    activity_types: list[str] | None = None,
    target_groups: list[str] | None = None,
    exploitation_forms: list[str] | None = None,
    title: str | None = None,
    description: str | None = None,
    donors: list[str] | None = None,
    last_updated: str | None = "2024-01-15",
    visibility: str = "public",
    budget_visibility: str | None = None,
) -> dict:
    countries = ["THA"] if countries is None else countries
    if scope is None:
        scope = "national" if len(countries) == 1 else ("global" if not countries else "regional")
    start_d = date.fromisoformat(start)
    end_d = date.fromisoformat(end) if end else None
    if status is None:
        today = date.today()
        status = "pipeline" if start_d > today else ("completed" if end_d and end_d < today else "active")
    return {
        "activity_id": activity_id,
        "title": title or f"Activity {activity_id}",
        "description": description,
        "lead_agency": lead,
        "partner_agencies": partners or [],
        "scope": scope,
        "countries": countries,
        "start_date": start_d,
        "end_date": end_d,
        "status": status,
        "budget_usd": budget,
        "themes": themes or ["protection"],
        "activity_types": activity_types or [],
        "target_groups": target_groups or [],
        "exploitation_forms": exploitation_forms or [],
        "donors": donors or [],
        "last_updated": date.fromisoformat(last_updated) if last_updated else None,
        "visibility": visibility,
        "budget_visibility": budget_visibility or visibility,
        "is_joint": bool(partners),
        "source_file": "factory",
        "imported_at": datetime(2026, 1, 1, 12, 0),
    }


def activities_table(rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=ACTIVITIES_SCHEMA)


def detected_victims(rows) -> list[dict]:
    """GLOTIP total rows of detected victims: (iso3, year, value or None for "<5"[, text as published])."""
    out = []
    for iso3, year, value, *text in rows:
        out.append(
            {
                "indicator": "Detected trafficking victims",
                "iso3": iso3,
                "country": iso3,
                "year": year,
                "dimension": "Total",
                "category": "Total",
                "sex": "Total",
                "age": "Total",
                "value": value,
                "value_text": text[0] if text else ("<5" if value is None else f"{value:,.0f}"),
                "is_censored": value is None,
                "unit": "Counts",
                "source": "GLOTIP",
            }
        )
    return out


def indicators_table(rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=INDICATORS_SCHEMA)


def make_export(
    directory: Path, rows: list[dict], *, indicators: pa.Table | None = None, synthetic=False, versioned=False
) -> Path:
    """Write a complete export of these activities (and optional indicators) to ``directory``:
    flat, as the repository ships one (files a test can damage in place), or as a first version."""
    table = activities_table(rows)
    tables = {"activities.parquet": table, **link_tables(table)}
    if indicators is not None:
        tables["indicators.parquet"] = indicators
    manifest = {"synthetic": synthetic, "sources": []}
    directory = Path(directory)
    if versioned:
        write_export(directory, tables, manifest)
        return directory
    directory.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, t in tables.items():
        pq.write_table(t.select(EXPORT_FILES[name].names).cast(EXPORT_FILES[name]), directory / name)
        counts[name.removesuffix(".parquet")] = t.num_rows
    manifest |= {"updated_at": "2026-01-01T12:00:00+00:00", "row_counts": counts}
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return directory
