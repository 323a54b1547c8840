"""`bukutamu helpdesk`: the helpdesk's inputs in embedded mode (no shared sheet).

A thin adapter over ``bukutamu.app.helpdesk``: the input is judged against the
visit's status first (refused inputs are not saved, and the reason and the actions
that do apply are printed), then saved and — when no poller is busy — applied by
one cycle at once, so the clerk sees the outcome.
"""

from __future__ import annotations


from bukutamu.adapters.lock import WriterLock
from bukutamu.app.helpdesk import CORRECTABLE, HelpdeskInput, InputRefused, save_helpdesk_input
from bukutamu.commands._common import say, settings_from
from bukutamu.core.helpdesk import next_inputs
from bukutamu.core.schema import HELPDESK_ACTIONS
from bukutamu.errors import BukutamuError, StoreBusy


def add_parser(sub) -> None:
    p = sub.add_parser("helpdesk", help="isian helpdesk di mode tertanam (verifikasi, aksi, koreksi)",
                       description="Untuk mode tertanam (tanpa Google Sheet): mengisi kolom helpdesk satu "
                                   "kunjungan. Isian diperiksa dulu terhadap status kunjungan; yang diterima "
                                   "langsung diproses satu siklus (bila tidak ada poller lain yang sedang "
                                   "bekerja).")
    p.add_argument("kunjungan", metavar="KUNJUNGAN",
                   help="ID kunjungan (20261125-A001) atau nomor antrian hari ini (A-001)")
    p.add_argument("--verifikasi", metavar="HASIL", help='hasil pencocokan dengan fisik KTP: "Sesuai" atau '
                                                         '"Tidak Sesuai" (huruf besar/kecil bebas)')
    p.add_argument("--aksi", metavar="AKSI",
                   help="langkah berikutnya, seperti di dropdown: " + ", ".join(f'"{a}"' for a in HELPDESK_ACTIONS))
    p.add_argument("--catatan", help="catatan helpdesk (mis. catatan tamu saat umpan balik belum cukup)")
    p.add_argument("--ubah", action="append", default=[], metavar="KOLOM=NILAI",
                   help=f"koreksi isian tamu; KOLOM salah satu dari: {', '.join(sorted(CORRECTABLE))}")
    p.add_argument("--tanpa-siklus", action="store_true",
                   help="hanya simpan; biarkan poller yang berjalan memprosesnya")
    p.set_defaults(func=run)


def run(args) -> int:
    from bukutamu import bootstrap
    from bukutamu.engine import Poller, lock_path
    settings = settings_from(args)
    if settings.store.kind != "embedded":
        raise BukutamuError("Di mode google, helpdesk bekerja langsung di Google Sheet.")
    corrections: dict[str, str] = {}
    for item in args.ubah:
        key, sep, value = item.partition("=")
        if not sep or key.strip().lower() not in CORRECTABLE:
            raise BukutamuError(f"--ubah {item!r}: tulis KOLOM=NILAI dengan KOLOM salah satu dari "
                                + ", ".join(sorted(CORRECTABLE)) + ".")
        corrections[key.strip().lower()] = value
    given = HelpdeskInput(args.verifikasi, args.aksi, args.catatan, corrections)
    sop = bootstrap.sop_of(settings)
    now = bootstrap.office_clock(settings)()
    store = bootstrap.open_store(settings)
    try:
        try:
            saved = save_helpdesk_input(store, settings.tabs.register, settings.columns, sop, args.kunjungan,
                                        given, now)
        except InputRefused as e:
            say(f"DITOLAK: {e}")
            return 1
        say(f"{saved.visit_id} ({saved.queue}): {saved.fields} isian disimpan.")
        if args.tanpa_siklus:
            say("Diproses oleh poller pada siklus berikutnya.")
            return 0
        try:
            lock = WriterLock(lock_path(settings)).acquire(0)
        except StoreBusy:
            say(f"Poller sedang berjalan: diproses dalam ±{settings.poll.interval_seconds} detik "
                "(lihat `bukutamu register`).")
            return 0
        try:
            poller = Poller(settings, store)
            try:
                poller.run_once()
            finally:
                poller.close()
        finally:
            lock.release()
        return _show_outcome(store, settings, sop, saved.visit_id)
    finally:
        store.close()


def _show_outcome(store, settings, sop, visit_id: str) -> int:
    from bukutamu.core.register import read_register
    view = read_register(store.read([settings.tabs.register]).tab(settings.tabs.register), settings.columns)
    row = next(r for r in view.rows if r.visit_id == visit_id)
    state = sop.state_by_label(row.text("status"))
    say(f"Status sekarang: {row.text('status')}.")
    if row.text("catatan"):
        say(f"Catatan: {row.text('catatan')}")
    if state is not None and state.open:
        nxt = next_inputs(sop, state.code)
        if nxt:
            say("Berikutnya: " + ", ".join(nxt) + ".")
    return 0
