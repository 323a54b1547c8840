"""SmtpMailer against a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import html
from datetime import datetime, timezone

import pytest

from bukutamu.adapters.mail import mailer_from_settings
from bukutamu.adapters.mail.mime import make_message_id
from bukutamu.adapters.mail.smtp import SmtpMailer, interpret_result
from bukutamu.config import MailSettings, Secrets, Settings
from bukutamu.core.mail import Attachment, InlineImage, OutgoingMail
from bukutamu.errors import ConfigError
from tests.fakes.smtp_server import SilentServer, SmtpTestServer, free_port, make_tls_contexts

NOW = datetime(2026, 11, 28, 9, 30, tzinfo=timezone.utc)
SENDER = "bukutamu@biro-pbj.example.id"
USER, PASSWORD = "helpdesk@biro-pbj.example.id", "s3cret-App-Passw0rd"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    server_ctx, client_ctx, _ = make_tls_contexts(tmp_path_factory.mktemp("tls"))
    return server_ctx, client_ctx


@pytest.fixture
def server():
    with SmtpTestServer() as srv:
        yield srv


def settings(srv, **kw) -> MailSettings:
    base = dict(kind="smtp", host=srv.host, port=srv.port, security="none", sender=SENDER,
                sender_name="Buku Tamu Biro PBJ", timeout_seconds=5.0)
    base.update(kw)
    return MailSettings(**base)


def mailer(srv, password: str = "", ssl_context=None, **kw) -> SmtpMailer:
    return SmtpMailer(settings(srv, **kw), password, ssl_context=ssl_context, clock=lambda: NOW)


def notice(key="20261128-A001/officer_notice/1", **kw) -> OutgoingMail:
    guest = '<script>alert("x")</script> Budi & Sons'
    base = dict(key=key, to=("petugas@biro-pbj.example.id",), subject="Tamu terverifikasi: A001",
                html=f"<p style=\"color:#333\">Tamu: <b>{html.escape(guest)}</b></p>")
    base.update(kw)
    return OutgoingMail(**base)


def html_part(msg):
    return next(p for p in msg.walk() if p.get_content_type() == "text/html")


def test_sends_escaped_html_with_deterministic_message_id(server):
    m = mailer(server)
    mail = notice(cc=("helpdesk@biro-pbj.example.id",))
    r1 = m.send(mail)
    r2 = m.send(mail)
    m.close()
    assert r1.ok and r2.ok and r1.error == ""
    assert r1.message_id == r2.message_id == make_message_id(mail.key, SENDER)
    assert r1.message_id.endswith("@biro-pbj.example.id>") and len(r1.message_id) == 32 + len(
        "<@biro-pbj.example.id>")
    got = server.messages
    assert len(got) == 2
    assert [g.message_id for g in got] == [r1.message_id] * 2
    rx = got[0]
    assert rx.mail_from == SENDER
    assert rx.rcpt_tos == ["petugas@biro-pbj.example.id", "helpdesk@biro-pbj.example.id"]
    msg = rx.message
    assert msg["Subject"] == "Tamu terverifikasi: A001"
    assert msg["From"].addresses[0].display_name == "Buku Tamu Biro PBJ"
    assert msg["Cc"] == "helpdesk@biro-pbj.example.id"
    assert msg["Bcc"] is None
    assert msg["Date"].datetime == NOW
    body = html_part(msg).get_content()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Budi &amp; Sons" in body
    assert "<script>" not in body
    assert 'style="color:#333"' in body  # inline CSS kept as is (no premailer)
    plain = next(p for p in msg.walk() if p.get_content_type() == "text/plain").get_content()
    assert "Tamu:" in plain and "Budi & Sons" in plain
    assert msg.get_content_type() == "multipart/alternative"
    # the whole message is byte-identical on resend (deterministic boundaries, fixed clock)
    assert got[0].data == got[1].data


def test_header_values_cannot_inject_headers(server):
    m = mailer(server, sender_name='Buku "Tamu"\r\n\r\nBcc: evil@attacker.example')
    mail = notice(subject="Halo\r\nBcc: evil@attacker.example\n\nbody" + "x" * 500,
                  headers=(("X-Bukutamu-Visit", "A001\r\nBcc: evil@attacker.example"),))
    assert m.send(mail).ok
    m.close()
    rx = server.messages[0]
    assert rx.rcpt_tos == ["petugas@biro-pbj.example.id"]
    msg = rx.message
    assert msg["Bcc"] is None
    assert "\n" not in msg["Subject"] and "\r" not in msg["Subject"]
    assert msg["Subject"].startswith("Halo Bcc: evil@attacker.example body")
    assert len(msg["Subject"]) <= 200
    assert msg["X-Bukutamu-Visit"] == "A001 Bcc: evil@attacker.example"
    assert msg["From"].addresses[0].addr_spec == SENDER
    head = rx.data.split(b"\r\n\r\n", 1)[0].decode()
    names = [line.split(":", 1)[0] for line in head.split("\r\n") if line and not line[0].isspace()]
    assert sorted(names) == sorted(["From", "To", "Subject", "Date", "Message-ID", "X-Bukutamu-Visit",
                                    "MIME-Version", "Content-Type"])


def test_bad_recipient_address_is_refused_before_connecting(server):
    m = mailer(server)
    r = m.send(notice(to=("petugas@biro-pbj.example.id\r\nBcc: evil@attacker.example",)))
    assert not r.ok and r.permanent
    assert "attacker" not in r.error and "petugas" not in r.error
    assert server.messages == []


def test_reserved_header_rejected(server):
    r = mailer(server).send(notice(headers=(("Bcc", "evil@attacker.example"),)))
    assert not r.ok and r.permanent and server.messages == []


def test_inline_cid_images_are_multipart_related_and_attachments_attached(server):
    mail = notice(html='<p>Grafik:</p><img src="cid:chart-sla" alt="SLA">',
                  inline_images=(InlineImage("chart-sla", "sla.png", PNG),),
                  attachments=(Attachment("laporan-2026-W48.xlsx", b"PK\x03\x04 data", XLSX),))
    m = mailer(server)
    assert m.send(mail).ok
    m.close()
    msg = server.messages[0].message
    assert msg.get_content_type() == "multipart/mixed"
    alt = msg.get_payload()[0]
    assert alt.get_content_type() == "multipart/alternative"
    related = alt.get_payload()[1]
    assert related.get_content_type() == "multipart/related"
    html_p, img = related.get_payload()
    assert html_p.get_content_type() == "text/html" and 'src="cid:chart-sla"' in html_p.get_content()
    assert img.get_content_type() == "image/png"
    assert img["Content-ID"] == "<chart-sla>"
    assert img.get_content_disposition() == "inline"
    assert img.get_content() == PNG
    atts = list(msg.iter_attachments())
    assert [a.get_filename() for a in atts] == ["laporan-2026-W48.xlsx"]
    assert atts[0].get_content_type() == XLSX and atts[0].get_content() == b"PK\x03\x04 data"


def test_guest_text_that_is_an_existing_path_is_not_attached(server, tmp_path):
    secret = tmp_path / "rahasia.txt"
    secret.write_text("ISI-BERKAS-RAHASIA")
    path = str(secret)
    mail = notice(subject=path, html=f"<p>{html.escape(path)}</p>", text=path)
    m = mailer(server)
    assert m.send(mail).ok
    m.close()
    rx = server.messages[0]
    assert b"ISI-BERKAS-RAHASIA" not in rx.data
    assert list(rx.message.iter_attachments()) == []
    assert path in html_part(rx.message).get_content()


def test_starttls_with_auth(tls):
    server_ctx, client_ctx = tls
    with SmtpTestServer(auth=(USER, PASSWORD), starttls=server_ctx) as srv:
        m = mailer(srv, PASSWORD, client_ctx, user=USER, security="starttls")
        assert m.check() is None
        assert m.send(notice()).ok
        m.close()
        rx = srv.messages[0]
        assert rx.tls and rx.authenticated_as == USER and rx.mail_from == SENDER


def test_implicit_tls_with_auth(tls):
    server_ctx, client_ctx = tls
    with SmtpTestServer(auth=(USER, PASSWORD), implicit_tls=server_ctx) as srv:
        m = mailer(srv, PASSWORD, client_ctx, user=USER, security="ssl")
        assert m.check() is None
        assert m.send(notice()).ok
        m.close()
        assert srv.messages[0].tls and srv.messages[0].authenticated_as == USER


def test_untrusted_certificate_is_reported(tls):
    server_ctx, _ = tls
    with SmtpTestServer(starttls=server_ctx) as srv:
        m = mailer(srv, security="starttls")  # system trust store: self-signed cert not trusted
        msg = m.check()
        assert msg is not None and "Sertifikat TLS" in msg
        r = m.send(notice())
        assert not r.ok and not r.permanent and srv.messages == []


def test_starttls_not_offered_is_reported(server):
    msg = mailer(server, security="starttls").check()
    assert msg is not None and "STARTTLS" in msg and "mail.security" in msg


def test_wrong_password_message_names_the_fix_not_the_password():
    with SmtpTestServer(auth=(USER, PASSWORD)) as srv:
        m = mailer(srv, "wrong-" + PASSWORD, user=USER)
        msg = m.check()
        assert msg is not None and "BUKUTAMU_SMTP_PASSWORD" in msg and "535" in msg
        r = m.send(notice())
        assert not r.ok and not r.permanent  # fixable: the message waits for the right password
        for text in (msg, r.error, repr(m), m.describe()):
            assert PASSWORD not in text
        assert srv.messages == []


def test_never_keyring_or_prompt_and_empty_user_means_no_auth(server, monkeypatch):
    import builtins
    import getpass

    import yagmail.password
    import yagmail.sender

    def boom(*a, **k):
        raise AssertionError("keyring/prompt path used")

    for target, name in ((getpass, "getpass"), (builtins, "input"), (yagmail.password, "handle_password"),
                         (yagmail.sender, "handle_password")):
        monkeypatch.setattr(target, name, boom)
    m = mailer(server, user="")
    assert m.check() is None
    assert m.send(notice()).ok
    m.close()
    assert server.auth_attempts == 0 and server.messages[0].authenticated_as is None
    with SmtpTestServer(auth=(USER, PASSWORD)) as srv:
        m = mailer(srv, PASSWORD, user=USER)
        assert m.send(notice()).ok
        m.close()
        assert srv.messages[0].authenticated_as == USER
    with pytest.raises(ConfigError, match="BUKUTAMU_SMTP_PASSWORD"):
        SmtpMailer(settings(server, user=USER), "")


def test_connection_reused_then_closed_with_quit(server):
    m = mailer(server)
    assert m.send(notice(key="k/1")).ok and m.send(notice(key="k/2")).ok
    assert server.state.quits == 0
    m.close()
    assert server.state.quits == 1
    assert m.check() is None
    assert server.state.quits == 2


def test_refused_recipients(server):
    m = mailer(server)
    server.refuse["hilang@biro-pbj.example.id"] = "550 5.1.1 <hilang@biro-pbj.example.id> unknown"
    r = m.send(notice(to=("hilang@biro-pbj.example.id",)))
    assert not r.ok and r.permanent and "550" in r.error and "hilang" not in r.error
    r = m.send(notice(to=("petugas@biro-pbj.example.id", "hilang@biro-pbj.example.id")))
    assert not r.ok and r.permanent and "1 dari 2" in r.error  # partial refusal is not success
    server.refuse["penuh@biro-pbj.example.id"] = "450 4.2.2 mailbox full"
    r = m.send(notice(to=("penuh@biro-pbj.example.id",)))
    assert not r.ok and not r.permanent
    m.close()


def test_result_mapping_only_empty_dict_is_success():
    assert interpret_result({}, "<m>", 1).ok
    r = interpret_result(False, "<m>", 1)  # yagmail: dropped three times
    assert not r.ok and not r.permanent and r.error
    r = interpret_result({"a@b.id": (450, b"later")}, "<m>", 2)
    assert not r.ok and not r.permanent
    r = interpret_result({"a@b.id": (550, b"no")}, "<m>", 2)
    assert not r.ok and r.permanent and "a@b.id" not in r.error
    assert not interpret_result(None, "<m>", 1).ok


def test_dropped_connection_is_temporary_and_next_send_reconnects(server):
    m = mailer(server)
    server.drop_data(1)
    r = m.send(notice(key="k/1"))
    assert not r.ok and not r.permanent and "terputus" in r.error
    assert server.messages == []
    assert m.send(notice(key="k/1")).ok
    m.close()
    assert len(server.messages) == 1


def test_content_rejected_is_permanent(server):
    server.data_reply = "554 5.7.1 spam"
    r = mailer(server).send(notice())
    assert not r.ok and r.permanent and "554" in r.error


def test_server_down():
    port = free_port()
    m = SmtpMailer(MailSettings(kind="smtp", host="127.0.0.1", port=port, security="none", sender=SENDER,
                                timeout_seconds=5), "")
    msg = m.check()
    assert msg is not None and "ditolak" in msg and "mail.port" in msg
    r = m.send(notice())
    assert not r.ok and not r.permanent


def test_silent_server_times_out():
    with SilentServer() as s:
        m = SmtpMailer(MailSettings(kind="smtp", host=s.host, port=s.port, security="none", sender=SENDER,
                                    timeout_seconds=0.2), "")
        msg = m.check()
        assert msg is not None and "tidak menjawab" in msg


def test_mailer_from_settings(server, tmp_path):
    s = Settings(mail=settings(server), secrets=Secrets(smtp_password=""))
    m = mailer_from_settings(s)
    assert isinstance(m, SmtpMailer) and m.check() is None
    o = mailer_from_settings(Settings(mail=MailSettings(outbox=tmp_path / "outbox")))
    assert o.describe().startswith("folder outbox")
