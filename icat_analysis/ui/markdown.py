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
``name@host``) would still become links, and ``:material/home:`` an icon; an invisible word
joiner (U+2060) breaks each address, an escaped ``/`` the icon.
"""

from __future__ import annotations

import re

#: characters that can start markup anywhere in a line: emphasis, code, links and images,
#: HTML and entities, headings, tables, strike-through, LaTeX, shortcodes and colours
_MARKUP = re.compile(r"([\\`*_{}\[\]<>#!|~$&:@])")
#: what starts a list, a quote or a heading only at the start of a line
_LINE_START = re.compile(r"^([-+=])|^(\d+)([.)])")
_WORD_JOINER = "\u2060"
_WWW = re.compile(r"(w)(ww\.)", re.IGNORECASE)
_ICON = re.compile(r"\\:(\w+)/")


def literal(text: object) -> str:
    """``text`` escaped so Streamlit's markdown shows it exactly as it is, on one line."""
    one_line = " ".join(str(text).split())  # a blank line or indent would start a new block
    escaped = _MARKUP.sub(r"\\\1", one_line)
    escaped = _LINE_START.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), escaped)
    # Web and mail addresses (http://host, www.host, a@b.org) become links despite the
    # escapes: an invisible word joiner in each ://, before each @ and in www. breaks them.
    escaped = escaped.replace("\\://", "\\:" + _WORD_JOINER + "//").replace("\\@", _WORD_JOINER + "\\@")
    # Icon shortcodes (:material/home:) are read after the escapes too; an escaped / breaks them.
    escaped = _ICON.sub(r"\\:\1\\/", escaped)
    return _WWW.sub(lambda m: m.group(1) + _WORD_JOINER + m.group(2), escaped)
