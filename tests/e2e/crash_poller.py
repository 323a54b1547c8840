"""Runs one poll cycle in its own process and dies at a chosen point (SIGKILL-like
os._exit), to test what a restart does. Used by test_crash_recovery.py only.

usage: crash_poller.py CONFIG CLOCK_ISO {after-accept|after-cycle|none}
"""

import os
import sys
from datetime import datetime

from bukutamu.adapters.mail import mailer_from_settings
from bukutamu.config import load_settings
from bukutamu.engine import Poller, open_store


class DieAfterAccept:
    """The SMTP server has accepted the message; the process dies before the
    journal can record it (the documented window)."""

    def __init__(self, inner):
        self.inner = inner

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def send(self, mail):
        result = self.inner.send(mail)
        if result.ok and "/petugas/" in mail.key:
            os._exit(137)
        return result


def main() -> None:
    config, clock, mode = sys.argv[1:4]
    settings = load_settings(config)
    mailer = mailer_from_settings(settings)
    if mode == "after-accept":
        mailer = DieAfterAccept(mailer)
    now = datetime.fromisoformat(clock)
    poller = Poller(settings, open_store(settings), mailer=mailer, clock=lambda: now)
    poller.run_once()
    if mode == "after-cycle":
        os._exit(137)  # sent and journalled; killed before the next cycle writes the sheet
    poller.close()


if __name__ == "__main__":
    main()
