"""NIK (Nomor Induk Kependudukan) parsing and validation, rules 1-12 (numbered in the code below).

``PP KK CC DDMMYY SSSS``: province, kab/kota, kecamatan where the NIK was first
issued (never changes), day of birth (+40 for women), month, year, serial.
Pure: the region table is loaded once from the package; ``today`` is a parameter.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from bukutamu.core.ktp.fields import SCIENTIFIC, age_on, sex_code
from bukutamu.core.ktp.findings import Finding, error, errors_of, format_date_id, warning, warnings_of
from bukutamu.core.ktp.regions import Region, RegionEntry, RegionTable, dotted, region_table

FIELD = "nik"
_SEPARATORS = str.maketrans("", "", " .-")
_ASCII_DIGITS = frozenset("0123456789")
_OUTER_SPACE = " \t\r\n"
# str() of a float that held a NIK ("6171010101909991.0"); scientific notation: fields.SCIENTIFIC.
_FLOAT_TEXT = re.compile(r"[0-9]{12,17}\.0+")
_ADULT_AGE = 17
_MIN_AGE_FOR_CENTURY = 13

_COERCED_MSG = (
    "NIK terbaca sebagai angka oleh spreadsheet, digit bisa hilang; "
    "format kolom NIK sebagai Teks biasa lalu isi ulang"
)


@dataclass(frozen=True)
class NikFacts:
    """What the NIK says, as far as it could be read."""

    province: Region | None = None
    regency: Region | None = None  # kab/kota
    district: Region | None = None  # kecamatan
    birth_date: date | None = None
    sex: str | None = None  # "L" / "P"
    serial: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "province": self.province.as_dict() if self.province else None,
            "regency": self.regency.as_dict() if self.regency else None,
            "district": self.district.as_dict() if self.district else None,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "sex": self.sex,
            "serial": self.serial,
        }


@dataclass(frozen=True)
class NikResult:
    nik: str | None  # 16 ASCII digits, or None when the value is not (or no longer) readable
    findings: tuple[Finding, ...]
    parsed: NikFacts

    @property
    def errors(self) -> tuple[Finding, ...]:
        return errors_of(self.findings)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return warnings_of(self.findings)

    @property
    def ok(self) -> bool:
        return not self.errors


def parse(
    value: object,
    *,
    typed_birth_date: date | None = None,
    typed_sex: str | None = None,
    today: date | None = None,
) -> NikResult:
    """Validate a NIK as it came from the sheet or a user. Never raises on bad input.

    ``typed_birth_date`` / ``typed_sex`` are what the guest typed in the other fields:
    they decide the century and are compared with the NIK (rule 11).
    """
    digits, problem = _normalise(value)
    if digits is None:
        return NikResult(None, (problem,), NikFacts())
    if today is None:
        raise TypeError("parse() needs today: the office's date (never the machine's)")
    if isinstance(typed_birth_date, datetime):
        typed_birth_date = typed_birth_date.date()
    elif not isinstance(typed_birth_date, date):
        typed_birth_date = None
    findings: list[Finding] = []
    province, regency, district = _check_region(digits, region_table(), findings)
    birth_date, sex = _check_birth(digits, typed_birth_date, sex_code(typed_sex), today, findings)
    serial = digits[12:]
    if serial == "0000":
        findings.append(error("nik_serial_zero", FIELD, "NIK: nomor urut (4 angka terakhir) 0000 tidak mungkin"))
    facts = NikFacts(province, regency, district, birth_date, sex, serial)
    return NikResult(digits, tuple(findings), facts)


def normalise(value: object) -> str | None:
    """The 16 ASCII digits of a NIK typed as text, or None when it is not one."""
    return _normalise(value)[0]


# --- rule 1 and 8: what the value is -----------------------------------------------------

def _normalise(value: object) -> tuple[str | None, Finding | None]:
    if value is None:
        return None, _empty()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return None, error("nik_coerced", FIELD, _COERCED_MSG)
    try:
        text = value if isinstance(value, str) else str(value)
    except Exception:  # an object whose __str__ fails is not a NIK
        return None, _not_digits()
    text = text.strip(_OUTER_SPACE)
    if not text:
        return None, _empty()
    if SCIENTIFIC.fullmatch(text) or _FLOAT_TEXT.fullmatch(text):
        return None, error("nik_coerced", FIELD, _COERCED_MSG)
    compact = text.translate(_SEPARATORS)
    if compact and all(c in _ASCII_DIGITS for c in compact):
        if len(compact) == 16:
            return compact, None
        return None, error("nik_length", FIELD, f"NIK harus 16 angka, terisi {len(compact)} angka")
    if any(unicodedata.category(c) == "Nd" and c not in _ASCII_DIGITS for c in compact):
        return None, error(
            "nik_non_ascii_digits", FIELD,
            "NIK memuat angka bukan 0-9 biasa (mis. angka Arab atau lebar penuh); ketik ulang dengan angka 0-9",
        )
    return None, _not_digits()


def _empty() -> Finding:
    return error("nik_empty", FIELD, "NIK kosong")


def _not_digits() -> Finding:
    return error("nik_characters", FIELD, "NIK hanya boleh berisi 16 angka 0-9")


# --- rules 2, 3, 9, 10: the region prefix ----------------------------------------------

def _check_region(
    digits: str, table: RegionTable, findings: list[Finding]
) -> tuple[Region | None, Region | None, Region | None]:
    pp, kk, cc = digits[0:2], digits[2:4], digits[4:6]
    province_entry = table.get(pp)
    if province_entry is None:
        findings.append(error("nik_province_unknown", FIELD, f"NIK: kode provinsi {pp} tidak dikenal"))
    if kk == "00":
        findings.append(error("nik_regency_zero", FIELD, "NIK: kode kabupaten/kota 00 tidak ada"))
    if cc == "00":
        findings.append(error("nik_district_zero", FIELD, "NIK: kode kecamatan 00 tidak ada"))
    if province_entry is None:
        return None, None, None

    found: list[RegionEntry] = [province_entry]
    regency_entry = district_entry = None
    if kk != "00":
        regency_entry = table.get(digits[:4])
        if regency_entry is None:
            findings.append(_unknown_child("nik_regency_unknown", "kab/kota", digits[:4], province_entry))
        else:
            found.append(regency_entry)
            if cc != "00":
                district_entry = table.get(digits[:6])
                if district_entry is None:
                    findings.append(_unknown_child("nik_district_unknown", "kecamatan", digits[:6], regency_entry))
                else:
                    found.append(district_entry)
    retired = next((e for e in reversed(found) if not e.active), None)
    if retired is not None:
        findings.append(_retired(retired, table))
    return (
        province_entry.region,
        regency_entry.region if regency_entry else None,
        district_entry.region if district_entry else None,
    )


def _unknown_child(code: str, kind: str, digits: str, parent: RegionEntry) -> Finding:
    return warning(
        code, FIELD,
        f"NIK: kode {kind} {dotted(digits)} tidak dikenal di {parent.name} "
        "(kode lama sebelum pemekaran? periksa fisik KTP)",
    )


def _retired(entry: RegionEntry, table: RegionTable) -> Finding:
    head = f"NIK: kode lama {dotted(entry.digits)} {entry.name} (s.d. edisi {entry.last_edition})"
    return warning("nik_region_retired", FIELD, f"{head}; {_successor_text(entry, table)}; kode lama tetap sah")


def _successor_text(entry: RegionEntry, table: RegionTable) -> str:
    successor = table.successor(entry.digits)
    if successor and successor.digits:
        return "kini " + _describe(successor.digits, table)
    if entry.level == 3:  # kecamatan not matched by name: at least say where its kab/kota went
        parent = table.successor(entry.digits[:4])
        if parent and parent.digits:
            return "penerus kecamatan tidak terpadan, kab/kota kini " + _describe(parent.digits, table)
    return "penerus tidak diketahui"


def _describe(digits: str, table: RegionTable) -> str:
    """``93.01.01 Merauke, Kabupaten Merauke, Papua Selatan``"""
    names = [e.name for e in (table.get(digits[:n]) for n in range(len(digits), 0, -2)) if e]
    return f"{dotted(digits)} {', '.join(names)}"


# --- rules 4, 5, 7, 11, 12: the birth date and sex ---------------------------------------

def _check_birth(
    digits: str, typed_birth_date: date | None, typed_sex: str | None, today: date, findings: list[Finding]
) -> tuple[date | None, str | None]:
    day_code, month, yy = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    sex: str | None = None
    day = 0
    if 1 <= day_code <= 31:
        sex, day = "L", day_code
    elif 41 <= day_code <= 71:
        sex, day = "P", day_code - 40
    else:
        findings.append(error(
            "nik_day_range", FIELD,
            f"NIK: tanggal lahir {digits[6:8]} tidak mungkin (01-31, perempuan 41-71)",
        ))
    if not 1 <= month <= 12:
        findings.append(error("nik_month_range", FIELD, f"NIK: bulan lahir {digits[8:10]} tidak mungkin (01-12)"))
        month = 0

    birth_date = None
    if day and month:
        year = _resolve_year(yy, month, day, typed_birth_date, today)
        try:
            birth_date = date(year, month, day)
        except ValueError:
            findings.append(error(
                "nik_date_invalid", FIELD,
                f"NIK: tanggal lahir {format_date_id(year, month, day)} tidak ada di kalender",
            ))
    if birth_date is not None and birth_date > today:
        findings.append(error(
            "nik_birth_date_future", FIELD,
            f"NIK: tanggal lahir {_fmt(birth_date)} ada di masa depan",
        ))
        birth_date = None

    maybe_kk = False
    if birth_date is not None and typed_birth_date is not None and birth_date != typed_birth_date:
        findings.append(warning(
            "nik_birth_date_mismatch", FIELD,
            f"NIK: tanggal lahir di NIK {_fmt(birth_date)}, yang diisi {_fmt(typed_birth_date)}",
        ))
    if sex and typed_sex and sex != typed_sex:
        findings.append(warning(
            "nik_sex_mismatch", FIELD,
            f"NIK: jenis kelamin di NIK {_sex_word(sex)}, yang diisi {_sex_word(typed_sex)}",
        ))
        maybe_kk = typed_sex == "P"  # a KK number has no +40: a woman's "NIK" with day <= 31
    if birth_date is not None:
        age = age_on(birth_date, today)
        if age < _ADULT_AGE:
            findings.append(warning(
                "nik_under_17", FIELD,
                f"NIK: umur menurut NIK {age} tahun (KTP terbit mulai 17 tahun atau saat menikah)",
            ))
            maybe_kk = True  # a KK number encodes its (recent) issue date
    if maybe_kk:
        findings.append(warning(
            "nik_maybe_kk", FIELD, "NIK: kemungkinan nomor KK, bukan NIK; periksa fisik KTP",
        ))
    return birth_date, sex


def _resolve_year(yy: int, month: int, day: int, typed: date | None, today: date) -> int:
    """Rule 5: the century from the typed date of birth (nearest year), else the latest
    century that makes the person at least 13 on ``today`` (compared as tuples, so an
    impossible 29 February is still placed before the calendar is checked)."""
    if typed is not None:
        base = typed.year - typed.year % 100
        candidates = [y for y in (base - 100 + yy, base + yy, base + 100 + yy) if 1 <= y <= 9999]
        return min(candidates, key=lambda y: abs(y - typed.year))
    century = today.year - today.year % 100
    limit = (today.year - _MIN_AGE_FOR_CENTURY, today.month, today.day)
    while (century + yy, month, day) > limit:
        century -= 100
    return century + yy


def _fmt(d: date) -> str:
    return format_date_id(d.year, d.month, d.day)


def _sex_word(code: str) -> str:
    return "laki-laki" if code == "L" else "perempuan"

