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


def read_week_inputs(store, settings: Settings, archives=None, since_year: int | None = None):
    """The Riwayat, Umpan Balik and Petugas tabs (None when a tab is absent). With
    ``archives`` (adapters/archive.py), every archived year from ``since_year`` on
    comes first, then the live rows, in the live header's column order: a week
    reads the same whether its visits were archived or not."""
    from bukutamu.core.archive import merged_tab
    t = settings.tabs
    snap = store.read([t.history, t.feedback, t.officers])
    older_history, older_feedback = [], []
    for year in archives.years() if archives is not None else ():
        if since_year is not None and year < since_year:
            continue
        a = archives.get(year).read([t.history, t.feedback])
        older_history += [a.tab(t.history)] if a.tab(t.history) is not None else []
        older_feedback += [a.tab(t.feedback)] if a.tab(t.feedback) is not None else []
    return (merged_tab(snap.tab(t.history), older_history), merged_tab(snap.tab(t.feedback), older_feedback),
            snap.tab(t.officers))


def generate(store, settings: Settings, week: Week, archives=None) -> WeekReport:
    since = (week.monday - timedelta(weeks=settings.report.trend_weeks + 1)).year
    history, feedback, officers = read_week_inputs(store, settings, archives, since)
    if history is None:
        from bukutamu.errors import SchemaError
        raise SchemaError(f'Tab "{settings.tabs.history}" tidak ada; jalankan `bukutamu init`.')
    return build_week_report(history, feedback, week, settings, officer_rows=officers)


def mail_key(week: Week, resend: int = 0) -> str:
    return f"laporan/{week.label}" + (f"/ulang-{resend}" if resend else "")


def weekly_mail(report: WeekReport, settings: Settings, resend: int = 0):
    """The report's email under its journal key; ``resend`` > 0 is a deliberate resend (a new key)."""
    from dataclasses import replace
    return replace(report_mail(report, settings.report.recipients), key=mail_key(report.week, resend))


SETTLED = ("sent", "failed")  # journal states after which the weekly email is not tried again


def report_done(settings: Settings, week: Week, journal=None) -> bool:
    """Whether the week needs nothing more. With recipients the mail journal decides
    (sent, or failed for good), never the files: a report built by hand with
    `bukutamu report`, or a crash between writing the files and sending, must still
    get its email. Without recipients there is nothing to send: the files decide."""
    if settings.report.recipients and journal is not None:
        return journal.state(mail_key(week)) in SETTLED
    return (Path(settings.report.folder) / week.label / HTML_NAME).exists()


def missing_weeks(settings: Settings, now: datetime, first_event: datetime | None, journal=None) -> list[Week]:
    """Finished weeks (newest last) since the first event whose report is not done
    (``report_done``): at most CATCH_UP_WEEKS back."""
    last = last_finished_week(now, settings.office.time_zone)
    weeks = []
    for back in range(CATCH_UP_WEEKS):
        week = Week(last.monday - timedelta(weeks=back))
        if first_event is not None and week.sunday < first_event.date():
            break
        if not report_done(settings, week, journal):
            weeks.append(week)
    return list(reversed(weeks))


def first_event(history, settings: Settings) -> datetime | None:
    """The earliest event time in the Riwayat tab (None when it has none)."""
    from zoneinfo import ZoneInfo

    from bukutamu.core.cells import parse_datetime
    from bukutamu.core.schema import HISTORY_COLUMNS, resolve_columns
    cols = resolve_columns(history.name, history.header, HISTORY_COLUMNS)
    tz = ZoneInfo(settings.office.time_zone)
    times = [parse_datetime(r.get(cols.index["waktu"]), tz) for r in history.rows]
    return min((t for t in times if t), default=None)
