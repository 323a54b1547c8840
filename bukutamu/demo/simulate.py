"""A simulated office week driven through the real engine.

Synthetic guests fill the form; a simulated helpdesk verifies, corrects, advances
and closes visits in the register; simulated officers click the links in the
emails the engine put in the outbox; guests answer the feedback form (with SKM
answers). The engine polls on a simulated clock. Everything is seeded: the same
seed gives the same register, history and report.
"""

from __future__ import annotations

import email
import heapq
import math
import random
import re
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date, datetime, time, timedelta
from email import policy
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from bukutamu.core.cells import datetime_to_serial
from bukutamu.core.linkforms import SKM_ELEMENTS
from bukutamu.app.helpdesk import HelpdeskInput, InputRefused, save_helpdesk_input
from bukutamu.core.mail import MailKey, MailKind
from bukutamu.adapters.officehours import OfficeCalendar
from bukutamu.core.register import read_register
from bukutamu.core.schema import FORM, REGISTER_COLUMNS
from bukutamu.demo.form import form_values
from bukutamu.demo.guests import BIDANG, Guest, make_guest

OFFICER_FORM = "https://docs.google.com/forms/d/e/DEMO-FORMULIR-PETUGAS/viewform"
FEEDBACK_FORM = "https://docs.google.com/forms/d/e/DEMO-FORMULIR-UMPAN-BALIK/viewform"
LINK_ENTRIES = dict(officer_form_url=OFFICER_FORM, officer_entry_visit="entry.1001",
                    officer_entry_token="entry.1002", officer_entry_action="entry.1003",
                    feedback_form_url=FEEDBACK_FORM, feedback_entry_visit="entry.2001",
                    feedback_entry_token="entry.2002")
OFFICERS = [  # synthetic staff; one slow, one on leave with a backup
    ("Agus Prasetyo", BIDANG[0], "agus.prasetyo@biro-pbj.invalid", "Ya", "", 1.0),
    ("Rina Marlina", BIDANG[0], "rina.marlina@biro-pbj.invalid", "Ya", "", 1.0),
    ("Yohanes Tari", BIDANG[1], "yohanes.tari@biro-pbj.invalid", "Ya", "", 2.6),
    ("Dewi Anggraini", BIDANG[2], "dewi.anggraini@biro-pbj.invalid", "Tidak",
     "hendra.wijaya@biro-pbj.invalid", 1.0),
]
TICK = timedelta(minutes=1)
IDLE_CYCLE = timedelta(minutes=5)


@dataclass
class Visit:
    guest: Guest
    submitted: datetime
    typo: str = ""  # "" | "nik" | "nama"
    mismatch: bool = False  # the helpdesk finds the entry differs from the physical card
    leaves_after: timedelta | None = None
    unhappy: bool = False
    slow: float = 1.0
    status: str = ""
    visit_id: str = ""
    ref: object = None
    handled: set = field(default_factory=set)


@dataclass
class SimulationStats:
    days: int = 0
    guests: int = 0
    submissions: int = 0  # form rows: guests + repeated submissions
    cycles: int = 0
    holidays: list[str] = field(default_factory=list)


class OfficeWeek:
    def __init__(self, settings, store, poller, outbox: Path, rng: random.Random, week_start: date,
                 guests_per_day: tuple[int, int] = (100, 150)):
        self.settings, self.store, self.poller, self.outbox, self.rng = settings, store, poller, outbox, rng
        self.tz = settings.office.tz
        self.calendar = OfficeCalendar(settings.calendar, settings.office.time_zone)
        self.week_start = week_start
        self.guests_per_day = guests_per_day
        self.tabs = settings.tabs
        self.queue: list = []
        self.seq = 0
        self.visits: dict[float, Visit] = {}  # by form timestamp serial (unique per submission)
        self.stats = SimulationStats()
        self.now: datetime | None = None
        self.headers = {}

    # -- scheduling -------------------------------------------------------
    def at(self, when: datetime, action: Callable[[], None]) -> None:
        self.seq += 1
        heapq.heappush(self.queue, (when, self.seq, action))

    def minutes(self, lo: float, hi: float) -> timedelta:
        return timedelta(minutes=self.rng.uniform(lo, hi))

    def lognormal(self, median: float, sigma: float) -> timedelta:
        return timedelta(minutes=median * math.exp(self.rng.gauss(0, sigma)))

    # -- people's actions on the store ---------------------------------------
    def header(self, tab: str):
        if tab not in self.headers:
            self.headers[tab] = self.store.read([tab]).tab(tab).header
        return self.headers[tab]

    def add_row(self, tab: str, values: dict) -> None:
        self.store.append_rows(tab, [[values.get(h, "") for h in self.header(tab)]])

    def edit(self, v: Visit, column: str, value) -> None:
        self.store.set_cell(self.tabs.register, v.ref, column, value)

    def link_params(self, key: str, form: str) -> list[dict]:
        path = self.poller.mailer.path_for(key)
        if not path.exists():
            return []
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        body = msg.get_body(("html",)).get_content()
        urls = [u.replace("&amp;", "&") for u in re.findall(r'href="([^"]+)"', body) if u.startswith(form)]
        return [{k: val[0] for k, val in parse_qs(urlsplit(u).query).items()} for u in urls]

    # -- the week -----------------------------------------------------------
    def plan_arrivals(self) -> None:
        for offset in range(5):
            day = self.week_start + timedelta(days=offset)
            if not self.calendar.is_working_day(day):
                self.stats.holidays.append(day.isoformat())
                continue
            self.stats.days += 1
            opening, closing = self.calendar.hours_of(day)
            start = datetime.combine(day, opening, self.tz)
            span = (datetime.combine(day, closing, self.tz) - start).total_seconds() / 60 - 45
            for _ in range(self.rng.randint(*self.guests_per_day)):
                # mornings are busier: a triangular distribution leaning early
                minute = self.rng.triangular(0, span, span * 0.25)
                when = start + timedelta(minutes=minute, seconds=self.rng.randint(0, 59))
                self.at(when, self.arrival(when))

    def arrival(self, when: datetime) -> Callable[[], None]:
        def act() -> None:
            rng = self.rng
            g = make_guest(rng, when.date())
            v = Visit(g, when, slow=1.0)
            roll = rng.random()
            if roll < 0.05:
                v.typo = "nik"
            elif roll < 0.08:
                v.typo = "nama"
            v.mismatch = rng.random() < 0.03
            v.unhappy = rng.random() < 0.12
            if rng.random() < 0.03:
                v.leaves_after = self.minutes(15, 50)
            values = form_values(g, datetime_to_serial(when, self.tz))
            if v.typo == "nik":  # a day that cannot exist (e.g. 32 or 72)
                values["nik"] = g.nik[:6] + ("72" if int(g.nik[6:8]) > 40 else "32") + g.nik[8:]
            elif v.typo == "nama":
                values["nama"] = g.name + " 2"
            serial = values["timestamp"]
            self.visits[serial] = v
            self.add_row(self.tabs.register, {h: values.get(k, "") for h, k in self.form_columns})
            self.stats.guests += 1
            self.stats.submissions += 1
            if rng.random() < 0.01:  # the guest submits the form twice
                again = when + self.minutes(1, 3)

                def twice() -> None:
                    self.add_row(self.tabs.register, {
                        h: {**values, "timestamp": datetime_to_serial(again, self.tz)}.get(k, "")
                        for h, k in self.form_columns})
                    self.stats.submissions += 1
                self.at(again, twice)
            if v.leaves_after:
                self.at(when + v.leaves_after, lambda: self.helpdesk_action(v, "Tamu Pergi", only_open=True))
        return act

    @cached_property
    def form_columns(self) -> list[tuple[str, str]]:
        """(header, key) of the form-owned register columns, resolved once."""
        view = read_register(self.store.read([self.tabs.register]).tab(self.tabs.register), self.settings.columns)
        form = {c.key for c in REGISTER_COLUMNS if c.owner == FORM}
        return [(view.columns.header[k], k) for k in view.columns.index if k in form]

    def helpdesk_action(self, v: Visit, action: str, only_open: bool = False) -> None:
        if only_open and v.status in ("SELESAI", "BATAL", "DUPLIKAT", ""):
            return
        try:  # the same path as the helpdesk's own command: refused actions are not saved
            save_helpdesk_input(self.store, self.tabs.register, self.settings.columns, self.poller.sop,
                                v.visit_id, HelpdeskInput(action=action), self.now)
        except InputRefused:
            pass

    # -- reacting to what the engine wrote -------------------------------------
    def observe(self) -> None:
        tab = self.store.read([self.tabs.register]).tab(self.tabs.register)
        view = read_register(tab, self.settings.columns)
        for row in view.rows:
            raw = row.raw("timestamp")
            v = self.visits.get(raw) if isinstance(raw, float) else None
            if v is None or not row.visit_id:
                continue
            v.ref, v.visit_id = row.ref, row.visit_id
            status = row.text("status")
            if status == v.status:
                continue
            v.status = status
            cycle = int(float(row.text("putaran") or 1))
            self.react(v, status, cycle)

    def react(self, v: Visit, status: str, cycle: int) -> None:
        now = self.now
        key = (status, cycle)
        if key in v.handled:
            return
        v.handled.add(key)
        if status in ("MENUNGGU VERIFIKASI", "PERLU PERBAIKAN"):
            if status == "MENUNGGU VERIFIKASI":
                check = now + self.minutes(2, 13)
                if v.mismatch:
                    self.at(check, lambda: self.edit(v, "Verifikasi KTP", "Tidak Sesuai"))
                    return
                self.at(check, lambda: self.edit(v, "Verifikasi KTP", "Sesuai"))
                return
            fix = now + self.minutes(3, 12)

            def correct() -> None:
                self.edit(v, "NIK", v.guest.nik)
                self.edit(v, "Nama Lengkap", v.guest.name)
                self.edit(v, "Verifikasi KTP", "Sesuai")
            self.at(fix, correct)
        elif status == "PETUGAS DIHUBUNGI":
            officer = next((o for o in OFFICERS if o[1] == v.guest.bidang and o[3] == "Ya"), None)
            slow = officer[5] if officer else 1.0
            self.at(now + self.lognormal(3.0 * slow, 0.6), self.officer(v, "Tamu Diterima", cycle))
        elif status == "DILAYANI":
            slow = 1.4 if any(o[5] > 1 and o[1] == v.guest.bidang for o in OFFICERS) else 1.0
            median = (28 if cycle == 1 else 12) * slow
            self.at(now + self.lognormal(median, 0.55), self.officer(v, "Layanan Selesai", cycle))
        elif status == "MENUNGGU UMPAN BALIK":
            self.at(now + self.minutes(1, 9), self.feedback(v, cycle))
        elif status == "MENUNGGU HELPDESK":
            self.at(now + self.lognormal(3.0, 0.5), lambda: self.helpdesk_action(v, "Kunjungan Ditutup"))

    def officer(self, v: Visit, action: str, cycle: int) -> Callable[[], None]:
        def act() -> None:
            params = {p.get("entry.1003"): p for p in
                      self.link_params(str(MailKey(v.visit_id, MailKind.OFFICER_NOTICE, cycle)), OFFICER_FORM)}
            if action in params and self.rng.random() < 0.7:
                p = params[action]
                self.add_row(self.tabs.confirmations, {
                    "Stempel waktu": datetime_to_serial(self.now, self.tz), "ID Kunjungan": p["entry.1001"],
                    "Token": p["entry.1002"], "Aksi": action})
            else:
                self.helpdesk_action(v, action, only_open=True)
        return act

    def feedback(self, v: Visit, cycle: int) -> Callable[[], None]:
        def act() -> None:
            unhappy = v.unhappy and cycle == 1
            links = self.link_params(str(MailKey(v.visit_id, MailKind.GUEST_FEEDBACK, cycle)),
                                     FEEDBACK_FORM)
            if links and self.rng.random() < 0.8:
                p = links[0]
                row = {"Stempel waktu": datetime_to_serial(self.now, self.tz), "ID Kunjungan": p["entry.2001"],
                       "Token": p["entry.2002"],
                       "Apakah layanan sudah cukup?": "Belum cukup" if unhappy else "Ya, sudah cukup",
                       "Catatan": "Mohon penjelasan lanjutan jadwal klarifikasi" if unhappy else ""}
                if not unhappy:
                    for element in SKM_ELEMENTS:
                        row[element] = self.rng.choices([1, 2, 3, 4], weights=[2, 8, 45, 45])[0]
                self.add_row(self.tabs.feedback, row)
            else:
                if unhappy:
                    self.edit(v, "Catatan Helpdesk", "Tamu minta penjelasan tambahan")
                self.helpdesk_action(v, "Umpan Balik Tidak Cukup" if unhappy else "Umpan Balik Cukup")
        return act

    # -- main loop ---------------------------------------------------------------
    def run(self, progress: Callable[[datetime], None] | None = None) -> SimulationStats:
        self.plan_arrivals()
        start = datetime.combine(self.week_start, time(7, 0), self.tz)
        end = datetime.combine(self.week_start + timedelta(days=5), time(0, 0), self.tz)
        self.now = start
        last_cycle = None
        while self.now < end:
            fired = False
            while self.queue and self.queue[0][0] <= self.now:
                _, _, action = heapq.heappop(self.queue)
                action()
                fired = True
            in_hours = time(7, 0) <= self.now.time() <= time(17, 30)
            if fired or (in_hours and (last_cycle is None or self.now - last_cycle >= IDLE_CYCLE)):
                self.poller.clock = lambda t=self.now: t
                self.poller.run_once()
                self.stats.cycles += 1
                last_cycle = self.now
                self.observe()
                if progress:
                    progress(self.now)
            self.now += TICK
            if not in_hours and self.now.time() > time(17, 30):
                nxt = datetime.combine(self.now.date() + timedelta(days=1), time(7, 0), self.tz)
                if self.queue and self.queue[0][0] < nxt:
                    nxt = max(self.now, self.queue[0][0].replace(second=0, microsecond=0))
                self.now = nxt
        return self.stats
