"""The office PC's own faults, as the admin meets them at the command line: a full
disk, a read-only data folder, a damaged journal, an empty key file. Each ends in
one Indonesian message and its own exit code (README "Kode keluar"), harms nothing,
and the next run after the fix carries on."""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bukutamu.adapters.sqlite_store import SqliteSheetStore
from tests.fakes.disk import small_disk  # noqa: F401 - fixture

pytestmark = pytest.mark.matrix  # the command-line rows of RELIABILITY.md

REG = "Jawaban Formulir 1"
NAMES = ["Budi Santoso", "Dewi Lestari", "Sari Wulandari", "Agus Salim", "Rina Marlina", "Joko Susilo"]
EXIT_CORRUPT, EXIT_DISK, EXIT_READ_ONLY, EXIT_BROKEN_PIPE = 65, 74, 77, 141


def cli(tmp_path, *args, env=None, check=True, umask=None, timeout=120):
    e = {**os.environ, "BUKUTAMU_DATA": str(tmp_path / "data"), **(env or {})}
    e.pop("BUKUTAMU_CONFIG", None)
    p = subprocess.run([sys.executable, "-m", "bukutamu", *args], cwd=tmp_path, env=e, capture_output=True,
                       text=True, timeout=timeout, preexec_fn=(lambda: os.umask(umask)) if umask is not None else None)
    if check and p.returncode != 0:
        raise AssertionError(f"exit {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p


def guests_csv(path, n=1, email=""):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Timestamp", "NIK", "Nama Lengkap", "Nomor HP", "Email"])
        for i in range(n):
            w.writerow([f"27/11/2026 08:{i:02d}:00", f"617105450785999{i % 9 + 1}",  # synthetic
                        NAMES[i % len(NAMES)], "081234567891", email])
    return path


def one_message(p, code, *words):
    """What the user sees: the exit code, one Indonesian message, no traceback."""
    assert p.returncode == code, (p.returncode, p.stdout, p.stderr)
    assert "Traceback" not in p.stderr and "Error" not in p.stderr, p.stderr
    galat = [line for line in p.stderr.splitlines() if line.startswith("Galat:")]
    assert len(galat) == 1, p.stderr
    for w in words:
        assert w in galat[0], galat[0]
    return galat[0]


def statuses(tmp_path):
    store = SqliteSheetStore(tmp_path / "data" / "bukutamu.sqlite")
    try:
        tab = store.read([REG]).tab(REG)
    finally:
        store.close()
    i = tab.header.index("[Sistem] Status")
    return [r.values[i] if i < len(r.values) else None for r in tab.rows]


# --- disk full -------------------------------------------------------------------------

def test_disk_full_at_poll_says_so_harms_nothing_and_the_next_poll_catches_up(tmp_path, small_disk):
    cli(tmp_path, "import-csv", str(guests_csv(tmp_path / "a.csv", 3)))
    small_disk.fill()
    p = cli(tmp_path, "poll", "--once", check=False)
    msg = one_message(p, EXIT_DISK, "Disk penuh", "Kosongkan ruang disk")
    assert "rusak" not in msg and "pindahkan" not in msg.lower()  # the database is healthy: do not move it
    small_disk.free()
    assert statuses(tmp_path) == [None, None, None]  # nothing half-written
    assert "3 kunjungan baru" in cli(tmp_path, "poll", "--once").stdout
    assert statuses(tmp_path) == ["MENUNGGU VERIFIKASI"] * 3


def test_disk_full_when_run_starts_stops_with_a_message(tmp_path, small_disk):
    cli(tmp_path, "init")
    small_disk.fill()
    p = cli(tmp_path, "run", check=False, timeout=60)
    one_message(p, EXIT_DISK, "Disk penuh")


def test_disk_full_at_the_helpdesk_commit_keeps_the_row_as_it_was(tmp_path, small_disk):
    cli(tmp_path, "import-csv", str(guests_csv(tmp_path / "a.csv", 1)))
    cli(tmp_path, "poll", "--once")
    small_disk.fill()
    p = cli(tmp_path, "helpdesk", "20261127-A001", "--verifikasi", "sesuai", check=False)
    one_message(p, EXIT_DISK, "Disk penuh", "bukutamu.sqlite")
    small_disk.free()
    cli(tmp_path, "poll", "--once")
    assert statuses(tmp_path) == ["MENUNGGU VERIFIKASI"]
    cli(tmp_path, "helpdesk", "20261127-A001", "--verifikasi", "Sesuai")
    cli(tmp_path, "poll", "--once")
    assert statuses(tmp_path) == ["PETUGAS DIHUBUNGI"]  # verified, officer notice sent


# --- read-only data folder -----------------------------------------------------------------

@pytest.mark.parametrize("command", [("poll", "--once"), ("import-csv", "a.csv"), ("run",)])
def test_read_only_data_folder_says_so(tmp_path, small_disk, command):
    cli(tmp_path, "import-csv", str(guests_csv(tmp_path / "a.csv", 2)))
    cli(tmp_path, "poll", "--once")
    small_disk.read_only()
    try:
        p = cli(tmp_path, *command, check=False, timeout=60)
    finally:
        small_disk.writable()
    one_message(p, EXIT_READ_ONLY, "hanya-baca", "dapat ditulisi")
    assert statuses(tmp_path) == ["MENUNGGU VERIFIKASI"] * 2
    assert "0 kunjungan baru" in cli(tmp_path, "poll", "--once").stdout


# --- damaged files ------------------------------------------------------------------------

def test_damaged_journal_names_the_file_and_what_to_do(tmp_path):
    cli(tmp_path, "import-csv", str(guests_csv(tmp_path / "a.csv", 1)))
    cli(tmp_path, "poll", "--once")
    journal = tmp_path / "data" / "jurnal-email.sqlite"
    journal.write_bytes(b"bukan database sqlite " * 100)
    p = cli(tmp_path, "poll", "--once", check=False)
    one_message(p, EXIT_CORRUPT, "Jurnal email", str(journal), "pindahkan berkas itu")
    journal.rename(journal.with_suffix(".rusak"))  # what the message says to do
    assert cli(tmp_path, "poll", "--once").returncode == 0


def test_damaged_store_says_restore_from_backup(tmp_path):
    cli(tmp_path, "init")
    (tmp_path / "data" / "bukutamu.sqlite").write_bytes(b"x" * 4096)
    p = cli(tmp_path, "register", check=False)
    one_message(p, EXIT_CORRUPT, "rusak", "cadangan")


def test_empty_hmac_key_file_is_refused_not_used(tmp_path):
    cli(tmp_path, "import-csv", str(guests_csv(tmp_path / "a.csv", 1)))
    (tmp_path / "data" / "kunci-hmac").write_bytes(b"")
    p = cli(tmp_path, "poll", "--once", check=False)
    one_message(p, 2, "kunci-hmac", "kosong")  # a bad setting: the key is refused, never used
    check = cli(tmp_path, "check", check=False)
    assert check.returncode == 1 and "[GAGAL] Kunci HMAC" in check.stdout and "kosong" in check.stdout


# --- file modes -------------------------------------------------------------------------

def test_personal_data_files_are_private_whatever_the_umask_and_reports_shareable(tmp_path):
    env = {"BUKUTAMU_DATA": str(tmp_path / "data")}
    cli(tmp_path, "import-csv", str(guests_csv(tmp_path / "a.csv", 2, email="tamu@tamu.test")), umask=0)
    cli(tmp_path, "poll", "--once", umask=0, env=env)
    data = tmp_path / "data"
    mode = lambda p: p.stat().st_mode & 0o777  # noqa: E731
    assert mode(data) == 0o700
    for name in ("bukutamu.sqlite", "jurnal-email.sqlite", "status.json", "kunci-hmac"):
        assert mode(data / name) == 0o600, name
    assert mode(data / "outbox") == 0o700
    eml = list((data / "outbox").glob("*.eml"))
    assert eml and all(mode(p) == 0o600 for p in eml)
    old = os.umask(0)
    try:  # SQLite's -wal/-shm take the database file's mode
        store = SqliteSheetStore(data / "bukutamu.sqlite")
        store.read([REG])
        for side in ("bukutamu.sqlite-wal", "bukutamu.sqlite-shm"):
            assert mode(data / side) == 0o600, side
        store.close()
    finally:
        os.umask(old)
    cli(tmp_path, "report", "--minggu", "2026-W48", umask=0o077)
    folder = tmp_path / "reports" / "2026-W48"
    assert mode(folder) == 0o755 and mode(tmp_path / "reports") == 0o755
    assert all(mode(p) == 0o644 for p in folder.iterdir())


def test_check_warns_when_the_store_is_readable_by_others(tmp_path):
    cli(tmp_path, "init")
    assert "Izin berkas" not in cli(tmp_path, "check").stdout
    (tmp_path / "data" / "bukutamu.sqlite").chmod(0o644)
    out = cli(tmp_path, "check").stdout
    assert "[PERINGATAN] Izin berkas: store" in out and "chmod 600" in out


def test_check_warns_when_the_service_account_key_is_readable_by_others(tmp_path):
    from tests.fakes.service_account import make_key_file
    key = make_key_file(tmp_path, "http://127.0.0.1:9/token")
    key.path.chmod(0o644)
    cfg = tmp_path / "g.toml"
    cfg.write_text('[store]\nkind = "google"\nspreadsheet_id = "1abc"\nendpoint = "http://127.0.0.1:9"\n'
                   'max_attempts = 1\n')
    p = cli(tmp_path, "--config", str(cfg), "check", check=False,
            env={"BUKUTAMU_GOOGLE_KEY_FILE": str(key.path), "BUKUTAMU_HMAC_KEY": "kunci-uji-yang-cukup-panjang-0123"})
    assert "[PERINGATAN] Izin berkas: kunci service account" in p.stdout, p.stdout


# --- the command line itself ----------------------------------------------------------------

def test_output_closed_early_ends_quietly(tmp_path):
    """`bukutamu register | head -2`: the reader goes away; no BrokenPipeError traceback."""
    cli(tmp_path, "import-csv", str(guests_csv(tmp_path / "a.csv", 5)))
    cli(tmp_path, "poll", "--once")
    e = {**os.environ, "BUKUTAMU_DATA": str(tmp_path / "data")}
    p = subprocess.Popen([sys.executable, "-m", "bukutamu", "register", "--semua"], cwd=tmp_path, env=e,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.close()  # like `head` that already exited: every write meets a closed pipe
    err = p.stderr.read().decode()
    assert p.wait(timeout=60) == EXIT_BROKEN_PIPE
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception ignored" not in err, err


def test_usage_errors_are_indonesian(tmp_path):
    p = cli(tmp_path, "ktp", "6171054507859992", "--jenis-kelamin", "X", check=False)  # synthetic
    assert p.returncode == 2 and "Pemakaian: bukutamu ktp" in p.stderr
    assert "Galat: --jenis-kelamin: pilihan 'X' tidak dikenal (pilih salah satu dari 'L', 'P')" in p.stderr
    for args, words in ((("polll",), "pilihan 'polll' tidak dikenal"), (("import-csv",), "argumen wajib belum diisi"),
                        (("poll", "--tunggu", "x"), "nilai 'x' tidak sah"), (("poll", "--xyz"), "argumen tidak dikenal"),
                        (("register", "--tanggal", "31/02/2026"), "tanggal '31/02/2026' tidak dikenal")):
        p = cli(tmp_path, *args, check=False)
        assert p.returncode == 2 and words in p.stderr, p.stderr
        assert "usage" not in p.stderr and "error:" not in p.stderr and "invalid" not in p.stderr


def test_helpdesk_takes_the_sheets_own_wording_in_any_case(tmp_path):
    cli(tmp_path, "import-csv", str(guests_csv(tmp_path / "a.csv", 2)))
    cli(tmp_path, "poll", "--once")
    cli(tmp_path, "helpdesk", "20261127-A001", "--verifikasi", "sesuai")
    cli(tmp_path, "helpdesk", "20261127-A002", "--verifikasi", "Tidak Sesuai")
    cli(tmp_path, "poll", "--once")
    assert statuses(tmp_path) == ["PETUGAS DIHUBUNGI", "PERLU PERBAIKAN"]
    cli(tmp_path, "helpdesk", "20261127-A001", "--aksi", "Tamu Diterima")
    cli(tmp_path, "helpdesk", "20261127-A002", "--aksi", "tamu-pergi")
    cli(tmp_path, "poll", "--once")
    assert statuses(tmp_path) == ["DILAYANI", "BATAL"]
    reg = cli(tmp_path, "register", "--tanggal", "27/11/2026").stdout
    assert "A-001" in reg and "2 kunjungan pada 27/11/2026" in reg


def test_poll_once_writes_the_status_file_every_cycle(tmp_path):
    cli(tmp_path, "import-csv", str(guests_csv(tmp_path / "a.csv", 2)))
    cli(tmp_path, "poll", "--once")
    status = json.loads((tmp_path / "data" / "status.json").read_text(encoding="utf-8"))
    assert status["ok"] is True and status["hasil"]["kunjungan_baru"] == 2 and status["siklus_terakhir"]


def test_network_down_prints_only_the_indonesian_verdict(tmp_path):
    from tests.fakes.service_account import make_key_file
    key = make_key_file(tmp_path, "http://127.0.0.1:9/token")
    cfg = tmp_path / "g.toml"
    cfg.write_text('[store]\nkind = "google"\nspreadsheet_id = "1abc"\nendpoint = "http://127.0.0.1:9"\n'
                   'max_attempts = 2\ntimeout_seconds = 2\n')
    p = cli(tmp_path, "--config", str(cfg), "poll", "--once", check=False,
            env={"BUKUTAMU_GOOGLE_KEY_FILE": str(key.path), "BUKUTAMU_HMAC_KEY": "kunci-uji-yang-cukup-panjang-0123"})
    assert p.returncode == 1
    lines = p.stderr.strip().splitlines()
    assert lines[-1].startswith("Galat: Tidak dapat terhubung") and len(lines) <= 2, p.stderr
    assert "Retrying" not in p.stderr and "WARNING" not in p.stderr and "urllib3" not in p.stderr


def test_log_lines_use_office_time_and_indonesian_level_names():
    import logging
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from bukutamu.cli import OfficeFormatter, set_log_time_zone, setup_logging
    set_log_time_zone(ZoneInfo("Asia/Pontianak"))
    record = logging.LogRecord("bukutamu", logging.WARNING, __file__, 1, "Email belum terkirim", None, None)
    record.created = datetime(2026, 11, 25, 2, 0, tzinfo=ZoneInfo("UTC")).timestamp()
    assert OfficeFormatter().format(record) == "2026-11-25 09:00:00 PERINGATAN Email belum terkirim"
    record.levelname, record.levelno = "ERROR", logging.ERROR
    assert " GALAT " in OfficeFormatter().format(record)
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        setup_logging(verbose=False)
        assert not logging.getLogger("urllib3.connectionpool").isEnabledFor(logging.WARNING)
        setup_logging(verbose=True)
        assert logging.getLogger("urllib3.connectionpool").isEnabledFor(logging.DEBUG)
    finally:
        root.handlers[:], _ = saved[0], None
        root.setLevel(saved[1])
        for name in ("urllib3", "google", "google.auth", "gspread", "filelock", "requests"):
            logging.getLogger(name).setLevel(logging.NOTSET)


def test_demo_hint_names_a_command_that_exists(tmp_path):
    from bukutamu.commands.demo import command_name
    import shutil
    cmd = command_name()
    first = cmd.split()[0]
    assert Path(first).exists() or shutil.which(first), cmd
