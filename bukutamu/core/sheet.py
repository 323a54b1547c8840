"""Plain data exchanged with a sheet store: what a cycle reads and what it writes.

The engine never sees row numbers it could remember across cycles. Each row of a
snapshot carries an opaque ``ref`` that is only valid for writes planned from that
same snapshot; rows are found again each cycle by the program-owned visit ID.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Hashable, Mapping, Sequence

# A cell as a store returns it: str, int, float (Google serial numbers, coerced NIKs),
# bool, or None for an empty cell. Stores never format values for display.
Cell = Any


@dataclass(frozen=True)
class Row:
    ref: Hashable  # opaque address valid for writes planned from this snapshot only
    values: tuple[Cell, ...]  # cells in header order; trailing empty cells may be missing

    def get(self, index: int) -> Cell:
        return self.values[index] if 0 <= index < len(self.values) else None


@dataclass(frozen=True)
class Tab:
    name: str
    header: tuple[str, ...]
    rows: tuple[Row, ...]
    # For tabs read "append-only" (history): only the header and how many data rows
    # exist are read, not the rows themselves.
    row_count: int | None = None
    # Append-only tabs: how many rows carry each value of column A (the history's
    # visit IDs), so a cycle knows how many transitions each visit has.
    column_a_counts: Mapping[str, int] | None = None

    @property
    def data_rows(self) -> int:
        return len(self.rows) if self.row_count is None else self.row_count


@dataclass(frozen=True)
class Snapshot:
    """Every tab one cycle needs, read in one round trip."""

    tabs: Mapping[str, Tab]
    time_zone: str  # the spreadsheet's time zone: serial numbers are wall-clock in it
    missing_tabs: tuple[str, ...] = ()
    # Cells the spreadsheet holds against Google's 10 million limit (None: no such limit,
    # e.g. the embedded store). Known from the kept metadata: no extra request.
    cell_count: int | None = None

    def tab(self, name: str) -> Tab | None:
        return self.tabs.get(name)


@dataclass(frozen=True)
class CellUpdate:
    """Set one program-owned cell of an existing row, addressed by header text."""

    tab: str
    ref: Hashable
    column: str
    value: Cell


@dataclass(frozen=True)
class RowAppend:
    """Append one row to a program-owned tab; absent headers stay empty."""

    tab: str
    values: Mapping[str, Cell]


@dataclass(frozen=True)
class TabReplace:
    """Replace the data rows of a small program-owned tab (e.g. Antrian) in place.

    Rows beyond the new content are blanked, never deleted, so a screen bound to
    the tab keeps its layout.
    """

    tab: str
    rows: Sequence[Mapping[str, Cell]]


@dataclass
class WriteBatch:
    updates: list[CellUpdate] = field(default_factory=list)
    appends: list[RowAppend] = field(default_factory=list)
    replaces: list[TabReplace] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.updates or self.appends or self.replaces)

    def extend(self, other: "WriteBatch") -> None:
        self.updates.extend(other.updates)
        self.appends.extend(other.appends)
        self.replaces.extend(other.replaces)
