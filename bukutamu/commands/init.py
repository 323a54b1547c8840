"""`bukutamu init`: create or verify the tabs and headers."""

from __future__ import annotations

from bukutamu.commands._common import say, settings_from
from bukutamu.engine import create_key, key_path, open_store
from bukutamu.layout import tab_specs


def add_parser(sub) -> None:
    p = sub.add_parser("init", help="buat atau periksa tab dan judul kolom",
                       description="Membuat tab dan judul kolom yang belum ada (tidak pernah menghapus, "
                                   "mengurutkan ulang, atau mengganti nama yang sudah ada). Di Google juga "
                                   "memasang dropdown kolom helpdesk, proteksi peringatan kolom sistem, dan "
                                   "format teks biasa untuk NIK/HP. Di mode tertanam tanpa BUKUTAMU_HMAC_KEY juga "
                                   "membuat kunci HMAC di folder data store (hanya bila store belum berisi "
                                   "kunjungan).")
    p.add_argument("--kunci-baru", action="store_true",
                   help="buat kunci HMAC baru walau store sudah berisi kunjungan (hanya bila kunci lama hilang "
                        "dan tidak ada cadangannya: tautan email yang sudah terkirim tidak berlaku lagi)")
    p.set_defaults(func=run)


def run(args) -> int:
    settings = settings_from(args)
    store = open_store(settings)
    try:
        missing_key = not settings.secrets.hmac_key and not key_path(settings).exists()
        created = create_key(settings, has_visits=missing_key and store_has_visits(store, settings),
                             replace_lost=getattr(args, "kunci_baru", False))
        report = store.init(tab_specs(settings))
        missing = missing_form_columns(store, settings)
    finally:
        store.close()
    say(f"Store: {store.describe()}")
    say(f"Folder data: {settings.data_dir}")
    if created:
        say(f"  + kunci HMAC dibuat: {created} (simpan cadangannya; jangan dibagikan)")
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


def store_has_visits(store, settings) -> bool:
    """Does the register hold visits (rows the poller numbered)? Their NIK hashes and
    emailed links depend on the HMAC key. Unreadable columns count as "yes"."""
    from bukutamu.core.register import read_register
    from bukutamu.errors import BukutamuError
    tab = store.read([settings.tabs.register]).tab(settings.tabs.register)
    if tab is None or not tab.rows:
        return False
    try:
        return any(r.visit_id for r in read_register(tab, settings.columns).rows)
    except BukutamuError:
        return any(any(c not in (None, "") for c in r.values) for r in tab.rows)


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
