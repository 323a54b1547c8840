"""Mail adapters: SMTP (yagmail) and the outbox folder, behind ``core.mail.Mailer``."""

from __future__ import annotations

from bukutamu.config import Settings
from bukutamu.core.mail import Mailer


def mailer_from_settings(settings: Settings) -> Mailer:
    """The mailer ``[mail] kind`` asks for. SMTP takes its password from the
    environment (Settings.secrets), never from the TOML file."""
    m = settings.mail
    if m.kind == "smtp":
        from bukutamu.adapters.mail.smtp import SmtpMailer  # yagmail imported only when used

        return SmtpMailer(m, settings.secrets.smtp_password)
    from bukutamu.adapters.mail.outbox import OutboxMailer

    return OutboxMailer(m.outbox, m.sender, m.sender_name)


__all__ = ["mailer_from_settings"]
