"""Bounded, per-poller memory of answers the pure rules already gave."""

from __future__ import annotations

from collections import OrderedDict
from datetime import date

from bukutamu.core.ktp import KtpCheck, check_guest, nik_hash
from bukutamu.core.ktp.fields import PhoneNumbers
from bukutamu.core.ktp.nik import normalise


class _Bounded:
    """A small LRU map: at most ``size`` entries, the least recently used dropped."""

    def __init__(self, size: int):
        self.size, self.data = size, OrderedDict()

    def get(self, key):
        value = self.data.get(key, _MISSING)
        if value is not _MISSING:
            self.data.move_to_end(key)
        return value

    def put(self, key, value) -> None:
        self.data[key] = value
        if len(self.data) > self.size:
            self.data.popitem(last=False)


_MISSING = object()


class KtpMemo:
    """What the KTP rules and the NIK hash already answered, kept by one poller (on
    its CycleContext) and bounded — never module-wide, so nothing outlives the
    poller. NIK hashes are remembered by visit ID with a process-local fingerprint
    of the typed NIK (not the NIK itself); the HMAC key stays with the context, not
    in cache keys. Open visits are re-checked every cycle (the helpdesk may have
    corrected them) and every cycle that registers a visit indexes every earlier one:
    both are answered from here while unchanged."""

    def __init__(self, checks: int = 4096, digests: int = 65536):
        self.checks = _Bounded(checks)
        self.digests = _Bounded(digests)

    def check(self, nik: object, values: tuple, today: date, phones: PhoneNumbers | None = None) -> KtpCheck:
        key = (hash((nik, values)), today)
        hit = self.checks.get(key)
        if hit is _MISSING or hit[0] != (nik, values):
            name, sex, birth, phone, email = values
            hit = ((nik, values), check_guest(nik=nik, name=name, sex=sex, birth_date=birth, phone=phone,
                                              email=email, today=today, phones=phones))
            self.checks.put(key, hit)
        return hit[1]

    def digest(self, visit_id: str, raw: str, key: bytes) -> str | None:
        """Keyed hash of a NIK typed as text (None when it is not 16 digits)."""
        mark = hash(raw)
        hit = self.digests.get(visit_id) if visit_id else _MISSING
        if hit is not _MISSING and hit[0] == mark:
            return hit[1]
        digits = normalise(raw)
        value = nik_hash(digits, key) if digits else None
        if visit_id:
            self.digests.put(visit_id, (mark, value))
        return value

    def clear(self) -> None:
        self.checks.data.clear()
        self.digests.data.clear()
