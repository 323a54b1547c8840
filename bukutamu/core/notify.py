"""The Notifier port: send one message to a person over one channel.

Email is the first channel (``app/notify.py`` wraps a ``Mailer``); a second channel
(WhatsApp) is one more adapter implementing this protocol. The exactly-once journal
and ``deliver`` work on any notifier: they only see the message's key and the
``SendResult``.
"""

from __future__ import annotations

from typing import Protocol

from bukutamu.core.mail import OutgoingMail, SendResult

EMAIL = "email"


class Notifier(Protocol):
    channel: str  # "email", later "whatsapp"

    def describe(self) -> str: ...

    def send(self, message: OutgoingMail) -> SendResult: ...

    def check(self) -> str | None:
        """None when the channel can work; else an Indonesian line saying what to fix."""

    def close(self) -> None: ...
