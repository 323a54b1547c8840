"""Google mode from where the office starts: a Google Form linked to a NEW spreadsheet
(the response tab holds the question headers and no responses yet), `bukutamu init`,
guests submitting the Form (USER_ENTERED in the in_ID locale, as Forms writes), the
helpdesk verifying in the sheet, and the officers' emails in the outbox. Real CLI
processes, real gspread + google-auth code, the Sheets REST fake on loopback (never
real Google)."""

from __future__ import annotations

import email
import os
import random
import subprocess
import sys
from datetime import datetime, timedelta
from email import policy
from zoneinfo import ZoneInfo

import pytest

from bukutamu.demo.guests import BIDANG, make_guest
from tests.fakes.service_account import make_key_file
from tests.fakes.sheets_api import FakeSheetsAPI

WIB = ZoneInfo("Asia/Pontianak")
REG = "Jawaban Formulir 1"
QUESTIONS = ["Stempel waktu", "NIK", "Nama Lengkap", "Jenis Kelamin", "Tanggal Lahir", "Nomor HP", "Email",
             "Instansi", "Keperluan", "Bidang yang Dituju", "Persetujuan Privasi"]
OFFICERS = [[f"Petugas {i}", b, f"petugas{i}@biro.test", "Ya", ""] for i, b in enumerate(BIDANG)]


@pytest.fixture
def office(tmp_path):
    fake = FakeSheetsAPI(first_sheet=None).start()
    # Jawaban > Tautkan ke Spreadsheet > spreadsheet BARU: the Form's tab, headers only.
    fake.set_values(REG, [QUESTIONS])
    key = make_key_file(tmp_path, fake.token_uri)
    fake.register_key(key.client_email, key.public_key)
    cfg = tmp_path / "bukutamu.toml"
    cfg.write_text(f'[store]\nkind = "google"\nspreadsheet_id = "{fake.spreadsheet_id}"\n'
                   f'endpoint = "{fake.url}"\nmax_attempts = 2\n')
    env = {**os.environ, "BUKUTAMU_CONFIG": str(cfg), "BUKUTAMU_DATA": str(tmp_path / "data"),
           "BUKUTAMU_GOOGLE_KEY_FILE": str(key.path),
           "BUKUTAMU_HMAC_KEY": "kunci-uji-yang-cukup-panjang-0123456789"}
    yield fake, env, tmp_path
    fake.stop()


def cli(env, *args):
    return subprocess.run([sys.executable, "-m", "bukutamu", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def submit_guests(fake, n_per_day=(2, 2), seed=7):
    """Guests fill the Form on two different days; returns (guest, sheet row)."""
    rng = random.Random(seed)
    now = datetime.now(WIB)
    moments = [now - timedelta(days=2, minutes=30 - 5 * i) for i in range(n_per_day[0])]
    moments += [now - timedelta(minutes=10 - 2 * i) for i in range(n_per_day[1])]
    out = []
    for m in moments:
        g = make_guest(rng, m.date())
        row = fake.submit_form(REG, {
            "NIK": g.nik, "Nama Lengkap": g.name, "Jenis Kelamin": "Laki-laki" if g.sex == "LAKI-LAKI" else "Perempuan",
            "Tanggal Lahir": g.birth_date.strftime("%d/%m/%Y"), "Nomor HP": g.phone, "Email": g.email,
            "Instansi": g.institution, "Keperluan": g.purpose, "Bidang yang Dituju": g.bidang,
            "Persetujuan Privasi": "Saya setuju"}, m)
        out.append((g, row))
    return out


def cell(fake, row, header):
    values = fake.values(REG)
    i = values[0].index(header)
    r = values[row - 1]
    return r[i] if i < len(r) else None


def outbox(tmp_path):
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted((tmp_path / "data").rglob("outbox/*.eml"))]  # the store's own data folder


def test_init_on_a_form_linked_sheet_then_guests_are_verified_and_officers_emailed(office):
    fake, env, tmp_path = office
    init = cli(env, "init")
    assert init.returncode == 0, init.stdout + init.stderr
    assert 'Format teks biasa dipasang di kolom "NIK"' in init.stdout
    assert 'Format teks biasa dipasang di kolom "Nomor HP"' in init.stdout
    # The admin fills the officers tab in the browser.
    fake.set_values("Petugas", [["Nama", "Bidang", "Email", "Aktif", "Email Cadangan"]] + OFFICERS)

    guests = submit_guests(fake)
    for g, row in guests:  # what the sheet keeps: the NIK and phone exactly as typed
        assert cell(fake, row, "NIK") == g.nik and cell(fake, row, "Nomor HP") == g.phone
    assert len({g.nik for g, _ in guests}) == 4 and len({r for _, r in guests}) == 4

    first = cli(env, "poll", "--once")
    assert first.returncode == 0, first.stdout + first.stderr
    for g, row in guests:
        assert cell(fake, row, "[Sistem] Status") == "MENUNGGU VERIFIKASI", cell(fake, row, "[Sistem] Cek KTP")
        assert not str(cell(fake, row, "[Sistem] Cek KTP")).startswith("SALAH")
    days = {str(cell(fake, row, "[Sistem] ID Kunjungan"))[:8] for _, row in guests}
    assert len(days) >= 2  # more than one office day, numbered separately

    for _, row in guests:  # the helpdesk picks "Sesuai" in the dropdown after checking each KTP
        fake.edit_cell(REG, row, "Verifikasi KTP", "Sesuai")
    second = cli(env, "poll", "--once")
    assert second.returncode == 0, second.stdout + second.stderr
    assert {cell(fake, row, "[Sistem] Status") for _, row in guests} == {"TERVERIFIKASI"}

    officer_of = {b: f"petugas{i}@biro.test" for i, b in enumerate(BIDANG)}
    mails = [m for m in outbox(tmp_path) if str(m["To"]).startswith("petugas")]
    assert sorted(str(m["To"]) for m in mails) == sorted(officer_of[g.bidang] for g, _ in guests)
    bodies = " ".join(m.get_body(("plain", "html")).get_content() for m in mails)
    for g, _ in guests:
        assert g.name in bodies and g.nik not in bodies  # NIK masked in the email

    third = cli(env, "poll", "--once")
    assert third.returncode == 0, third.stdout + third.stderr
    assert {cell(fake, row, "[Sistem] Status") for _, row in guests} == {"PETUGAS DIHUBUNGI"}


def test_check_fails_when_nik_is_not_plain_text_and_passes_after_init(office):
    fake, env, tmp_path = office
    # The office ran an older setup: tabs and columns exist, but the NIK and phone
    # columns were never formatted, and two guests already submitted.
    fake.set_values("Petugas", [["Nama", "Bidang", "Email", "Aktif", "Email Cadangan"]] + OFFICERS)
    assert cli(env, "init").returncode == 0
    sheet = fake.sheet(REG)
    sheet.formats = [(rng, fmt) for rng, fmt in sheet.formats if fmt.get("type") != "TEXT"]  # cleared by a person
    guests = submit_guests(fake, (1, 1))
    assert all(isinstance(cell(fake, row, "NIK"), int) for _, row in guests)  # coerced: 15 digits kept
    assert all(str(cell(fake, row, "NIK")) != g.nik for g, row in guests)

    fake.reset_log()
    bad = cli(env, "check")
    assert bad.returncode == 1, bad.stdout
    assert '[GAGAL] Format Teks biasa: kolom "NIK", "Nomor HP"' in bad.stdout
    assert "jalankan `bukutamu init`" in bad.stdout and "Format > Angka > Teks biasa" in bad.stdout
    assert "NIK di 2 baris" in bad.stdout and "nomor HP di 2 baris" in bad.stdout
    assert all(str(cell(fake, row, "NIK")) not in bad.stdout for _, row in guests)  # no NIK digits shown
    assert len(fake.requests("meta")) == 2  # open + the one format probe (grid data for 4 cells)
    probe = fake.requests("meta")[-1]["query"]
    assert probe["includeGridData"] == ["true"] and len(probe["ranges"]) == 4

    fix = cli(env, "init")
    assert fix.returncode == 0 and 'Format teks biasa dipasang di kolom "NIK"' in fix.stdout
    good = cli(env, "check")
    assert good.returncode == 0, good.stdout
    assert '[ OK ] Format Teks biasa: kolom "NIK", "Nomor HP"' in good.stdout
    assert "[INFO] Nilai yang sudah terlanjur menjadi angka" in good.stdout  # init does not rewrite them
    cells = sum(sh.row_count * sh.col_count for sh in fake.book.sheets)  # what Google counts
    assert f"[INFO] Sel spreadsheet: {cells:,} dari 10.000.000 sel terpakai".replace(",", ".") in good.stdout
    assert "belum ada pertumbuhan" in good.stdout  # no visit registered yet: no projection

    poll = cli(env, "poll", "--once")
    assert poll.returncode == 0
    assert {cell(fake, row, "[Sistem] Status") for _, row in guests} == {"PERLU PERBAIKAN"}
    later = submit_guests(fake, (0, 1), seed=11)  # after init: kept as typed
    cli(env, "poll", "--once")
    (g, row), = later
    assert cell(fake, row, "NIK") == g.nik and cell(fake, row, "[Sistem] Status") == "MENUNGGU VERIFIKASI"
    assert "penuh sekitar" in cli(env, "check").stdout  # visits in the last four weeks: a projection


def test_check_names_the_tabs_when_the_register_tab_is_missing(office):
    fake, env, tmp_path = office
    fake.rename_sheet(REG, "Jawaban Formulir 2")  # the Form was linked to an existing spreadsheet
    c = cli(env, "check")
    assert c.returncode == 1
    assert 'tab register "Jawaban Formulir 1" tidak ada; tab yang ada di spreadsheet: "Jawaban Formulir 2"' in c.stdout
    assert "tabs.register" in c.stdout


def test_init_formats_a_renamed_nik_column_and_says_when_the_phone_question_is_missing(office):
    fake, env, tmp_path = office
    cfg = tmp_path / "bukutamu.toml"
    cfg.write_text(cfg.read_text() + '\n[columns]\nnik = "Nomor KTP"\n')
    fake.set_values(REG, [["Timestamp", "Nomor KTP", "Nama", "Bidang yang Dituju"]])  # a shorter, English-stamped form
    init = cli(env, "init")
    assert init.returncode == 0, init.stdout + init.stderr
    assert 'Format teks biasa dipasang di kolom "Nomor KTP"' in init.stdout
    assert 'Kolom "Nomor HP" tidak ada di tab "Jawaban Formulir 1": format Teks biasa belum dipasang' in init.stdout
    assert fake.sheet(REG).number_format(5, 1) == {"type": "TEXT", "pattern": "@"}
    nik = "6171010101909995"  # synthetic
    row = fake.submit_form(REG, {"Nomor KTP": nik, "Nama": "Budi Santoso"}, datetime.now(WIB))
    assert cell(fake, row, "Nomor KTP") == nik
    check = cli(env, "check")
    assert '[ OK ] Format Teks biasa: kolom "Nomor KTP"' in check.stdout, check.stdout


def test_check_before_init_says_the_form_columns_are_not_plain_text_yet(office):
    fake, env, tmp_path = office
    c = cli(env, "check")
    assert c.returncode == 1
    assert '[GAGAL] Format Teks biasa: kolom "NIK", "Nomor HP"' in c.stdout and "bukutamu init" in c.stdout
    assert "Traceback" not in c.stdout + c.stderr
