"""`bukutamu poll --once`: one poll cycle (for cron/systemd timers and tests)."""

from __future__ import annotations

from bukutamu.adapters.lock import WriterLock
from bukutamu.commands._common import say, settings_from, warn
from bukutamu.engine import Poller, lock_path, open_store


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
    with WriterLock(lock_path(settings), on_wait=warn).acquire(wait):
        store = open_store(settings)
        try:
            report = Poller(settings, store).run_once()
        finally:
            store.close()
    say(f"Siklus selesai: {report.new_visits} kunjungan baru, {report.transitions} perubahan status, "
        f"{'ada' if report.wrote else 'tidak ada'} penulisan.")
    return 0
