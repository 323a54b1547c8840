"""`bukutamu register`: print the register (visits, queue numbers, status)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bukutamu.commands._common import say, settings_from
from bukutamu.core.helpdesk import next_inputs
from bukutamu.core.ktp import mask_nik
from bukutamu.core.queue import parse_visit_id
from bukutamu.core.register import RegisterRow, read_register
from bukutamu.adapters.sopfile import load_sop
from bukutamu.core.sop import Sop
from bukutamu.engine import open_store


def add_parser(sub) -> None:
    p = sub.add_parser("register", help="tampilkan daftar kunjungan (nomor antrian, status)",
                       description="Menampilkan kunjungan yang sudah terdaftar. NIK ditampilkan tersamar.")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--tanggal", metavar="YYYY-MM-DD", type=date.fromisoformat,
                   help="hanya kunjungan tanggal ini (bawaan: hari ini)")
    g.add_argument("--semua", action="store_true", help="semua kunjungan")
    p.add_argument("--batas", type=int, default=200, metavar="N", help="paling banyak N baris (bawaan 200)")
    p.set_defaults(func=run)


def format_register(rows: list[RegisterRow], tz: ZoneInfo, sop: Sop | None = None) -> list[str]:
    """One line per visit; under it, indented, the program's note (refusals, what is
    wrong) and, for open visits, what the helpdesk can give next."""
    lines = [f"{'Antrian':<8} {'ID Kunjungan':<15} {'Daftar':<16} {'Nama':<24} {'NIK':<17} {'Status':<22} Cek KTP"]
    for r in rows:
        when = r.moment("waktu_daftar", tz)
        lines.append(f"{r.text('antrian'):<8} {r.visit_id:<15} "
                     f"{when.strftime('%d/%m/%Y %H:%M') if when else '':<16} {r.text('nama')[:24]:<24} "
                     f"{mask_nik(r.raw('nik')):<17} {r.text('status')[:22]:<22} {r.text('cek_ktp')[:60]}")
        if r.text("catatan"):
            lines.append(f"{'':<8} Catatan: {r.text('catatan')}")
        state = sop.state_by_label(r.text("status")) if sop else None
        if state is not None and state.open and next_inputs(sop, state.code):
            lines.append(f"{'':<8} Berikutnya: {', '.join(next_inputs(sop, state.code))}")
    return lines


def run(args) -> int:
    settings = settings_from(args)
    store = open_store(settings)
    try:
        snap = store.read([settings.tabs.register])
    finally:
        store.close()
    tab = snap.tab(settings.tabs.register)
    if tab is None:
        say("Tab register belum ada: jalankan `bukutamu init`.")
        return 1
    view = read_register(tab, settings.columns)
    tz = ZoneInfo(snap.time_zone)
    day = None if args.semua else (args.tanggal or datetime.now(settings.office.tz).date())
    rows = [r for r in view.rows if r.visit_id and (day is None or (parse_visit_id(r.visit_id) or (None,))[0] == day)]
    rows.sort(key=lambda r: r.visit_id)
    shown = rows[-args.batas:]
    for line in format_register(shown, tz, load_sop(settings.sop_path)):
        say(line)
    say(f"{len(rows)} kunjungan" + (f" pada {day:%d/%m/%Y}" if day else "") +
        (f" (ditampilkan {len(shown)} terakhir)" if len(shown) < len(rows) else "") + ".")
    return 0
