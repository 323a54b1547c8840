"""A resolved view of the register tab: each row's cells by column key.

Built fresh from every snapshot; nothing here survives a cycle, so a row that a
person moved or inserted is simply found where it is now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Hashable, Mapping
from zoneinfo import ZoneInfo

from bukutamu.core.cells import is_number, parse_datetime, text
from bukutamu.core.schema import REGISTER_COLUMNS, ColumnMap, resolve_columns
from bukutamu.core.sheet import Tab
from bukutamu.core.text import clean_line


_KEYS = frozenset(c.key for c in REGISTER_COLUMNS)


@dataclass(frozen=True)
class RegisterRow:
    ref: Hashable
    position: int  # 0-based data row index in this snapshot (for messages only)
    values: tuple  # the row's cells as read
    index: Mapping[str, int]  # column key -> position, shared by all rows of the view

    def raw(self, key: str) -> object:
        """The cell of column ``key``; None when that (optional) column is absent
        from this sheet. A key that names no register column is a bug: KeyError."""
        i = self.index.get(key)
        if i is None:
            if key not in _KEYS:
                raise KeyError(f"no register column {key!r}")
            return None
        return self.values[i] if i < len(self.values) else None

    def text(self, key: str) -> str:
        return text(self.raw(key))

    def moment(self, key: str, tz: ZoneInfo) -> datetime | None:
        return parse_datetime(self.raw(key), tz)

    @property
    def visit_id(self) -> str:
        return self.text("visit_id")

    def is_blank(self) -> bool:
        return not any(text(self.values[i]) for i in self.index.values() if i < len(self.values))


@dataclass(frozen=True)
class RegisterView:
    columns: ColumnMap
    rows: tuple[RegisterRow, ...]

    def by_visit(self) -> dict[str, RegisterRow]:
        out: dict[str, RegisterRow] = {}
        for r in self.rows:
            if r.visit_id:
                out.setdefault(r.visit_id, r)
        return out


def read_register(tab: Tab, renames: Mapping[str, str] | None = None) -> RegisterView:
    """Resolve the register's columns (SchemaError when a required one is missing
    or duplicated) and key every row's cells by column key."""
    cols = resolve_columns(tab.name, tab.header, REGISTER_COLUMNS, renames)
    rows = tuple(RegisterRow(row.ref, pos, row.values, cols.index) for pos, row in enumerate(tab.rows))
    return RegisterView(cols, rows)


def row_guard(row: RegisterRow) -> str:
    """The row's own identity, written beside the program's cells: if a person sorts
    rows while a cycle writes, the next cycle sees a guard that does not match the
    row's form timestamp and refuses to trust (or act on) that row."""
    raw = row.raw("timestamp")
    if is_number(raw):
        return f"{float(raw):.8f}"
    return clean_line(raw)  # as it is written: one line, no hidden characters
