"""Text someone typed, made safe to put inside a Markdown body.

Streamlit renders Markdown in ``st.markdown``, ``st.success`` / ``error`` / ``warning`` /
``info``, captions, headers, expander and button labels and ``help`` tooltips, with its
own additions: ``:red[...]`` colours, ``:material/icon:`` icons, ``:emoji:`` shortcodes and
``$...$`` LaTeX. A referrer named ``![t](http://evil/x.png)`` would make the owner's browser
fetch that image; one named ``[click](http://evil)`` would show a live link. Every value
that came from a user (a name, an id, a message that repeats one) goes through
:func:`literal` before it is put into such a body, so it is shown as the text it is.
``st.dataframe`` cells are drawn as plain text and need nothing.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["literal", "words"]

# Backslash-escaped anywhere (CommonMark lets any ASCII punctuation be escaped): the
# escape itself, code, emphasis, links and images, tables, strikethrough, LaTeX, entities,
# headings, and @ (an e-mail address would become a mailto: link).
_ANYWHERE = re.compile(r"([\\`*_\[\]|~$&#@])")
# A colon that starts a directive, an icon, a shortcode or a URL scheme (":red[",
# ":material/x:", "http://"); a colon before a space ("missing: enter it") is left alone.
_COLON = re.compile(r":(?=[A-Za-z0-9/])")
# GFM turns "www.example.com" into a link even without a scheme.
_WWW = re.compile(r"(?i)\b(www)\.")
# A list item, a quote or a numbered item when the text starts a line.
_MARKER = re.compile(r"^(\s*)([+\->])")
_NUMBERED = re.compile(r"^(\s*)(\d+)([.)])")
_BREAKS = re.compile(r"\r\n|[\r\n\u2028\u2029]")


def literal(value: Any) -> str:
    """``value`` as text that Streamlit's Markdown shows exactly as written (on one line):
    no link, image, emphasis, colour, icon, LaTeX or HTML entity can come out of it."""
    text = _BREAKS.sub(" ", "" if value is None else str(value))
    text = _ANYWHERE.sub(r"\\\1", text)
    text = _COLON.sub(r"\\:", text)
    # Streamlit rewrites ":material/" in the source before parsing: escape its slash too.
    text = text.replace("\\:material/", "\\:material\\/")
    text = _WWW.sub(r"\1\\.", text)
    text = _MARKER.sub(r"\1\\\2", text, count=1)
    return _NUMBERED.sub(r"\1\2\\\3", text, count=1)


def words(code: str) -> str:
    """A stored code as a picker shows it: "partially_paid" -> "Partially paid"."""
    return code.replace("_", " ").capitalize()
