"""A message to send, as plain data, and the mailer port.

The engine and the report build ``OutgoingMail``; a mailer adapter (SMTP via
yagmail, or the outbox folder) turns it into MIME and delivers it. ``key`` is the
exactly-once identity (visit, kind, cycle); the Message-ID is derived from it so a
resend after a crash is recognised by mail systems as the same message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

_VISIT_ID = re.compile(r"^\d{8}-[A-Z]{1,3}\d{3,}$")


class MailKind(str, Enum):
    """What a visit's message is; the value is the kind's part of the journal key."""

    OFFICER_NOTICE = "petugas"
    GUEST_QUEUE = "tamu-antrian"
    GUEST_FEEDBACK = "tamu-umpan-balik"
    ESCALATION = "eskalasi"

    @property
    def recipient_role(self) -> str:
        return {"petugas": "petugas", "eskalasi": "helpdesk"}.get(self.value, "tamu")


@dataclass(frozen=True)
class MailKey:
    """The exactly-once identity of a message about one visit.

    It cannot exist without a real visit ID: a key built before intake assigned the
    ID would collide for every guest (every guest's queue mail once shared one key).
    ``str(key)`` is the journal key, ``visit/kind[-step]/round[/attempt]``; the
    optional attempt counts sends of the same notice to a corrected address.
    """

    visit_id: str
    kind: MailKind
    round: int = 1
    step: int | None = None  # escalations: the SOP step that is late
    attempt: int = 1

    def __post_init__(self) -> None:
        if not _VISIT_ID.match(self.visit_id or ""):
            raise ValueError(f"mail key needs a visit ID, got {self.visit_id!r}")  # a bug
        if not isinstance(self.kind, MailKind):
            object.__setattr__(self, "kind", MailKind(self.kind))
        if self.round < 1 or self.attempt < 1:
            raise ValueError("mail key round/attempt must be >= 1")
        if (self.kind is MailKind.ESCALATION) != (self.step is not None):
            raise ValueError("an escalation key needs its step, other keys none")

    def __str__(self) -> str:
        kind = f"{self.kind.value}-{self.step}" if self.step is not None else self.kind.value
        tail = f"/{self.attempt}" if self.attempt > 1 else ""
        return f"{self.visit_id}/{kind}/{self.round}{tail}"

    def retry_to_new_address(self) -> "MailKey":
        return MailKey(self.visit_id, self.kind, self.round, self.step, self.attempt + 1)

    @classmethod
    def parse(cls, text: str) -> "MailKey | None":
        """The key behind a journal key, or None for keys that are not about a visit
        (weekly report, admin alert)."""
        parts = (text or "").split("/")
        if len(parts) not in (3, 4) or not _VISIT_ID.match(parts[0]):
            return None
        kind, step = parts[1], None
        if kind.startswith(MailKind.ESCALATION.value + "-"):
            kind, _, number = kind.partition("-")
            if not number.isdigit():
                return None
            step = int(number)
        try:
            return cls(parts[0], MailKind(kind), int(parts[2]), step, int(parts[3]) if len(parts) == 4 else 1)
        except ValueError:
            return None


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
    key: str  # the journal key: str(MailKey) for a visit's mail, e.g. "20261128-A001/petugas/1"
    to: tuple[str, ...]
    subject: str
    html: str  # one complete HTML body, guest data already escaped
    text: str = ""  # plain-text alternative
    cc: tuple[str, ...] = ()
    inline_images: tuple[InlineImage, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    headers: tuple[tuple[str, str], ...] = field(default=())
    # Messages with the same ``digest`` and recipients that fall due together are sent
    # as one digest (escalations after a visit's first); ``summary`` is the line each
    # contributes to it.
    digest: str = ""
    summary: str = ""


@dataclass(frozen=True)
class SendResult:
    ok: bool
    message_id: str
    error: str = ""  # Indonesian, no personal data; set when ok is False
    permanent: bool = False  # True: retrying will not help (e.g. every recipient refused)
    uncertain: bool = False  # sent in full, no answer: the server may have it (retried later, same Message-ID)


class Mailer(Protocol):
    def describe(self) -> str: ...

    def send(self, mail: OutgoingMail) -> SendResult: ...

    def check(self) -> str | None:
        """None when the mailer can work; else an Indonesian line saying what to fix."""

    def close(self) -> None: ...
