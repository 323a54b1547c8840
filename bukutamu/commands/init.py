"""`bukutamu init`: create or verify the tabs and headers."""

from __future__ import annotations

from bukutamu.commands._common import say, settings_from
from bukutamu.engine import nik_key, open_store
from bukutamu.layout import tab_specs


def add_parser(sub) -> None:
    p = sub.add_parser("init", help="buat atau periksa tab dan judul kolom",
                       description="Membuat tab dan judul kolom yang belum ada (tidak pernah menghapus, "
                                   "mengurutkan ulang, atau mengganti nama yang sudah ada). Di Google juga "
                                   "memasang dropdown kolom helpdesk, proteksi peringatan kolom sistem, dan "
                                   "format teks biasa untuk NIK/HP.")
    p.set_defaults(func=run)


def run(args) -> int:
    settings = settings_from(args)
    nik_key(settings, create=True)
    store = open_store(settings)
    try:
        report = store.init(tab_specs(settings))
    finally:
        store.close()
    say(f"Store: {store.describe()}")
    for t in report.created_tabs:
        say(f"  + tab dibuat: {t}")
    for h in report.added_headers:
        say(f"  + kolom ditambahkan: {h}")
    for n in report.notes:
        say(f"  · {n}")
    if not (report.created_tabs or report.added_headers):
        say("Semua tab dan kolom sudah lengkap.")
    return 0
