"""One guest's KTP entry checked as a whole: NIK plus the other fields.

``check_guest`` is what the poll cycle calls per row; ``KtpCheck.summary_line`` is the
one-line Indonesian text for the program-owned KTP-check column. ``other_visit_findings``
is rule 13 (same NIK, other visit, different name or birth date): the caller finds the
other visits by ``nik_hash`` and passes their name and birth date.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Iterable

from bukutamu.core.ktp import fields
from bukutamu.core.ktp.findings import Finding, errors_of, warning, warnings_of
from bukutamu.core.ktp.nik import NikResult, parse as parse_nik

SUMMARY_MAX = 200


class _NotAsked:
    """Default of a field the form does not ask: it is not checked (None = asked, left blank)."""

    def __repr__(self) -> str:
        return "NOT_ASKED"


NOT_ASKED = _NotAsked()


@dataclass(frozen=True)
class KtpCheck:
    nik_result: NikResult
    name: str | None  # as typed (trimmed); compare with fields.name_key
    sex: str | None  # "L" / "P"
    birth_date: date | None
    phone: str | None  # E.164
    email: str | None
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> tuple[Finding, ...]:
        return errors_of(self.findings)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return warnings_of(self.findings)

    @property
    def ok(self) -> bool:
        return not self.errors

    def plus(self, *more: Finding) -> KtpCheck:
        """The same check with more findings (e.g. rule 13 from ``other_visit_findings``)."""
        return dataclasses.replace(self, findings=self.findings + tuple(more))

    def summary_line(self) -> str:
        """``OK`` / ``PERINGATAN: ...`` / ``SALAH: ... | PERINGATAN: ...``, at most 200 characters."""
        parts = []
        if self.errors:
            parts.append("SALAH: " + "; ".join(f.message for f in self.errors))
        if self.warnings:
            parts.append("PERINGATAN: " + "; ".join(f.message for f in self.warnings))
        line = " | ".join(parts) or "OK"
        return line if len(line) <= SUMMARY_MAX else line[: SUMMARY_MAX - 1] + "…"


def check_guest(
    *,
    nik: object,
    name: object = NOT_ASKED,
    sex: object = NOT_ASKED,
    birth_date: object = NOT_ASKED,
    phone: object = NOT_ASKED,
    email: object = NOT_ASKED,
    today: date,
    phones: fields.PhoneNumbers | None = None,
) -> KtpCheck:
    """Check every field given. A field left at ``NOT_ASKED`` is skipped; ``None`` or ``""``
    is a blank answer (an error for name, sex and date of birth; phone and email are optional).
    The typed date of birth and sex decide the NIK's century and are compared with it.
    ``phones`` (the phone-number plan) is needed when the phone is asked."""
    if phone is not NOT_ASKED and phones is None:
        raise TypeError("check_guest needs phones (the phone-number plan) to check a phone")
    results = {
        "name": fields.parse_name(name) if name is not NOT_ASKED else None,
        "sex": fields.parse_sex(sex) if sex is not NOT_ASKED else None,
        "birth_date": fields.parse_birth_date(birth_date, today=today) if birth_date is not NOT_ASKED else None,
        "phone": fields.parse_phone(phone, phones) if phone is not NOT_ASKED else None,
        "email": fields.parse_email(email) if email is not NOT_ASKED else None,
    }
    value = {k: (r.value if r else None) for k, r in results.items()}
    nik_result = parse_nik(nik, typed_birth_date=value["birth_date"], typed_sex=value["sex"], today=today)
    findings = nik_result.findings + tuple(f for r in results.values() if r for f in r.findings)
    return KtpCheck(
        nik_result=nik_result,
        name=value["name"],
        sex=value["sex"],
        birth_date=value["birth_date"],
        phone=value["phone"],
        email=value["email"],
        findings=findings,
    )


def other_visit_findings(
    name: str | None, birth_date: date | None, others: Iterable[tuple[str | None, date | None]]
) -> tuple[Finding, ...]:
    """Rule 13: a warning when another visit with the same NIK has a different name or
    date of birth. ``others``: (name, birth date) of those visits; None parts are not compared."""
    key = fields.name_key(name)
    name_differs = birth_differs = False
    for other_name, other_birth in others:
        if key and other_name and fields.name_key(other_name) != key:
            name_differs = True
        if birth_date and other_birth and other_birth != birth_date:
            birth_differs = True
    if not (name_differs or birth_differs):
        return ()
    what = " dan ".join(w for w, on in (("nama", name_differs), ("tanggal lahir", birth_differs)) if on)
    return (warning(
        "nik_other_visit_differs", "nik",
        f"NIK sama dengan kunjungan lain dengan {what} berbeda; periksa fisik KTP",
    ),)
