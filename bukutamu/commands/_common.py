"""Shared bits of the sub-commands: loading settings, opening the store."""

from __future__ import annotations

import sys

from bukutamu.config import Settings, load_settings


def settings_from(args) -> Settings:
    return load_settings(getattr(args, "config", None))


def say(message: str) -> None:
    print(message, flush=True)


def warn(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
