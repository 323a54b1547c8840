"""Use cases: the weekly SLA report — build a week, email it once, and the job
`bukutamu run` schedules (catching up weeks missed while the machine was off)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Callable

from bukutamu.adapters.delivery import DeliveryReport, deliver
from bukutamu.config import Settings
from bukutamu.core.notify import Notifier
from bukutamu.report.weekly import (CATCH_UP_WEEKS, first_event, generate, mail_key, missing_weeks, read_week_inputs,
                                    weekly_mail)

log = logging.getLogger("bukutamu")


def send_weekly_report(report, settings: Settings, journal, notifier: Notifier, now: datetime,
                       resend: int = 0) -> DeliveryReport:
    """Email the report once; ``resend`` > 0 sends it again on purpose (a new key)."""
    return deliver(journal, notifier, [weekly_mail(report, settings, resend)], now)


def next_resend(journal, week) -> int:
    """The number of a deliberate resend of ``week``'s report (1 for the first)."""
    prefix = mail_key(week, 1).rsplit("-", 1)[0] + "-"
    return 1 + sum(1 for k in journal.known_keys() if k.startswith(prefix))


def weekly_job(settings: Settings, store, journal, notifier: Notifier,
               clock: Callable[[], datetime], archives=None) -> Callable[[], None]:
    """The job `bukutamu run` schedules (and runs once at start to catch up).
    ``archives``: the archived years (adapters/archive.py), read with the live tabs."""

    def job() -> None:
        now = clock()
        since = (now - timedelta(weeks=CATCH_UP_WEEKS + 1)).year
        history = read_week_inputs(store, settings, archives, since)[0]
        if history is None or not history.rows:
            return
        for week in missing_weeks(settings, now, first_event(history, settings), journal):
            report = generate(store, settings, week, archives)
            log.info("Laporan %s dibuat: %s", week.label, report.html_path)
            if settings.report.recipients:
                send_weekly_report(report, settings, journal, notifier, now)

    return job
