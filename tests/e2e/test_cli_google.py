"""The admin's first steps in Google mode, as real CLI processes against the Sheets
HTTP fake (real gspread + google-auth code; never real Google)."""

import os
import subprocess
import sys

import pytest

from tests.fakes.service_account import make_key_file
from tests.fakes.sheets_api import FakeSheetsAPI


@pytest.fixture
def google(tmp_path):
    fake = FakeSheetsAPI().start()
    key = make_key_file(tmp_path, fake.token_uri)
    fake.register_key(key.client_email, key.public_key)
    cfg = tmp_path / "bukutamu.toml"
    cfg.write_text(f'[store]\nkind = "google"\nspreadsheet_id = "{fake.spreadsheet_id}"\n'
                   f'endpoint = "{fake.url}"\nmax_attempts = 2\n')
    env = {**os.environ, "BUKUTAMU_CONFIG": str(cfg), "BUKUTAMU_DATA": str(tmp_path / "data"),
           "BUKUTAMU_GOOGLE_KEY_FILE": str(key.path),
           "BUKUTAMU_HMAC_KEY": "kunci-uji-yang-cukup-panjang-0123456789"}
    yield fake, env, key
    fake.stop()


def cli(env, *args):
    return subprocess.run([sys.executable, "-m", "bukutamu", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def test_init_check_and_poll_in_google_mode(google):
    fake, env, key = google
    before = cli(env, "check")
    assert before.returncode == 1 and "tab belum ada" in before.stdout
    unlinked = cli(env, "init")  # no Form linked yet: init does not invent the Form's questions
    assert unlinked.returncode == 1 and 'pertanyaan formulir wajib "NIK"' in unlinked.stdout
    # The office links its Google Form: the responses tab gets the question columns.
    fake.set_values("Jawaban Formulir 1", [["Stempel waktu", "NIK", "Nama Lengkap", "Nomor HP", "Keperluan"]]
                    + [list(r) for r in fake.values("Jawaban Formulir 1")[1:]])
    assert key.client_email in before.stdout
    init = cli(env, "init")
    assert init.returncode == 0, init.stdout + init.stderr
    assert "[Sistem] Status" in init.stdout and 'opsional "Jenis Kelamin"' in init.stdout
    again = cli(env, "init")
    assert "Semua tab dan kolom sudah lengkap" in again.stdout
    check = cli(env, "check")
    assert check.returncode == 0, check.stdout
    assert "[ OK ] Akses store" in check.stdout and "Kolom: lengkap" in check.stdout
    poll = cli(env, "poll", "--once")
    assert poll.returncode == 0, poll.stderr


def test_bad_key_file_stops_at_start_with_a_message(google, tmp_path):
    fake, env, key = google
    bad = tmp_path / "rusak.json"
    bad.write_text("{bukan json")
    p = cli({**env, "BUKUTAMU_GOOGLE_KEY_FILE": str(bad)}, "poll", "--once")
    assert p.returncode != 0 and "BUKUTAMU_GOOGLE_KEY_FILE" in p.stderr and "Traceback" not in p.stderr
    c = cli({**env, "BUKUTAMU_GOOGLE_KEY_FILE": str(bad)}, "check")
    assert c.returncode == 1 and "[GAGAL] Kredensial Google" in c.stdout
