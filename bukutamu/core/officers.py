"""The officer directory (Petugas tab) and who gets a visit's notice.

An inactive officer falls back to their backup, then to the helpdesk address.
When no officer matches the visit at all, the helpdesk address gets the notice
(someone must find the right officer) and the row says why, so the admin can fill
in the Petugas tab. Only without a helpdesk address is nobody emailed.
"""

from __future__ import annotations

from dataclasses import dataclass

from bukutamu.core.cells import text
from bukutamu.core.schema import OFFICER_COLUMNS, normalise_header, resolve_columns
from bukutamu.core.sheet import Tab

NOT_FOUND = "TIDAK DITEMUKAN"
HELPDESK_NOT_FOUND = "HELPDESK (petugas tidak ditemukan)"


@dataclass(frozen=True)
class Officer:
    name: str
    bidang: str
    email: str
    active: bool
    backup: str


@dataclass(frozen=True)
class Assignment:
    email: str | None  # None: nobody to notify
    label: str  # for the "[Sistem] Petugas" cell
    note: str = ""  # Indonesian, for the row's note
    officer_name: str = ""


def read_officers(tab: Tab | None) -> list[Officer]:
    if tab is None:
        return []
    cols = resolve_columns(tab.name, tab.header, OFFICER_COLUMNS)
    out = []
    for row in tab.rows:
        get = {k: text(row.get(i)) for k, i in cols.index.items()}
        if not get.get("email") and not get.get("nama"):
            continue
        active = normalise_header(get.get("aktif", "ya")) not in ("tidak", "no", "false", "0", "nonaktif")
        out.append(Officer(get.get("nama", ""), get.get("bidang", ""), get.get("email", ""), active,
                           get.get("email_cadangan", "")))
    return out


def assign(officers: list[Officer], bidang: str, wanted: str, helpdesk_email: str) -> Assignment:
    if wanted:
        candidates = [o for o in officers if normalise_header(o.name) == normalise_header(wanted)]
    else:
        candidates = []
    if not candidates:
        candidates = [o for o in officers if bidang and normalise_header(o.bidang) == normalise_header(bidang)]
    if not candidates:
        what = f'bidang "{bidang}"' if bidang else "kunjungan ini (bidang kosong)"
        if helpdesk_email:
            return Assignment(helpdesk_email, HELPDESK_NOT_FOUND,
                              f"Petugas untuk {what} tidak ada di tab Petugas: email dikirim ke helpdesk untuk "
                              "diteruskan; lengkapi tab Petugas atau perbaiki kolom Bidang.")
        return Assignment(None, NOT_FOUND, f"Petugas untuk {what} tidak ada di tab Petugas dan alamat helpdesk "
                                          "kosong; lengkapi tab Petugas atau perbaiki kolom Bidang.")
    for o in candidates:
        if o.active and o.email:
            return Assignment(o.email, o.name or o.email, "", o.name)
    first = candidates[0]
    if first.backup:
        return Assignment(first.backup, f"{first.name} (cadangan)",
                          f"Petugas {first.name} tidak aktif: dikirim ke email cadangan.", first.name)
    return Assignment(helpdesk_email, "HELPDESK",
                      f"Petugas {first.name} tidak aktif dan tanpa cadangan: dikirim ke helpdesk.", first.name)


def coverage_warnings(officers: list[Officer], bidang_in_use: list[str]) -> list[str]:
    """What ``check`` warns about the Petugas tab (Indonesian): empty, or a bidang
    with no active officer and no backup (its guests would go to the helpdesk)."""
    if not officers:
        return ["Tab Petugas kosong: semua pemberitahuan tamu akan dikirim ke helpdesk. Isi nama, bidang, "
                "email, dan Aktif = Ya untuk setiap petugas."]
    covered = {normalise_header(o.bidang) for o in officers if (o.active and o.email) or o.backup}
    known = {normalise_header(o.bidang): o.bidang for o in officers}
    wanted = dict(known)
    for b in bidang_in_use:
        if b.strip():
            wanted.setdefault(normalise_header(b), b.strip())
    out = []
    for key, name in sorted(wanted.items()):
        if key and key not in covered:
            why = "semua petugasnya tidak aktif dan tanpa email cadangan" if key in known else \
                "tidak ada di tab Petugas (dipilih tamu di formulir)"
            out.append(f'Bidang "{name}": {why}; tamunya akan diteruskan ke helpdesk.')
    return out
