"""Text cells a spreadsheet opens as text: no formula runs from an exported title.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
spreadsheet programs as a formula (CSV injection, OWASP). Exported text cells starting so get
one apostrophe in front, which spreadsheets show as a text marker; the import removes it again,
so an export imports back unchanged. Numbers are written as numbers and never marked.
"""

from __future__ import annotations

from typing import Any

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _marked(text: str) -> bool:
    """Whether ``text`` is an apostrophe followed by a formula start or another apostrophe."""
    return text.startswith("'") and text[1:].startswith((*FORMULA_START, "'"))


def safe_cell(value: Any) -> Any:
    """``value`` as written to a CSV file: text that would run as a formula (or that looks
    like a marked cell already) gets one apostrophe in front."""
    if isinstance(value, str) and (value.startswith(FORMULA_START) or _marked(value)):
        return "'" + value
    return value


def read_cell(value: Any) -> Any:
    """The text a :func:`safe_cell` cell held: its marking apostrophe removed."""
    return value[1:] if isinstance(value, str) and _marked(value) else value
