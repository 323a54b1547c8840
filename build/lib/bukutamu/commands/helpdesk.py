"""`bukutamu helpdesk`: the helpdesk's inputs in embedded mode (no shared sheet).

Writes exactly the cells a helpdesk would edit in the Google Sheet — Verifikasi KTP,
Aksi Helpdesk, Catatan Helpdesk, and corrections of the guest's answers — and the
poller takes them from there on its next cycle.
"""

from __future__ import annotations

from bukutamu.adapters.sqlite_store import SqliteSheetStore
from bukutamu.commands._common import choice_metavar, say, settings_from, sheet_choice
from bukutamu.core.schema import FORM, HELPDESK_ACTIONS, REGISTER_COLUMNS, VERIFY_OK, VERIFY_WRONG
from bukutamu.core.register import read_register
from bukutamu.errors import BukutamuError

_FORM_KEYS = {c.key: c for c in REGISTER_COLUMNS if c.owner == FORM and c.key != "timestamp"}


def add_parser(sub) -> None:
    p = sub.add_parser("helpdesk", help="isian helpdesk di mode tertanam (verifikasi, aksi, koreksi)",
                       description="Untuk mode tertanam (tanpa Google Sheet): mengisi kolom helpdesk satu "
                                   "kunjungan. Poller memprosesnya pada siklus berikutnya.")
    p.add_argument("kunjungan", metavar="KUNJUNGAN",
                   help="ID kunjungan (20261125-A001) atau nomor antrian hari ini (A-001)")
    p.add_argument("--verifikasi", type=sheet_choice((VERIFY_OK, VERIFY_WRONG), "verifikasi"),
                   metavar=choice_metavar((VERIFY_OK, VERIFY_WRONG)), help="hasil pencocokan dengan fisik KTP")
    p.add_argument("--aksi", type=sheet_choice(sorted(HELPDESK_ACTIONS), "aksi"),
                   metavar=choice_metavar(sorted(HELPDESK_ACTIONS)),
                   help='langkah berikutnya, mis. Tamu-Diterima atau "Tamu Diterima" (huruf besar/kecil bebas)')
    p.add_argument("--catatan", help="catatan helpdesk (mis. catatan tamu saat umpan balik belum cukup)")
    p.add_argument("--ubah", action="append", default=[], metavar="KOLOM=NILAI",
                   help=f"koreksi isian tamu; KOLOM salah satu dari: {', '.join(sorted(_FORM_KEYS))}")
    p.set_defaults(func=run)


def run(args) -> int:
    from datetime import datetime
    settings = settings_from(args)
    if settings.store.kind != "embedded":
        raise BukutamuError("Di mode google, helpdesk bekerja langsung di Google Sheet.")
    edits: dict[str, object] = {}
    for item in args.ubah:
        key, sep, value = item.partition("=")
        if not sep or key not in _FORM_KEYS:
            raise BukutamuError(f"--ubah {item!r}: tulis KOLOM=NILAI dengan KOLOM salah satu dari "
                                + ", ".join(sorted(_FORM_KEYS)) + ".")
        edits[key] = value
    if args.verifikasi:
        edits["verifikasi"] = VERIFY_OK if args.verifikasi == "Sesuai" else VERIFY_WRONG
    if args.aksi:
        edits["aksi"] = args.aksi.replace("-", " ")
    if args.catatan is not None:
        edits["catatan_helpdesk"] = args.catatan
    if not edits:
        raise BukutamuError("Tidak ada yang diisi: pakai --verifikasi, --aksi, --catatan, atau --ubah.")
    store = SqliteSheetStore(settings.store.path, settings.office.time_zone)
    try:
        tab = store.read([settings.tabs.register]).tab(settings.tabs.register)
        if tab is None:
            raise BukutamuError("Register belum ada: jalankan `bukutamu init`.")
        view = read_register(tab, settings.columns)
        wanted = args.kunjungan.strip().upper()
        today = datetime.now(settings.office.tz).strftime("%Y%m%d")
        rows = [r for r in view.rows if r.visit_id.upper() == wanted
                or (r.text("antrian").upper() == wanted and r.visit_id.startswith(today))]
        if len(rows) != 1:
            raise BukutamuError(f"Kunjungan {args.kunjungan} tidak ditemukan"
                                + (" (nomor antrian hanya untuk hari ini; pakai ID kunjungan)" if "-" in wanted
                                   and not wanted[:8].isdigit() else "") + ".")
        row = rows[0]
        for key, value in edits.items():
            if not view.columns.has(key):
                raise BukutamuError(f"Kolom untuk {key} tidak ada di register; jalankan `bukutamu init`.")
            store.set_cell(tab.name, row.ref, view.columns.header[key], value)
    finally:
        store.close()
    say(f"{row.visit_id} ({row.text('antrian')}): {len(edits)} isian disimpan; diproses pada siklus berikutnya.")
    return 0
