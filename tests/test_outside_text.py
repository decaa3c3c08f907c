"""Text from a link or from the data is shown as it is, never as markdown, and a number in a
link that is not a sane number falls back to the default with a notice."""

from __future__ import annotations

import math
import re

import pytest

from icat_analysis.filters import Filters, number_from_link
from icat_analysis.ui.markdown import literal

ATTACKS = [
    "![p](http://198.51.100.7/pixel.png)",
    "[Log in again](http://198.51.100.7/login)",
    "**bold** and $x^2$ and $$\\int$$",
    ":red[red] :material/home: <img src=x> &amp; www.example.org someone@example.org",
    "# heading\n\n    indented * - + 1. | table |",
]


def shown(escaped: str) -> str:
    """What CommonMark displays for ``escaped``: backslash escapes read, word joiners invisible."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", escaped).replace("\u2060", "")


@pytest.mark.parametrize("text", ATTACKS)
def test_literal_text_shows_exactly_what_it_holds_on_one_line(text):
    out = literal(text)
    assert shown(out) == " ".join(text.split())
    # no markup character is left unescaped
    assert not re.search(r"(?<!\\)[!\[\]*$`<>&_#|]", out.replace("\\\\", "")), out
    assert not re.search(r"(?<!\\):\w+(?<!\\):", out), out  # no shortcode


def test_literal_breaks_bare_addresses():
    out = literal("see http://198.51.100.7/x, www.example.org and a@example.org")
    assert "http:\u2060//" in out and "w\u2060ww." in out and "a\u2060\\@" in out


def test_literal_leaves_plain_words_alone_and_escapes_what_starts_a_block():
    assert literal("IATI, Organization for Migration (IOM, XM-DAC-47066)") == (
        "IATI, Organization for Migration (IOM, XM-DAC-47066)"
    )
    assert literal("Saved: A1 and A2 marked duplicate.") == "Saved: A1 and A2 marked duplicate."
    assert literal(":smile: :thumbs_up: :material/home:") == "\\:smile\\: \\:thumbs\\_up\\: \\:material\\/home\\:"
    assert [literal(t) for t in ("- item", "+ item", "12. item", "3) item", "> quote")] == [
        "\\- item",
        "\\+ item",
        "12\\. item",
        "3\\) item",
        "\\> quote",
    ]


@pytest.mark.parametrize("raw", ["nan", "NaN", "inf", "-inf", "-0.5", "1.5", "0.1", "abc", "0x1p-1"])
def test_a_threshold_in_the_link_that_is_not_a_sane_number_gives_the_default_with_a_notice(raw):
    value, notice = number_from_link("threshold", raw, low=0.86, high=0.99, default=0.9)
    assert value == 0.9 and not math.isnan(value)
    assert notice == (f"Ignored threshold {raw!r} from the link: expected a number from 0.86 to 0.99; showing 0.9.")


def test_a_sane_threshold_in_the_link_is_kept_and_none_is_quiet():
    assert number_from_link("threshold", "0.95", low=0.86, high=0.99, default=0.9) == (0.95, None)
    assert number_from_link("threshold", None, low=0.86, high=0.99, default=0.9) == (0.9, None)
    assert number_from_link("threshold", " ", low=0.86, high=0.99, default=0.9) == (0.9, None)


def test_unicode_case_folding_does_not_turn_a_link_value_into_a_code():
    f = Filters.from_query_params({"countries": ["ßD", "tha"], "agencies": ["ılo"]})
    assert f.countries == ("THA",)  # "ßD".casefold() is "ssd": South Sudan
    assert f.agencies == ()
    assert len(f.notices) == 2
