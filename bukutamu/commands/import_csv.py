"""`bukutamu import-csv FILE`: Google Forms responses (CSV) into the embedded store."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from bukutamu.adapters.forms_csv import read_forms_csv
from bukutamu.adapters.lock import WriterLock
from bukutamu.commands._common import say, settings_from, warn
from bukutamu.core.cells import is_number
from bukutamu.core.register import read_register
from bukutamu.commands.init import store_has_visits
from bukutamu.bootstrap import create_key, key_path, lock_path, open_store
from bukutamu.errors import BukutamuError
from bukutamu.layout import tab_specs


def add_parser(sub) -> None:
    p = sub.add_parser("import-csv", help="impor jawaban Google Forms (CSV) ke store tertanam",
                       description="Menambahkan baris jawaban dari berkas CSV ekspor Google Forms/Sheets ke "
                                   "register tertanam. Baris yang sudah ada (stempel waktu sama, walau "
                                   "helpdesk sudah mengoreksi isinya) dilewati, jadi aman dijalankan ulang. "
                                   "Setelah itu jalankan `bukutamu poll --once`.")
    p.add_argument("berkas", type=Path, metavar="BERKAS", help="berkas .csv")
    p.add_argument("--bulan-dulu", action="store_true",
                   help="tanggal di CSV berformat bulan/hari/tahun (ekspor berbahasa Inggris AS); "
                        "bawaan hari/bulan/tahun")
    p.set_defaults(func=run)


def _archived_seconds(settings) -> Counter:
    """Form timestamps (to the second) of the visits already moved to the archive."""
    from bukutamu.bootstrap import archive_stores
    seen: Counter = Counter()
    archives = archive_stores(settings)
    try:
        for year in archives.years():
            tab = archives.get(year).read([settings.tabs.register]).tab(settings.tabs.register)
            if tab is not None and tab.rows:
                seen.update(round(float(r.raw("timestamp")) * 86400) for r in read_register(tab, settings.columns).rows
                            if is_number(r.raw("timestamp")))
    finally:
        archives.close()
    return seen


def run(args) -> int:
    settings = settings_from(args)
    if settings.store.kind != "embedded":
        raise BukutamuError("import-csv hanya untuk mode tertanam; di mode google jawaban sudah ada di sheet.")
    with WriterLock(lock_path(settings), on_wait=warn).acquire(settings.store.lock_wait_seconds):
        store = open_store(settings)  # embedded: the SQLite store
        try:
            if not key_path(settings).exists() and not store_has_visits(store, settings):
                create_key(settings, has_visits=False)  # a new store, as `init` would (never replaces a key)
            store.init(tab_specs(settings))
            tab = store.read([settings.tabs.register]).tab(settings.tabs.register)
            parsed = read_forms_csv(args.berkas, tab.header, settings.office.tz,
                                    day_first=not args.bulan_dulu, renames=dict(settings.columns))
            view = read_register(tab, settings.columns)
            # A row is known by its form timestamp (to the second), which a helpdesk correction of
            # the name or NIK never changes; rows sharing one second are matched by their count.
            seen = Counter(round(float(r.raw("timestamp")) * 86400) for r in view.rows
                           if is_number(r.raw("timestamp")))
            seen.update(_archived_seconds(settings))  # archived visits were imported too
            ts_i = view.columns.index["timestamp"]
            new = []
            for r in parsed.rows:
                second = round(float(r[ts_i]) * 86400)
                if seen[second] > 0:
                    seen[second] -= 1
                else:
                    new.append(r)
            store.append_rows(settings.tabs.register, new)
        finally:
            store.close()
    say(f"{len(new)} baris diimpor, {len(parsed.rows) - len(new)} sudah ada sebelumnya.")
    for line in parsed.skipped:
        warn(f"Dilewati: {line}")
    if parsed.ignored_columns:
        warn("Kolom CSV yang tidak dipakai: " + ", ".join(parsed.ignored_columns))
    say("Jalankan `bukutamu poll --once` untuk memproses baris baru.")
    return 0 if not parsed.skipped else 1
