"""Reading a Google Forms CSV export (the responses spreadsheet downloaded as CSV,
or "Download responses (.csv)") into register rows for the embedded store."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Sequence
from zoneinfo import ZoneInfo

from bukutamu.core.cells import datetime_to_serial, plausible_moment
from bukutamu.core.ktp import mask_nik
from bukutamu.core.schema import FORM, REGISTER_COLUMNS, normalise_header
from bukutamu.core.text import clean_line
from bukutamu.errors import BukutamuError

_STAMP = re.compile(
    r"^\s*(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})[ T]+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:[.,]\d+)?"
    r"\s*(AM|PM)?\s*(?:GMT|UTC)?\s*([+-]\d{1,2}(?::?\d{2})?)?\s*$", re.IGNORECASE)


MAX_OFFSET = timedelta(hours=14)  # the widest real UTC offset (UTC+14, Line Islands)


def _stamp_parts(value: str) -> tuple | None:
    m = _STAMP.match(value or "")
    return m.groups() if m else None


def parse_form_timestamp(value: str, tz: ZoneInfo, day_first: bool = True) -> datetime | None:
    """'2026/11/28 8:30:15 AM GMT+7', '28/11/2026 08.30.15', '2026-11-28T08:30:15' …
    None for anything else, for an offset beyond ±14 h and for a moment that does
    not exist in ``tz`` (year 9999 in GMT-12 overflows)."""
    parts = _stamp_parts(value)
    if not parts:
        return None
    a, b, c, hh, mm, ss, ampm, offset = parts
    if len(a) == 4:
        y, mo, d = int(a), int(b), int(c)
    elif len(c) == 4:
        y = int(c)
        d, mo = (int(a), int(b)) if day_first else (int(b), int(a))
    else:
        return None
    h = int(hh)
    if ampm:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if ampm.upper() == "PM" else 0)
    try:
        moment = datetime(y, mo, d, h, int(mm), int(ss or 0))
        if offset:
            sign = -1 if offset.startswith("-") else 1
            digits = offset[1:].replace(":", "")
            hours, minutes = (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
            shift = timedelta(hours=hours, minutes=minutes)
            if minutes >= 60 or shift > MAX_OFFSET:
                return None
            return moment.replace(tzinfo=timezone(sign * shift)).astimezone(tz)
        return moment.replace(tzinfo=tz)
    except (ValueError, OverflowError):
        return None


def _date_order(value: str) -> str:
    """'dmy' / 'mdy' when only one reading of a d/m/yyyy stamp is a real date,
    'both' when either is (and they differ), 'same' for 05/05, '' otherwise."""
    parts = _stamp_parts(value)
    if not parts or len(parts[0]) == 4 or len(parts[2]) != 4:
        return ""
    a, b = int(parts[0]), int(parts[1])
    dmy, mdy = 1 <= b <= 12 and 1 <= a <= 31, 1 <= a <= 12 and 1 <= b <= 31
    if dmy and mdy:
        return "both" if a != b else "same"
    return "dmy" if dmy else "mdy" if mdy else ""


@dataclass
class CsvImport:
    rows: list[list[object]] = field(default_factory=list)  # in the register's header order
    skipped: list[str] = field(default_factory=list)  # Indonesian, one per skipped line
    ignored_columns: list[str] = field(default_factory=list)


FIELD_MAX = 50_000  # a Google Sheets cell holds at most 50,000 characters
# A line break followed by what looks like the next response (a form timestamp as the
# first cell, then more cells) inside one field: a quote was left open and the next
# line(s) were swallowed. A purpose that merely mentions a date on its second line is not.
_NEXT_RECORD = re.compile(r"\n\s*\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}[ T]+\d{1,2}[:.]\d{2}(?:[:.]\d{2})?"
                          r"[^,\n]{0,16},[^\n]*,")
_LONG_DIGITS = re.compile(r"\d{12,}")


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _shown(value: str, limit: int = 40) -> str:
    """A value quoted in a message: one clean line, capped, long digit runs (a NIK?) masked."""
    return repr(_LONG_DIGITS.sub(lambda m: mask_nik(m.group()), clean_line(value, limit)))


def _records(text: str, path: Path):
    """(first line, last line, fields) per CSV record; a quoting error refuses the file."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    last = 0
    try:
        for fields in reader:
            yield last + 1, reader.line_num, fields
            last = reader.line_num
    except csv.Error:
        raise BukutamuError(
            f"Berkas {path.name} rusak di sekitar baris {last + 1}: tanda kutip (\") tidak ditutup atau salah "
            "letak, sehingga baris-baris berikutnya bisa tergabung. Tidak ada yang diimpor; perbaiki baris itu "
            "(atau ekspor ulang dari Google Sheets) lalu jalankan lagi.") from None


def read_forms_csv(path: Path, register_header: Sequence[str], tz: ZoneInfo, day_first: bool = True,
                   renames: dict[str, str] | None = None, now: datetime | None = None) -> CsvImport:
    renames = renames or {}
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            content = f.read()
    except FileNotFoundError:
        raise BukutamuError(f"Berkas {path} tidak ada.") from None
    except IsADirectoryError:
        raise BukutamuError(f"{path} adalah folder, bukan berkas CSV.") from None
    except UnicodeDecodeError:
        raise BukutamuError(f"Berkas {path} bukan teks UTF-8; ekspor ulang dari Google Sheets sebagai CSV.") from None
    # A long answer is data, not an attack on the reader (csv's default limit is 131,072).
    csv.field_size_limit(max(csv.field_size_limit(), len(content) + 1))
    records = _records(content, path)
    first = next(records, None)
    if first is None:
        raise BukutamuError(f"Berkas {path} kosong.")
    csv_header = [clean_line(h) for h in first[2]]
    key_of = {}
    for col in REGISTER_COLUMNS:
        if col.owner != FORM:
            continue
        for n in ((renames[col.key],) if col.key in renames else col.names()):
            key_of.setdefault(normalise_header(n), col.key)
    csv_keys = [key_of.get(normalise_header(h)) for h in csv_header]
    for k in set(filter(None, csv_keys)):
        same = [h for h, kk in zip(csv_header, csv_keys) if kk == k]
        if len(same) > 1:
            header = next(c.header for c in REGISTER_COLUMNS if c.key == k)
            names = " dan ".join(f'"{h}"' for h in same)
            raise BukutamuError(
                f'Kolom "{header}" muncul {len(same)} kali di CSV {path.name} ({names}); program tidak menebak '
                "mana yang benar. Hapus atau ganti nama salah satunya, lalu jalankan lagi. Tidak ada yang diimpor.")
    for need in ("timestamp", "nik", "nama"):
        if need not in csv_keys:
            header = next(c.header for c in REGISTER_COLUMNS if c.key == need)
            raise BukutamuError(f'Kolom "{header}" tidak ada di CSV {path.name}; periksa judul kolomnya.')
    target = {}
    for i, h in enumerate(register_header):
        k = key_of.get(normalise_header(h))
        if k:
            target.setdefault(k, i)
    result = CsvImport(ignored_columns=[h for h, k in zip(csv_header, csv_keys) if k is None and h])
    own, other = ("dmy", "mdy") if day_first else ("mdy", "dmy")
    wrong_order: list[tuple[str, str]] = []
    orders: set[str] = set()
    now = now or datetime.now(tz)
    width = len(csv_header)
    for n, end, line in records:
        lines = f"baris {n}" if n == end else f"baris {n}–{end}"
        if not any(c.strip() for c in line):
            continue
        if len(line) > width:
            result.skipped.append(f"{lines}: {len(line)} kolom padahal judul hanya {width}; kemungkinan "
                                  "tanda koma di luar tanda kutip menggeser kolom")
            continue
        values = {k: v for k, v in zip(csv_keys, line) if k}
        merged = [k for k, v in values.items() if _NEXT_RECORD.search(v.replace("\r", "\n"))]
        if merged:
            header = next(h for h, k in zip(csv_header, csv_keys) if k == merged[0])
            result.skipped.append(f'{lines}: tanda kutip (") di kolom "{header}" tidak ditutup, baris '
                                  "berikutnya ikut tergabung; baris-baris ini tidak diimpor, perbaiki berkasnya")
            continue
        long = [(h, len(v)) for h, k, v in zip(csv_header, csv_keys, line) if k and len(v) > FIELD_MAX]
        if long:
            result.skipped.append(f'{lines}: isi kolom "{long[0][0]}" {_thousands(long[0][1])} karakter, '
                                  f"melebihi batas {_thousands(FIELD_MAX)} karakter satu sel")
            continue
        stamp = clean_line(values.get("timestamp", ""))
        moment = parse_form_timestamp(stamp, tz, day_first)
        order = _date_order(stamp)
        if moment is None:
            if order == other and parse_form_timestamp(stamp, tz, not day_first) is not None:
                wrong_order.append((lines, stamp))
            else:
                result.skipped.append(f"{lines}: stempel waktu {_shown(stamp)} tidak dikenali")
            continue
        if not plausible_moment(moment, now):
            result.skipped.append(f"{lines}: stempel waktu {_shown(stamp)} di luar rentang wajar "
                                  "(sebelum tahun 2000 atau di masa depan)")
            continue
        orders.add(order)
        row: list[object] = [""] * len(register_header)
        for k, v in values.items():
            if k in target:
                row[target[k]] = v
        row[target["timestamp"]] = datetime_to_serial(moment, tz)
        result.rows.append(row)
    if wrong_order:
        option = "tanpa --bulan-dulu" if not day_first else "dengan --bulan-dulu"
        fmt = "bulan/hari/tahun" if day_first else "hari/bulan/tahun"
        example = f"{wrong_order[0][0]}: {_shown(wrong_order[0][1])}"
        if own not in orders and "both" in orders:
            # The whole file is in the other order: the ambiguous dates read so far are wrong too.
            raise BukutamuError(
                f"Tanggal di {path.name} berformat {fmt} (mis. {example}). Tidak ada yang diimpor, agar "
                f"tanggal seperti 05/11 tidak tertukar. Jalankan ulang {option}.")
        result.skipped.append(f"{len(wrong_order)} baris bertanggal format {fmt} (mis. {example}) tidak "
                              f"diimpor; bila seluruh berkas berformat itu, jalankan ulang {option}")
    return result
