"""Office minutes on the office calendar (Perpres 21/2023 hours, Asia/Pontianak)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from bukutamu.config import CalendarSettings
from bukutamu.adapters.officehours import OfficeCalendar

TZ = ZoneInfo("Asia/Pontianak")
CAL = OfficeCalendar(CalendarSettings(), "Asia/Pontianak")


def at(y, mo, d, h=0, mi=0, s=0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=TZ)


# 2026-11-23 is a Monday; 2026-11-27 a Friday.

def test_within_one_morning():
    assert CAL.office_minutes(at(2026, 11, 23, 8, 0), at(2026, 11, 23, 8, 12, 30)) == 12.5


def test_before_opening_counts_from_opening():
    assert CAL.office_minutes(at(2026, 11, 23, 6, 50), at(2026, 11, 23, 7, 45)) == 15


def test_lunch_does_not_pause_by_default():
    assert CAL.office_minutes(at(2026, 11, 23, 11, 50), at(2026, 11, 23, 13, 10)) == 80


def test_lunch_pauses_when_configured():
    cal = OfficeCalendar(CalendarSettings(lunch=(time(12, 0), time(13, 0))), "Asia/Pontianak")
    assert cal.office_minutes(at(2026, 11, 23, 11, 50), at(2026, 11, 23, 13, 10)) == 20
    # a moment inside the pause counts as the pause's start / end
    assert cal.office_minutes(at(2026, 11, 23, 12, 30), at(2026, 11, 23, 13, 0)) == 0
    assert not cal.is_working_time(at(2026, 11, 23, 12, 30))
    assert cal.add_office_minutes(at(2026, 11, 23, 11, 55), 15) == at(2026, 11, 23, 13, 10)


def test_friday_lunch_can_differ():
    cal = OfficeCalendar(CalendarSettings(lunch=(time(12, 0), time(13, 0)),
                                          lunch_friday=(time(11, 30), time(13, 30))), "Asia/Pontianak")
    assert cal.office_minutes(at(2026, 11, 27, 11, 0), at(2026, 11, 27, 14, 0)) == 60
    assert cal.office_minutes(at(2026, 11, 26, 11, 0), at(2026, 11, 26, 14, 0)) == 120


def test_closing_time_carries_over_to_next_morning():
    # Monday 15:50 -> Tuesday 07:40: 10 minutes before closing + 10 after opening, not 16 hours
    assert CAL.office_minutes(at(2026, 11, 23, 15, 50), at(2026, 11, 24, 7, 40)) == 20
    assert CAL.add_office_minutes(at(2026, 11, 23, 15, 50), 15) == at(2026, 11, 24, 7, 35)


def test_deadline_exactly_at_closing_is_closing_time():
    assert CAL.add_office_minutes(at(2026, 11, 23, 15, 0), 60) == at(2026, 11, 23, 16, 0)
    assert CAL.add_office_minutes(at(2026, 11, 23, 15, 0), 60.5) == at(2026, 11, 24, 7, 30, 30)


def test_friday_closes_later():
    assert CAL.office_minutes(at(2026, 11, 27, 16, 0), at(2026, 11, 27, 16, 30)) == 30
    assert CAL.office_minutes(at(2026, 11, 26, 16, 0), at(2026, 11, 26, 16, 30)) == 0


def test_weekend_counts_zero():
    # Friday 16:20 -> Monday 07:45: 10 + 15
    assert CAL.office_minutes(at(2026, 11, 27, 16, 20), at(2026, 11, 30, 7, 45)) == 25
    assert CAL.office_minutes(at(2026, 11, 28, 9, 0), at(2026, 11, 29, 15, 0)) == 0
    assert CAL.working_days(date(2026, 11, 23), date(2026, 11, 29)) == 5


def test_public_holiday_counts_zero():
    # 2026-12-25 (Friday) Natal; 2026-12-24 (Thursday) cuti bersama
    assert CAL.office_minutes(at(2026, 12, 25, 8, 0), at(2026, 12, 25, 12, 0)) == 0
    assert not CAL.is_working_day(date(2026, 12, 25))
    # Wednesday 15:55 -> Monday 07:35: 5 + 5
    assert CAL.office_minutes(at(2026, 12, 23, 15, 55), at(2026, 12, 28, 7, 35)) == 10


def test_cuti_bersama_is_configurable():
    no_cuti = OfficeCalendar(CalendarSettings(cuti_bersama=False), "Asia/Pontianak")
    assert CAL.office_minutes(at(2026, 12, 24, 8, 0), at(2026, 12, 24, 9, 0)) == 0
    assert no_cuti.office_minutes(at(2026, 12, 24, 8, 0), at(2026, 12, 24, 9, 0)) == 60
    names = dict(CAL.holidays(date(2026, 12, 24), date(2026, 12, 25)))
    assert "Cuti Bersama" in names[date(2026, 12, 24)]


def test_friday_1558_before_a_holiday_weekend_does_not_breach_over_the_weekend():
    # Fri 2026-02-13 15:58; Mon 02-16 cuti bersama Imlek, Tue 02-17 Tahun Baru Imlek.
    start = at(2026, 2, 13, 15, 58)
    for later in (at(2026, 2, 14, 12, 0), at(2026, 2, 15, 23, 0), at(2026, 2, 16, 12, 0), at(2026, 2, 17, 15, 0)):
        assert CAL.office_minutes(start, later) == 32  # 15:58-16:30 only; 60-minute standard not passed
    assert CAL.add_office_minutes(start, 60) == at(2026, 2, 18, 7, 58)
    assert CAL.add_office_minutes(start, 15) == at(2026, 2, 13, 16, 13)
    no_cuti = OfficeCalendar(CalendarSettings(cuti_bersama=False), "Asia/Pontianak")
    assert no_cuti.add_office_minutes(start, 60) == at(2026, 2, 16, 7, 58)


def test_extra_holidays():
    cal = OfficeCalendar(CalendarSettings(extra_holidays=("2026-11-24",)), "Asia/Pontianak")
    assert cal.office_minutes(at(2026, 11, 23, 15, 50), at(2026, 11, 25, 7, 40)) == 20
    assert cal.working_dates(date(2026, 11, 23), date(2026, 11, 25)) == [date(2026, 11, 23), date(2026, 11, 25)]


def test_ramadan_hours():
    cal = OfficeCalendar(CalendarSettings(ramadan=("2026-02-18", "2026-03-19")), "Asia/Pontianak")
    # Monday 2026-02-23 in Ramadan: 08:00-15:00
    assert cal.office_minutes(at(2026, 2, 23, 7, 30), at(2026, 2, 23, 8, 10)) == 10
    assert cal.add_office_minutes(at(2026, 2, 23, 14, 50), 15) == at(2026, 2, 24, 8, 5)
    # Friday 2026-02-27: 08:00-15:30
    assert cal.office_minutes(at(2026, 2, 27, 15, 0), at(2026, 2, 27, 16, 0)) == 30
    assert cal.hours_of(date(2026, 2, 27)) == (time(8, 0), time(15, 30))
    # outside Ramadan the normal hours apply
    assert cal.hours_of(date(2026, 2, 16 + 0)) is None  # cuti bersama
    assert cal.hours_of(date(2026, 2, 13)) == (time(7, 30), time(16, 30))


def test_other_time_zone_inputs_are_converted():
    utc = datetime(2026, 11, 23, 1, 0, tzinfo=ZoneInfo("UTC"))  # 08:00 WIB
    assert CAL.office_minutes(utc, utc + timedelta(minutes=30)) == 30


def test_year_end_and_long_spans():
    # Thursday 2026-12-31 15:00 + 600 min: 60 on Dec 31, Jan 1 holiday, Mon Jan 4 510, Jan 5 Isra Mikraj
    assert CAL.add_office_minutes(at(2026, 12, 31, 15, 0), 600) == at(2027, 1, 6, 8, 0)
    assert CAL.office_minutes(at(2026, 12, 31, 15, 0), at(2027, 1, 6, 8, 0)) == 600


def test_end_before_start_is_negative():
    assert CAL.office_minutes(at(2026, 11, 23, 9, 0), at(2026, 11, 23, 8, 0)) == -60


def test_is_working_time_bounds():
    assert CAL.is_working_time(at(2026, 11, 23, 7, 30))
    assert not CAL.is_working_time(at(2026, 11, 23, 16, 0))
    assert CAL.is_working_time(at(2026, 11, 27, 16, 15))
    assert not CAL.is_working_time(at(2026, 11, 28, 10, 0))


def test_vectorised_matches_scalar_and_handles_missing():
    starts = pd.Series([at(2026, 11, 23, 8, 0), at(2026, 11, 27, 16, 20), pd.NaT], dtype="datetime64[ms, Asia/Pontianak]")
    ends = pd.Series([at(2026, 11, 23, 9, 0), at(2026, 11, 30, 7, 45), at(2026, 11, 30, 7, 45)],
                     dtype="datetime64[ms, Asia/Pontianak]")
    got = CAL.office_minutes_between(starts, ends)
    assert got[:2].tolist() == [60, 25]
    assert np.isnan(got[2])
    deadlines = CAL.add_office_minutes_array(starts, [15, 15, 15])
    assert deadlines[0] == pd.Timestamp(at(2026, 11, 23, 8, 15))
    assert deadlines[1] == pd.Timestamp(at(2026, 11, 30, 7, 35))
    assert pd.isna(deadlines[2])


moments = st.datetimes(min_value=datetime(2025, 6, 1), max_value=datetime(2027, 6, 1)).map(
    lambda d: d.replace(microsecond=0, tzinfo=TZ))


@settings(max_examples=150, deadline=None)
@given(moments, st.floats(min_value=0, max_value=3000).map(lambda x: round(x, 3)))
def test_deadline_and_minutes_agree(start, minutes):
    deadline = CAL.add_office_minutes(start, minutes)
    assert deadline >= start
    assert CAL.office_minutes(start, deadline) == pytest.approx(minutes, abs=1e-6)
    # earliest: one second before the deadline not enough minutes have passed
    if minutes > 0:
        assert CAL.office_minutes(start, deadline - timedelta(seconds=1)) < minutes


@settings(max_examples=100, deadline=None)
@given(moments, moments, moments)
def test_office_minutes_are_additive(a, b, c):
    a, b, c = sorted((a, b, c))
    total = CAL.office_minutes(a, c)
    assert total == pytest.approx(CAL.office_minutes(a, b) + CAL.office_minutes(b, c), abs=1e-6)
    assert 0 <= total <= (c - a).total_seconds() / 60 + 1e-9
