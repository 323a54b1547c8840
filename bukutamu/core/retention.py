"""Retention (pure): which visits are past the retention period, and how their rows
are reduced so no person can be identified from them any more.

A visit is *due* when its status is a closed one (SOP states with ``open = false``:
SELESAI, BATAL, DUPLIKAT) and the last moment recorded on its row (form timestamp
and every ``[Sistem] Waktu …`` column) falls on a day before ``cutoff`` (office
calendar day). Open visits registered before the cutoff are not touched: they are
listed (``stale_open``) so the helpdesk closes them first.

A due register row is reduced in place (the row, its visit ID, queue number, status
and step times stay: the weekly report works from Riwayat and those):

- ``Nama Lengkap`` -> ``NAME_MARK``;
- ``NIK`` -> the first 4 digits (province + regency code, enough for regional
  statistics) followed by 12 ``*``: the 12 digits that identify a person are gone;
- birth date, phone, email, purpose (free text), the helpdesk's free note and the
  program's note (it may quote the guest's input) -> empty;
- ``[Sistem] Sidik Data`` (keyed digests of every answer: with the key, a digest of
  a NIK can be brute-forced) -> ``DONE_MARK <day>``: the row's purge mark.

Kept: sex, organisation (``Instansi``), the unit and officer asked for, the privacy
consent, the helpdesk's dropdown inputs, all program columns but the three above.

Link-form rows (Konfirmasi, Umpan Balik) of due visits lose what a person typed
freely: the guest's comment (``Catatan``) and an email address column Google Forms
adds when a form collects addresses. Tokens, answers and SKM ratings stay (reports).
Rows of link tabs whose visit is not in the register (typos, rows of visits moved
away) are reduced the same way when their own timestamp is before the cutoff.

Every reduction is a fixed point: reducing a reduced row gives the same cells, so
``plan_purge`` on an already purged snapshot returns no update (idempotent) and a
run cut short is finished by the next one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterable, Mapping
from zoneinfo import ZoneInfo

from bukutamu.core.cells import parse_datetime, text
from bukutamu.core.errors import SchemaError
from bukutamu.core.linkforms import CONFIRM_COLUMNS, FEEDBACK_COLUMNS
from bukutamu.core.register import RegisterRow, read_register
from bukutamu.core.schema import REGISTER_COLUMNS, normalise_header, resolve_columns
from bukutamu.core.sheet import CellUpdate, Snapshot, Tab, WriteBatch

NAME_MARK = "[dianonimkan]"
DONE_MARK = "DIANONIMKAN"
NIK_KEEP = 4  # province (2) + regency/city (2) digits
NIK_LENGTH = 16

# Register columns emptied on a due row (by column key).
CLEARED = ("tanggal_lahir", "telepon", "email", "keperluan", "catatan_helpdesk", "catatan")
# Headers of a link form's own columns that hold a person's free text or address.
_EMAIL_NAMES = {normalise_header(n) for c in REGISTER_COLUMNS if c.key == "email" for n in c.names()}
_TIME_KEYS = tuple(c.key for c in REGISTER_COLUMNS if c.datetime)


def reduce_nik(value: object) -> str:
    """``6171************``: the region code only. Fixed point: reduce(reduce(x)) ==
    reduce(x). A value without 4 leading digits becomes empty."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a NIK Google coerced to a number
    digits = re.sub(r"\D", "", text(value))
    s = text(value)
    if s.endswith("*" * (NIK_LENGTH - NIK_KEEP)) and len(s) == NIK_LENGTH and s[:NIK_KEEP].isdigit():
        return s
    if len(digits) < NIK_KEEP:
        return ""
    return digits[:NIK_KEEP] + "*" * (NIK_LENGTH - NIK_KEEP)


def purge_mark(day: date) -> str:
    return f"{DONE_MARK} {day.isoformat()}"


def is_marked(value: object) -> bool:
    return text(value).startswith(DONE_MARK)


@dataclass(frozen=True)
class RetentionTabs:
    register: str
    confirmations: str
    feedback: str
    closed_statuses: frozenset[str]  # status labels of closed SOP states
    renames: Mapping[str, str] = field(default_factory=dict)

    def names(self) -> tuple[str, ...]:
        return (self.register, self.confirmations, self.feedback)


@dataclass
class PurgePlan:
    """What one store needs: the batch and the figures a person reads."""

    batch: WriteBatch = field(default_factory=WriteBatch)
    visits: set[str] = field(default_factory=set)  # due visit IDs (changed now or earlier)
    changed_visits: set[str] = field(default_factory=set)  # register rows changed by this batch
    link_rows: int = 0  # link-form rows changed by this batch
    already: int = 0  # due visits found already reduced
    stale_open: list[str] = field(default_factory=list)  # open visits older than the cutoff
    cells: int = 0


def last_day(row: RegisterRow, tz: ZoneInfo) -> date | None:
    """The office day of the last moment the row records (form timestamp, step times)."""
    moments = [m for m in (row.moment(k, tz) for k in ("timestamp", *_TIME_KEYS)) if m is not None]
    return max(moments).astimezone(tz).date() if moments else None


def reduced_register(row: RegisterRow, day: date) -> dict[str, object]:
    """Column key -> the value the row must hold once reduced (only present columns)."""
    want: dict[str, object] = {}
    has = row.index
    if "nama" in has:
        want["nama"] = NAME_MARK
    if "nik" in has:
        want["nik"] = reduce_nik(row.raw("nik"))
    for k in CLEARED:
        if k in has:
            want[k] = ""
    if "sidik" in has:
        want["sidik"] = row.raw("sidik") if is_marked(row.raw("sidik")) else purge_mark(day)
    return want


def _same(a: object, b: object) -> bool:
    return text(a) == text(b)


def plan_purge(snapshot: Snapshot, tabs: RetentionTabs, cutoff: date, today: date,
               due_elsewhere: Iterable[str] = (), known_elsewhere: Iterable[str] = ()) -> PurgePlan:
    """The reduction of every due visit of one store (pure). ``due_elsewhere`` /
    ``known_elsewhere``: visit IDs due / present in the registers of the other stores
    (an archive's link rows may live apart from their register row)."""
    plan = PurgePlan()
    tz = ZoneInfo(snapshot.time_zone)
    reg_tab = snapshot.tab(tabs.register)
    known: set[str] = set(known_elsewhere)
    if reg_tab is not None:
        view = read_register(reg_tab, tabs.renames)
        for row in view.rows:
            vid = row.visit_id
            if not vid:
                continue
            known.add(vid)
            day = last_day(row, tz)
            if day is None or day >= cutoff:
                continue
            if row.text("status") not in tabs.closed_statuses:
                plan.stale_open.append(vid)
                continue
            plan.visits.add(vid)
            changed = False
            for key, value in reduced_register(row, today).items():
                if not _same(row.raw(key), value):
                    plan.batch.updates.append(CellUpdate(tabs.register, row.ref, view.columns.header[key], value))
                    plan.cells += 1
                    changed = True
            if changed:
                plan.changed_visits.add(vid)
            else:
                plan.already += 1
    due = plan.visits | set(due_elsewhere)
    for name, columns in ((tabs.confirmations, CONFIRM_COLUMNS), (tabs.feedback, FEEDBACK_COLUMNS)):
        tab = snapshot.tab(name)
        if tab is not None:
            _plan_link_tab(plan, tab, columns, due, known, cutoff, tz)
    plan.stale_open.sort()
    return plan


def _plan_link_tab(plan: PurgePlan, tab: Tab, columns, due: set[str], known: set[str], cutoff: date,
                   tz: ZoneInfo) -> None:
    try:
        cols = resolve_columns(tab.name, tab.header, columns)
    except SchemaError:
        return  # not a link form the program reads: nothing of a guest's to find by column
    free = [i for i, h in enumerate(tab.header)
            if normalise_header(h) in _EMAIL_NAMES or ("catatan" in cols.index and i == cols.index["catatan"])]
    if not free:
        return
    vcol, tcol = cols.index["visit_id"], cols.index["timestamp"]
    for row in tab.rows:
        vid = text(row.get(vcol))
        if vid not in due:
            if vid in known:
                continue
            at = parse_datetime(row.get(tcol), tz)
            if at is None or at.astimezone(tz).date() >= cutoff:
                continue
        changed = False
        for i in free:
            if text(row.get(i)):
                plan.batch.updates.append(CellUpdate(tab.name, row.ref, tab.header[i], ""))
                plan.cells += 1
                changed = True
        plan.link_rows += changed


def cutoff_day(now: datetime, days: int, tz: ZoneInfo) -> date:
    """The first day that is kept: visits whose last day is before it are due."""
    from datetime import timedelta
    return now.astimezone(tz).date() - timedelta(days=days)
