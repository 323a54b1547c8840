"""Use case: tell the admin the poller cannot work (rate-limited by the message key)."""

from __future__ import annotations

from datetime import datetime

from bukutamu.adapters.delivery import DeliveryReport, deliver
from bukutamu.core.mail import OutgoingMail
from bukutamu.core.notify import Notifier


def send_admin_alert(journal, notifier: Notifier, mail: OutgoingMail, now: datetime) -> DeliveryReport:
    """Send ``mail`` once through the journal (its key encodes the problem and the
    6-hour window, so a repeat within the window is skipped)."""
    return deliver(journal, notifier, [mail], now)
