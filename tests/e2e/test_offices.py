"""Several offices from one installation (issue 12, item 5), from where the admin
starts: one config with three ``[offices.<slug>]`` tables — two Google offices, each
on its own Sheets REST fake with its own service-account key
(BUKUTAMU_GOOGLE_KEY_FILE_<SLUG>), and one embedded office — `bukutamu --kantor …
init` per office, guests arriving the way each front end receives them, then one
`bukutamu run` process serving all three while office A's spreadsheet fails every
request. Real CLI processes, real gspread + google-auth code (never real Google)."""

from __future__ import annotations

import email
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from email import policy
from zoneinfo import ZoneInfo

import pytest

from bukutamu.adapters.sqlite_store import SqliteSheetStore
from bukutamu.core.cells import datetime_to_serial
from bukutamu.demo.form import as_row, form_values
from bukutamu.demo.guests import make_guest
from tests.fakes.service_account import make_key_file
from tests.fakes.sheets_api import FakeSheetsAPI
from tests.fakes.waiting import wait_for

WIB = ZoneInfo("Asia/Pontianak")
REG = "Jawaban Formulir 1"
QUESTIONS = ["Stempel waktu", "NIK", "Nama Lengkap", "Jenis Kelamin", "Tanggal Lahir", "Nomor HP", "Email",
             "Instansi", "Keperluan", "Bidang yang Dituju", "Persetujuan Privasi"]
NAMES = {"dinas-a": "Dinas Uji A", "dinas-b": "Dinas Uji B", "dinas-c": "Dinas Uji C"}


def cli(env, cwd, *args, timeout=120):
    return subprocess.run([sys.executable, "-m", "bukutamu", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)




def status(tmp_path, slug) -> dict:
    try:
        return json.loads((tmp_path / "data" / slug / "status.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def cycles(tmp_path, slug) -> int:
    return status(tmp_path, slug).get("jumlah_siklus", 0)


@pytest.fixture
def offices(tmp_path):
    fakes = {}
    env = {**os.environ, "BUKUTAMU_DATA": str(tmp_path / "data"), "BUKUTAMU_CONFIG": str(tmp_path / "bukutamu.toml")}
    for k in ("BUKUTAMU_HMAC_KEY", "BUKUTAMU_GOOGLE_KEY_FILE", "GOOGLE_APPLICATION_CREDENTIALS"):
        env.pop(k, None)
    toml = ('[poll]\ninterval_seconds = 1\n[store]\nmax_attempts = 2\ntimeout_seconds = 3\n'
            '[office]\nhelpdesk_email = "helpdesk@dinas.test"\n')
    for i, slug in enumerate(("dinas-a", "dinas-b")):
        fake = FakeSheetsAPI(f"1{slug.upper().replace('-', '')}UjiSpreadsheet000000000000000{i}",
                             first_sheet=None).start()
        fake.set_values(REG, [QUESTIONS])  # the Form linked to a new spreadsheet: headers only
        key = make_key_file(tmp_path, fake.token_uri, client_email=f"{slug}@bukutamu-uji.iam.gserviceaccount.com",
                            slot=i, name=f"kunci-{slug}.json")
        fake.register_key(key.client_email, key.public_key)
        fakes[slug] = fake
        suffix = slug.upper().replace("-", "_")
        env[f"BUKUTAMU_GOOGLE_KEY_FILE_{suffix}"] = str(key.path)
        env[f"BUKUTAMU_HMAC_KEY_{suffix}"] = f"kunci-uji-{slug}-yang-cukup-panjang-0123456789"
        toml += (f'[offices.{slug}.office]\nname = "{NAMES[slug]}"\nadmin_email = "admin@{slug}.test"\n'
                 f'[offices.{slug}.store]\nkind = "google"\nspreadsheet_id = "{fake.spreadsheet_id}"\n'
                 f'endpoint = "{fake.url}"\n')
    toml += f'[offices.dinas-c.office]\nname = "{NAMES["dinas-c"]}"\n'  # embedded: the defaults
    (tmp_path / "bukutamu.toml").write_text(toml, encoding="utf-8")
    yield fakes, env
    for fake in fakes.values():
        fake.stop()


def submit_google(fake, rng, n):
    now = datetime.now(WIB)
    rows = []
    for i in range(n):
        m = now - timedelta(minutes=20 - 3 * i)
        g = make_guest(rng, m.date())
        rows.append(fake.submit_form(REG, {
            "NIK": g.nik, "Nama Lengkap": g.name, "Jenis Kelamin": "Laki-laki" if g.sex == "LAKI-LAKI" else "Perempuan",
            "Tanggal Lahir": g.birth_date.strftime("%d/%m/%Y"), "Nomor HP": g.phone, "Email": g.email,
            "Instansi": g.institution, "Keperluan": g.purpose, "Bidang yang Dituju": g.bidang,
            "Persetujuan Privasi": "Saya setuju"}, m))
    return rows


def submit_embedded(path, rng, n):
    """Guests as the embedded store's form stores them (demo.form: the Form's row)."""
    store = SqliteSheetStore(path, "Asia/Pontianak")
    try:
        header = store.read([REG]).tab(REG).header
        now = datetime.now(WIB)
        for i in range(n):
            m = now - timedelta(minutes=20 - 3 * i)
            store.append_rows(REG, [as_row(header, form_values(make_guest(rng, m.date()), datetime_to_serial(m, WIB)))])
    finally:
        store.close()


def google_column(fake, header):
    values = fake.values(REG)
    i = values[0].index(header)
    return [r[i] if i < len(r) else None for r in values[1:]]


def embedded_column(path, header):
    store = SqliteSheetStore(path, "Asia/Pontianak")
    try:
        tab = store.read([REG]).tab(REG)
        i = list(tab.header).index(header)
        return [r.values[i] for r in tab.rows]
    finally:
        store.close()


def mails(folder):
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(folder.glob("*.eml"))]


def test_one_failing_office_never_stops_the_others(offices, tmp_path):
    fakes, env = offices
    data = tmp_path / "data"
    # A one-office command needs --kantor; the message lists the offices.
    bare = cli(env, tmp_path, "init")
    assert bare.returncode == 2 and "--kantor" in bare.stderr
    assert all(slug in bare.stderr for slug in NAMES), bare.stderr
    for slug in NAMES:
        out = cli(env, tmp_path, "--kantor", slug, "init")
        assert out.returncode == 0, out.stdout + out.stderr
        assert f"Folder data: {data / slug}" in out.stdout
    assert (data / "dinas-c" / "kunci-hmac").exists()  # embedded without a key variable: its own key file
    check = cli(env, tmp_path, "check")
    assert check.returncode == 0, check.stdout
    assert all(f"== Kantor {slug}: {name} ==" in check.stdout for slug, name in NAMES.items())
    assert "Satu service account melayani paling banyak 15 kantor pada jeda 15 detik" in check.stdout
    assert "dinas-a@bukutamu-uji.iam.gserviceaccount.com — 1 kantor (dinas-a), ±60" in check.stdout
    assert "kunci-uji-" not in check.stdout + check.stderr  # secrets never printed

    rng = random.Random(12)
    submit_google(fakes["dinas-a"], rng, 2)
    b_rows = submit_google(fakes["dinas-b"], rng, 3)
    submit_embedded(data / "dinas-c" / "bukutamu.sqlite", rng, 3)

    fakes["dinas-a"].fail_next("500", times=100_000)  # office A's spreadsheet fails every request
    for fake in fakes.values():
        fake.reset_log()
    proc = subprocess.Popen([sys.executable, "-m", "bukutamu", "run"], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # B and C keep cycling while A fails (counts, not timings).
        assert wait_for(lambda: cycles(tmp_path, "dinas-b") >= 5 and cycles(tmp_path, "dinas-c") >= 5, 90), \
            (status(tmp_path, "dinas-b"), status(tmp_path, "dinas-c"))
        assert wait_for(lambda: status(tmp_path, "dinas-a").get("ok") is False, 30)
        assert wait_for(lambda: mails(data / "dinas-a" / "outbox"), 30)  # the admin alert of office A
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=90)
    assert proc.returncode == 0, err
    assert "berhenti dengan bersih" in err and "Traceback" not in err
    assert "[dinas-a]" in err and "poll gagal" in err  # A's failure is logged under its name

    # B and C registered their guests: queue numbers in B's cells and C's store.
    queue_b = google_column(fakes["dinas-b"], "[Sistem] No. Antrian")
    assert len(queue_b) == len(b_rows) and all(queue_b), queue_b
    queue_c = embedded_column(data / "dinas-c" / "bukutamu.sqlite", "[Sistem] No. Antrian")
    assert len(queue_c) == 3 and all(queue_c), queue_c
    assert not any(google_column(fakes["dinas-a"], "[Sistem] No. Antrian"))

    # Requests per cycle of the healthy Google office unchanged: 1 read, at most 1 write.
    done_b = cycles(tmp_path, "dinas-b")
    log_b = fakes["dinas-b"].requests()
    reads = [e for e in log_b if e["kind"] == "read"]
    writes = [e for e in log_b if e["kind"] == "write"]
    cycle_reads = [e for e in reads if "'Sistem'" in e["query"]["ranges"]]  # only a cycle reads the Sistem tab
    assert len(cycle_reads) == done_b, (len(cycle_reads), done_b)
    # Besides: the weekly report's catch-up, the archive and the retention jobs, once each at start
    # (as with one office).
    assert len(reads) - len(cycle_reads) <= 3
    assert 1 <= len(writes) <= done_b
    assert all(e["status"] == 200 for e in reads + writes)
    assert len([e for e in log_b if e["kind"] in ("meta", "structure")]) <= 2
    assert all(e.get("fault") for e in fakes["dinas-a"].requests() if e["kind"] != "token")

    a = status(tmp_path, "dinas-a")
    assert a["ok"] is False and a["galat_terakhir"] and a.get("jumlah_siklus") is None
    assert status(tmp_path, "dinas-b")["ok"] is True and "berhenti" in status(tmp_path, "dinas-b")
    alert = mails(data / "dinas-a" / "outbox")[0]
    assert alert["To"] == "admin@dinas-a.test" and "Poller bermasalah" in alert["Subject"]

    # Each office's journal, outbox and lock in its own folder; mails name their own office.
    for slug in ("dinas-b", "dinas-c"):
        folder = data / slug
        assert (folder / "jurnal-email.sqlite").exists() and (folder / "store.txt").exists()
        sent = mails(folder / "outbox")
        assert sent, slug
        for m in sent:
            text = m.get_body(("plain", "html")).get_content()
            assert NAMES[slug] in text and not any(n in text for s, n in NAMES.items() if s != slug), slug
    assert list((data / "dinas-b").glob("poller-*.lock"))
    assert (data / "dinas-c" / "bukutamu.sqlite.lock").exists()
    journal = sqlite3.connect(data / "dinas-b" / "jurnal-email.sqlite")
    assert journal.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] > 0
    journal.close()

    # Reports land in reports/<slug>/.
    week = datetime.now(WIB).strftime("%G-W%V")
    for slug in ("dinas-b", "dinas-c"):
        rep = cli(env, tmp_path, "--kantor", slug, "report", "--minggu", week)
        assert rep.returncode == 0, rep.stdout + rep.stderr
        assert list((tmp_path / "reports" / slug / week).iterdir()), slug
    assert not (tmp_path / "reports" / week).exists()


def test_a_hanging_office_and_one_that_cannot_start_leave_the_third_cycling(tmp_path):
    """Office A is already served by another process (its lock is held: it cannot
    start here), office B's spreadsheet hangs past the store's timeout on every
    request, office C (embedded) keeps its cycles."""
    fake = FakeSheetsAPI("1DinasBHangSpreadsheet000000000000000000000", first_sheet=None).start()
    try:
        fake.set_values(REG, [QUESTIONS])
        key = make_key_file(tmp_path, fake.token_uri)
        fake.register_key(key.client_email, key.public_key)
        (tmp_path / "bukutamu.toml").write_text(
            '[poll]\ninterval_seconds = 1\n'
            '[offices.dinas-a.office]\nname = "Dinas Uji A"\nadmin_email = "admin@dinas-a.test"\n'
            f'[offices.dinas-b.store]\nkind = "google"\nspreadsheet_id = "{fake.spreadsheet_id}"\n'
            f'endpoint = "{fake.url}"\ntimeout_seconds = 1\nmax_attempts = 2\n'
            '[offices.dinas-c.office]\nname = "Dinas Uji C"\n', encoding="utf-8")
        env = {**os.environ, "BUKUTAMU_DATA": str(tmp_path / "data"), "BUKUTAMU_CONFIG": str(tmp_path / "bukutamu.toml"),
               "BUKUTAMU_GOOGLE_KEY_FILE": str(key.path), "BUKUTAMU_HMAC_KEY": "kunci-uji-bersama-yang-cukup-panjang-012345"}
        for slug in ("dinas-a", "dinas-b", "dinas-c"):
            out = cli(env, tmp_path, "--kantor", slug, "init")
            assert out.returncode == 0, out.stdout + out.stderr
        submit_embedded(tmp_path / "data" / "dinas-c" / "bukutamu.sqlite", random.Random(3), 2)

        first = subprocess.Popen([sys.executable, "-m", "bukutamu", "--kantor", "dinas-a", "run"], env=env,
                                 cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        all_offices = None
        try:
            assert wait_for(lambda: cycles(tmp_path, "dinas-a") >= 1, 60)
            fake.fail_next("slow", times=100_000, delay=4, on=("read", "write", "meta", "structure", "token"))
            all_offices = subprocess.Popen([sys.executable, "-m", "bukutamu", "run"], env=env, cwd=tmp_path,
                                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            assert wait_for(lambda: cycles(tmp_path, "dinas-c") >= 5, 90), status(tmp_path, "dinas-c")
            assert wait_for(lambda: status(tmp_path, "dinas-b").get("ok") is False, 60)
        finally:
            if all_offices is not None:
                all_offices.send_signal(signal.SIGTERM)
                _, err = all_offices.communicate(timeout=90)
            first.send_signal(signal.SIGTERM)
            _, first_err = first.communicate(timeout=60)
        assert all_offices.returncode == 0, err
        assert "Traceback" not in err + first_err and first.returncode == 0
        assert "[dinas-a] Kantor dinas-a tidak bisa berjalan: Poller lain sedang berjalan" in err
        assert "kantor lain tetap berjalan" in err
        assert "[dinas-b]" in err and "poll gagal" in err
        assert "berhenti dengan bersih" in err
        # A's heartbeat belongs to the process serving it (never marked failed by the other);
        # A's admin is told that a second poller was started.
        assert status(tmp_path, "dinas-a")["ok"] is True
        alert = mails(tmp_path / "data" / "dinas-a" / "outbox")
        assert alert and "mulai kantor" in alert[0]["Subject"]
        queue_c = embedded_column(tmp_path / "data" / "dinas-c" / "bukutamu.sqlite", "[Sistem] No. Antrian")
        assert len(queue_c) == 2 and all(queue_c)
    finally:
        fake.stop()


def test_run_stops_when_no_office_can_start(tmp_path):
    (tmp_path / "bukutamu.toml").write_text('[offices.dinas-a.office]\nname = "A"\n[offices.dinas-b.office]\n'
                                            'name = "B"\n', encoding="utf-8")
    env = {**os.environ, "BUKUTAMU_DATA": str(tmp_path / "data"), "BUKUTAMU_CONFIG": str(tmp_path / "bukutamu.toml")}
    env.pop("BUKUTAMU_HMAC_KEY", None)
    out = cli(env, tmp_path, "run", timeout=60)  # neither office ran `init`: no HMAC key
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "Tidak ada kantor yang bisa berjalan" in out.stderr and "[dinas-b] Kantor dinas-b" in out.stderr
    assert "Galat: Kunci HMAC" in out.stderr
