"""Text from outside (a link's parameters, an export's data or manifest) shown literally in
Streamlit's markdown: ``st.warning``, ``st.success``, ``st.info``, ``st.markdown``, captions.

Streamlit renders those as markdown, with images, links, LaTeX (``$...$``), colours
(``:red[...]``) and bare web addresses turned into links. A link carrying
``?agencies=![p](http://host/pixel.png)`` would make the dashboard's own warning fetch that
image, telling whoever sent the link who opened it, and ``[Log in again](http://...)`` would
be a clickable off-site link inside the dashboard. :func:`literal` puts a backslash before
every character that can start markup (CommonMark shows an escaped character as itself),
and before a ``-``, ``+`` or ``=`` or the ``.`` of ``1.`` that would start a list or heading;
punctuation that starts nothing (``'``, ``,``, ``(``, ``-`` within a word) is left as it is,
so the text stays readable where it is compared. Bare addresses (``http://``, ``www.``,
``name@host``) would still become links; an invisible word joiner (U+2060) breaks each of
them. Shortcodes (``:smile:``, ``:material/home:``) get their colons and ``/`` escaped.
"""

from __future__ import annotations

import re

#: characters that can start markup anywhere in a line: emphasis, code, links and images,
#: HTML and entities, headings, tables, strike-through, LaTeX
_MARKUP = re.compile(r"([\\`*_{}\[\]<>#!|~$&@])")
#: emoji and icon shortcodes (:smile:, :material/home:)
_SHORTCODE = re.compile(r":([\w+/\\-]+):")
#: a colon starting a directive such as :red[...] (not already escaped)
_DIRECTIVE = re.compile(r"(?<!\\):(?=[A-Za-z])")
#: what starts a list, a quote or a heading only at the start of a line
_LINE_START = re.compile(r"^([-+=])|^(\d+)([.)])")
_WORD_JOINER = "\u2060"
_WWW = re.compile(r"(w)(ww\.)", re.IGNORECASE)


def literal(text: object) -> str:
    """``text`` escaped so Streamlit's markdown shows it exactly as it is, on one line (runs of
    blanks become one space: a blank line or an indent would start a new block)."""
    one_line = re.sub(r"\s+", " ", str(text))
    body = one_line.lstrip(" ")
    escaped = _MARKUP.sub(r"\\\1", body)
    escaped = _LINE_START.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), escaped)
    escaped = one_line[: len(one_line) - len(body)] + escaped
    # Shortcodes are read after the escapes: both colons and any / are escaped; so is any
    # colon before a letter, which would start a colour (:red[...]) or another directive.
    escaped = _SHORTCODE.sub(lambda m: "\\:" + m.group(1).replace("/", "\\/") + "\\:", escaped)
    escaped = _DIRECTIVE.sub(r"\\:", escaped)
    # Web and mail addresses (http://host, www.host, a@b.org) become links despite the
    # escapes: an invisible word joiner in each ://, before each @ and in www. breaks them.
    escaped = escaped.replace("://", ":" + _WORD_JOINER + "//").replace("\\@", _WORD_JOINER + "\\@")
    return _WWW.sub(lambda m: m.group(1) + _WORD_JOINER + m.group(2), escaped)
