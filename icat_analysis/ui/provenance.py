"""Where the figures come from: the exports a dashboard offers, the one a link asks for, and
the source of an export in words (on screen under the title, and in every download).

An export says what it is in its ``manifest.json``: ``synthetic: true`` for generated
demonstration data, an ``iati`` section (snapshot date and the publishers of each file) for
activities read from IATI files, and ``sources`` with their citations otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from icat_analysis import paths
from icat_analysis.store import export

#: the link's parameter naming the export
EXPORT_KEY = "export"
SYNTHETIC_WORDS = "synthetic demonstration data"


# ---- the exports offered -------------------------------------------------------------------
def available_exports() -> dict[str, Path]:
    """Export name -> directory, as the dashboard offers them.

    ``ICAT_DATA_DIR`` pins one export (a test server, a deployment of one export); otherwise
    every export under the data root (``ICAT_DATA_ROOT``, default ``data/``).
    """
    pinned = paths.pinned_data_dir()
    if pinned is not None:
        return {pinned.name: pinned}
    return export.list_exports(paths.data_root())


def default_export(names: list[str]) -> str | None:
    """The export a link without ``export=`` opens: the demonstration when it is there."""
    if not names:
        return None
    return paths.DEFAULT_EXPORT if paths.DEFAULT_EXPORT in names else names[0]


def choose_export(requested: str | None, names: list[str]) -> tuple[str | None, str | None]:
    """(export to show, notice): the link's export when it is one of ``names``, else the
    default, with a notice saying the link's value was dropped."""
    fallback = default_export(names)
    if requested is None or requested == "":
        return fallback, None
    if requested in names:
        return requested, None
    shown = f"showing {fallback!r}" if fallback else "no export is available"
    offered = ", ".join(names) if names else "none"
    notice = f"Ignored export {requested[:40]!r} from the link: not an export of this dashboard ({offered}); {shown}."
    return fallback, notice


def export_label(name: str, manifest: dict) -> str:
    """How the export is named in the selector: its manifest's title, else what it is."""
    if manifest.get("title"):
        return str(manifest["title"])
    if manifest.get("synthetic"):
        return f"Synthetic demonstration ({name})"
    return name


# ---- the source in words -------------------------------------------------------------------
@dataclass(frozen=True)
class Publisher:
    ref: str
    name: str
    activities: int  # kept in the export
    read: int  # in the files
    files: tuple[str, ...]

    def words(self) -> str:
        """ "UNICEF (XM-DAC-41122)"; "International Organization for Migration (IOM, XM-DAC-47066)"."""
        if self.name.endswith(")"):
            return f"{self.name[:-1]}, {self.ref})"
        return f"{self.name} ({self.ref})" if self.name != self.ref else self.ref


def publishers(manifest: dict, *, kept_only: bool = True) -> list[Publisher]:
    """The IATI publishers of the export's files (most activities kept first); by default only
    those whose activities the export holds."""
    out = []
    for p in (manifest.get("iati") or {}).get("publishers") or []:
        if not (isinstance(p, dict) and p.get("ref")):
            continue
        pub = Publisher(
            str(p["ref"]),
            str(p.get("name") or p["ref"]),
            int(p.get("activities") or 0),
            int(p.get("read") or 0),
            tuple(p.get("files") or ()),
        )
        if pub.activities or not kept_only:
            out.append(pub)
    return sorted(out, key=lambda p: (-p.activities, -p.read, p.name))


def _long_date(value) -> str:
    """'15 June 2021' from an ISO date (as written in the manifest)."""
    try:
        d = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{d.day} {d:%B %Y}"


def activities_source(manifest: dict) -> str:
    """Where the export's activities come from, in one sentence."""
    if manifest.get("synthetic"):
        return "Activities: " + SYNTHETIC_WORDS + " (generated; no real project is described)"
    iati = manifest.get("iati") or {}
    pubs = publishers(manifest)
    if pubs:
        names = ", ".join(p.words() for p in pubs)
        when = f" as published on {_long_date(iati['snapshot'])}" if iati.get("snapshot") else ""
        line = f"Activities: IATI, {names}{when}"
        read = sum(p.read for p in publishers(manifest, kept_only=False))
        kept = sum(p.activities for p in pubs)
        if read > kept:
            what = (
                "are about trafficking in persons" if str(iati.get("relevance", "")).startswith("default") else "kept"
            )
            line += f" ({kept:,} of the {read:,} activities in the files {what})"
        return line
    named = [
        str(s.get("name") or s.get("citation"))
        for s in manifest.get("sources") or []
        if isinstance(s, dict) and s.get("used_for") != "indicators.parquet" and (s.get("name") or s.get("citation"))
    ]
    return "Activities: " + ("; ".join(named) or "the agencies' submissions")


def indicators_source(manifest: dict) -> str | None:
    """Where the indicators come from, or None when the export has no cited indicator source."""
    for s in manifest.get("sources") or []:
        if isinstance(s, dict) and s.get("used_for") == "indicators.parquet":
            return "Indicators: " + str(s.get("citation") or s.get("name"))
    return None


def source_line(manifest: dict) -> str | None:
    """Where every figure of the export comes from: activities, then indicators (None when
    the manifest cites no source at all)."""
    if not manifest.get("synthetic") and not publishers(manifest) and not manifest.get("sources"):
        return None
    parts = [activities_source(manifest)]
    ind = indicators_source(manifest)
    if ind:
        parts.append(ind)
    return ". ".join(parts) + "."


def source_short(name: str, manifest: dict) -> str:
    """The source of a download: export, date, and publishers or "synthetic demonstration data"."""
    pubs = publishers(manifest)
    if pubs and not manifest.get("synthetic"):
        snapshot = (manifest.get("iati") or {}).get("snapshot")
        when = f", as published on {_long_date(snapshot)}" if snapshot else ""
        return f"export {name!r}: IATI activities of {', '.join(p.words() for p in pubs)}{when}"
    made = manifest.get("as_of") or manifest.get("updated_at") or manifest.get("created_at")
    when = f", {_long_date(made)}" if made else ""
    what = SYNTHETIC_WORDS if manifest.get("synthetic") else activities_source(manifest).removeprefix("Activities: ")
    return f"export {name!r}{when}: {what}"


@dataclass(frozen=True)
class About:
    """What every download says about itself (the XLSX "About" sheet, the CSV's ``#`` lines)."""

    export: str
    source: str
    filters: str
    made: str
    indicators: str | None = None

    def rows(self) -> list[tuple[str, str]]:
        out = [("Source", self.source), ("Selection", self.filters)]
        if self.indicators:
            out.append(("Indicators", self.indicators.removeprefix("Indicators: ")))
        out += [("Made", self.made), ("Export", self.export)]
        return out


def about(name: str, manifest: dict, filter_sentence: str, made: datetime | None = None) -> About:
    """The provenance of a download made now from export ``name`` with these filters."""
    made = made or datetime.now().astimezone()
    return About(
        export=name,
        source=source_short(name, manifest),
        filters=filter_sentence,
        made=made.strftime("%Y-%m-%d %H:%M %Z").strip(),
        indicators=indicators_source(manifest),
    )
