"""Spreadsheet metadata kept between cycles: tab titles, ids, grid sizes, time zone."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping


@dataclass
class SheetInfo:
    sheet_id: int
    title: str
    index: int
    row_count: int
    col_count: int
    protected: list[dict] = field(default_factory=list)  # protectedRanges as returned


@dataclass
class SpreadsheetInfo:
    title: str
    time_zone: str
    sheets: dict[str, SheetInfo]

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> "SpreadsheetInfo":
        props = data.get("properties") or {}
        sheets: dict[str, SheetInfo] = {}
        for s in data.get("sheets") or ():
            p = s.get("properties") or {}
            grid = p.get("gridProperties") or {}
            info = SheetInfo(sheet_id=int(p.get("sheetId", 0)), title=str(p.get("title", "")),
                             index=int(p.get("index", 0)), row_count=int(grid.get("rowCount", 0)),
                             col_count=int(grid.get("columnCount", 0)),
                             protected=list(s.get("protectedRanges") or ()))
            sheets[info.title] = info
        return cls(title=str(props.get("title", "")), time_zone=str(props.get("timeZone") or "UTC"),
                   sheets=sheets)

    def by_id(self, sheet_id: int) -> SheetInfo | None:
        return next((s for s in self.sheets.values() if s.sheet_id == sheet_id), None)
