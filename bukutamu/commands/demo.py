"""`bukutamu demo`: the main job on the embedded default, with synthetic guests.

Seeds synthetic form rows into the embedded store, runs a poll cycle and prints
the resulting register. Replaces an earlier demo's data, but never touches a store
that holds real visits.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from bukutamu.adapters.lock import WriterLock
from bukutamu.adapters.sqlite_store import SqliteSheetStore
from bukutamu.commands._common import say, settings_from, warn
from bukutamu.commands.register import format_register
from bukutamu.core.cells import datetime_to_serial
from bukutamu.core.register import read_register
from bukutamu.demo.form import as_row, form_values
from bukutamu.demo.guests import make_guest
from bukutamu.engine import Poller, lock_path, nik_key
from bukutamu.errors import BukutamuError
from bukutamu.layout import tab_specs

DEMO_MARK = "demo"


def add_parser(sub) -> None:
    p = sub.add_parser("demo", help="demo dengan tamu sintetis di mode tertanam",
                       description="Mengisi store tertanam dengan tamu sintetis (bukan data orang sungguhan), "
                                   "menjalankan siklus polling, lalu menampilkan register.")
    p.add_argument("--tamu", type=int, default=12, metavar="N", help="jumlah tamu sintetis (bawaan 12)")
    p.add_argument("--seed", type=int, default=2026, help="benih acak (sama = hasil sama)")
    p.set_defaults(func=run)


def ensure_demo_store(store: SqliteSheetStore, register_tab: str) -> None:
    """Refuse to overwrite a store holding real visits; wipe an earlier demo."""
    snap = store.read([register_tab])
    tab = snap.tab(register_tab)
    has_rows = bool(tab and any(any(c not in (None, "") for c in r.values) for r in tab.rows))
    if has_rows and store.meta(DEMO_MARK) != "1":
        raise BukutamuError(
            f"Store {store.path} sudah berisi kunjungan yang bukan data demo; demo tidak akan menimpanya. "
            "Jalankan demo di folder lain, misalnya: BUKUTAMU_DATA=/tmp/bukutamu-demo bukutamu demo")


def run(args) -> int:
    settings = settings_from(args)
    if settings.store.kind != "embedded":
        raise BukutamuError("Demo hanya berjalan di mode tertanam (store.kind = \"embedded\").")
    with WriterLock(lock_path(settings), on_wait=warn).acquire(settings.store.lock_wait_seconds):
        store = SqliteSheetStore(settings.store.path, settings.office.time_zone)
        try:
            nik_key(settings, create=True)
            store.init(tab_specs(settings))
            ensure_demo_store(store, settings.tabs.register)
            t = settings.tabs
            store.clear_tabs([t.register, t.history, t.queue, t.system])
            store.set_meta(DEMO_MARK, "1")
            tz = settings.office.tz
            rng = random.Random(args.seed)
            now = datetime.now(tz).replace(second=0, microsecond=0)
            start = now.replace(hour=7, minute=30) if now.hour >= 8 else now - timedelta(hours=1)
            header = store.read([t.register]).tab(t.register).header
            rows = []
            moment = start
            for _ in range(args.tamu):
                moment += timedelta(minutes=rng.randint(1, 6), seconds=rng.randint(0, 59))
                guest = make_guest(rng, now.date())
                rows.append(as_row(header, form_values(guest, datetime_to_serial(moment, tz)),
                                   dict(settings.columns)))
            store.append_rows(t.register, rows)
            say(f"{len(rows)} baris formulir sintetis ditambahkan ke {store.describe()}.")
            report = Poller(settings, store, clock=lambda: max(now, moment)).run_once()
            say(f"Siklus polling: {report.new_visits} kunjungan baru terdaftar.\n")
            snap = store.read([t.register])
            view = read_register(snap.tab(t.register), settings.columns)
            for line in format_register([r for r in view.rows if r.visit_id], tz):
                say(line)
        finally:
            store.close()
    return 0
