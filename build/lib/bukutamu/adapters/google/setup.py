"""``init`` on Google: tabs, headers, dropdowns, warning-only protections, formats.

A one-off, so it may spend a few requests (at most five):
1. spreadsheets.get (metadata incl. protected ranges),
2. values:batchGet of the header rows of the tabs that exist,
3. spreadsheets.get of one probe cell per formatted column (its last grid row) to
   see whether validation/number format are already there,
4. one spreadsheets.batchUpdate: addSheet, appendDimension (columns), setDataValidation,
   repeatCell (number format), addProtectedRange,
5. one values:batchUpdate (RAW) writing the missing headers to the right.
Idempotent: a second run finds everything in place and sends no write at all.
Never reorders, renames or clears anything.
"""

from __future__ import annotations

import random
from typing import Any, Sequence

from bukutamu.adapters.google.a1 import cell_range, col_letter, quote_tab
from bukutamu.adapters.google.metadata import SheetInfo, SpreadsheetInfo
from bukutamu.adapters.store import InitReport, TabSpec
from bukutamu.core.schema import normalise_header

NEW_TAB_ROWS = 1000
NEW_TAB_COLS = 26
TEXT_FORMAT = {"type": "TEXT", "pattern": "@"}
DATETIME_FORMAT = {"type": "DATE_TIME", "pattern": "dd/mm/yyyy hh:mm:ss"}


def protection_description(header: str) -> str:
    return f"bukutamu: kolom milik program «{header}» — diisi otomatis, jangan diubah manual"


def dropdown_rule(choices: Sequence[str]) -> dict:
    return {"condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": c} for c in choices]},
            "strict": True, "showCustomUi": True}


def run_init(sh: Any, specs: Sequence[TabSpec], rng: random.Random | None = None) -> tuple[InitReport, SpreadsheetInfo]:
    """``sh`` is an open gspread Spreadsheet (its client is our RetryingHTTPClient)."""
    rng = rng or random.Random()
    report = InitReport()
    meta = SpreadsheetInfo.parse(sh.fetch_sheet_metadata())
    existing = [s for s in specs if s.name in meta.sheets]
    header_rows: dict[str, list[str]] = {}
    if existing:
        resp = sh.values_batch_get([f"{quote_tab(s.name)}!1:1" for s in existing],
                                   params={"valueRenderOption": "UNFORMATTED_VALUE"})
        for s, vr in zip(existing, resp.get("valueRanges") or ()):
            row = (vr.get("values") or [[]])[0]
            cells = ["" if v is None else str(v) for v in row]
            while cells and not cells[-1].strip():
                cells.pop()
            header_rows[s.name] = cells

    structure: list[dict] = []
    header_writes: list[dict] = []
    finals: dict[str, list[str]] = {}
    old_width: dict[str, int] = {}
    ids = {s.sheet_id for s in meta.sheets.values()}
    for spec in specs:
        if spec.name not in meta.sheets:
            sheet_id = _new_id(ids, rng)
            cols = max(NEW_TAB_COLS, len(spec.headers))
            structure.append({"addSheet": {"properties": {
                "sheetId": sheet_id, "title": spec.name, "index": len(meta.sheets),
                "gridProperties": {"rowCount": NEW_TAB_ROWS, "columnCount": cols, "frozenRowCount": 1}}}})
            meta.sheets[spec.name] = SheetInfo(sheet_id, spec.name, len(meta.sheets), NEW_TAB_ROWS, cols)
            report.created_tabs.append(spec.name)
            report.notes.append(f'Tab "{spec.name}" dibuat dengan {len(spec.headers)} kolom.')
            current: list[str] = []
            old_width[spec.name] = 0
        else:
            current = header_rows.get(spec.name, [])
            old_width[spec.name] = len(current)
        have = {normalise_header(h) for h in current}
        missing = [h for h in spec.headers if normalise_header(h) not in have]
        finals[spec.name] = current + missing
        if not missing:
            continue
        info = meta.sheets[spec.name]
        start, need = len(current), len(current) + len(missing)
        if need > info.col_count:
            structure.append({"appendDimension": {"sheetId": info.sheet_id, "dimension": "COLUMNS",
                                                  "length": need - info.col_count}})
            info.col_count = need
        header_writes.append({"range": cell_range(spec.name, 1, start, 1, need - 1),
                              "majorDimension": "ROWS", "values": [missing]})
        report.added_headers += [f"{spec.name}: {h}" for h in missing]
        if spec.name not in report.created_tabs:
            report.notes.append(f'{len(missing)} kolom ditambahkan di kanan tab "{spec.name}": '
                                + ", ".join(f'"{h}"' for h in missing) + ".")

    wanted = _wanted_formats(specs, finals, meta, report)
    probes = [(tab, col) for tab, col, _k, _h, _v in wanted
              if col < old_width[tab] and meta.sheets[tab].row_count >= 2]
    found = _probe(sh, meta, sorted(set(probes))) if probes else {}
    for tab, col, kind, header, value in wanted:
        info = meta.sheets[tab]
        rows = {"sheetId": info.sheet_id, "startRowIndex": 1, "endRowIndex": info.row_count,
                "startColumnIndex": col, "endColumnIndex": col + 1}
        cell = found.get((tab, col), {})
        if kind == "protected":
            desc = protection_description(header)
            if any(p.get("description") == desc for p in info.protected):
                continue
            structure.append({"addProtectedRange": {"protectedRange": {
                "range": {"sheetId": info.sheet_id, "startColumnIndex": col, "endColumnIndex": col + 1},
                "description": desc, "warningOnly": True}}})
            report.notes.append(f'Proteksi peringatan dipasang di kolom "{header}" tab "{tab}": orang yang '
                                "mengubahnya akan diperingatkan dulu.")
        elif info.row_count < 2:
            continue
        elif kind == "dropdown":
            if _same_rule(cell.get("dataValidation"), value):
                continue
            structure.append({"setDataValidation": {"range": rows, "rule": value}})
            report.notes.append(f'Dropdown ({", ".join(value_choices(value))}) dipasang di kolom "{header}" '
                                f'tab "{tab}".')
        else:
            current_fmt = (cell.get("userEnteredFormat") or {}).get("numberFormat") or {}
            if (current_fmt.get("type"), current_fmt.get("pattern")) == (value["type"], value["pattern"]):
                continue
            structure.append({"repeatCell": {"range": rows, "cell": {"userEnteredFormat": {"numberFormat": value}},
                                             "fields": "userEnteredFormat.numberFormat"}})
            if kind == "plain_text":
                report.notes.append(f'Format teks biasa dipasang di kolom "{header}" tab "{tab}" agar NIK/nomor '
                                    "HP tidak berubah menjadi angka. Nilai yang terlanjur menjadi angka tidak "
                                    "ikut berubah: periksa dan ketik ulang.")
            else:
                report.notes.append(f'Format tanggal-waktu (dd/mm/yyyy hh:mm:ss) dipasang di kolom "{header}" '
                                    f'tab "{tab}".')

    if structure:
        resp = sh.batch_update({"requests": structure})
        for reply in resp.get("replies") or ():
            pr = (reply or {}).get("addProtectedRange", {}).get("protectedRange")
            if pr:
                info = meta.by_id(int(pr.get("range", {}).get("sheetId", -1)))
                if info is not None:
                    info.protected.append(pr)
    if header_writes:
        sh.values_batch_update({"valueInputOption": "RAW", "data": header_writes})
    if not structure and not header_writes:
        report.notes.append("Spreadsheet sudah sesuai; tidak ada yang diubah.")
    return report, meta


def value_choices(rule: dict) -> list[str]:
    return [v.get("userEnteredValue", "") for v in rule["condition"]["values"]]


def _wanted_formats(specs: Sequence[TabSpec], finals: dict[str, list[str]], meta: SpreadsheetInfo,
                    report: InitReport) -> list[tuple[str, int, str, str, Any]]:
    out = []
    for spec in specs:
        index = {normalise_header(h): i for i, h in reversed(list(enumerate(finals[spec.name])))}
        items = ([("dropdown", h, dropdown_rule(c)) for h, c in spec.dropdowns.items()]
                 + [("protected", h, None) for h in spec.protected]
                 + [("plain_text", h, TEXT_FORMAT) for h in spec.plain_text]
                 + [("datetime", h, DATETIME_FORMAT) for h in spec.datetimes])
        for kind, header, value in items:
            col = index.get(normalise_header(header))
            if col is None:
                report.notes.append(f'Kolom "{header}" tidak ada di tab "{spec.name}"; format/validasi/proteksi '
                                    "untuk kolom itu tidak dipasang.")
                continue
            out.append((spec.name, col, kind, finals[spec.name][col], value))
    return out


def _probe(sh: Any, meta: SpreadsheetInfo, cells: list[tuple[str, int]]) -> dict[tuple[str, int], dict]:
    ranges = [f"{quote_tab(tab)}!{col_letter(col)}{meta.sheets[tab].row_count}" for tab, col in cells]
    data = sh.client.spreadsheets_get(sh.id, params={"ranges": ranges, "includeGridData": "true"})
    found: dict[tuple[str, int], dict] = {}
    for sheet in data.get("sheets") or ():
        title = (sheet.get("properties") or {}).get("title")
        for grid in sheet.get("data") or ():
            col = int(grid.get("startColumn", 0))
            row_data = grid.get("rowData") or [{}]
            values = (row_data[0] or {}).get("values") or [{}]
            found[(title, col)] = values[0] or {}
    return found


def _same_rule(have: Any, want: dict) -> bool:
    if not isinstance(have, dict):
        return False
    cond = have.get("condition") or {}
    return (cond.get("type") == want["condition"]["type"]
            and [v.get("userEnteredValue") for v in cond.get("values") or ()] == value_choices(want)
            and bool(have.get("strict")) and bool(have.get("showCustomUi")))


def _new_id(taken: set[int], rng: random.Random) -> int:
    while True:
        n = rng.randrange(1, 2**31 - 1)
        if n not in taken:
            taken.add(n)
            return n
