"""The resource library: what a search and the filters select, shaped for the page, the
downloads and the cross-links (an agency's resources, the resources concerning a country).

Search is over titles and summaries: every word typed must appear in one of them, in any
case, as part of a word ("child" finds "children"). It runs in SQL with the words bound
(``sql/library_resources.sql``); nothing a person types becomes SQL text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd

from icat_analysis import reference
from icat_analysis.filters import Filters

Runner = Callable[..., pd.DataFrame]

#: at most this many words of a search are used, each at most this long
MAX_TERMS, MAX_TERM_CHARS = 12, 60
#: the import's own rule (sql/*_problems.sql): only a web address is ever shown as a link
_WEB_LINK = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
SYNTHETIC_WORD, REAL_WORD = "Synthetic (demonstration)", "Real"


def search_terms(text: str | None) -> list[str]:
    """The lower-case words of a search box ("Child  victims!" -> ["child", "victims"])."""
    words = re.findall(r"\w[\w'-]*", (text or "").lower())
    return list(dict.fromkeys(w[:MAX_TERM_CHARS] for w in words))[:MAX_TERMS]


def safe_link(url) -> str | None:
    """``url`` when it is an http(s) address, else None: a ``javascript:`` or ``data:`` value
    that reached an export some other way is never offered as a link."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    return url if _WEB_LINK.fullmatch(url) else None


def resources(
    run: Runner,
    f: Filters | None = None,
    *,
    search: str = "",
    kinds: tuple[str, ...] = (),
    languages: tuple[str, ...] = (),
    agency: str | None = None,
    country: str | None = None,
) -> pd.DataFrame:
    """The selected resources, newest first (``library_resources``)."""
    return run(
        "library_resources",
        f or Filters(),
        terms=search_terms(search),
        kinds=list(kinds),
        languages=list(languages),
        agency=agency,
        country=country,
    )


def _names(codes, kind: str) -> str:
    if codes is None or (not isinstance(codes, str) and len(codes) == 0):
        return ""
    labels = reference.labels(kind)
    return ", ".join(labels.get(c, c) for c in codes)


def real_or_synthetic(flag) -> str:
    return SYNTHETIC_WORD if bool(flag) else REAL_WORD


def table(df: pd.DataFrame) -> pd.DataFrame:
    """The resources headed in words, as the page shows them and the downloads hold them:
    each row says whether it is real or synthetic, and where its facts come from."""
    out = pd.DataFrame(
        {
            "Title": df["title"],
            "Kind": [reference.labels("resource_kind").get(k, k) for k in df["kind"]],
            "Year": [None if pd.isna(y) else int(y) for y in df["year"]],
            "Published by": [", ".join(a) if a is not None else "" for a in df["agencies"]],
            "Languages": [_names(v, "language") for v in df["languages"]],
            "Themes": [_names(v, "theme") for v in df["themes"]],
            "Target groups": [_names(v, "target_group") for v in df["target_groups"]],
            "Forms of exploitation": [_names(v, "exploitation_form") for v in df["exploitation_forms"]],
            "Countries": [_names(v, "country") for v in df["countries"]],
            "Regions": [", ".join(v) if v is not None else "" for v in df["regions"]],
            "Link": [safe_link(v) for v in df["link"]],
            "File": df["file_name"],
            "Summary": df["summary"],
            "Real or synthetic": [real_or_synthetic(v) for v in df["is_synthetic"]],
            "Source": df["source"],
            "ID": df["resource_id"],
        }
    )
    out["Year"] = out["Year"].astype("Int64")
    return out


def detail(row: pd.Series) -> list[tuple[str, str]]:
    """(label, value) lines of one resource's detail, the empty ones left out."""
    lines = [
        ("Kind", reference.labels("resource_kind").get(row["kind"], row["kind"])),
        ("Year", "" if pd.isna(row["year"]) else str(int(row["year"]))),
        ("Published by", _names(row["agencies"], "agency")),
        ("Languages", _names(row["languages"], "language")),
        ("Themes", _names(row["themes"], "theme")),
        ("Target groups", _names(row["target_groups"], "target_group")),
        ("Forms of exploitation", _names(row["exploitation_forms"], "exploitation_form")),
        ("Countries", _names(row["countries"], "country")),
        ("Regions", ", ".join(row["regions"]) if row["regions"] is not None else ""),
        ("File", row["file_name"] or ""),
        ("Real or synthetic", real_or_synthetic(row["is_synthetic"])),
        ("Source", row["source"] or ""),
        ("ID", row["resource_id"]),
    ]
    return [(k, v) for k, v in lines if v]


def newest(df: pd.DataFrame, n: int = 3) -> pd.DataFrame:
    """The ``n`` most recently published (the query's order: year, newest first; undated last)."""
    return df.head(n)


def kind_options() -> list[str]:
    return reference.codes("resource_kind")


def language_options() -> list[str]:
    return reference.codes("language")
