"""Turn a WriteBatch into the ValueRanges of ONE values:batchUpdate (pure).

Rows are addressed by the ``ref`` of the snapshot just read (its 1-based sheet row)
and columns by header text in that snapshot. Each updated row becomes one range that
starts at column A and ends at its last updated cell; cells between are JSON null,
which the Sheets API skips ("Null values will be skipped"), so only the named cells
are written. The request asks for the written rows back (includeValuesInResponse):
the untouched cells then show whether the row under that number is still the one we
read, so a row inserted, sorted or deleted by a person between our read and our
write is detected and repaired (see guard.py).

Appends of one tab form one range below the last row of the snapshot; several
appends stack. A TabReplace writes the new rows from row 2 and blanks leftover old
rows with "" (never clear()).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

from bukutamu.adapters.google.a1 import cell_range
from bukutamu.core.schema import normalise_header
from bukutamu.core.sheet import Cell, WriteBatch
from bukutamu.errors import StoreError


@dataclass
class TabState:
    """What the last read saw of one tab."""

    name: str
    header: tuple[str, ...]
    rows: dict[int, tuple]  # ref (sheet row) -> cells as read
    last_row: int  # last sheet row with data (1 = header only, 0 = empty tab)

    def column(self, text: str) -> int:
        hits = [i for i, h in enumerate(self.header) if h == text]
        if not hits:
            key = normalise_header(text)
            hits = [i for i, h in enumerate(self.header) if key and normalise_header(h) == key]
        if len(hits) == 1:
            return hits[0]
        what = "tidak ada" if not hits else f"muncul {len(hits)} kali"
        raise StoreError(f'Penulisan dibatalkan (bug bukutamu): kolom "{text}" {what} di tab '
                         f'"{self.name}" pada pembacaan terakhir; tidak ada yang ditulis.')


@dataclass
class Guard:
    """One updated row, written through a range A..(last target) of that row."""

    data_index: int  # position in the request's data list
    tab: str
    ref: int
    targets: dict[int, Any]  # 0-based column -> JSON value written
    width: int  # columns A..width-1 were in the range


@dataclass
class WritePlan:
    data: list[dict] = field(default_factory=list)
    guards: list[Guard] = field(default_factory=list)
    rows_needed: dict[str, int] = field(default_factory=dict)  # tab -> highest sheet row
    cols_needed: dict[str, int] = field(default_factory=dict)  # tab -> columns needed
    appended: dict[str, int] = field(default_factory=dict)  # tab -> rows appended
    replaced: dict[str, int] = field(default_factory=dict)  # tab -> new last row


def json_cell(value: Cell) -> Any:
    """A cell value as sent with RAW input; None clears the cell ("")."""
    if value is None:
        return ""
    if isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise StoreError("Penulisan dibatalkan (bug bukutamu): nilai angka tidak hingga/NaN.")
        return value
    raise StoreError(f"Penulisan dibatalkan (bug bukutamu): tipe nilai {type(value).__name__} "
                     "tidak bisa ditulis ke sheet.")


def plan_write(batch: WriteBatch, states: Mapping[str, TabState]) -> WritePlan:
    plan = WritePlan()

    def state(tab: str) -> TabState:
        st = states.get(tab)
        if st is None:
            raise StoreError(f'Penulisan dibatalkan (bug bukutamu): tab "{tab}" tidak ada pada '
                             "pembacaan terakhir; baca dulu sebelum menulis.")
        return st

    def need(tab: str, row: int, cols: int) -> None:
        plan.rows_needed[tab] = max(plan.rows_needed.get(tab, 0), row)
        plan.cols_needed[tab] = max(plan.cols_needed.get(tab, 0), cols)

    replaced = {r.tab for r in batch.replaces}
    clash = replaced & ({u.tab for u in batch.updates} | {a.tab for a in batch.appends})
    if clash or len(replaced) != len(batch.replaces):
        raise StoreError("Penulisan dibatalkan (bug bukutamu): tab yang diganti isinya tidak boleh "
                         f"sekaligus diubah atau ditambah baris ({', '.join(sorted(clash or replaced))}).")

    # Cell updates: one row-wide range per (tab, ref).
    rows: dict[tuple[str, int], dict[int, Any]] = {}
    for u in batch.updates:
        st = state(u.tab)
        if not isinstance(u.ref, int) or isinstance(u.ref, bool) or u.ref not in st.rows:
            raise StoreError(f'Penulisan dibatalkan (bug bukutamu): baris {u.ref!r} tab "{u.tab}" tidak '
                             "ada pada pembacaan terakhir; tidak ada yang ditulis.")
        rows.setdefault((u.tab, u.ref), {})[st.column(u.column)] = json_cell(u.value)
    for (tab, ref), targets in sorted(rows.items()):
        width = max(targets) + 1
        plan.guards.append(Guard(len(plan.data), tab, ref, targets, width))
        plan.data.append({"range": cell_range(tab, ref, 0, ref, width - 1), "majorDimension": "ROWS",
                          "values": [[targets.get(c) for c in range(width)]]})
        need(tab, ref, width)

    # Appends: one block per tab below the last row read (or appended) so far.
    blocks: dict[str, list[list[Any]]] = {}
    for a in batch.appends:
        st = state(a.tab)
        if not any(st.header):
            raise StoreError(f'Penulisan dibatalkan: tab "{a.tab}" belum punya baris judul kolom '
                             "(jalankan `bukutamu init`).")
        blocks.setdefault(a.tab, []).append(_row(st, a.values))
    for tab, block in blocks.items():
        first = max(states[tab].last_row, 1) + 1
        width = max(1, max(len(r) for r in block))
        plan.data.append({"range": cell_range(tab, first, 0, first + len(block) - 1, width - 1),
                          "majorDimension": "ROWS", "values": block})
        plan.appended[tab] = len(block)
        need(tab, first + len(block) - 1, width)

    # Replaces: new rows from row 2, leftovers blanked with "".
    for r in batch.replaces:
        st = state(r.tab)
        width = max(1, len(st.header))
        block = [_row(st, values, pad=width) for values in r.rows]
        old = max(st.last_row - 1, 0)
        block += [[""] * width for _ in range(old - len(block))]
        plan.replaced[r.tab] = 1 + len(r.rows)
        if block:
            plan.data.append({"range": cell_range(r.tab, 2, 0, 1 + len(block), width - 1),
                              "majorDimension": "ROWS", "values": block})
            need(r.tab, 1 + len(block), width)
    return plan


def _row(st: TabState, values: Mapping[str, Cell], pad: int = 0) -> list[Any]:
    cells: dict[int, Any] = {st.column(h): json_cell(v) for h, v in values.items()}
    width = max(pad, max(cells) + 1 if cells else 0)
    return [cells.get(c, "") for c in range(width)]
