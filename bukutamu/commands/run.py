"""`bukutamu run`: the long-running poller (systemd service, Windows service)."""

from __future__ import annotations

from bukutamu.adapters.lock import WriterLock
from bukutamu.commands._common import settings_from
from bukutamu.engine import Poller, lock_path, open_store, status_path


def add_parser(sub) -> None:
    p = sub.add_parser("run", help="jalankan poller terus-menerus (layanan)",
                       description="Menjalankan siklus polling tiap poll.interval_seconds detik dan laporan "
                                   "mingguan (report.weekday, report.at), termasuk mengejar minggu yang terlewat. "
                                   "Berhenti dengan bersih pada Ctrl+C / SIGTERM. Hanya satu proses per store.")
    p.set_defaults(func=run)


def run(args) -> int:
    from bukutamu.app.alerts import send_admin_alert
    from bukutamu.service import Service, StatusFile
    settings = settings_from(args)
    with WriterLock(lock_path(settings)).acquire(0):
        store = open_store(settings)
        poller = Poller(settings, store)
        weekly = _weekly_job(settings, poller)
        service = Service(settings, poller.run_once, weekly, StatusFile(status_path(settings)),
                          send_alert=lambda mail: send_admin_alert(poller.journal, poller.notifier, mail,
                                                                   poller.clock()),
                          record_error=poller.record_error, daily=daily_jobs(settings, poller))
        service.install_signal_handlers()
        try:
            service.run()
        finally:
            poller.close()
            store.close()
    return 0


def daily_jobs(settings, poller) -> tuple:
    """Housekeeping `run` and `serve` schedule once a day (and once at start)."""
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
