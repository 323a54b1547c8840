"""Masking personal data for places many people see (lobby screen, emails, logs)."""

from __future__ import annotations

import re


def mask_name(name: str) -> str:
    """"Budi Santoso" -> "BUDI S."; one word stays; empty stays empty."""
    words = [w for w in re.split(r"\s+", (name or "").strip().upper()) if w]
    if not words:
        return ""
    first = words[0][:20]
    return first if len(words) == 1 else f"{first} {words[1][0]}."


def mask_nik(value: object) -> str:
    """Show only the first four and last four characters: "6171********9991".

    Safe for any input (numbers, None, short text); never returns the full value of
    anything longer than eight characters."""
    if value is None:
        return ""
    s = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        s = str(int(value))
    s = "".join(s.split())
    if len(s) <= 8:
        return "*" * len(s)
    return s[:4] + "*" * (len(s) - 8) + s[-4:]
