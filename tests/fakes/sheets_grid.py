"""The state behind the Sheets API fake: sheets, typed cells, formats, validations.

Built from the documented REST v4 shapes (spreadsheets, spreadsheets.values,
GridRange, CellData). Deliberately independent of bukutamu's own code (its own A1
parser), so a bug in the adapter is not mirrored here.

Cells hold what Sheets stores: None (empty), str, int/float, bool, or Formula.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Iterable

INF = 10**9


class ApiError(Exception):
    """An error the API answers with: {"error": {"code", "message", "status"}}."""

    def __init__(self, code: int, message: str, status: str = "INVALID_ARGUMENT"):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "status": self.status}}


@dataclass(frozen=True)
class Formula:
    text: str


# -- A1 notation ---------------------------------------------------------------

def letters(col: int) -> str:
    s, n = "", col + 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def col_number(text: str) -> int:
    n = 0
    for ch in text.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def a1_sheet_name(title: str) -> str:
    """As the API echoes it: quoted only when needed."""
    if re.fullmatch(r"[A-Za-z0-9_]+", title) and not re.fullmatch(r"[A-Za-z]{1,3}\d+", title):
        return title
    return "'" + title.replace("'", "''") + "'"


_REF = re.compile(r"^([A-Za-z]{0,3})(\d*)(?::([A-Za-z]{0,3})(\d*))?$")


@dataclass
class Area:
    sheet: "Sheet"
    r0: int
    c0: int
    r1: int  # exclusive; INF = unbounded
    c1: int

    def clipped(self) -> "Area":
        return Area(self.sheet, self.r0, self.c0, min(self.r1, self.sheet.row_count),
                    min(self.c1, self.sheet.col_count))

    def a1(self) -> str:
        a = self.clipped()
        ref = f"{letters(a.c0)}{a.r0 + 1}"
        if (a.r1 - a.r0, a.c1 - a.c0) != (1, 1):
            ref += f":{letters(max(a.c1 - 1, a.c0))}{max(a.r1, a.r0 + 1)}"
        return f"{a1_sheet_name(self.sheet.title)}!{ref}"


def parse_range(text: str, book: "Book") -> Area:
    bad = ApiError(400, f"Unable to parse range: {text}")
    s, sheet_name, ref = text.strip(), None, ""
    if s.startswith("'"):
        i, name = 1, ""
        while True:
            j = s.find("'", i)
            if j < 0:
                raise bad
            if s[j + 1:j + 2] == "'":
                name, i = name + s[i:j] + "'", j + 2
                continue
            name += s[i:j]
            rest = s[j + 1:]
            break
        sheet_name = name
        if rest and not rest.startswith("!"):
            raise bad
        ref = rest[1:]
    elif "!" in s:
        sheet_name, ref = s.split("!", 1)
    elif book.sheet(s) is not None:
        sheet_name = s
    elif _REF.match(s):
        ref = s  # a bare reference means the first sheet
    else:
        raise bad
    sheet = book.sheet(sheet_name) if sheet_name is not None else (book.sheets[0] if book.sheets else None)
    if sheet is None:
        raise bad
    if ref == "":
        return Area(sheet, 0, 0, INF, INF)
    m = _REF.match(ref)
    if not m or not any(m.groups()):
        raise bad
    ca, ra, cb, rb = m.groups()
    two = ":" in ref
    r0 = int(ra) - 1 if ra else 0
    c0 = col_number(ca) if ca else 0
    if two:
        r1 = int(rb) if rb else INF
        c1 = col_number(cb) + 1 if cb else INF
    else:
        r1, c1 = (r0 + 1 if ra else INF), (c0 + 1 if ca else INF)
    if r0 < 0 or r1 <= r0 or c1 <= c0:
        raise bad
    return Area(sheet, r0, c0, r1, c1)


# -- values --------------------------------------------------------------------

EPOCH = datetime(1899, 12, 30)
# Number and date syntax per spreadsheet locale (File > Settings > Locale).
# in_ID: decimal comma, "." groups thousands, day-first dates. en_US: the reverse.
_LOCALES = {
    "in_ID": {"decimal": ",", "group": ".", "day_first": True},
    "en_US": {"decimal": ".", "group": ",", "day_first": False},
}
_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def is_text_format(fmt: dict | None) -> bool:
    """Format > Number > Plain text: type TEXT (pattern "@")."""
    return bool(fmt) and (fmt.get("type") == "TEXT" or fmt.get("pattern") == "@")


def _number(t: str, locale: str) -> int | float | None:
    loc = _LOCALES.get(locale, _LOCALES["en_US"])
    d, g = re.escape(loc["decimal"]), re.escape(loc["group"])
    m = re.fullmatch(rf"([+-]?)(\d+|\d{{1,3}}(?:{g}\d{{3}})+)(?:{d}(\d+))?(?:[eE]([+-]?\d+))?", t)
    if not m:
        m2 = re.fullmatch(rf"([+-]?){d}(\d+)", t)  # ",5"
        if not m2:
            return None
        return float(f"{m2.group(1)}0.{m2.group(2)}")
    sign, whole, frac, exp = m.groups()
    num = float(f"{sign}{whole.replace(loc['group'], '')}.{frac or '0'}e{exp or '0'}")
    if abs(num) >= 1e15:
        num = float(f"{num:.15g}")  # Sheets keeps 15 significant digits
    return int(num) if num.is_integer() and abs(num) < 2**53 else num


def _date_serial(t: str, locale: str) -> int | float | None:
    m = _DATE.match(t)
    if not m:
        return None
    a, b, year, hh, mm, ss = m.groups()
    day, month = (a, b) if _LOCALES.get(locale, _LOCALES["en_US"])["day_first"] else (b, a)
    try:
        moment = datetime(int(year), int(month), int(day), int(hh or 0), int(mm or 0), int(ss or 0))
    except ValueError:
        return None  # 31/02/2020 stays text, as in Sheets
    serial = (moment - EPOCH) / timedelta(days=1)
    return int(serial) if hh is None else serial


def user_entered(v: Any, fmt: dict | None = None, locale: str = "in_ID") -> Any:
    """USER_ENTERED, the parts that matter to us, as if typed into a cell with number
    format ``fmt`` in a spreadsheet with ``locale``:
    - a Plain text cell (TEXT / "@") keeps the string exactly as typed;
    - "'..." forces text; "=..." is a formula;
    - numbers in the locale's syntax become numbers ("2,5" -> 2.5 in in_ID), losing
      leading zeros and every digit beyond the 15th significant one;
    - dates dd/mm/yyyy [hh:mm[:ss]] (in_ID; mm/dd/yyyy in en_US) become serial numbers;
    - TRUE/FALSE become booleans."""
    if not isinstance(v, str):
        return v
    if v == "":
        return None
    if is_text_format(fmt):
        return v
    if v.startswith("'"):
        return v[1:]
    if v.startswith("="):
        return Formula(v)
    t = v.strip()
    for parse in (_number, _date_serial):
        got = parse(t, locale)
        if got is not None:
            return got
    if t.upper() in ("TRUE", "FALSE"):
        return t.upper() == "TRUE"
    return v


def raw(v: Any) -> Any:
    return None if v == "" else v


def general(v: float | int) -> str:
    if isinstance(v, int) or float(v).is_integer():
        if abs(v) >= 1e15:
            mant, exp = f"{float(v):.5E}".split("E")
            return f"{mant.rstrip('0').rstrip('.')}E+{int(exp):02d}"
        return str(int(v))
    return f"{v:.15g}"


def format_number(v: float | int, fmt: dict | None) -> str:
    kind = (fmt or {}).get("type")
    if kind in ("DATE_TIME", "DATE", "TIME"):
        moment = EPOCH + timedelta(days=float(v))
        pattern = (fmt.get("pattern") or "dd/mm/yyyy hh:mm:ss")
        py = (pattern.replace("yyyy", "%Y").replace("dd", "%d").replace("hh", "%H")
              .replace("ss", "%S").replace("mm", "%M"))
        py = py.replace("%d/%M", "%d/%m", 1)  # month comes before the year in dd/mm/yyyy
        return moment.strftime(py)
    return general(v)


def render(v: Any, fmt: dict | None, value_option: str, dt_option: str) -> Any:
    if v is None:
        return ""
    if isinstance(v, Formula):
        return v.text if value_option == "FORMULA" else "#N/A"  # the fake evaluates nothing
    if isinstance(v, bool):
        return ("TRUE" if v else "FALSE") if value_option == "FORMATTED_VALUE" else v
    if isinstance(v, (int, float)):
        if value_option == "FORMATTED_VALUE":
            return format_number(v, fmt)
        if dt_option == "FORMATTED_STRING" and (fmt or {}).get("type") in ("DATE_TIME", "DATE", "TIME"):
            return format_number(v, fmt)
        return v
    return v


def trim(rows: list[list[Any]]) -> list[list[Any]]:
    """The API drops trailing empty cells and rows."""
    out = []
    for row in rows:
        while row and row[-1] == "":
            row.pop()
        out.append(row)
    while out and not out[-1]:
        out.pop()
    return out


# -- sheets --------------------------------------------------------------------

def _covers(rng: dict, r: int, c: int) -> bool:
    return (rng.get("startRowIndex", 0) <= r < rng.get("endRowIndex", INF)
            and rng.get("startColumnIndex", 0) <= c < rng.get("endColumnIndex", INF))


@dataclass
class Sheet:
    sheet_id: int
    title: str
    index: int
    row_count: int = 1000
    col_count: int = 26
    frozen_rows: int = 0
    rows: list[list[Any]] = field(default_factory=list)
    formats: list[tuple[dict, dict]] = field(default_factory=list)  # (GridRange, numberFormat)
    validations: list[tuple[dict, dict | None]] = field(default_factory=list)  # (GridRange, rule)
    protected: list[dict] = field(default_factory=list)

    def get(self, r: int, c: int) -> Any:
        if r < len(self.rows) and c < len(self.rows[r]):
            return self.rows[r][c]
        return None

    def set(self, r: int, c: int, v: Any) -> None:
        while len(self.rows) <= r:
            self.rows.append([])
        row = self.rows[r]
        if c >= len(row):
            if v is None:
                return
            row.extend([None] * (c + 1 - len(row)))
        row[c] = v

    def number_format(self, r: int, c: int) -> dict | None:
        for rng, fmt in reversed(self.formats):
            if _covers(rng, r, c):
                return fmt
        return None

    def validation(self, r: int, c: int) -> dict | None:
        for rng, rule in reversed(self.validations):
            if _covers(rng, r, c):
                return rule
        return None

    def used_rows(self) -> int:
        n = len(self.rows)
        while n and not any(v is not None for v in self.rows[n - 1]):
            n -= 1
        return n

    def properties(self) -> dict:
        grid = {"rowCount": self.row_count, "columnCount": self.col_count}
        if self.frozen_rows:
            grid["frozenRowCount"] = self.frozen_rows
        props = {"sheetId": self.sheet_id, "title": self.title, "index": self.index,
                 "sheetType": "GRID", "gridProperties": grid}
        if not props["index"]:
            del props["index"]  # proto3 JSON omits zero values
        if not props["sheetId"]:
            del props["sheetId"]
        return props


class Book:
    """One spreadsheet."""

    def __init__(self, spreadsheet_id: str, title: str, time_zone: str, locale: str = "in_ID"):
        self.id, self.title, self.time_zone, self.locale = spreadsheet_id, title, time_zone, locale
        self.sheets: list[Sheet] = []
        self._protected_id = 1000

    def sheet(self, title: str) -> Sheet | None:
        return next((s for s in self.sheets if s.title == title), None)

    def by_id(self, sheet_id: int) -> Sheet:
        s = next((s for s in self.sheets if s.sheet_id == sheet_id), None)
        if s is None:
            raise ApiError(400, f"No grid with id: {sheet_id}")
        return s

    def add_sheet(self, title: str, rows: int = 1000, cols: int = 26, sheet_id: int | None = None,
                  index: int | None = None, frozen: int = 0) -> Sheet:
        if self.sheet(title):
            raise ApiError(400, f'A sheet with the name "{title}" already exists. Please enter another name.')
        if sheet_id is None:
            sheet_id = max((s.sheet_id for s in self.sheets), default=-1) + 1 if self.sheets else 0
        if any(s.sheet_id == sheet_id for s in self.sheets):
            raise ApiError(400, f"A sheet with the id {sheet_id} already exists.")
        sheet = Sheet(sheet_id, title, 0, rows, cols, frozen)
        self.sheets.insert(len(self.sheets) if index is None else min(index, len(self.sheets)), sheet)
        for i, s in enumerate(self.sheets):
            s.index = i
        return sheet

    # -- spreadsheets.get ----------------------------------------------------------

    def metadata(self, ranges: Iterable[str] = (), grid_data: bool = False) -> dict:
        areas = [parse_range(r, self) for r in ranges]
        sheets = [s for s in self.sheets if not areas or any(a.sheet is s for a in areas)]
        out = []
        for s in sheets:
            item: dict[str, Any] = {"properties": s.properties()}
            if s.protected:
                item["protectedRanges"] = copy.deepcopy(s.protected)
            if grid_data:
                item["data"] = [self._grid_data(a.clipped()) for a in areas if a.sheet is s]
            out.append(item)
        return {"spreadsheetId": self.id,
                "properties": {"title": self.title, "locale": self.locale, "autoRecalc": "ON_CHANGE",
                               "timeZone": self.time_zone},
                "sheets": out,
                "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{self.id}/edit"}

    def _grid_data(self, a: Area) -> dict:
        rows = []
        for r in range(a.r0, a.r1):
            cells = []
            for c in range(a.c0, a.c1):
                cell: dict[str, Any] = {}
                v, fmt, rule = a.sheet.get(r, c), a.sheet.number_format(r, c), a.sheet.validation(r, c)
                if v is not None:
                    cell["userEnteredValue"] = _extended(v)
                    cell["formattedValue"] = render(v, fmt, "FORMATTED_VALUE", "SERIAL_NUMBER")
                if fmt:
                    cell["userEnteredFormat"] = {"numberFormat": dict(fmt)}
                if rule:
                    cell["dataValidation"] = copy.deepcopy(rule)
                cells.append(cell)
            rows.append({"values": cells})
        data: dict[str, Any] = {"rowData": rows}
        if a.r0:
            data["startRow"] = a.r0
        if a.c0:
            data["startColumn"] = a.c0
        return data

    # -- values ------------------------------------------------------------------

    def read(self, text: str, value_option: str, dt_option: str) -> dict:
        area = parse_range(text, self).clipped()
        s = area.sheet
        fast = value_option == "UNFORMATTED_VALUE" and dt_option == "SERIAL_NUMBER"
        rows = []
        for r in range(area.r0, min(area.r1, len(s.rows))):
            src = s.rows[r][area.c0:area.c1]
            if fast:
                rows.append([("" if v is None else ("#N/A" if type(v) is Formula else v)) for v in src])
            else:
                rows.append([render(v, s.number_format(r, area.c0 + i), value_option, dt_option)
                             for i, v in enumerate(src)])
        out = {"range": area.a1(), "majorDimension": "ROWS"}
        values = trim(rows)
        if values:
            out["values"] = values
        return out

    def check_write(self, text: str, values: list, option: str) -> Area:
        area = parse_range(text, self)
        if option not in ("RAW", "USER_ENTERED"):
            raise ApiError(400, "Invalid valueInputOption: " + str(option))
        if not isinstance(values, list) or any(not isinstance(r, list) for r in values):
            raise ApiError(400, "Invalid values: expected a list of rows")
        if area.r1 != INF and len(values) > area.r1 - area.r0:
            raise ApiError(400, f"Requested writing within range [{text}], but tried writing to row "
                                f"[{area.r0 + len(values)}]")
        width = max((len(r) for r in values), default=0)
        if area.c1 != INF and width > area.c1 - area.c0:
            raise ApiError(400, f"Requested writing within range [{text}], but tried writing to column "
                                f"[{letters(area.c0 + width - 1)}]")
        for r in values:
            for v in r:
                if v is not None and not isinstance(v, (str, int, float, bool)):
                    raise ApiError(400, "Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue)")
        s = area.sheet
        if values and (area.r0 + len(values) > s.row_count or area.c0 + width > s.col_count):
            raise ApiError(400, f"Range ({text}) exceeds grid limits. Max rows: {s.row_count}, "
                                f"max columns: {s.col_count}")
        return area

    def write(self, area: Area, values: list, option: str) -> dict:
        cells = 0
        s = area.sheet
        for i, row in enumerate(values):
            for j, v in enumerate(row):
                if v is None:
                    continue  # "Null values will be skipped"
                r, c = area.r0 + i, area.c0 + j
                s.set(r, c, raw(v) if option == "RAW" else user_entered(v, s.number_format(r, c), self.locale))
                cells += 1
        width = max((len(r) for r in values), default=0)
        written = Area(area.sheet, area.r0, area.c0, area.r0 + max(len(values), 1), area.c0 + max(width, 1))
        return {"spreadsheetId": self.id, "updatedRange": written.a1(), "updatedRows": len(values),
                "updatedColumns": width, "updatedCells": cells}

    # -- spreadsheets.batchUpdate -------------------------------------------------------

    def batch_update(self, requests: list[dict]) -> list[dict]:
        """All or nothing, like the API: work on copies, swap in at the end."""
        saved = [(s, copy.copy(s), list(s.formats), list(s.validations), copy.deepcopy(s.protected))
                 for s in self.sheets]
        order = list(self.sheets)
        try:
            return [self._apply(i, req) for i, req in enumerate(requests)]
        except ApiError:
            for s, shallow, formats, validations, protected in saved:
                s.__dict__.update(shallow.__dict__)
                s.formats, s.validations, s.protected = formats, validations, protected
            self.sheets = order
            raise

    def _apply(self, i: int, req: dict) -> dict:
        if len(req) != 1:
            raise ApiError(400, f"Invalid requests[{i}]: exactly one kind of request expected")
        kind, body = next(iter(req.items()))
        try:
            handler = getattr(self, "_req_" + kind)
        except AttributeError:
            raise ApiError(400, f"Invalid requests[{i}]: the fake does not support {kind}") from None
        try:
            return handler(body) or {}
        except ApiError as e:
            raise ApiError(e.code, f"Invalid requests[{i}].{kind}: {e.message}", e.status) from None

    def _req_addSheet(self, body: dict) -> dict:
        p = body.get("properties") or {}
        if not p.get("title"):
            raise ApiError(400, "title is required")
        grid = p.get("gridProperties") or {}
        s = self.add_sheet(p["title"], grid.get("rowCount", 1000), grid.get("columnCount", 26),
                           p.get("sheetId"), p.get("index"), grid.get("frozenRowCount", 0))
        return {"addSheet": {"properties": s.properties()}}

    def _req_appendDimension(self, body: dict) -> None:
        s, n = self.by_id(body.get("sheetId", 0)), int(body.get("length", 0))
        if n <= 0:
            raise ApiError(400, "length must be positive")
        if body.get("dimension") == "ROWS":
            s.row_count += n
        elif body.get("dimension") == "COLUMNS":
            s.col_count += n
        else:
            raise ApiError(400, "dimension must be ROWS or COLUMNS")

    def _req_deleteDimension(self, body: dict) -> None:
        """Rows only (what bukutamu deletes). Like Google: the rows below move up, the
        grid shrinks, and a sheet cannot lose all of its non-frozen rows."""
        rng = body.get("range") or {}
        s = self.by_id(rng.get("sheetId", 0))
        if rng.get("dimension") != "ROWS":
            raise ApiError(400, "the fake deletes ROWS only")
        a, b = int(rng.get("startIndex", 0)), int(rng.get("endIndex", 0))
        if not 0 <= a < b <= s.row_count:
            raise ApiError(400, f"Invalid range: rows {a}-{b} outside the grid of {s.row_count} rows")
        if b - a >= s.row_count - s.frozen_rows:
            raise ApiError(400, "You can't delete all the rows in the sheet.")
        s.rows = s.rows[:a] + s.rows[b:]  # a new list: the batch's rollback keeps the old one
        s.row_count -= b - a

    def _req_setDataValidation(self, body: dict) -> None:
        rng = body.get("range") or {}
        self.by_id(rng.get("sheetId", 0)).validations.append((dict(rng), copy.deepcopy(body.get("rule"))))

    def _req_addProtectedRange(self, body: dict) -> dict:
        pr = copy.deepcopy(body.get("protectedRange") or {})
        s = self.by_id((pr.get("range") or {}).get("sheetId", 0))
        self._protected_id += 1
        pr["protectedRangeId"] = self._protected_id
        s.protected.append(pr)
        return {"addProtectedRange": {"protectedRange": copy.deepcopy(pr)}}

    def _req_repeatCell(self, body: dict) -> None:
        rng = body.get("range") or {}
        s = self.by_id(rng.get("sheetId", 0))
        fields = body.get("fields", "")
        fmt = ((body.get("cell") or {}).get("userEnteredFormat") or {}).get("numberFormat")
        if "numberFormat" in fields or fields in ("*", "userEnteredFormat"):
            s.formats.append((dict(rng), dict(fmt or {})))

    def _req_updateSheetProperties(self, body: dict) -> None:
        p = body.get("properties") or {}
        s = self.by_id(p.get("sheetId", 0))
        fields = [f.strip() for f in body.get("fields", "").split(",") if f.strip()]
        grid = p.get("gridProperties") or {}
        for f in fields:
            if f == "title":
                if self.sheet(p["title"]) not in (None, s):
                    raise ApiError(400, f'A sheet with the name "{p["title"]}" already exists.')
                s.title = p["title"]
            elif f == "gridProperties.frozenRowCount":
                s.frozen_rows = grid.get("frozenRowCount", 0)
            elif f == "gridProperties.rowCount":
                s.row_count = grid["rowCount"]
            elif f == "gridProperties.columnCount":
                s.col_count = grid["columnCount"]
            else:
                raise ApiError(400, f"the fake does not support field {f}")

    def _req_copyPaste(self, body: dict) -> None:
        src, dst = body.get("source") or {}, body.get("destination") or {}
        s, d = self.by_id(src.get("sheetId", 0)), self.by_id(dst.get("sheetId", 0))
        kind = body.get("pasteType", "PASTE_NORMAL")
        row = src.get("startRowIndex", 0)
        lists = {"PASTE_FORMAT": ("formats",), "PASTE_DATA_VALIDATION": ("validations",)}.get(kind)
        if lists is None:
            raise ApiError(400, f"the fake supports PASTE_FORMAT and PASTE_DATA_VALIDATION only, not {kind}")
        for name in lists:
            entries = [(rng, v) for rng, v in getattr(s, name)
                       if rng.get("startRowIndex", 0) <= row < rng.get("endRowIndex", INF)]
            for rng, v in entries:
                new = dict(rng, sheetId=d.sheet_id, startRowIndex=dst.get("startRowIndex", 0),
                           endRowIndex=dst.get("endRowIndex", d.row_count))
                getattr(d, name).append((new, copy.deepcopy(v)))


def _extended(v: Any) -> dict:
    if isinstance(v, Formula):
        return {"formulaValue": v.text}
    if isinstance(v, bool):
        return {"boolValue": v}
    if isinstance(v, (int, float)):
        return {"numberValue": v}
    return {"stringValue": v}
