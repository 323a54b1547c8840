"""The helpdesk's inputs for one visit in embedded mode: verify, act, note, correct.

Each input is judged against the visit's current status before anything is saved,
so the person hears at once whether it is accepted and, if not, why and what
applies now (the same rules the poll cycle applies: ``core.helpdesk``). Accepted
inputs are saved in one transaction addressed by visit ID; the poll cycle applies
them, exactly as it applies an edit of the shared Google Sheet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Mapping

from bukutamu.core.helpdesk import canonical_action, canonical_verify, processed_action, refusal
from bukutamu.core.register import RegisterRow, RegisterView, read_register
from bukutamu.core.schema import FORM, REGISTER_COLUMNS
from bukutamu.core.sop import Sop
from bukutamu.errors import BukutamuError

CORRECTABLE = {c.key: c for c in REGISTER_COLUMNS if c.owner == FORM and c.key != "timestamp"}


class VisitNotFound(BukutamuError):
    pass


class InputRefused(BukutamuError):
    """Nothing was saved; the message says why and what applies now."""


@dataclass(frozen=True)
class HelpdeskInput:
    verify: str | None = None  # "Sesuai" / "Tidak Sesuai" (any case, '-' for spaces)
    action: str | None = None  # a value of the Aksi Helpdesk dropdown (any case, '-' for spaces)
    note: str | None = None
    corrections: Mapping[str, str] = field(default_factory=dict)  # column key -> new value

    def is_empty(self) -> bool:
        return self.verify is None and self.action is None and self.note is None and not self.corrections


@dataclass(frozen=True)
class Saved:
    visit_id: str
    queue: str
    status: str
    fields: int  # how many cells were saved


def find_visit(view: RegisterView, wanted: str, today: datetime) -> RegisterRow:
    """By visit ID (20261125-A001) or today's queue number (A-001, a001)."""
    key = wanted.strip().upper()
    day = today.strftime("%Y%m%d")
    queue = key if "-" in key else (key[:1] + "-" + key[1:] if key[1:].isdigit() else key)
    rows = [r for r in view.rows if r.visit_id.upper() == key
            or (r.text("antrian").upper() == queue and r.visit_id.startswith(day))]
    if len(rows) == 1:
        return rows[0]
    hint = " (nomor antrian hanya untuk hari ini; pakai ID kunjungan)" if not key[:8].isdigit() else ""
    raise VisitNotFound(f"Kunjungan {wanted} tidak ditemukan{hint}. Lihat daftarnya dengan `bukutamu register`.")


def judge(sop: Sop, row: RegisterRow, given: HelpdeskInput) -> tuple[dict[str, object], list[str]]:
    """(cells to save by column key, refusals). Pure."""
    state = sop.state_by_label(row.text("status"))
    refusals: list[str] = []
    cells: dict[str, object] = {}
    if state is None:
        raise InputRefused(f'Status "{row.text("status")}" tidak dikenal; lihat tab Riwayat kunjungan ini.')
    if given.verify is not None:
        value = canonical_verify(sop, given.verify)
        event = sop.verification.get(value or "")
        if value is None:
            refusals.append(f'Verifikasi "{given.verify}" tidak dikenal: pilih ' + " atau ".join(sop.verification)
                            + ".")
        elif sop.find(event, state.code) is None:
            where = [s.label for s in sop.states.values()
                     if any(sop.find(e, s.code) is not None for e in sop.verification.values())]
            refusals.append(f'Verifikasi "{value}" ditolak: tidak berlaku saat status {state.label} '
                            f"(verifikasi hanya untuk {' atau '.join(where)}).")
        else:
            cells["verifikasi"] = value
    if given.action is not None:
        action = canonical_action(sop, given.action) or given.action
        reason = refusal(sop, action, state.code)
        if reason:
            refusals.append(reason)
        else:
            cells["aksi"] = action
    for key, value in given.corrections.items():
        if key not in CORRECTABLE:
            refusals.append(f"Kolom {key} tidak bisa dikoreksi; pilih salah satu dari: "
                            + ", ".join(sorted(CORRECTABLE)) + ".")
        elif not state.open:
            refusals.append(f"Koreksi ditolak: kunjungan sudah ditutup ({state.label}).")
        else:
            cells[key] = value
    if given.note is not None:
        cells["catatan_helpdesk"] = given.note
    return cells, refusals


def save_helpdesk_input(store, register_tab: str, renames: Mapping[str, str], sop: Sop, wanted: str,
                        given: HelpdeskInput, now: datetime) -> Saved:
    """Judge and save. Raises InputRefused (nothing saved) when any part is refused,
    VisitNotFound when the visit is unknown. ``store`` is the embedded store."""
    if given.is_empty():
        raise InputRefused("Tidak ada yang diisi: pakai --verifikasi, --aksi, --catatan, atau --ubah.")
    for _ in range(3):  # a poll cycle may write the row in between: judge again on what it wrote
        tab = store.read([register_tab]).tab(register_tab)
        if tab is None:
            raise BukutamuError("Register belum ada: jalankan `bukutamu init`.")
        view = read_register(tab, renames)
        row = find_visit(view, wanted, now)
        cells, refusals = judge(sop, row, given)
        if refusals:
            raise InputRefused(" ".join(refusals) + " Tidak ada yang disimpan.")
        header = view.columns.header
        for key in cells:
            if not view.columns.has(key):
                raise BukutamuError(f"Kolom untuk {key} tidak ada di register; jalankan `bukutamu init`.")
        values = {header[k]: v for k, v in cells.items()}
        guard = {header["status"]: row.text("status")}
        if "aksi" in cells and cells["aksi"] == row.text("aksi") == processed_action(row.text("aksi_terproses")):
            # The same action again (e.g. "Layanan Selesai" in a second round): the cell
            # alone would not change, so the processed marker is emptied with it.
            values[header["aksi_terproses"]] = ""
            guard[header["aksi_terproses"]] = row.raw("aksi_terproses")
        if store.edit_visit(register_tab, header["visit_id"], row.visit_id, values, unless_changed=guard):
            return Saved(row.visit_id, row.text("antrian"), row.text("status"), len(values))
    raise InputRefused("Kunjungan ini sedang berubah terus (poller menulis); coba lagi sebentar lagi.")


@dataclass(frozen=True)
class Outcome:
    """What became of one helpdesk input: accepted (saved, applied by the next cycle)
    or refused, with the reason in Indonesian (nothing saved)."""

    accepted: bool
    reason: str = ""
    saved: Saved | None = None


def helpdesk_action(store, register_tab: str, renames: Mapping[str, str], sop: Sop, wanted: str,
                    given: HelpdeskInput, now: datetime) -> Outcome:
    """The helpdesk use case for any front end (CLI, web desk): verify, correct a
    field, add a note or advance a step. Never raises for a refusal or an unknown
    visit; the reason says what applies now."""
    try:
        saved = save_helpdesk_input(store, register_tab, renames, sop, wanted, given, now)
    except (InputRefused, VisitNotFound) as e:
        return Outcome(False, str(e))
    return Outcome(True, "", saved)
