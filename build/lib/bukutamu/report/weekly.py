"""The weekly report job: read the history from the store, build the week, email
it once (journal key per week), and catch up weeks missed while the machine was off.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

from bukutamu.config import Settings
from bukutamu.report.build import HTML_NAME, WeekReport, build_week_report, report_mail
from bukutamu.report.metrics import Week, last_finished_week

log = logging.getLogger("bukutamu")
CATCH_UP_WEEKS = 8  # at most this many missed weeks are generated at start


def read_week_inputs(store, settings: Settings):
    snap = store.read([settings.tabs.history, settings.tabs.feedback])
    return snap.tab(settings.tabs.history), snap.tab(settings.tabs.feedback)


def generate(store, settings: Settings, week: Week) -> WeekReport:
    history, feedback = read_week_inputs(store, settings)
    if history is None:
        from bukutamu.errors import SchemaError
        raise SchemaError(f'Tab "{settings.tabs.history}" tidak ada; jalankan `bukutamu init`.')
    return build_week_report(history, feedback, week, settings)


def mail_key(week: Week, resend: int = 0) -> str:
    return f"laporan/{week.label}" + (f"/ulang-{resend}" if resend else "")


def send(report: WeekReport, settings: Settings, journal, mailer, now: datetime, resend: int = 0):
    """Email the report once; ``resend`` > 0 sends it again on purpose (a new key)."""
    from dataclasses import replace

    from bukutamu.adapters.delivery import deliver
    mail = replace(report_mail(report, settings.report.recipients), key=mail_key(report.week, resend))
    return deliver(journal, mailer, [mail], now)


def missing_weeks(settings: Settings, now: datetime, first_event: datetime | None,
                  mailed: Callable[[Week], bool] | None = None) -> list[Week]:
    """Finished weeks (newest last) that have no report folder yet, since the first event;
    with ``mailed``, also weeks whose files exist but whose email was never recorded
    (the job was killed between writing the files and recording the email)."""
    last = last_finished_week(now, settings.office.time_zone)
    weeks = []
    for back in range(CATCH_UP_WEEKS):
        week = Week(last.monday - timedelta(weeks=back))
        if first_event is not None and week.sunday < first_event.date():
            break
        if not (Path(settings.report.folder) / week.label / HTML_NAME).exists() or (
                mailed is not None and not mailed(week)):
            weeks.append(week)
    return list(reversed(weeks))


def weekly_job(settings: Settings, poller):
    """The job `bukutamu run` schedules (and runs once at start to catch up)."""

    def job() -> None:
        now = poller.clock()
        history, _ = read_week_inputs(poller.store, settings)
        if history is None or not history.rows:
            return
        from bukutamu.core.cells import parse_datetime
        from bukutamu.core.schema import HISTORY_COLUMNS, resolve_columns
        from zoneinfo import ZoneInfo
        cols = resolve_columns(history.name, history.header, HISTORY_COLUMNS)
        tz = ZoneInfo(settings.office.time_zone)
        times = [parse_datetime(r.get(cols.index["waktu"]), tz) for r in history.rows]
        first = min((t for t in times if t), default=None)
        known = poller.journal.known_keys() if settings.report.recipients else None
        mailed = (lambda week: mail_key(week) in known) if known is not None else None
        for week in missing_weeks(settings, now, first, mailed):
            report = generate(poller.store, settings, week)
            log.info("Laporan %s dibuat: %s", week.label, report.html_path)
            if settings.report.recipients:
                send(report, settings, poller.journal, poller.mailer, now)

    return job
