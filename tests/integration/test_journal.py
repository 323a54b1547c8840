"""MailJournal + deliver(): exactly once across failures and killed processes.

The SMTP server is real (aiosmtpd on loopback); crashes are real processes killed
with SIGKILL at the named point. Time is injected; nothing sleeps.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bukutamu.adapters.delivery import deliver
from bukutamu.adapters.journal import MailJournal, mail_from_json, mail_to_json, retry_delay
from bukutamu.adapters.mail.mime import make_message_id
from bukutamu.adapters.mail.smtp import SmtpMailer
from bukutamu.config import MailSettings
from bukutamu.core.mail import Attachment, InlineImage, OutgoingMail, SendResult
from tests.fakes.smtp_server import SmtpTestServer

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)
MIN = timedelta(minutes=1)
SENDER = "bukutamu@biro-pbj.example.id"


def mail(n: int = 1, to: str = "petugas@biro-pbj.example.id") -> OutgoingMail:
    return OutgoingMail(key=f"20261128-A00{n}/officer_notice/1", to=(to,), subject=f"Tamu A00{n}",
                        html=f"<p>Tamu A00{n}</p>")


def smtp(srv) -> SmtpMailer:
    return SmtpMailer(MailSettings(kind="smtp", host=srv.host, port=srv.port, security="none", sender=SENDER,
                                   timeout_seconds=5), "")


@pytest.fixture
def journal(tmp_path):
    j = MailJournal(tmp_path / "journal.sqlite")
    yield j
    j.close()


@pytest.fixture
def server():
    with SmtpTestServer() as srv:
        yield srv


# --- the journal itself ---------------------------------------------------------

def test_payload_round_trip():
    m = OutgoingMail(key="k/1", to=("a@b.id", "c@d.id"), cc=("e@f.id",), subject="S ü", html="<p>é</p>",
                     text="t", inline_images=(InlineImage("c1", "c.png", b"\x00\xff", "png"),),
                     attachments=(Attachment("r.xlsx", b"PK\x00", "application/x"),), headers=(("X-A", "b"),))
    assert mail_from_json(mail_to_json(m)) == m


def test_lifecycle_and_restart(tmp_path):
    path = tmp_path / "j.sqlite"
    j = MailJournal(path)
    assert j.record_intent(mail(1), T0) is True
    assert j.record_intent(mail(1), T0 + MIN) is False  # first intent wins
    assert j.state(mail(1).key) == "pending" and not j.was_sent(mail(1).key)
    assert [p.key for p in j.due(T0)] == [mail(1).key]
    assert j.due(T0 - MIN) == []
    j.close()
    j = MailJournal(path)  # restart: the pending message and its payload survive
    [p] = j.due(T0)
    assert p.mail == mail(1) and p.attempts == 0
    j.mark_sent(p.key, T0 + MIN, "<id@x>")
    j.mark_sent(p.key, T0 + 5 * MIN, "<other>")  # idempotent: first time kept
    assert j.was_sent(p.key) and j.due(T0 + 10 * MIN) == []
    assert j.mark_failed(p.key, "late", False, T0 + 2 * MIN) is None  # a sent key stays sent
    [s] = j.sent_unreflected()
    assert (s.key, s.sent_at, s.message_id, s.reflected) == (p.key, T0 + MIN, "<id@x>", False)
    assert [x.key for x in j.sent_since(T0)] == [p.key] and j.sent_since(T0 + 2 * MIN) == []
    j.mark_reflected(p.key)
    assert j.sent_unreflected() == [] and j.sent_since(T0)[0].reflected
    with pytest.raises(KeyError):
        j.mark_sent("unknown", T0)
    with pytest.raises(ValueError):
        j.record_intent(mail(2), datetime(2026, 11, 28, 9, 0))  # naive time refused
    j.close()


def test_backoff_schedule_is_exponential_and_capped(journal):
    journal.record_intent(mail(1), T0)
    now, waits = T0, []
    for _ in range(9):
        nxt = journal.mark_failed(mail(1).key, "Koneksi terputus", False, now)
        waits.append(int((nxt - now) / MIN))
        assert journal.due(nxt - timedelta(seconds=1)) == [] and len(journal.due(nxt)) == 1
        now = nxt
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    [p] = journal.pending()
    assert p.attempts == 9 and p.last_error == "Koneksi terputus"
    assert retry_delay(0) == timedelta(0) and retry_delay(100) == timedelta(minutes=60)


def test_permanent_failure_is_never_due_and_reported_once(journal):
    journal.record_intent(mail(1), T0)
    assert journal.mark_failed(mail(1).key, "Server SMTP menolak 1 dari 1 penerima", True, T0) is None
    assert journal.state(mail(1).key) == "failed"
    assert journal.due(T0 + timedelta(days=30)) == []
    [f] = journal.failed_unreflected()
    assert f.attempts == 1 and "menolak" in f.error
    journal.mark_reflected(mail(1).key)
    assert journal.failed_unreflected() == []


def test_forget_payloads_keeps_exactly_once(journal, server):
    deliver(journal, smtp(server), [mail(1)], T0)
    assert journal.forget_payloads(T0 + MIN) == 1
    assert journal.record_intent(mail(1), T0 + 2 * MIN) is False
    assert deliver(journal, smtp(server), [mail(1)], T0 + 2 * MIN).sent == []
    assert len(server.messages) == 1


# --- deliver() against a real SMTP server -----------------------------------------------

def test_deliver_sends_once_and_skips_known_keys(journal, server):
    r = deliver(journal, smtp(server), [mail(1), mail(2)], T0)
    assert r.sent == [mail(1).key, mail(2).key] and r.skipped == []
    r = deliver(journal, smtp(server), [mail(1), mail(2)], T0 + MIN)
    assert r.sent == [] and r.skipped == [mail(1).key, mail(2).key]
    assert [m.message_id for m in server.messages] == [make_message_id(mail(n).key, SENDER) for n in (1, 2)]
    assert server.state.quits == 1  # one connection for both, closed; the idle call never connected
    assert [s.sent_at for s in journal.sent_unreflected()] == [T0, T0]


def test_server_down_then_back_sends_exactly_once(journal, server):
    server.stop()
    r = deliver(journal, smtp(server), [mail(1)], T0)
    assert r.retrying == [mail(1).key] and "ditolak" in r.errors[mail(1).key]
    assert journal.state(mail(1).key) == "pending"
    assert deliver(journal, smtp(server), [mail(1)], T0 + 30 * timedelta(seconds=1)).sent == []  # backoff
    server.start()
    r = deliver(journal, smtp(server), [mail(1)], T0 + MIN)
    assert r.sent == [mail(1).key]
    for k in range(2, 5):
        assert deliver(journal, smtp(server), [mail(1)], T0 + k * MIN).sent == []
    assert len(server.messages) == 1 and journal.was_sent(mail(1).key)


def test_dropped_connection_then_sent_once(journal, server):
    server.drop_data(2)
    assert deliver(journal, smtp(server), [mail(1)], T0).retrying == [mail(1).key]
    assert deliver(journal, smtp(server), [], T0 + MIN).retrying == [mail(1).key]
    assert deliver(journal, smtp(server), [], T0 + 3 * MIN).sent == [mail(1).key]
    assert deliver(journal, smtp(server), [mail(1)], T0 + 60 * MIN).sent == []
    assert len(server.messages) == 1


def test_temporary_refusal_retried_permanent_refusal_never(journal, server):
    server.refuse["penuh@biro-pbj.example.id"] = "450 4.2.2 mailbox full"
    server.refuse["hilang@biro-pbj.example.id"] = "550 5.1.1 unknown"
    full, gone = mail(1, "penuh@biro-pbj.example.id"), mail(2, "hilang@biro-pbj.example.id")
    r = deliver(journal, smtp(server), [full, gone], T0)
    assert r.retrying == [full.key] and r.failed == [gone.key]
    del server.refuse["penuh@biro-pbj.example.id"]
    del server.refuse["hilang@biro-pbj.example.id"]
    r = deliver(journal, smtp(server), [full, gone], T0 + timedelta(days=1))
    assert r.sent == [full.key]
    assert [m.rcpt_tos for m in server.messages] == [["penuh@biro-pbj.example.id"]]
    assert [f.key for f in journal.failed_unreflected()] == [gone.key]


def test_server_down_stops_trying_after_a_few(journal, server):
    server.stop()
    mails = [mail(n) for n in range(1, 6)]
    r = deliver(journal, smtp(server), mails, T0)
    assert len(r.retrying) == 3 and r.deferred == [m.key for m in mails[3:]]
    server.start()
    r = deliver(journal, smtp(server), [], T0 + MIN)
    assert sorted(r.sent) == sorted(m.key for m in mails)
    assert len(server.messages) == 5


def test_mailer_exception_is_a_temporary_failure(journal):
    class Broken:
        closed = False

        def describe(self):
            return "rusak"

        def send(self, m):
            raise RuntimeError("bug with personal data petugas@biro-pbj.example.id")

        def check(self):
            return None

        def close(self):
            self.closed = True

    b = Broken()
    r = deliver(journal, b, [mail(1)], T0)
    assert r.retrying == [mail(1).key] and "petugas" not in r.errors[mail(1).key] and b.closed


def test_connection_dropped_after_server_accepted_resends_same_message_id(journal, server):
    """The documented window, network flavour: stored by the server, answer lost."""
    server.accept_then_drop(1)
    assert deliver(journal, smtp(server), [mail(1)], T0).retrying == [mail(1).key]
    assert deliver(journal, smtp(server), [], T0 + MIN).sent == [mail(1).key]
    ids = [m.message_id for m in server.messages]
    assert len(ids) == 2 and ids[0] == ids[1] == make_message_id(mail(1).key, SENDER)
    a, b = (m.message for m in server.messages)
    assert a.get_body(("html",)).get_content() == b.get_body(("html",)).get_content()


# --- killed processes -------------------------------------------------------------

CHILD = textwrap.dedent("""
    import json, os, signal, sys
    from datetime import datetime
    cfg = json.loads(sys.argv[1])
    sys.path.insert(0, cfg["root"])
    from bukutamu.adapters.delivery import deliver
    from bukutamu.adapters.journal import MailJournal
    from bukutamu.adapters.mail.smtp import SmtpMailer
    from bukutamu.config import MailSettings
    from bukutamu.core.mail import OutgoingMail

    def die(point):
        if cfg["kill"] == point:
            sys.stdout.flush()
            os.kill(os.getpid(), signal.SIGKILL)

    class Journal(MailJournal):
        def record_intent(self, mail, at):
            r = super().record_intent(mail, at)
            die("after_intent")
            return r

        def mark_sent(self, key, at, message_id=""):
            super().mark_sent(key, at, message_id)
            die("after_mark_sent")

    class Mailer(SmtpMailer):
        def send(self, mail):
            r = super().send(mail)
            die("after_send")  # the server accepted it; the journal does not know yet
            return r

    mailer = Mailer(MailSettings(kind="smtp", host="127.0.0.1", port=cfg["port"], security="none",
                                 sender=cfg["sender"], timeout_seconds=5), "")
    mail = OutgoingMail(key=cfg["key"], to=(cfg["to"],), subject=cfg["subject"], html=cfg["html"])
    deliver(Journal(cfg["journal"]), mailer, [mail], datetime.fromisoformat(cfg["now"]))
    print("finished")
""")


def run_child(tmp_path, srv, kill: str) -> subprocess.CompletedProcess:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    m = mail(1)
    cfg = dict(root=str(ROOT), port=srv.port, sender=SENDER, key=m.key, to=m.to[0], subject=m.subject,
               html=m.html, journal=str(tmp_path / "journal.sqlite"), now=T0.isoformat(), kill=kill)
    return subprocess.run([sys.executable, str(script), json.dumps(cfg)], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})


def restart(tmp_path, srv, at):
    with MailJournal(tmp_path / "journal.sqlite") as j:
        return deliver(j, smtp(srv), [mail(1)], at), j.state(mail(1).key), j.sent_unreflected()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_killed_after_intent_before_send_sends_once_after_restart(tmp_path, server):
    p = run_child(tmp_path, server, "after_intent")
    assert p.returncode == -signal.SIGKILL and "finished" not in p.stdout
    assert server.messages == []
    report, state, _ = restart(tmp_path, server, T0 + MIN)
    assert report.skipped == [mail(1).key] and report.sent == [mail(1).key] and state == "sent"
    assert len(server.messages) == 1


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_killed_after_mark_sent_nothing_is_resent(tmp_path, server):
    p = run_child(tmp_path, server, "after_mark_sent")
    assert p.returncode == -signal.SIGKILL
    assert len(server.messages) == 1
    report, state, unreflected = restart(tmp_path, server, T0 + MIN)
    assert report.sent == [] and state == "sent"
    # the engine learns the send time it may not have written to the sheet yet
    assert [(s.key, s.sent_at) for s in unreflected] == [(mail(1).key, T0)]
    report, _, _ = restart(tmp_path, server, T0 + timedelta(days=2))
    assert report.sent == [] and len(server.messages) == 1


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_killed_after_server_accepted_before_mark_sent_resends_with_same_message_id(tmp_path, server):
    """The one window no journal can close (see bukutamu.adapters.delivery)."""
    p = run_child(tmp_path, server, "after_send")
    assert p.returncode == -signal.SIGKILL
    assert len(server.messages) == 1
    report, state, _ = restart(tmp_path, server, T0 + MIN)
    assert report.sent == [mail(1).key] and state == "sent"
    first, second = server.messages
    assert first.message_id == second.message_id == make_message_id(mail(1).key, SENDER)
    assert first.message.get_body(("html",)).get_content() == second.message.get_body(("html",)).get_content()
    report, _, _ = restart(tmp_path, server, T0 + timedelta(days=2))
    assert report.sent == [] and len(server.messages) == 2


def test_keys_are_stored_typed_and_an_older_journal_is_upgraded(tmp_path):
    import sqlite3

    from bukutamu.adapters.journal import MailJournal
    from bukutamu.core.mail import MailKey, MailKind, OutgoingMail
    now = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
    path = tmp_path / "jurnal.sqlite"
    old = sqlite3.connect(path)  # the table as journals were created before typed keys
    old.executescript("""CREATE TABLE mail (key TEXT PRIMARY KEY, state TEXT NOT NULL, payload TEXT,
        created_at TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT NOT NULL,
        last_error TEXT NOT NULL DEFAULT '', message_id TEXT NOT NULL DEFAULT '', sent_at TEXT, failed_at TEXT,
        reflected INTEGER NOT NULL DEFAULT 0);
        INSERT INTO mail (key, state, created_at, next_attempt_at) VALUES
          ('20261125-A001/petugas/1', 'sent', '2026-11-25', '2026-11-25'),
          ('laporan/2026-W47', 'sent', '2026-11-25', '2026-11-25');""")
    old.commit()
    old.close()
    with MailJournal(path) as journal:
        journal.record_intent(OutgoingMail(str(MailKey("20261125-A001", MailKind.ESCALATION, step=6)), ("a@b.test",),
                                           "s", "<p>x</p>"), now)
        journal.record_intent(OutgoingMail(str(MailKey("20261125-A002", MailKind.GUEST_QUEUE)), ("g@b.test",),
                                           "s", "<p>x</p>"), now)
        assert journal.known_keys(["20261125-A001"]) == {"20261125-A001/petugas/1", "20261125-A001/eskalasi-6/1",
                                                         "laporan/2026-W47"}  # keys about no visit always
        assert journal.known_keys([]) == {"laporan/2026-W47"}
        assert [(k.kind, k.round, k.kind.recipient_role) for k in journal.keys_of("20261125-A001")] == [
            (MailKind.ESCALATION, 1, "helpdesk"), (MailKind.OFFICER_NOTICE, 1, "petugas")]
        assert "laporan/2026-W47" in journal.known_keys()
