"""Queue numbers and visit IDs.

A queue number (``A-001``) restarts every day in office time and is handed out in
submission order. Once written it never changes. The next number of a day is one
more than the highest ever issued that day, taken from both the register (the
numbers on the rows) and the counter kept in the Sistem tab (which remembers
numbers of rows a person has since deleted), so a restart, a sort or a deleted row
never makes a number appear twice.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Iterable, Mapping

_VISIT_ID = re.compile(r"^(\d{8})-([A-Z]{1,3})(\d{3,})$")
COUNTER_KEY_PREFIX = "antrian_terakhir:"


def visit_id(day: date, prefix: str, number: int) -> str:
    return f"{day:%Y%m%d}-{prefix}{number:03d}"


def queue_label(prefix: str, number: int) -> str:
    return f"{prefix}-{number:03d}"


def parse_visit_id(value: str) -> tuple[date, str, int] | None:
    m = _VISIT_ID.match(value or "")
    if not m:
        return None
    d = m.group(1)
    try:
        return date(int(d[:4]), int(d[4:6]), int(d[6:])), m.group(2), int(m.group(3))
    except ValueError:
        return None


def highest_issued(visit_ids: Iterable[str], counters: Mapping[str, object]) -> dict[date, int]:
    """Highest queue number already issued per day (any prefix shares one sequence)."""
    top: dict[date, int] = {}
    for vid in visit_ids:
        parsed = parse_visit_id(vid)
        if parsed:
            day, _, n = parsed
            top[day] = max(top.get(day, 0), n)
    for key, value in counters.items():
        if key.startswith(COUNTER_KEY_PREFIX):
            try:
                day = date.fromisoformat(key[len(COUNTER_KEY_PREFIX):])
                n = int(float(str(value)))
            except ValueError:
                continue
            top[day] = max(top.get(day, 0), n)
    return top


def counter_key(day: date) -> str:
    return f"{COUNTER_KEY_PREFIX}{day.isoformat()}"
