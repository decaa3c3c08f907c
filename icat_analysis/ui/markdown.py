"""Text from outside (a link's parameters, an export's data or manifest) shown literally in
Streamlit's markdown: ``st.warning``, ``st.success``, ``st.info``, ``st.markdown``, captions.

Streamlit renders those as markdown, with images, links, LaTeX (``$...$``), colours
(``:red[...]``) and bare web addresses turned into links. A link carrying
``?agencies=![p](http://host/pixel.png)`` would make the dashboard's own warning fetch that
image, telling whoever sent the link who opened it, and ``[Log in again](http://...)`` would
be a clickable off-site link inside the dashboard. :func:`literal` escapes every ASCII
punctuation character with a backslash (CommonMark shows an escaped character as itself),
so nothing in the text can start markup. Bare addresses (``http://``, ``www.``, ``name@host``)
would still become links; an invisible word joiner (U+2060) breaks each of them.
"""

from __future__ import annotations

import re

#: every ASCII punctuation character (CommonMark may escape any of them)
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_WORD_JOINER = "\u2060"
_WWW = re.compile(r"(w)(ww\\\.)", re.IGNORECASE)


def literal(text: object) -> str:
    """``text`` escaped so Streamlit's markdown shows it exactly as it is, on one line."""
    one_line = " ".join(str(text).split())  # a blank line or indent would start a new block
    escaped = _PUNCTUATION.sub(r"\\\1", one_line)
    # Web and mail addresses (http://host, www.host, a@b.org) become links despite the
    # escapes: an invisible word joiner in each ://, before each @ and in www. breaks them.
    escaped = escaped.replace("\\:\\/\\/", "\\:" + _WORD_JOINER + "\\/\\/").replace("\\@", _WORD_JOINER + "\\@")
    return _WWW.sub(lambda m: m.group(1) + _WORD_JOINER + m.group(2), escaped)
