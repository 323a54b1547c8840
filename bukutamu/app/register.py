"""Use case: query the register — the visits of a day (or all), each with what the
helpdesk can give next. Read-only; shared by `bukutamu register` and the web desk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Mapping
from zoneinfo import ZoneInfo

from bukutamu.core.helpdesk import next_inputs
from bukutamu.core.queue import parse_visit_id
from bukutamu.core.register import RegisterRow, read_register
from bukutamu.core.sop import Sop


@dataclass(frozen=True)
class RegisterQuery:
    rows: list[RegisterRow]  # by visit ID; only visits that have one
    time_zone: ZoneInfo  # the sheet's: serial numbers are wall-clock in it
    day: date | None  # None = every day


def visits(store, register_tab: str, renames: Mapping[str, str], day: date | None) -> RegisterQuery | None:
    """The register's visits of ``day`` (every day for None), sorted by visit ID;
    None when the register tab does not exist yet."""
    snap = store.read([register_tab])
    tab = snap.tab(register_tab)
    if tab is None:
        return None
    view = read_register(tab, renames)
    rows = [r for r in view.rows if r.visit_id and (day is None or (parse_visit_id(r.visit_id) or (None,))[0] == day)]
    rows.sort(key=lambda r: r.visit_id)
    return RegisterQuery(rows, ZoneInfo(snap.time_zone), day)


def next_for(sop: Sop, row: RegisterRow) -> list[str]:
    """What the helpdesk can give next for an open visit ([] when closed or unknown)."""
    state = sop.state_by_label(row.text("status"))
    return next_inputs(sop, state.code) if state is not None and state.open else []
