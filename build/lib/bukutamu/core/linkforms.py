"""Rows of the two small Google Forms reached through signed links in emails:
Konfirmasi (officer: guest received / service done) and Umpan Balik (guest:
sufficient or not, optional SKM answers). Every row is untrusted input: it counts
only with a valid, unexpired, unused token for the visit it names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Hashable
from zoneinfo import ZoneInfo

from bukutamu.core.cells import parse_datetime, text
from bukutamu.core.links import REASON_MESSAGES, token_id, verify_token
from bukutamu.core.notices import PURPOSE_DONE, PURPOSE_FEEDBACK, PURPOSE_RECEIVED
from bukutamu.core.schema import PROGRAM, PROGRAM_PREFIX, Column, normalise_header, resolve_columns
from bukutamu.core.sheet import Tab

SOURCE_OFFICER_LINK, SOURCE_FEEDBACK_LINK = "tautan-petugas", "tautan-umpan-balik"
PROCESSED_OK = "OK"

_TS = Column("timestamp", "Stempel waktu", "form", required=True, aliases=("Timestamp", "Cap waktu"))
_VISIT = Column("visit_id", "ID Kunjungan", "form", required=True)
_TOKEN = Column("token", "Token", "form", required=True)
_DONE = Column("diproses", PROGRAM_PREFIX + "Diproses", PROGRAM, required=True)
CONFIRM_COLUMNS = (_TS, _VISIT, _TOKEN, Column("aksi", "Aksi", "form", required=True), _DONE)
FEEDBACK_COLUMNS = (_TS, _VISIT, _TOKEN,
                    Column("cukup", "Apakah layanan sudah cukup?", "form", required=True,
                           aliases=("Layanan sudah cukup?", "Apakah layanan sudah cukup")),
                    Column("catatan", "Catatan", "form", aliases=("Saran", "Catatan / Saran")), _DONE)
SKM_ELEMENTS = ("U1 Persyaratan", "U2 Sistem, Mekanisme, dan Prosedur", "U3 Waktu Penyelesaian",
                "U4 Biaya/Tarif", "U5 Produk Spesifikasi Jenis Pelayanan", "U6 Kompetensi Pelaksana",
                "U7 Perilaku Pelaksana", "U8 Penanganan Pengaduan, Saran dan Masukan",
                "U9 Sarana dan Prasarana")

_ACTIONS = {normalise_header("Tamu Diterima"): (PURPOSE_RECEIVED, "diterima"),
            normalise_header("Layanan Selesai"): (PURPOSE_DONE, "layanan_selesai")}
_YES = {"ya", "ya, sudah cukup", "sudah cukup", "cukup", "ya sudah cukup"}
_NO = {"tidak", "belum", "belum cukup", "tidak cukup", "tidak, belum cukup"}


@dataclass(frozen=True)
class LinkEvent:
    visit_id: str
    event: str
    at: datetime
    source: str
    tab: str
    ref: Hashable
    processed_header: str
    guest_note: str = ""


@dataclass(frozen=True)
class Rejection:
    tab: str
    ref: Hashable
    processed_header: str
    reason: str  # Indonesian, no personal data


def read_link_rows(tab: Tab | None, kind: str, visits: set[str], now: datetime, key: bytes,
                   sheet_tz: ZoneInfo) -> tuple[list[LinkEvent], list[Rejection]]:
    """New (unprocessed) rows of a Konfirmasi ("konfirmasi") or Umpan Balik
    ("umpan_balik") tab -> events to try, and rows rejected outright."""
    if tab is None:
        return [], []
    cols = resolve_columns(tab.name, tab.header, CONFIRM_COLUMNS if kind == "konfirmasi" else FEEDBACK_COLUMNS)
    ix = cols.index
    done_h = cols.header["diproses"]
    used = {token_id(text(r.get(ix["token"]))) for r in tab.rows
            if text(r.get(ix["diproses"])).startswith(PROCESSED_OK)}
    events, rejected = [], []
    for row in tab.rows:
        if text(row.get(ix["diproses"])) or not any(text(c) for c in row.values):
            continue

        def reject(reason: str) -> None:
            rejected.append(Rejection(tab.name, row.ref, done_h, f"DITOLAK: {reason}"))

        vid = text(row.get(ix["visit_id"]))
        token = text(row.get(ix["token"]))
        at = parse_datetime(row.get(ix["timestamp"]), sheet_tz) or now
        if kind == "konfirmasi":
            action = _ACTIONS.get(normalise_header(text(row.get(ix["aksi"]))))
            if action is None:
                reject("isian Aksi tidak dikenal")
                continue
            purpose, event = action
            source, note = SOURCE_OFFICER_LINK, ""
        else:
            answer = normalise_header(text(row.get(ix["cukup"])))
            if answer in _YES:
                event = "cukup"
            elif answer in _NO:
                event = "tidak_cukup"
            else:
                reject("jawaban 'cukup' tidak dikenal")
                continue
            purpose, source = PURPOSE_FEEDBACK, SOURCE_FEEDBACK_LINK
            note = text(row.get(ix["catatan"])) if "catatan" in ix else ""
        if vid not in visits:
            reject("ID kunjungan tidak dikenal")
            continue
        ok, reason = verify_token(token, vid, purpose, now, key)
        if not ok:
            reject(REASON_MESSAGES[reason].rstrip("."))
            continue
        tid = token_id(token)
        if tid in used:
            reject("token sudah pernah dipakai")
            continue
        used.add(tid)
        events.append(LinkEvent(vid, event, at, source, tab.name, row.ref, done_h, note))
    return events, rejected
