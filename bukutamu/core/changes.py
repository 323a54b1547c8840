"""Collects the cell writes and appends of one cycle, then turns them into a
WriteBatch addressed by header text and snapshot ref."""

from __future__ import annotations

from typing import Any, Hashable, Mapping

from bukutamu.core.cells import text
from bukutamu.core.register import RegisterRow, RegisterView, row_guard
from bukutamu.core.schema import HISTORY_COLUMNS, PROGRAM, REGISTER_COLUMNS
from bukutamu.core.sheet import CellUpdate, RowAppend, TabReplace, WriteBatch
from bukutamu.core.text import cell_text, unsheet

_PROGRAM_KEYS = {c.key for c in REGISTER_COLUMNS if c.owner == PROGRAM}  # never a helpdesk cell
_HISTORY_ID = next(c.header for c in HISTORY_COLUMNS if c.key == "visit_id")


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(float(a) - float(b)) < 1e-9
    return text(a) == text(b)


def _safe(value: Any) -> Any:
    """Program-written text may quote guest text: one line, no control characters, no live formula."""
    return cell_text(value)


class Changes:
    def __init__(self, register: RegisterView, history_tab: str = "",
                 history_counts: Mapping[str, int] | None = None):
        self.register = register
        # Riwayat rows per visit ID as read (None: unknown, e.g. a unit test's snapshot).
        self.history_tab = history_tab
        self.history_counts = history_counts
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
        value = _safe(value)
        if not self.register.columns.has(key):
            return  # optional program column the office removed: nothing to write
        pending = self._cells.get(row.ref, {})
        current = pending.get(key, row.raw(key))
        if _same(current, value) and key not in pending:
            return
        self._rows[row.ref] = row
        self._cells.setdefault(row.ref, {})[key] = value

    def row_key(self, row: RegisterRow) -> str:
        """The row key written with every update of ``row``: the row's own form
        timestamp (its visit ID when it has none) and, after "#", how many Riwayat rows
        its visit will have once this cycle's appends are written."""
        own = row_guard(row) or text(self.current(row, "visit_id"))
        if not own or self.history_counts is None:
            return own
        vid = text(self.current(row, "visit_id"))
        added = sum(1 for a in self.appends if a.tab == self.history_tab and text(a.values.get(_HISTORY_ID)) == vid)
        return f"{own}#{self.history_counts.get(vid, 0) + added}" if vid else own

    def row_key_problem(self, row: RegisterRow) -> str:
        """Why the program must not act on ``row`` ("" when it may): its key belongs to
        another row (a write landed on the wrong row, e.g. applied late by the server
        after a sort), or its key says fewer transitions than the Riwayat tab holds for
        the visit (an older write applied again over newer values)."""
        written = text(self.current(row, "kunci"))
        have = unsheet(written)  # the key as computed, before the cell's apostrophe (see _row_keys)
        if not have:
            return ""
        base, _, counted = have.partition("#")
        vid = row.visit_id
        own = row_guard(row)
        if own and base != own and base != vid and written.partition("#")[0] != own:
            return ("PERHATIAN: kolom [Sistem] baris ini tidak cocok dengan stempel waktunya (baris dipindah saat "
                    "program menulis?). Baris tidak diproses; periksa tab Riwayat untuk " + vid + ", perbaiki kolom "
                    "[Sistem] baris ini, lalu kosongkan [Sistem] Kunci Baris.")
        if (counted.isdigit() and self.history_counts is not None and vid
                and int(counted) < self.history_counts.get(vid, 0)):
            return ("PERHATIAN: status baris ini tertinggal dari tab Riwayat (perubahan lama diterapkan ulang?). "
                    "Baris tidak diproses; samakan status dan waktu langkah dengan baris terakhir " + vid + " di tab "
                    "Riwayat, lalu kosongkan [Sistem] Kunci Baris.")
        return ""

    def _row_keys(self, refs: set) -> list[CellUpdate]:
        """Every row update carries the row's key in the same write: a write that lands
        on another row (applied late by the server after a person sorted) then leaves a
        key that does not match that row's timestamp, and an older write applied again
        leaves a transition count below the Riwayat's; the next cycle refuses to act on
        such a row. A row already in that state keeps its key, so it stays flagged
        until a person checks it."""
        if not self.register.columns.has("kunci"):
            return []
        out = []
        for ref in refs:
            row = self._rows[ref]
            key = cell_text(self.row_key(row))
            if key and not self.row_key_problem(row):
                out.append(CellUpdate(self.register.columns.tab, ref, self.register.columns.header["kunci"], key))
        return out

    def current(self, row: RegisterRow, key: str) -> Any:
        return self._cells.get(row.ref, {}).get(key, row.raw(key))

    def append(self, tab: str, values: Mapping[str, Any]) -> None:
        self.appends.append(RowAppend(tab, {k: _safe(v) for k, v in values.items()}))

    def batch(self) -> WriteBatch:
        headers = self.register.columns.header
        updates = [CellUpdate(self.register.columns.tab, ref, headers[k], v)
                   for ref, cells in self._cells.items() for k, v in cells.items()
                   if not _same(self._rows[ref].raw(k), v)]
        keyed = self._row_keys({u.ref for u in updates})
        updates = [u for u in updates if u.column != headers.get("kunci")] + keyed
        return WriteBatch(updates=updates + list(self.other), appends=list(self.appends),
                          replaces=list(self.replaces))
