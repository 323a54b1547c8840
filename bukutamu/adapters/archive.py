"""Where archived visits live: one store per year, with the live tabs' names.

- Embedded mode, and Google mode for a year without an archive spreadsheet: an
  embedded store ``<data folder>/arsip/arsip-<year>.sqlite`` (private, like the live
  store): the data stays on this machine.
- Google mode with ``archive.spreadsheets["<year>"]``: that spreadsheet (the service
  account needs Editor access), read and written by the same guarded code as the
  live spreadsheet. A year of 37,000 visits takes about 4 million of its 10 million cells.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from bukutamu.adapters.store import SheetStore

_FILE = re.compile(r"^arsip-(\d{4})\.sqlite$")


class ArchiveStores:
    def __init__(self, settings: Any):
        self.settings = settings
        self.folder = Path(settings.data_dir) / "arsip"
        self._open: dict[int, SheetStore] = {}

    def _google(self, year: int) -> bool:
        return self.settings.store.kind == "google" and year in self.settings.archive.spreadsheets

    def years(self) -> list[int]:
        """Years that have an archive (a configured spreadsheet counts: it may hold rows)."""
        local = {int(m.group(1)) for p in (self.folder.glob("arsip-*.sqlite") if self.folder.is_dir() else ())
                 if (m := _FILE.match(p.name))}
        google = set(self.settings.archive.spreadsheets) if self.settings.store.kind == "google" else set()
        return sorted(local | google)

    def exists(self, year: int) -> bool:
        return year in self.years()

    def describe(self, year: int) -> str:
        if self._google(year):
            return f"spreadsheet arsip {year} ({self.settings.archive.spreadsheets[year]})"
        return f"arsip tertanam {self.folder / f'arsip-{year}.sqlite'}"

    def get(self, year: int) -> SheetStore:
        """That year's archive store (an embedded one is created on first use)."""
        if year not in self._open:
            if self._google(year):
                from bukutamu.adapters.google.store import GoogleSheetStore
                s = replace(self.settings, store=replace(self.settings.store,
                                                         spreadsheet_id=self.settings.archive.spreadsheets[year]))
                self._open[year] = GoogleSheetStore.from_settings(s)
            else:
                from bukutamu.adapters.files import private_dir
                from bukutamu.adapters.sqlite_store import SqliteSheetStore
                private_dir(self.folder)
                self._open[year] = SqliteSheetStore(self.folder / f"arsip-{year}.sqlite",
                                                    self.settings.office.time_zone)
        return self._open[year]

    def close(self) -> None:
        for store in self._open.values():
            store.close()
        self._open.clear()
