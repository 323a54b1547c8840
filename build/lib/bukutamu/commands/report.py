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
    from bukutamu.engine import journal_path, open_store
    from bukutamu.report.metrics import last_finished_week, parse_week
    from bukutamu.report.weekly import generate, send
    settings = settings_from(args)
    try:
        week = parse_week(args.minggu) if args.minggu else last_finished_week(
            datetime.now(settings.office.tz), settings.office.time_zone)
    except ValueError as e:
        raise BukutamuError(str(e)) from None
    store = open_store(settings)
    try:
        say(f"Membuat laporan {week.label} dari {store.describe()} …")
        report = generate(store, settings, week)
    finally:
        store.close()
    h = report.metrics.headline
    say(f"Laporan {week.label}: {report.html_path}")
    say(f"  XLSX: {report.xlsx_path}")
    say(f"  Kunjungan {h.get('kunjungan', 0)}, selesai {h.get('selesai', 0)}, batal {h.get('batal', 0)}.")
    if args.kirim or args.kirim_ulang:
        if not settings.report.recipients:
            raise BukutamuError("report.recipients kosong: isi alamat email pimpinan di konfigurasi.")
        from bukutamu.adapters.journal import MailJournal
        from bukutamu.adapters.mail import mailer_from_settings
        journal_path(settings).parent.mkdir(parents=True, exist_ok=True)
        journal = MailJournal(journal_path(settings))
        try:
            resend = 0
            if args.kirim_ulang:
                resend = 1 + sum(1 for k in journal.known_keys() if k.startswith(f"laporan/{week.label}/ulang-"))
            result = send(report, settings, journal, mailer_from_settings(settings),
                          datetime.now(settings.office.tz), resend)
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
