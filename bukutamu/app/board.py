"""Today's visits for the helpdesk board (`/meja`) and the lobby queue (`/antrian`).

Plain functions over one snapshot: the board reads the register once; the lobby
reads the Antrian tab the engine keeps (masked names only), in either mode.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from bukutamu.core.cells import text
from bukutamu.core.helpdesk import next_inputs
from bukutamu.core.ktp.mask import mask_nik
from bukutamu.core.queue import parse_visit_id
from bukutamu.core.register import RegisterRow, read_register
from bukutamu.core.schema import QUEUE_COLUMNS, resolve_columns
from bukutamu.core.sop import Sop

STEP_TIMES = ("waktu_daftar", "waktu_verifikasi", "waktu_perbaikan", "waktu_dihubungi", "waktu_diterima",
              "waktu_selesai_layanan", "waktu_umpan_balik", "waktu_ditutup")
SHOW = ("aktif", "semua", "selesai")
SERVING = ("PETUGAS DIHUBUNGI", "DILAYANI")
WAITING = ("MENUNGGU VERIFIKASI", "PERLU PERBAIKAN", "TERVERIFIKASI")


@dataclass(frozen=True)
class BoardRow:
    visit_id: str
    queue: str
    number: int
    name: str
    nik_masked: str
    institution: str
    purpose: str
    bidang: str
    status: str
    open: bool
    officer: str
    note: str
    ktp: str
    processed: str
    since: datetime | None
    minutes: float | None  # office minutes in the current step
    standard: float | None
    level: str  # "aman" | "hampir" | "lewat" | ""
    verify: tuple[str, ...]  # "Sesuai" / "Tidak Sesuai" when they apply
    actions: tuple[str, ...]  # Aksi Helpdesk values that apply

    @property
    def left(self) -> float | None:
        return None if self.minutes is None or self.standard is None else self.standard - self.minutes


def _step_standard(sop: Sop, state_code: str) -> float | None:
    steps = [t.step for t in sop.transitions
             if t.sources and state_code in t.sources and t.step is not None and t.event != "batal"]
    if not steps:
        return None
    return sop.steps[min(steps)].standard_minutes


def _since(row: RegisterRow, tz) -> datetime | None:
    times = [t for t in (row.moment(k, tz) for k in STEP_TIMES) if t is not None]
    return max(times) if times else None


def _level(minutes: float | None, standard: float | None) -> str:
    if minutes is None or not standard:
        return ""
    if minutes >= standard:
        return "lewat"
    return "hampir" if minutes >= 0.75 * standard else "aman"


def today_board(store, settings, sop: Sop, calendar, now: datetime, query: str = "",
                show: str = "aktif") -> list[BoardRow]:
    """Today's visits (office day), newest number last, filtered by ``show`` (aktif /
    semua / selesai) and ``query`` (queue number or part of the name)."""
    tz = settings.office.tz
    tab = store.read([settings.tabs.register]).tab(settings.tabs.register)
    if tab is None:
        return []
    view = read_register(tab, settings.columns)
    today = now.astimezone(tz).date()
    q = " ".join(query.split()).casefold()
    picked: list[tuple[int, RegisterRow]] = []
    for row in view.rows:
        parsed = parse_visit_id(row.visit_id)
        if not parsed or parsed[0] != today:
            continue
        state = sop.state_by_label(row.text("status"))
        is_open = state is None or state.open
        if (show == "aktif" and not is_open) or (show == "selesai" and is_open):
            continue
        if q and q not in row.text("antrian").casefold() and q not in row.text("nama").casefold() \
                and q.replace("-", "") not in row.text("antrian").replace("-", "").casefold():
            continue
        picked.append((parsed[2], row))
    picked.sort(key=lambda p: p[0])
    since = [_since(r, tz) if r.text("status") else None for _, r in picked]
    minutes: list[float | None] = [None] * len(picked)
    starts = [i for i, s in enumerate(since) if s is not None and s <= now]
    if starts:
        spent = calendar.office_minutes_between([since[i] for i in starts], [now] * len(starts))
        for i, m in zip(starts, spent):
            minutes[i] = None if math.isnan(m) else float(m)
    out = []
    for (number, row), start, spent in zip(picked, since, minutes):
        state = sop.state_by_label(row.text("status"))
        code = state.code if state else ""
        is_open = state is None or state.open
        standard = _step_standard(sop, code) if code and is_open else None
        inputs = next_inputs(sop, code) if code and is_open else []
        verify = tuple(i.removeprefix("Verifikasi ") for i in inputs if i.startswith("Verifikasi "))
        actions = tuple(a for a in inputs if not a.startswith("Verifikasi "))
        out.append(BoardRow(
            visit_id=row.visit_id, queue=row.text("antrian"), number=number, name=row.text("nama"),
            nik_masked=mask_nik(row.raw("nik")), institution=row.text("instansi"), purpose=row.text("keperluan"),
            bidang=row.text("bidang"), status=row.text("status"), open=is_open, officer=row.text("petugas"),
            note=row.text("catatan"), ktp=row.text("cek_ktp"), processed=row.text("aksi_terproses"),
            since=start, minutes=spent if is_open else None, standard=standard,
            level=_level(spent, standard) if is_open else "", verify=verify, actions=actions))
    return out


def visit_detail(store, settings, visit_id: str) -> dict[str, str] | None:
    """One visit's form answers and program cells by column key (for the edit form;
    behind login: the full NIK is shown there to compare with the physical KTP)."""
    tab = store.read([settings.tabs.register]).tab(settings.tabs.register)
    view = read_register(tab, settings.columns)
    row = view.by_visit().get(visit_id)
    if row is None:
        return None
    return {k: row.text(k) for k in view.columns.index}


@dataclass(frozen=True)
class LobbyLine:
    queue: str
    name: str  # masked by the engine
    status: str


def lobby(store, settings) -> tuple[list[LobbyLine], list[LobbyLine]]:
    """(being served, waiting) from the Antrian tab: queue number, masked name, status."""
    tab = store.read([settings.tabs.queue]).tab(settings.tabs.queue)
    if tab is None:
        return [], []
    cols = resolve_columns(tab.name, tab.header, QUEUE_COLUMNS)
    ix = cols.index
    lines = [LobbyLine(text(r.get(ix["antrian"])), text(r.get(ix["nama"])), text(r.get(ix["status"])))
             for r in tab.rows]
    lines = [x for x in lines if x.queue]
    return [x for x in lines if x.status in SERVING], [x for x in lines if x.status in WAITING]
