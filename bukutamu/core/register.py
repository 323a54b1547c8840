"""A resolved view of the register tab: each row's cells by column key.

Built fresh from every snapshot; nothing here survives a cycle, so a row that a
person moved or inserted is simply found where it is now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Hashable, Mapping
from zoneinfo import ZoneInfo

from bukutamu.core.cells import parse_datetime, text
from bukutamu.core.schema import REGISTER_COLUMNS, ColumnMap, resolve_columns
from bukutamu.core.sheet import Tab


@dataclass(frozen=True)
class RegisterRow:
    ref: Hashable
    position: int  # 0-based data row index in this snapshot (for messages only)
    cells: Mapping[str, object]  # column key -> raw cell

    def raw(self, key: str) -> object:
        return self.cells.get(key)

    def text(self, key: str) -> str:
        return text(self.cells.get(key))

    def moment(self, key: str, tz: ZoneInfo) -> datetime | None:
        return parse_datetime(self.cells.get(key), tz)

    @property
    def visit_id(self) -> str:
        return self.text("visit_id")

    def is_blank(self) -> bool:
        return not any(text(v) for v in self.cells.values())


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
    items = tuple(cols.index.items())
    rows = tuple(
        RegisterRow(row.ref, pos, {k: row.get(i) for k, i in items})
        for pos, row in enumerate(tab.rows)
    )
    return RegisterView(cols, rows)
