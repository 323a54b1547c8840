"""What a visit's entry says about itself: the KTP rules and duplicates.

Decides the SOP event that opens a new visit (daftar / ktp_salah / duplikat), the
one-line KTP summary for the sheet and notes. NIKs are compared by keyed hash only;
no NIK ever leaves this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from bukutamu.core.ktp import (NOT_ASKED, KtpCheck, other_visit_findings,
                               parse_birth_date)
from bukutamu.core.ktp.fields import PhoneNumbers
from bukutamu.core.memo import KtpMemo
from bukutamu.core.queue import parse_visit_id
from bukutamu.core.register import RegisterRow, RegisterView

if TYPE_CHECKING:
    from bukutamu.core.context import CycleContext

CLOSED_FOR_DUPLICATES = {"SELESAI", "BATAL", "DUPLIKAT"}


@dataclass(frozen=True)
class Decision:
    event: str  # "daftar" | "ktp_salah" | "duplikat"
    ktp_summary: str
    note: str = ""
    history_note: str = ""


_FIELDS = ("nama", "jenis_kelamin", "tanggal_lahir", "telepon", "email")
_ALWAYS = {"nama", "telepon", "email"}  # checked even when blank (blank phone/email are fine)


def check_row(row: RegisterRow, register: RegisterView, today: date, memo: KtpMemo | None = None,
              phones: PhoneNumbers | None = None) -> KtpCheck:
    """The KTP rules on one row, with only the fields this form asks."""
    has = register.columns.has
    # Sex and date of birth left blank count as not asked: a Google Form enforces its
    # required questions, so a blank means the form (or a CSV import) did not ask.
    values = tuple(row.raw(k) if has(k) and (k in _ALWAYS or row.text(k)) else NOT_ASKED for k in _FIELDS)
    return (memo or KtpMemo(1, 1)).check(row.raw("nik"), values, today, phones)


@dataclass
class _Seen:
    visit_id: str
    day: date | None
    status: str
    row: RegisterRow

    def name_and_birth(self, today: date) -> tuple[str | None, date | None]:
        raw = self.row.raw("tanggal_lahir")
        birth = parse_birth_date(raw, today=today).value if raw else None
        return self.row.text("nama") or None, birth


@dataclass
class NikIndex:
    """Visits by keyed NIK hash, built once per cycle and extended as rows register."""

    key: bytes
    by_hash: dict[str, list[_Seen]] = field(default_factory=dict)
    memo: KtpMemo = field(default_factory=lambda: KtpMemo(1, 1))

    @classmethod
    def build(cls, register: RegisterView, key: bytes, memo: KtpMemo | None = None) -> "NikIndex":
        index = cls(key, memo=memo or KtpMemo(1, 1))
        for row in register.rows:
            if row.visit_id:
                index.add(row, row.visit_id, row.text("status"))
        return index

    def hash_of(self, row: RegisterRow, visit_id: str = "") -> str | None:
        raw = row.raw("nik")
        return self.memo.digest(visit_id or row.visit_id, raw, self.key) if isinstance(raw, str) else None

    def add(self, row: RegisterRow, visit_id: str, status: str) -> None:
        h = self.hash_of(row, visit_id)  # remembered under the visit ID, also the one intake just gave
        if h:
            parsed = parse_visit_id(visit_id)
            self.by_hash.setdefault(h, []).append(
                _Seen(visit_id, parsed[0] if parsed else None, status.upper(), row))

    def others(self, row: RegisterRow) -> list[_Seen]:
        h = self.hash_of(row)
        return list(self.by_hash.get(h, ())) if h else []


def assess_new_visit(row: RegisterRow, register: RegisterView, submitted: datetime, day: date,
                     ctx: "CycleContext", index: NikIndex) -> Decision:
    check = check_row(row, register, submitted.astimezone(ctx.tz).date(), ctx.memo, ctx.phones)
    others = index.others(row)
    check = check.plus(*other_visit_findings(check.name, check.birth_date,
                                              [o.name_and_birth(submitted.astimezone(ctx.tz).date()) for o in others]))
    summary = check.summary_line()
    if check.errors:
        return Decision("ktp_salah", summary, "Data KTP salah: perbaiki baris ini, lalu pilih Verifikasi KTP = Sesuai.",
                        f"{len(check.errors)} galat KTP: " + ", ".join(f.code for f in check.errors))
    same_day = [o for o in others if o.day == day and o.status not in CLOSED_FOR_DUPLICATES]
    if same_day:
        first = same_day[0].visit_id
        return Decision("duplikat", summary, f"Duplikat: NIK yang sama sudah terdaftar hari ini ({first}).",
                        f"duplikat dari {first}")
    return Decision("daftar", summary, "", "")
