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

A poller started per cycle (cron, ``poll --once``) must not forget an uncertain write
when it exits: ``dump``/``load`` keep the watch in a small file in the data folder
until it expires. The file holds no personal data in clear: the cells that identify a
row are kept as salted digests (enough to recognise the row again), only the cells
the program itself wrote are kept as values.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from bukutamu.adapters.google.guard import _cell, _near, _norm, same_cell
from bukutamu.adapters.google.writeplan import Guard, TabState

WATCH_SECONDS = 30 * 60.0


@dataclass
class Uncertain:
    """A write that may be applied (again) later."""

    at: float  # store clock when sent
    guards: list[Guard]


@dataclass
class Digested:
    """A TabState loaded from the watch file: identity cells are digests (salted)."""

    state: TabState
    salt: str
    clear: set[int] = field(default_factory=set)  # columns kept as values

    def key(self, cells: Sequence[Any], ident: Sequence[int]) -> tuple:
        """Identity of a row just read (values), comparable with ``stored_key``."""
        return tuple(_digest(self.salt, _norm(_cell(cells, i))) for i in ident)

    def stored_key(self, cells: Sequence[Any], ident: Sequence[int]) -> tuple:
        return tuple(_digest(self.salt, _norm(_cell(cells, i))) if i in self.clear else _cell(cells, i)
                     for i in ident)


def _digest(salt: str, v: Any) -> str:
    return hashlib.sha256((salt + repr(v)).encode("utf-8")).hexdigest()[:16]


def late_repairs(uncertain: Sequence[Uncertain], states: Mapping[str, "TabState | Digested"],
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
            digested = st if isinstance(st, Digested) else None
            if digested is not None:
                st = digested.state
            header = tuple("" if v is None else str(v) for v in rows[0])
            if header[:len(st.header)] != st.header[:len(header)]:
                continue  # columns moved since: identities cannot be compared
            guards = [g for g in u.guards if g.tab == tab]
            written = {c for g in guards for c in g.targets}
            ident = [i for i, h in enumerate(st.header) if h and i not in written]
            if not ident:
                continue
            if digested is not None and not written <= digested.clear:
                continue  # kept for another write's columns
            then: dict[tuple, list[int]] = {}
            for ref, values in st.rows.items():
                key = digested.stored_key(values, ident) if digested else tuple(_norm(_cell(values, i)) for i in ident)
                then.setdefault(key, []).append(ref)
            for g in guards:
                now = rows[g.ref - 1] if g.ref - 1 < len(rows) else []
                if not all(same_cell(_cell(now, c), v) for c, v in g.targets.items()):
                    continue  # not (or no longer) what that write sent
                key = digested.key(now, ident) if digested else tuple(_norm(_cell(now, i)) for i in ident)
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


def dump(uncertain: Sequence[Uncertain], states: Mapping[str, "TabState | Digested"], now: float,
         wall: float) -> dict:
    """The watch as JSON-able data: ages as wall-clock times, identity cells digested."""
    tabs: dict[str, Any] = {}
    for name in dict.fromkeys(g.tab for u in uncertain for g in u.guards):
        st = states.get(name)
        if st is None:
            continue
        clear = {c for u in uncertain for g in u.guards if g.tab == name for c in g.targets}
        if isinstance(st, Digested):
            if not clear <= st.clear:
                continue
            salt, state, done = st.salt, st.state, True
        else:
            salt, state, done = secrets.token_hex(16), st, False
        width = len(state.header)
        rows = {}
        for ref, values in state.rows.items():
            cells = list(values) + [None] * (width - len(values))
            rows[str(ref)] = [v if (c in clear or done) else _digest(salt, _norm(v)) for c, v in enumerate(cells)]
        tabs[name] = {"header": list(state.header), "last_row": state.last_row, "salt": salt,
                      "clear": sorted(clear), "rows": rows}
    return {"version": 1, "tabs": tabs,
            "uncertain": [{"sent": wall - (now - u.at),
                           "guards": [{"data_index": g.data_index, "tab": g.tab, "ref": g.ref, "width": g.width,
                                       "targets": [[c, v] for c, v in sorted(g.targets.items())]}
                                      for g in u.guards]} for u in uncertain]}


def load(data: Mapping[str, Any], now: float, wall: float) -> tuple[list[Uncertain], dict[str, Digested]]:
    """Inverse of ``dump``; expired writes are dropped. Raises ValueError/KeyError/
    TypeError on a damaged file (the caller then forgets it)."""
    if data.get("version") != 1:
        raise ValueError("unknown watch file version")
    uncertain = []
    for u in data["uncertain"]:
        at = now - (wall - float(u["sent"]))
        if now - at > WATCH_SECONDS:
            continue
        guards = [Guard(int(g["data_index"]), str(g["tab"]), int(g["ref"]),
                        {int(c): v for c, v in g["targets"]}, int(g["width"])) for g in u["guards"]]
        uncertain.append(Uncertain(at, guards))
    states = {}
    for name, t in data["tabs"].items():
        rows = {int(ref): tuple(cells) for ref, cells in t["rows"].items()}
        states[name] = Digested(TabState(name, tuple(t["header"]), rows, int(t["last_row"])), str(t["salt"]),
                                {int(c) for c in t["clear"]})
    return uncertain, states
