"""Text a spreadsheet must show as text: formula injection neutralised, control characters dropped.

A spreadsheet program takes a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return for a formula (OWASP, «CSV Injection»): a name typed as ``=HYPERLINK(…)``
would become a live link in the council's workbook. Every *text* cell the project writes is
checked; numbers are never touched (``-5`` written as a number stays a number):

* CSV: the cell is prefixed with an apostrophe ``'``, as OWASP recommends; a spreadsheet
  shows the rest as text, a program reading the file sees the apostrophe;
* XLSX: the cell is written as a string, never as a formula, with the «quote prefix» style
  (``matcher.workbook``), so it stays text even when a person edits it;
* DOCX holds no formulas, but the documents use the same test and the same cleaning.

XML (XLSX, DOCX) cannot hold the control characters U+0000–U+0008, U+000B, U+000C and
U+000E–U+001F at all; ``printable`` replaces them, so a stray one never makes an export fail.
"""

from __future__ import annotations

import re

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""The first characters that make a spreadsheet read a cell as a formula."""
QUOTE = "'"
REPLACEMENT = "\N{REPLACEMENT CHARACTER}"
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def starts_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def printable(text: str) -> str:
    """``text`` with the control characters XML cannot hold replaced by U+FFFD."""
    return _CONTROL.sub(REPLACEMENT, text)


def neutralise(text: str) -> str:
    """``text`` as a CSV cell: an apostrophe before it when it starts like a formula."""
    return QUOTE + text if starts_like_formula(text) else text
