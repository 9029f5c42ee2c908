"""What a person reads: Markdown source with its backslash escapes removed (explorer.render.markdown.literal)."""

from __future__ import annotations

import re


def shown(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)
