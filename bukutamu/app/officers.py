"""The Petugas tab kept by the admin (`/petugas`): add, edit, deactivate officers.

Rows are addressed by the store's stable row id (embedded store). The engine reads
the tab on every cycle, so a change reaches the next officer notice at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from bukutamu.core.cells import text
from bukutamu.core.schema import OFFICER_COLUMNS, resolve_columns
from bukutamu.core.sheet import CellUpdate, WriteBatch
from bukutamu.errors import BukutamuError

FIELDS = ("nama", "bidang", "email", "aktif", "email_cadangan")


class OfficerRefused(BukutamuError):
    pass


@dataclass(frozen=True)
class OfficerRow:
    ref: int
    nama: str
    bidang: str
    email: str
    aktif: bool
    email_cadangan: str


def _email_ok(v: str) -> bool:
    local, _, domain = v.partition("@")
    return bool(local) and "." in domain and " " not in v


def _tab(store, settings):
    tab = store.read([settings.tabs.officers]).tab(settings.tabs.officers)
    if tab is None:
        raise BukutamuError("Tab Petugas belum ada: jalankan `bukutamu init`.")
    return tab, resolve_columns(tab.name, tab.header, OFFICER_COLUMNS)


def list_officers(store, settings) -> list[OfficerRow]:
    tab, cols = _tab(store, settings)
    out = []
    for r in tab.rows:
        get = {k: text(r.get(i)) for k, i in cols.index.items()}
        if not any(get.values()):
            continue
        out.append(OfficerRow(r.ref, get.get("nama", ""), get.get("bidang", ""), get.get("email", ""),
                              get.get("aktif", "Ya").strip().casefold() not in ("tidak", "no", "0", "nonaktif"),
                              get.get("email_cadangan", "")))
    return out


def _clean(values: Mapping[str, str]) -> dict[str, str]:
    out = {k: " ".join(str(values.get(k, "") or "").split())[:200] for k in FIELDS}
    out["aktif"] = "Tidak" if out["aktif"].casefold() in ("tidak", "0", "nonaktif") else "Ya"
    problems = []
    if not out["nama"]:
        problems.append("Nama wajib diisi.")
    if not out["bidang"]:
        problems.append("Bidang wajib diisi.")
    if not _email_ok(out["email"]):
        problems.append("Email petugas tidak sah.")
    if out["email_cadangan"] and not _email_ok(out["email_cadangan"]):
        problems.append("Email cadangan tidak sah.")
    if problems:
        raise OfficerRefused(" ".join(problems))
    return out


def add_officer(store, settings, values: Mapping[str, str]) -> int:
    clean = _clean(values)
    tab, cols = _tab(store, settings)
    row: list[object] = [""] * len(tab.header)
    for k, v in clean.items():
        if k in cols.index:
            row[cols.index[k]] = v
    return store.append_row(tab.name, row)


def update_officer(store, settings, ref: int, values: Mapping[str, str]) -> None:
    clean = _clean(values)
    tab, cols = _tab(store, settings)
    if not any(r.ref == ref for r in tab.rows):
        raise OfficerRefused("Petugas tidak ditemukan (baris sudah dihapus?).")
    store.write(WriteBatch(updates=[CellUpdate(tab.name, ref, cols.header[k], v)
                                    for k, v in clean.items() if k in cols.header]))


def set_active(store, settings, ref: int, active: bool) -> None:
    tab, cols = _tab(store, settings)
    if not any(r.ref == ref for r in tab.rows):
        raise OfficerRefused("Petugas tidak ditemukan (baris sudah dihapus?).")
    store.write(WriteBatch(updates=[CellUpdate(tab.name, ref, cols.header["aktif"], "Ya" if active else "Tidak")]))
