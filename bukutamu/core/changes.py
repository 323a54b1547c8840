"""Collects the cell writes and appends of one cycle, then turns them into a
WriteBatch addressed by header text and snapshot ref."""

from __future__ import annotations

from typing import Any, Hashable, Mapping

from bukutamu.core.cells import text
from bukutamu.core.register import RegisterRow, RegisterView, row_guard
from bukutamu.core.schema import PROGRAM, REGISTER_COLUMNS
from bukutamu.core.sheet import CellUpdate, RowAppend, TabReplace, WriteBatch

_PROGRAM_KEYS = {c.key for c in REGISTER_COLUMNS if c.owner == PROGRAM}  # never a helpdesk cell


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(float(a) - float(b)) < 1e-9
    return text(a) == text(b)


class Changes:
    def __init__(self, register: RegisterView):
        self.register = register
        self._cells: dict[Hashable, dict[str, Any]] = {}
        self._rows: dict[Hashable, RegisterRow] = {}
        self.appends: list[RowAppend] = []
        self.replaces: list[TabReplace] = []
        self.system: dict[str, Any] = {}
        self.other: list[CellUpdate] = []  # program-owned cells of other tabs (link forms)

    def set(self, row: RegisterRow, key: str, value: Any) -> None:
        """Set a program-owned cell; unchanged values are not written."""
        if key not in _PROGRAM_KEYS:
            raise ValueError(f"{key} is not program-owned")  # a bug, never user input
        if not self.register.columns.has(key):
            return  # optional program column the office removed: nothing to write
        pending = self._cells.get(row.ref, {})
        current = pending.get(key, row.raw(key))
        if _same(current, value) and key not in pending:
            return
        self._rows[row.ref] = row
        self._cells.setdefault(row.ref, {})[key] = value

    def _row_keys(self, refs: set, keyed: set) -> list[CellUpdate]:
        """Every row update carries the row's key (its own form-timestamp guard) in the
        same write: a write that lands on another row (applied late by the server after
        a person sorted) then leaves a key that does not match that row's timestamp,
        and the next cycle refuses to act on it. A row whose key already does not match
        is left as it is, so it stays flagged until a person checks it."""
        if not self.register.columns.has("kunci"):
            return []
        out = []
        for ref in refs - keyed:
            row = self._rows[ref]
            own = row_guard(row) or row.visit_id
            have = text(row.raw("kunci"))
            if own and (not have or have in (own, row.visit_id)):
                out.append(CellUpdate(self.register.columns.tab, ref, self.register.columns.header["kunci"], own))
        return out

    def current(self, row: RegisterRow, key: str) -> Any:
        return self._cells.get(row.ref, {}).get(key, row.raw(key))

    def append(self, tab: str, values: Mapping[str, Any]) -> None:
        self.appends.append(RowAppend(tab, dict(values)))

    def batch(self) -> WriteBatch:
        headers = self.register.columns.header
        updates = [CellUpdate(self.register.columns.tab, ref, headers[k], v)
                   for ref, cells in self._cells.items() for k, v in cells.items()
                   if not _same(self._rows[ref].raw(k), v)]
        updates += self._row_keys({u.ref for u in updates}, {u.ref for u in updates if u.column == headers.get("kunci")})
        return WriteBatch(updates=updates + list(self.other), appends=list(self.appends),
                          replaces=list(self.replaces))
