"""``import-iati PATH... [--data DIR] [--all] [--rates FILE]``: activities agencies publish in IATI.

A PATH is an IATI activity file (versions 1.0x-2.03) or a folder of ``.xml`` files. Each file
is streamed (lxml ``iterparse``, every activity cleared once read), mapped as docs/IATI.md
says and staged on disk, so memory stays flat however large the files are. A file that cannot
be read as IATI (not XML, cut off, another root element, empty) refuses the whole run:
``FILE:LINE: what is wrong``, exit 1, export unchanged. An activity that cannot be used (no
identifier, no ICAT agency, not about trafficking in persons, end before start...) is skipped
and counted; the rest is merged into the export exactly as ``import-activities`` merges: new
activity_ids inserted, changed ones updated, identical ones left alone, nothing deleted, the
export replaced atomically under its lock with the previous version kept for ``--undo``.
"""

from __future__ import annotations

import argparse
import csv
import gc
import math
import multiprocessing as mp
import os
import re
import sys
import tempfile
import unicodedata
from collections import Counter, defaultdict, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from itertools import islice
from operator import itemgetter
from pathlib import Path

import ahocorasick
import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from lxml import etree

from icat_analysis import reference
from icat_analysis.paths import data_dir as resolve_data_dir
from icat_analysis.paths import sql_literal
from icat_analysis.sources.template import Refused, print_problems, status_from_dates, undo
from icat_analysis.store import export
from icat_analysis.store.contract import (
    ACTIVITIES_SCHEMA,
    ACTIVITY_FILES,
    DEFAULT_LEVEL,
    EXPORT_FILES,
    SHARING_COLUMNS,
    with_optional_columns,
)
from icat_analysis.store.db import missing_optional_sql
from icat_analysis.store.validate import Problem, activity_problems

SOURCE_ID = "iati"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: d-portal writes the version of each activity in its own namespace
DPORTAL_VERSION = "{http://d-portal.org/xmlns/iati-activities}version"
#: rows staged per parquet row group: bounds the memory the mapped activities take
BATCH = 5_000
MAX_DETAILS = 100
#: what DuckDB may hold in memory while merging; beyond it, it spills to the export's disk
DUCKDB_MEMORY = "64MB"

ROLE_NAMES = {"funding": "1", "accountable": "2", "extending": "3", "implementing": "4"}
DATE_NAMES = {"start-planned": "1", "start-actual": "2", "end-planned": "3", "end-actual": "4"}
#: the values most files give, as they are: looked up before anything is stripped or lowered
_ROLES = {code: code for code in ROLE_NAMES.values()}
_DATE_KINDS = {code: code for code in DATE_NAMES.values()}
STATUS = {"1": "pipeline", "2": "active", "3": "completed", "4": "completed", "5": "cancelled", "6": "suspended"}
SCOPE = {"1": "global", "2": "regional", "3": "regional", "4": "national", "5": "national", "6": "national"}
SCOPE.update({"7": "national", "8": "national"})
SDG_TARGET_VOCABULARIES = {"tag": "3", "sector": "8"}  # SDG targets as tags, and as a sector vocabulary
#: the elements of an activity the mapping reads
_READ = frozenset(
    """iati-identifier reporting-org title description participating-org activity-status activity-scope
    activity-date recipient-country recipient-region sector tag policy-marker budget""".split()
)
_STAGED_SCHEMA = ACTIVITIES_SCHEMA.append(pa.field("_file", pa.string())).append(pa.field("_row", pa.int64()))
_STAGED_SCHEMA = _STAGED_SCHEMA.append(pa.field("_ord", pa.int64()))
_ROW_NAMES = ACTIVITIES_SCHEMA.names
_ROW = itemgetter(*_ROW_NAMES)
_FIRST = itemgetter(0)


# --- reading files ----------------------------------------------------------------------------


class FileRefused(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


class XMLProblem(Problem):
    """What is wrong with a file, at a line: ``FILE:LINE: what is wrong``."""

    def __str__(self) -> str:
        return f"{self.file}:{self.row}: {self.message}"


def _file_problem(name: str, line: int, message: str) -> FileRefused:
    return FileRefused(XMLProblem(name, max(line, 1), "-", message))


def _check_start(path: Path, name: str) -> None:
    """What is wrong with a file before lxml reads it: empty, or obviously not XML."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text:
        raise _file_problem(name, 1, "the file is empty; an IATI activity file starts with <iati-activities>")
    if text[:1] in (b"{", b"["):
        raise _file_problem(
            name, 1, "is not XML: it starts with '" + text[:1].decode() + "', like JSON; give the IATI XML file"
        )
    if text[:1] != b"<":
        raise _file_problem(name, 1, f"is not XML: it starts with {text[:20]!r}; give the IATI XML file")


def iter_activities(path: Path, name: str):
    """Yield (file version, file language, activity element) for each ``iati-activity``, streaming.

    Raises :class:`FileRefused` for a file that is not an IATI activity file. Each element is
    cleared after the caller has read it, so a file of any size takes constant memory.
    """
    _check_start(path, name)
    root = _root(path, name)
    try:
        yield from _activities(str(path), root.get("version"), root.get(XML_LANG))
    except etree.XMLSyntaxError as exc:
        raise _syntax_problem(path, name, exc) from None


def _activities(source, version: str | None, file_lang: str | None):
    """(version, language, element) of each ``iati-activity`` of ``source``, cleared once read."""
    context = etree.iterparse(source, events=("end",), tag="iati-activity", huge_tree=True, resolve_entities=False)
    for _, el in context:
        yield version, file_lang, el
        el.clear()
        parent = el.getparent()
        while el.getprevious() is not None:
            del parent[0]


def _root(path: Path, name: str):
    """The root element, read from the start of the file alone."""
    try:
        for _, el in etree.iterparse(str(path), events=("start",), huge_tree=True, resolve_entities=False):
            tag = el.tag if isinstance(el.tag, str) else ""
            if tag != "iati-activities":
                hint = (
                    "it is an IATI organisation file, not an activity file"
                    if tag == "iati-organisations"
                    else "an IATI activity file starts with <iati-activities>"
                )
                raise _file_problem(name, el.sourceline or 1, f"the root element is <{tag}>; {hint}")
            return el
    except etree.XMLSyntaxError as exc:
        raise _syntax_problem(path, name, exc) from None
    raise _file_problem(name, 1, "the file holds no XML element")


def _syntax_problem(path: Path, name: str, exc: etree.XMLSyntaxError) -> FileRefused:
    line = exc.lineno or 1
    msg = (exc.msg or str(exc)).strip()
    if "Premature end of data" in msg or "not found" in msg and line >= _line_count(path):
        return _file_problem(name, line, f"the file ends before its XML is complete ({msg}); it may have been cut off")
    if line <= 1 and "Start tag expected" in msg:
        return _file_problem(name, line, f"is not XML ({msg}); give the IATI XML file")
    return _file_problem(name, line, f"the XML is broken here ({msg})")


def _line_count(path: Path) -> int:
    with open(path, "rb") as fh:
        return sum(1 for _ in fh)


# --- text ---------------------------------------------------------------------------------


def _narratives(el, lang: str | None) -> list[tuple[str | None, str]]:
    """(language, text) of an element's narratives; a 1.0x element carries its text directly.

    ``lang`` is the activity's language, lower case already (or None).
    """
    out = []
    for n in el:  # iterchildren("narrative") sets up a tag matcher on every call: three times slower
        if n.tag == "narrative":
            text = n.text
            if text and (text := text.strip()):
                code = n.get(XML_LANG)
                out.append((code.lower() if code else lang, text))
    if not out:
        text = (el.text or "").strip()
        if text:
            code = el.get(XML_LANG)
            out.append((code.lower() if code else lang, text))
    return out


def _name(el, lang: str | None) -> str | None:
    """``_choose(_narratives(el, lang), lang)``'s text, without the list: an organisation's name."""
    first = own = None
    for n in el:
        if n.tag == "narrative":
            text = n.text
            if text and (text := text.strip()):
                code = n.get(XML_LANG)
                code = code.lower() if code else lang
                if code == "en":
                    return text
                if own is None and lang and code == lang:
                    own = text
                elif first is None:
                    first = text
    if own is None and first is None:  # no narrative: a 1.0x element carries its text directly
        return (el.text or "").strip() or None
    return own or first


def _choose(texts: list[tuple[str | None, str]], lang: str | None) -> tuple[str | None, str | None]:
    """English where present, else the activity's own language, else the first narrative."""
    if not texts:
        return None, None
    for want in ("en", lang):
        for code, text in texts:
            if want and code == want:
                return code, text
    return texts[0]


_ACCENTED = "áàâãäåéèêëíìîïóòôõöúùûüçñýÿÁÀÂÃÄÅÉÈÊËÍÌÎÏÓÒÔÕÖÚÙÛÜÇÑÝ"
_UNACCENT = {c: unicodedata.normalize("NFD", c)[0] for c in _ACCENTED}
_ACCENT = re.compile(f"[{_ACCENTED}]")
_NON_WORD = re.compile(r"[\W_]", re.UNICODE)
#: ASCII bytes -> lower-case letters and digits, everything else a blank: what _fold does to ASCII
_ASCII_FOLD = bytes(c + 32 if 65 <= c <= 90 else c if 48 <= c <= 57 or 97 <= c <= 122 else 32 for c in range(256))


class _Folded(dict):
    """Character -> what _fold makes of it, filled as characters are met (a text's alphabet is small).

    A character that lower case turns into two (or, as the Greek capital sigma, into a letter
    that depends on its neighbours) maps to two characters: the text is then folded the slow way.
    """

    def __missing__(self, code: int) -> str:
        char = chr(code)
        low = _UNACCENT.get(char, char).lower()
        folded = low if len(low) != 1 or code == 0x3A3 else " " if _NON_WORD.match(low) else low
        self[code] = folded if len(folded) == 1 and code != 0x3A3 else "  "
        return self[code]


_FOLDED = _Folded()


def _byte_folding(encoding: str) -> bytes:
    """Byte -> the byte of what _fold makes of its character, for a one-byte encoding whose
    every character folds to one of its own (checked here, at import)."""
    table = bytearray(range(256))
    for b in range(256):
        try:
            char = bytes([b]).decode(encoding)
        except UnicodeDecodeError:
            continue  # a byte the encoding leaves undefined: never written by encoding a text
        table[b] = _FOLDED[ord(char)].encode(encoding)[0]
        assert table[b : b + 1].decode(encoding) == _FOLDED[ord(char)], char
    return bytes(table)


#: French, Spanish and Portuguese texts, curly quotes and dashes included, are Windows-1252
#: text: encoded, folded byte by byte and decoded, instead of a dictionary lookup a character
_CP1252_FOLD = _byte_folding("cp1252")


def _fold(text: str) -> str:
    """Lower case, accents and punctuation gone, same length as ``text`` (positions map back)."""
    if text.isascii():  # most texts: one pass over bytes instead of two over characters
        return text.encode("ascii").translate(_ASCII_FOLD).decode("ascii")
    try:
        return text.encode("cp1252").translate(_CP1252_FOLD).decode("cp1252")
    except UnicodeEncodeError:
        pass  # a character beyond Windows-1252 (Greek, Cyrillic, C1 controls...)
    folded = text.translate(_FOLDED)  # one pass, each character looked up once
    if len(folded) == len(text):
        return folded
    folded = _NON_WORD.sub(" ", _ACCENT.sub(lambda m: _UNACCENT[m.group()], text).lower())
    return folded if len(folded) == len(text) else _NON_WORD.sub(" ", text.lower())


@dataclass(frozen=True)
class Term:
    folded: str  # " human trafficking " (whole words) or " prevent" (a prefix: `prevent*`)
    prefix: bool


def _term(raw: str) -> Term:
    prefix = raw.endswith("*")
    words = _fold(raw.rstrip("*")).split()
    return Term(" " + " ".join(words) + ("" if prefix else " "), prefix)


class Text:
    """One field's text, folded once for every term looked up in it.

    ``padded`` is " " + the folded text + " ", so position i of it is i - 1 of ``original``
    (folding keeps the length). A phrase never runs across punctuation, which folds to a second
    blank.
    """

    __slots__ = ("field", "original", "padded")

    def __init__(self, field_name: str, parts: list[str], blank: Matcher | None = None):
        self.field = field_name
        # the parts two blanks apart, so that no phrase runs from one into the next
        self.original = "  ".join(" ".join(p.split()) for p in parts)
        padded = " " + _fold(self.original) + " "
        # drug trafficking, migrant smuggling, SDG target texts
        self.padded = blank.blank(padded) if blank is not None else padded

    def words(self, start: int, end: int) -> str:
        """The words of ``original`` a hit spans (see :meth:`Matcher.hits`)."""
        return self.original[start:end]


class Matcher:
    """Terms, each found in a folded text as whole words (``human trafficking``) or words the
    last of which starts a word (``prevent*``), all at once.

    The terms are one Aho-Corasick automaton (pyahocorasick, in C) over the padded texts: a text
    is read once, whatever the number of terms, and a term is found only with a blank on each
    side, or on its left for a prefix. (A text of a few hundred words and a vocabulary of a few
    hundred terms: looking for every term in every text costs more than the rest of the mapping
    together.)
    """

    def __init__(self, entries):
        entries = list(entries)
        one_word_prefix = [t.prefix and len(t.folded.split()) == 1 for t, _ in entries]
        prefixes = [e for e, scan in zip(entries, one_word_prefix) if scan]
        others = [e for e, scan in zip(entries, one_word_prefix) if not scan]
        # Terms are blanked in this order: the one-word prefixes, then the others as given
        # (longest first, so that where two overlap the longer wins).
        self._blanking = prefixes + others
        # Where several terms start at one word, they are reported in this order: the one-word
        # prefixes, then the others filed by their first word (first met, first filed).
        filed: dict[str, list] = defaultdict(list)
        for term, payload in others:
            filed[term.folded.split()[0]].append((term, payload))
        ordered = prefixes + [e for group in filed.values() for e in group]
        # folded term -> its (entry, payload)s; the automaton holds (its length - 1, those)
        keyed: dict[str, list] = defaultdict(list)
        for n, (term, payload) in enumerate(ordered):
            keyed[term.folded].append((n, payload))
        self._automaton = ahocorasick.Automaton()
        for key, found in keyed.items():
            self._automaton.add_word(key, (len(key) - 1, tuple(found)))
        self._automaton.make_automaton()

    def hits(self, text: Text) -> list[tuple[int, int, object]]:
        """(start, end, payload) of the first place each term is found in ``text``, in text
        order, and at one word in the order above: ``text.words(start, end)`` are the words."""
        return [self._hit(text.padded, *f) for f in sorted(self._first_places(text.padded))]

    def first(self, text: Text) -> tuple[int, int, object] | None:
        """``hits(text)[0]`` (None where no term is found)."""
        places = self._first_places(text.padded)
        return self._hit(text.padded, *min(places)) if places else None

    def _first_places(self, padded: str) -> list[tuple]:
        """(blank before it, entry, end of its key, payload) of each term's first place."""
        if not len(self._automaton):
            return []
        first: dict[int, tuple] = {}
        for key_end, (back, found) in self._automaton.iter(padded):
            for n, payload in found:
                if n not in first:  # a term's places come in text order: its first is kept
                    first[n] = (key_end - back, n, key_end, payload)
        return list(first.values())

    def _hit(self, padded: str, blank: int, n: int, key_end: int, payload) -> tuple[int, int, object]:
        # padded[blank] is the blank before the term: original[blank] its first letter. A whole
        # term's key ends with the blank after it; a prefix's last word runs on to the next blank.
        after = key_end if padded[key_end] == " " else padded.index(" ", key_end)
        return blank, after - 1, payload

    def blank(self, padded: str) -> str:
        """``padded`` with each term found in it blanked out but for its first and last
        character, in the blanking order above."""
        if not len(self._automaton) or next(self._automaton.iter(padded), None) is None:
            return padded  # most texts hold none
        present = set(padded.split(" "))
        blanked = padded
        for term, _ in self._blanking:
            words = term.folded.split()
            if words[0] not in present and not (term.prefix and len(words) == 1):
                continue  # not in the text as it came: a word another blanking cut is not read
            i = blanked.find(term.folded)
            while i >= 0:
                blanked = blanked[: i + 1] + " " * (len(term.folded) - 2) + blanked[i + len(term.folded) - 1 :]
                i = blanked.find(term.folded, i + 1)
        return blanked


@lru_cache(maxsize=1)
def _vocabulary() -> dict:
    rel = reference.iati_relevance()
    terms = {kind: [(_term(t), t) for t in rel.loc[rel["kind"] == kind, "term"]] for kind in ("tip", "related")}
    blank = [_term(t) for t in rel.loc[rel["kind"].isin(["exclude", "boilerplate"]), "term"]]
    blank = Matcher([(t, None) for t in sorted(blank, key=lambda t: -len(t.folded))])
    inf = reference.iati_inference()
    # A class value is its place in the order it is listed in (the columns in turn, each in its
    # code list's order), so that the values found sort into that order as numbers; the text
    # listed for it in inferred_from is made once, here.
    order = {c: {code: i for i, code in enumerate(reference.codes(_LIST[c]))} for c in _CLASS_COLUMNS}
    ranks = {
        (c, code): (i * 10_000 + order[c].get(code, 9_999), c, code, f"{c} {code}: ")
        for column, code in zip(inf["column"], inf["code"])
        for i, c in enumerate(_CLASS_COLUMNS)
        if c == column
    }
    text_terms: dict[Term, list[int]] = defaultdict(list)
    codes: dict[tuple[str, str], list[int]] = defaultdict(list)
    for column, code, source, match in inf.itertuples(index=False):
        rank = ranks.get((column, code))
        if rank is None:
            continue  # a column the mapping does not fill
        targets = text_terms[_term(match)] if source == "text" else codes[(source, match)]
        if rank[0] not in targets:
            targets.append(rank[0])
    return {
        "tip": Matcher([(t, None) for t, _ in terms["tip"]]),
        "related": Matcher([(t, None) for t, _ in terms["related"]]),
        "blank": blank,
        "relevance_tags": set(rel.loc[rel["kind"] == "tag", "term"]),
        "text_terms": Matcher(list(text_terms.items())),
        "codes": dict(codes),
        "ranked": {rank: (c, code, label) for rank, c, code, label in ranks.values()},
    }


# --- agencies -------------------------------------------------------------------------------


_NON_WORDS = re.compile(r"[\W_]+")


def _squash(name: str) -> str:
    return _NON_WORDS.sub("", _ACCENT.sub(lambda m: _UNACCENT[m.group()], name).casefold())


@lru_cache(maxsize=1)
def _agency_names() -> dict[str, str]:
    """Squashed name -> agency: the code, the full name, and 'Full name (CODE)'."""
    out = {}
    for code, name in zip(reference.agencies()["code"], reference.agencies()["name"]):
        for form in (code, name, f"{name} ({code})"):
            out[_squash(form)] = code
    return out


@lru_cache(maxsize=4096)  # a file names the same few organisations on every activity
def agency_of(ref: str | None, name: str | None) -> str | None:
    """The ICAT agency an IATI organisation is: by its exact name, else by its identifier.

    The name wins because publishers copy identifiers wrongly: UNICEF lists itself as
    implementer under the identifier of each of its funders (``ref="44000"``, the World Bank's,
    named "UNICEF"), while an agency's exact name or acronym is never another organisation's.
    """
    if name:
        agency = _agency_names().get(_squash(name))
        if agency:
            return agency
    refs = reference.iati_organisations()
    return refs.get(ref.strip()) if ref else None


# --- one activity ---------------------------------------------------------------------------


@dataclass
class Context:
    file: str
    keep_all: bool
    rates: dict[str, float]
    today: date


@dataclass(slots=True)  # one an activity: no attribute dict to make for each
class Mapped:
    """An activity as read, before it is kept or skipped."""

    activity: dict
    publisher: str
    skip: str | None = None  # why it is skipped, in words
    detail: bool = False  # a problem of the activity itself, listed one by one in the report


@lru_cache(maxsize=4096)  # activities of a file share their dates; a date is immutable
def _iso_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _float(value: str | None) -> float | None:
    try:
        v = float(value)  # float() strips the blanks str.strip() does, but for \x1c-\x1f
    except TypeError:
        return None
    except ValueError:
        try:
            v = float(value.strip())
        except ValueError:
            return None
    return v if math.isfinite(v) else None


def map_activity(el, file_version: str | None, file_lang: str | None, ctx: Context) -> Mapped:
    """Read one ``iati-activity`` element as an activity of the contract (docs/IATI.md)."""
    lang = (el.get(XML_LANG) or file_lang or "").lower() or None
    version = el.get(DPORTAL_VERSION) or el.get("version") or file_version
    default_currency = (el.get("default-currency") or "").strip().upper() or None
    notes: list[str] = []
    identifier = None
    publisher_ref = publisher_name = None
    titles: list[tuple[str | None, str]] = []
    descriptions: list[tuple[str, list]] = []
    orgs: list[tuple[str, str | None, str | None]] = []
    status_code = scope_code = None
    dates: dict[str, date] = {}
    countries: list[str] = []
    regions: list[str] = []
    region_scopes: list[str] = []
    sectors: list[tuple[str, str]] = []
    tags: list[tuple[str, str]] = []
    markers: list[tuple[str, str, str]] = []
    budgets: dict[tuple, tuple[int, float, str | None]] = {}
    iso3 = _iso2_to_iso3()
    region_names = reference.iati_regions()
    for child in el:
        tag = child.tag
        if tag not in _READ:
            continue  # a comment, or an element not read (transactions, results, documents...)
        # the most frequent elements first; an attribute read once, its usual values looked up
        if tag == "budget":
            _read_budget(child, default_currency, budgets, notes)
        elif tag == "participating-org":
            role = _code(child.get("role"), _ROLES, ROLE_NAMES)
            ref = child.get("ref")
            orgs.append((role, ref.strip() or None if ref else None, _name(child, lang)))
        elif tag == "activity-date":
            kind = _code(child.get("type"), _DATE_KINDS, DATE_NAMES)
            iso = child.get("iso-date")
            d = _iso_date(iso)
            if d is None and iso:
                notes.append(f"activity-date {iso!r} is not a date; left out")
            elif d is not None and kind in _DATE_KINDS:
                dates.setdefault(kind, d)
        elif tag == "sector":
            sectors.append(((child.get("vocabulary") or "1").strip(), (child.get("code") or "").strip()))
        elif tag == "title":
            titles += _narratives(child, lang)
        elif tag == "description":
            descriptions.append((child.get("type") or "1", _narratives(child, lang)))
        elif tag == "recipient-country":
            code = (child.get("code") or "").strip().upper()
            if code in iso3:
                if iso3[code] not in countries:
                    countries.append(iso3[code])
            elif code:
                notes.append(f"recipient-country {code!r} is not an ISO 3166 country code; left out")
        elif tag == "iati-identifier":
            identifier = (child.text or "").strip() or None
        elif tag == "reporting-org":
            publisher_ref = (child.get("ref") or "").strip() or None
            publisher_name = _name(child, lang)
        elif tag == "activity-status":
            status_code = (child.get("code") or "").strip()
        elif tag == "activity-scope":
            scope_code = (child.get("code") or "").strip()
        elif tag == "recipient-region":
            vocab = (child.get("vocabulary") or "1").strip()
            code = (child.get("code") or "").strip()
            named = region_names.get((vocab, code.lstrip("0") or code))
            if not code:
                notes.append(f"recipient-region of vocabulary {vocab} has no code; left out")
                continue
            if named:
                name, scope = named
            else:
                given = _name(child, lang)
                name, scope = (given or f"{code} (region code of vocabulary {vocab})"), "regional"
            if name not in regions:
                regions.append(name)
                region_scopes.append(scope)
        elif tag == "tag":
            tags.append(((child.get("vocabulary") or "1").strip(), (child.get("code") or "").strip()))
        elif tag == "policy-marker":
            markers.append(
                (
                    (child.get("vocabulary") or "1").strip(),
                    (child.get("code") or "").strip().lstrip("0"),
                    (child.get("significance") or "").strip(),
                )
            )
    publisher = publisher_ref or publisher_name or "(no reporting organisation)"
    act: dict = {"activity_id": identifier, "iati_publisher": publisher_ref, "iati_publisher_name": publisher_name}
    mapped = Mapped(act, publisher)
    if identifier is None:
        mapped.skip, mapped.detail = "no iati-identifier", True
        return mapped

    # agencies
    lead = agency_of(publisher_ref, publisher_name)
    if lead is None:
        lead = next((a for r, ref, nm in orgs if r in ("3", "4") for a in [agency_of(ref, nm)] if a), None)
    if lead is None:
        mapped.skip = "no ICAT agency reports, extends or implements it"
        return mapped
    partners, donors, implementers = [], [], []
    for role, ref, name in orgs:
        agency = agency_of(ref, name)
        if role == "1":
            donor = name or ref
            if donor and donor not in donors:
                donors.append(donor)
        elif agency and agency != lead and agency not in partners:
            partners.append(agency)
        elif role == "4" and not agency:
            who = name or ref
            if who and who not in implementers:
                implementers.append(who)

    # texts and relevance
    vocab = _vocabulary()
    title_lang, title = _choose(titles, lang)
    other_texts = [f"title ({code or '?'}): {text}" for code, text in titles if text != title or code != title_lang]
    chosen_desc = []
    for _, texts in sorted(descriptions, key=_FIRST):
        code, text = _choose(texts, lang)
        if text:
            chosen_desc.append(text)
        other_texts += [f"description ({c or '?'}): {t}" for c, t in texts if t != text or c != code]
    description = "\n\n".join(chosen_desc) or None
    fields = [
        Text("title", [t for _, t in titles], vocab["blank"]),
        Text("description", [t for _, texts in descriptions for _, t in texts], vocab["blank"]),
    ]
    sdg = {code for v, code in tags if v == SDG_TARGET_VOCABULARIES["tag"]}
    sdg |= {code for v, code in sectors if v == SDG_TARGET_VOCABULARIES["sector"]}
    relevance, reason = _relevance(fields, sdg, vocab)
    if relevance is None:
        if not ctx.keep_all:
            mapped.skip = "not about trafficking in persons"
            return mapped
        relevance, reason = "none", "kept by --all (no text about trafficking in persons)"

    if not title:
        mapped.skip, mapped.detail = "no title", True
        return mapped
    start_kind = "actual" if "2" in dates else "planned" if "1" in dates else None
    end_kind = "actual" if "4" in dates else "planned" if "3" in dates else None
    start = dates.get("2") or dates.get("1")
    end = dates.get("4") or dates.get("3")
    if start is None:
        mapped.skip, mapped.detail = "no start date (planned or actual)", True
        return mapped
    if end is not None and end < start:
        mapped.skip, mapped.detail = f"ends ({end.isoformat()}) before it starts ({start.isoformat()})", True
        return mapped

    status = STATUS.get(status_code or "")
    if status is None:
        if status_code:
            notes.append(f"activity-status {status_code!r} is not an IATI status; taken from the dates")
        status = status_from_dates(start, end, ctx.today)
    scope = _scope(scope_code, countries, regions, region_scopes, notes)
    value, currency, usd = _money(budgets, ctx.rates, notes)
    inferred, classes = _infer(fields, sectors, tags, markers, vocab)
    # the whole row in one dict display (cheaper than update() with keywords)
    mapped.activity = {
        "activity_id": identifier,
        "iati_publisher": publisher_ref,
        "iati_publisher_name": publisher_name,
        "title": title,
        "description": description,
        "lead_agency": lead,
        "partner_agencies": partners,
        "scope": scope,
        "countries": countries,
        "start_date": start,
        "end_date": end,
        "status": status,
        "budget_usd": usd,
        "donors": donors,
        "last_updated": _iso_date(el.get("last-updated-datetime")),
        # What a publisher reports to IATI is public already, its budgets included.
        "visibility": "public",
        "budget_visibility": "public",
        "is_joint": bool(partners),
        "source_file": ctx.file,
        "imported_at": None,
        "regions": regions,
        "implementing_partners": implementers,
        "language": lang,
        "other_language_texts": other_texts,
        "iati_version": version,
        "relevance": relevance,
        "relevance_reason": reason,
        "start_date_kind": start_kind,
        "end_date_kind": end_kind,
        "budget_value": value,
        "budget_currency": currency,
        "inferred_from": inferred,
        "import_notes": notes,
        **classes,
    }
    return mapped


def _code(raw: str | None, usual: dict[str, str], names: dict[str, str]) -> str:
    """A code attribute: its usual values looked up as they are; else stripped, and a 1.0x name
    (``Funding``, ``start-actual``) turned into its code."""
    code = usual.get(raw)
    if code is None:
        code = (raw or "").strip()
        code = names.get(code.lower(), code)
    return code


@lru_cache(maxsize=1)
def _iso2_to_iso3() -> dict[str, str]:
    df = reference.countries()
    return {r.iso2: r.iso3 for r in df.itertuples() if r.iso2}


def _read_budget(el, default_currency, budgets: dict, notes: list[str]) -> None:
    kind = el.get("type")
    revised = kind == "2" or kind is not None and kind.strip() == "2"
    start = end = value_el = None
    for child in el:
        tag = child.tag
        if tag == "period-start":
            start = child.get("iso-date")
        elif tag == "period-end":
            end = child.get("iso-date")
        elif tag == "value":
            value_el = child
    if value_el is None:
        notes.append("a budget has no value; left out")
        return
    value = _float(value_el.text)
    if value is None or value < 0:
        notes.append(f"budget value {(value_el.text or '').strip()!r} is not an amount of 0 or more; left out")
        return
    currency = (value_el.get("currency") or "").strip().upper() or default_currency
    period = (start, end)
    held = budgets.get(period)
    # A revised budget replaces the original one for the same period (and a later one of the
    # same type the earlier, which a publisher repeating a period means).
    if held is None or revised or held[0] == 0:
        budgets[period] = (1 if revised else 0, value, currency)


def _money(budgets: dict, rates: dict[str, float], notes: list[str]) -> tuple[float | None, str | None, float | None]:
    if not budgets:
        return None, None, None
    by_currency: dict[str | None, float] = defaultdict(float)
    for _, value, currency in budgets.values():
        by_currency[currency] += value
    if None in by_currency:
        notes.append("a budget has no currency and the activity no default currency; the budget is left empty")
        return None, None, None
    if len(by_currency) == 1:
        ((currency, value),) = by_currency.items()
        usd = value if currency == "USD" else value * rates[currency] if currency in rates else None
        if usd is None:
            notes.append(f"no rate for {currency} was given (--rates); budget_usd left empty")
        return value, currency, usd
    parts = " + ".join(f"{v:.2f} {c}" for c, v in sorted(by_currency.items()))
    missing = sorted(c for c in by_currency if c != "USD" and c not in rates)
    notes.append(f"budgets in several currencies: {parts}")
    if missing:
        notes.append(f"no rate for {', '.join(missing)} was given (--rates); budget_usd left empty")
        return None, None, None
    return None, None, sum(v if c == "USD" else v * rates[c] for c, v in by_currency.items())


def _scope(code, countries, regions, region_scopes, notes: list[str]) -> str:
    if countries:
        derived = "national" if len(countries) == 1 and not regions else "regional"
    elif regions:
        derived = "global" if all(s == "global" for s in region_scopes) else "regional"
    else:
        derived = "global"
    given = SCOPE.get(code or "")
    if given is None:
        if not countries and not regions:
            notes.append("no recipient country or region; counted as global")
        return derived
    fits = (
        given == "global"
        or (given == "national" and len(countries) == 1)
        or (given == "regional" and (countries or regions))
    )
    if not fits:
        notes.append(
            f"activity-scope {code} ({given}) does not fit {len(countries)} country(ies) and "
            f"{len(regions)} region(s); scope {derived}"
        )
        return derived
    return given


def _relevance(fields: list[Text], sdg: set[str], vocab: dict) -> tuple[str | None, str | None]:
    for kind in ("title", "description"):
        for f in fields:
            if f.field != kind:
                continue
            hit = vocab["tip"].first(f)
            if hit:
                return ("main_purpose" if kind == "title" else "component"), f"{kind}: {f.words(*hit[:2])!r}"
    tagged = sorted(sdg & vocab["relevance_tags"])
    if tagged:
        for f in fields:
            hit = vocab["related"].first(f)
            if hit:
                return "component", f"tag SDG target {tagged[0]} with {f.field}: {f.words(*hit[:2])!r}"
    return None, None


_CLASS_COLUMNS = ("themes", "activity_types", "target_groups", "exploitation_forms")


def _infer(fields: list[Text], sectors, tags, markers, vocab) -> tuple[list[str], dict[str, list[str]]]:
    """Every class value the evidence supports, and for each what it was read from."""
    found: dict[int, str] = {}  # a class value's rank (_vocabulary) -> what it was read from
    for kind in ("title", "description"):
        for f in fields:
            if f.field != kind:
                continue
            for first, last, targets in vocab["text_terms"].hits(f):
                said = None  # the words matched are read only where they are the first evidence
                for t in targets:
                    if t not in found:
                        if said is None:
                            said = f"{kind}: {f.words(first, last)!r}"
                        found[t] = said
    codes = vocab["codes"]
    for v, code in sectors:
        if v == "1":
            for t in codes.get(("sector", code), ()):
                found.setdefault(t, f"sector {code} (OECD DAC)")
    for v, code in tags:
        if v == "3":
            for t in codes.get(("tag", code), ()):
                found.setdefault(t, f"tag SDG target {code}")
    for v, code, significance in markers:
        if v == "1":
            for t in codes.get(("policy_marker", f"{code}:{significance}"), ()):
                found.setdefault(t, f"policy marker {code} (OECD DAC), significance {significance}")
    ranked = vocab["ranked"]
    classes: dict[str, list[str]] = {c: [] for c in _CLASS_COLUMNS}
    inferred = []
    for rank in sorted(found):
        column, code, label = ranked[rank]
        classes[column].append(code)
        inferred.append(label + found[rank])
    return inferred, classes


_LIST = {"themes": "theme", "activity_types": "activity_type", "target_groups": "target_group"}
_LIST["exploitation_forms"] = "exploitation_form"


# --- the report -------------------------------------------------------------------------------


@dataclass
class Report:
    read: Counter = field(default_factory=Counter)  # publisher -> activities read
    kept: Counter = field(default_factory=Counter)
    skipped: dict = field(default_factory=lambda: defaultdict(Counter))  # publisher -> reason -> n
    names: dict = field(default_factory=dict)  # publisher -> name
    details: list = field(default_factory=list)  # "FILE:LINE: activity 'X': reason"
    files: list = field(default_factory=list)  # per-file counts for the manifest
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    written: bool = False

    def skip(self, publisher: str, reason: str) -> None:
        self.skipped[publisher][reason] += 1
        self.kept[publisher] -= 1

    def text(self) -> str:
        lines = [
            f"read {sum(self.read.values())}, kept {sum(self.kept.values())}, "
            f"skipped {sum(sum(c.values()) for c in self.skipped.values())}",
        ]
        for pub in sorted(self.read, key=lambda p: (-self.read[p], p)):
            name = self.names.get(pub)
            who = f"{pub} ({name})" if name and name != pub else pub
            lines.append(f"  {who}: read {self.read[pub]}, kept {self.kept[pub]}")
            for reason, n in self.skipped[pub].most_common():
                lines.append(f"    skipped {n}: {reason}")
        if self.details:
            lines.append("activities skipped for a problem of their own:")
            lines += [f"  {d}" for d in self.details[:MAX_DETAILS]]
            if len(self.details) > MAX_DETAILS:
                lines.append(f"  ... and {len(self.details) - MAX_DETAILS} more")
        lines.append(f"{self.inserted} inserted, {self.updated} updated, {self.unchanged} unchanged")
        return "\n".join(lines)


# --- the import ---------------------------------------------------------------------------------


def expand_paths(paths: list[Path]) -> tuple[list[Path], list[Problem]]:
    files, problems = [], []
    for p in paths:
        if p.is_dir():
            found = sorted(q for q in p.iterdir() if q.suffix.lower() == ".xml" and q.is_file())
            if not found:
                problems.append(Problem(str(p), 0, "-", "the folder holds no .xml file"))
            files += found
        elif p.is_file():
            files.append(p)
        else:
            problems.append(Problem(str(p), 0, "-", "no such file or folder"))
    return files, problems


def read_rates(path: Path) -> dict[str, float]:
    """``currency,usd_per_unit`` rows: how many US dollars one unit of the currency is worth."""
    problems, rates = [], {}
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise Refused(
            [Problem(name, 0, "-", f"cannot be read as a UTF-8 CSV file ({exc.__class__.__name__})")]
        ) from None
    rows = list(csv.reader(text.splitlines()))
    header = [h.strip().lower() for h in rows[0]] if rows else []
    if header[:2] != ["currency", "usd_per_unit"]:
        raise Refused([Problem(name, 1, "-", "the first row must be: currency,usd_per_unit")])
    for i, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        currency = row[0].strip().upper()
        rate = _float(row[1] if len(row) > 1 else "")
        if not re.fullmatch(r"[A-Z]{3}", currency):
            problems.append(Problem(name, i, "currency", f"{row[0]!r} is not an ISO 4217 code such as EUR"))
        elif rate is None or rate <= 0:
            problems.append(Problem(name, i, "usd_per_unit", f"{(row[1:] or [''])[0]!r} is not a positive number"))
        else:
            rates[currency] = rate
    if problems:
        raise Refused(problems)
    return rates


def stage(files: list[Path], out: Path, ctx_args: dict, workers: int | None = None) -> Report:
    """Read every file into the staged parquet ``out``; raises :class:`Refused` on a bad file.

    A big file is read by ``workers`` processes at once (default: one per core), a piece each,
    and staged in the order of the file: the same staged activities as reading it alone.
    """
    workers = _cores() if workers is None else workers
    try:
        return _stage(files, out, ctx_args, workers)
    except _Unsplittable:
        # A piece did not read on its own (cut inside a comment, say, or the file is broken):
        # read every file whole, which also says where a broken file is broken.
        return _stage(files, out, ctx_args, 1)


def _stage(files: list[Path], out: Path, ctx_args: dict, workers: int) -> Report:
    report = Report()
    seen: dict[str, tuple[str, int]] = {}  # activity_id -> (file, line) where it was first read
    # lz4: the staged file is read three times (contract check, merge, write) and then deleted
    writer = pq.ParquetWriter(out, _STAGED_SCHEMA, compression="lz4")
    pending: list[pa.Table] = []  # kept activities not written yet (fewer than BATCH)
    ord_ = 0
    problems: list[Problem] = []
    pool = None
    try:
        for path in files:
            name = path.name
            per_file = {"file": name, "read": 0, "kept": 0, "publishers": Counter()}
            position = 0
            try:
                ranges = _pieces(path, name) if workers > 1 else None
                if ranges and pool is None:
                    pool = _pool(workers)
                for activities, table in _read(path, name, ctx_args, ranges, pool, workers):
                    # counted a piece at a time: one Python step an activity costs the import
                    # process, which shares the cores with the workers, a second per 100,000
                    publishers = Counter(a[1] for a in activities)
                    for counts in (report.read, report.kept, per_file["publishers"]):
                        counts.update(publishers)
                    for pub, pub_name in {a[1]: a[2] for a in reversed(activities)}.items():
                        report.names.setdefault(pub, pub_name)  # the first name read
                    per_file["read"] += len(activities)
                    keep = []  # for each activity the piece staged: whether it stays staged
                    first_position = position + 1
                    position += len(activities)
                    for number, (line, pub, _, aid, skip, detail) in enumerate(activities, first_position):
                        staged = skip is None
                        if staged:
                            first = seen.get(aid)
                            if first is None:
                                seen[aid] = (name, line)
                                keep.append(True)
                                continue
                            skip, detail = f"read already from {first[0]}:{first[1]}", True
                        report.skip(pub, skip)
                        if detail:
                            where = f"{name}:{line}: activity " + (
                                repr(aid) if aid else f"number {number} (no identifier)"
                            )
                            report.details.append(f"{where}: {skip}")
                        if staged:
                            keep.append(False)
                    per_file["kept"] += keep.count(True)
                    if not all(keep):
                        table = table.filter(pa.array(keep, pa.bool_()))
                    if table.num_rows:
                        n = table.num_rows
                        ords = pa.array(range(ord_, ord_ + n), pa.int64())
                        pending.append(table.set_column(_STAGED_SCHEMA.get_field_index("_ord"), "_ord", ords))
                        ord_ += n
                        pending = _write_full_batches(writer, pending)
            except FileRefused as refused:
                problems.append(refused.problem)
            per_file["publishers"] = sorted(per_file["publishers"])
            report.files.append(per_file)
        if pending or ord_ == 0:
            writer.write_table(pa.concat_tables([_STAGED_SCHEMA.empty_table(), *pending]).combine_chunks())
        if pool is not None:
            pool.close()
            pool.join()
    finally:
        if pool is not None:
            pool.terminate()
        writer.close()
    if problems:
        raise Refused(problems)
    return report


def _write_full_batches(writer, pending: list[pa.Table]) -> list[pa.Table]:
    """Write row groups of exactly BATCH activities, as reading one activity at a time does."""
    if sum(t.num_rows for t in pending) < BATCH:
        return pending
    table = pa.concat_tables(pending)
    start = 0
    while table.num_rows - start >= BATCH:
        writer.write_table(table.slice(start, BATCH).combine_chunks())
        start += BATCH
    return [table.slice(start)] if start < table.num_rows else []


def _map_some(items, name: str, ctx: Context, limit: int | None) -> tuple[list[tuple], pa.Table]:
    """Map up to ``limit`` activities of ``items``: for each (line, publisher, its name,
    identifier, why skipped, whether a problem of its own), and the table of those not skipped."""
    activities, rows, lines = [], [], []
    for version, file_lang, el in islice(items, limit):
        line = el.sourceline or 0
        m = map_activity(el, version, file_lang, ctx)
        act = m.activity
        activities.append((line, m.publisher, act.get("iati_publisher_name"), act["activity_id"], m.skip, m.detail))
        if m.skip is None:
            rows.append(act)
            lines.append(line)
    # every mapped activity has every column, in one order: its values as a row, the rows as columns
    columns = dict(zip(_ROW_NAMES, zip(*map(_ROW, rows)))) if rows else dict.fromkeys(_ROW_NAMES, ())
    columns.update(_file=[name] * len(rows), _row=lines, _ord=[0] * len(rows))
    return activities, pa.Table.from_pydict(columns, schema=_STAGED_SCHEMA)


def _read(path: Path, name: str, ctx_args: dict, ranges, pool, workers: int):
    """(activities, table) a piece at a time, in the order of the file (see :func:`_map_some`)."""
    ctx = Context(file=name, **ctx_args)
    if not ranges:
        items = iter_activities(path, name)
        while True:
            activities, table = _map_some(items, name, ctx, BATCH)
            if not activities:
                return
            yield activities, table
    _check_start(path, name)
    root = _root(path, name)
    version, file_lang = root.get("version"), root.get(XML_LANG)
    header = etree.tostring(etree.Element(root.tag, dict(root.attrib), nsmap=root.nsmap))[:-2] + b">"
    size = ranges[-1][1]
    tasks = ((str(path), name, a, b, header if a else b"", b < size, version, file_lang, ctx_args) for a, b in ranges)
    running: deque = deque()
    lines_before = 0  # lines of the file before the piece: a piece numbers its lines from 1
    for task in islice(tasks, 2 * workers):  # a few pieces ahead, no more: memory stays flat
        running.append(pool.apply_async(_map_piece, (task,)))
    while running:
        done = running.popleft().get()
        task = next(tasks, None)
        if task is not None:
            running.append(pool.apply_async(_map_piece, (task,)))
        if done is None:
            raise _Unsplittable
        newlines, activities, ipc = done
        table = pa.ipc.open_stream(ipc).read_all()
        if lines_before:
            activities = [(line + lines_before if line else 0, *rest) for line, *rest in activities]
            rows = table.column("_row")
            rows = pc.if_else(pc.equal(rows, 0), rows, pc.add(rows, lines_before))
            table = table.set_column(_STAGED_SCHEMA.get_field_index("_row"), "_row", rows)
        lines_before += newlines
        yield activities, table


# --- reading a big file on every core -----------------------------------------------------------

#: a file from this size up is cut into pieces of about PIECE bytes, read in parallel
PARALLEL_FROM = 8 * 2**20
PIECE = 2 * 2**20
_ACTIVITY_START = re.compile(rb"<iati-activity[\s>/]")
_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([^"']+)""")


class _Unsplittable(Exception):
    """A piece of a file does not read as XML on its own."""


def _cores() -> int:
    if sys.platform != "linux":  # workers are forked, a copy of this process with its vocabularies
        return 1
    return len(os.sched_getaffinity(0))


def _pieces(path: Path, name: str) -> list[tuple[int, int]] | None:
    """Byte ranges of a big UTF-8 file, each but the first starting at an ``<iati-activity``;
    None for a file read whole."""
    size = path.stat().st_size
    if size < PARALLEL_FROM:
        return None
    with open(path, "rb") as fh:
        head = fh.read(4096)
        text = head.removeprefix(b"\xef\xbb\xbf")
        declared = _ENCODING.match(text)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"<!DOCTYPE" in head:
            return None  # another encoding, or entities a piece would not know
        if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
            return None
        cuts, pos, block_size = [0], PIECE, 2**16
        while pos < size:
            fh.seek(pos)
            block = fh.read(block_size)
            found = _ACTIVITY_START.search(block)
            if found is None:
                if len(block) < block_size:
                    break
                pos += len(block) - 16  # the tag may start at the end of this block
                continue
            cuts.append(pos + found.start())
            pos = cuts[-1] + PIECE
    if len(cuts) < 2:
        return None
    return list(zip(cuts, cuts[1:] + [size]))


def _pool(workers: int):
    # Read once here, so that every worker starts with them instead of reading them again.
    _vocabulary(), _iso2_to_iso3(), _agency_names(), reference.iati_regions(), reference.iati_organisations()
    # Out of the cyclic collector's sight in the workers: it would walk every object of this
    # process (pandas, pyarrow, DuckDB, the vocabularies) in each of them, and its writes would
    # copy the pages they share with this process.
    gc.freeze()
    try:
        return mp.get_context("fork").Pool(workers)
    finally:
        gc.unfreeze()


def _map_piece(task) -> tuple[int, list, bytes] | None:
    """In a worker: map the activities of one piece; None if the piece is not XML on its own."""
    path, name, start, end, header, more, version, file_lang, ctx_args = task
    with open(path, "rb") as fh:
        fh.seek(start)
        data = fh.read(end - start)
    newlines = data.count(b"\n")
    data = header + data + (b"</iati-activities>" if more else b"")
    try:  # a piece is small: parsed whole, which is quicker than streaming it
        root = etree.fromstring(data, etree.XMLParser(huge_tree=True, resolve_entities=False))
    except etree.XMLSyntaxError:
        return None
    # "<iati-activity" in the bytes once for each activity under the root (the root's own tag is
    # "<iati-activities"): every activity is a child of the root, read without walking the tree
    # below them (walking it costs more than its parsing). Else (one inside another, a tag in a
    # comment) the whole tree is searched.
    children = data.count(b"<iati-activity") == root.xpath("count(iati-activity)")
    found = root.iterchildren("iati-activity") if children else root.iter("iati-activity")
    items = ((version, file_lang, el) for el in found)
    # Mapping makes no reference cycles, and a piece's objects are freed with it: the cyclic
    # collector would only walk them again and again while they are made.
    gc.disable()
    try:
        activities, table = _map_some(items, name, Context(file=name, **ctx_args), None)
    finally:
        gc.enable()
    # Is one activity inside another? Streaming would read the inner one first.
    if not children and root.xpath("boolean(//iati-activity//iati-activity)"):
        return None
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as out:
        out.write_table(table)
    return newlines, activities, sink.getvalue().to_pybytes()


def _compared_columns() -> list[str]:
    return [n for n in ACTIVITIES_SCHEMA.names if n not in ("source_file", "imported_at")]


def import_iati(
    paths: list[Path],
    data_dir: Path,
    *,
    keep_all: bool = False,
    rates_file: Path | None = None,
    now: datetime | None = None,
) -> Report:
    """Read the IATI files and merge what they hold into the export; raises :class:`Refused`."""
    now = now or datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    files, problems = expand_paths([Path(p) for p in paths])
    if problems:
        raise Refused(problems)
    rates = read_rates(rates_file) if rates_file else {}
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".iati-", dir=data_dir) as tmp:
        staged = Path(tmp) / "staged.parquet"
        report = stage(files, staged, {"keep_all": keep_all, "rates": rates, "today": now.date()})
        con = duckdb.connect(":memory:")
        try:
            con.execute("SET enable_progress_bar = false")
            # The merge sorts whole rows: a bounded memory that spills to disk keeps the import's
            # peak memory the same whatever the size of the files (docs/PERFORMANCE.md).
            con.execute(f"SET temp_directory = {sql_literal(Path(tmp))}")
            con.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
            con.execute(f"CREATE VIEW checked AS SELECT * FROM read_parquet({sql_literal(staged)})")
            # The contract check only reads, and sorts what it finds: both cores (the workers are
            # done), 0.3 s instead of 0.45 at 100,000 activities. The merge then writes in order.
            _skip_contract_problems(con, report)
            con.execute("SET threads = 1")
            with export.export_lock(data_dir):
                _merge(con, data_dir, staged, report, now)
        finally:
            con.close()
    return report


def _skip_contract_problems(con, report: Report) -> None:
    """The contract's own rules judge every mapped activity; one that breaks them is skipped.

    Leaves the view ``incoming``: the staged activities that keep the contract.
    """
    found = activity_problems(con)
    bad: dict[tuple[str, int], list[str]] = defaultdict(list)
    for p in found:
        bad[(p.file, p.row)].append(f"{p.column}: {p.message}")
    rows = pa.table(
        {"_file": pa.array([f for f, _ in bad], pa.string()), "_row": pa.array([r for _, r in bad], pa.int64())}
    )
    con.register("bad_rows", rows)
    for file, row, aid, pub in con.execute(
        "SELECT _file, _row, activity_id, coalesce(iati_publisher, iati_publisher_name) FROM checked "
        "JOIN bad_rows USING (_file, _row) ORDER BY _ord"
    ).fetchall():
        report.skip(pub or "(no reporting organisation)", "a value the data contract does not allow (listed)")
        report.details += [f"{file}:{row}: activity {aid!r}: {what}" for what in bad[(file, row)]]
    con.execute("CREATE VIEW incoming AS SELECT * FROM checked ANTI JOIN bad_rows USING (_file, _row)")


def _merge(con, data_dir: Path, staged: Path, report: Report, now: datetime) -> None:
    current = export.current_dir(data_dir) / "activities.parquet"  # resolved once: the version merged into
    try:
        names = pq.read_schema(current).names if current.exists() else None
    except Exception as exc:  # noqa: BLE001 - a damaged export is reported, never overwritten
        raise Refused(
            [Problem("activities.parquet", 0, "-", f"the export cannot be read ({exc}); run validate")]
        ) from exc
    cols = ACTIVITIES_SCHEMA.names
    if names is None:
        con.execute(f"CREATE VIEW existing AS SELECT {', '.join(cols)}, 0::BIGINT AS _eord FROM incoming LIMIT 0")
    else:
        con.execute(
            f"CREATE VIEW existing_raw AS SELECT *{missing_optional_sql(names)}{_sharing_defaults(names)}, "
            "file_row_number AS _eord "
            f"FROM read_parquet({sql_literal(current)}, file_row_number = true)"
        )
        con.execute(f"CREATE VIEW existing AS SELECT {', '.join(cols)}, _eord FROM existing_raw")
    # Rows are compared by a hash of their compared columns: the join then holds an identifier
    # and a number per activity, not whole rows, and nothing below sorts whole rows, so memory
    # stays flat however many activities the files and the export hold.
    fingerprint = f"hash({', '.join(_compared_columns())})"
    con.execute(
        "CREATE TABLE verdict AS SELECT i.activity_id, i._ord, e._eord, "
        "CASE WHEN e.activity_id IS NULL THEN 'inserted' WHEN e.h = i.h THEN 'unchanged' ELSE 'updated' END AS what "
        f"FROM (SELECT activity_id, _ord, {fingerprint} AS h FROM incoming) AS i "
        f"LEFT JOIN (SELECT activity_id, _eord, {fingerprint} AS h FROM existing) AS e USING (activity_id)"
    )
    counts = dict(con.execute("SELECT what, count(*) FROM verdict GROUP BY what").fetchall())
    report.inserted, report.updated, report.unchanged = (counts.get(k, 0) for k in ("inserted", "updated", "unchanged"))
    if report.inserted == 0 and report.updated == 0:
        return
    prepared = {name: export.prepared_path(data_dir, name) for name in ACTIVITY_FILES}
    merged_path = prepared["activities.parquet"]
    _write_merged(con, current if names is not None else None, staged, merged_path, now)
    merged = {"merged": str(merged_path)}
    _copy(
        con.sql("SELECT activity_id, unnest(countries) AS iso3 FROM read_parquet($merged)", params=merged),
        prepared["activity_countries.parquet"],
        EXPORT_FILES["activity_countries.parquet"],
    )
    _copy(
        con.sql(
            "SELECT activity_id, lead_agency AS agency, 'lead' AS role FROM read_parquet($merged) "
            "UNION ALL SELECT activity_id, unnest(partner_agencies), 'partner' FROM read_parquet($merged)",
            params=merged,
        ),
        prepared["activity_agencies.parquet"],
        EXPORT_FILES["activity_agencies.parquet"],
    )
    manifest = export.read_manifest(data_dir)
    update = {
        "sources": _sources(manifest, report),
        "last_import": {
            "at": now.isoformat(timespec="seconds") + "Z",
            "files": [f["file"] for f in report.files],
            "inserted": report.inserted,
            "updated": report.updated,
            "unchanged": report.unchanged,
        },
    }
    if names is None or pq.read_metadata(current).num_rows == 0:
        update["synthetic"] = False
    export.install_prepared(data_dir, prepared, update, made_by="import-iati")
    report.written = True


def _write_merged(con, current: Path | None, staged: Path, out: Path, now: datetime) -> None:
    """The export's activities in their order, updated ones replaced in place, new ones after.

    Two sequential scans (the export, then the staged activities), a batch at a time.
    """
    updated = dict(con.execute("SELECT _eord, _ord FROM verdict WHERE what = 'updated'").fetchall())
    inserted = con.sql("SELECT _ord FROM verdict WHERE what = 'inserted' ORDER BY _ord").to_arrow_table()["_ord"]
    names = ACTIVITIES_SCHEMA.names
    stamp = pa.scalar(now, pa.timestamp("us"))

    def stamped(table: pa.Table) -> pa.Table:
        table = table.set_column(names.index("imported_at"), "imported_at", pa.repeat(stamp, table.num_rows))
        return table.select(names).cast(ACTIVITIES_SCHEMA)

    with pq.ParquetWriter(out, ACTIVITIES_SCHEMA, compression="zstd") as writer:
        if current is not None:
            start = 0
            for batch in pq.ParquetFile(current).iter_batches(BATCH):
                table = with_optional_columns(export.with_sharing_levels(pa.Table.from_batches([batch])))
                table = table.select(names).cast(ACTIVITIES_SCHEMA)
                here = {e - start: o for e, o in updated.items() if start <= e < start + table.num_rows}
                if here:
                    rows = table.to_pylist()
                    fresh = con.sql(
                        f"SELECT {', '.join(names)}, _ord FROM incoming WHERE _ord IN (SELECT unnest($ords))",
                        params={"ords": list(here.values())},
                    ).to_arrow_table()
                    by_ord = dict(zip(fresh.column("_ord").to_pylist(), stamped(fresh).to_pylist()))
                    for i, o in here.items():
                        rows[i] = by_ord[o]
                    table = pa.Table.from_pylist(rows, schema=ACTIVITIES_SCHEMA)
                writer.write_table(table)
                start += batch.num_rows
        staged_file = pq.ParquetFile(staged)
        every_one = len(inserted) == staged_file.metadata.num_rows  # a new export, say: nothing to pick out

        groups = iter(range(staged_file.num_row_groups))  # each of BATCH rows (_write_full_batches)

        def next_rows() -> pa.Table | None:
            group = next(groups, None)
            if group is None:
                return None
            table = staged_file.read_row_group(group)
            if not every_one:
                table = table.filter(pc.is_in(table.column("_ord"), value_set=inserted))
            return stamped(table)

        # The next batch is read and decoded while this one is encoded and written: both release
        # the interpreter, so the second core (idle once the reading is done) does half the work.
        # One thread reads, in order; two batches at most are held.
        with ThreadPoolExecutor(1) as ahead:
            coming = ahead.submit(next_rows)
            while (table := coming.result()) is not None:
                coming = ahead.submit(next_rows)
                if table.num_rows:
                    writer.write_table(table)


def _sharing_defaults(names) -> str:
    """Rows of an export from before sharing levels are shared with members only."""
    return "".join(f", '{DEFAULT_LEVEL}' AS {c}" for c in SHARING_COLUMNS if c not in names)


def _copy(result, path: Path, schema: pa.Schema) -> None:
    """Stream a DuckDB result into a parquet file of exactly the contract's schema."""
    reader = result.to_arrow_reader(BATCH)
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        wrote = False
        for batch in reader:
            writer.write_table(pa.Table.from_batches([batch]).select(schema.names).cast(schema))
            wrote = True
        if not wrote:
            writer.write_table(schema.empty_table())


def _sources(manifest: dict, report: Report) -> list:
    sources = [s for s in manifest.get("sources", []) if isinstance(s, dict)]
    entry = next((s for s in sources if s.get("id") == SOURCE_ID), None)
    if entry is None:
        entry = {
            "id": SOURCE_ID,
            "name": "IATI activity files",
            "citation": "Activities as their publishers report them to the International Aid Transparency "
            "Initiative (IATI Standard); each activity names its publisher in iati_publisher and its file in "
            "source_file. Each publisher sets its data licence on the IATI Registry.",
            "files": [],
        }
        sources.append(entry)
    by_file = {f["file"]: f for f in entry.get("files", [])}
    for f in report.files:
        by_file[f["file"]] = {k: f[k] for k in ("file", "read", "kept", "publishers")}
    entry["files"] = sorted(by_file.values(), key=lambda f: f["file"])
    return sources


# --- command line ---------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="IATI activity XML files, or folders of .xml files")
    parser.add_argument("--data", help="the export directory (default: $ICAT_DATA_DIR or data/)")
    parser.add_argument(
        "--all", action="store_true", help="keep every activity of an ICAT agency, not only work against trafficking"
    )
    parser.add_argument("--rates", metavar="FILE", help="CSV currency,usd_per_unit to fill budget_usd from")
    parser.add_argument("--undo", action="store_true", help="put back the export as it was before the last import")


def run(args: argparse.Namespace) -> int:
    directory = resolve_data_dir(args.data)
    if args.undo:
        return undo(directory, args.paths)
    if not args.paths:
        print("give one or more IATI XML files or folders to import (or --undo)", file=sys.stderr)
        return 2
    try:
        report = import_iati(
            [Path(p) for p in args.paths],
            directory,
            keep_all=args.all,
            rates_file=Path(args.rates) if args.rates else None,
        )
    except Refused as refused:
        print_problems(refused.problems)
        return 1
    print(report.text())
    print(f"written to {directory}" if report.written else "no changes")
    return 0
