"""The filter set shared by every page: parsed from and written to the URL, bound into SQL,
and described in one sentence.

Values that come from a link are checked against the reference code lists; anything else
is dropped with a notice and never reaches SQL.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date

from icat_analysis import reference

MIN_YEAR = 2000
ROLES = ("any", "lead", "partner")

#: filter field -> (URL key, reference list name or special kind)
LIST_FIELDS = {
    "agencies": "agency",
    "themes": "theme",
    "activity_types": "activity_type",
    "target_groups": "target_group",
    "exploitation_forms": "exploitation_form",
    "regions": "region",
    "countries": "country",
    "scopes": "scope",
    "statuses": "status",
}


def max_year() -> int:
    return date.today().year + 5


def allowed_values(kind: str) -> list[str]:
    """Codes a filter of this kind may take, in display order."""
    if kind == "agency":
        return reference.agency_codes()
    if kind == "country":
        return reference.country_codes()
    if kind == "region":
        return reference.regions() + reference.sub_regions()
    return reference.codes(kind)


def number_from_link(key: str, value: object, *, low: float, high: float, default: float) -> tuple[float, str | None]:
    """A page's number from the link (``?threshold=0.8``) and the notice when it is dropped.

    No value gives the default quietly. A value that is not a finite number from ``low`` to
    ``high`` (``nan``, ``inf``, ``-1``, ``abc``) gives the default and a notice quoting it:
    a NaN threshold once drew the slider as a dot and listed no pair at all.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return default, None
    try:
        number = float(str(value).strip())
    except ValueError:
        number = math.nan
    if math.isfinite(number) and low <= number <= high:
        return number, None
    return default, (
        f"Ignored {key} {str(value)[:40]!r} from the link: expected a number from {low:g} to {high:g}; "
        f"showing {default:g}."
    )


@dataclass(frozen=True)
class Filters:
    """One filter set. Empty tuples and None mean "no restriction"."""

    year_from: int | None = None
    year_to: int | None = None
    agencies: tuple[str, ...] = ()
    role: str = "any"
    themes: tuple[str, ...] = ()
    activity_types: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()
    exploitation_forms: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    joint_only: bool = False
    notices: tuple[str, ...] = field(default=(), compare=False)

    # ---- URL ---------------------------------------------------------------------------
    @classmethod
    def from_query_params(cls, params: Mapping[str, object]) -> Filters:
        """Parse a URL's query parameters; unknown values are dropped and listed in ``notices``."""
        notices: list[str] = []
        values: dict[str, object] = {}

        def raw(key: str) -> list[str]:
            v = params.get(key)
            if v is None:
                return []
            items = v if isinstance(v, (list, tuple)) else [v]
            out = []
            for item in items:
                out.extend(p.strip() for p in str(item).split(",") if p.strip())
            return out

        for name, kind in LIST_FIELDS.items():
            allowed = allowed_values(kind)
            lookup = {a.casefold(): a for a in allowed}
            kept = []
            for value in raw(name):
                # Codes are ASCII; Unicode case folding would read "ßD" as SSD (South Sudan).
                canonical = lookup.get(value.casefold()) if value.isascii() else None
                if canonical is None:
                    notices.append(f"Ignored {name.replace('_', ' ')} {value[:40]!r} from the link: not a known code.")
                elif canonical not in kept:
                    kept.append(canonical)
            values[name] = tuple(kept)

        years = raw("years")
        if years:
            text = years[0]
            parts = text.split("-")
            try:
                y0, y1 = (int(parts[0]), int(parts[-1]))
                if not (MIN_YEAR <= y0 <= y1 <= max_year()):
                    raise ValueError
                values["year_from"], values["year_to"] = y0, y1
            except ValueError:
                notices.append(f"Ignored years {text[:40]!r} from the link: expected a range like 2015-2020.")

        role = raw("role")
        if role:
            if role[0].lower() in ROLES:
                values["role"] = role[0].lower()
            else:
                notices.append(f"Ignored role {role[0][:40]!r} from the link: expected lead, partner or any.")

        joint = raw("joint")
        if joint:
            values["joint_only"] = joint[0].lower() in ("1", "true", "yes")
        return cls(**values, notices=tuple(notices))

    def to_query_params(self) -> dict[str, str]:
        """The URL parameters that reproduce this filter set (only what is set)."""
        out: dict[str, str] = {}
        if self.year_from is not None and self.year_to is not None:
            out["years"] = f"{self.year_from}-{self.year_to}"
        for name in LIST_FIELDS:
            value = getattr(self, name)
            if value:
                out[name] = ",".join(value)
        if self.role != "any":
            out["role"] = self.role
        if self.joint_only:
            out["joint"] = "1"
        return out

    # ---- SQL ---------------------------------------------------------------------------
    def place_iso3(self) -> list[str] | None:
        """Countries selected directly or through a region or sub-region; None = anywhere."""
        if not self.regions and not self.countries:
            return None
        c = reference.countries()
        in_region = c["region"].isin(self.regions) | c["sub_region"].isin(self.regions)
        return sorted(set(c.loc[in_region, "iso3"]) | set(self.countries))

    def region_names(self) -> list[str] | None:
        """The names of places an activity placed only in a region is matched by: the regions and
        sub-regions selected and every named region inside them (``Western Africa`` is in
        Sub-Saharan Africa and in Africa); None when no region is selected."""
        if not self.regions:
            return None
        p = reference.region_parents()
        inside = p["name"].isin(self.regions) | p["sub_region"].isin(self.regions) | p["region"].isin(self.regions)
        return sorted(set(self.regions) | set(p.loc[inside, "name"]))

    def as_sql_param(self) -> dict:
        """The STRUCT bound as ``$filters`` into ``selected_activities(f)``."""

        def lst(v):
            return list(v) if v else None

        return {
            "year_from": self.year_from,
            "year_to": self.year_to,
            "agencies": lst(self.agencies),
            "role": self.role,
            "themes": lst(self.themes),
            "activity_types": lst(self.activity_types),
            "target_groups": lst(self.target_groups),
            "exploitation_forms": lst(self.exploitation_forms),
            "iso3": self.place_iso3(),
            "region_names": self.region_names(),
            "scopes": lst(self.scopes),
            "statuses": lst(self.statuses),
            "joint_only": bool(self.joint_only),
        }

    # ---- words -------------------------------------------------------------------------
    def is_empty(self) -> bool:
        return self == Filters()

    def cache_key(self) -> tuple:
        return tuple((f.name, getattr(self, f.name)) for f in fields(self) if f.name != "notices")

    def without_notices(self) -> Filters:
        return replace(self, notices=())

    def describe(self, n_activities: int | None = None) -> str:
        """One sentence: "214 activities led by ILO or IOM in South-Eastern Asia, 2015-2020"."""

        def words(name: str) -> str:
            kind = LIST_FIELDS[name]
            names = reference.labels(kind) if kind not in ("agency", "region") else {}
            vals = [names.get(v, v) for v in getattr(self, name)]
            if kind not in ("agency", "country", "region"):
                vals = [v.lower() for v in vals]
            return vals[0] if len(vals) == 1 else ", ".join(vals[:-1]) + " or " + vals[-1]

        n = "All" if n_activities is None else f"{n_activities:,}"
        noun = "activity" if n_activities == 1 else "activities"
        parts = [f"{n} {noun}"]
        if self.joint_only:
            parts[0] = f"{n} joint {noun}"
        if self.statuses:
            parts.append(f"({words('statuses')})")
        if self.scopes:
            parts.append(f"of {words('scopes')} scope")
        if self.agencies:
            verb = {"lead": "led by", "partner": "with partner", "any": "involving"}[self.role]
            parts.append(f"{verb} {words('agencies')}")
        elif self.role != "any":
            parts.append("(lead role)" if self.role == "lead" else "(partner role)")
        if self.themes:
            parts.append(f"on {words('themes')}")
        if self.activity_types:
            parts.append(f"doing {words('activity_types')}")
        if self.target_groups:
            parts.append(f"for {words('target_groups')}")
        if self.exploitation_forms:
            parts.append(f"against {words('exploitation_forms')}")
        if self.regions or self.countries:
            places = [p for p in (self.regions and words("regions"), self.countries and words("countries")) if p]
            parts.append("in " + " or ".join(places))
        sentence = " ".join(parts)
        if self.year_from is not None:
            sentence += (
                f", {self.year_from}-{self.year_to}" if self.year_from != self.year_to else f", {self.year_from}"
            )
        return sentence
