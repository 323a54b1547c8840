"""`bukutamu arsip`: move closed visits out of the live tabs into the year's archive."""

from __future__ import annotations

from bukutamu.adapters.lock import WriterLock
from bukutamu.commands._common import say, settings_from, warn


def add_parser(sub) -> None:
    p = sub.add_parser("arsip", help="pindahkan kunjungan yang sudah selesai ke arsip tahunan",
                       description="Memindahkan kunjungan yang selesai sedikitnya archive.after_days hari lalu "
                                   "(baris register, Riwayat, Konfirmasi, Umpan Balik) ke arsip tahunnya, agar "
                                   "setiap siklus hanya membaca kunjungan yang masih berjalan. Laporan membaca "
                                   "arsip dan tab aktif bersama. `bukutamu run` menjalankannya tiap hari "
                                   "(archive.at) dan sekali saat mulai. Aman diulang dan aman bila terhenti.")
    p.add_argument("--coba", "--dry-run", dest="coba", action="store_true",
                   help="hanya tampilkan apa yang akan dipindahkan; tidak ada yang ditulis")
    p.add_argument("--tunggu", type=float, default=None, metavar="DETIK",
                   help="berapa lama menunggu bila poller sedang berjalan (bawaan: store.lock_wait_seconds)")
    p.set_defaults(func=run)


def run(args) -> int:
    from bukutamu import bootstrap
    from bukutamu.app.archive import archive_visits
    settings = settings_from(args)
    wait = settings.store.lock_wait_seconds if args.tunggu is None else args.tunggu
    with WriterLock(bootstrap.lock_path(settings), on_wait=warn).acquire(wait):
        store, archives = bootstrap.open_store(settings), bootstrap.archive_stores(settings)
        journal = bootstrap.open_journal(settings)
        try:
            say(f"Mengarsipkan kunjungan selesai dari {store.describe()}"
                + (" (percobaan: tidak ada yang ditulis)" if args.coba else "") + " …")
            report = archive_visits(store, archives, settings, bootstrap.sop_of(settings), journal,
                                    bootstrap.office_clock(settings)(), dry_run=args.coba, progress=say)
        finally:
            journal.close()
            archives.close()
            store.close()
    for line in report.lines():
        say(line)
    for year in report.years:
        say(f"  Arsip {year}: {archives.describe(year)}")
    return 0
