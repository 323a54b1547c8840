"""Exactly-once toward people when the poller dies or SMTP misbehaves."""

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bukutamu.adapters.sqlite_store import SqliteSheetStore
from bukutamu.config import load_settings
from bukutamu.core.cells import datetime_to_serial
from bukutamu.engine import Poller, open_store
from bukutamu.layout import tab_specs
from tests.fakes.smtp_server import SmtpTestServer

WIB = ZoneInfo("Asia/Pontianak")
REG = "Jawaban Formulir 1"
HERE = Path(__file__).resolve().parent
ENV = {"BUKUTAMU_HMAC_KEY": "kunci-uji-yang-cukup-panjang-0123456789"}


def at(h, m, day=25):
    return datetime(2026, 11, day, h, m, tzinfo=WIB)


@pytest.fixture
def smtp():
    with SmtpTestServer() as server:
        yield server


@pytest.fixture
def office(tmp_path, smtp):
    cfg = tmp_path / "bukutamu.toml"
    cfg.write_text(f'[store]\npath = "{tmp_path}/store.sqlite"\n'
                   f'[mail]\nkind = "smtp"\nhost = "127.0.0.1"\nport = {smtp.port}\nsecurity = "none"\n'
                   'sender = "bukutamu@biro.test"\n')
    env = {**ENV, "BUKUTAMU_DATA": str(tmp_path / "data")}
    settings = load_settings(cfg, env=env)
    store = SqliteSheetStore(settings.store.path)
    store.init(tab_specs(settings))
    store.append_rows("Petugas", [["Andi", "LPSE", "andi@biro.test", "Ya", ""]])
    header = store.read([REG]).tab(REG).header
    values = {"Stempel waktu": datetime_to_serial(at(9, 0), WIB), "NIK": "6171010101909991",  # synthetic
              "Nama Lengkap": "Budi Santoso", "Jenis Kelamin": "L", "Tanggal Lahir": "01/01/1990",
              "Nomor HP": "081234567890", "Bidang yang Dituju": "LPSE", "Verifikasi KTP": "Sesuai"}
    store.append_rows(REG, [[values.get(h, "") for h in header]])
    store.close()
    return cfg, settings, {**os.environ, **env}


def status(settings):
    store = SqliteSheetStore(settings.store.path)
    tab = store.read([REG]).tab(REG)
    store.close()
    return dict(zip(tab.header, tab.rows[0].values))["[Sistem] Status"]


def run_cycle(settings, now):
    poller = Poller(settings, open_store(settings), clock=lambda: now)
    try:
        return poller.run_once()
    finally:
        poller.close()


def crash(cfg, env, now, mode):
    return subprocess.run([sys.executable, str(HERE / "crash_poller.py"), str(cfg), now.isoformat(), mode],
                          env=env, capture_output=True, text=True, timeout=60)


def officer_mails(smtp):
    return [m for m in smtp.messages if m.rcpt_tos == ["andi@biro.test"]]


def test_killed_after_send_before_the_sheet_write_sends_nothing_twice(office, smtp):
    cfg, settings, env = office
    run_cycle(settings, at(9, 1))  # registers the visit (Sesuai already picked)
    p = crash(cfg, env, at(9, 2), "after-cycle")
    assert p.returncode == -9, p.stderr  # SIGKILL
    assert len(officer_mails(smtp)) == 1 and status(settings) == "TERVERIFIKASI"
    for minute in (3, 4, 5):
        run_cycle(settings, at(9, minute))
    assert len(officer_mails(smtp)) == 1
    assert status(settings) == "PETUGAS DIHUBUNGI"


def test_killed_after_smtp_accepted_resends_once_with_the_same_message_id(office, smtp):
    cfg, settings, env = office
    run_cycle(settings, at(9, 1))
    p = crash(cfg, env, at(9, 2), "after-accept")
    assert p.returncode == -9, p.stderr  # SIGKILL
    for minute in (3, 4, 5):
        run_cycle(settings, at(9, minute))
    mails = officer_mails(smtp)
    assert len(mails) == 2 and mails[0].message_id == mails[1].message_id  # the documented window
    assert status(settings) == "PETUGAS DIHUBUNGI"


@pytest.mark.parametrize("trouble", ["down", "refuse", "drop"])
def test_smtp_trouble_keeps_the_notice_pending_until_it_can_be_sent_once(office, smtp, trouble):
    cfg, settings, env = office
    run_cycle(settings, at(9, 0))  # registers the visit
    if trouble == "down":
        smtp.stop()
    elif trouble == "refuse":
        smtp.data_reply = "451 4.3.0 Coba lagi nanti"
    else:
        smtp.drop_data(times=1)
    run_cycle(settings, at(9, 1))
    assert officer_mails(smtp) == [] and status(settings) == "TERVERIFIKASI"
    report = run_cycle(settings, at(9, 1) + timedelta(seconds=20))  # before the backoff ends
    assert report.mails_pending >= 1 and officer_mails(smtp) == []
    if trouble == "down":
        smtp.start()
    smtp.data_reply = None
    run_cycle(settings, at(9, 4))
    assert len(officer_mails(smtp)) == 1
    for minute in (5, 6, 7):
        run_cycle(settings, at(9, minute))
    assert len(officer_mails(smtp)) == 1 and status(settings) == "PETUGAS DIHUBUNGI"


def test_officer_address_refused_for_good_is_noted_on_the_row_and_not_retried(office, smtp):
    cfg, settings, env = office
    smtp.refuse["andi@biro.test"] = "550 5.1.1 Kotak surat tidak ada"
    run_cycle(settings, at(9, 0))
    run_cycle(settings, at(9, 1))
    run_cycle(settings, at(9, 2))
    store = SqliteSheetStore(settings.store.path)
    tab = store.read([REG]).tab(REG)
    store.close()
    row = dict(zip(tab.header, tab.rows[0].values))
    assert row["[Sistem] Status"] == "TERVERIFIKASI"
    assert "gagal permanen" in row["[Sistem] Catatan"] and "tab Petugas" in row["[Sistem] Catatan"]
    run_cycle(settings, at(10, 0))
    assert officer_mails(smtp) == []
