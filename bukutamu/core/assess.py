"""What a new visit's entry says about itself: the KTP rules and duplicates.

Returns the SOP event that opens the visit (daftar / ktp_salah / duplikat), the
one-line KTP summary for the sheet and notes. No NIK ever leaves this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bukutamu.core.register import RegisterRow, RegisterView

if TYPE_CHECKING:
    from bukutamu.core.plan import CycleContext


@dataclass(frozen=True)
class Decision:
    event: str  # "daftar" | "ktp_salah" | "duplikat"
    ktp_summary: str
    note: str = ""
    history_note: str = ""


def assess_new_visit(row: RegisterRow, register: RegisterView, submitted: datetime,
                     ctx: "CycleContext") -> Decision:
    return Decision("daftar", "")
