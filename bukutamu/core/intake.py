"""Intake: a new form row becomes a registered visit.

Each new row gets a visit ID, a queue number (daily, in submission order), the
status MENUNGGU VERIFIKASI (or PERLU PERBAIKAN / DUPLIKAT after the KTP check), a
row guard, and a history row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Mapping

from bukutamu.core.fingerprint import fingerprint
from bukutamu.core.cells import datetime_to_serial, local_date, plausible_moment
from bukutamu.core.queue import counter_key, highest_issued, queue_label, visit_id
from bukutamu.core.register import RegisterRow, RegisterView, row_guard  # noqa: F401 - row_guard re-exported
from bukutamu.core.assess import NikIndex, assess_new_visit
from bukutamu.core.notices import guest_queue_mail
from bukutamu.core.schema import history_row
from bukutamu.core.workflow import visit_facts

if TYPE_CHECKING:
    from bukutamu.core.changes import Changes
    from bukutamu.core.context import CycleContext

SOURCE_FORM, SOURCE_HELPDESK, SOURCE_SYSTEM = "formulir", "helpdesk", "sistem"


@dataclass
class IntakeResult:
    new_visits: int = 0
    visit_ids: set[str] = field(default_factory=set)
    mails: list = field(default_factory=list)
    log: list[str] = field(default_factory=list)


def plan_intake(register: RegisterView, changes: "Changes", now: datetime, ctx: "CycleContext",
                system: Mapping[str, object]) -> IntakeResult:
    result = IntakeResult()
    sheet_tz = ctx.sheet_tz or ctx.tz
    candidates: list[tuple[datetime, int, RegisterRow, str]] = []
    unreadable: set = set()
    for row in register.rows:
        if row.visit_id or row.is_blank():
            continue
        submitted = row.moment("timestamp", sheet_tz)
        if submitted is not None and not plausible_moment(submitted, now):
            submitted = None  # a number typed into the timestamp cell: 1899, year 9999 …
        if submitted is None and row.text("timestamp"):
            unreadable.add(row.ref)
        if submitted is not None:
            candidates.append((submitted, row.position, row, SOURCE_FORM))
        elif row.text("nik") and row.text("nama"):
            # Typed in by the helpdesk (walk-in without the form): timed when first seen.
            candidates.append((now, row.position, row, SOURCE_HELPDESK))
        else:
            changes.set(row, "catatan", "Baris belum lengkap: isi Stempel waktu (atau NIK dan Nama) "
                                        "agar tamu terdaftar.")
    if not candidates:
        return result

    top = highest_issued((r.visit_id for r in register.rows), system)
    index = NikIndex.build(register, ctx.nik_key, ctx.memo)
    candidates.sort(key=lambda c: (c[0], c[1]))
    for submitted, _, row, source in candidates:
        day = local_date(submitted, ctx.tz)
        number = top.get(day, 0) + 1
        top[day] = number
        vid = visit_id(day, ctx.queue_prefix, number)
        label = queue_label(ctx.queue_prefix, number)
        decision = assess_new_visit(row, register, submitted, day, ctx, index)
        transition = ctx.sop.find(decision.event, None)
        status = ctx.sop.label(transition.target)
        index.add(row, vid, status)
        serial = datetime_to_serial(submitted, sheet_tz)
        changes.set(row, "visit_id", vid)
        changes.set(row, "antrian", label)
        changes.set(row, "status", status)
        changes.set(row, "kunci", row_guard(row) or vid)
        changes.set(row, "waktu_daftar", serial)
        changes.set(row, "putaran", 1)
        changes.set(row, "cek_ktp", decision.ktp_summary)
        changes.set(row, "sidik", fingerprint(row.raw, register.columns.has, ctx.nik_key))
        note = decision.note
        if source == SOURCE_HELPDESK:
            why = ("Stempel waktu tidak terbaca atau di luar rentang wajar; dicatat saat terlihat"
                   if row.ref in unreadable else "Dicatat manual (tanpa stempel waktu formulir)")
            note = "; ".join(filter(None, [why, note]))
        changes.set(row, "catatan", note)
        changes.append(ctx.history_tab, history_row(
            visit_id=vid, antrian=label, langkah=transition.step, dari="", ke=status, waktu=serial,
            sumber=source, siklus=1, petugas="", bidang=row.text("bidang"),
            keterangan=decision.history_note))
        changes.system[counter_key(day)] = number
        result.new_visits += 1
        result.visit_ids.add(vid)
        if transition.target != "DUPLIKAT":
            v = visit_facts(row, changes, sheet_tz)
            if v.guest_email:
                result.mails.append(guest_queue_mail(v, ctx.office_name, ctx.helpdesk_email))
    result.log.append(f"{result.new_visits} kunjungan baru terdaftar")
    return result
