"""The emails the workflow sends, built as plain data (OutgoingMail).

Every value that came from a guest is HTML-escaped; the NIK only ever appears
masked. Keys are (visit, kind, service cycle) so the journal sends each once and
the Message-ID is stable across a crash and resend.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bukutamu.core.links import make_token, prefill_url
from bukutamu.core.mail import MailKey, MailKind, OutgoingMail
from bukutamu.core.text import clean_line, clean_text

PURPOSE_RECEIVED, PURPOSE_DONE, PURPOSE_FEEDBACK = "diterima", "layanan_selesai", "umpan_balik"
ACTION_LABELS = {PURPOSE_RECEIVED: "Tamu Diterima", PURPOSE_DONE: "Layanan Selesai"}


@dataclass(frozen=True)
class VisitFacts:
    visit_id: str
    queue: str
    name: str
    institution: str
    purpose: str
    bidang: str
    nik_masked: str
    guest_email: str
    registered: datetime | None
    cycle: int  # service cycle (putaran layanan)
    guest_sex: str = ""  # as the form has it ("Laki-laki" / "Perempuan" / "")


def honorific(sex: str) -> str:
    """How a letter addresses the guest: Bapak, Ibu, or Bapak/Ibu when unknown."""
    s = (sex or "").strip().casefold()
    if s.startswith(("laki", "pria")) or s == "l":
        return "Bapak"
    if s.startswith(("perempuan", "wanita")) or s == "p":
        return "Ibu"
    return "Bapak/Ibu"


@dataclass(frozen=True)
class LinkConfig:
    """Pre-filled Google Form links (the [links] settings)."""

    officer_form_url: str = ""
    officer_entry_visit: str = ""
    officer_entry_token: str = ""
    officer_entry_action: str = ""
    feedback_form_url: str = ""
    feedback_entry_visit: str = ""
    feedback_entry_token: str = ""
    token_valid_hours: int = 48


def round_purpose(purpose: str, cycle: int) -> str:
    """The token purpose of a link sent in service round ``cycle``: a round-1 link
    cannot close round 2 (round 1 keeps the plain purpose, as links already sent say)."""
    return purpose if cycle <= 1 else f"{purpose}#{cycle}"


def officer_links(v: VisitFacts, cfg: LinkConfig, key: bytes, now: datetime) -> dict[str, str]:
    if not (cfg.officer_form_url and cfg.officer_entry_visit and cfg.officer_entry_token):
        return {}
    expires = now + timedelta(hours=cfg.token_valid_hours)
    out = {}
    for purpose, label in ACTION_LABELS.items():
        entries = {cfg.officer_entry_visit: v.visit_id,
                   cfg.officer_entry_token: make_token(v.visit_id, round_purpose(purpose, v.cycle), expires, key)}
        if cfg.officer_entry_action:
            entries[cfg.officer_entry_action] = label
        out[label] = prefill_url(cfg.officer_form_url, entries)
    return out


def feedback_link(v: VisitFacts, cfg: LinkConfig, key: bytes, now: datetime) -> str:
    if not (cfg.feedback_form_url and cfg.feedback_entry_visit and cfg.feedback_entry_token):
        return ""
    token = make_token(v.visit_id, round_purpose(PURPOSE_FEEDBACK, v.cycle),
                       now + timedelta(hours=cfg.token_valid_hours), key)
    return prefill_url(cfg.feedback_form_url, {cfg.feedback_entry_visit: v.visit_id,
                                               cfg.feedback_entry_token: token})


def _closing(office: str, contact: str) -> list[str]:
    lines = ["Hormat kami,", office or "Buku Tamu"]
    if contact:
        lines.append(f"Kontak helpdesk: {contact}")
    return lines


def _page(office: str, title: str, rows: list[tuple[str, str]], paragraphs: list[str],
          buttons: dict[str, str], greeting: str = "", contact: str = "") -> str:
    e = html.escape
    if greeting:
        paragraphs = [greeting] + paragraphs
    cells = "".join(
        f'<tr><td style="padding:4px 12px 4px 0;color:#555;vertical-align:top">{e(k)}</td>'
        f'<td style="padding:4px 0;font-weight:bold">{e(v)}</td></tr>' for k, v in rows)
    paras = "".join(f'<p style="margin:12px 0">{e(p)}</p>' for p in paragraphs)
    btns = "".join(
        f'<a href="{e(url, quote=True)}" style="display:inline-block;margin:8px 8px 0 0;padding:10px 16px;'
        f'background:#0b5394;color:#ffffff;text-decoration:none;border-radius:4px">{e(label)}</a>'
        for label, url in buttons.items())
    return (
        '<!DOCTYPE html><html lang="id"><body style="margin:0;padding:0;background:#f4f4f4">'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">'
        '<table role="presentation" width="600" cellpadding="16" cellspacing="0" '
        'style="background:#ffffff;font-family:Arial,sans-serif;font-size:14px;color:#222">'
        f'<tr><td><div style="font-size:12px;color:#777">{e(office)}</div>'
        f'<h2 style="margin:8px 0 12px 0;font-size:18px">{e(title)}</h2>'
        f'<table role="presentation" cellpadding="0" cellspacing="0">{cells}</table>{paras}'
        f'<div>{btns}</div>'
        f'<p style="margin:20px 0 0 0;color:#444">{"<br>".join(e(x) for x in _closing(office, contact))}</p>'
        '</td></tr></table></td></tr></table></body></html>')


def _text(title: str, rows: list[tuple[str, str]], paragraphs: list[str], buttons: dict[str, str],
          greeting: str = "", office: str = "", contact: str = "") -> str:
    lines = ([greeting, ""] if greeting else []) + [title, ""] + [f"{k}: {v}" for k, v in rows] + [""] + paragraphs
    lines += [f"{label}: {url}" for label, url in buttons.items()]
    lines += [""] + _closing(office, contact)
    return "\n".join(lines) + "\n"


def _mail(key: MailKey, to: tuple[str, ...], subject: str, office: str, title: str,
          rows: list[tuple[str, str]], paragraphs: list[str], buttons: dict[str, str],
          greeting: str = "", contact: str = "") -> OutgoingMail:
    # Guest text: no control/bidi characters; one line per field, paragraphs may keep line breaks.
    subject, title, greeting = clean_line(subject), clean_line(title), clean_line(greeting)
    rows = [(clean_line(k), clean_line(v)) for k, v in rows]
    paragraphs = [clean_text(p).strip() for p in paragraphs]
    return OutgoingMail(key=str(key), to=to, subject=subject,
                        html=_page(office, title, rows, paragraphs, buttons, greeting, contact),
                        text=_text(title, rows, paragraphs, buttons, greeting, office, contact))


def _visit_rows(v: VisitFacts) -> list[tuple[str, str]]:
    rows = [("No. Antrian", v.queue), ("Nama", v.name), ("Instansi", v.institution or "-"),
            ("Keperluan", v.purpose or "-"), ("Bidang", v.bidang or "-"), ("NIK", v.nik_masked or "-")]
    if v.registered:
        rows.append(("Waktu daftar", v.registered.strftime("%d/%m/%Y %H:%M")))
    rows.append(("ID Kunjungan", v.visit_id))
    return rows


def officer_notice(v: VisitFacts, to: str, office: str, links: dict[str, str],
                   guest_note: str = "", routing_note: str = "", attempt: int = 1, officer_name: str = "",
                   contact: str = "") -> OutgoingMail:
    """``routing_note`` says why this copy goes to a backup or the helpdesk (e.g. no
    officer for the bidang), so the reader knows to pass it on."""
    again = v.cycle > 1
    title = "Tamu kembali membutuhkan layanan Anda" if again else "Ada tamu untuk Anda"
    paras = [f"Perhatian: {routing_note}"] if routing_note else []
    if again:
        paras.append(f"Tamu menyatakan layanan belum cukup (putaran {v.cycle}).")
        if guest_note:
            paras.append(f"Catatan tamu: {guest_note}")
    paras.append("Identitas tamu sudah diverifikasi helpdesk. Silakan temui tamu di ruang pelayanan.")
    if links:
        paras.append("Tekan tombol di bawah saat tamu diterima dan saat layanan selesai.")
    else:
        paras.append("Sampaikan ke helpdesk saat tamu diterima dan saat layanan selesai.")
    what = f"Layanan ulang (putaran {v.cycle})" if again else "Tamu"
    subject = f"[Buku Tamu] {what} {v.queue}: {v.name} ({v.institution or '-'})"
    key = MailKey(v.visit_id, MailKind.OFFICER_NOTICE, v.cycle, attempt=attempt)
    greeting = f"Yth. Bapak/Ibu {officer_name}," if officer_name else "Yth. Bapak/Ibu Petugas,"
    return _mail(key, (to,), subject, office, title, _visit_rows(v), paras, links, greeting, contact)


def _guest_greeting(v: VisitFacts) -> str:
    return f"Yth. {honorific(v.guest_sex)} {v.name}," if v.name else "Yth. Bapak/Ibu,"


def guest_queue_mail(v: VisitFacts, office: str, contact: str = "") -> OutgoingMail:
    paras = ["Terima kasih telah mengisi buku tamu. Tunjukkan KTP asli Anda kepada helpdesk untuk "
             "verifikasi, lalu tunggu nomor antrian Anda dipanggil."]
    rows = [("No. Antrian", v.queue), ("Nama", v.name), ("Keperluan", v.purpose or "-")]
    return _mail(MailKey(v.visit_id, MailKind.GUEST_QUEUE), (v.guest_email,),
                 f"[Buku Tamu] Nomor antrian Anda {v.queue}", office, f"Nomor antrian Anda: {v.queue}",
                 rows, paras, {}, _guest_greeting(v), contact)


def guest_feedback_mail(v: VisitFacts, office: str, link: str, contact: str = "") -> OutgoingMail:
    paras = ["Layanan Anda telah selesai. Apakah layanan yang Anda terima sudah cukup? "
             "Mohon isi umpan balik singkat melalui tautan di bawah."]
    return _mail(MailKey(v.visit_id, MailKind.GUEST_FEEDBACK, v.cycle), (v.guest_email,),
                 f"[Buku Tamu] Umpan balik layanan {v.queue}", office, "Bagaimana layanan kami?",
                 [("No. Antrian", v.queue), ("Nama", v.name)], paras, {"Isi umpan balik": link},
                 _guest_greeting(v), contact)


def escalation_mail(v: VisitFacts, to: tuple[str, ...], office: str, step_name: str, step: int,
                    standard: float, over: float, officer: str, who: str = "", reach: str = "",
                    contact: str = "", due: datetime | None = None) -> OutgoingMail:
    """``due``: when the step's standard ran out (office time), so a digest sent later
    still says how late it is."""
    paras = [f"Langkah {step} ({step_name}) melewati standar {standard:g} menit kerja "
             f"sebesar {over:.0f} menit.", "Mohon segera ditindaklanjuti."]
    rows = _visit_rows(v) + [("Petugas", officer or "-")]
    if who:
        rows += [("Harus bertindak", who), ("Hubungi", reach or "-")]
    since = f"terlambat sejak {due:%H:%M}" if due else f"terlambat {over:.0f} mnt"
    summary = (f"{v.queue} ({v.visit_id}): langkah {step} {step_name} {since} "
               f"(standar {standard:g} mnt) — harus bertindak: {who or officer or '-'}"
               + (f", hubungi {reach}" if reach and reach != "-" else ""))
    mail = _mail(MailKey(v.visit_id, MailKind.ESCALATION, step=step), to,
                 f"[Buku Tamu] TERLAMBAT {v.queue}: {step_name} +{over:.0f} mnt", office,
                 "Peringatan SLA: langkah SOP terlambat", rows, paras, {}, "Yth. Tim Helpdesk dan Pimpinan,",
                 contact)
    return replace(mail, summary=summary)


def escalation_digest(items: list[OutgoingMail], office: str, contact: str = "") -> OutgoingMail:
    """Several escalations for the same recipients in one message: one line each,
    saying which visit and step, how late, who must act and how to reach them. Its key
    (and so its Message-ID) is derived from the items it carries."""
    keys = sorted(m.key for m in items)
    digest_id = hashlib.sha256("\n".join(keys).encode("utf-8")).hexdigest()[:16]
    lines = [m.summary or m.subject for m in items]
    paras = [f"{len(items)} langkah SOP melewati standar waktu sejak peringatan terakhir. Agar tidak "
             "membanjiri kotak masuk, peringatan keterlambatan dikirim paling banyak sekali per selang waktu; "
             "yang terjadi di antaranya digabung di sini.", *lines,
             "Mohon segera ditindaklanjuti."]
    return OutgoingMail(
        key=f"ringkasan-eskalasi/{digest_id}", to=items[0].to,
        subject=f"[Buku Tamu] Ringkasan keterlambatan SLA: {len(items)} langkah",
        html=_page(office, "Ringkasan keterlambatan SLA", [], paras, {}, "Yth. Tim Helpdesk dan Pimpinan,",
                   contact),
        text=_text("Ringkasan keterlambatan SLA", [], paras, {}, "Yth. Tim Helpdesk dan Pimpinan,", office,
                   contact))


def cell_budget_alert(key: str, to: str, office: str, line: str) -> OutgoingMail:
    """The admin's warning that the Google spreadsheet nears its 10 million cells."""
    paras = [f"Spreadsheet buku tamu: {line}.",
             "Di atas 10 juta sel Google menolak setiap penulisan dan buku tamu berhenti. Arsipkan kunjungan "
             "lama (tab Riwayat dan register) ke spreadsheet lain, atau mulai spreadsheet baru untuk tahun ini.",
             "Jalankan `bukutamu check` untuk angka terbaru."]
    title = "Spreadsheet buku tamu hampir penuh"
    return OutgoingMail(key=key, to=(to,), subject=f"[Buku Tamu] {title}",
                        html=_page(office, title, [], paras, {}, "Yth. Admin,"),
                        text=_text(title, [], paras, {}, "Yth. Admin,", office))
