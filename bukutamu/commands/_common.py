"""Shared bits of the sub-commands: loading settings, opening the store."""

from __future__ import annotations

import sys

from bukutamu.config import Settings, load_offices, load_settings
from bukutamu.core.text import clean_text


def settings_from(args) -> Settings:
    """The one office this command works on: the only one, or `--kantor KODE`
    (a multi-office config without it stops with the list of offices)."""
    settings = load_settings(getattr(args, "config", None), office=getattr(args, "kantor", None))
    from bukutamu.cli import set_log_time_zone
    set_log_time_zone(settings.office.tz)  # log times in the office's time zone
    return settings


def offices_from(args) -> list[Settings]:
    """Every office (`run`, `serve`, `check`), or only `--kantor KODE`."""
    if getattr(args, "kantor", None):
        return [settings_from(args)]
    offices = load_offices(getattr(args, "config", None))
    from bukutamu.cli import set_log_time_zone
    set_log_time_zone(offices[0].office.tz)
    return offices


def say(message: str) -> None:
    print(clean_text(message), flush=True)  # text from a sheet or CSV may carry ESC, bidi …


def warn(message: str) -> None:
    print(clean_text(message), file=sys.stderr, flush=True)


def parse_day(text: str):
    """A date as the office writes it: 30/11/2026, 30-11-2026 or ISO 2026-11-30."""
    import argparse
    from datetime import datetime
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"tanggal {text!r} tidak dikenal; tulis 30/11/2026 atau 2026-11-30")
