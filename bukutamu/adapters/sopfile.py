"""Reads the SOP file (``[sop] file``; the package's ``bukutamu/data/sop.toml`` by
default) and hands its text to the pure parser ``core.sop.parse_sop``."""

from __future__ import annotations

from pathlib import Path

from bukutamu.core.errors import ConfigError
from bukutamu.core.sop import Sop, parse_sop


def load_sop(path: str | Path) -> Sop:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"SOP {path}: berkas tidak ada (atur sop.file di konfigurasi).") from None
    return parse_sop(text, f"SOP {path}")
