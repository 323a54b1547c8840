"""`bukutamu check`: is everything in place? One pass/fail line per item."""

from __future__ import annotations

import json
from dataclasses import replace

from bukutamu.commands._common import offices_from, say
from bukutamu.config import ENV_GOOGLE_KEY, ENV_HMAC_KEY
from bukutamu.core.schema import (HISTORY_COLUMNS, OFFICER_COLUMNS, QUEUE_COLUMNS, REGISTER_COLUMNS,
                                  SYSTEM_COLUMNS, resolve_columns)
from bukutamu.core.register import read_register
from bukutamu.errors import BukutamuError

OK, FAIL, INFO, WARN = "[ OK ]", "[GAGAL]", "[INFO]", "[PERINGATAN]"
RECENT_ROWS = 1000  # bidang chosen by the latest guests


def add_parser(sub) -> None:
    p = sub.add_parser("check", help="periksa konfigurasi, kredensial, akses sheet, kolom, dan SMTP",
                       description="Memeriksa semua yang dibutuhkan poller, satu baris lulus/gagal per hal, "
                                   "dengan petunjuk perbaikan. Tidak menulis apa pun. Dengan beberapa kantor "
                                   "([offices.KODE]): satu blok per kantor (atau hanya --kantor KODE), lalu kuota "
                                   "baca Google per service account.")
    p.set_defaults(func=run)


def _credentials(settings) -> tuple[str, str]:
    if settings.store.kind != "google":
        return INFO, "Kredensial Google: tidak diperlukan (mode tertanam)"
    path = settings.secrets.google_key_file
    var = ENV_GOOGLE_KEY
    if settings.slug:  # the office's own variable, or the shared one
        from bukutamu.config import office_env_name
        var = f"{office_env_name(ENV_GOOGLE_KEY, settings.slug)} atau {ENV_GOOGLE_KEY}"
    try:
        with open(path, encoding="utf-8") as f:
            info = json.load(f)
    except FileNotFoundError:
        return FAIL, f"Kredensial Google: berkas di {var} tidak ada — periksa path-nya"
    except (ValueError, UnicodeDecodeError):
        return FAIL, f"Kredensial Google: berkas di {var} bukan JSON — unduh ulang kunci service account"
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
    from bukutamu.engine import journal_path, key_path
    files = []
    if settings.store.kind == "google" and settings.secrets.google_key_file:
        files.append(("kunci service account", settings.secrets.google_key_file))
    if settings.store.kind != "google":
        files.append(("store", settings.store.path))
    files += [("jurnal email", journal_path(settings)), ("kunci HMAC", key_path(settings))]
    return [(WARN, f"Izin berkas: {what} {path} dapat dibaca pengguna lain di komputer ini — "
                   f"jalankan `chmod 600 {path}` (berisi rahasia/data pribadi)")
            for what, path in files if readable_by_others(path)]
def _cell_budget(cells: int, snapshot, settings) -> tuple[str, str]:
    """Google: the spreadsheet's cells against the 10 million limit, and when it fills."""
    from datetime import datetime

    from bukutamu.core.budget import CellBudget, budget_line, cells_per_visit, recent_rate
    from bukutamu.core.queue import parse_visit_id
    today = datetime.now(settings.office.tz).date()
    register, history = snapshot.tab(settings.tabs.register), snapshot.tab(settings.tabs.history)
    days, width = [], 0
    if register is not None:
        width = len(register.header)
        try:
            days = [p[0] for r in read_register(register, settings.columns).rows
                    if (p := parse_visit_id(r.visit_id))]
        except BukutamuError:
            days = []
    per_visit = cells_per_visit(width, history.data_rows if history else 0, len(history.header) if history else 0,
                                len(days))
    budget = CellBudget(cells, recent_rate(days, today, per_visit))
    return (WARN if budget.alarming else INFO), "Sel spreadsheet: " + budget_line(budget, today)


def _officer_warnings(snapshot, settings) -> list[str]:
    from bukutamu.core.officers import coverage_warnings, read_officers
    officers = read_officers(snapshot.tab(settings.tabs.officers))
    register = snapshot.tab(settings.tabs.register)
    bidang = []
    if register is not None:
        bidang = [r.text("bidang") for r in read_register(register, settings.columns).rows[-RECENT_ROWS:]]
    return coverage_warnings(officers, bidang)


def _plain_text(store, settings, snapshot) -> list[tuple[str, str]]:
    """Google only: NIK and phone columns must be Plain text (one cheap request), and
    values the sheet already turned into numbers are counted (from the snapshot)."""
    tab = snapshot.tab(settings.tabs.register)
    if not hasattr(store, "plain_text_columns") or tab is None:
        return []
    wanted = [replace(c, required=False) for c in REGISTER_COLUMNS if c.plain_text]  # also before init
    try:
        found = resolve_columns(tab.name, tab.header, wanted, settings.columns)
    except BukutamuError:
        return []  # a duplicated header: the column line says so
    cols = dict(found.index)
    ok = store.plain_text_columns(tab.name, sorted(cols.values()))
    bad = [found.header[k] for k, c in cols.items() if not ok.get(c)]
    names = ", ".join(f'"{found.header[k]}"' for k in cols)
    out = []
    if bad:
        out.append((FAIL, "Format Teks biasa: kolom " + ", ".join(f'"{h}"' for h in bad) + f' di tab "{tab.name}" '
                    "belum berformat Teks biasa — jalankan `bukutamu init` (atau pilih kolomnya lalu Format > Angka > "
                    "Teks biasa) sebelum jawaban berikutnya masuk; tanpa itu Sheets mengubah NIK 16 digit menjadi "
                    "angka (digit terakhir hilang) dan membuang 0 di depan nomor HP"))
    elif cols:
        out.append((OK, f"Format Teks biasa: kolom {names} sudah berformat Teks biasa"))
    counts = []
    for key, what in (("nik", "NIK"), ("telepon", "nomor HP")):
        rows = [r for r in tab.rows if key in cols and isinstance(r.get(cols[key]), (int, float))
                and not isinstance(r.get(cols[key]), bool)]
        if rows:
            where = ", ".join(str(r.ref) for r in rows[:5]) + (", …" if len(rows) > 5 else "")
            counts.append(f"{what} di {len(rows)} baris (baris {where})")
    if counts:
        out.append((INFO, "Nilai yang sudah terlanjur menjadi angka: " + "; ".join(counts) + " — format Teks biasa "
                    "tidak mengubahnya; ketik ulang dari KTP/tamu sebagai teks di sel itu (kunjungannya ditandai "
                    "PERLU PERBAIKAN sampai diperbaiki)"))
    return out


def _archive_lines(snapshot, settings) -> list[tuple[str, str]]:
    """Where the archive is, whether each archive spreadsheet opens, and whether
    finished visits are piling up in the live tabs (the daily archive not running)."""
    from bukutamu.bootstrap import archive_stores
    from bukutamu.core.archive import ArchiveRules, due_visits
    from bukutamu.bootstrap import sop_of
    from bukutamu.app.archive import archive_tabs
    from datetime import datetime
    out: list[tuple[str, str]] = []
    archives = archive_stores(settings)
    try:
        years = archives.years()
        out.append((INFO, "Arsip: " + (", ".join(f"{y} ({archives.describe(y)})" for y in years) if years
                                       else "belum ada") + f"; diarsipkan tiap hari pukul {settings.archive.at}, "
                    f"kunjungan yang selesai sedikitnya {settings.archive.after_days} hari lalu"))
        for year in sorted(settings.archive.spreadsheets) if settings.store.kind == "google" else ():
            try:
                archives.get(year).read([settings.tabs.register])
            except BukutamuError as e:
                out.append((FAIL, f"Arsip {year}: spreadsheet {settings.archive.spreadsheets[year]} tidak bisa "
                                  f"dibuka ({e}). Bagikan ke email service account sebagai Editor, atau hapus "
                                  f"tahun itu dari archive.spreadsheets."))
    finally:
        archives.close()
    sop = sop_of(settings)
    closed = frozenset(s.label for s in sop.states.values() if not s.open)
    tz = settings.office.tz
    # Riwayat is read append-only here: each visit's closing day is then its registration day.
    waiting = due_visits(snapshot, ArchiveRules(archive_tabs(settings), closed, settings.archive.after_days,
                                                datetime.now(tz).date(), tz, dict(settings.columns)))
    if len(waiting) >= 500:
        out.append((WARN, f"Arsip: {len(waiting)} kunjungan selesai masih di tab aktif (setiap siklus membacanya). "
                          "Jalankan `bukutamu arsip`, atau pastikan `bukutamu run` berjalan (mengarsipkan tiap hari)."))
    return out


def run(args) -> int:
    try:
        offices = offices_from(args)
    except BukutamuError as e:
        say(f"{FAIL} Konfigurasi: {e}")
        return 1
    failed = 0
    for settings in offices:
        if len(offices) > 1:
            say(f"== Kantor {settings.slug}: {settings.office.name} ==")
        lines = check_office(settings)
        for mark, text in lines:
            say(f"{mark} {text}")
        failed += sum(1 for m, _ in lines if m == FAIL)
    if len(offices) > 1:
        say("== Semua kantor ==")
    for mark, text in quota_lines(offices):
        say(f"{mark} {text}")
    say("Semua pemeriksaan lulus." if not failed else f"{failed} pemeriksaan gagal.")
    return 1 if failed else 0


def check_office(settings) -> list[tuple[str, str]]:
    """One office's lines (configuration, credentials, key, folders, store, columns, mail)."""
    lines: list[tuple[str, str]] = []
    lines.append((OK, f"Konfigurasi: {settings.source}" + (f" [offices.{settings.slug}]" if settings.slug else "")))
    lines.append(_credentials(settings))
    from bukutamu.bootstrap import claim_data_dir, key_path, nik_key, open_store
    try:
        nik_key(settings)
        lines.append((OK, "Kunci HMAC: tersedia" + (f" ({ENV_HMAC_KEY})" if settings.secrets.hmac_key
                                                   else f" (berkas {key_path(settings)})")))
    except BukutamuError as e:
        lines.append((FAIL, f"Kunci HMAC: {e}"))
    try:
        claim_data_dir(settings, write=False)
        lines.append((INFO, f"Folder data store ini: {settings.data_dir} (jurnal email, kunci HMAC, status.json)"))
    except BukutamuError as e:
        lines.append((FAIL, f"Folder data store ini: {e}"))
    lines += _exposed_files(settings)
    snapshot, tab_names, formats, cells = None, None, [], None
    if lines[1][0] != FAIL:
        try:
            store = open_store(settings)
            t = settings.tabs
            snapshot = store.read([t.register, t.queue, t.system, t.officers], append_only=[t.history])
            if hasattr(store, "tab_names") and t.register in snapshot.missing_tabs:
                tab_names = store.tab_names()
            formats = _plain_text(store, settings, snapshot)
            cells = store.cell_count() if hasattr(store, "cell_count") else None
            store.close()
            lines.append((OK, f"Akses store: {store.describe()}"))
        except BukutamuError as e:
            lines.append((FAIL, f"Akses store: {e}"))
    if snapshot is not None:
        t = settings.tabs
        problems = []
        if snapshot.missing_tabs:
            problems.append("tab belum ada: " + ", ".join(snapshot.missing_tabs) + " (jalankan `bukutamu init`)")
        if tab_names is not None:
            problems.append(f'tab register "{t.register}" tidak ada; tab yang ada di spreadsheet: '
                            + (", ".join(f'"{n}"' for n in tab_names) or "(tidak ada)")
                            + " — bila jawaban formulir masuk ke tab lain (mis. \"Jawaban Formulir 2\"), "
                            "atur tabs.register ke nama tab itu")
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
        lines += formats
        if cells is not None:
            lines.append(_cell_budget(cells, snapshot, settings))
        if not problems:
            lines += [(WARN, f"Petugas: {w}") for w in _officer_warnings(snapshot, settings)]
            lines += _archive_lines(snapshot, settings)
    try:
        from bukutamu.bootstrap import open_mailer
        mailer = open_mailer(settings)
        problem = mailer.check()
        mailer.close()
        lines.append((FAIL, f"Email: {problem}") if problem else (OK, f"Email: {mailer.describe()}"))
    except BukutamuError as e:
        lines.append((FAIL, f"Email: {e}"))
    return lines


# Google Sheets API: read requests per minute per user (a service account) per project.
READS_PER_MINUTE = 60
READS_PER_MINUTE_PROJECT = 300  # all users of one Google Cloud project together
READS_PER_CYCLE = 1  # one batchGet of every tab; metadata is re-read only rarely (tab renamed / created)


def reads_per_minute(settings) -> float:
    return READS_PER_CYCLE * 60 / settings.poll.interval_seconds


def max_offices(interval_seconds: int = 15) -> int:
    """How many offices one service account serves at this poll interval."""
    return int(READS_PER_MINUTE // (READS_PER_CYCLE * 60 / interval_seconds))


def _account(settings) -> tuple[str, str]:
    """The service account of a key file (client_email, project_id), or the file's path."""
    path = settings.secrets.google_key_file
    try:
        with open(path, encoding="utf-8") as f:
            info = json.load(f)
        email, project = info.get("client_email"), info.get("project_id")
    except (OSError, ValueError, AttributeError):
        email = project = None
    return (email if isinstance(email, str) and email else f"berkas {path}",
            project if isinstance(project, str) else "")


def quota_lines(offices) -> list[tuple[str, str]]:
    """Google offices grouped by service account: their read requests per minute
    against Google's 60 per minute per user per project."""
    from bukutamu.config import office_env_name
    google = [s for s in offices if s.store.kind == "google"]
    if not google:
        return []
    groups: dict[str, list] = {}
    projects: dict[str, list] = {}
    for s in google:
        account, project = _account(s)
        groups.setdefault(account, []).append(s)
        if project:
            projects.setdefault(project, []).append(s)
    out = []
    for project, group in projects.items():
        total = sum(reads_per_minute(s) for s in group)
        if total > READS_PER_MINUTE_PROJECT:
            out.append((WARN, f"Kuota Google: project {project} — ±{total:g} permintaan baca/menit dari semua "
                              f"service account-nya, melebihi batas {READS_PER_MINUTE_PROJECT} per menit per project: "
                              "pakai service account dari project lain untuk sebagian kantor"))
    for account, group in groups.items():
        total = sum(reads_per_minute(s) for s in group)
        names = ", ".join(s.slug or "kantor ini" for s in group)
        what = (f"Kuota Google: service account {account} — {len(group)} kantor ({names}), ±{total:g} permintaan "
                f"baca/menit dari batas {READS_PER_MINUTE} per menit per pengguna per project")
        if total <= READS_PER_MINUTE:
            out.append((INFO, what))
            continue
        move, left = [], total
        for s in sorted(group, key=reads_per_minute, reverse=True):
            if left <= READS_PER_MINUTE:
                break
            move.append(s)
            left -= reads_per_minute(s)
        hint = ", ".join(f"{s.slug} ({office_env_name(ENV_GOOGLE_KEY, s.slug)})" for s in move if s.slug)
        out.append((WARN, what + " — MELEBIHI batas: Google akan menolak sebagian siklus (429). "
                    + (f"Pindahkan kantor {hint} ke service account sendiri (kunci JSON lain), "
                       if hint else "")
                    + "atau perpanjang poll.interval_seconds"))
    out.append((INFO, f"Satu service account melayani paling banyak {max_offices(15)} kantor pada jeda 15 detik "
                      f"(1 baca per siklus; {READS_PER_MINUTE} baca per menit)"))
    return out
