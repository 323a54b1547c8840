"""The helpdesk's dropdown inputs as the SOP sees them (pure).

The program never writes the helpdesk's own cells. An action counts as new when
the ``Aksi Helpdesk`` cell differs from the action last processed, which the
program keeps in ``[Sistem] Aksi Terproses``. Clearing the cell after use (the old
design) could not be made safe on Google Sheets, which has no conditional write:
an action saved between the cycle's read and its write was erased unseen. To give
the same action twice in a row, the helpdesk empties the cell; the next cycle
empties ``Aksi Terproses`` too and the action can be chosen again (the embedded
front ends do this in one step).
"""

from __future__ import annotations

from datetime import datetime

from bukutamu.core.sop import Sop
from bukutamu.core.text import cell_text

APPLIED, REFUSED, UNKNOWN = "diterapkan", "ditolak", "tidak dikenal"
# "Tamu Diterima" while the officer notice is still unsent or failed: the helpdesk
# reached the officer another way (phone), so step 5 completes by hand first.
BRIDGES: dict[tuple[str, str], str] = {("diterima", "TERVERIFIKASI"): "petugas_dihubungi"}


def action_marker(value: str, outcome: str, at: datetime) -> str:
    """What ``[Sistem] Aksi Terproses`` shows: the action, its outcome and time."""
    return f"{value} ({outcome} {at:%d/%m %H:%M})"


def processed_action(marker: str) -> str:
    """The action named by an ``Aksi Terproses`` marker ("" for none)."""
    marker = (marker or "").strip()
    return marker.rsplit(" (", 1)[0].strip() if marker.endswith(")") and " (" in marker else marker


def is_new_action(cell: str, marker: str) -> bool:
    # The marker was written through cell_text: compare like with like ("=X" is stored "'=X").
    return bool(cell) and cell_text(cell) != processed_action(marker)


def _folded(value: str) -> str:
    return " ".join((value or "").replace("-", " ").replace("_", " ").split()).casefold()


def canonical_action(sop: Sop, value: str) -> str | None:
    """The dropdown value meant by ``value`` (any case, '-' for spaces), or None."""
    return next((a for a in sop.actions if a.casefold() == _folded(value)), None)


def canonical_verify(sop: Sop, value: str) -> str | None:
    """The verification choice meant by ``value`` (any case, '-' for spaces), or None."""
    return next((v for v in sop.verification if v.casefold() == _folded(value)), None)


def allows(sop: Sop, action: str, state_code: str) -> bool:
    event = sop.actions.get(action)
    if event is None:
        return False
    if sop.find(event, state_code) is not None:
        return True
    bridge = BRIDGES.get((event, state_code))
    return bridge is not None and sop.find(bridge, state_code) is not None


def valid_actions(sop: Sop, state_code: str) -> list[str]:
    """The dropdown actions that apply in ``state_code``, in dropdown order."""
    return [a for a in sop.actions if allows(sop, a, state_code)]


def refusal(sop: Sop, action: str, state_code: str) -> str | None:
    """None when ``action`` applies in ``state_code``; else the Indonesian reason,
    naming the actions that do apply."""
    if action not in sop.actions:
        return f'Aksi "{action}" tidak dikenal; pilih dari dropdown ({", ".join(sop.actions)}).'
    if allows(sop, action, state_code):
        return None
    state = sop.states[state_code]
    ok = valid_actions(sop, state_code)
    hint = (f" Aksi yang berlaku sekarang: {', '.join(ok)}." if ok else
            " Kunjungan sudah ditutup; tidak ada aksi lagi." if not state.open else "")
    return f'"{action}" ditolak: tidak berlaku saat status {state.label}.{hint}'


def next_inputs(sop: Sop, state_code: str) -> list[str]:
    """What the helpdesk can give now: the verification choices, then the actions."""
    verify = [f"Verifikasi {v}" for v, e in sop.verification.items() if sop.find(e, state_code) is not None]
    return verify + valid_actions(sop, state_code)
