"""Showing and comparing personal fields without exposing them.

- ``mask_nik``: first 4 and last 4 digits (``6171********9991``), for anything shown;
- ``mask_name``: first name and initials (``BUDI S.``), for the lobby queue screen;
- ``nik_hash``: keyed HMAC-SHA256, to find the same NIK on other visits without
  storing or logging it.
"""

from __future__ import annotations

import hashlib
import hmac
import math

from bukutamu.core.ktp.nik import normalise

_SEPARATORS = str.maketrans("", "", " .-\t\r\n")
_MAX_STARS = 24
_MAX_FIRST_NAME = 20


def mask_nik(value: object) -> str:
    """``6171********9991``. Safe for any input: short or odd values are fully masked."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, float):
        value = int(value) if math.isfinite(value) else ""
    try:
        text = str(value).translate(_SEPARATORS)
    except Exception:
        return "****"
    if len(text) < 12:
        return "*" * len(text)
    return text[:4] + "*" * min(len(text) - 8, _MAX_STARS) + text[-4:]


def mask_name(value: object) -> str:
    """``Budi Santoso`` -> ``BUDI S.``: the first word, then the initial of each other word."""
    words = [w for w in (str(value) if value is not None else "").upper().split() if any(c.isalnum() for c in w)]
    if not words:
        return ""
    initials = [next(c for c in w if c.isalnum()) + "." for w in words[1:]]
    return " ".join([words[0][:_MAX_FIRST_NAME], *initials])


def nik_hash(nik: str, key: bytes) -> str:
    """HMAC-SHA256 (hex) of the normalised NIK (``6171 0101...`` and ``61710101...`` hash alike).

    ``key`` is the secret from the environment; an empty key is refused.
    """
    if not isinstance(key, (bytes, bytearray)) or not key:
        raise ValueError("kunci HMAC untuk NIK kosong atau bukan bytes")
    text = normalise(nik) or (nik if isinstance(nik, str) else "").strip()
    return hmac.new(bytes(key), text.encode("utf-8"), hashlib.sha256).hexdigest()
