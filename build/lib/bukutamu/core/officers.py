"""The officer directory (Petugas tab) and who gets a visit's notice.

An inactive officer falls back to their backup, then to the helpdesk address.
When no officer matches the visit at all, nobody is emailed: the row gets a
clear status and note so the admin can fill in the Petugas tab.
"""

from __future__ import annotations

from dataclasses import dataclass

from bukutamu.core.cells import text
from bukutamu.core.schema import OFFICER_COLUMNS, normalise_header, resolve_columns
from bukutamu.core.sheet import Tab

NOT_FOUND = "TIDAK DITEMUKAN"


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
        return Assignment(None, NOT_FOUND, f"Petugas untuk {what} tidak ada di tab Petugas; "
                                          "lengkapi tab Petugas atau perbaiki kolom Bidang.")
    for o in candidates:
        if o.active and o.email:
            return Assignment(o.email, o.name or o.email, "", o.name)
    first = candidates[0]
    if first.backup:
        return Assignment(first.backup, f"{first.name} (cadangan)",
                          f"Petugas {first.name} tidak aktif: dikirim ke email cadangan.", first.name)
    return Assignment(helpdesk_email, "HELPDESK",
                      f"Petugas {first.name} tidak aktif dan tanpa cadangan: dikirim ke helpdesk.", first.name)
