"""The office calendar: working hours, holidays, and office minutes between moments.

Pure: no clock, no I/O. Everything is computed on the office's wall clock
(``Asia/Pontianak`` by default) from a per-day table of working segments:

    day d has up to two segments [o1, c1) and [o2, c2) after midnight (two when a
    lunch pause splits the day, else the second is empty);
    cum(t) = office time from the table's origin up to moment t.

Times of day and cum are int64 microseconds, so results are exact (a clock of
exactly its standard is never a breach by float noise).

``office_minutes(s, e) = cum(e) - cum(s)``: a visit crossing closing time simply
continues at the next working day's opening (it is "carried over", never a 16-hour
breach), weekends, holidays and cuti bersama count zero. The table is built per
range of years (holidays from the ``holidays`` package, country ID, categories
``public`` + ``government`` for cuti bersama) and cached on the calendar, so the
vectorised functions cost a few numpy operations per interval.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from bukutamu.config import CalendarSettings

_US_PER_MIN = 60_000_000
_US_PER_DAY = 1440 * _US_PER_MIN
_NAT = np.iinfo(np.int64).min
_EPOCH = date(1970, 1, 1)


@lru_cache(maxsize=64)
def _holidays_of(country: str, cuti_bersama: bool, year: int) -> tuple[tuple[date, str], ...]:
    """Public holidays (+ cuti bersama) of one year, Indonesian names, sorted."""
    import holidays  # heavy import, only when a calendar is first used

    categories = ("public", "government") if cuti_bersama else ("public",)
    try:
        table = holidays.country_holidays(country, years=year, categories=categories, language="id")
    except NotImplementedError:  # a country without the government category
        table = holidays.country_holidays(country, years=year)
    return tuple(sorted(table.items()))


def _us(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


@dataclass(frozen=True)
class _Table:
    """Working segments of consecutive days [day0, day0 + days) (day numbers since
    1970-01-01); times of day and cumulative office time in int64 microseconds."""

    day0: int
    o1: np.ndarray
    c1: np.ndarray
    o2: np.ndarray
    c2: np.ndarray
    cum_before: np.ndarray  # office time from the table origin to the day's midnight

    @property
    def cum_end(self) -> np.ndarray:
        return self.cum_before + (self.c1 - self.o1) + (self.c2 - self.o2)

    @property
    def days(self) -> int:
        return len(self.o1)

    def cum(self, local_us: np.ndarray) -> np.ndarray:
        """Office time from the origin up to each local moment (_NAT stays _NAT)."""
        ok = local_us != _NAT
        safe = local_us if ok.all() else np.where(ok, local_us, self.day0 * _US_PER_DAY)
        day = safe // _US_PER_DAY
        tod = safe - day * _US_PER_DAY
        i = day - self.day0
        # np.minimum/np.maximum: much faster than np.clip with array bounds
        first = np.minimum(np.maximum(tod - self.o1[i], 0), (self.c1 - self.o1)[i])
        second = np.minimum(np.maximum(tod - self.o2[i], 0), (self.c2 - self.o2)[i])
        out = self.cum_before[i] + first + second
        out[~ok] = _NAT
        return out


class OfficeCalendar:
    """Office hours of one office. Build it once from settings and reuse it (it caches)."""

    def __init__(self, settings: CalendarSettings | None = None, time_zone: str = "Asia/Pontianak"):
        self.settings = settings or CalendarSettings()
        self.tz = ZoneInfo(time_zone)
        self.time_zone = time_zone
        self._extra = {date.fromisoformat(str(d)) for d in self.settings.extra_holidays}
        r = self.settings.ramadan
        self._ramadan = (date.fromisoformat(str(r[0])), date.fromisoformat(str(r[1]))) if r else None
        self._tables: dict[tuple[int, int], _Table] = {}

    # --- holidays ---------------------------------------------------------------

    def holidays(self, start: date, end: date) -> list[tuple[date, str]]:
        """Holidays (public, cuti bersama, extra) in [start, end], with their names."""
        out: dict[date, str] = {}
        for year in range(start.year, end.year + 1):
            for d, name in _holidays_of(self.settings.holidays_country, self.settings.cuti_bersama, year):
                if start <= d <= end:
                    out[d] = name
        for d in self._extra:
            if start <= d <= end:
                out.setdefault(d, "Libur kantor")
        return sorted(out.items())

    # --- the day table ------------------------------------------------------------

    def _table_for_days(self, first_day: int, last_day: int) -> _Table:
        y0 = (_EPOCH + timedelta(days=int(first_day))).year
        y1 = (_EPOCH + timedelta(days=int(last_day))).year
        for (a, b), table in self._tables.items():  # a cached range that covers it
            if a <= y0 and y1 <= b:
                return table
        self._tables[(y0, y1)] = table = self._build(y0, y1)
        return table

    def _build(self, y0: int, y1: int) -> _Table:
        s = self.settings
        first, last = date(y0, 1, 1), date(y1, 12, 31)
        day0 = (first - _EPOCH).days
        days = np.arange(day0, day0 + (last - first).days + 1)
        weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
        off = np.array([(d - _EPOCH).days for d, _ in self.holidays(first, last)], dtype=np.int64)
        working = (weekday < 5) & ~np.isin(days, off)
        friday = weekday == 4
        ramadan = np.zeros(len(days), dtype=bool)
        if self._ramadan:
            r0, r1 = ((d - _EPOCH).days for d in self._ramadan)
            ramadan = (days >= r0) & (days <= r1)

        def hours(normal: tuple[time, time], fri: tuple[time, time], idx: int) -> np.ndarray:
            return np.where(friday, _us(fri[idx]), _us(normal[idx]))

        open_ = np.where(ramadan, hours(s.ramadan_hours, s.ramadan_friday, 0), hours(s.mon_thu, s.fri, 0))
        close = np.where(ramadan, hours(s.ramadan_hours, s.ramadan_friday, 1), hours(s.mon_thu, s.fri, 1))
        open_, close = np.where(working, open_, 0), np.where(working, close, 0)
        if s.lunch:
            lunch_fri = s.lunch_friday or s.lunch
            l0 = np.clip(hours(s.lunch, lunch_fri, 0), open_, close)
            l1 = np.clip(hours(s.lunch, lunch_fri, 1), l0, close)
            o1, c1, o2, c2 = open_, l0, l1, close
        else:
            o1, c1, o2, c2 = open_, close, close, close
        length = (c1 - o1) + (c2 - o2)
        cum_before = np.concatenate(([0], np.cumsum(length)[:-1]))
        return _Table(day0, *(a.astype(np.int64) for a in (o1, c1, o2, c2, cum_before)))

    def _table_for(self, local_us: np.ndarray) -> _Table | None:
        ok = local_us[local_us != _NAT]
        if not len(ok):
            return None
        return self._table_for_days(int(ok.min() // _US_PER_DAY), int(ok.max() // _US_PER_DAY))

    # --- conversions ----------------------------------------------------------------

    def _local_us(self, values: Any) -> np.ndarray:
        """Moments -> int64 microseconds since 1970-01-01 00:00 on the office wall clock (_NAT for NaT).

        Accepts aware datetimes / Timestamps, sequences of them, pandas Series or
        DatetimeIndex (aware: converted to the office zone; naive: taken as office wall
        clock) and numpy datetime64 arrays (naive = office wall clock).
        """
        if isinstance(values, (datetime, pd.Timestamp)):
            values = [values]
        idx = values if isinstance(values, pd.DatetimeIndex) else pd.DatetimeIndex(values)
        if idx.tz is not None:
            idx = idx.tz_convert(self.tz).tz_localize(None)
        return idx.as_unit("us").asi8

    # --- public API -------------------------------------------------------------------

    def office_minutes_between(self, starts: Any, ends: Any) -> np.ndarray:
        """Office minutes from each start to its end (vectorised; NaN where either is missing).

        Negative when an end lies before its start.
        """
        us = np.concatenate([self._local_us(starts), self._local_us(ends)])
        n = len(us) // 2
        table = self._table_for(us)
        if table is None:
            return np.full(n, np.nan)
        cum = table.cum(us)
        a, b = cum[:n], cum[n:]
        ok = (a != _NAT) & (b != _NAT)
        return np.where(ok, (b - np.where(ok, a, 0)) / _US_PER_MIN, np.nan)

    def office_minutes(self, start: datetime, end: datetime) -> float:
        """Office minutes between two aware moments."""
        return float(self.office_minutes_between([start], [end])[0])

    def add_office_minutes_array(self, starts: Any, minutes: Any) -> pd.DatetimeIndex:
        """For each start, the earliest moment >= start at which ``minutes`` office minutes
        have passed (microsecond precision; NaT where the start is missing)."""
        us = self._local_us(starts)
        add = np.round(np.broadcast_to(np.asarray(minutes, dtype=float), us.shape) * _US_PER_MIN)
        if np.any(add < 0):
            raise ValueError("minutes must be >= 0")
        ok = us != _NAT
        result = np.full(us.shape, _NAT)
        t = self._table_for(us)
        if t is not None:
            target = np.where(ok, t.cum(us) + add.astype(np.int64), 0)
            while t.cum_end[-1] < target.max():  # extend past year ends / long standards
                wider = self._table_for_days(t.day0, t.day0 + t.days + 366)
                if wider.cum_end[-1] - wider.cum(us[ok]).max() <= t.cum_end[-1] - t.cum(us[ok]).max():
                    raise ValueError("the office calendar has no working time after the start")
                t = wider
                target = np.where(ok, t.cum(us) + add.astype(np.int64), 0)  # origin may differ
            i = np.minimum(np.searchsorted(t.cum_end, target, side="left"), t.days - 1)
            r = target - t.cum_before[i]
            seg1 = t.c1[i] - t.o1[i]
            tod = np.where(r <= seg1, t.o1[i] + r, t.o2[i] + (r - seg1))
            found = (t.day0 + i) * _US_PER_DAY + tod
            result = np.where(ok, np.maximum(found, us), _NAT)
        local = pd.DatetimeIndex(np.where(ok, result, 0).astype("datetime64[us]"))
        return local.tz_localize(self.tz, ambiguous="NaT", nonexistent="shift_forward").where(ok)

    def add_office_minutes(self, start: datetime, minutes: float) -> datetime:
        """The moment ``minutes`` office minutes after ``start`` (an escalation's deadline).

        The earliest such moment: a deadline that ends exactly at closing time is that
        closing time, not the next opening. A step is breached once
        ``office_minutes(start, now) > standard``, i.e. strictly after the deadline.
        """
        return self.add_office_minutes_array([start], [minutes])[0].to_pydatetime()

    def is_working_time(self, t: datetime) -> bool:
        """True when ``t`` lies inside a working segment (opening inclusive, closing exclusive)."""
        us = int(self._local_us([t])[0])
        day = us // _US_PER_DAY
        tab = self._table_for_days(day, day)
        i, tod = day - tab.day0, us - day * _US_PER_DAY
        return bool(tab.o1[i] <= tod < tab.c1[i] or tab.o2[i] <= tod < tab.c2[i])

    def is_working_day(self, d: date) -> bool:
        return self.working_days(d, d) == 1

    def working_days(self, d1: date, d2: date) -> int:
        """Number of working days d with d1 <= d <= d2 (0 when d2 < d1)."""
        return len(self.working_dates(d1, d2))

    def working_dates(self, d1: date, d2: date) -> list[date]:
        """The working days in [d1, d2]."""
        if d2 < d1:
            return []
        a, b = (d1 - _EPOCH).days, (d2 - _EPOCH).days
        t = self._table_for_days(a, b)
        length = (t.c1 - t.o1) + (t.c2 - t.o2)
        idx = np.flatnonzero(length[a - t.day0:b - t.day0 + 1] > 0)
        return [d1 + timedelta(days=int(k)) for k in idx]

    def hours_of(self, d: date) -> tuple[time, time] | None:
        """Opening and closing time of day ``d`` (None on a non-working day)."""
        a = (d - _EPOCH).days
        t = self._table_for_days(a, a)
        i = a - t.day0
        if (t.c1[i] - t.o1[i]) + (t.c2[i] - t.o2[i]) <= 0:
            return None

        def hm(us: int) -> time:
            return time(int(us // 3_600_000_000), int(us // _US_PER_MIN % 60))
        return hm(t.o1[i]), hm(t.c2[i])


def calendar_from_settings(settings: Any) -> OfficeCalendar:
    """The office calendar of a full ``Settings`` object."""
    return OfficeCalendar(settings.calendar, settings.office.time_zone)
