"""Findings: what a check found, as data the sheet, the CLI and the engine all read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal

Severity = Literal["error", "warning"]
ERROR: Severity = "error"
WARNING: Severity = "warning"


@dataclass(frozen=True)
class Finding:
    """One problem with one field.

    ``code`` is stable snake_case (for programs and tests); ``message`` is short
    Indonesian naming the field (for people) and never holds the full NIK.
    """

    severity: Severity
    code: str
    field: str  # "nik", "name", "sex", "birth_date", "phone", "email"
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


def error(code: str, field: str, message: str) -> Finding:
    return Finding(ERROR, code, field, message)


def warning(code: str, field: str, message: str) -> Finding:
    return Finding(WARNING, code, field, message)


def errors_of(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    return tuple(f for f in findings if f.severity == ERROR)


def warnings_of(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    return tuple(f for f in findings if f.severity == WARNING)


MONTHS_ID = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)


def format_date_id(year: int, month: int, day: int) -> str:
    """``29 Februari 2001`` — also for dates that do not exist (the message says so)."""
    return f"{day} {MONTHS_ID[month - 1]} {year}"


# Error codes -> the short label a manager reads in the weekly report (one per code; a test
# checks every error code has one).
ERROR_LABELS = {
    "nik_empty": "NIK kosong", "nik_length": "NIK tidak 16 angka", "nik_characters": "NIK berisi selain angka",
    "nik_non_ascii_digits": "NIK berisi angka non-latin", "nik_coerced": "NIK terubah jadi angka oleh sheet",
    "nik_province_unknown": "Kode provinsi NIK tidak dikenal", "nik_regency_zero": "Kode kabupaten/kota NIK 00",
    "nik_district_zero": "Kode kecamatan NIK 00", "nik_day_range": "Tanggal lahir di NIK di luar rentang",
    "nik_month_range": "Bulan lahir di NIK di luar rentang", "nik_date_invalid": "Tanggal lahir di NIK tidak ada",
    "nik_birth_date_future": "Tanggal lahir di NIK di masa depan", "nik_serial_zero": "Nomor urut NIK 0000",
    "name_empty": "Nama kosong", "name_digits": "Nama berisi angka", "sex_empty": "Jenis kelamin kosong",
    "sex_invalid": "Jenis kelamin tidak dikenali", "birth_date_empty": "Tanggal lahir kosong",
    "birth_date_invalid": "Tanggal lahir tidak ada", "birth_date_format": "Tanggal lahir tidak terbaca",
    "birth_date_future": "Tanggal lahir di masa depan", "phone_invalid": "No. HP tidak valid",
    "phone_coerced": "No. HP terubah jadi angka oleh sheet",
}
