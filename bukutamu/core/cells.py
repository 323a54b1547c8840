"""Reading and writing typed values in sheet cells.

Date-times live in cells as spreadsheet serial numbers (days since 1899-12-30,
wall-clock in the spreadsheet's time zone), in both stores: Google returns them so
with UNFORMATTED_VALUE + SERIAL_NUMBER, and the program writes them so (RAW number,
shown as a date by the column format that ``init`` sets).
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

EPOCH = datetime(1899, 12, 30)
_DAY_SECONDS = 86400


def serial_to_datetime(serial: float, tz: ZoneInfo) -> datetime:
    """Serial number -> aware datetime in ``tz`` (rounded to the millisecond)."""
    ms = round(float(serial) * _DAY_SECONDS * 1000)
    return (EPOCH + timedelta(milliseconds=ms)).replace(tzinfo=tz)


def datetime_to_serial(moment: datetime, tz: ZoneInfo) -> float:
    """Aware datetime -> serial number of its wall-clock time in ``tz``."""
    local = moment.astimezone(tz).replace(tzinfo=None)
    return round((local - EPOCH) / timedelta(days=1), 10)


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def parse_datetime(value: object, tz: ZoneInfo) -> datetime | None:
    """A cell holding a moment: a serial number, or ISO text (CSV imports)."""
    if is_number(value):
        try:
            return serial_to_datetime(value, tz)
        except (OverflowError, ValueError):
            return None  # a serial no calendar holds (a number typed into a date column)
    if isinstance(value, str) and value.strip():
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        return parsed.replace(tzinfo=tz) if parsed.tzinfo is None else parsed.astimezone(tz)
    return None


FUTURE_MARGIN = timedelta(days=7)  # clocks and tests run a little apart; year 9999 does not


def plausible_moment(moment: datetime, now: datetime) -> bool:
    """A form timestamp a real submission can have: from 2000 up to a week after ``now``."""
    return moment.year >= 2000 and moment <= now + FUTURE_MARGIN


def text(value: object) -> str:
    """A cell as the text a person typed: None -> "", numbers without a trailing .0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    return moment.astimezone(tz).date()
