"""`bukutamu run`: the long-running poller (systemd service, Windows service).

With several offices (``[offices.<slug>]``) one process runs them all, one thread
each (``bukutamu.offices``); `--kantor KODE` runs one."""

from __future__ import annotations

import threading
from typing import Callable

from bukutamu.adapters.lock import WriterLock
from bukutamu.commands._common import offices_from
from bukutamu.config import Settings
from bukutamu.engine import Poller, lock_path, open_store, status_path


def add_parser(sub) -> None:
    p = sub.add_parser("run", help="jalankan poller terus-menerus (layanan)",
                       description="Menjalankan siklus polling tiap poll.interval_seconds detik dan laporan "
                                   "mingguan (report.weekday, report.at), termasuk mengejar minggu yang terlewat. "
                                   "Berhenti dengan bersih pada Ctrl+C / SIGTERM. Hanya satu proses per store. "
                                   "Dengan beberapa kantor ([offices.KODE]) semua kantor dilayani, masing-masing "
                                   "dengan siklusnya sendiri (atau hanya --kantor KODE).")
    p.set_defaults(func=run)


def build_office(settings: Settings, *, wrap_poll: Callable[[Callable[[], object]], Callable[[], object]] = None,
                 stop_event: threading.Event | None = None):
    """One office's Service (poll, weekly report, daily jobs) over its own store,
    poller, journal and status file. Returns (service, close). The caller holds the
    office's writer lock."""
    from bukutamu.app.alerts import send_admin_alert
    from bukutamu.service import Service, StatusFile
    store = open_store(settings)
    try:
        poller = Poller(settings, store)
    except BaseException:
        store.close()
        raise
    poll = poller.run_once if wrap_poll is None else wrap_poll(poller.run_once)
    service = Service(settings, poll, _weekly_job(settings, poller), StatusFile(status_path(settings)),
                      send_alert=lambda mail: send_admin_alert(poller.journal, poller.notifier, mail, poller.clock()),
                      record_error=poller.record_error, daily=tuple(daily_jobs(settings, poller)),
                      stop_event=stop_event)

    def close():
        try:
            poller.close()
        finally:
            store.close()
    return service, close


def run(args) -> int:
    offices = offices_from(args)
    if len(offices) == 1:
        return _run_one(offices[0])
    import signal

    from bukutamu.offices import run_offices
    stop_event = threading.Event()

    def stop(signum, frame):  # noqa: ARG001
        import logging
        logging.getLogger("bukutamu").info("Sinyal %s diterima: semua kantor berhenti setelah pekerjaan yang "
                                           "sedang berjalan.", signum)
        stop_event.set()
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    return run_offices(offices, _start_office, report_start_failure, stop_event)


def _run_one(settings: Settings) -> int:
    with WriterLock(lock_path(settings)).acquire(0):
        service, close = build_office(settings)
        service.install_signal_handlers()
        try:
            service.run()
        finally:
            close()
    return 0


def _start_office(settings: Settings, stop_event: threading.Event, started: Callable[[], None]) -> None:
    with WriterLock(lock_path(settings)).acquire(0):
        service, close = build_office(settings, stop_event=stop_event)
        started()
        try:
            service.run()
        finally:
            close()


def report_start_failure(settings: Settings, error: BaseException, message: str) -> None:
    """An office that cannot start: its status file says so (unless another poller
    owns it: StoreBusy), and its admin gets the alert when its journal and mail work
    (rate-limited like the poll's alerts)."""
    from datetime import datetime

    from bukutamu.app.alerts import send_admin_alert
    from bukutamu.app.notify import EmailNotifier
    from bukutamu.bootstrap import open_journal, open_mailer
    from bukutamu.errors import StoreBusy
    from bukutamu.service import JobState, StatusFile, admin_alert
    now = datetime.now(settings.office.tz)
    if not isinstance(error, StoreBusy):  # the running poller's heartbeat is not ours to overwrite
        StatusFile.load(status_path(settings)).cycle_failed("mulai kantor", message, now)
    state = JobState("mulai kantor", last_error=message)
    mail = admin_alert(settings, state, now)
    if mail is None:
        return
    journal = open_journal(settings)
    try:
        mailer = open_mailer(settings)
        try:
            send_admin_alert(journal, EmailNotifier(mailer), mail, now)
        finally:
            mailer.close()
    finally:
        journal.close()


def daily_jobs(settings, poller) -> tuple:
    """Housekeeping `run` and `serve` schedule once a day (and once at start), per
    office (``service.DailyJob``: name, job, "HH:MM")."""
    from bukutamu.app.archive import archive_job
    from bukutamu.bootstrap import archive_stores, sop_of
    from bukutamu.service import DailyJob
    archive = archive_job(settings, poller.store, archive_stores(settings), sop_of(settings), poller.journal,
                          poller.clock)
    return (DailyJob("arsip", archive, settings.archive.at), _purge_job(settings, poller))


def _weekly_job(settings, poller):
    try:
        from bukutamu.app.report import weekly_job
    except ImportError:
        return None
    from bukutamu.bootstrap import archive_stores
    return weekly_job(settings, poller.store, poller.journal, poller.notifier, poller.clock,
                      archives=archive_stores(settings))


def _purge_job(settings, poller):
    """Retention (app/retention.purge_job), daily at retention.at, on the poller's own
    store and journal, then the archive's stores."""
    from bukutamu import bootstrap
    from bukutamu.app.retention import purge_job
    from bukutamu.service import DailyJob
    job = purge_job(settings, lambda: bootstrap.retention_stores(settings, live=poller.store), poller.journal,
                    poller.sop, poller.clock, webdb=lambda: bootstrap.existing_webdb(settings))
    return DailyJob("retensi data", job, settings.retention.at)
