"""Detect and repair cell updates that landed on the wrong row (pure).

The Sheets API has no conditional write. Between our read and our write a person may
insert, sort or delete rows; the sheet row we planned for then holds another visit.
Each updated row is written through a range A..(last target) with the untouched
cells as null, and the response (includeValuesInResponse) returns that range as it
is after the write. If any untouched cell differs from what we read, the row moved
(or was edited) in between. The store then reads the affected tabs once more and
writes one repair batch:

- the cells we wrote on a row that is not ours get back the values that row had when
  we read it (found by its other cells; "" for a row that did not exist then);
- the intended values go to the row's new position, found the same way.

Rows that cannot be found unambiguously are left to the next cycle, which re-finds
every visit by its visit ID.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from bukutamu.adapters.google.a1 import cell_range
from bukutamu.adapters.google.writeplan import Guard, TabState


def same_cell(a: Any, b: Any) -> bool:
    a = None if a == "" else a
    b = None if b == "" else b
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


def _cell(row: Sequence[Any], i: int) -> Any:
    return row[i] if 0 <= i < len(row) else None


def misplaced(guards: Iterable[Guard], responses: Sequence[Mapping], states: Mapping[str, TabState]) -> list[Guard]:
    """Guards whose row, as returned after the write, is not the row we read."""
    bad = []
    for g in guards:
        data = responses[g.data_index].get("updatedData") if g.data_index < len(responses) else None
        if data is None:
            continue  # the server did not echo values: nothing to check against
        values = data.get("values") or [[]]
        now = values[0] if values else []
        before = states[g.tab].rows[g.ref]
        if any(not same_cell(_cell(before, c), _cell(now, c)) for c in range(g.width) if c not in g.targets):
            bad.append(g)
    return bad


@dataclass
class Repair:
    cells: dict[tuple[str, int, int], Any]  # (tab, sheet row, column) -> value
    restored: int  # wrongly written rows put back
    moved: int  # intended rows written at their new position
    unresolved: int  # intended rows not found: left to the next cycle


def _first_index(header: Sequence[Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    for i, h in enumerate(header):
        if h not in (None, "") and str(h) not in out:
            out[str(h)] = i
    return out


def plan_repair(bad: Sequence[Guard], all_guards: Sequence[Guard], states: Mapping[str, TabState],
                fresh: Mapping[str, Sequence[Sequence[Any]]]) -> Repair:
    """``fresh``: tab -> rows as read after the write (index 0 = sheet row 1)."""
    rep = Repair({}, 0, 0, 0)
    intended: list[tuple[tuple[str, int, int], Any]] = []
    for tab in dict.fromkeys(g.tab for g in bad):
        st, rows = states[tab], list(fresh.get(tab) or [])
        header_now = _first_index(rows[0] if rows else [])
        snap_cols = _first_index(st.header)
        written = {st.header[c] for g in all_guards if g.tab == tab for c in g.targets}
        ident = [(h, snap_cols[h], header_now[h]) for h in snap_cols if h not in written and h in header_now]

        def key_then(ref: int) -> tuple:
            return tuple(_norm(_cell(st.rows[ref], i)) for _, i, _ in ident)

        def key_now(row: Sequence[Any]) -> tuple:
            return tuple(_norm(_cell(row, j)) for _, _, j in ident)

        then: dict[tuple, list[int]] = {}
        for ref in st.rows:
            then.setdefault(key_then(ref), []).append(ref)
        now: dict[tuple, list[int]] = {}
        for n, row in enumerate(rows[1:], start=2):
            now.setdefault(key_now(row), []).append(n)

        for g in (g for g in bad if g.tab == tab):
            targets = {st.header[c]: v for c, v in g.targets.items()}
            # 1. Put back the row we wrote on by mistake.
            occupant_row = rows[g.ref - 1] if g.ref - 1 < len(rows) else []
            owners = then.get(key_now(occupant_row)) or _near(key_now(occupant_row), then)
            if owners != [g.ref]:
                old = {h: _restore_value(st, owners, h) for h in targets}
                for h, v in old.items():
                    if h in header_now:
                        rep.cells[(tab, g.ref, header_now[h])] = v
                rep.restored += 1
            # 2. Write the intended values where our row is now.
            places = now.get(key_then(g.ref)) or _near(key_then(g.ref), now)
            if len(places) == 1 and all(h in header_now for h in targets):
                intended += [((tab, places[0], header_now[h]), v) for h, v in targets.items()]
                rep.moved += places[0] != g.ref
            else:
                rep.unresolved += 1
    for k, v in intended:  # intended values win over restores
        rep.cells[k] = v
    for (tab, row, col), v in list(rep.cells.items()):  # already so: nothing to write
        current = fresh.get(tab) or []
        if same_cell(_cell(current[row - 1] if row - 1 < len(current) else [], col), v):
            del rep.cells[(tab, row, col)]
    return rep


def repair_ranges(cells: Mapping[tuple[str, int, int], Any]) -> list[dict]:
    """Cells -> one null-padded range per row (fresh list)."""
    by_row: dict[tuple[str, int], dict[int, Any]] = {}
    for (tab, row, col), v in cells.items():
        by_row.setdefault((tab, row), {})[col] = v
    data = []
    for (tab, row), cols in sorted(by_row.items()):
        lo, hi = min(cols), max(cols)
        data.append({"range": cell_range(tab, row, lo, row, hi), "majorDimension": "ROWS",
                     "values": [[cols.get(c) for c in range(lo, hi + 1)]]})
    return data


def _norm(v: Any) -> Any:
    if v == "" or v is None:
        return None
    if isinstance(v, bool):
        return ("b", v)
    if isinstance(v, (int, float)):
        return ("n", float(v))
    return ("s", str(v))


def _near(key: tuple, index: Mapping[tuple, list[int]]) -> list[int]:
    """The one row whose identity differs in at most one cell (two on wide rows): a
    person's edit or a recalculated formula; nothing when that is not unique."""
    if not any(k is not None for k in key):
        return []
    limit = 1 if len(key) <= 4 else 2
    hits = [rows for k, rows in index.items()
            if len(k) == len(key) and sum(a != b for a, b in zip(k, key)) <= limit]
    flat = [r for rows in hits for r in rows]
    return flat if len(flat) == 1 else []


def _restore_value(st: TabState, owners: list[int], header: str) -> Any:
    """The value the occupant had when we read it; "" for a row we never saw."""
    col = st.header.index(header)
    vals = {repr(_cell(st.rows[r], col)) for r in owners}
    if len(owners) >= 1 and len(vals) == 1:
        v = _cell(st.rows[owners[0]], col)
        return "" if v is None else v
    return ""
