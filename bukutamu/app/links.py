"""The local pages behind the email links (embedded mode) and the guest's own status
page (the QR code on the kiosk ticket).

The pages verify the same signed, expiring, round-bound tokens as the Google Form
path and, on a click, append the same Konfirmasi / Umpan Balik rows a Google Form
would (timestamp + answers): the engine applies them exactly as it applies the
forms' rows, including refusing a token that was already used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Mapping

from bukutamu.core.cells import datetime_to_serial, text
from bukutamu.core.ktp.mask import mask_name
from bukutamu.core.links import REASON_MESSAGES, WRONG_TARGET, make_token, token_id, verify_token
from bukutamu.core.linkforms import CONFIRM_COLUMNS, FEEDBACK_COLUMNS, PROCESSED_OK, SKM_ELEMENTS
from bukutamu.core.notices import ACTION_LABELS, PURPOSE_FEEDBACK, round_purpose
from bukutamu.core.queue import parse_visit_id
from bukutamu.core.register import RegisterRow, read_register
from bukutamu.core.schema import resolve_columns

PURPOSE_STATUS = "status"
YES, NO = "Ya, sudah cukup", "Belum cukup"
SKM_CHOICES = ((1, "Tidak baik"), (2, "Kurang baik"), (3, "Baik"), (4, "Sangat baik"))
WAITING = ("MENUNGGU VERIFIKASI", "PERLU PERBAIKAN", "TERVERIFIKASI", "PETUGAS DIHUBUNGI")


@dataclass(frozen=True)
class LinkView:
    ok: bool
    reason: str  # Indonesian, when not ok
    visit_id: str = ""
    queue: str = ""
    name_masked: str = ""
    institution: str = ""
    purpose_text: str = ""
    bidang: str = ""
    status: str = ""
    cycle: int = 1


def _row(store, settings, visit_id: str) -> RegisterRow | None:
    tab = store.read([settings.tabs.register]).tab(settings.tabs.register)
    if tab is None:
        return None
    return read_register(tab, settings.columns).by_visit().get(visit_id)


def _cycle(row: RegisterRow) -> int:
    try:
        return max(1, int(float(row.text("putaran") or 1)))
    except ValueError:
        return 1


def _used(store, tab_name: str, token: str) -> bool:
    """Whether a row with this token is already in the tab, accepted or still waiting
    for the engine (a token is single-use)."""
    tab = store.read([tab_name]).tab(tab_name)
    if tab is None:
        return False
    ix = resolve_columns(tab.name, tab.header, tab_columns(tab)).index
    tid = token_id(token)
    for r in tab.rows:
        done = text(r.get(ix["diproses"]))
        if token_id(text(r.get(ix["token"]))) == tid and (not done or done.startswith(PROCESSED_OK)):
            return True
    return False


def tab_columns(tab):
    return CONFIRM_COLUMNS if any(str(h).strip() == "Aksi" for h in tab.header) else FEEDBACK_COLUMNS


# The status a visit must be in for each link to mean something now.
APPLIES = {"diterima": ("TERVERIFIKASI", "PETUGAS DIHUBUNGI"), "layanan_selesai": ("DILAYANI",),
           PURPOSE_FEEDBACK: ("MENUNGGU UMPAN BALIK",)}


def check_link(store, settings, key: bytes, visit_id: str, purpose: str, token: str, now: datetime) -> LinkView:
    """Is this link good now? The token for the visit's current service round, not
    expired, not used; the reason in Indonesian otherwise."""
    tab_name = settings.tabs.feedback if purpose == PURPOSE_FEEDBACK else settings.tabs.confirmations
    if purpose not in (*ACTION_LABELS, PURPOSE_FEEDBACK) or not visit_id or not token:
        return LinkView(False, REASON_MESSAGES["malformed"])
    row = _row(store, settings, visit_id)
    if row is None:
        return LinkView(False, "Kunjungan tidak ditemukan.")
    cycle = _cycle(row)
    ok, reason = verify_token(token, visit_id, round_purpose(purpose, cycle), now, key)
    if not ok and reason == WRONG_TARGET and any(
            verify_token(token, visit_id, round_purpose(purpose, r), now, key)[0] for r in range(1, cycle)):
        return LinkView(False, f"Tautan ini dari putaran layanan sebelumnya; pakai tautan di email terbaru "
                               f"(putaran {cycle}).")
    if not ok:
        return LinkView(False, REASON_MESSAGES[reason])
    if _used(store, tab_name, token):
        return LinkView(False, "Tautan ini sudah dipakai (setiap tautan hanya berlaku satu kali).")
    if row.text("status") not in APPLIES[purpose]:
        return LinkView(False, f"Tautan ini tidak berlaku lagi: status kunjungan sekarang {row.text('status')}.")
    return LinkView(True, "", visit_id, row.text("antrian"), mask_name(row.text("nama")), row.text("instansi"),
                    row.text("keperluan"), row.text("bidang"), row.text("status"), cycle)


def _append(store, tab_name: str, columns, values: Mapping[str, object]) -> int:
    tab = store.read([tab_name]).tab(tab_name)
    if tab is None:
        raise LookupError(tab_name)
    cols = resolve_columns(tab.name, tab.header, columns)
    row: list[object] = [""] * len(tab.header)
    for header, value in values.items():
        key = next((k for k, h in cols.header.items() if h == header), None)
        i = cols.index[key] if key else next((n for n, h in enumerate(tab.header) if str(h).strip() == header),
                                             None)
        if i is not None:
            row[i] = value
    return store.append_row(tab_name, row)


def submit_officer(store, settings, visit_id: str, purpose: str, token: str, now: datetime) -> int:
    """The officer's click: a Konfirmasi row as the officer form would write it."""
    return _append(store, settings.tabs.confirmations, CONFIRM_COLUMNS, {
        "Stempel waktu": datetime_to_serial(now, settings.office.tz), "ID Kunjungan": visit_id, "Token": token,
        "Aksi": ACTION_LABELS[purpose]})


def submit_feedback(store, settings, visit_id: str, token: str, sufficient: bool, note: str,
                    skm: Mapping[str, int], now: datetime) -> int:
    """The guest's answer: an Umpan Balik row (sufficient or not, note, SKM 1–4)."""
    values: dict[str, object] = {
        "Stempel waktu": datetime_to_serial(now, settings.office.tz), "ID Kunjungan": visit_id, "Token": token,
        "Apakah layanan sudah cukup?": YES if sufficient else NO, "Catatan": note}
    for element in SKM_ELEMENTS:
        if element in skm:
            values[element] = int(skm[element])
    return _append(store, settings.tabs.feedback, FEEDBACK_COLUMNS, values)


def outcome(store, tab_name: str, ref: int) -> str:
    """The engine's verdict on a link row: "" (not processed yet), "OK: …" or "DITOLAK: …"."""
    tab = store.read([tab_name]).tab(tab_name)
    cols = resolve_columns(tab.name, tab.header, tab_columns(tab))
    row = next((r for r in tab.rows if r.ref == ref), None)
    return text(row.get(cols.index["diproses"])) if row is not None else ""


# --- the guest's own status page ------------------------------------------------------

def status_token(settings, key: bytes, visit_id: str, now: datetime) -> str:
    return make_token(visit_id, PURPOSE_STATUS, now + timedelta(hours=settings.links.token_valid_hours), key)


@dataclass(frozen=True)
class GuestStatus:
    ok: bool
    reason: str = ""
    visit_id: str = ""
    queue: str = ""
    name_masked: str = ""
    status: str = ""
    ahead: int = 0
    feedback_token: str = ""  # set while the visit waits for this guest's feedback


def guest_status(store, settings, key: bytes, visit_id: str, token: str, now: datetime) -> GuestStatus:
    ok, reason = verify_token(token, visit_id, PURPOSE_STATUS, now, key)
    if not ok:
        return GuestStatus(False, REASON_MESSAGES[reason])
    tab = store.read([settings.tabs.register]).tab(settings.tabs.register)
    view = read_register(tab, settings.columns)
    row = view.by_visit().get(visit_id)
    if row is None:
        return GuestStatus(False, "Kunjungan tidak ditemukan.")
    parsed = parse_visit_id(visit_id)
    ahead = 0
    if row.text("status") in WAITING and parsed:
        ahead = sum(1 for r in view.rows if r.text("status") in WAITING and (p := parse_visit_id(r.visit_id))
                    and p[0] == parsed[0] and p[2] < parsed[2])
    feedback = ""
    if row.text("status") == "MENUNGGU UMPAN BALIK":
        # Deterministic within a day, so a used one is recognised (single use).
        day = datetime.combine(now.astimezone(settings.office.tz).date(), datetime.min.time(),
                               settings.office.tz)
        feedback = make_token(visit_id, round_purpose(PURPOSE_FEEDBACK, _cycle(row)),
                              day + timedelta(days=1, hours=settings.links.token_valid_hours), key)
        if _used(store, settings.tabs.feedback, feedback):
            feedback = ""
    return GuestStatus(True, "", visit_id, row.text("antrian"), mask_name(row.text("nama")), row.text("status"),
                       ahead, feedback)
