"""Writes that Google applies late (pure).

A values write whose attempt timed out (or lost its connection after sending, or got
a 5xx) may still be applied by the server after our retry succeeded: the same cells
written a second time, later. By then a person may have sorted the rows (the late
write lands on another guest) or a later cycle may have moved the visit on (the late
write puts an older status back). The Sheets API has no conditional write, so the
store remembers such uncertain writes for a while (``WATCH_SECONDS``) and checks each
later read against them:

- a row that holds exactly what the uncertain write sent (every target cell), and
- whose identity (the cells that write did not touch) belongs to a row for which the
  store knows other values (its last read plus its own writes since)

received the late write. Its target cells are put back to the known values, in one
repair write, before the cycle plans from the snapshot. Rows that cannot be
identified unambiguously are left alone: the row key (``[Sistem] Kunci Baris``, written
with every row update) still stops the cycle from acting on a misplaced row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from bukutamu.adapters.google.guard import _cell, _near, _norm, same_cell
from bukutamu.adapters.google.writeplan import Guard, TabState

WATCH_SECONDS = 30 * 60.0


@dataclass
class Uncertain:
    """A write that may be applied (again) later."""

    at: float  # store clock when sent
    guards: list[Guard]


def late_repairs(uncertain: Sequence[Uncertain], states: Mapping[str, TabState],
                 fresh: Mapping[str, Sequence[Sequence[Any]]]) -> tuple[dict[tuple[str, int, int], Any], set[int]]:
    """``states``: what the store knew before this read (rows as last read, with its
    own writes since applied); ``fresh``: tab -> rows just read (index 0 = sheet row 1).
    Returns the cells to put back ((tab, sheet row, column) -> value) and the indexes
    of the uncertain writes found landed where they do harm."""
    cells: dict[tuple[str, int, int], Any] = {}
    landed: set[int] = set()
    for n, u in enumerate(uncertain):
        for tab in dict.fromkeys(g.tab for g in u.guards):
            st, rows = states.get(tab), fresh.get(tab)
            if st is None or rows is None or not rows:
                continue
            header = tuple("" if v is None else str(v) for v in rows[0])
            if header[:len(st.header)] != st.header[:len(header)]:
                continue  # columns moved since: identities cannot be compared
            guards = [g for g in u.guards if g.tab == tab]
            written = {c for g in guards for c in g.targets}
            ident = [i for i, h in enumerate(st.header) if h and i not in written]
            if not ident:
                continue
            then: dict[tuple, list[int]] = {}
            for ref, values in st.rows.items():
                then.setdefault(tuple(_norm(_cell(values, i)) for i in ident), []).append(ref)
            for g in guards:
                now = rows[g.ref - 1] if g.ref - 1 < len(rows) else []
                if not all(same_cell(_cell(now, c), v) for c, v in g.targets.items()):
                    continue  # not (or no longer) what that write sent
                key = tuple(_norm(_cell(now, i)) for i in ident)
                owners = then.get(key) or _near(key, then)
                if len(owners) != 1:
                    continue  # a row never seen, or ambiguous: the row key guards it
                known = st.rows[owners[0]]
                for c, v in g.targets.items():
                    want = _cell(known, c)
                    if not same_cell(want, v):
                        cells[(tab, g.ref, c)] = "" if want is None else want
                        landed.add(n)
    return cells, landed
