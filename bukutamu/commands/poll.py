"""`bukutamu poll --once`: one poll cycle (for cron/systemd timers and tests)."""

from __future__ import annotations

from bukutamu.adapters.lock import WriterLock
from bukutamu.commands._common import say, settings_from, warn
from bukutamu.engine import Poller, lock_path, open_store, status_path
from bukutamu.errors import environment_fault


def add_parser(sub) -> None:
    p = sub.add_parser("poll", help="jalankan satu siklus polling",
                       description="Membaca sheet sekali, memproses baris baru dan perubahan, lalu menulis "
                                   "hasilnya dalam satu kali tulis.")
    p.add_argument("--once", action="store_true", help="satu siklus lalu keluar (saat ini satu-satunya mode; "
                                                       "untuk jalan terus gunakan `bukutamu run`)")
    p.add_argument("--tunggu", type=float, default=None, metavar="DETIK",
                   help="berapa lama menunggu bila poller lain sedang berjalan (bawaan: store.lock_wait_seconds)")
    p.set_defaults(func=run)


def run(args) -> int:
    settings = settings_from(args)
    wait = settings.store.lock_wait_seconds if args.tunggu is None else args.tunggu
    from datetime import datetime

    from bukutamu.service import StatusFile
    status = StatusFile.load(status_path(settings))  # the heartbeat, as `run` writes it every cycle
    with WriterLock(lock_path(settings), on_wait=warn).acquire(wait):
        store = open_store(settings)
        try:
            poller = Poller(settings, store)
            try:
                report = poller.run_once()
            finally:
                poller.close()
        except Exception as e:
            fault = environment_fault(e)
            if fault is not None:
                status.cycle_failed("poll", str(fault), datetime.now(settings.office.tz))
            raise
        finally:
            store.close()
        status.cycle_done(report, datetime.now(settings.office.tz))
    say(f"Siklus selesai: {report.new_visits} kunjungan baru, {report.transitions} perubahan status, "
        f"{'ada' if report.wrote else 'tidak ada'} penulisan.")
    return 0
