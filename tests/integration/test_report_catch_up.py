"""The weekly report email is decided "sent" by the mail journal, not by the files:
a report built by hand first, or a crash between writing the files and sending,
still gets its email -- exactly once."""

import shutil
from datetime import datetime, time, timedelta

import pytest

from bukutamu.adapters.mail.outbox import OutboxMailer
from bukutamu.adapters.sqlite_store import SqliteSheetStore
from bukutamu.engine import Poller
from bukutamu.app import report as app_report
from bukutamu.report.metrics import parse_week

from .conftest import DEMO_WEEK, EngineWeek

KEY = f"laporan/{DEMO_WEEK}"


class Counting:
    """The outbox mailer, counting the weekly reports it is handed."""

    def __init__(self, inner):
        self.inner, self.reports = inner, 0

    def send(self, mail):
        self.reports += mail.key.startswith("laporan/")
        return self.inner.send(mail)

    def __getattr__(self, name):
        return getattr(self.inner, name)


@pytest.fixture
def office(engine_week, tmp_path, monkeypatch):
    """The engine's week in a fresh data folder: its store, no journal, no outbox, no reports."""
    root = tmp_path / "office"
    shutil.copytree(engine_week.root / "data", root / "data",
                    ignore=shutil.ignore_patterns("outbox", "jurnal-email*", "*.lock", "store.txt"))
    # store.txt names the store a data folder belongs to: a copied store claims its new folder.
    monkeypatch.chdir(root)  # reports/ is relative to the working folder, as for the CLI
    return EngineWeek(root, "")


def job_run(week: EngineWeek, now: datetime, crash_before_send: bool = False, monkeypatch=None):
    s = week.settings
    store = SqliteSheetStore(s.store.path, s.office.time_zone)
    mailer = Counting(OutboxMailer(s.mail.outbox, s.mail.sender, s.mail.sender_name, clock=lambda: now))
    poller = Poller(s, store, mailer=mailer, clock=lambda: now)
    try:
        if crash_before_send:
            def killed(*a, **k):
                raise KeyboardInterrupt("process killed between files and send")
            original = app_report.send_weekly_report
            monkeypatch.setattr(app_report, "send_weekly_report", killed)
            with pytest.raises(KeyboardInterrupt):
                app_report.weekly_job(s, poller.store, poller.journal, poller.notifier, poller.clock)()
            monkeypatch.setattr(app_report, "send_weekly_report", original)
        else:
            app_report.weekly_job(s, poller.store, poller.journal, poller.notifier, poller.clock)()
        return mailer.reports, poller.journal.state(KEY)
    finally:
        poller.close()
        store.close()


def monday_after(week: EngineWeek) -> datetime:
    w = parse_week(DEMO_WEEK)
    return datetime.combine(w.sunday + timedelta(days=1), time(7, 0), week.settings.office.tz)


def test_report_built_by_hand_first_is_still_emailed_once(office):
    office.cli("report", "--minggu", DEMO_WEEK)  # by hand, without --kirim
    assert (office.folder / "laporan.html").exists()
    now = monday_after(office)
    assert job_run(office, now) == (1, "sent")
    assert job_run(office, now) == (0, "sent")  # the next start does not send it again


def test_crash_between_files_and_send_sends_on_restart_exactly_once(office, monkeypatch):
    now = monday_after(office)
    assert job_run(office, now, crash_before_send=True, monkeypatch=monkeypatch) == (0, None)
    assert (office.folder / "laporan.html").exists()  # the files were written before the crash
    assert job_run(office, now) == (1, "sent")
    assert job_run(office, now) == (0, "sent")
    assert len(list(office.settings.mail.outbox.glob("*laporan*"))) == 1
