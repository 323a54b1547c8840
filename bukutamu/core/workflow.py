"""The SOP workflow for registered visits: helpdesk inputs, link confirmations and
sent notices become state transitions; states decide which emails are due; the
step clocks decide escalations. Pure: everything arrives as data.

Event times: a helpdesk edit is timed by the cycle that first sees it (``now``);
link-form rows by their own form timestamps; an officer notice by the moment the
journal recorded it as sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Iterable, Mapping

from bukutamu.core.assess import NikIndex, check_row
from bukutamu.core.cells import datetime_to_serial, parse_datetime, text
from bukutamu.core.fingerprint import changed_fields, fingerprint
from bukutamu.core.helpdesk import (APPLIED, BRIDGES, REFUSED, UNKNOWN, action_marker, allows, is_new_action,
                                    refusal)
from bukutamu.core.ktp import mask_nik, other_visit_findings
from bukutamu.core.linkforms import PROCESSED_OK, LinkEvent, Rejection
from bukutamu.core.mail import MailKey, MailKind, OutgoingMail
from bukutamu.core.notices import (VisitFacts, escalation_mail, feedback_link, guest_feedback_mail,
                                   officer_links, officer_notice)
from bukutamu.core.officers import Officer, assign
from bukutamu.core.register import RegisterRow, RegisterView
from bukutamu.core.schema import history_row
from bukutamu.core.sheet import CellUpdate
from bukutamu.core.text import cell_text

if TYPE_CHECKING:
    from bukutamu.core.changes import Changes
    from bukutamu.core.context import CycleContext

SOURCE_HELPDESK, SOURCE_SYSTEM = "helpdesk", "sistem"
ESCALATING_ACTORS = {"helpdesk", "petugas"}


@dataclass(frozen=True)
class MailFacts:
    """What the journal knows, handed to the pure plan."""

    known: frozenset[str] = frozenset()  # every key recorded (pending, sent or failed)
    sent: Mapping[str, datetime] = field(default_factory=dict)  # sent, not yet shown in the sheet
    failed: Mapping[str, str] = field(default_factory=dict)  # given up for good, not yet shown
    # Every officer notice given up for good -> its recipients: a corrected address
    # in the Petugas tab gets a new notice, the same address does not.
    failed_to: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Event:
    name: str
    at: datetime
    source: str
    label: str  # what a person would call it, for refusal notes
    guest_note: str = ""
    link: LinkEvent | None = None
    consumes: str = ""  # "verifikasi" | "aksi": mark the helpdesk input as processed
    value: str = ""
    mail_key: str = ""  # a sent notice being reflected


@dataclass
class WorkflowResult:
    transitions: int = 0
    mails: list[OutgoingMail] = field(default_factory=list)
    reflected: list[str] = field(default_factory=list)  # journal keys now shown in the sheet
    log: list[str] = field(default_factory=list)


def visit_facts(row: RegisterRow, changes: "Changes", tz) -> VisitFacts:
    # The visit ID as planned this cycle: at intake it is not in the row yet.
    return VisitFacts(
        visit_id=text(changes.current(row, "visit_id")), queue=text(changes.current(row, "antrian")), name=row.text("nama"),
        institution=row.text("instansi"), purpose=row.text("keperluan"), bidang=row.text("bidang"),
        nik_masked=mask_nik(row.raw("nik")), guest_email=row.text("email") if "@" in row.text("email") else "",
        registered=parse_datetime(changes.current(row, "waktu_daftar"), tz),
        cycle=int(float(text(changes.current(row, "putaran")) or 1)), guest_sex=row.text("jenis_kelamin"))


def running_step(ctx: "CycleContext", state: str) -> int | None:
    steps = [t.step for t in ctx.sop.transitions
             if t.sources and state in t.sources and t.step is not None and t.event != "batal"]
    return min(steps) if steps else None


def plan_workflow(register: RegisterView, changes: "Changes", now: datetime, ctx: "CycleContext",
                  officers: list[Officer], link_events: Iterable[LinkEvent], rejections: Iterable[Rejection],
                  facts: MailFacts, skip: set[str]) -> WorkflowResult:
    result = WorkflowResult()
    sheet_tz = ctx.sheet_tz or ctx.tz
    by_visit: dict[str, list[LinkEvent]] = {}
    for ev in link_events:
        by_visit.setdefault(ev.visit_id, []).append(ev)
    for r in rejections:
        changes.other.append(CellUpdate(r.tab, r.ref, r.processed_header, r.reason))
        result.log.append(f"Baris tab {r.tab} ditolak: {r.reason}")

    closed = {s.label for s in ctx.sop.states.values() if not s.open}
    index: NikIndex | None = None  # built on first need: most cycles re-check no entry
    for row in register.rows:
        vid = row.visit_id
        if not vid or vid in skip:
            continue
        if (row.text("status") in closed and vid not in by_visit
                and not is_new_action(row.text("aksi"), row.text("aksi_terproses"))):
            continue  # a finished visit with nothing new: the common case, kept cheap
        notes: list[str] = []
        state = ctx.sop.state_by_label(text(changes.current(row, "status")))
        problem = changes.row_key_problem(row)
        if problem:
            changes.set(row, "catatan", problem)
            result.log.append(f"{vid}: penjaga baris tidak cocok, baris dilewati")
            _reject_links(changes, by_visit.pop(vid, []), "baris kunjungan perlu diperiksa helpdesk")
            continue
        if state is None:
            changes.set(row, "catatan", f"Status \"{row.text('status')}\" tidak dikenal; kembalikan status yang "
                                        "ditulis program (lihat tab Riwayat).")
            _reject_links(changes, by_visit.pop(vid, []), "status kunjungan tidak dikenal")
            continue

        if state.open:
            _log_corrections(row, changes, ctx, now, sheet_tz)
        check = None
        if state.code in ("MENUNGGU_VERIFIKASI", "PERLU_PERBAIKAN"):
            check = check_row(row, register, now.astimezone(ctx.tz).date(), ctx.memo, ctx.phones)
            # Rule 13 again after a correction: the NIK may now be another visit's.
            index = index or NikIndex.build(register, ctx.nik_key, ctx.memo)
            others = [o.name_and_birth(now.astimezone(ctx.tz).date()) for o in index.others(row) if o.visit_id != vid]
            check = check.plus(*other_visit_findings(check.name, check.birth_date, others))
            changes.set(row, "cek_ktp", check.summary_line())

        events = _events_for(row, changes, now, ctx, facts, by_visit.pop(vid, []), state.code)
        for ev in sorted(events, key=lambda e: e.at):
            current = ctx.sop.state_by_label(text(changes.current(row, "status")))
            if ev.name == "sesuai" and check is not None and check.errors:
                notes.append("Verifikasi \"Sesuai\" belum diterapkan: data KTP masih salah (lihat Cek KTP).")
                continue  # not consumed: applies once the data is corrected
            transition = ctx.sop.find(ev.name, current.code)
            if ev.consumes == "verifikasi":
                changes.set(row, "verifikasi_terproses", ev.value)
            bridge = BRIDGES.get((ev.name, current.code)) if ev.source == SOURCE_HELPDESK else None
            if transition is None and bridge and ctx.sop.find(bridge, current.code):
                _apply(row, changes, ctx, ctx.sop.find(bridge, current.code),
                       _Event(bridge, ev.at, SOURCE_HELPDESK, "petugas dihubungi langsung oleh helpdesk"),
                       current.label, sheet_tz)
                result.transitions += 1
                current = ctx.sop.state_by_label(text(changes.current(row, "status")))
                transition = ctx.sop.find(ev.name, current.code)
            if transition is None and ev.mail_key:
                result.reflected.append(ev.mail_key)  # the visit moved on without waiting for the email
                continue
            if transition is None:
                if ev.consumes == "aksi":
                    msg = refusal(ctx.sop, ev.value, current.code)
                    changes.set(row, "aksi_terproses", action_marker(ev.value, REFUSED, ev.at.astimezone(ctx.tz)))
                else:
                    msg = f"\"{ev.label}\" ditolak: tidak berlaku saat status {current.label}."
                notes.append(msg)
                if ev.link:
                    changes.other.append(CellUpdate(ev.link.tab, ev.link.ref, ev.link.processed_header,
                                                     f"DITOLAK: tidak berlaku saat status {current.label}"))
                continue
            _apply(row, changes, ctx, transition, ev, current.label, sheet_tz)
            result.transitions += 1
            if ev.consumes == "aksi":
                changes.set(row, "aksi_terproses", action_marker(ev.value, APPLIED, ev.at.astimezone(ctx.tz)))
            if ev.mail_key:
                result.reflected.append(ev.mail_key)
            if ev.link:
                changes.other.append(CellUpdate(ev.link.tab, ev.link.ref, ev.link.processed_header,
                                                 f"{PROCESSED_OK}: {transition.event}"))
            if ev.name == "tidak_cukup":
                mail = _officer_mail(row, changes, ctx, officers, now, facts, notes, ev.guest_note)
                if mail:
                    result.mails.append(mail)

        state = ctx.sop.state_by_label(text(changes.current(row, "status")))
        cycle = int(float(text(changes.current(row, "putaran")) or 1))
        for kind, rnd in ((MailKind.GUEST_QUEUE, 1), (MailKind.GUEST_FEEDBACK, cycle)):
            key = str(MailKey(vid, kind, rnd))
            if key in facts.failed:
                notes.append(f"Email ke tamu gagal permanen: {facts.failed[key]} Periksa alamat email tamu.")
                result.reflected.append(key)
        # Officer notices given up for good are explained on the row for as long as the
        # visit waits (see _officer_mail); here they are only marked as seen.
        result.reflected += [k for k in _officer_keys(vid, cycle, facts) if k in facts.failed]
        result.mails += _due_mails(row, changes, ctx, officers, now, facts, notes, state.code)
        esc = _escalation(row, changes, ctx, now, facts, state.code, sheet_tz, officers)
        if esc:
            result.mails.append(esc)
        if notes:
            changes.set(row, "catatan", " ".join(dict.fromkeys(notes)))
    # Link rows of visits registered this very cycle stay unmarked and are read again next cycle.
    return result


def _log_corrections(row: RegisterRow, changes: "Changes", ctx: "CycleContext", now: datetime, sheet_tz) -> None:
    """A guest answer changed since the last cycle (a correction, from any front end):
    one Riwayat row per column, no step and no change of status, timed by this cycle."""
    if not changes.register.columns.has("sidik"):
        return  # an older register without the column: nothing to compare with
    current = fingerprint(row.raw, changes.register.columns.has, ctx.nik_key)
    before = row.text("sidik")
    if before == current:
        return
    status = text(changes.current(row, "status"))
    cycle = int(float(text(changes.current(row, "putaran")) or 1))
    for key in changed_fields(before, current):
        changes.append(ctx.history_tab, history_row(
            visit_id=row.visit_id, antrian=text(changes.current(row, "antrian")), langkah="", dari=status,
            ke=status, waktu=datetime_to_serial(now, sheet_tz), sumber=SOURCE_HELPDESK, siklus=cycle,
            petugas=text(changes.current(row, "petugas")), bidang=row.text("bidang"),
            keterangan=f"koreksi data tamu: {changes.register.columns.header[key]}"))
    changes.set(row, "sidik", current)


def _reject_links(changes: "Changes", events: list[LinkEvent], reason: str) -> None:
    for ev in events:
        changes.other.append(CellUpdate(ev.tab, ev.ref, ev.processed_header, f"DITOLAK: {reason}"))


def _events_for(row: RegisterRow, changes: "Changes", now: datetime, ctx: "CycleContext", facts: MailFacts,
                links: list[LinkEvent], state: str) -> list[_Event]:
    events: list[_Event] = []
    verify = row.text("verifikasi")
    if verify and cell_text(verify) != text(changes.current(row, "verifikasi_terproses")):
        name = ctx.sop.verification.get(verify)
        if name:
            events.append(_Event(name, now, SOURCE_HELPDESK, f"Verifikasi KTP: {verify}",
                                 consumes="verifikasi", value=verify))
        else:
            changes.set(row, "verifikasi_terproses", verify)
            changes.set(row, "catatan", f"Nilai Verifikasi KTP \"{verify}\" tidak dikenal; pilih dari dropdown.")
    action, marker = row.text("aksi"), text(changes.current(row, "aksi_terproses"))
    if not action and marker:
        changes.set(row, "aksi_terproses", "")  # the helpdesk emptied the cell: the same action may come again
    elif action and state in ctx.sop.states and ctx.sop.states[state].open and allows(ctx.sop, action, state) \
            and not is_new_action(action, marker):
        changes.set(row, "catatan", f'Aksi "{action}" di sel sudah diproses sebelumnya ({marker}). Untuk '
                                    "memberikannya lagi: kosongkan sel Aksi Helpdesk, tunggu sampai kolom "
                                    "[Sistem] Aksi Terproses kosong, lalu pilih lagi.")
    elif is_new_action(action, marker):
        name = ctx.sop.actions.get(action)
        if name:
            events.append(_Event(name, now, SOURCE_HELPDESK, action, guest_note=row.text("catatan_helpdesk"),
                                 consumes="aksi", value=action))
        else:
            changes.set(row, "aksi_terproses", action_marker(action, UNKNOWN, now.astimezone(ctx.tz)))
            changes.set(row, "catatan", refusal(ctx.sop, action, state))
    for ev in links:
        events.append(_Event(ev.event, ev.at, ev.source, ctx.sop.event_label(ev.event), guest_note=ev.guest_note,
                             link=ev))
    cycle = int(float(text(changes.current(row, "putaran")) or 1))
    for key in _officer_keys(row.visit_id, cycle, facts):
        if key in facts.sent:  # applied while TERVERIFIKASI; otherwise only marked as seen
            events.append(_Event("petugas_dihubungi", facts.sent[key], SOURCE_SYSTEM, "Email petugas terkirim",
                                 mail_key=key))
    return events


def _officer_keys(visit_id: str, cycle: int, facts: MailFacts) -> list[str]:
    """The journal keys of this round's officer notice: the first, and one more per
    resend to a corrected address."""
    key, out = MailKey(visit_id, MailKind.OFFICER_NOTICE, cycle), []
    while str(key) in facts.known:
        out.append(str(key))
        key = key.retry_to_new_address()
    return out


def _apply(row: RegisterRow, changes: "Changes", ctx: "CycleContext", transition, ev: _Event,
           from_label: str, sheet_tz) -> None:
    to_label = ctx.sop.label(transition.target)
    serial = datetime_to_serial(ev.at, sheet_tz)
    cycle = int(float(text(changes.current(row, "putaran")) or 1))
    if transition.event == "tidak_cukup":
        cycle += 1
        changes.set(row, "putaran", cycle)
    changes.set(row, "status", to_label)
    column = ctx.sop.steps[transition.step].time_column if transition.step in ctx.sop.steps else ""
    if column:
        changes.set(row, column, serial)
    changes.append(ctx.history_tab, history_row(
        visit_id=row.visit_id, antrian=text(changes.current(row, "antrian")), langkah=transition.step or "",
        dari=from_label, ke=to_label, waktu=serial, sumber=ev.source, siklus=cycle,
        petugas=text(changes.current(row, "petugas")), bidang=row.text("bidang"),
        keterangan=ev.label if ev.source != SOURCE_SYSTEM else "email petugas terkirim"))


def _officer_mail(row, changes, ctx, officers, now, facts, notes, guest_note="") -> OutgoingMail | None:
    facts_v = visit_facts(row, changes, ctx.sheet_tz or ctx.tz)
    sent = _officer_keys(facts_v.visit_id, facts_v.cycle, facts)
    if sent and sent[-1] not in facts.failed_to:
        return None  # pending or sent
    who = assign(officers, row.text("bidang"), row.text("petugas_dituju"), ctx.helpdesk_email)
    if sent:
        failed_to = {a.casefold() for a in facts.failed_to[sent[-1]]}
        if who.email is None or who.email.casefold() in failed_to:
            notes.append("Email ke petugas gagal permanen (alamat ditolak server). Perbaiki alamat di tab "
                         "Petugas — email dikirim ulang otomatis — atau hubungi petugas langsung lalu pilih "
                         "Aksi \"Tamu Diterima\".")
            return None
        notes.append("Alamat petugas diperbaiki: email dikirim ulang.")
    changes.set(row, "petugas", who.label)
    if who.note:
        notes.append(who.note)
    if who.email is None:
        return None
    links = officer_links(facts_v, ctx.links, ctx.nik_key, now)
    key = MailKey(facts_v.visit_id, MailKind.OFFICER_NOTICE, facts_v.cycle, attempt=len(sent) + 1)
    return officer_notice(facts_v, who.email, ctx.office_name, links,
                          guest_note or row.text("catatan_helpdesk"),
                          routing_note=who.note, attempt=key.attempt,
                          officer_name="" if who.note else who.officer_name,  # a backup is not the officer
                          contact=ctx.helpdesk_email)


def _due_mails(row, changes, ctx, officers, now, facts, notes, state: str) -> list[OutgoingMail]:
    out = []
    cycle = int(float(text(changes.current(row, "putaran")) or 1))
    if state == "TERVERIFIKASI" or (state == "DILAYANI" and cycle > 1):
        mail = _officer_mail(row, changes, ctx, officers, now, facts, notes)
        if mail:
            out.append(mail)
    if state == "MENUNGGU_UMPAN_BALIK":
        v = visit_facts(row, changes, ctx.sheet_tz or ctx.tz)
        link = feedback_link(v, ctx.links, ctx.nik_key, now)
        key = str(MailKey(v.visit_id, MailKind.GUEST_FEEDBACK, v.cycle))
        if v.guest_email and link and key not in facts.known:
            out.append(guest_feedback_mail(v, ctx.office_name, link, ctx.helpdesk_email))
    return out


def _escalation(row, changes, ctx, now, facts, state: str, sheet_tz, officers=()) -> OutgoingMail | None:
    if ctx.calendar is None:
        return None
    step_no = running_step(ctx, state)
    step = ctx.sop.steps.get(step_no) if step_no else None
    if step is None or step.standard_minutes is None or step.guest_time:
        return None
    actor = step.actor.strip().lower()
    if actor not in ESCALATING_ACTORS:
        return None
    marker = f"langkah {step.number}"
    if marker in text(changes.current(row, "sla")):
        return None
    times = [parse_datetime(changes.current(row, c), sheet_tz) for c in ctx.sop.time_columns().values()]
    times = [t for t in times if t is not None]
    if not times:
        return None
    started = max(times)
    spent = ctx.calendar.office_minutes(started, now)
    if spent <= step.standard_minutes:
        return None
    over = spent - step.standard_minutes
    changes.set(row, "sla", f"TERLAMBAT {marker} ({step.name}) +{over:.0f} mnt")
    key = MailKey(row.visit_id, MailKind.ESCALATION, step=step.number)
    if str(key) in facts.known:
        return None
    to = tuple(dict.fromkeys(a for a in (ctx.helpdesk_email, ctx.supervisor_email) if a))
    v = visit_facts(row, changes, sheet_tz)
    who, reach = _who_must_act(row, changes, ctx, officers, actor)
    mail = escalation_mail(v, to, ctx.office_name, step.name, step.number, step.standard_minutes, over,
                           text(changes.current(row, "petugas")), who=who, reach=reach, contact=ctx.helpdesk_email,
                           due=(now - timedelta(minutes=over)).astimezone(ctx.tz))
    # Every escalation joins the recipients' digest: the first after a quiet window goes at
    # once on its own, later ones within the window travel together (adapters/delivery.py).
    return replace(mail, digest="eskalasi")


def _who_must_act(row, changes, ctx, officers, actor: str) -> tuple[str, str]:
    """(who must act, how to reach them) for an escalation, in Indonesian."""
    if actor != "petugas":
        return "Helpdesk", ctx.helpdesk_email or "-"
    who = assign(list(officers), row.text("bidang"), row.text("petugas_dituju"), ctx.helpdesk_email)
    if who.note:  # inactive officer or none: the backup or the helpdesk acts
        return f"{who.label}", who.email or "-"
    name = who.officer_name or text(changes.current(row, "petugas")) or "petugas"
    officer = next((o for o in officers if o.name == who.officer_name), None)
    reach = [a for a in ((officer.email if officer else who.email),
                         f"cadangan {officer.backup}" if officer and officer.backup else "") if a]
    return f"Petugas {name}", "; ".join(reach) or "-"
