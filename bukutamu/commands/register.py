"""`bukutamu register`: print the register (visits, queue numbers, status)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bukutamu import bootstrap
from bukutamu.app.register import next_for, visits
from bukutamu.commands._common import parse_day, say, settings_from
from bukutamu.core.ktp import mask_nik
from bukutamu.core.register import RegisterRow
from bukutamu.core.sop import Sop
from bukutamu.core.text import clean_line


def add_parser(sub) -> None:
    p = sub.add_parser("register", help="tampilkan daftar kunjungan (nomor antrian, status)",
                       description="Menampilkan kunjungan yang sudah terdaftar. NIK ditampilkan tersamar.")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--tanggal", metavar="TANGGAL", type=parse_day,
                   help="hanya kunjungan tanggal ini, mis. 30/11/2026 atau 2026-11-30 (bawaan: hari ini)")
    g.add_argument("--semua", action="store_true", help="semua kunjungan")
    p.add_argument("--batas", type=int, default=200, metavar="N", help="paling banyak N baris (bawaan 200)")
    p.set_defaults(func=run)


def format_register(rows: list[RegisterRow], tz: ZoneInfo, sop: Sop | None = None) -> list[str]:
    """One line per visit; under it, indented, the program's note (refusals, what is
    wrong) and, for open visits, what the helpdesk can give next."""
    lines = [f"{'Antrian':<8} {'ID Kunjungan':<15} {'Daftar':<16} {'Nama':<24} {'NIK':<17} {'Status':<22} Cek KTP"]
    for r in rows:
        when = r.moment("waktu_daftar", tz)
        t = lambda key: clean_line(r.text(key))  # noqa: E731 - no control/bidi characters on a terminal
        lines.append(f"{t('antrian'):<8} {clean_line(r.visit_id):<15} "
                     f"{when.strftime('%d/%m/%Y %H:%M') if when else '':<16} {t('nama')[:24]:<24} "
                     f"{clean_line(mask_nik(r.raw('nik'))):<17} {t('status')[:22]:<22} {t('cek_ktp')[:60]}")
        if r.text("catatan"):
            lines.append(f"{'':<8} Catatan: {t('catatan')}")
        nxt = next_for(sop, r) if sop else []
        if nxt:
            lines.append(f"{'':<8} Berikutnya: {', '.join(nxt)}")
    return lines


def run(args) -> int:
    settings = settings_from(args)
    day = None if args.semua else (args.tanggal or bootstrap.office_clock(settings)().date())
    store = bootstrap.open_store(settings)
    try:
        query = visits(store, settings.tabs.register, settings.columns, day)
    finally:
        store.close()
    if query is None:
        say("Tab register belum ada: jalankan `bukutamu init`.")
        return 1
    rows = query.rows
    shown = rows[-args.batas:]
    for line in format_register(shown, query.time_zone, bootstrap.sop_of(settings)):
        say(line)
    say(f"{len(rows)} kunjungan" + (f" pada {day:%d/%m/%Y}" if day else "") +
        (f" (ditampilkan {len(shown)} terakhir)" if len(shown) < len(rows) else "") + ".")
    return 0
