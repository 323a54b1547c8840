"""An office whose register the engine wrote (a small `bukutamu demo` week), on the
embedded store or on the Sheets fake, ready for `bukutamu arsip`.

The Google office gets the demo's tabs exactly as the engine wrote them (the demo
only runs embedded), plus an empty archive spreadsheet for 2026 on the same fake.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

from bukutamu.adapters.sqlite_store import SqliteSheetStore

TABS = ("Jawaban Formulir 1", "Riwayat", "Konfirmasi", "Umpan Balik")
ALL_TABS = (*TABS, "Petugas", "Sistem", "Antrian")
HMAC = "kunci-uji-yang-cukup-panjang-0123456789"
ARCHIVE_ID = "1BukuTamuArsip2026000000000000000000000000"
WEEK = "2026-W34"


def demo_tabs(store_path: Path) -> dict[str, list[list]]:
    store = SqliteSheetStore(store_path)
    try:
        snap = store.read(list(ALL_TABS))
        return {n: [list(snap.tab(n).header)] + [list(r.values) for r in snap.tab(n).rows] for n in ALL_TABS}
    finally:
        store.close()


class ArchiveOffice:
    def __init__(self, kind: str, root: Path, demo_root: Path):
        self.kind, self.root = kind, Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.data = self.root / "data"
        self.fake = None
        self.env = {"BUKUTAMU_DATA": str(self.data), "BUKUTAMU_HMAC_KEY": HMAC}
        store, archive = "", ""
        if kind == "sqlite":
            shutil.copytree(demo_root / "data", self.data, ignore=shutil.ignore_patterns("outbox", "arsip"))
            store = f'path = "{self.data / "bukutamu.sqlite"}"\n'
        else:
            from tests.fakes.service_account import make_key_file
            from tests.fakes.sheets_api import FakeSheetsAPI
            self.fake = FakeSheetsAPI().start()
            key = make_key_file(self.root, self.fake.token_uri)
            self.fake.register_key(key.client_email, key.public_key)
            self.env["BUKUTAMU_GOOGLE_KEY_FILE"] = str(key.path)
            for name, rows in demo_tabs(demo_root / "data" / "bukutamu.sqlite").items():
                self.fake.set_values(name, rows)
            self.fake.add_spreadsheet(ARCHIVE_ID)
            store = (f'kind = "google"\nspreadsheet_id = "{self.fake.spreadsheet_id}"\n'
                     f'endpoint = "{self.fake.url}"\nmax_attempts = 2\ntimeout_seconds = 5\n')
            archive = f'[archive]\nspreadsheets = {{ "2026" = "{ARCHIVE_ID}" }}\n'
        self.config = self.root / "bukutamu.toml"
        self.config.write_text(f'[store]\n{store}[report]\nfolder = "{self.root / "reports"}"\n{archive}',
                               encoding="utf-8")
        if kind == "google":
            self.cli("init")  # as the admin does on the form-linked sheet (Plain text NIK/phone columns)

    def arrive(self, n: int, seed: int = 5) -> None:
        """``n`` guests fill the form today (Forms-style on Google) and a cycle registers
        them: visits still open when the archive runs."""
        import random
        from datetime import datetime
        from zoneinfo import ZoneInfo

        from bukutamu.core.cells import datetime_to_serial
        from bukutamu.demo.form import as_row, form_values
        from bukutamu.demo.guests import make_guest
        tz = ZoneInfo("Asia/Pontianak")
        rng, now = random.Random(seed), datetime.now(tz)
        header = [str(h) for h in self.live(TABS[0])[0]]
        for _ in range(n):
            row = as_row(header, form_values(make_guest(rng, now.date()), datetime_to_serial(now, tz)))
            if self.fake is not None:
                self.fake.submit_form(TABS[0], {h: str(v) for h, v in zip(header[1:], row[1:])
                                                if v not in (None, "") and not h.startswith("[")}, now)
            else:
                store = SqliteSheetStore(self.data / "bukutamu.sqlite")
                try:
                    store.append_rows(TABS[0], [row])
                finally:
                    store.close()
        self.cli("poll", "--once")

    def cli(self, *args: str, check: bool = True, script: Path | None = None) -> subprocess.CompletedProcess:
        env = {**os.environ, **self.env}
        env.pop("BUKUTAMU_CONFIG", None)
        cmd = [sys.executable, str(script), str(self.config), *args] if script else \
            [sys.executable, "-m", "bukutamu", "--config", str(self.config), *args]
        p = subprocess.run(cmd, cwd=self.root, env=env, capture_output=True, text=True, timeout=300)
        if check and p.returncode != 0:
            raise AssertionError(f"exit {p.returncode}\n{p.stdout}\n{p.stderr}")
        return p

    # -- what the office holds ------------------------------------------------------------
    def live(self, tab: str) -> list[list]:
        if self.fake is not None:
            return [list(r) for r in self.fake.values(tab)]
        store = SqliteSheetStore(self.data / "bukutamu.sqlite")
        try:
            t = store.read([tab]).tab(tab)
            return [list(t.header)] + [list(r.values) for r in t.rows]
        finally:
            store.close()

    def archived(self, tab: str) -> list[list]:
        if self.fake is not None:
            book = self.fake.books[ARCHIVE_ID]
            sheet = book.sheet(tab)
            return [list(r) for r in sheet.rows[:sheet.used_rows()]] if sheet else []
        path = self.data / "arsip" / "arsip-2026.sqlite"
        if not path.exists():
            return []
        store = SqliteSheetStore(path)
        try:
            t = store.read([tab]).tab(tab)
            return [list(t.header)] + [list(r.values) for r in t.rows] if t else []
        finally:
            store.close()

    def state(self, without_today: bool = False) -> dict[str, Counter]:
        """Every row of the four tabs, live and archived, as header -> value records
        (order-free: a multiset, so a doubled or lost row shows). ``without_today``
        leaves out today's arrivals (their times differ from office to office)."""
        from datetime import datetime
        from zoneinfo import ZoneInfo
        today = datetime.now(ZoneInfo("Asia/Pontianak")).strftime("%Y%m%d-")
        out = {}
        for where, read in (("live", self.live), ("arsip", self.archived)):
            for tab in TABS:
                rows = read(tab)
                header = [str(h) for h in rows[0]] if rows else []
                out[f"{where}:{tab}"] = Counter(
                    tuple(sorted((_named(header, i), _norm(v)) for i, v in enumerate(r) if v not in (None, "")))
                    for r in rows[1:] if any(v not in (None, "") for v in r)
                    and not (without_today and any(str(v).startswith(today) for v in r)))
        return out

    def close(self) -> None:
        if self.fake is not None:
            self.fake.stop()


def _named(header: list[str], i: int) -> str:
    return (header[i].strip() if i < len(header) else "") or f"(kolom {i + 1})"


def _norm(v):
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v
