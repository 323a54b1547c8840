"""One office morning, scripted, for the fault and kill matrices.

Three guests, a helpdesk and two officers take every path of the SOP that sends mail:
queue numbers to two guests, officer notices, a correction, a feedback loop ("tidak
cukup": the officer is notified again), the guest's feedback requests, a guest who
leaves. The morning is split into phases: people act (form rows,
helpdesk cells), then the engine runs cycles one minute apart until everything has
settled (nothing pending in the journal, nothing left to change). A fault injected
in a phase therefore delays the office but never changes what people did.

``Office`` runs on the embedded store (SQLite) or on the Google store (real gspread +
google-auth against the Sheets REST fake), with a real SMTP server on loopback. Cycles
run in-process like `bukutamu run` (a failed cycle is logged and retried later);
``restart()`` drops the store and poller objects as a new process would.

``verify(office, reference)`` checks what must survive any fault or crash, and
returns the figures RELIABILITY.md reports.
"""

from __future__ import annotations

import collections
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from bukutamu.config import load_settings
from bukutamu.core.cells import datetime_to_serial
from bukutamu.engine import Poller, journal_path
from bukutamu.errors import BukutamuError
from bukutamu.layout import tab_specs
from tests.fakes.office_config import LINKS_TOML, smtp_toml

WIB = ZoneInfo("Asia/Pontianak")
REG = "Jawaban Formulir 1"
HMAC = "kunci-uji-yang-cukup-panjang-0123456789"
START = datetime(2026, 11, 25, 9, 0, tzinfo=WIB)  # a Wednesday
WEEKLY_AT = datetime(2026, 11, 30, 7, 0, tzinfo=WIB)  # the Monday after: week 2026-W48 is finished

GUESTS = [  # synthetic NIKs (serials 9991-9999)
    {"NIK": "6171010101909991", "Nama Lengkap": "Budi Santoso", "Jenis Kelamin": "Laki-laki",
     "Tanggal Lahir": "01/01/1990", "Nomor HP": "081234567890", "Email": "budi@tamu.test",
     "Instansi": "CV Sinar Kapuas", "Keperluan": "Konsultasi paket", "Bidang yang Dituju": "Bagian Pengelolaan LPSE"},
    {"NIK": "6171054507859992", "Nama Lengkap": "Dewi Lestari", "Jenis Kelamin": "Perempuan",
     "Tanggal Lahir": "05/07/1985", "Nomor HP": "081234567891", "Email": "dewi@tamu.test",
     "Instansi": "PT Khatulistiwa", "Keperluan": "Dokumen tender", "Bidang yang Dituju": "Bagian Pengelolaan LPSE"},
    {"NIK": "6171010101909993", "Nama Lengkap": "Agus Salimm", "Jenis Kelamin": "Laki-laki",
     "Tanggal Lahir": "01/01/1990", "Nomor HP": "081234567892", "Email": "",
     "Instansi": "CV Borneo", "Keperluan": "Klarifikasi", "Bidang yang Dituju": "Bagian Pembinaan"},
]
OFFICERS = [["Andi Petugas", "Bagian Pengelolaan LPSE", "andi@biro.test", "Ya", ""],
            ["Sari Pembina", "Bagian Pembinaan", "sari@biro.test", "Ya", ""]]


def _phases() -> list[tuple[str, Callable[["Office"], None]]]:
    def arrive(o):
        for i, g in enumerate(GUESTS):
            o.form_row(dict(g, **{"Stempel waktu": datetime_to_serial(o.now - timedelta(minutes=3 - i), WIB)}))

    def verify(o):
        o.helpdesk(0, "Verifikasi KTP", "Sesuai")
        o.helpdesk(1, "Verifikasi KTP", "Sesuai")
        o.helpdesk(2, "Verifikasi KTP", "Tidak Sesuai")

    def correct(o):
        o.helpdesk(2, "Nama Lengkap", "Agus Salim")
        o.helpdesk(2, "Verifikasi KTP", "Sesuai")
        o.helpdesk(0, "Aksi Helpdesk", "Tamu Diterima")
        o.helpdesk(1, "Aksi Helpdesk", "Tamu Diterima")

    def served(o):
        o.helpdesk(0, "Aksi Helpdesk", "Layanan Selesai")
        o.helpdesk(1, "Aksi Helpdesk", "Tamu Pergi")
        o.helpdesk(2, "Aksi Helpdesk", "Tamu Diterima")

    def not_enough(o):
        o.helpdesk(0, "Catatan Helpdesk", "Mohon jadwal klarifikasi")
        o.helpdesk(0, "Aksi Helpdesk", "Umpan Balik Tidak Cukup")
        o.helpdesk(2, "Aksi Helpdesk", "Layanan Selesai")

    def again(o):
        o.helpdesk(0, "Aksi Helpdesk", "Layanan Selesai")
        o.helpdesk(2, "Aksi Helpdesk", "Umpan Balik Cukup")

    def close(o):
        o.helpdesk(0, "Aksi Helpdesk", "Umpan Balik Cukup")
        o.helpdesk(2, "Aksi Helpdesk", "Kunjungan Ditutup")

    def closed(o):
        o.helpdesk(0, "Aksi Helpdesk", "Kunjungan Ditutup")

    return [("tamu datang", arrive), ("verifikasi", verify), ("koreksi dan diterima", correct),
            ("layanan selesai", served), ("umpan balik belum cukup", not_enough), ("layanan lagi", again),
            ("umpan balik cukup", close), ("ditutup", closed)]


PHASES = _phases()
NOTICE_PHASE = 1  # "verifikasi": the phase whose first cycle plans and sends officer notices


class Office:
    def __init__(self, kind: str, tmp_path: Path, smtp, *, data_dir: Path | None = None,
                 smtp_user: tuple[str, str] | None = None, google_timeout: float = 0.5):
        self.kind, self.tmp = kind, Path(tmp_path)
        self.smtp = smtp
        self.data_dir = Path(data_dir or self.tmp / "data")
        self.fake = None
        self.env = {"BUKUTAMU_DATA": str(self.data_dir), "BUKUTAMU_HMAC_KEY": HMAC}
        store = f'path = "{self.data_dir / "bukutamu.sqlite"}"\n'
        if kind == "google":
            from tests.fakes.service_account import make_key_file
            from tests.fakes.sheets_api import FakeSheetsAPI
            self.fake = FakeSheetsAPI().start()
            key = make_key_file(self.tmp, self.fake.token_uri)
            self.fake.register_key(key.client_email, key.public_key)
            self.env["BUKUTAMU_GOOGLE_KEY_FILE"] = str(key.path)
            store = (f'kind = "google"\nspreadsheet_id = "{self.fake.spreadsheet_id}"\nendpoint = "{self.fake.url}"\n'
                     f'max_attempts = 2\ntimeout_seconds = {google_timeout}\n')
        user = ""
        if smtp_user:
            user = f'user = "{smtp_user[0]}"\n'
            self.env["BUKUTAMU_SMTP_PASSWORD"] = smtp_user[1]
        self.config = self.tmp / "bukutamu.toml"
        self.config.write_text(f'''[office]
helpdesk_email = "helpdesk@biro.test"
supervisor_email = "kabag@biro.test"
[store]
{store}{smtp_toml(smtp.port)}timeout_seconds = 0.5
{user}[report]
folder = "{self.tmp / 'reports'}"
recipients = ["kepala.biro@biro.test"]
{LINKS_TOML}''', encoding="utf-8")
        self.settings = load_settings(self.config, env=self.env)
        self.now = START
        self.failures: list[str] = []
        self.cycles = 0
        self._store = self._poller = None
        self._person = None
        if kind == "google":  # the linked Google Form made the responses tab and its questions
            self.fake.set_values(REG, [["Stempel waktu", *GUESTS[0].keys()]])
        self.store.init(tab_specs(self.settings))
        if kind == "google":
            self.fake.set_values("Petugas", [self.fake.values("Petugas")[0], *OFFICERS])
        else:
            self.person.append_rows("Petugas", OFFICERS)

    # --- the program, as `bukutamu run` holds it --------------------------------------
    @property
    def store(self):
        if self._store is None:
            if self.kind == "google":
                from bukutamu.adapters.google.store import GoogleSheetStore
                self._store = GoogleSheetStore.from_settings(self.settings, sleep=lambda s: None)
            else:
                from bukutamu.adapters.sqlite_store import SqliteSheetStore
                self._store = SqliteSheetStore(self.settings.store.path, self.settings.office.time_zone)
        return self._store

    @property
    def poller(self) -> Poller:
        if self._poller is None:
            self._poller = Poller(self.settings, self.store, clock=lambda: self.now)
        return self._poller

    def restart(self) -> None:
        """What a new process starts from: nothing in memory."""
        for closing in (self._poller, self._store):
            try:
                if closing is not None:
                    closing.close()
            except Exception:  # noqa: BLE001 - a half-dead connection after a fault
                pass
        self._poller = self._store = None

    def cycle(self) -> object | None:
        """One cycle; a failure the user can act on is recorded, as the service does."""
        self.cycles += 1
        try:
            report = self.poller.run_once()  # a new process that cannot open its files fails here too
        except BukutamuError as e:
            self.failures.append(str(e))
            if self._poller is not None:
                self._poller.last_error = str(e)
            return None
        self._poller.last_error = ""
        return report

    def settle(self, *, at_least: int = 2, at_most: int = 40) -> None:
        quiet = 0
        for n in range(at_most):
            self.now += timedelta(minutes=1)
            report = self.cycle()
            if report is None:
                quiet = 0
                continue
            busy = report.new_visits or report.transitions or report.mails_pending
            quiet = 0 if busy else quiet + 1
            if n + 1 >= at_least and quiet >= 2:
                return
        raise AssertionError(f"the office did not settle in {at_most} cycles: {self.failures[-3:]}")

    def run_phases(self, phases=None, before: Callable[[int, "Office"], None] | None = None) -> None:
        for i, (_, act) in enumerate(PHASES):
            if phases is not None and i not in phases:
                continue
            self.now = START + timedelta(minutes=20 * i)
            act(self)
            if before is not None:
                before(i, self)
            self.settle()

    def let_go(self) -> None:
        """Close every file handle (program and people), e.g. before the folder is
        remounted read-only (Linux refuses that while files are open for writing)."""
        self.restart()
        if self._person is not None:
            self._person.close()
            self._person = None

    def close(self) -> None:
        self.let_go()
        if self.fake is not None:
            self.fake.stop()

    # --- people -----------------------------------------------------------------------
    @property
    def person(self):
        if self._person is None:
            from bukutamu.adapters.sqlite_store import SqliteSheetStore
            self._person = SqliteSheetStore(self.settings.store.path, self.settings.office.time_zone)
        return self._person

    def table(self, tab: str) -> list[list]:
        if self.kind == "google":
            rows = self.fake.values(tab)
        else:
            t = self.person.read([tab]).tab(tab)
            rows = [list(t.header)] + [list(r.values) for r in t.rows]
        width = len(rows[0]) if rows else 0
        return [list(r) + [None] * (width - len(r)) for r in rows]

    def records(self, tab: str) -> list[dict]:
        t = self.table(tab)
        return [dict(zip(t[0], r)) for r in t[1:] if any(v not in (None, "") for v in r)]

    def form_row(self, values: dict) -> None:
        header = self.table(REG)[0]
        row = [values.get(h, "") for h in header]
        if self.kind == "google":
            self.fake.append_form_row(REG, row)
        else:
            self.person.append_rows(REG, [row])

    def helpdesk(self, guest: int, header: str, value) -> None:
        """The helpdesk edits one cell of a guest's row (found by name/phone, as a person would)."""
        phone = GUESTS[guest]["Nomor HP"]
        t = self.table(REG)
        col = t[0].index("Nomor HP")
        hits = [i for i, r in enumerate(t) if i and r[col] == phone]
        assert len(hits) == 1, (guest, hits)
        if self.kind == "google":
            self.fake.edit_cell(REG, hits[0] + 1, header, value)
        else:
            ref = self.person.read([REG]).tab(REG).rows[hits[0] - 1].ref
            self.person.set_cell(REG, ref, header, value)


# --- what must hold after any fault or crash -------------------------------------------------

@dataclass
class Figures:
    emails: int = 0  # messages the SMTP server stored
    duplicates: int = 0  # a key delivered more than once (any Message-ID)
    same_id_resends: int = 0  # of those, resends carrying the same Message-ID (documented window)
    lost: int = 0  # a reference key neither delivered nor failed-and-noted
    permanent: int = 0  # refused for good by the server (noted on the row, not retried)
    queue_duplicates: int = 0
    history_rows: int = 0
    history_problems: list[str] = field(default_factory=list)
    status_mismatch: list[str] = field(default_factory=list)


def snapshot(o: Office) -> dict:
    """What the office sees at the end: statuses, history, mails by key."""
    from bukutamu.adapters.journal import MailJournal
    with MailJournal(journal_path(o.settings)) as j:
        rows = j._db.execute("SELECT key, state, message_id FROM mail").fetchall()
        told = {f.key for f in j.failed_unreflected()}
    by_id = {mid: key for key, state, mid in rows if mid}
    keys = {key: state for key, state, _ in rows}
    from bukutamu.adapters.mail.mime import make_message_id
    for key in keys:
        by_id.setdefault(make_message_id(key, o.settings.mail.sender), key)
    delivered = collections.Counter(by_id.get(m.message_id, m.message_id) for m in o.smtp.messages)
    ids = collections.Counter(m.message_id for m in o.smtp.messages)
    return {"register": o.records(REG), "history": o.records("Riwayat"), "journal": keys, "untold": told,
            "delivered": delivered, "ids": ids}


def verify(o: Office, reference: dict | None, *, allow_same_id_resend: bool = False) -> Figures:
    s = snapshot(o)
    f = Figures(emails=sum(s["delivered"].values()), history_rows=len(s["history"]))
    reg = s["register"]
    visits = [r["[Sistem] ID Kunjungan"] for r in reg]
    numbers = [r["[Sistem] No. Antrian"] for r in reg]
    assert all(visits) and len(visits) == len(GUESTS), visits
    f.queue_duplicates = (len(visits) - len(set(visits))) + (len(numbers) - len(set(numbers)))
    # Each visit's history is one unbroken chain ending in the register's status.
    for r in reg:
        vid = r["[Sistem] ID Kunjungan"]
        chain = [h for h in s["history"] if h["ID Kunjungan"] == vid]
        prev = None
        for h in chain:
            if prev is not None and h["Dari Status"] != prev:
                f.history_problems.append(f"{vid}: {prev} -> ({h['Dari Status']} -> {h['Ke Status']})")
            prev = h["Ke Status"]
        if prev != r["[Sistem] Status"]:
            f.history_problems.append(f"{vid}: register {r['[Sistem] Status']} but history ends {prev}")
    seen = collections.Counter((h["ID Kunjungan"], h["Dari Status"], h["Ke Status"], str(h["Siklus"]))
                               for h in s["history"])
    f.history_problems += [f"doubled {k}" for k, n in seen.items() if n > 1]
    # Mail: each key delivered at most once; every key the journal holds has settled.
    for key, n in s["delivered"].items():
        if n > 1:
            f.duplicates += n - 1
    same = sum(n - 1 for n in s["ids"].values() if n > 1)
    f.same_id_resends = same
    pending = [k for k, st in s["journal"].items() if st == "pending"]
    f.lost += len(pending)
    failed = [k for k, st in s["journal"].items() if st == "failed"]
    f.permanent = len(failed)
    f.lost += len(s["untold"])  # refused for good and never noted on the visit's row
    if reference is not None and not failed:  # a mail refused for good legitimately changes what follows
        ref_sent = {k for k, st in reference["journal"].items() if st == "sent"}
        got = {k for k, st in s["journal"].items() if st in ("sent", "failed")}
        delivered = set(s["delivered"])
        f.lost += len([k for k in ref_sent if k not in got or (k not in delivered and s["journal"].get(k) == "sent")])
        ref = {r["[Sistem] ID Kunjungan"]: r["[Sistem] Status"] for r in reference["register"]}
        now = {r["[Sistem] ID Kunjungan"]: r["[Sistem] Status"] for r in reg}
        f.status_mismatch = [f"{v}: {now.get(v)} != {st}" for v, st in ref.items() if now.get(v) != st]
        ref_h = collections.Counter((h["ID Kunjungan"], h["Dari Status"], h["Ke Status"])
                                    for h in reference["history"])
        now_h = collections.Counter((h["ID Kunjungan"], h["Dari Status"], h["Ke Status"]) for h in s["history"])
        if ref_h != now_h:
            f.history_problems.append(f"history differs: missing {ref_h - now_h}, extra {now_h - ref_h}")
    if allow_same_id_resend:
        f.duplicates -= min(f.duplicates, f.same_id_resends)
    return f


def assert_recovered(f: Figures, *, permanent_ok: bool = False) -> None:
    assert f.duplicates == 0, f
    assert f.lost == 0, f
    assert f.queue_duplicates == 0, f
    assert not f.history_problems, f.history_problems
    assert not f.status_mismatch, f.status_mismatch
    if not permanent_ok:
        assert f.permanent == 0, f


_REFERENCE: dict[str, dict] = {}


def reference(kind: str, tmp_path_factory) -> dict:
    """What a fault-free morning ends with (computed once per store and test process)."""
    if kind not in _REFERENCE:
        from tests.fakes.smtp_server import SmtpTestServer
        with SmtpTestServer() as smtp:
            o = Office(kind, tmp_path_factory.mktemp(f"referensi-{kind}"), smtp)
            try:
                o.run_phases()
                _REFERENCE[kind] = snapshot(o)
                assert_recovered(verify(o, None))
            finally:
                o.close()
    return _REFERENCE[kind]


def full(*values, default: bool = False):
    """A matrix cell: in every `make test` when ``default``, else only with
    ``-m full_matrix`` (.ci/run runs both)."""
    import pytest
    return pytest.param(*values, marks=() if default else pytest.mark.full_matrix)


def env_for(o: Office) -> dict:
    return {**os.environ, **o.env}
