"""User text inside Streamlit's Markdown (captions, notices, metrics): shown as typed, never as markup."""
from __future__ import annotations

import re

# Markdown's punctuation, plus what Streamlit adds: ':' for icons and colours, '$' for LaTeX, '~' and '|'.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&])")


def plain(text: str) -> str:
    """`text` with every character that Markdown would read as markup escaped by a backslash."""
    return _SPECIAL.sub(r"\\\1", str(text))


def counted(count: int, noun: str) -> str:
    """ "1 selected document", "2,000 selected documents" """
    return f"{count:,} {noun}" + ("" if count == 1 else "s")
