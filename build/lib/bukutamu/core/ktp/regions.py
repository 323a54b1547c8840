"""The Kemendagri region table shipped in ``data/`` (see data/README.md).

Loaded once, lazily, on first use (``region_table()``); regenerate the files with
``scripts/build_region_table.py``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Iterator, NamedTuple


@dataclass(frozen=True)
class Region:
    """A region as the NIK names it: dotted Kemendagri code (``61.71.01``) and name."""

    code: str
    name: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "name": self.name}


class RegionEntry(NamedTuple):
    digits: str  # "61", "6171", "617101"
    level: int  # 1 province, 2 kab/kota, 3 kecamatan
    active: bool  # in the 2025 edition
    first_edition: str
    last_edition: str
    name: str  # 2025 name, or the name in the last edition that has the code

    @property
    def region(self) -> Region:
        return _region(self.digits, self.name)


@dataclass(frozen=True)
class Successor:
    """Where a retired code went (the 2022 Papua splits); ``digits`` empty when unmatched."""

    digits: str
    match: str  # "regency", "district", "unmatched"


@dataclass(frozen=True)
class RegionTable:
    entries: dict[str, RegionEntry]
    successors: dict[str, Successor]

    def get(self, digits: str) -> RegionEntry | None:
        return self.entries.get(digits)

    def successor(self, digits: str) -> Successor | None:
        return self.successors.get(digits)

    def codes(self, level: int) -> list[str]:
        return [e.digits for e in self.entries.values() if e.level == level]


@cache
def _region(digits: str, name: str) -> Region:
    return Region(dotted(digits), name)


def dotted(digits: str) -> str:
    return ".".join(digits[i : i + 2] for i in range(0, len(digits), 2))


def _rows(name: str, header: list[str]) -> Iterator[list[str]]:
    text = resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    rows = csv.reader(io.StringIO(text))
    if next(rows) != header:
        raise RuntimeError(f"region table {name}: unexpected header")
    return rows


@cache
def region_table() -> RegionTable:
    entries = {}
    for code, level, active, editions, name in _rows("wilayah.csv", ["code", "level", "active", "editions", "name"]):
        first, _, last = editions.partition("-")
        entries[code] = RegionEntry(code, int(level), active == "1", first, last or first, name)
    successors = {
        old: Successor(new, match) for old, new, match in _rows("papua.csv", ["old_code", "new_code", "match"])
    }
    return RegionTable(entries, successors)
