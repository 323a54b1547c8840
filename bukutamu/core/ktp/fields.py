"""The KTP fields other than the NIK: name, sex, date of birth, phone, email.

Each ``parse_*`` takes a cell value (text, a number, None) and returns a
``FieldResult``: the parsed value (None when unusable) and the findings. Never raises
on bad input. What the guest typed is never rewritten: ``parse_name`` returns the text
as typed (trimmed); ``name_key`` is for comparison only.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Generic, Protocol, TypeVar


from bukutamu.core.cells import EPOCH, is_number
from bukutamu.core.ktp.findings import Finding, error, format_date_id, warning

T = TypeVar("T")
# What a sheet shows of a long number it coerced: "6.10401E+15", "6,10401E+15" (Indonesian locale).
SCIENTIFIC = re.compile(r"[0-9]+(?:[.,][0-9]*)?[eE][+-]?[0-9]+")


@dataclass(frozen=True)
class FieldResult(Generic[T]):
    value: T | None
    findings: tuple[Finding, ...] = ()


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    try:
        return str(value).strip()
    except Exception:
        return ""


# --- name (rule 14) ------------------------------------------------------------------------

NAME_MAX = 60  # Permendagri 73/2022
_NAME_OK = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz .,'-\u2019")


def parse_name(value: object) -> FieldResult[str]:
    name = _text(value)
    if not name:
        return FieldResult(None, (error("name_empty", "name", "Nama kosong"),))
    findings = []
    if any(unicodedata.category(c) == "Nd" for c in name):
        findings.append(error("name_digits", "name", "Nama memuat angka; nama di KTP hanya huruf"))
    odd = sorted({c for c in name if c not in _NAME_OK and unicodedata.category(c) != "Nd"})
    if odd:
        shown = " ".join(_show_char(c) for c in odd[:5])
        findings.append(warning(
            "name_characters", "name", f"Nama memuat karakter selain huruf ({shown}); cocokkan dengan KTP",
        ))
    if len(name) > NAME_MAX:
        findings.append(warning(
            "name_too_long", "name", f"Nama {len(name)} karakter, nama di KTP paling panjang {NAME_MAX}",
        ))
    return FieldResult(name, tuple(findings))


def name_key(name: str | None) -> str:
    """Upper case, single spaces, typographic apostrophe as ``'``: for comparing names only."""
    return " ".join((name or "").replace("\u2019", "'").upper().split())


def _show_char(c: str) -> str:
    return c if c.isprintable() and not c.isspace() else f"U+{ord(c):04X}"


# --- sex -------------------------------------------------------------------------------------

_SEX_WORDS = {
    "L": "L", "LAKILAKI": "L", "LAKI": "L", "LAKI2": "L", "LELAKI": "L", "PRIA": "L", "MALE": "L",
    "P": "P", "PEREMPUAN": "P", "WANITA": "P", "W": "P", "FEMALE": "P",
}
SEX_LABELS = {"L": "LAKI-LAKI", "P": "PEREMPUAN"}


def sex_code(value: object) -> str | None:
    """"L" / "P" for any accepted spelling (LAKI-LAKI, Laki-laki, Pria, Wanita, ...), else None."""
    if not isinstance(value, str):
        return None
    return _SEX_WORDS.get(re.sub(r"[\s.\-]", "", value).upper())


def parse_sex(value: object) -> FieldResult[str]:
    if not _text(value):
        return FieldResult(None, (error("sex_empty", "sex", "Jenis kelamin kosong"),))
    code = sex_code(_text(value))
    if code is None:
        return FieldResult(None, (error(
            "sex_invalid", "sex", "Jenis kelamin tidak dikenali; isi LAKI-LAKI atau PEREMPUAN",
        ),))
    return FieldResult(code)


# --- date of birth -----------------------------------------------------------------------

_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[T ][0-9:.]*)?")
_DMY = re.compile(r"([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4})(?: [0-9:.]*)?")
_SERIAL_TEXT = re.compile(r"[0-9]{5}(?:[.,][0-9]+)?")  # serial as text: 1927-05-18 .. 2173
_MAX_SERIAL = 2958465  # 9999-12-31
_MAX_AGE = 120


def parse_birth_date(value: object, *, today: date | None = None) -> FieldResult[date]:
    """A date serial (days since 1899-12-30), ``dd/mm/yyyy`` (also d/m/yyyy, ``-`` or ``.``),
    ``yyyy-mm-dd``, or a ``date``."""
    if isinstance(value, datetime):
        return _check_birth_date(value.date(), today)
    if isinstance(value, date):
        return _check_birth_date(value, today)
    if is_number(value):
        return _from_serial(float(value), today)
    text = _text(value)
    if not text:
        return FieldResult(None, (error("birth_date_empty", "birth_date", "Tanggal lahir kosong"),))
    if m := _ISO.fullmatch(text):
        year, month, day = (int(g) for g in m.groups())
    elif m := _DMY.fullmatch(text):
        day, month, year = (int(g) for g in m.groups())
    elif _SERIAL_TEXT.fullmatch(text):
        return _from_serial(float(text.replace(",", ".")), today)
    else:
        return _unreadable_date()
    try:
        parsed = date(year, month, day)
    except ValueError:
        if not (1 <= month <= 12 and 1 <= day <= 31):
            return _unreadable_date()
        return FieldResult(None, (error(
            "birth_date_invalid", "birth_date",
            f"Tanggal lahir {format_date_id(year, month, day)} tidak ada di kalender",
        ),))
    return _check_birth_date(parsed, today)


def age_on(birth_date: date, today: date) -> int:
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def _from_serial(serial: float, today: date | None) -> FieldResult[date]:
    if not (math.isfinite(serial) and 1 <= serial <= _MAX_SERIAL):
        return _unreadable_date()
    return _check_birth_date(EPOCH.date() + timedelta(days=int(serial)), today)


def _unreadable_date() -> FieldResult[date]:
    return FieldResult(None, (error(
        "birth_date_format", "birth_date", "Tanggal lahir tidak terbaca; tulis dd/mm/yyyy",
    ),))


def _check_birth_date(birth: date, today: date | None) -> FieldResult[date]:
    if today is None:
        raise TypeError("a birth date is judged on the office's today (never the machine's)")
    if birth > today:
        return FieldResult(None, (error(
            "birth_date_future", "birth_date",
            f"Tanggal lahir {format_date_id(birth.year, birth.month, birth.day)} ada di masa depan",
        ),))
    age = age_on(birth, today)
    if age > _MAX_AGE:
        return FieldResult(birth, (warning(
            "birth_date_implausible", "birth_date", f"Tanggal lahir berarti umur {age} tahun; periksa",
        ),))
    return FieldResult(birth)


# --- phone -----------------------------------------------------------------------------------

_PHONE_SEPARATORS = re.compile(r"[\s().\-/]")


@dataclass(frozen=True)
class PhoneFacts:
    """What a phone-number plan says about one number."""

    e164: str  # +62812...
    region: str  # ISO country of the number, e.g. "ID"
    country_code: int  # 62
    mobile: bool  # a mobile (or fixed-or-mobile) number


class PhoneNumbers(Protocol):
    """The phone-number plan (adapters/phone.py, over the ``phonenumbers`` package)."""

    def classify(self, text: str, default_region: str) -> PhoneFacts | None:
        """The facts of a valid number, None when the text is no valid number."""
_PLAIN_TEXT_HINT = "format kolom No. HP sebagai Teks biasa"


def parse_phone(value: object, numbers: PhoneNumbers) -> FieldResult[str]:
    """Indonesian mobile number -> E.164 (``+628...``). Optional: blank is no finding.
    ``numbers`` is the phone-number plan (injected: core has no third-party code).

    A number the sheet coerced (``81234567890``, leading 0 lost) is read as ``0812...``
    with a warning; scientific notation lost digits and is an error.
    """
    if is_number(value) and not float(value).is_integer():
        return _bad_phone()
    text = _text(value)
    if not text:
        return FieldResult(None)
    if SCIENTIFIC.fullmatch(text):
        return FieldResult(None, (error(
            "phone_coerced", "phone",
            f"No. HP terbaca sebagai angka ilmiah, digit hilang; {_PLAIN_TEXT_HINT} lalu isi ulang",
        ),))
    if any(c.isalpha() for c in text):  # phonenumbers would read letters as a keypad
        return _bad_phone()
    compact = _PHONE_SEPARATORS.sub("", text)
    zero_lost = False
    if compact.isascii() and compact.isdecimal():
        if compact.startswith("62"):
            compact = "+" + compact
        elif compact.startswith("8") and 9 <= len(compact) <= 12:
            compact, zero_lost = "0" + compact, True
    facts = numbers.classify(compact, "ID")
    if facts is None:
        return _bad_phone()
    findings = []
    if any(not c.isascii() and unicodedata.category(c) == "Nd" for c in text):
        findings.append(warning(
            "phone_digits", "phone",
            "No. HP memuat angka bukan 0-9 biasa (mis. angka Arab atau lebar penuh); ketik ulang dengan angka 0-9",
        ))
    if zero_lost:
        findings.append(warning(
            "phone_leading_zero_lost", "phone",
            f"No. HP tanpa 0 di depan, dibaca 08...; {_PLAIN_TEXT_HINT}",
        ))
    if facts.region != "ID":
        findings.append(warning(
            "phone_foreign", "phone", f"No. HP bukan nomor Indonesia (+{facts.country_code}); pastikan bisa dihubungi",
        ))
    elif not facts.mobile:
        findings.append(warning("phone_not_mobile", "phone", "No. HP bukan nomor seluler; pastikan bisa dihubungi"))
    return FieldResult(facts.e164, tuple(findings))


def _bad_phone() -> FieldResult[str]:
    return FieldResult(None, (error("phone_invalid", "phone", "No. HP tidak valid; contoh 0812xxxxxxxx"),))


# --- email -----------------------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?!\.)(?!.*\.\.)[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}(?<!\.)"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})"
)


def parse_email(value: object) -> FieldResult[str]:
    """Syntax only; optional (blank is no finding). A bad address is a warning and is not used."""
    text = _text(value)
    if not text:
        return FieldResult(None)
    if len(text) > 254 or not _EMAIL.fullmatch(text):
        return FieldResult(None, (warning(
            "email_invalid", "email", "Email tidak valid, tidak dipakai untuk notifikasi; contoh nama@contoh.id",
        ),))
    return FieldResult(text)
