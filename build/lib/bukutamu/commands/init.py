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
        missing = missing_form_columns(store, settings)
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
    for col in missing:
        if col.required:
            say(f'  ! pertanyaan formulir wajib "{col.header}" tidak ada di tab {settings.tabs.register}: '
                "tambahkan di Google Form (atau atur [columns] bila judulnya lain).")
        else:
            say(f'  · pertanyaan opsional "{col.header}" tidak ada di formulir (tidak diperiksa).')
    return 1 if any(c.required for c in missing) else 0


def missing_form_columns(store, settings):
    """Form questions the register lacks (Google mode: the Form owns them)."""
    from bukutamu.core.schema import FORM, REGISTER_COLUMNS, normalise_header
    tab = store.read([settings.tabs.register]).tab(settings.tabs.register)
    have = {normalise_header(h) for h in (tab.header if tab else ())}
    out = []
    for col in REGISTER_COLUMNS:
        if col.owner != FORM:
            continue
        names = (settings.columns[col.key],) if col.key in settings.columns else col.names()
        if not any(normalise_header(n) in have for n in names):
            out.append(col)
    return out
