"""`bukutamu report`: the weekly SLA report (HTML, XLSX, charts; optional email)."""

from __future__ import annotations

from datetime import datetime

from bukutamu.commands._common import say, settings_from
from bukutamu.errors import BukutamuError


def add_parser(sub) -> None:
    p = sub.add_parser("report", help="buat laporan SLA mingguan",
                       description="Membuat laporan SLA satu minggu di reports/<YYYY>-W<ww>/ (laporan.html, "
                                   "laporan.xlsx, grafik). Membuat ulang minggu yang sama menghasilkan berkas yang "
                                   "sama. Dengan --kirim, laporan dikirim sekali ke report.recipients.")
    p.add_argument("--minggu", metavar="YYYY-Www", help="minggu ISO, mis. 2026-W48 (bawaan: minggu terakhir "
                                                         "yang sudah selesai)")
    p.add_argument("--kirim", action="store_true", help="kirim email ke report.recipients (sekali per minggu)")
    p.add_argument("--kirim-ulang", action="store_true", help="kirim lagi walau sudah pernah dikirim")
    p.set_defaults(func=run)


def run(args) -> int:
    from bukutamu.bootstrap import open_store
    from bukutamu.report.metrics import last_finished_week, parse_week
    from bukutamu.report.weekly import generate
    settings = settings_from(args)
    try:
        week = parse_week(args.minggu) if args.minggu else last_finished_week(
            datetime.now(settings.office.tz), settings.office.time_zone)
    except ValueError as e:
        raise BukutamuError(str(e)) from None
    from bukutamu.bootstrap import archive_stores
    store, archives = open_store(settings), archive_stores(settings)
    try:
        say(f"Membuat laporan {week.label} dari {store.describe()} …")
        report = generate(store, settings, week, archives)
    finally:
        archives.close()
        store.close()
    h = report.metrics.headline
    say(f"Laporan {week.label}: {report.html_path}")
    say(f"  XLSX: {report.xlsx_path}")
    from bukutamu.report.render import counts_line
    say(f"  {counts_line(h)}")
    if args.kirim or args.kirim_ulang:
        if not settings.report.recipients:
            raise BukutamuError("report.recipients kosong: isi alamat email pimpinan di konfigurasi.")
        from bukutamu import bootstrap
        from bukutamu.app.notify import EmailNotifier
        from bukutamu.app.report import next_resend, send_weekly_report
        journal = bootstrap.open_journal(settings)  # the journal of this store only
        try:
            resend = next_resend(journal, week) if args.kirim_ulang else 0
            result = send_weekly_report(report, settings, journal, EmailNotifier(bootstrap.open_mailer(settings)),
                                        bootstrap.office_clock(settings)(), resend)
        finally:
            journal.close()
        if result.sent:
            say(f"Email laporan terkirim ke {', '.join(settings.report.recipients)}.")
        elif result.skipped:
            say("Laporan minggu ini sudah pernah dikirim; pakai --kirim-ulang untuk mengirim lagi.")
        else:
            raise BukutamuError("Email laporan belum terkirim: " + "; ".join(result.errors.values())
                                + " (akan dicoba lagi oleh `bukutamu run`).")
    return 0
