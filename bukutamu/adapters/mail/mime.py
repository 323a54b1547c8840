"""OutgoingMail -> one RFC 5322 message, shared by the SMTP and the outbox mailers.

Both mailers produce byte-identical MIME (apart from the Date header), so what the
outbox folder shows is what SMTP would have sent.

Why the message is built here with ``email.message.EmailMessage`` and not by
yagmail's ``prepare_message`` (yagmail 0.16.0):
- yagmail's inline images need a file path wrapped in ``yagmail.inline`` and get a
  Content-ID of ``abs(hash(name))`` -- random per process (hash randomisation), so
  the HTML cannot reference it and a resend would differ; images held as bytes
  (charts rendered in memory) cannot be expressed at all;
- a ``contents`` string that happens to be an existing path is attached as that file,
  and with ``prettify_html=True`` only the first item survives and premailer may
  fetch ``<link>`` stylesheets over the network.
Here the HTML body is one pre-built string used as is (no premailer, no network:
templates must use inline CSS), inline images are ``multipart/related`` parts with
the caller's Content-ID, and attachments are ordinary attachment parts.

Structure::

    multipart/mixed                      (only with attachments)
      multipart/alternative
        text/plain
        multipart/related                (only with inline images)
          text/html
          image/* (Content-ID, inline) ...
      application/* (attachment) ...

Every header value is cleaned (CR/LF and other control characters removed,
length capped); addresses must be plain ``local@domain``. The Message-ID is derived
from ``OutgoingMail.key`` so a resend of the same message carries the same ID.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from html.parser import HTMLParser

from bukutamu.core.mail import OutgoingMail
from bukutamu.core.text import clean_line

# CRLF line endings, folding at 78, 8-bit-clean headers encoded per RFC 2047.
SMTP_POLICY = policy.SMTP
# Serialising: headers stay on one line up to RFC 5322's 998-character limit. Folding a
# Subject at 78 made some clients show it with a leading space ("Subject:\n [Buku Tamu] …");
# the body parts were already encoded (quoted-printable, 76-character lines) at build time.
WIRE_POLICY = policy.SMTP.clone(max_line_length=998)

SUBJECT_MAX = 200
NAME_MAX = 100
HEADER_MAX = 300
FILENAME_MAX = 120

_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")
_HEADER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,62}$")
_CID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,100}$")
_SUBTYPE = re.compile(r"^[a-z0-9][a-z0-9.+-]{0,100}$")
# Headers the builder owns; OutgoingMail.headers may not set them.
_RESERVED = {"from", "to", "cc", "bcc", "subject", "date", "message-id", "mime-version", "sender",
             "reply-to-all", "return-path", "received", "content-type", "content-transfer-encoding",
             "content-disposition", "content-id"}


class MessageBuildError(ValueError):
    """The mail cannot be expressed safely (bad address, header, image id).

    The message is Indonesian and carries no personal data. Retrying cannot help.
    """


def clean_header(value: object, limit: int = HEADER_MAX) -> str:
    """One safe header value: line breaks (CR/LF, NEL, U+2028/9) and tabs become spaces,
    other control and bidi/invisible characters go (core/text.py), runs of spaces
    collapse, the result is trimmed and capped at ``limit`` chars."""
    return clean_line(value, limit)


def check_address(addr: str) -> str:
    """A plain ``local@domain`` address or MessageBuildError (address not echoed)."""
    a = str(addr).strip()
    if not _ADDRESS.match(a) or ".." in a or "." not in a.rpartition("@")[2]:
        raise MessageBuildError("Alamat email penerima/pengirim tidak sah (periksa kolom email).")
    return a


def domain_of(sender: str) -> str:
    domain = sender.rpartition("@")[2].strip().lower()
    return domain if re.fullmatch(r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?", domain or "-") else "bukutamu.local"


def make_message_id(key: str, sender: str = "") -> str:
    """Deterministic Message-ID for a message key: ``<sha256(key)[:32]@sender-domain>``."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    return f"<{digest}@{domain_of(sender) if sender else 'bukutamu.local'}>"


class _TextExtractor(HTMLParser):
    _BLOCK = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "table", "ul", "ol"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._href = ""

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "head", "title"):
            self._skip += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self._href = href if href.startswith(("http://", "https://")) else ""

    def handle_endtag(self, tag):
        if tag in ("style", "script", "head", "title"):
            self._skip = max(self._skip - 1, 0)
        elif tag in self._BLOCK:
            self.parts.append("\n")
        elif tag == "a" and self._href:
            self.parts.append(f" ({self._href})")
            self._href = ""

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """A plain-text alternative for an HTML body (links kept as ``text (url)``)."""
    p = _TextExtractor()
    p.feed(html)
    p.close()
    lines = [" ".join(line.split()) for line in "".join(p.parts).splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip() + "\n"


def _filename(name: str) -> str:
    # Kept to a conservative character set: a filename is a header parameter.
    cleaned = re.sub(r"[^\w.()+ -]+", "_", clean_header(name, FILENAME_MAX)).strip(" .")
    return cleaned or "lampiran"


def build_message(mail: OutgoingMail, sender: str, sender_name: str, now: datetime) -> EmailMessage:
    """The MIME message for ``mail``. Raises MessageBuildError for unsafe input."""
    if not mail.to:
        raise MessageBuildError("Pesan tanpa penerima.")
    from_addr = check_address(sender)
    to = [check_address(a) for a in mail.to]
    cc = [check_address(a) for a in mail.cc]

    msg = EmailMessage(policy=SMTP_POLICY)
    name = clean_header(sender_name, NAME_MAX)
    local, _, domain = from_addr.partition("@")
    msg["From"] = Address(display_name=name, username=local, domain=domain)
    msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Subject"] = clean_header(mail.subject, SUBJECT_MAX)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_message_id(mail.key, from_addr)
    for hname, hvalue in mail.headers:
        if not _HEADER_NAME.match(hname) or hname.lower() in _RESERVED:
            raise MessageBuildError("Header tambahan pada pesan tidak diizinkan.")
        msg[hname] = clean_header(hvalue, HEADER_MAX)

    # Quoted-printable keeps every body part 7-bit: no reliance on 8BITMIME.
    text = mail.text or html_to_text(mail.html)
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(mail.html, subtype="html", charset="utf-8", cte="quoted-printable")
    if mail.inline_images:
        html_part = msg.get_payload()[1]
        seen: set[str] = set()
        for img in mail.inline_images:
            if not _CID.match(img.cid) or img.cid in seen:
                raise MessageBuildError("Content-ID gambar pada pesan tidak sah atau ganda.")
            seen.add(img.cid)
            subtype = img.subtype.lower()
            if not _SUBTYPE.match(subtype):
                raise MessageBuildError("Jenis gambar pada pesan tidak sah.")
            html_part.add_related(img.data, maintype="image", subtype=subtype, cid=f"<{img.cid}>",
                                  disposition="inline", filename=_filename(img.filename))
    for att in mail.attachments:
        maintype, _, subtype = att.mime_type.lower().partition("/")
        if not _SUBTYPE.match(maintype or "-") or not _SUBTYPE.match(subtype or "-"):
            raise MessageBuildError("Jenis lampiran pada pesan tidak sah.")
        msg.add_attachment(att.data, maintype=maintype, subtype=subtype, filename=_filename(att.filename))
    # Deterministic boundaries: a resend is byte-identical apart from Date. "=_" cannot
    # occur in quoted-printable or base64 bodies, so the boundary never collides.
    tag = hashlib.sha256(mail.key.encode("utf-8")).hexdigest()[:20]
    for i, part in enumerate(p for p in msg.walk() if p.is_multipart()):
        part.set_boundary(f"=_bukutamu_{tag}_{i}")
    return msg


def envelope_recipients(mail: OutgoingMail) -> list[str]:
    """RCPT TO list: To then Cc, each once, validated."""
    out: list[str] = []
    for a in (*mail.to, *mail.cc):
        a = check_address(a)
        if a.lower() not in {x.lower() for x in out}:
            out.append(a)
    return out


def message_bytes(msg: EmailMessage) -> bytes:
    """The message as sent or stored: CRLF line ends, unfolded headers (WIRE_POLICY)."""
    return msg.as_bytes(policy=WIRE_POLICY)
