"""Text shown literally in a Markdown element: user input never becomes a link, an image or formatting.

Streamlit renders `st.markdown`, `st.warning`, `st.error`, `st.info`, `st.caption` and friends as Markdown, so
an image written into a URL value (`![x](http://elsewhere/pixel.png)`) would make every visitor's browser
fetch it. Every text that may hold user input goes through :func:`literal` on its way to such an element.
"""

from __future__ import annotations

import re

# What can turn text into markup: emphasis, code, links and images ([ ] !), autolinks and HTML (< >),
# headings, tables, strikethrough, LaTeX ($) and Streamlit's coloured text (:red[...], which needs "[").
_SPECIAL = re.compile(r"([\\`*_\[\]<>!#|~$])")


def literal(text: object) -> str:
    """``text`` with every Markdown-special character backslash-escaped, and line breaks kept."""
    escaped = _SPECIAL.sub(r"\\\1", str(text))
    return escaped.replace("\r\n", "\n").replace("\n", "  \n")
