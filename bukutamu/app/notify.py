"""Notifier adapters over the port in ``core/notify.py``. Email: a ``Mailer``
(SMTP or outbox) seen as a notifier."""

from __future__ import annotations

from bukutamu.core.mail import Mailer, OutgoingMail, SendResult
from bukutamu.core.notify import EMAIL


class EmailNotifier:
    channel = EMAIL

    def __init__(self, mailer: Mailer):
        self.mailer = mailer

    def describe(self) -> str:
        return self.mailer.describe()

    def send(self, message: OutgoingMail) -> SendResult:
        return self.mailer.send(message)

    def check(self) -> str | None:
        return self.mailer.check()

    def close(self) -> None:
        self.mailer.close()
