"""Shared bits of the sub-commands: loading settings, opening the store."""

from __future__ import annotations

import sys

from bukutamu.config import Settings, load_settings


def settings_from(args) -> Settings:
    settings = load_settings(getattr(args, "config", None))
    from bukutamu.cli import set_log_time_zone
    set_log_time_zone(settings.office.tz)  # log times in the office's time zone
    return settings


def say(message: str) -> None:
    print(message, flush=True)


def warn(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _fold(text: str) -> str:
    return " ".join(text.replace("-", " ").replace("_", " ").split()).casefold()


def sheet_choice(values, what: str = "nilai"):
    """An argparse ``type`` for a dropdown of the sheet: case-insensitive, and
    hyphens/underscores/spaces alike, so `--verifikasi sesuai`, `"Tidak Sesuai"` and
    `Tidak-Sesuai` all work. Returns the sheet's own wording."""
    import argparse
    table = {_fold(v): v for v in values}

    def parse(text: str) -> str:
        found = table.get(_fold(text))
        if found is None:
            raise argparse.ArgumentTypeError(
                f"{what} {text!r} tidak dikenal; pilih salah satu dari: " + ", ".join(f'"{v}"' for v in values))
        return found

    parse.__name__ = what
    return parse


def choice_metavar(values) -> str:
    return "{" + ",".join(v.replace(" ", "-") for v in values) + "}"


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
