"""A1 notation helpers (pure)."""

from __future__ import annotations


def col_letter(index: int) -> str:
    """0-based column index -> letters (0 -> A, 26 -> AA)."""
    if index < 0:
        raise ValueError(index)
    out = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def quote_tab(name: str) -> str:
    """Always quote the tab name; a quote inside is doubled: 'Jawaban Formulir 1'."""
    return "'" + name.replace("'", "''") + "'"


def cell_range(tab: str, row: int, first_col: int, last_row: int | None = None,
               last_col: int | None = None) -> str:
    """1-based rows, 0-based columns -> 'Tab'!B2 or 'Tab'!B2:D5."""
    start = f"{col_letter(first_col)}{row}"
    last_row = row if last_row is None else last_row
    last_col = first_col if last_col is None else last_col
    if (last_row, last_col) == (row, first_col):
        return f"{quote_tab(tab)}!{start}"
    return f"{quote_tab(tab)}!{start}:{col_letter(last_col)}{last_row}"
