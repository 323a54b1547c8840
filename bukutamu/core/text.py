"""Sanitising guest text at every edge where a person (or a program) reads it.

Pure, no I/O. Three operations, used by every output that shows guest text:

- ``clean_text``: remove control characters (C0/C1 except TAB/LF, DEL), bidi
  overrides/isolates/marks (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C) and
  other invisible format characters that can hide or reorder what a reader sees;
  CR/CRLF become LF. With ``multiline=False`` every line break or tab becomes one
  space (a cell on the lobby screen, a terminal column, a mail header/subject).
- ``clean_line``: ``clean_text(multiline=False)`` with runs of spaces collapsed and
  an optional length cap.
- ``sheet_safe``: formula-leading text (``=``, ``+``, ``-``, ``@``, and a leading
  TAB/CR that some programs skip) gets an apostrophe in front, the OWASP
  "CSV injection" defence. Written RAW, the apostrophe shows as part of the value
  (``'=1+1``): the cell stays text in Google Sheets, in Excel/LibreOffice (XLSX)
  and in any CSV export opened by a spreadsheet program. Text that is exactly a
  number (``-5``, ``+6281234567890``) is left alone: a spreadsheet reads it as a
  number at worst, never as a formula; ``-1+cmd|...`` is not a number and is
  neutralised.

What the guest typed in the register itself is never rewritten (KTP_RULES rule 14);
these functions shape copies shown elsewhere.
"""

from __future__ import annotations

import re

# C0 controls except TAB and LF, DEL, C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Bidi embeddings/overrides/isolates/marks, Arabic letter mark, zero-width and
# other invisible format characters (ZWJ U+200D is kept: it joins emoji and some
# scripts), the BOM, interlinear annotations, Unicode tag characters.
_INVISIBLE = re.compile("[\u200b\u200c\u200e\u200f\u061c\u180e\u202a-\u202e\u2060-\u2064\u2066-\u206f"
                        "\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]")
_LINE_BREAKS = re.compile(r"\r\n?|[\x85\u2028\u2029]")
_SPACES = re.compile(r"[ \t\n]+")
_FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)?$")

__all__ = ["clean_text", "clean_line", "sheet_safe", "cell_text", "unsheet", "has_hidden_characters"]


def clean_text(value: object, multiline: bool = True) -> str:
    """Guest text without control/bidi/invisible characters; line breaks as LF
    (kept only when ``multiline``; otherwise each becomes a space)."""
    if value is None:
        return ""
    s = value if isinstance(value, str) else str(value)
    s = _LINE_BREAKS.sub("\n", s)
    s = _INVISIBLE.sub("", s)
    if not multiline:
        s = s.replace("\n", " ").replace("\t", " ")
    return _CONTROL.sub("", s)


def clean_line(value: object, limit: int | None = None) -> str:
    """One line: clean_text, whitespace runs as one space, trimmed, capped at
    ``limit`` characters (an ellipsis marks a cut)."""
    s = _SPACES.sub(" ", clean_text(value, multiline=False)).strip()
    if limit is not None and len(s) > limit:
        s = s[: max(limit - 1, 0)].rstrip() + "…"
    return s


def sheet_safe(value: object) -> object:
    """A cell value safe for a spreadsheet program: numbers and other non-text pass
    through; text starting with a formula character gets a leading apostrophe."""
    if not isinstance(value, str):
        return value
    if len(value) > 1 and value.startswith(_FORMULA_LEAD) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def cell_text(value: object) -> object:
    """What the program writes into a cell for ``value``: one clean line, no live formula.
    Compare a person's cell with a program copy of it through this, not raw."""
    return sheet_safe(clean_text(value, multiline=False)) if isinstance(value, str) else value


def unsheet(value: str) -> str:
    """The text a program cell was written from, when ``sheet_safe`` added the apostrophe."""
    if value.startswith("'") and sheet_safe(value[1:]) == value:
        return value[1:]
    return value


def has_hidden_characters(value: object) -> bool:
    """True when ``clean_text`` would remove something (other than a CR)."""
    if not isinstance(value, str):
        return False
    s = _LINE_BREAKS.sub("\n", value)
    return bool(_INVISIBLE.search(s) or _CONTROL.search(s))

