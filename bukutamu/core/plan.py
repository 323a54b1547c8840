"""plan_cycle: the poll cycle's brain. Pure: snapshot + time + context in, Plan out.

No I/O happens here. The engine reads one snapshot, calls ``plan_cycle``, records
the planned mails in the journal, writes ``Plan.batch`` in one round trip, then
sends.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bukutamu.core.context import CycleContext
from bukutamu.core.budget import ALERT_SHARE, GOOGLE_CELL_LIMIT, CellBudget, budget_line, cells_per_visit, recent_rate
from bukutamu.core.cells import datetime_to_serial, parse_datetime, text
from bukutamu.core.changes import Changes
from bukutamu.core.helpdesk import is_new_action
from bukutamu.core.intake import plan_intake
from bukutamu.core.linkforms import read_link_rows
from bukutamu.core.mail import OutgoingMail
from bukutamu.core.notices import cell_budget_alert
from bukutamu.core.officers import read_officers
from bukutamu.core.queue import parse_visit_id
from bukutamu.core.queueboard import plan_queue_board
from bukutamu.core.register import read_register
from bukutamu.core.schema import HISTORY_COLUMNS, REGISTER_COLUMNS, SYSTEM_COLUMNS, resolve_columns
from bukutamu.core.sheet import CellUpdate, RowAppend, Snapshot
from bukutamu.core.workflow import MailFacts, plan_workflow
from bukutamu.core.errors import SchemaError

HEARTBEAT_EVERY = timedelta(minutes=5)
HEARTBEAT_KEY, VERSION_KEY, ERROR_KEY = "detak_terakhir", "versi", "galat_terakhir"
CELLS_KEY = "sel_terpakai"


@dataclass
class Plan:
    batch: Any
    mails: list[OutgoingMail] = field(default_factory=list)
    reflected: list[str] = field(default_factory=list)
    new_visits: int = 0
    transitions: int = 0
    log: list[str] = field(default_factory=list)  # no personal data


def _is_round(value: str) -> bool:
    try:
        return float(value) >= 1
    except ValueError:
        return False


def _cell_alert(snapshot: Snapshot, register, now: datetime, ctx: CycleContext, facts: MailFacts, history):
    """Once a day from 80 % of Google's cell limit on: the admin is told what to do."""
    if snapshot.cell_count is None or not ctx.admin_email or snapshot.cell_count < ALERT_SHARE * GOOGLE_CELL_LIMIT:
        return None
    today = now.astimezone(ctx.tz).date()
    key = f"sistem/sel-spreadsheet/{today:%Y-%m-%d}"
    if key in facts.known:
        return None
    days = [p[0] for r in register.rows if (p := parse_visit_id(r.visit_id))]
    per_visit = cells_per_visit(len(snapshot.tab(ctx.register_tab).header), history.data_rows,
                                len(history.header), len(days))
    budget = CellBudget(snapshot.cell_count, recent_rate(days, today, per_visit))
    return cell_budget_alert(key, ctx.admin_email, ctx.office_name, budget_line(budget, today))


def tabs_to_read(ctx: CycleContext) -> tuple[list[str], list[str]]:
    """(tabs read whole, tabs read append-only) for one cycle."""
    return ([ctx.register_tab, ctx.queue_tab, ctx.system_tab, ctx.officers_tab, ctx.confirmations_tab,
             ctx.feedback_tab], [ctx.history_tab])


def mail_fact_visits(snapshot: Snapshot, ctx: CycleContext) -> set[str]:
    """The visits whose journal keys this cycle may look at: every visit still open
    or carrying a new helpdesk action, and every visit ID named in a link tab (a
    superset of what ``plan_workflow`` processes). Finished visits with nothing new
    need none, so a cycle's journal read follows open visits, not history."""
    tab = snapshot.tab(ctx.register_tab)
    if tab is None:
        return set()
    try:
        cols = resolve_columns(tab.name, tab.header, REGISTER_COLUMNS, ctx.renames).index
    except SchemaError:
        return set()  # plan_cycle reports it
    closed = {s.label for s in ctx.sop.states.values() if not s.open}
    vid, status = cols["visit_id"], cols["status"]
    aksi, done = cols.get("aksi", -1), cols.get("aksi_terproses", -1)
    out = set()
    for r in tab.rows:
        v = text(r.get(vid))
        if v and (text(r.get(status)) not in closed or is_new_action(text(r.get(aksi)), text(r.get(done)))):
            out.add(v)
    for name in (ctx.confirmations_tab, ctx.feedback_tab):
        link_tab = snapshot.tab(name)
        for row in (link_tab.rows if link_tab is not None else ()):
            out.update(v for v in (text(c) for c in row.values) if parse_visit_id(v))
    return out


def plan_cycle(snapshot: Snapshot, now: datetime, ctx: CycleContext, facts: MailFacts = MailFacts(),
               last_error: str = "") -> Plan:
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
    officers = read_officers(snapshot.tab(ctx.officers_tab))
    visits = {r.visit_id: int(float(r.text("putaran") or 1)) if _is_round(r.text("putaran")) else 1
              for r in register.rows if r.visit_id}
    events, rejected = [], []
    for tab, kind in ((ctx.confirmations_tab, "konfirmasi"), (ctx.feedback_tab, "umpan_balik")):
        e, r = read_link_rows(snapshot.tab(tab), kind, visits, now, ctx.nik_key, ctx.sheet_tz)
        events += e
        rejected += r

    changes = Changes(register, ctx.history_tab, history.column_a_counts)
    plan = Plan(batch=None)
    intake = plan_intake(register, changes, now, ctx, {k: v for k, (_, v) in system.items()})
    plan.new_visits = intake.new_visits
    plan.mails += intake.mails
    plan.log += intake.log

    flow = plan_workflow(register, changes, now, ctx, officers, events, rejected, facts, skip=intake.visit_ids)
    plan.transitions = flow.transitions
    plan.mails += flow.mails
    plan.reflected = flow.reflected
    plan.log += flow.log

    plan_queue_board(register, changes, snapshot.tab(ctx.queue_tab), now, ctx)
    alert = _cell_alert(snapshot, register, now, ctx, facts, history)
    if alert:
        plan.mails.append(alert)

    batch = changes.batch()
    beat = parse_datetime(system.get(HEARTBEAT_KEY, (None, None))[1], ctx.sheet_tz)
    if beat is None or now - beat >= HEARTBEAT_EVERY or (last_error and batch):
        # At most every 5 minutes: joined to the cycle's write when there is one, otherwise
        # the only write an idle cycle ever makes.
        changes.system[HEARTBEAT_KEY] = datetime_to_serial(now, ctx.sheet_tz)
        changes.system[VERSION_KEY] = ctx.version
        if snapshot.cell_count is not None:  # Google: how full the spreadsheet is
            changes.system[CELLS_KEY] = f"{snapshot.cell_count} ({snapshot.cell_count / GOOGLE_CELL_LIMIT:.0%})"
        if last_error:
            changes.system[ERROR_KEY] = last_error
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
