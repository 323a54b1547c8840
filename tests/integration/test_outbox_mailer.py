"""OutboxMailer: .eml files, atomic, idempotent, same MIME as SMTP."""

from __future__ import annotations

import email
import html
import os
import re
from datetime import datetime, timezone
from email import policy

from bukutamu.adapters.mail.mime import make_message_id
from bukutamu.adapters.mail.outbox import OutboxMailer, outbox_filename
from bukutamu.adapters.mail.smtp import SmtpMailer
from bukutamu.config import MailSettings
from bukutamu.core.mail import Attachment, InlineImage, OutgoingMail
from tests.fakes.smtp_server import SmtpTestServer

NOW = datetime(2026, 11, 28, 9, 30, tzinfo=timezone.utc)
SENDER = "bukutamu@biro-pbj.example.id"
NAME = "Buku Tamu Biro PBJ"


def full_mail(key="20261128-A001/officer_notice/1") -> OutgoingMail:
    return OutgoingMail(
        key=key, to=("petugas@biro-pbj.example.id",), cc=("helpdesk@biro-pbj.example.id",),
        subject="Tamu terverifikasi\r\nBcc: x@attacker.example",
        html=f"<p>{html.escape('<script>x</script> Siti')}</p><img src=\"cid:logo\">",
        inline_images=(InlineImage("logo", "logo.png", b"\x89PNG fake"),),
        attachments=(Attachment("data.csv", b"a,b\n1,2\n", "text/csv"),))


def outbox(tmp_path) -> OutboxMailer:
    return OutboxMailer(tmp_path / "outbox", SENDER, NAME, clock=lambda: NOW)


def test_writes_one_rfc5322_file_named_after_the_key(tmp_path):
    m = outbox(tmp_path)
    mail = full_mail()
    r = m.send(mail)
    assert r.ok and r.message_id == make_message_id(mail.key, SENDER)
    files = sorted(os.listdir(tmp_path / "outbox"))
    assert files == [outbox_filename(mail.key)]
    assert re.fullmatch(r"[A-Za-z0-9._-]+\.eml", files[0]) and files[0].startswith("20261128-A001_officer_notice_1-")
    raw = (tmp_path / "outbox" / files[0]).read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")  # CRLF throughout
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert msg["Message-ID"] == r.message_id
    assert msg["Bcc"] is None and "\n" not in msg["Subject"]
    assert msg["To"] == "petugas@biro-pbj.example.id" and msg["Cc"] == "helpdesk@biro-pbj.example.id"
    htmlp = next(p for p in msg.walk() if p.get_content_type() == "text/html")
    assert "&lt;script&gt;" in htmlp.get_content() and "<script>" not in htmlp.get_content()
    related = next(p for p in msg.walk() if p.get_content_type() == "multipart/related")
    assert [p.get("Content-ID") for p in related.get_payload()] == [None, "<logo>"]
    assert [a.get_filename() for a in msg.iter_attachments()] == ["data.csv"]


def test_idempotent_and_atomic(tmp_path):
    folder = tmp_path / "outbox"
    m = outbox(tmp_path)
    mail = full_mail()
    assert m.send(mail).ok
    path = m.path_for(mail.key)
    first = path.read_bytes()
    later = OutboxMailer(folder, SENDER, NAME, clock=lambda: datetime(2027, 1, 1, tzinfo=timezone.utc))
    r = later.send(mail)
    assert r.ok and r.message_id == make_message_id(mail.key, SENDER)
    assert os.listdir(folder) == [path.name]  # no second file, no temp file left
    assert path.read_bytes() == first


def test_keys_that_clean_to_the_same_text_get_distinct_files(tmp_path):
    m = outbox(tmp_path)
    assert m.send(full_mail("a/b")).ok and m.send(full_mail("a_b")).ok and m.send(full_mail("../../etc")).ok
    names = sorted(os.listdir(tmp_path / "outbox"))
    assert len(names) == 3 and all("/" not in n and not n.startswith(".") for n in names)
    assert not (tmp_path / "etc").exists()


def test_same_mime_as_smtp(tmp_path):
    mail = full_mail()
    with SmtpTestServer() as srv:
        smtp = SmtpMailer(MailSettings(kind="smtp", host=srv.host, port=srv.port, security="none",
                                       sender=SENDER, sender_name=NAME), "", clock=lambda: NOW)
        assert smtp.send(mail).ok
        smtp.close()
        wire = srv.messages[0].data
    m = outbox(tmp_path)
    m.send(mail)
    assert m.path_for(mail.key).read_bytes() == wire


def test_unbuildable_mail_is_permanent_and_writes_nothing(tmp_path):
    m = outbox(tmp_path)
    r = m.send(OutgoingMail(key="k", to=("not an address",), subject="s", html="<p>x</p>"))
    assert not r.ok and r.permanent and "not an address" not in r.error
    assert not (tmp_path / "outbox").exists() or os.listdir(tmp_path / "outbox") == []


def test_check(tmp_path):
    assert outbox(tmp_path).check() is None
    blocker = tmp_path / "file"
    blocker.write_text("x")
    bad = OutboxMailer(blocker / "outbox", SENDER, NAME)
    msg = bad.check()
    assert msg is not None and "mail.outbox" in msg
    r = bad.send(full_mail())
    assert not r.ok and not r.permanent
