"""Reading a Google Forms CSV export (the responses spreadsheet downloaded as CSV,
or "Download responses (.csv)") into register rows for the embedded store."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Sequence
from zoneinfo import ZoneInfo

from bukutamu.core.cells import datetime_to_serial
from bukutamu.core.schema import FORM, REGISTER_COLUMNS, normalise_header
from bukutamu.errors import BukutamuError

_STAMP = re.compile(
    r"^\s*(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})[ T]+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:[.,]\d+)?"
    r"\s*(AM|PM)?\s*(?:GMT|UTC)?\s*([+-]\d{1,2}(?::?\d{2})?)?\s*$", re.IGNORECASE)


def parse_form_timestamp(value: str, tz: ZoneInfo, day_first: bool = True) -> datetime | None:
    """'2026/11/28 8:30:15 AM GMT+7', '28/11/2026 08.30.15', '2026-11-28T08:30:15' …"""
    m = _STAMP.match(value or "")
    if not m:
        return None
    a, b, c, hh, mm, ss, ampm, offset = m.groups()
    if len(a) == 4:
        y, mo, d = int(a), int(b), int(c)
    elif len(c) == 4:
        y = int(c)
        d, mo = (int(a), int(b)) if day_first else (int(b), int(a))
    else:
        return None
    h = int(hh)
    if ampm:
        h = h % 12 + (12 if ampm.upper() == "PM" else 0)
    try:
        moment = datetime(y, mo, d, h, int(mm), int(ss or 0))
    except ValueError:
        return None
    if offset:
        sign = -1 if offset.startswith("-") else 1
        digits = offset[1:].replace(":", "")
        hours, minutes = (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
        return moment.replace(tzinfo=timezone(sign * timedelta(hours=hours, minutes=minutes))).astimezone(tz)
    return moment.replace(tzinfo=tz)


@dataclass
class CsvImport:
    rows: list[list[object]] = field(default_factory=list)  # in the register's header order
    skipped: list[str] = field(default_factory=list)  # Indonesian, one per skipped line
    ignored_columns: list[str] = field(default_factory=list)


def read_forms_csv(path: Path, register_header: Sequence[str], tz: ZoneInfo, day_first: bool = True,
                   renames: dict[str, str] | None = None) -> CsvImport:
    renames = renames or {}
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            lines = list(csv.reader(f))
    except FileNotFoundError:
        raise BukutamuError(f"Berkas {path} tidak ada.") from None
    except UnicodeDecodeError:
        raise BukutamuError(f"Berkas {path} bukan teks UTF-8; ekspor ulang dari Google Sheets sebagai CSV.") from None
    if not lines:
        raise BukutamuError(f"Berkas {path} kosong.")
    csv_header, data = lines[0], lines[1:]
    key_of = {}
    for col in REGISTER_COLUMNS:
        if col.owner != FORM:
            continue
        for n in ((renames[col.key],) if col.key in renames else col.names()):
            key_of.setdefault(normalise_header(n), col.key)
    csv_keys = [key_of.get(normalise_header(h)) for h in csv_header]
    for need in ("timestamp", "nik", "nama"):
        if need not in csv_keys:
            header = next(c.header for c in REGISTER_COLUMNS if c.key == need)
            raise BukutamuError(f'Kolom "{header}" tidak ada di CSV {path.name}; periksa judul kolomnya.')
    target = {}
    for i, h in enumerate(register_header):
        k = key_of.get(normalise_header(h))
        if k:
            target.setdefault(k, i)
    result = CsvImport(ignored_columns=[h for h, k in zip(csv_header, csv_keys) if k is None and h.strip()])
    for n, line in enumerate(data, start=2):
        if not any(c.strip() for c in line):
            continue
        values = {k: v for k, v in zip(csv_keys, line) if k}
        moment = parse_form_timestamp(values.get("timestamp", ""), tz, day_first)
        if moment is None:
            result.skipped.append(f"baris {n}: stempel waktu {values.get('timestamp', '')!r} tidak dikenali")
            continue
        row: list[object] = [""] * len(register_header)
        for k, v in values.items():
            if k in target:
                row[target[k]] = v
        row[target["timestamp"]] = datetime_to_serial(moment, tz)
        result.rows.append(row)
    return result
