"""Signed, expiring tokens for pre-filled Google Form links (pure: no I/O, no clock).

A pre-filled link is unauthenticated and every value in it stays editable, so a
confirmation row is trusted only when its token verifies for the visit and purpose
it claims (Google Forms pre-filled links).

Token format (URL-safe, ~44 characters)::

    1.<expiry>.<binding>.<signature>

- ``1``: format version;
- ``expiry``: Unix seconds, base 36, lower case;
- ``binding``: base64url(SHA-256(visit_id, purpose))[:9 bytes] -- names the visit
  and purpose without a lookup, so a genuine token pasted for another visit is
  told apart from a forged one;
- ``signature``: base64url(HMAC-SHA256(link key, version, expiry, binding))[:16
  bytes]. The link key is derived from the configured secret (domain separation:
  the same secret also keys other hashes).

Every part must be in canonical form (re-encoding gives the same text), so one
token has exactly one spelling and ``token_id`` is a sound replay key. Replay
protection itself is the caller's: it keeps the ids of used tokens.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import datetime, timezone
from typing import Mapping
from urllib.parse import quote, urlsplit, urlunsplit

VERSION = "1"

OK = "ok"
MALFORMED = "malformed"
BAD_SIGNATURE = "bad_signature"
WRONG_TARGET = "wrong_target"  # genuine token, but for another visit or purpose
EXPIRED = "expired"

REASON_MESSAGES = {
    OK: "Token sah.",
    MALFORMED: "Token tautan rusak atau tidak lengkap.",
    BAD_SIGNATURE: "Token tautan tidak sah (tanda tangan tidak cocok); kemungkinan diubah.",
    WRONG_TARGET: "Token tautan milik kunjungan atau keperluan lain.",
    EXPIRED: "Token tautan sudah kedaluwarsa; minta tautan baru ke helpdesk.",
}

_SIG_BYTES = 16
_BIND_BYTES = 9
_EXP = re.compile(r"^[1-9a-z][0-9a-z]{0,12}$")
_B64 = re.compile(r"^[A-Za-z0-9_-]+$")
_ENTRY = re.compile(r"^(?:entry\.)?([0-9]{1,20})$")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes | None:
    if not _B64.match(text):
        return None
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        return None
    return data if _b64(data) == text else None  # canonical spelling only


def _to36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out or "0"


def _link_key(key: bytes | str) -> bytes:
    if isinstance(key, str):
        key = key.encode("utf-8")
    if not isinstance(key, (bytes, bytearray)) or not key:
        raise ValueError("HMAC key is empty")
    return hmac.new(bytes(key), b"bukutamu/form-link-token/v1", hashlib.sha256).digest()


def _binding(visit_id: str, purpose: str) -> bytes:
    return hashlib.sha256(f"{visit_id}\x1f{purpose}".encode("utf-8")).digest()[:_BIND_BYTES]


def _signature(key: bytes | str, exp36: str, binding: str) -> bytes:
    msg = f"{VERSION}.{exp36}.{binding}".encode("ascii")
    return hmac.new(_link_key(key), msg, hashlib.sha256).digest()[:_SIG_BYTES]


def _epoch(moment: datetime) -> int:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("token times must be timezone-aware")
    return int(moment.timestamp())


def make_token(visit_id: str, purpose: str, expires_at: datetime, key: bytes | str) -> str:
    """A token valid for ``visit_id`` and ``purpose`` until ``expires_at`` (exclusive)."""
    if not visit_id or not purpose or "\x1f" in visit_id + purpose:
        raise ValueError("visit_id and purpose are required (no control characters)")
    exp = _epoch(expires_at)
    if exp <= 0:
        raise ValueError("expiry before 1970")
    exp36 = _to36(exp)
    binding = _b64(_binding(visit_id, purpose))
    return f"{VERSION}.{exp36}.{binding}.{_b64(_signature(key, exp36, binding))}"


def _parse(token: object) -> tuple[str, str, bytes, bytes] | None:
    """(exp36, binding text, binding bytes, signature bytes) or None when malformed."""
    if not isinstance(token, str):
        return None
    parts = token.strip().split(".")
    if len(parts) != 4 or parts[0] != VERSION or not _EXP.match(parts[1]):
        return None
    bind, sig = _unb64(parts[2]), _unb64(parts[3])
    if bind is None or sig is None or len(bind) != _BIND_BYTES or len(sig) != _SIG_BYTES:
        return None
    return parts[1], parts[2], bind, sig


def verify_token(token: object, visit_id: str, purpose: str, now: datetime,
                 key: bytes | str) -> tuple[bool, str]:
    """(ok, reason code). Checks in order: malformed, bad signature, wrong
    visit/purpose, expired. ``REASON_MESSAGES[code]`` is the Indonesian text."""
    parsed = _parse(token)
    if parsed is None:
        return False, MALFORMED
    exp36, bind_text, bind, sig = parsed
    if not hmac.compare_digest(sig, _signature(key, exp36, bind_text)):
        return False, BAD_SIGNATURE
    if not hmac.compare_digest(bind, _binding(visit_id, purpose)):
        return False, WRONG_TARGET
    if _epoch(now) >= int(exp36, 36):
        return False, EXPIRED
    return True, OK


def token_expiry(token: object) -> datetime | None:
    """The expiry a well-formed token claims (unverified), UTC."""
    parsed = _parse(token)
    return datetime.fromtimestamp(int(parsed[0], 36), timezone.utc) if parsed else None


def token_id(token: object) -> str:
    """Stable id for replay tracking (32 hex chars). Canonical tokens map to their
    signature; anything else to a hash of its text, so it can be logged too."""
    parsed = _parse(token)
    if parsed is not None:
        return parsed[3].hex()
    return hashlib.sha256(str(token).strip().encode("utf-8", "replace")).hexdigest()[:32]


def prefill_url(form_url: str, entries: Mapping[str, object]) -> str:
    """``…/viewform?usp=pp_url&entry.<N>=<value>…`` for a Google Form.

    ``entries`` maps entry ids (``"123"`` or ``"entry.123"``) to values; values are
    percent-encoded (UTF-8, every reserved character escaped). Any query or fragment
    on ``form_url`` is dropped; an ``/edit`` or ``/formResponse`` path becomes
    ``/viewform``."""
    parts = urlsplit(form_url.strip())
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ValueError("form URL must be an absolute http(s) URL")
    path = parts.path.rstrip("/")
    head, _, last = path.rpartition("/")
    if last in ("edit", "formResponse", "prefill"):
        path = f"{head}/viewform"
    elif last != "viewform":
        path = f"{path}/viewform"
    query = ["usp=pp_url"]
    for entry, value in entries.items():
        m = _ENTRY.match(str(entry).strip())
        if not m:
            raise ValueError(f"bad form entry id: {entry!r}")
        query.append(f"entry.{m.group(1)}={quote('' if value is None else str(value), safe='')}")
    return urlunsplit((parts.scheme, parts.netloc, path, "&".join(query), ""))
