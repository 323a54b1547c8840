"""`bukutamu purge [--coba]`: anonymise visits past the retention period (README
"Retensi data"); the same job runs daily inside `bukutamu run`."""

from __future__ import annotations

from datetime import datetime

from bukutamu.adapters.lock import WriterLock
from bukutamu.commands._common import say, settings_from, warn


def add_parser(sub) -> None:
    p = sub.add_parser("purge", help="anonimkan kunjungan yang melewati masa retensi",
                       description="Menganonimkan kunjungan yang sudah ditutup lebih dari retention.days hari "
                                   "(bawaan 365): nama, NIK (tersisa 4 digit kode wilayah), tanggal lahir, nomor "
                                   "HP, email, keperluan, catatan, dan sidik data dihapus di register, tab "
                                   "tautan, arsip, jurnal email, outbox, dan basis data halaman web. Status, "
                                   "Riwayat, dan penilaian tetap ada, sehingga laporan mingguan tetap bisa dibuat. "
                                   "Aman diulang; bila terhenti di tengah jalan, jalankan lagi.")
    p.add_argument("--coba", "--dry-run", dest="coba", action="store_true",
                   help="uji coba: sebutkan apa yang akan diubah, tanpa menulis apa pun")
    p.add_argument("--tunggu", type=float, default=None, metavar="DETIK",
                   help="berapa lama menunggu bila poller sedang berjalan (bawaan: store.lock_wait_seconds)")
    p.set_defaults(func=run)


def run(args) -> int:
    from bukutamu import bootstrap
    from bukutamu.app.retention import cutoff_for, describe, purge, retention_tabs
    settings = settings_from(args)
    now = datetime.now(settings.office.tz)
    sop = bootstrap.sop_of(settings)
    wait = settings.store.lock_wait_seconds if args.tunggu is None else args.tunggu
    # Under the writer lock, like `bukutamu arsip`: no cycle or archive run meanwhile
    # (`bukutamu run` holds it and runs this job itself, daily at retention.at).
    with WriterLock(bootstrap.lock_path(settings), on_wait=warn).acquire(wait):
        stores = bootstrap.retention_stores(settings)
        journal = webdb = None
        try:
            journal = bootstrap.existing_journal(settings)
            webdb = bootstrap.existing_webdb(settings)
            say(("Uji coba retensi" if args.coba else "Retensi data")
                + f": masa retensi {settings.retention.days} hari.")
            report = purge(stores, retention_tabs(settings, sop), cutoff=cutoff_for(settings, now),
                           today=now.date(), tz=settings.office.tz, journal=journal, outbox=settings.mail.outbox,
                           webdb=webdb, dry_run=args.coba, say=say)
        finally:
            for place in (journal, *stores):
                if place is not None:
                    place.close()
    for line in describe(report):
        say(line)
    return 0
