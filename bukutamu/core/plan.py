"""plan_cycle: the poll cycle's brain. Pure: snapshot + time + context in, Plan out.

No I/O happens here. The engine reads one snapshot, calls ``plan_cycle``, then
writes ``Plan.batch`` in one round trip and hands ``Plan.mails`` to the journal.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from bukutamu.core.cells import text
from bukutamu.core.changes import Changes
from bukutamu.core.intake import plan_intake
from bukutamu.core.mail import OutgoingMail
from bukutamu.core.queueboard import plan_queue_board
from bukutamu.core.register import read_register
from bukutamu.core.schema import HISTORY_COLUMNS, SYSTEM_COLUMNS, resolve_columns
from bukutamu.core.sheet import CellUpdate, RowAppend, Snapshot
from bukutamu.core.sop import Sop
from bukutamu.errors import SchemaError


@dataclass(frozen=True)
class CycleContext:
    tz: ZoneInfo
    register_tab: str
    history_tab: str
    queue_tab: str
    system_tab: str
    queue_prefix: str
    sop: Sop
    nik_key: bytes  # HMAC key for comparing NIKs without keeping them
    renames: Mapping[str, str] = field(default_factory=dict)
    # The spreadsheet's own time zone: serial numbers are wall-clock in it. Set by
    # plan_cycle from the snapshot; office days and hours use ``tz``.
    sheet_tz: ZoneInfo | None = None


@dataclass
class Plan:
    batch: Any
    mails: list[OutgoingMail] = field(default_factory=list)
    new_visits: int = 0
    transitions: int = 0
    log: list[str] = field(default_factory=list)  # no personal data


def tabs_to_read(ctx: CycleContext) -> tuple[list[str], list[str]]:
    """(tabs read whole, tabs read append-only) for one cycle."""
    return [ctx.register_tab, ctx.queue_tab, ctx.system_tab], [ctx.history_tab]


def plan_cycle(snapshot: Snapshot, now: datetime, ctx: CycleContext) -> Plan:
    for name in (ctx.register_tab, ctx.history_tab, ctx.system_tab, ctx.queue_tab):
        if snapshot.tab(name) is None:
            raise SchemaError(f'Siklus dihentikan, tidak ada yang ditulis: tab "{name}" tidak ada '
                              "(jalankan `bukutamu init`).")
    history = snapshot.tab(ctx.history_tab)
    resolve_columns(history.name, history.header, HISTORY_COLUMNS)
    system_tab = snapshot.tab(ctx.system_tab)
    sys_cols = resolve_columns(system_tab.name, system_tab.header, SYSTEM_COLUMNS)
    system = {text(r.get(sys_cols.index["kunci"])): (r, r.get(sys_cols.index["nilai"]))
              for r in system_tab.rows if text(r.get(sys_cols.index["kunci"]))}

    ctx = replace(ctx, sheet_tz=ZoneInfo(snapshot.time_zone or ctx.tz.key))
    register = read_register(snapshot.tab(ctx.register_tab), ctx.renames)
    changes = Changes(register)
    plan = Plan(batch=None)

    intake = plan_intake(register, changes, now, ctx, {k: v for k, (_, v) in system.items()})
    plan.new_visits = intake.new_visits
    plan.log += intake.log

    plan_queue_board(register, changes, snapshot.tab(ctx.queue_tab), now, ctx)

    batch = changes.batch()
    for key, value in sorted(changes.system.items()):
        if key in system:
            row, old = system[key]
            if text(old) != text(value):
                batch.updates.append(CellUpdate(system_tab.name, row.ref, sys_cols.header["nilai"], value))
        else:
            batch.appends.append(RowAppend(system_tab.name, {sys_cols.header["kunci"]: key,
                                                              sys_cols.header["nilai"]: value}))
    plan.batch = batch
    return plan
