"""Live SLA escalation in office minutes: once per visit and step, never over a
weekend or a holiday."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bukutamu.adapters.sqlite_store import SqliteSheetStore
from bukutamu.config import load_settings
from bukutamu.core.cells import datetime_to_serial
from bukutamu.engine import Poller
from bukutamu.layout import tab_specs
from tests.fakes.smtp_server import SmtpTestServer

WIB = ZoneInfo("Asia/Pontianak")
REG = "Jawaban Formulir 1"


@pytest.fixture
def smtp():
    with SmtpTestServer() as server:
        yield server


def test_service_clock_runs_in_office_minutes_and_escalates_once(tmp_path, smtp):
    cfg = tmp_path / "b.toml"
    cfg.write_text(f'[store]\npath = "{tmp_path}/s.sqlite"\n[office]\nhelpdesk_email = "helpdesk@biro.test"\n'
                   'supervisor_email = "kabag@biro.test"\n'
                   f'[mail]\nkind = "smtp"\nhost = "127.0.0.1"\nport = {smtp.port}\nsecurity = "none"\n')
    settings = load_settings(cfg, env={"BUKUTAMU_DATA": str(tmp_path / "d"),
                                       "BUKUTAMU_HMAC_KEY": "kunci-uji-yang-cukup-panjang-0123456789"})
    store = SqliteSheetStore(settings.store.path)
    store.init(tab_specs(settings))
    store.append_rows("Petugas", [["Andi", "LPSE", "andi@biro.test", "Ya", ""]])
    header = store.read([REG]).tab(REG).header
    friday = datetime(2026, 8, 14, 15, 50, tzinfo=WIB)  # Monday 17 August is Independence Day
    values = {"Stempel waktu": datetime_to_serial(friday, WIB), "NIK": "6171010101909991",  # synthetic
              "Nama Lengkap": "Budi Santoso", "Jenis Kelamin": "L", "Tanggal Lahir": "01/01/1990",
              "Nomor HP": "081234567890", "Bidang yang Dituju": "LPSE", "Verifikasi KTP": "Sesuai"}
    store.append_rows(REG, [[values.get(h, "") for h in header]])
    clock = {}
    poller = Poller(settings, store, clock=lambda: clock["now"])

    def cycle(day, h, m):
        clock["now"] = datetime(2026, 8, day, h, m, tzinfo=WIB)
        poller.run_once()
        tab = store.read([REG]).tab(REG)
        return dict(zip(tab.header, tab.rows[0].values + (None,) * len(tab.header)))

    cycle(14, 15, 51)
    cycle(14, 15, 52)
    ref = store.read([REG]).tab(REG).rows[0].ref
    store.set_cell(REG, ref, "Aksi Helpdesk", "Tamu Diterima")
    row = cycle(14, 15, 58)
    assert row["[Sistem] Status"] == "DILAYANI"

    def escalations():
        return [m for m in smtp.messages if "TERLAMBAT" in m.message["Subject"]]

    for day, h, m in ((14, 16, 25), (15, 10, 0), (16, 12, 0), (17, 9, 0), (18, 7, 57)):
        row = cycle(day, h, m)
        assert not escalations(), (day, h, m)
        assert not row["[Sistem] SLA"]
    row = cycle(18, 8, 5)  # 32 min on Friday + 35 min on Tuesday = 67 office minutes > 60
    assert row["[Sistem] SLA"] == "TERLAMBAT langkah 7 (Petugas melayani tamu) +7 mnt"
    mails = escalations()
    assert len(mails) == 1 and sorted(mails[0].rcpt_tos) == ["helpdesk@biro.test", "kabag@biro.test"]
    assert "+7 mnt" in mails[0].message["Subject"]
    for h, m in ((8, 30), (9, 30)):
        cycle(18, h, m)
    assert len(escalations()) == 1
    poller.close()
