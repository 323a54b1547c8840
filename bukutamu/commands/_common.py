"""Shared bits of the sub-commands: loading settings, opening the store."""

from __future__ import annotations

import sys

from bukutamu.config import Settings, load_settings
from bukutamu.core.text import clean_text


def settings_from(args) -> Settings:
    return load_settings(getattr(args, "config", None))


def say(message: str) -> None:
    print(clean_text(message), flush=True)  # text from a sheet or CSV may carry ESC, bidi …


def warn(message: str) -> None:
    print(clean_text(message), file=sys.stderr, flush=True)
