"""The sheet-store port: the only way the engine touches the register.

Two adapters implement it: ``bukutamu.adapters.sqlite_store.SqliteSheetStore``
(embedded default) and ``bukutamu.adapters.google.store.GoogleSheetStore``.
Both pass the same contract suite (tests/contract/).

Rules every adapter keeps:
- ``read`` costs one round trip for any number of tabs;
- ``write`` costs one round trip for all updates, appends and replaces of a cycle,
  and none when the batch is empty;
- rows are addressed by the ``ref`` of the snapshot the batch was planned from and
  columns by header text, so a column moved by a person is still found;
- only the cells named in the batch are written, values are stored as given (RAW:
  a guest's ``=IMPORTXML(...)`` stays text).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Protocol, Sequence

from bukutamu.core.sheet import Row, Snapshot, WriteBatch


@dataclass(frozen=True)
class TabSpec:
    """What ``init`` makes sure exists: a tab and the headers it must carry."""

    name: str
    headers: tuple[str, ...]
    # Headers the helpdesk picks from a dropdown (Google: data validation).
    dropdowns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Headers only the program writes (Google: warning-only protection).
    protected: tuple[str, ...] = ()
    # Headers whose cells must stay plain text (Google: number format TEXT).
    plain_text: tuple[str, ...] = ()
    # Headers holding date-times written as serial numbers (Google: date-time format).
    datetimes: tuple[str, ...] = ()
    # Other names an existing column may carry (a Form question's localised or
    # alternative title): header above -> aliases. Used to locate, never to create.
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class InitReport:
    created_tabs: list[str] = field(default_factory=list)
    added_headers: list[str] = field(default_factory=list)  # "Tab: Header"
    notes: list[str] = field(default_factory=list)  # Indonesian, for the admin


class SheetStore(Protocol):
    def describe(self) -> str:
        """One line naming the store, without secrets (e.g. the SQLite path)."""

    def init(self, specs: Sequence[TabSpec]) -> InitReport:
        """Create missing tabs and append missing headers to the right; never
        reorder, rename or clear what exists."""

    def read(self, tabs: Sequence[str], append_only: Sequence[str] = ()) -> Snapshot:
        """All named tabs in one round trip; absent tabs are listed in
        ``Snapshot.missing_tabs``.

        ``append_only`` tabs (the ever-growing history) come back with their header
        and ``row_count`` but no rows, so a cycle can append to them without
        downloading them."""

    def write(self, batch: WriteBatch) -> None:
        """Apply the batch in one round trip (nothing when it is empty)."""

    def edit_visit(self, tab: str, visit_header: str, visit_id: str, values: Mapping[str, Any],
                   unless_changed: Mapping[str, Any] | None = None) -> bool:
        """A person's edit of one visit's cells (headers -> values), the row found by
        its visit ID in the column ``visit_header`` at the time of the edit, never by
        a remembered row number. ``unless_changed`` names cells that must still hold
        the given values (the row guard): when one does not, nothing is written and
        False is returned. StoreError when the tab, a column or the visit (exactly
        once) is not there."""

    def remove_rows(self, tab: str, rows: Sequence[Row]) -> int:
        """Delete these rows of a snapshot (the archive moving them out), each only
        where a row still holds exactly the cells the snapshot read: rows are found
        by content, so a sort, an insert or an edit by a person in between never
        removes another row or a changed one (it stays for the next run). Returns how
        many rows were deleted."""

    def close(self) -> None:
        ...
