"""`bukutamu check`: is everything in place? One pass/fail line per item."""

from __future__ import annotations

import json

from bukutamu.commands._common import say
from bukutamu.config import ENV_GOOGLE_KEY, ENV_HMAC_KEY, load_settings
from bukutamu.core.schema import (HISTORY_COLUMNS, OFFICER_COLUMNS, QUEUE_COLUMNS, SYSTEM_COLUMNS,
                                  resolve_columns)
from bukutamu.core.register import read_register
from bukutamu.errors import BukutamuError, CorruptFile

OK, FAIL, INFO, WARN = "[ OK ]", "[GAGAL]", "[INFO]", "[AWAS]"


def add_parser(sub) -> None:
    p = sub.add_parser("check", help="periksa konfigurasi, kredensial, akses sheet, kolom, dan SMTP",
                       description="Memeriksa semua yang dibutuhkan poller, satu baris lulus/gagal per hal, "
                                   "dengan petunjuk perbaikan. Tidak menulis apa pun.")
    p.set_defaults(func=run)


def _credentials(settings) -> tuple[str, str]:
    if settings.store.kind != "google":
        return INFO, "Kredensial Google: tidak diperlukan (mode tertanam)"
    path = settings.secrets.google_key_file
    try:
        with open(path, encoding="utf-8") as f:
            info = json.load(f)
    except FileNotFoundError:
        return FAIL, f"Kredensial Google: berkas di {ENV_GOOGLE_KEY} tidak ada — periksa path-nya"
    except (ValueError, UnicodeDecodeError):
        return FAIL, f"Kredensial Google: berkas di {ENV_GOOGLE_KEY} bukan JSON — unduh ulang kunci service account"
    missing = [k for k in ("client_email", "private_key", "token_uri") if not info.get(k)]
    if info.get("type") != "service_account" or missing:
        return FAIL, ("Kredensial Google: bukan kunci service account"
                      + (f" (tidak ada {', '.join(missing)})" if missing else "")
                      + " — buat kunci JSON di Google Cloud Console > IAM > Service Accounts")
    return OK, (f"Kredensial Google: service account {info['client_email']} "
                "(bagikan spreadsheet ke alamat ini sebagai Editor)")


def _exposed_files(settings) -> list[tuple[str, str]]:
    """Secrets and personal data readable by other users of this computer."""
    from bukutamu.adapters.files import readable_by_others
    from bukutamu.engine import journal_path
    files = []
    if settings.store.kind == "google" and settings.secrets.google_key_file:
        files.append(("kunci service account", settings.secrets.google_key_file))
    if settings.store.kind != "google":
        files.append(("store", settings.store.path))
    files += [("jurnal email", journal_path(settings)), ("kunci HMAC", settings.data_dir / "kunci-hmac")]
    return [(WARN, f"Izin berkas: {what} {path} dapat dibaca pengguna lain di komputer ini — "
                   f"jalankan `chmod 600 {path}` (berisi rahasia/data pribadi)")
            for what, path in files if readable_by_others(path)]


def run(args) -> int:
    lines: list[tuple[str, str]] = []
    try:
        settings = load_settings(args.config)
    except BukutamuError as e:
        say(f"{FAIL} Konfigurasi: {e}")
        return 1
    lines.append((OK, f"Konfigurasi: {settings.source}"))
    lines.append(_credentials(settings))
    from bukutamu.engine import nik_key, open_store
    try:
        nik_key(settings)
        lines.append((OK, "Kunci HMAC: tersedia" + ("" if settings.secrets.hmac_key else " (berkas data/kunci-hmac)")))
    except CorruptFile as e:
        lines.append((FAIL, f"Kunci HMAC: {e}"))
    except BukutamuError:
        lines.append((FAIL, f"Kunci HMAC: belum ada — jalankan `bukutamu init` atau atur {ENV_HMAC_KEY}"))
    lines += _exposed_files(settings)
    snapshot = None
    if lines[1][0] != FAIL:
        try:
            store = open_store(settings)
            t = settings.tabs
            snapshot = store.read([t.register, t.queue, t.system, t.officers], append_only=[t.history])
            store.close()
            lines.append((OK, f"Akses store: {store.describe()}"))
        except BukutamuError as e:
            lines.append((FAIL, f"Akses store: {e}"))
    if snapshot is not None:
        t = settings.tabs
        problems = []
        if snapshot.missing_tabs:
            problems.append("tab belum ada: " + ", ".join(snapshot.missing_tabs) + " (jalankan `bukutamu init`)")
        for name, cols in ((t.history, HISTORY_COLUMNS), (t.queue, QUEUE_COLUMNS), (t.system, SYSTEM_COLUMNS),
                           (t.officers, OFFICER_COLUMNS)):
            tab = snapshot.tab(name)
            if tab is not None:
                try:
                    resolve_columns(name, tab.header, cols)
                except BukutamuError as e:
                    problems.append(str(e).split(": ", 1)[-1])
        if snapshot.tab(t.register) is not None:
            try:
                read_register(snapshot.tab(t.register), settings.columns)
            except BukutamuError as e:
                problems.append(str(e).split(": ", 1)[-1])
        lines.append((FAIL, "Kolom: " + "; ".join(problems)) if problems else (OK, "Kolom: lengkap"))
    try:
        from bukutamu.adapters.mail import mailer_from_settings
        mailer = mailer_from_settings(settings)
        problem = mailer.check()
        mailer.close()
        lines.append((FAIL, f"Email: {problem}") if problem else (OK, f"Email: {mailer.describe()}"))
    except BukutamuError as e:
        lines.append((FAIL, f"Email: {e}"))
    for mark, text in lines:
        say(f"{mark} {text}")
    failed = sum(1 for m, _ in lines if m == FAIL)
    say("Semua pemeriksaan lulus." if not failed else f"{failed} pemeriksaan gagal.")
    return 1 if failed else 0
