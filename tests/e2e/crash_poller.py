"""Runs one poll cycle (or the weekly report job) in its own process and kills
itself with SIGKILL at a chosen step, to test what a restart does. Used by
test_crash_recovery.py and test_kill_matrix.py.

usage: crash_poller.py CONFIG CLOCK_ISO MODE

Cycle steps (``Poller.run_once``):
  after-read      the snapshot was read
  after-plan      the plan was made, nothing recorded yet
  after-intent    the first planned mail was recorded in the journal (others not yet)
  after-write     the sheet write was done, nothing sent
  mid-send        inside the SMTP dialogue: after MAIL/RCPT, before DATA
  after-send      the server accepted a mail, the journal has not marked it sent
                  (the documented window: it is sent again, same Message-ID)
  after-accept    the same, for the first officer notice only (older test)
  after-cycle     the cycle finished; killed before the next one
Weekly report job (``app.report.weekly_job``):
  report-after-files   the report files are written, the email not recorded
  report-after-send    the report email was accepted, the journal has not marked it
  none                 no kill (the job or cycle runs to its end)
"""

import os
import signal
import smtplib
import sys
from datetime import datetime

import bukutamu.app.cycle as cycle
from bukutamu.adapters.mail import mailer_from_settings
from bukutamu.config import load_settings
from bukutamu.engine import Poller, open_store


def die() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


class DieAfterAccept:
    """The SMTP server has accepted the message; the process dies before the
    journal can record it (the documented window)."""

    def __init__(self, inner, wanted):
        self.inner = inner
        self.wanted = wanted

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def send(self, mail):
        result = self.inner.send(mail)
        if result.ok and self.wanted(mail.key):
            die()
        return result


def after(obj, name, when=lambda *a, **k: True):
    """Kill right after ``obj.name(...)`` returns (when ``when`` says so)."""
    original = getattr(obj, name)

    def wrapper(*args, **kwargs):
        result = original(*args, **kwargs)
        if when(result, *args, **kwargs):
            die()
        return result

    setattr(obj, name, wrapper)


def main() -> None:
    config, clock, mode = sys.argv[1:4]
    settings = load_settings(config)
    mailer = mailer_from_settings(settings)
    if mode == "after-accept":
        mailer = DieAfterAccept(mailer, lambda key: "/petugas/" in key)
    elif mode == "after-send":
        mailer = DieAfterAccept(mailer, lambda key: True)
    elif mode == "report-after-send":
        mailer = DieAfterAccept(mailer, lambda key: key.startswith("laporan/"))
    elif mode == "mid-send":
        after(smtplib.SMTP, "rcpt")  # the server has MAIL and RCPT, never DATA
    now = datetime.fromisoformat(clock)
    store = open_store(settings)
    if mode == "after-read":
        after(store, "read")
    elif mode == "after-write":
        after(store, "write")
    elif mode == "after-plan":
        after(cycle, "plan_cycle")  # where the cycle runner looks it up
    poller = Poller(settings, store, mailer=mailer, clock=lambda: now)
    if mode == "after-intent":
        after(poller.journal, "record_intent", lambda recorded, *a, **k: recorded)
    if mode.startswith("report-"):
        import bukutamu.app.report as app_report
        if mode == "report-after-files":
            after(app_report, "generate")
        app_report.weekly_job(settings, poller.store, poller.journal, poller.notifier, poller.clock)()
    else:
        poller.run_once()
    if mode == "after-cycle":
        die()  # sent and journalled; killed before the next cycle writes the sheet
    poller.close()
    store.close()


if __name__ == "__main__":
    main()
