"""The Overview: headline figures, starts per year by theme, the busiest countries, and how
fresh the data is.

Each function takes ``run(name, filters, **params) -> DataFrame`` (``st_adapter.run`` on a
page, ``functools.partial(db.query, con)`` in a test), so the same code serves the cached
dashboard and the plain query layer.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from icat_analysis import reference
from icat_analysis.filters import Filters

Runner = Callable[..., pd.DataFrame]


@dataclass(frozen=True)
class Headline:
    activities: int
    agencies: int
    countries: int
    joint: int
    known_budget_usd: float
    with_budget: int
    active_today: int

    @property
    def share_joint(self) -> float | None:
        """Joint activities as a share of all selected (None when nothing is selected)."""
        return self.joint / self.activities if self.activities else None


def _int(v) -> int:
    return 0 if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else int(v)


def headline_figures(run: Runner, f: Filters, today: date) -> Headline:
    """Activities, agencies involved (lead or partner), countries, joint, known budget, active today."""
    row = run("overview_headline", f, today=today).iloc[0]
    budget = row["known_budget_usd"]
    return Headline(
        activities=_int(row["activities"]),
        agencies=_int(row["agencies"]),
        countries=_int(row["countries"]),
        joint=_int(row["joint"]),
        known_budget_usd=0.0 if pd.isna(budget) else float(budget),
        with_budget=_int(row["with_budget"]),
        active_today=_int(row["active_today"]),
    )


def starts_per_year_by_theme(run: Runner, f: Filters) -> pd.DataFrame:
    """year, theme (code), theme_label, activities: every year from first to last start, no gaps."""
    df = run("overview_starts_by_theme", f)
    if df.empty:
        return pd.DataFrame({"year": [], "theme": [], "theme_label": [], "activities": []})
    themes = reference.shown_codes("theme", df["theme"])  # the four Ps, then any unclassified
    years = range(int(df["year"].min()), int(df["year"].max()) + 1)
    full = pd.MultiIndex.from_product([years, themes], names=["year", "theme"])
    out = df.set_index(["year", "theme"])["activities"].reindex(full, fill_value=0).reset_index()
    out["activities"] = out["activities"].astype("int64")
    out["theme_label"] = out["theme"].map(reference.labels("theme"))
    return out


def top_countries(run: Runner, f: Filters, n: int = 10) -> pd.DataFrame:
    """iso3, country, region, activities, joint, lead_agencies: the n countries with most activities."""
    df = run("overview_top_countries", f, limit=int(n))
    for col in ("activities", "joint", "lead_agencies"):
        df[col] = df[col].astype("int64")
    return df.reset_index(drop=True)


@dataclass(frozen=True)
class Freshness:
    newest_update: date | None
    oldest_update: date | None
    without_update_date: int
    last_import: datetime | None
    export_date: date | None
    activities: int


def _date(v):
    if v is None or v is pd.NaT or (not isinstance(v, str) and pd.isna(v)):
        return None
    return pd.Timestamp(v).date()


def _manifest_date(v) -> date | None:
    try:
        return date.fromisoformat(str(v)[:10]) if v else None
    except ValueError:  # a hand-edited manifest must not break the page
        return None


def freshness(run: Runner, manifest: dict) -> Freshness:
    """The newest and oldest ``last_updated`` in the export and the export's own date (manifest)."""
    row = run("overview_freshness", None).iloc[0]
    last_import = row["last_import"]
    export_date = manifest.get("updated_at") or manifest.get("created_at") or manifest.get("exported_at")
    return Freshness(
        newest_update=_date(row["newest_update"]),
        oldest_update=_date(row["oldest_update"]),
        without_update_date=_int(row["without_update_date"]),
        last_import=None if pd.isna(last_import) else pd.Timestamp(last_import).to_pydatetime(),
        export_date=_manifest_date(export_date),
        activities=_int(row["activities"]),
    )


# ---- words and figures -------------------------------------------------------------------
def money(usd: float) -> str:
    """US$ in words a planner reads at a glance: US$ 12.4 million."""
    if usd >= 1e9:
        return f"US$ {usd / 1e9:,.1f} billion"
    if usd >= 1e6:
        return f"US$ {usd / 1e6:,.1f} million"
    return f"US$ {usd:,.0f}"


def money_short(usd: float) -> str:
    """US$ for a narrow figure tile (the currency is in the label): 3.1 bn, 12.4 m, 450,000."""
    if usd >= 1e9:
        return f"{usd / 1e9:,.1f} bn"
    if usd >= 1e6:
        return f"{usd / 1e6:,.1f} m"
    return f"{usd:,.0f}"


def day(d: date | None) -> str:
    """1 November 2026 (no leading zero), or "not stated"."""
    return f"{d.day} {d:%B %Y}" if d else "not stated"


def percent(share: float | None) -> str:
    return "–" if share is None else f"{share:.0%}"


def headline_tiles(head: Headline, today: date) -> list[tuple[str, str, str | None]]:
    """The Overview's headline figures: (label, figure, what it counts), labels whole."""
    return [
        ("Activities", f"{head.activities:,}", None),
        ("Agencies involved", f"{head.agencies:,}", "Lead or partner in at least one"),
        ("Countries", f"{head.countries:,}", "Named by at least one activity"),
        ("Joint", percent(head.share_joint), f"{head.joint:,} activities have a partner"),
        (
            "Known budget, US$",
            money_short(head.known_budget_usd),
            f"{money(head.known_budget_usd)}: the sum of the budgets given; "
            f"{head.activities - head.with_budget:,} activities state none",
        ),
        ("Active today", f"{head.active_today:,}", f"Started and not yet ended on {day(today)}"),
    ]
