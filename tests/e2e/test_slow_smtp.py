"""A slow SMTP server that answers the end of DATA late must not receive a message
twice: poll cycles of the real engine against aiosmtpd on loopback."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bukutamu.adapters.sqlite_store import SqliteSheetStore
from bukutamu.config import load_settings
from bukutamu.core.cells import datetime_to_serial
from bukutamu.engine import Poller, journal_path, open_store
from bukutamu.adapters.journal import MailJournal
from bukutamu.layout import tab_specs
from tests.fakes.smtp_server import SmtpTestServer

WIB = ZoneInfo("Asia/Pontianak")
REG = "Jawaban Formulir 1"
ENV = {"BUKUTAMU_HMAC_KEY": "kunci-uji-yang-cukup-panjang-0123456789"}
GUESTS = [("6171010101909991", "Budi Santoso", "L", "01/01/1990"),  # synthetic
          ("6171054507859992", "Dewi Lestari", "P", "05/07/1985")]  # synthetic


def at(h, m):
    return datetime(2026, 11, 25, h, m, tzinfo=WIB)


@pytest.fixture
def smtp():
    with SmtpTestServer() as server:
        yield server


def office(tmp_path, smtp, mail_extra="", guests=1):
    cfg = tmp_path / "bukutamu.toml"
    cfg.write_text(f'[store]\npath = "{tmp_path}/store.sqlite"\n'
                   f'[mail]\nkind = "smtp"\nhost = "127.0.0.1"\nport = {smtp.port}\nsecurity = "none"\n'
                   f'sender = "bukutamu@biro.test"\n{mail_extra}')
    settings = load_settings(cfg, env={**ENV, "BUKUTAMU_DATA": str(tmp_path / "data")})
    store = SqliteSheetStore(settings.store.path)
    store.init(tab_specs(settings))
    store.append_rows("Petugas", [["Andi", "LPSE", "andi@biro.test", "Ya", ""]])
    header = store.read([REG]).tab(REG).header
    for i in range(guests):
        nik, name, sex, born = GUESTS[i]
        values = {"Stempel waktu": datetime_to_serial(at(9, i), WIB), "NIK": nik, "Jenis Kelamin": sex,
                  "Tanggal Lahir": born, "Nama Lengkap": name, "Nomor HP": "081234567890", "Bidang yang Dituju": "LPSE",
                  "Verifikasi KTP": "Sesuai"}
        store.append_rows(REG, [[values.get(h, "") for h in header]])
    store.close()
    return settings


def run_cycle(settings, now):
    poller = Poller(settings, open_store(settings), clock=lambda: now)
    try:
        return poller.run_once()
    finally:
        poller.close()


def officer_mails(smtp):
    return [m for m in smtp.messages if m.rcpt_tos == ["andi@biro.test"]]


def test_late_answer_to_the_end_of_data_is_waited_for_not_sent_twice(tmp_path, smtp):
    # connection timeout 0.5 s; the server scans mail for 1.5 s before answering DATA
    settings = office(tmp_path, smtp, "timeout_seconds = 0.5\n")
    run_cycle(settings, at(9, 3))  # registers the visit
    smtp.slow_data_reply(1.5)
    first = run_cycle(settings, at(9, 5))
    assert first.mails_sent == 1 and first.mails_pending == 0
    assert len(officer_mails(smtp)) == 1
    for minutes in (7, 8):  # later cycles: nothing left to retry
        run_cycle(settings, at(9, minutes))
    assert len(officer_mails(smtp)) == 1
    with MailJournal(journal_path(settings)) as journal:
        sent = {s.key: s.message_id for s in journal.sent_since(at(0, 0))}
    assert list(sent.values()) == [officer_mails(smtp)[0].message_id]


def test_no_answer_even_after_the_long_wait_is_unknown_not_resent_in_the_same_cycle(tmp_path, smtp, caplog):
    # the reply to the end of DATA is waited for 1 s (mail.data_timeout_seconds); the server needs 3 s
    settings = office(tmp_path, smtp, "timeout_seconds = 0.5\ndata_timeout_seconds = 1\n", guests=2)
    run_cycle(settings, at(9, 3))  # registers the visits
    smtp.slow_data_reply(3, times=1)
    first = run_cycle(settings, at(9, 5))
    assert first.mails_sent == 0 and first.mails_pending == 2  # the second one was not even tried
    assert "belum pasti" in caplog.text and "Message-ID yang sama" in caplog.text
    stored = smtp.wait_for_messages(1)  # the server did accept it, after the client stopped waiting
    assert len(stored) == 1
    again = run_cycle(settings, at(9, 5))  # same moment: the deferred one goes, the unknown one waits
    assert again.mails_sent == 1 and again.mails_pending == 1
    assert len(officer_mails(smtp)) == 2
    second = run_cycle(settings, at(9, 7))  # next attempt after the journal's backoff
    assert second.mails_sent == 1 and second.mails_pending == 0
    got = officer_mails(smtp)
    # The window that remains (adapters/delivery.py): an unanswered end of DATA is sent
    # once more, with the same Message-ID, so mail systems show one message.
    assert len(got) == 3 and got[0].message_id == got[2].message_id != got[1].message_id


def test_end_of_data_wait_is_bounded(tmp_path):
    from tests.e2e.test_cli import cli
    for value in (0, 601):
        (tmp_path / "m.toml").write_text(f"[mail]\ndata_timeout_seconds = {value}\n")
        p = cli(tmp_path, "--config", str(tmp_path / "m.toml"), "poll", "--once", check=False)
        assert p.returncode == 2 and "mail.data_timeout_seconds" in p.stderr and "Traceback" not in p.stderr
