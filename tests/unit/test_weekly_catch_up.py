"""Weeks missed while the machine was off are caught up, newest last, each once."""

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from bukutamu.report.weekly import mail_key, missing_weeks

WIB = ZoneInfo("Asia/Pontianak")


def test_missing_weeks_since_the_first_event(settings, tmp_path):
    settings = replace(settings, report=replace(settings.report, folder=tmp_path / "reports"))
    now = datetime(2026, 11, 30, 7, 0, tzinfo=WIB)  # Monday: W48 has just finished
    first = datetime(2026, 11, 10, 9, 0, tzinfo=WIB)  # in W46
    assert [w.label for w in missing_weeks(settings, now, first)] == ["2026-W46", "2026-W47", "2026-W48"]
    (tmp_path / "reports" / "2026-W47").mkdir(parents=True)
    (tmp_path / "reports" / "2026-W47" / "laporan.html").write_text("x")
    assert [w.label for w in missing_weeks(settings, now, first)] == ["2026-W46", "2026-W48"]


def test_catch_up_is_bounded(settings, tmp_path):
    settings = replace(settings, report=replace(settings.report, folder=tmp_path / "reports"))
    now = datetime(2026, 11, 30, 7, 0, tzinfo=WIB)
    assert len(missing_weeks(settings, now, datetime(2020, 1, 1, tzinfo=WIB))) == 8


def test_one_mail_key_per_week_unless_sent_again_on_purpose():
    from bukutamu.report.metrics import parse_week
    w = parse_week("2026-W48")
    assert mail_key(w) == "laporan/2026-W48" and mail_key(w, 1) != mail_key(w)

