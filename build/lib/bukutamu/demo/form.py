"""Turning a synthetic guest into a Google-Form response row."""

from __future__ import annotations

from typing import Sequence

from bukutamu.core.schema import REGISTER_COLUMNS, normalise_header
from bukutamu.demo.guests import Guest


def form_values(guest: Guest, submitted_serial: float) -> dict[str, object]:
    """Form answers by column key (the way the form stores them: text, serial time)."""
    return {
        "timestamp": submitted_serial,
        "nik": guest.nik,
        "nama": guest.name,
        "jenis_kelamin": "Laki-laki" if guest.sex == "LAKI-LAKI" else "Perempuan",
        "tanggal_lahir": guest.birth_date.strftime("%d/%m/%Y"),
        "telepon": guest.phone,
        "email": guest.email,
        "instansi": guest.institution,
        "keperluan": guest.purpose,
        "bidang": guest.bidang,
        "petugas_dituju": "",
        "persetujuan": "Saya setuju",
    }


def as_row(header: Sequence[str], values_by_key: dict[str, object],
           renames: dict[str, str] | None = None) -> list[object]:
    """Place values (by column key) under the matching headers of ``header``."""
    renames = renames or {}
    where = {}
    for col in REGISTER_COLUMNS:
        names = (renames[col.key],) if col.key in renames else col.names()
        for n in names:
            where.setdefault(normalise_header(n), col.key)
    row: list[object] = []
    for h in header:
        key = where.get(normalise_header(h))
        row.append(values_by_key.get(key, "") if key else "")
    return row
