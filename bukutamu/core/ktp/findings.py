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
