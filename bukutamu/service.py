"""The long-running poller (`bukutamu run`): the poll job every N seconds, the
weekly report job and the daily retention job, on `schedule`.

schedule lets an exception escape `run_pending()` and then never reschedules the
job: every job here is wrapped so a failure is logged, recorded in
the status file, alerts the admin (rate-limited) and backs off — it neither kills
the loop nor retries on every tick.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import signal
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

import schedule

from bukutamu import __version__
from bukutamu.config import Settings
from bukutamu.core.mail import OutgoingMail
from bukutamu.errors import BukutamuError

log = logging.getLogger("bukutamu")
MAX_BACKOFF = timedelta(minutes=5)
ADMIN_ALERT_EVERY = timedelta(hours=6)


@dataclass(frozen=True)
class DailyJob:
    name: str  # Indonesian, shown in logs, the status file and admin alerts
    job: Callable[[], None]
    at: str  # "HH:MM" in the office zone


@dataclass
class JobState:
    name: str
    failures: int = 0
    next_try: datetime | None = None
    last_ok: datetime | None = None
    last_error: str = ""


@dataclass
class StatusFile:
    path: Path
    data: dict = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> "StatusFile":
        """Start from the file's current content (a one-shot `poll --once` keeps the
        last good cycle when this one fails)."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        return cls(Path(path), data if isinstance(data, dict) else {})

    def cycle_done(self, report, now: datetime) -> bool:
        count = self.data.get("jumlah_siklus")
        count = count + 1 if isinstance(count, int) else 1  # cycles since `run` started (a heartbeat count)
        return self.update(siklus_terakhir=now.isoformat(timespec="seconds"), ok=True, galat_terakhir="",
                           jumlah_siklus=count,
                           hasil={"kunjungan_baru": report.new_visits, "perubahan_status": report.transitions,
                                  "email_terkirim": report.mails_sent, "email_tertunda": report.mails_pending})

    def cycle_failed(self, job: str, error: str, now: datetime) -> bool:
        return self.update(ok=False, galat_terakhir=error, pekerjaan_gagal=job,
                           waktu_galat=now.isoformat(timespec="seconds"))

    def update(self, **values) -> bool:
        """Write the file (0600, atomically). A full disk or read-only folder is
        logged, not raised: the heartbeat must never stop the poller."""
        from bukutamu.adapters.files import faults, private_dir
        self.data.update(values, versi=__version__, pid=os.getpid())
        tmp = self.path.with_suffix(".tmp")
        try:
            private_dir(self.path.parent)
            with faults(self.path, "berkas status"):
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    os.fchmod(f.fileno(), 0o600)
                    f.write(json.dumps(self.data, ensure_ascii=False, indent=2, default=str))
                os.replace(tmp, self.path)
        except BukutamuError as e:
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass
            log.warning("Berkas status tidak diperbarui: %s", e)
            return False
        return True


def guarded(state: JobState, job: Callable[[], None], now: Callable[[], datetime],
            on_error: Callable[[JobState, Exception], None], interval: timedelta) -> Callable[[], None]:
    """Run ``job``; on failure log it, back off exponentially (capped), never raise."""

    def run() -> None:
        t = now()
        if state.next_try and t < state.next_try:
            return
        try:
            job()
        except Exception as e:  # noqa: BLE001 - one failing job must not stop the service
            from bukutamu.errors import environment_fault
            e = environment_fault(e) or e  # a full disk or read-only folder is not a bug
            state.failures += 1
            wait = min(interval * (2 ** min(state.failures, 10)), MAX_BACKOFF)
            state.next_try = t + wait
            state.last_error = str(e) if isinstance(e, BukutamuError) else f"{type(e).__name__} (bug; lihat log)"
            if isinstance(e, BukutamuError):
                log.error("%s gagal: %s (dicoba lagi dalam %d detik)", state.name, e, wait.total_seconds())
            else:
                log.exception("%s gagal karena bug (dicoba lagi dalam %d detik)", state.name, wait.total_seconds())
            on_error(state, e)
        else:
            state.failures, state.next_try, state.last_ok, state.last_error = 0, None, t, ""

    return run


def admin_alert(settings: Settings, state: JobState, now: datetime) -> OutgoingMail | None:
    """One email per distinct problem per 6 hours (the key encodes both)."""
    if not settings.office.admin_email:
        return None
    bucket = int(now.timestamp() // ADMIN_ALERT_EVERY.total_seconds())
    digest = hashlib.sha256(state.last_error.encode("utf-8")).hexdigest()[:10]
    from html import escape
    body = (f"<p>Poller bukutamu ({escape(settings.office.name)}) tidak bisa bekerja:</p>"
            f"<p><b>{escape(state.last_error)}</b></p><p>Pekerjaan: {escape(state.name)}. "
            "Jalankan <code>bukutamu check</code> untuk petunjuk perbaikan.</p>")
    return OutgoingMail(key=f"sistem/peringatan-admin/{bucket}/{digest}", to=(settings.office.admin_email,),
                        subject=f"[Buku Tamu] Poller bermasalah: {state.name}", html=body,
                        text=f"Poller bukutamu tidak bisa bekerja: {state.last_error}\n")


class Service:
    """One office's schedule: the poll every interval, the weekly report, and any
    ``daily`` jobs (DailyJob). ``stop_event`` may be shared by several offices' services."""

    def __init__(self, settings: Settings, poll: Callable[[], object], weekly: Callable[[], None] | None,
                 status: StatusFile, send_alert: Callable[[OutgoingMail], None],
                 clock: Callable[[], datetime] | None = None,
                 record_error: Callable[[str], None] = lambda message: None,
                 daily: tuple[DailyJob, ...] = (), stop_event: threading.Event | None = None):
        self.settings = settings
        self.record_error = record_error
        self.clock = clock or (lambda: datetime.now(settings.office.tz))
        self.stop_event = stop_event or threading.Event()
        self.status = status
        self.scheduler = schedule.Scheduler()
        self.send_alert = send_alert
        interval = timedelta(seconds=settings.poll.interval_seconds)
        self.poll_state = JobState("poll")
        self.report_state = JobState("laporan mingguan")

        def after_poll() -> None:
            report = poll()
            self.status.cycle_done(report, self.clock())

        self.poll_job = guarded(self.poll_state, after_poll, self.clock, self._failed, interval)
        self.scheduler.every(settings.poll.interval_seconds).seconds.do(self.poll_job)
        self.weekly_job = None
        if weekly is not None:
            self.weekly_job = guarded(self.report_state, weekly, self.clock, self._failed, timedelta(minutes=30))
            day = getattr(self.scheduler.every(), settings.report.weekday)
            day.at(settings.report.at, settings.office.time_zone).do(self.weekly_job)
        # Daily housekeeping (archive, retention): at their time, and once at start so
        # a machine that was off at night catches up.
        self.daily_jobs = []
        for d in daily:
            job = guarded(JobState(d.name), d.job, self.clock, self._failed, timedelta(minutes=30))
            self.scheduler.every().day.at(d.at, settings.office.time_zone).do(job)
            self.daily_jobs.append(job)

    def _failed(self, state: JobState, error: Exception) -> None:
        self.status.cycle_failed(state.name, state.last_error, self.clock())
        self.record_error(f"{self.clock():%Y-%m-%d %H:%M} {state.name}: {state.last_error}")
        mail = admin_alert(self.settings, state, self.clock())
        if mail is not None:
            try:
                self.send_alert(mail)
            except Exception:  # noqa: BLE001 - the alert path must never take the loop down
                log.exception("Peringatan admin tidak terkirim")

    def install_signal_handlers(self) -> None:
        def stop(signum, frame):  # noqa: ARG001
            log.info("Sinyal %s diterima: berhenti setelah pekerjaan yang sedang berjalan.", signum)
            self.stop_event.set()
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)

    def run(self) -> None:
        log.info("bukutamu %s berjalan: polling tiap %d detik.", __version__, self.settings.poll.interval_seconds)
        self.poll_job()  # the first cycle at once, not after one interval
        if self.weekly_job is not None:
            self.weekly_job()  # catch up missed weeks at start
        for job in self.daily_jobs:
            job()
        while not self.stop_event.is_set():
            self.scheduler.run_pending()
            idle = self.scheduler.idle_seconds
            self.stop_event.wait(timeout=max(0.2, min(idle if idle is not None else 1.0, 1.0)))
        self.status.update(berhenti=self.clock().isoformat(timespec="seconds"))
        log.info("bukutamu berhenti dengan bersih.")
