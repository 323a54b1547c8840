"""A real SMTP server on loopback (aiosmtpd) for tests, with staged failures.

    with SmtpTestServer() as srv:                 # plain, no AUTH
        ... SmtpMailer(MailSettings(kind="smtp", host=srv.host, port=srv.port, security="none"))
        srv.messages[0].message["Subject"]

Staging:
- ``auth=("user@x", "pw")``: AUTH required (PLAIN/LOGIN); ``starttls=server_ctx`` offers
  STARTTLS (and AUTH only after it); ``implicit_tls=server_ctx``: TLS from the first byte;
- ``srv.refuse[address] = "550 5.1.1 ..."``: refuse one recipient (any reply text);
- ``srv.drop_data(n)``: the next n DATA commands close the connection without an
  answer and without storing the message; ``srv.accept_then_drop(n)``: store it, then
  close before answering (the client believes it failed);
- ``srv.data_reply = "554 ..."``: reject message content;
- ``srv.slow_data_reply(seconds, times)``: the next ``times`` messages (all when None)
  are answered ``seconds`` after the end of DATA, then stored and accepted -- also when
  the client has stopped waiting (a slow server that scans mail before answering);
  ``srv.wait_for_messages(n)`` waits until n messages are stored;
- ``srv.stop()`` / ``srv.start()``: server down / back on the same port;
- ``srv.fail(stage, kind, times)``: the next ``times`` times the client reaches ``stage``
  ("connect", "ehlo" (EHLO and HELO), "auth", "mail", "rcpt", "data") the server answers
  "4xx" or "5xx", closes the connection ("drop") or says nothing for ``srv.stall_seconds``
  then closes ("stall"). A failed stage never stores the message.

``Controller(port=0)`` does not work (its readiness probe connects to port 0), so a
free port is picked first. ``make_tls_contexts`` makes a self-signed certificate for
127.0.0.1/localhost with ``cryptography``.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import time as _time
import email
import logging
import socket
import ssl
import threading
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

# aiosmtpd logs a deprecation line per AUTH and warns about AUTH without TLS; both
# are noise for tests.
logging.getLogger("mail.log").setLevel(logging.ERROR)


class _SMTP(SMTP):
    async def _handle_client(self) -> None:
        state = getattr(self.event_handler, "s", None)
        if state is not None:
            reply = await _staged(state, self, "connect")
            if reply is not None:
                if reply:
                    await self.push(reply)
                    self.transport.close()
                return
        await super()._handle_client()


class _Controller(Controller):
    def __init__(self, *args, allow_plain_auth: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.allow_plain_auth = allow_plain_auth

    def factory(self):
        smtpd = _SMTP(self.handler, **self.SMTP_kwargs)
        if self.allow_plain_auth:
            # Set after construction: passing auth_require_tls=False warns on every
            # connection. Needed for implicit TLS too (aiosmtpd issue #281).
            smtpd._auth_require_tls = False
        return smtpd


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def make_tls_contexts(folder: Path) -> tuple[ssl.SSLContext, ssl.SSLContext, Path]:
    """(server context, client context trusting only this cert, cert path)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = _dt.datetime.now(_dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _dt.timedelta(days=1)).not_valid_after(now + _dt.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                    x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                       critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_path, key_path)
    client = ssl.create_default_context(cafile=str(cert_path))
    return server, client, cert_path


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    authenticated_as: str | None
    tls: bool

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=policy.default)  # type: ignore[return-value]

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


@dataclass
class _State:
    messages: list[Received] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    data_reply: str | None = None
    drop_data: int = 0
    accept_then_drop: int = 0
    data_delay: float = 0.0
    data_delay_times: int | None = 0  # None: every message
    auth_attempts: int = 0
    quits: int = 0
    stages: dict[str, list] = field(default_factory=dict)  # stage -> [kind, remaining times]
    stall_seconds: float = 2.0
    tripped: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stored: threading.Condition = field(default_factory=threading.Condition)
    tasks: set = field(default_factory=set)

    def take(self, stage: str) -> str | None:
        with self.lock:
            f = self.stages.get(stage)
            if not f or f[1] <= 0:
                return None
            f[1] -= 1
            self.tripped.append((stage, f[0]))
            return f[0]


STAGE_REPLY = {
    ("connect", "4xx"): "421 4.3.2 Layanan tidak tersedia (uji)", ("connect", "5xx"): "554 5.3.2 Tidak melayani (uji)",
    ("ehlo", "4xx"): "421 4.3.2 Coba lagi nanti (uji)", ("ehlo", "5xx"): "550 5.7.1 Ditolak (uji)",
    ("auth", "4xx"): "454 4.7.0 Autentikasi sementara gagal (uji)", ("auth", "5xx"): "535 5.7.8 Ditolak (uji)",
    ("mail", "4xx"): "451 4.3.0 Coba lagi nanti (uji)", ("mail", "5xx"): "550 5.7.1 Pengirim ditolak (uji)",
    ("rcpt", "4xx"): "450 4.2.1 Kotak surat sibuk (uji)", ("rcpt", "5xx"): "550 5.1.1 Kotak surat tidak ada (uji)",
    ("data", "4xx"): "451 4.3.0 Coba lagi nanti (uji)", ("data", "5xx"): "554 5.6.0 Isi ditolak (uji)",
}


async def _staged(state: "_State", server, stage: str) -> str | None:
    """Apply a staged fault at ``stage``: the reply to send, or "" when the connection
    was closed; None when no fault is staged."""
    kind = state.take(stage)
    if kind is None:
        return None
    if kind == "stall":
        await asyncio.sleep(state.stall_seconds)
        kind = "drop"
    if kind == "drop":
        if server.transport is not None:
            server.transport.close()
        return ""
    return STAGE_REPLY[(stage, kind)]


class _Handler:
    def __init__(self, state: _State):
        self.s = state

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        reply = await _staged(self.s, server, "ehlo")
        if reply is not None:
            return [reply] if reply else []
        session.host_name = hostname
        return responses

    async def handle_HELO(self, server, session, envelope, hostname):
        reply = await _staged(self.s, server, "ehlo")
        if reply is not None:
            return reply or "421 4.3.2 (uji)"
        session.host_name = hostname
        return f"250 {server.hostname}"

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        reply = await _staged(self.s, server, "mail")
        if reply is not None:
            return reply or "421 4.3.2 (uji)"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_QUIT(self, server, session, envelope):
        with self.s.lock:
            self.s.quits += 1
        return "221 Bye"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        staged = await _staged(self.s, server, "rcpt")
        if staged is not None:
            return staged or "421 4.3.2 (uji)"
        reply = self.s.refuse.get(address) or self.s.refuse.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        staged = await _staged(self.s, server, "data")
        if staged is not None:
            return staged or "421 4.3.2 (uji)"
        with self.s.lock:
            drop = self.s.drop_data > 0
            keep_then_drop = not drop and self.s.accept_then_drop > 0
            if drop:
                self.s.drop_data -= 1
            if keep_then_drop:
                self.s.accept_then_drop -= 1
        if drop or keep_then_drop:
            if keep_then_drop:
                self._store(server, session, envelope)
            server.transport.close()
            return "421 4.4.2 connection dropped by test"  # never reaches the client
        with self.s.lock:
            slow = self.s.data_delay_times is None or self.s.data_delay_times > 0
            if slow and self.s.data_delay_times is not None:
                self.s.data_delay_times -= 1
        if slow and self.s.data_delay:
            # Shielded: aiosmtpd cancels the handler when the client hangs up, but a
            # real server that has the whole message may still accept it.
            task = asyncio.ensure_future(self._answer(server, session, envelope, self.s.data_delay))
            self.s.tasks.add(task)
            task.add_done_callback(self.s.tasks.discard)
            return await asyncio.shield(task)
        return await self._answer(server, session, envelope, 0)

    async def _answer(self, server, session, envelope, delay: float) -> str:
        if delay:
            await asyncio.sleep(delay)
        if self.s.data_reply:
            return self.s.data_reply
        self._store(server, session, envelope)
        return "250 2.0.0 OK"

    def _store(self, server, session, envelope):
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        tls = session.ssl is not None or (
            server.transport is not None and server.transport.get_extra_info("ssl_object") is not None)
        with self.s.lock:
            self.s.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                            bytes(envelope.original_content or b""), login,
                                            tls))
        with self.s.stored:
            self.s.stored.notify_all()


class SmtpTestServer:
    def __init__(self, *, host: str = "127.0.0.1", port: int | None = None,
                 auth: tuple[str, str] | None = None, starttls: ssl.SSLContext | None = None,
                 implicit_tls: ssl.SSLContext | None = None):
        self.host = host
        self.port = port or free_port(host)
        self.auth = auth
        self.starttls = starttls
        self.implicit_tls = implicit_tls
        self.state = _State()
        self._controller: Controller | None = None

    # staging ---------------------------------------------------------------------
    @property
    def messages(self) -> list[Received]:
        with self.state.lock:
            return list(self.state.messages)

    @property
    def refuse(self) -> dict[str, str]:
        return self.state.refuse

    @property
    def auth_attempts(self) -> int:
        return self.state.auth_attempts

    @property
    def data_reply(self) -> str | None:
        return self.state.data_reply

    @data_reply.setter
    def data_reply(self, value: str | None) -> None:
        self.state.data_reply = value

    def fail(self, stage: str, kind: str, times: int = 1) -> None:
        assert (stage, "4xx") in STAGE_REPLY and kind in ("4xx", "5xx", "drop", "stall"), (stage, kind)
        with self.state.lock:
            self.state.stages[stage] = [kind, times]

    @property
    def stall_seconds(self) -> float:
        return self.state.stall_seconds

    @stall_seconds.setter
    def stall_seconds(self, value: float) -> None:
        self.state.stall_seconds = value

    @property
    def tripped(self) -> list[tuple[str, str]]:
        with self.state.lock:
            return list(self.state.tripped)

    def drop_data(self, times: int = 1) -> None:
        self.state.drop_data = times

    def accept_then_drop(self, times: int = 1) -> None:
        self.state.accept_then_drop = times

    def slow_data_reply(self, seconds: float, times: int | None = None) -> None:
        with self.state.lock:
            self.state.data_delay, self.state.data_delay_times = seconds, times

    def wait_for_messages(self, n: int, timeout: float = 30.0) -> list[Received]:
        """Block until at least n messages are stored (a slow reply may still be on its way)."""
        with self.state.stored:
            self.state.stored.wait_for(lambda: len(self.messages) >= n, timeout)
        return self.messages

    # lifecycle -------------------------------------------------------------------
    def _authenticator(self, server, session, envelope, mechanism, auth_data):
        self.state.auth_attempts += 1
        kind = self.state.take("auth")
        if kind == "stall":
            _time.sleep(self.state.stall_seconds)  # the authenticator is synchronous
            kind = "drop"
        if kind == "drop":
            server.transport.close()
            return AuthResult(success=False, handled=True)
        if kind is not None:
            return AuthResult(success=False, handled=False, message=STAGE_REPLY[("auth", kind)])
        ok = (self.auth is not None and isinstance(auth_data, LoginPassword)
              and auth_data.login.decode() == self.auth[0] and auth_data.password.decode() == self.auth[1])
        # handled=False: let aiosmtpd answer 535 (handled=True would leave the client waiting).
        return AuthResult(success=ok, handled=ok, auth_data=auth_data if ok else None)

    def start(self) -> "SmtpTestServer":
        if self._controller is not None:
            return self
        kwargs: dict = {"server_hostname": "localhost", "ready_timeout": 10}
        if self.implicit_tls is not None:
            kwargs["ssl_context"] = self.implicit_tls
        if self.starttls is not None:
            kwargs["tls_context"] = self.starttls
        if self.auth is not None:
            kwargs["authenticator"] = self._authenticator
            kwargs["auth_required"] = True
        # With STARTTLS keep aiosmtpd's default (AUTH only after STARTTLS); plain and
        # implicit-TLS test servers allow AUTH on the connection as it is.
        allow = self.auth is not None and self.starttls is None
        self._controller = _Controller(_Handler(self.state), hostname=self.host, port=self.port,
                                       allow_plain_auth=allow, **kwargs)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> "SmtpTestServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class SilentServer:
    """Accepts TCP connections and never answers (for timeouts)."""

    def __init__(self, host: str = "127.0.0.1"):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind((host, 0))
        self.sock.listen(5)
        self.host, self.port = host, self.sock.getsockname()[1]

    def __enter__(self) -> "SilentServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.sock.close()
