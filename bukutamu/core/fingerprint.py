"""Which of a visit's own answers changed since the program last looked (pure).

Each open visit carries ``[Sistem] Sidik Data``: a short keyed digest of every guest
answer (NIK, name, sex, birth date, phone, …). A cycle that finds a digest changed
writes a Riwayat row "koreksi data tamu: <column>" — whoever corrected it: the
helpdesk in the shared sheet, `bukutamu helpdesk --ubah`, or the web desk. The cycle
is the only writer of Riwayat, so the row key's transition count stays right. The
digests are keyed (HMAC) so the cell does not reveal a NIK; the values stay in the
register only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Callable

from bukutamu.core.cells import text

FIELDS = ("nik", "nama", "jenis_kelamin", "tanggal_lahir", "telepon", "email", "instansi", "keperluan",
          "bidang", "petugas_dituju")


def fingerprint(raw: Callable[[str], object], has: Callable[[str], bool], key: bytes) -> str:
    """``nik:Ab3dE9 nama:…`` for the answer columns the register has."""
    parts = []
    for k in FIELDS:
        if has(k):
            mac = hmac.new(key, f"sidik\x1f{k}\x1f{text(raw(k))}".encode("utf-8"), hashlib.sha256).digest()
            parts.append(f"{k}:{base64.urlsafe_b64encode(mac[:6]).decode('ascii')}")
    return " ".join(parts)


def changed_fields(old: str, new: str) -> list[str]:
    """Column keys whose digest differs between two fingerprints (keys in both only)."""
    def parse(s: str) -> dict[str, str]:
        return dict(p.split(":", 1) for p in s.split() if ":" in p)
    before, after = parse(old), parse(new)
    return [k for k in FIELDS if k in before and k in after and before[k] != after[k]]
