"""SMTP mailer over yagmail 0.16.0, wrapped around its traps.

What yagmail does for us: open the connection (plain / STARTTLS / implicit SSL) and
AUTH. What it does not do, by design:
- the message is built by ``mime.build_message`` (see its docstring for why
  yagmail's ``prepare_message`` cannot express inline CID images from bytes
  cleanly and why guest text must never be a ``contents`` item) and handed to the
  connection yagmail opened (``client.smtp.sendmail``), once;
- ``Client.send``/``_attempt_send`` are not used: they sleep 3 + 6 s and retry on
  a dropped connection, then return ``False`` and park the message in
  ``client.unsent``. A failed send here is reported at once and the journal
  retries it on a later cycle with backoff.
- the password is always given: ``handle_password`` is overridden so an empty one
  raises instead of falling back to keyring or an interactive prompt; an empty
  ``mail.user`` means no AUTH at all (``smtp_skip_login``);
- the login user is a full address (config refuses one without "@", because
  yagmail would append "@gmail.com").

The end of DATA: once the whole message is sent, the server may take long to
answer (content scanning); RFC 5321 4.5.3.2 asks clients to wait 10 minutes. That
one reply is awaited ``mail.data_timeout_seconds`` (default 300 s, at most 600),
every other read ``mail.timeout_seconds``. With one short timeout for everything,
a server that answered after 8 s to a 5 s timeout stored the message, we counted a
failure and retried a minute later -- and it stored every retry again: one copy per
retry, all with the same Message-ID.

If even the long wait passes (or the connection drops) after the message was
fully sent, the outcome is *unknown*: the server may have accepted it. The result
is a temporary failure marked ``uncertain``; ``deliver`` stops the batch there (the
server is struggling) and the journal retries it no earlier than its backoff, in a
later cycle, with the same Message-ID. That later resend is the one window left
(see adapters/delivery.py): when the server did accept the first attempt, the
recipient has two copies with one Message-ID.

Result mapping: only an empty refusal dict is success. A dict of refused
recipients is a failure (permanent when every refusal is 5xx: the accepted
recipients already have the message and a retry cannot help the refused ones);
all recipients refused likewise; a 5xx answer to DATA is permanent; everything
else (connection refused, timeout, dropped connection, 4xx, login problems) is
temporary: the message stays pending and is retried. Error texts are Indonesian
and contain no address, no server reply text and never the password.
"""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
from datetime import datetime, timezone
from typing import Any, Callable

import yagmail

from bukutamu.adapters.mail.mime import MessageBuildError, build_message, message_bytes, envelope_recipients, make_message_id
from bukutamu.config import ENV_SMTP_PASSWORD, MailSettings
from bukutamu.core.mail import OutgoingMail, SendResult
from bukutamu.errors import ConfigError

Clock = Callable[[], datetime]


class _NoPromptClient(yagmail.Client):
    """yagmail.Client that never asks keyring or a terminal for a password."""

    @staticmethod
    def handle_password(user: str, password: Any) -> str:
        if not isinstance(password, str) or not password:
            raise ConfigError(f"{ENV_SMTP_PASSWORD}: belum diatur; mail.user diisi sehingga SMTP butuh "
                              "kata sandi (untuk Gmail: App Password).")
        return password

    @property
    def connection(self):  # yagmail opens this class
        return _SMTP_SSL if self.ssl else _SMTP


class _LongWaitForDataReply:
    """smtplib's SMTP with a separate, longer timeout for the reply to the end of DATA
    (RFC 5321 4.5.3.2), and a flag telling whether the whole message was sent."""

    data_reply_timeout: float | None = None
    payload_sent = False

    def data(self, msg: bytes):  # smtplib.SMTP.data, with the long wait for the last reply
        self.payload_sent = False
        self.putcmd("data")
        code, repl = self.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, repl)
        q = re.sub(rb"(?m)^\.", b"..", msg)
        if q[-2:] != b"\r\n":
            q += b"\r\n"
        self.send(q + b".\r\n")
        self.payload_sent = True
        if self.data_reply_timeout and self.sock is not None:
            self.sock.settimeout(self.data_reply_timeout)
        try:
            return self.getreply()
        finally:
            if self.sock is not None:  # getreply closes the socket on a timeout
                self.sock.settimeout(self.timeout)


class _SMTP(_LongWaitForDataReply, smtplib.SMTP):
    pass


class _SMTP_SSL(_LongWaitForDataReply, smtplib.SMTP_SSL):
    pass


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class SmtpMailer:
    """Mailer port over SMTP. One connection is reused for the sends of a batch
    (checked with NOOP before reuse) and closed by ``close()``; any failure drops it
    so the next send starts clean."""

    def __init__(self, settings: MailSettings, password: str = "", *,
                 ssl_context: ssl.SSLContext | None = None, clock: Clock | None = None):
        if not settings.host:
            raise ConfigError('mail.host: wajib diisi untuk mail.kind = "smtp" (misalnya smtp.gmail.com).')
        if settings.user and "@" not in settings.user:
            raise ConfigError("mail.user: tulis alamat lengkap dengan @ (misalnya helpdesk@kantor.go.id).")
        if settings.user and not password:
            _NoPromptClient.handle_password(settings.user, password)  # raises ConfigError
        if settings.security not in ("starttls", "ssl", "none"):
            raise ConfigError(f"mail.security: nilai {settings.security!r} tidak dikenal.")
        self.settings = settings
        self._password = password
        self._ssl_context = ssl_context  # None: system trust store, hostname checked
        self._clock = clock or _utc_now
        self._client: _NoPromptClient | None = None

    def __repr__(self) -> str:  # never shows the password
        return f"SmtpMailer({self.describe()})"

    def describe(self) -> str:
        s = self.settings
        mode = {"starttls": "STARTTLS", "ssl": "SSL/TLS", "none": "tanpa enkripsi"}[s.security]
        login = "dengan login" if s.user else "tanpa login"
        return f"SMTP {s.host}:{s.port} ({mode}, {login})"

    # --- connection ------------------------------------------------------------

    def _context(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            self._ssl_context = ssl.create_default_context()
        return self._ssl_context

    def _connect(self) -> _NoPromptClient:
        s = self.settings
        kwargs: dict[str, Any] = {"timeout": s.timeout_seconds}
        if s.security == "ssl":
            kwargs["context"] = self._context()
        client = _NoPromptClient(
            user=s.user or s.sender,  # without AUTH yagmail still wants a user; never "@gmail.com"-mangled
            password=self._password or None,
            host=s.host,
            port=s.port,
            smtp_ssl=s.security == "ssl",
            smtp_starttls={"context": self._context()} if s.security == "starttls" else False,
            smtp_skip_login=not s.user,
            soft_email_validation=False,
            **kwargs,
        )
        client.set_logging(None)  # yagmail's own logger would print addresses
        try:
            client.login()
        except BaseException:
            _quietly_close(client)
            raise
        client.smtp.data_reply_timeout = max(s.data_timeout_seconds, s.timeout_seconds)
        return client

    def _connection(self) -> _NoPromptClient:
        if self._client is not None:
            try:
                code, _ = self._client.smtp.noop()
                if code == 250:
                    return self._client
            except (smtplib.SMTPException, OSError):
                pass
            self._drop()
        self._client = self._connect()
        return self._client

    def _drop(self) -> None:
        if self._client is not None:
            _quietly_close(self._client)
            self._client = None

    def close(self) -> None:
        self._drop()

    def __enter__(self) -> "SmtpMailer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- port ------------------------------------------------------------------

    def send(self, mail: OutgoingMail) -> SendResult:
        message_id = make_message_id(mail.key, self.settings.sender)
        try:
            msg = build_message(mail, self.settings.sender, self.settings.sender_name, self._clock())
            recipients = envelope_recipients(mail)
        except MessageBuildError as e:
            return SendResult(False, message_id, f"Pesan tidak dapat disusun: {e}", permanent=True)
        data = message_bytes(msg)
        smtp = None
        try:
            client = self._connection()
            smtp = client.smtp
            smtp.payload_sent = False
            refused = smtp.sendmail(self.settings.sender, recipients, data)
        except BaseException as e:
            self._drop()
            if not isinstance(e, Exception):
                raise
            if getattr(smtp, "payload_sent", False) and not isinstance(e, smtplib.SMTPResponseException):
                return SendResult(False, message_id, _unknown_outcome(e, self.settings), uncertain=True)
            error, permanent = _describe_send_error(e, self.settings)
            return SendResult(False, message_id, error, permanent)
        return interpret_result(refused, message_id, len(recipients))

    def check(self) -> str | None:
        try:
            client = self._connect()
        except Exception as e:
            return _describe_connect_error(e, self.settings)
        _quietly_close(client)
        return None


def interpret_result(result: object, message_id: str, n_recipients: int) -> SendResult:
    """Map what a send returned (smtplib.sendmail, or yagmail.send) to a SendResult.

    Only ``{}`` is success. ``False`` (yagmail: connection dropped three times) is a
    temporary failure; a dict of refused recipients is a failure, permanent when
    every refusal is a 5xx."""
    if isinstance(result, dict) and not result:
        return SendResult(True, message_id)
    if result is False:
        return SendResult(False, message_id, "Koneksi ke server SMTP terputus saat mengirim; akan dicoba lagi.")
    if isinstance(result, dict):
        codes = [_code_of(v) for v in result.values()]
        permanent = all(500 <= c < 600 for c in codes)
        shown = ", ".join(str(c) for c in sorted(set(codes)))
        return SendResult(False, message_id,
                          f"Server SMTP menolak {len(result)} dari {n_recipients} penerima (kode {shown}); "
                          + ("periksa alamat email penerima." if permanent else "akan dicoba lagi."),
                          permanent)
    return SendResult(False, message_id, "Jawaban server SMTP tidak dikenal; akan dicoba lagi.")


def _code_of(reply: object) -> int:
    if isinstance(reply, tuple) and reply and isinstance(reply[0], int):
        return reply[0]
    return 0


def _quietly_close(client: yagmail.Client) -> None:
    client.is_closed = True
    smtp = getattr(client, "smtp", None)
    if smtp is None:
        return
    try:
        smtp.quit()
    except Exception:
        pass
    try:
        smtp.close()
    except Exception:
        pass


def _where(s: MailSettings) -> str:
    return f"{s.host}:{s.port}"


def _describe_connect_error(e: Exception, s: MailSettings) -> str:
    """Indonesian line saying what to fix (connection, TLS, login)."""
    where = _where(s)
    if isinstance(e, ConfigError):
        return str(e)
    if isinstance(e, smtplib.SMTPAuthenticationError):
        return (f"Login SMTP ke {where} ditolak (kode {e.smtp_code}). Periksa mail.user dan "
                f"{ENV_SMTP_PASSWORD} (untuk Gmail: pakai App Password).")
    if isinstance(e, smtplib.SMTPNotSupportedError):
        if "STARTTLS" in str(e).upper():
            return (f"Server SMTP {where} tidak mendukung STARTTLS. Periksa mail.security "
                    '("ssl" untuk port 465, "starttls" untuk port 587).')
        return (f"Server SMTP {where} tidak menawarkan login (AUTH) pada koneksi ini. Kosongkan mail.user "
                'jika server tidak butuh login, atau pakai mail.security = "starttls"/"ssl".')
    if isinstance(e, ssl.SSLCertVerificationError):
        return (f"Sertifikat TLS server SMTP {where} tidak dapat diverifikasi. Periksa mail.host "
                "(harus sama dengan nama di sertifikat) dan sertifikat CA sistem.")
    if isinstance(e, ssl.SSLError):
        return (f"Jabat tangan TLS dengan {where} gagal. Periksa mail.security dan mail.port "
                '("ssl" untuk port 465, "starttls" untuk port 587).')
    if isinstance(e, smtplib.SMTPServerDisconnected) and isinstance(e.__context__, TimeoutError):
        e = e.__context__  # smtplib reports a read timeout as "Connection unexpectedly closed"
    if isinstance(e, (socket.timeout, TimeoutError)):
        return (f"Server SMTP {where} tidak menjawab dalam {s.timeout_seconds:g} detik. Periksa mail.host, "
                "mail.port, mail.security dan jaringan/firewall.")
    if isinstance(e, ConnectionRefusedError):
        return f"Koneksi ke server SMTP {where} ditolak. Periksa mail.host dan mail.port, dan apakah server berjalan."
    if isinstance(e, socket.gaierror):
        return f"Nama server SMTP {s.host} tidak ditemukan. Periksa mail.host dan koneksi internet."
    if isinstance(e, smtplib.SMTPServerDisconnected):
        return (f"Server SMTP {where} memutus koneksi. Periksa mail.security dan mail.port "
                '("ssl" untuk port 465, "starttls" untuk port 587).')
    if isinstance(e, smtplib.SMTPResponseException):
        return f"Server SMTP {where} menolak koneksi (kode {e.smtp_code}). Periksa pengaturan [mail]."
    if isinstance(e, OSError):
        return f"Tidak dapat terhubung ke server SMTP {where} ({type(e).__name__}). Periksa mail.host dan jaringan."
    return f"Gagal terhubung ke server SMTP {where} ({type(e).__name__})."


def _unknown_outcome(e: Exception, s: MailSettings) -> str:
    """The whole message was sent but no answer came: the server may have it."""
    timed_out = isinstance(e, (socket.timeout, TimeoutError)) or isinstance(e.__context__, TimeoutError)
    why = (f"server SMTP tidak menjawab dalam {max(s.data_timeout_seconds, s.timeout_seconds):g} detik"
           if timed_out else "koneksi terputus sebelum server SMTP menjawab")
    return (f"Isi pesan sudah terkirim tetapi {why}; belum pasti diterima. Dicoba lagi nanti dengan "
            "Message-ID yang sama (bila ternyata sudah diterima, penerima bisa melihat dua salinan "
            "dengan Message-ID yang sama). Periksa server SMTP atau naikkan mail.data_timeout_seconds.")


def _describe_send_error(e: Exception, s: MailSettings) -> tuple[str, bool]:
    """(Indonesian message, permanent?) for an exception while connecting or sending."""
    if isinstance(e, smtplib.SMTPRecipientsRefused):
        r = interpret_result(e.recipients, "", len(e.recipients))
        return r.error, r.permanent
    if isinstance(e, smtplib.SMTPDataError):
        if 500 <= e.smtp_code < 600:
            return f"Server SMTP menolak isi pesan (kode {e.smtp_code}); pesan tidak akan dikirim ulang.", True
        return f"Server SMTP menunda pesan (kode {e.smtp_code}); akan dicoba lagi.", False
    if isinstance(e, smtplib.SMTPSenderRefused):
        return (f"Server SMTP menolak alamat pengirim (kode {e.smtp_code}). Periksa mail.sender dan mail.user; "
                "akan dicoba lagi.", False)
    if isinstance(e, smtplib.SMTPServerDisconnected):
        return "Koneksi ke server SMTP terputus saat mengirim; akan dicoba lagi.", False
    return _describe_connect_error(e, s) + " Pesan akan dicoba lagi.", False
