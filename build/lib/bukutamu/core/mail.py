"""A message to send, as plain data, and the mailer port.

The engine and the report build ``OutgoingMail``; a mailer adapter (SMTP via
yagmail, or the outbox folder) turns it into MIME and delivers it. ``key`` is the
exactly-once identity (visit, kind, cycle); the Message-ID is derived from it so a
resend after a crash is recognised by mail systems as the same message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class InlineImage:
    cid: str  # referenced in the HTML as src="cid:<cid>"
    filename: str
    data: bytes
    subtype: str = "png"


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    mime_type: str  # e.g. "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class OutgoingMail:
    key: str  # e.g. "20261128-A001/officer_notice/1"
    to: tuple[str, ...]
    subject: str
    html: str  # one complete HTML body, guest data already escaped
    text: str = ""  # plain-text alternative
    cc: tuple[str, ...] = ()
    inline_images: tuple[InlineImage, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    headers: tuple[tuple[str, str], ...] = field(default=())


@dataclass(frozen=True)
class SendResult:
    ok: bool
    message_id: str
    error: str = ""  # Indonesian, no personal data; set when ok is False
    permanent: bool = False  # True: retrying will not help (e.g. every recipient refused)


class Mailer(Protocol):
    def describe(self) -> str: ...

    def send(self, mail: OutgoingMail) -> SendResult: ...

    def check(self) -> str | None:
        """None when the mailer can work; else an Indonesian line saying what to fix."""

    def close(self) -> None: ...
