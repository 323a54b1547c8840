"""One poll cycle: read one snapshot -> plan (pure) -> journal the mails -> write one
batch -> send. The engine does not know which store or mailer it runs on.

Order matters for exactly-once: a planned mail is recorded in the journal before
the sheet write that makes it due, and sent after it; the send time reaches the
sheet on the next cycle (``sent_unreflected``), so a crash at any point neither
loses a message nor sends it twice (see adapters/delivery.py for the one window).
"""

from __future__ import annotations

import logging
import os
import secrets as _secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

from bukutamu import __version__
from bukutamu.adapters.store import SheetStore
from bukutamu.config import Settings
from bukutamu.core.mail import Mailer
from bukutamu.core.plan import CycleContext, Plan, plan_cycle, tabs_to_read
from bukutamu.core.sop import Sop, load_sop
from bukutamu.core.workflow import MailFacts
from bukutamu.errors import ConfigError

log = logging.getLogger("bukutamu")
PAYLOAD_DAYS = timedelta(days=30)


def open_store(settings: Settings) -> SheetStore:
    if settings.store.kind == "google":
        from bukutamu.adapters.google.store import GoogleSheetStore
        return GoogleSheetStore.from_settings(settings)
    from bukutamu.adapters.sqlite_store import SqliteSheetStore
    return SqliteSheetStore(settings.store.path, settings.office.time_zone)


def lock_path(settings: Settings) -> Path:
    if settings.store.kind == "google":
        return settings.data_dir / f"poller-{settings.store.spreadsheet_id[:40]}.lock"
    return settings.store.path.with_name(settings.store.path.name + ".lock")


def journal_path(settings: Settings) -> Path:
    return settings.data_dir / "jurnal-email.sqlite"


def status_path(settings: Settings) -> Path:
    """The heartbeat file every cycle writes (`poll --once` and `run`)."""
    return settings.data_dir / "status.json"


def nik_key(settings: Settings, create: bool = False) -> bytes:
    """The HMAC key for NIK comparisons and link tokens: $BUKUTAMU_HMAC_KEY, or —
    embedded mode only — a random key kept in the data folder (created by ``init``),
    outside the repo."""
    if settings.secrets.hmac_key:
        return settings.secrets.hmac_key
    from bukutamu.adapters.files import faults, private_dir
    path = settings.data_dir / "kunci-hmac"
    if path.exists():
        return _read_key_file(path)
    if not create:
        raise ConfigError("Kunci HMAC belum ada: jalankan `bukutamu init` atau atur BUKUTAMU_HMAC_KEY.")
    private_dir(path.parent)
    with faults(path, "berkas kunci HMAC"):
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                os.fchmod(f.fileno(), 0o600)
                f.write(_secrets.token_urlsafe(32))
                f.flush()
                os.fsync(f.fileno())
            try:
                os.link(tmp, path)  # complete or absent; never replaces a key made meanwhile
            except FileExistsError:
                pass
        finally:
            tmp.unlink(missing_ok=True)
    return _read_key_file(path)


def _read_key_file(path: Path) -> bytes:
    """The key file's content; an empty or truncated file (a full disk at `init`) is
    refused: hashing NIKs with an empty key would be silent and wrong."""
    from bukutamu.adapters.files import faults
    from bukutamu.errors import CorruptFile
    with faults(path, "berkas kunci HMAC"):
        key = path.read_bytes().strip()
    if len(key) < 16:
        raise CorruptFile(f"Berkas kunci HMAC {path} kosong atau terpotong. Bila store belum berisi kunjungan: "
                          "hapus berkas itu lalu jalankan `bukutamu init` (kunci baru dibuat). Bila sudah ada "
                          "kunjungan: pulihkan berkas itu dari cadangan, atau atur BUKUTAMU_HMAC_KEY dengan kunci "
                          "yang lama (kunci baru membuat tautan di email lama tidak berlaku).")
    return key


def cycle_context(settings: Settings, sop: Sop, key: bytes) -> CycleContext:
    from bukutamu.core.officehours import calendar_from_settings
    t = settings.tabs
    return CycleContext(
        tz=settings.office.tz, register_tab=t.register, history_tab=t.history, queue_tab=t.queue,
        system_tab=t.system, queue_prefix=settings.poll.queue_prefix, sop=sop, nik_key=key,
        renames=dict(settings.columns), officers_tab=t.officers, confirmations_tab=t.confirmations,
        feedback_tab=t.feedback, office_name=settings.office.name, helpdesk_email=settings.office.helpdesk_email,
        supervisor_email=settings.office.supervisor_email,
        links=settings.links,
        calendar=calendar_from_settings(settings), version=__version__)


@dataclass
class CycleReport:
    new_visits: int
    transitions: int
    wrote: bool
    read_seconds: float
    plan_seconds: float
    write_seconds: float
    mails_sent: int = 0
    mails_pending: int = 0
    log: list[str] = field(default_factory=list)


class Poller:
    """Runs cycles against one store; keeps nothing between cycles but the journal."""

    def __init__(self, settings: Settings, store: SheetStore, mailer: Mailer | None = None,
                 journal=None, clock: Callable[[], datetime] | None = None):
        from bukutamu.adapters.journal import MailJournal
        from bukutamu.adapters.mail import mailer_from_settings
        self.settings = settings
        self.store = store
        self.sop = load_sop(settings.sop_path)
        self.ctx = cycle_context(settings, self.sop, nik_key(settings, create=True))
        self.clock = clock or (lambda: datetime.now(settings.office.tz))
        self.mailer = mailer or mailer_from_settings(settings)
        if journal is None:
            journal_path(settings).parent.mkdir(parents=True, exist_ok=True)
            journal = MailJournal(journal_path(settings))
        self.journal = journal
        self.last_error = ""

    def run_once(self) -> CycleReport:
        from bukutamu.adapters.delivery import deliver
        tabs, append_only = tabs_to_read(self.ctx)
        t0 = time.perf_counter()
        snapshot = self.store.read(tabs, append_only)
        t1 = time.perf_counter()
        now = self.clock()
        facts = MailFacts(known=self.journal.known_keys(),
                          sent={s.key: s.sent_at for s in self.journal.sent_unreflected()},
                          failed={f.key: f.error for f in self.journal.failed_unreflected()})
        plan: Plan = plan_cycle(snapshot, now, self.ctx, facts, self.last_error)
        t2 = time.perf_counter()
        for mail in plan.mails:
            self.journal.record_intent(mail, now)  # before the write that makes it due
        if plan.batch:
            self.store.write(plan.batch)
        t3 = time.perf_counter()
        for key in plan.reflected:
            self.journal.mark_reflected(key)
        report = deliver(self.journal, self.mailer, [], now)
        for key in report.sent:
            if "/petugas/" not in key:  # only officer notices become a sheet transition
                self.journal.mark_reflected(key)
        self.journal.forget_payloads(now - PAYLOAD_DAYS)  # names in old bodies are not kept (UU PDP)
        for key, error in report.errors.items():
            log.warning("Email %s belum terkirim: %s", key.split("/")[1] if "/" in key else "?", error)
        for line in plan.log:
            log.info(line)
        self.last_error = ""
        return CycleReport(plan.new_visits, plan.transitions, bool(plan.batch), t1 - t0, t2 - t1, t3 - t2,
                           len(report.sent), len(self.journal.pending()), plan.log)

    def close(self) -> None:
        self.mailer.close()
        self.journal.close()
