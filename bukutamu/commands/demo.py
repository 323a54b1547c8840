"""`bukutamu demo`: the README's main job. A realistic office week with synthetic
guests, driven through the real engine on the embedded default, then the weekly
report for that week.

The demo writes into the embedded default store, replacing an earlier demo's data
without asking, but never a store that holds real visits. It deletes and rewrites
only its own store's data folder (journal, outbox; the key only when missing),
never a configured ``mail.outbox`` or another store's folder.
"""

from __future__ import annotations

import random
import shutil
from dataclasses import replace
from datetime import datetime, time, timedelta

from tqdm import tqdm

from bukutamu.adapters.lock import WriterLock
from bukutamu.adapters.mail.outbox import OutboxMailer
from bukutamu.adapters.sqlite_store import SqliteSheetStore
from bukutamu.commands._common import say, settings_from, warn
from bukutamu.config import LinkSettings
from bukutamu.engine import OWNER_FILE, Poller, create_key, journal_path, lock_path, open_journal
from bukutamu.errors import BukutamuError
from bukutamu.layout import tab_specs

DEMO_MARK = "demo"
DEMO_WEEK = "2026-W34"  # Monday 17 August 2026 is Independence Day: a week with a holiday


def add_parser(sub) -> None:
    p = sub.add_parser("demo", help="simulasi satu minggu kantor dengan tamu sintetis, lalu laporannya",
                       description="Mensimulasikan satu minggu kerja (100–150 tamu sintetis per hari, salah ketik "
                                   "KTP dan koreksi, umpan balik 'belum cukup', petugas lambat, tamu yang pergi, "
                                   "satu hari libur) melalui mesin yang sesungguhnya di mode tertanam, email ke "
                                   "folder outbox, lalu membuat laporan SLA minggu itu. Benih sama = laporan sama.")
    p.add_argument("--seed", type=int, default=2026, help="benih acak (bawaan 2026)")
    p.add_argument("--minggu", default=DEMO_WEEK, metavar="YYYY-Www",
                   help=f"minggu yang disimulasikan (bawaan {DEMO_WEEK}, ada libur 17 Agustus)")
    p.add_argument("--tamu-per-hari", default="100-150", metavar="MIN-MAKS",
                   help="rentang jumlah tamu per hari kerja (bawaan 100-150)")
    p.add_argument("--tanpa-progres", action="store_true", help="jangan tampilkan bilah progres")
    p.set_defaults(func=run)


def ensure_demo_store(store: SqliteSheetStore, register_tab: str) -> None:
    """Refuse to overwrite a store holding real visits; an earlier demo is fine."""
    snap = store.read([register_tab])
    tab = snap.tab(register_tab)
    has_rows = bool(tab and any(any(c not in (None, "") for c in r.values) for r in tab.rows))
    if has_rows and store.meta(DEMO_MARK) != "1":
        raise BukutamuError(
            f"Store {store.path} sudah berisi kunjungan yang bukan data demo; demo tidak akan menimpanya. "
            "Jalankan demo di folder lain, misalnya: BUKUTAMU_DATA=/tmp/bukutamu-demo bukutamu demo")


def keep_aside(paths) -> None:
    """Rename instead of delete: ``jurnal-email.sqlite`` -> ``jurnal-email.sqlite.sebelum-demo-<time>``."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for path in paths:
        for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            if p.exists():
                aside = p.with_name(f"{path.name}.sebelum-demo-{stamp}{p.name[len(path.name):]}")
                p.rename(aside)
                if p == path:
                    warn(f"{p} mungkin milik store lain (folder data lama tanpa {OWNER_FILE}); "
                         f"disimpan sebagai {aside}, bukan dihapus.")


def demo_settings(settings):
    from bukutamu.demo.simulate import LINK_ENTRIES
    return replace(settings, links=LinkSettings(**LINK_ENTRIES),
                   mail=replace(settings.mail, kind="outbox", outbox=settings.data_dir / "outbox"),
                   report=replace(settings.report, recipients=("kepala.biro@biro-pbj.invalid",)),
                   office=replace(settings.office, helpdesk_email="helpdesk@biro-pbj.invalid",
                                  supervisor_email="kabag.pengadaan@biro-pbj.invalid"))


def run(args) -> int:
    from bukutamu.demo.simulate import OFFICERS, OfficeWeek
    from bukutamu.report.render import counts_line
    from bukutamu.report.metrics import parse_week
    from bukutamu.app.report import send_weekly_report
    from bukutamu.report.weekly import generate
    settings = settings_from(args)
    if settings.store.kind != "embedded":
        raise BukutamuError("Demo hanya berjalan di mode tertanam (store.kind = \"embedded\").")
    try:
        week = parse_week(args.minggu)
        lo, hi = (int(x) for x in args.tamu_per_hari.split("-"))
        if not 0 < lo <= hi:
            raise ValueError
    except ValueError as e:
        raise BukutamuError(str(e) if "Minggu" in str(e) else "--tamu-per-hari: tulis seperti 100-150.") from None
    settings = demo_settings(settings)
    if not getattr(args, "verbose", False):
        import logging
        logging.getLogger("bukutamu").setLevel(logging.WARNING)  # the progress bar says enough
    with WriterLock(lock_path(settings), on_wait=warn).acquire(settings.store.lock_wait_seconds):
        store = SqliteSheetStore(settings.store.path, settings.office.time_zone)
        try:
            store.init(tab_specs(settings))
            ensure_demo_store(store, settings.tabs.register)
            unclaimed = not (settings.data_dir / OWNER_FILE).exists()
            create_key(settings, has_visits=False)  # demo data only: nothing depends on an earlier key
            t = settings.tabs
            store.clear_tabs([t.register, t.history, t.queue, t.system, t.officers, t.confirmations, t.feedback])
            store.set_meta(DEMO_MARK, "1")
            if unclaimed:  # a folder from before per-store data folders: maybe another store's journal
                keep_aside([journal_path(settings), settings.mail.outbox])
            journal_path(settings).unlink(missing_ok=True)
            shutil.rmtree(settings.mail.outbox, ignore_errors=True)
            shutil.rmtree(settings.data_dir / "arsip", ignore_errors=True)  # an earlier demo's archive
            store.append_rows(t.officers, [list(o[:5]) for o in OFFICERS])

            journal = open_journal(settings)
            mailer = OutboxMailer(settings.mail.outbox, settings.mail.sender, settings.mail.sender_name,
                                  clock=lambda: sim.now)
            poller = Poller(settings, store, mailer=mailer, journal=journal)
            sim = OfficeWeek(settings, store, poller, settings.mail.outbox, random.Random(args.seed),
                             week.monday, (lo, hi))
            say(f"Simulasi minggu {week.label} ({week.monday:%d/%m/%Y}–{week.monday + timedelta(days=4):%d/%m/%Y}) "
                f"di {store.describe()} …")
            start = datetime.combine(week.monday, time(7, 0), settings.office.tz)
            total = 5 * 24 * 60
            bar = tqdm(total=total, unit="mnt", desc="Minggu simulasi", disable=args.tanpa_progres,
                       bar_format="{l_bar}{bar}| {postfix}")
            done = {"m": 0}

            def progress(now):
                m = int((now - start).total_seconds() // 60)
                bar.update(max(0, m - done["m"]))
                done["m"] = max(done["m"], m)
                bar.set_postfix_str(f"{now:%a %d/%m %H:%M}, {sim.stats.guests} tamu", refresh=False)

            stats = sim.run(progress)
            bar.update(total - done["m"])
            bar.close()
            report = generate(store, settings, week)
            # The weekly job mails the report after the week has ended (the Monday after, report.at).
            sim.now = datetime.combine(week.sunday + timedelta(days=1), time.fromisoformat(settings.report.at),
                                       settings.office.tz)
            sent = send_weekly_report(report, settings, journal, poller.notifier, sim.now)
            poller.close()
        finally:
            store.close()
    h = report.metrics.headline
    say(f"\n{stats.guests} tamu sintetis dalam {stats.days} hari kerja"
        + (f" (libur: {', '.join(stats.holidays)})" if stats.holidays else "") + f"; {stats.cycles} siklus polling.")
    say(f"Formulir buku tamu diisi {stats.submissions} kali oleh {stats.guests} tamu "
        f"({stats.submissions - stats.guests} tamu mengisi dua kali).")
    say(counts_line(h))
    say(f"Laporan SLA : {report.html_path}")
    say(f"XLSX        : {report.xlsx_path}")
    say(f"Outbox email: {settings.mail.outbox} ({sum(1 for _ in settings.mail.outbox.glob('*.eml'))} berkas .eml"
        + (", termasuk email laporan)" if sent.sent else ")"))
    cmd = command_name()
    say(f"Register    : {cmd} register --tanggal {week.monday + timedelta(days=1)}")
    say(f"Buat ulang  : {cmd} report --minggu {week.label}  (hasilnya sama persis)")
    return 0


def command_name() -> str:
    """How the user can call the CLI from here: `bukutamu` when it is on PATH, else
    the virtualenv's script (`.venv/bin/bukutamu` after `make demo`)."""
    import os
    import sys
    from pathlib import Path
    if shutil.which("bukutamu"):
        return "bukutamu"
    script = Path(sys.executable).parent / "bukutamu"
    if script.exists():
        try:
            rel = os.path.relpath(script)
        except ValueError:  # another drive (Windows)
            return str(script)
        return rel if not rel.startswith("..") else str(script)
    return f"{Path(sys.executable).name} -m bukutamu"
