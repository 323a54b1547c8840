"""GoogleSheetStore: the SheetStore port on a Google Sheet (gspread + service account).

Requests, once the spreadsheet is open (``open_by_key``: one request, lazily, on first
use; its metadata - tab titles, ids, grid sizes, time zone - is kept):
- ``read``: exactly one ``values:batchGet`` over all tabs (append-only tabs: header
  row and column A only), UNFORMATTED_VALUE +
  SERIAL_NUMBER (a NIK coerced to a number arrives as a JSON number, timestamps as
  serial numbers in the spreadsheet's time zone);
- ``write``: exactly one ``values:batchUpdate`` with RAW input, none for an empty batch.
Rare extra requests, each documented where it happens:
- appends beyond the grid's rowCount: one ``spreadsheets.batchUpdate`` first
  (appendDimension of max(1000, needed) rows, formats copied from the last row);
- a write rejected for grid limits (a person deleted rows): metadata refresh, expand,
  the write once more;
- a row moved by a person between read and write: one read and one repair write
  (guard.py);
- a read naming a tab that was renamed/deleted since the metadata was fetched, or a
  requested tab unknown for longer than ``metadata_max_age``: one metadata refresh;
- a write that timed out (or got a 5xx) and was retried may be applied by Google
  later, after rows were sorted or a later cycle moved the visit on: the next reads
  check for it and put the cells back in one repair write (late.py).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
import os
import random as _random
import time
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import gspread

from bukutamu.adapters.google.a1 import col_letter, quote_tab
from bukutamu.adapters.google.credentials import keep_on_endpoint, load_service_account
from bukutamu.adapters.google.guard import misplaced, plan_repair, repair_ranges
from bukutamu.adapters.google.http import RetryingHTTPClient, SheetsHTTPError
from bukutamu.adapters.google.late import WATCH_SECONDS, Digested, Uncertain, dump, late_repairs, load
from bukutamu.adapters.google.metadata import SpreadsheetInfo
from bukutamu.adapters.google.setup import run_init
from bukutamu.adapters.google.writeplan import TabState, WritePlan, plan_write
from bukutamu.adapters.store import InitReport, TabSpec
from bukutamu.core.schema import normalise_header
from bukutamu.core.sheet import CellUpdate, Row, Snapshot, Tab, WriteBatch
from bukutamu.errors import ConfigError, StoreError

log = logging.getLogger("bukutamu.google")

READ_PARAMS = {"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER",
               "majorDimension": "ROWS"}
GROW_ROWS = 1000


class GoogleSheetStore:
    def __init__(self, client: gspread.Client, spreadsheet_id: str, *, endpoint: str = "",
                 metadata_max_age: float = 600.0, clock: Callable[[], float] = time.monotonic,
                 watch_file: Path | None = None) -> None:
        self._gc = client
        self._http: RetryingHTTPClient = client.http_client  # type: ignore[assignment]
        self.spreadsheet_id = spreadsheet_id
        self.endpoint = endpoint
        self.metadata_max_age = metadata_max_age
        self._clock = clock
        self._sh: gspread.Spreadsheet | None = None
        self._meta: SpreadsheetInfo | None = None
        self._meta_at = 0.0
        self._stale = False
        self._tabs: dict[str, TabState] = {}
        self._uncertain: list[Uncertain] = []  # writes Google may still apply late
        self._loaded: dict[str, Digested] = {}  # what an earlier process knew (watch file)
        self._watch_file = watch_file
        self._watch_read = watch_file is None
        self.repairs = 0  # writes that had to be repaired (rows moved by a person)
        # A repair that failed (network, quota) is owed: cells sit on rows that are not
        # theirs. It is retried before the next read, from the snapshot it was planned on.
        self._owed_repair: tuple[list, WritePlan, dict[str, TabState]] | None = None
        self.late_repairs = 0  # late-applied writes put right

    @classmethod
    def from_settings(cls, settings: Any, *, sleep: Callable[[float], None] = time.sleep,
                      random: Callable[[], float] = _random.random,
                      clock: Callable[[], float] = time.monotonic) -> "GoogleSheetStore":
        store = settings.store
        if not store.spreadsheet_id:
            raise ConfigError('store.spreadsheet_id: wajib diisi untuk store.kind = "google" '
                              "(ID ada di URL spreadsheet: docs.google.com/spreadsheets/d/<ID>/edit).")
        creds = load_service_account(settings.secrets.google_key_file)
        if store.endpoint:
            keep_on_endpoint(creds)
        read = float(store.timeout_seconds)
        factory = RetryingHTTPClient.factory(endpoint=store.endpoint, timeout=(min(10.0, read), read),
                                             max_attempts=int(store.max_attempts), sleep=sleep, random=random)
        client = gspread.Client(auth=creds, http_client=factory)
        watch = Path(settings.data_dir) / f"google-tulis-ragu-{store.spreadsheet_id[:40]}.json"
        return cls(client, store.spreadsheet_id, endpoint=store.endpoint, clock=clock, watch_file=watch)

    # -- port ------------------------------------------------------------------

    def describe(self) -> str:
        email = getattr(getattr(self._http, "auth", None), "service_account_email", "")
        where = f", endpoint {self.endpoint}" if self.endpoint else ""
        return f"Google Sheets (spreadsheet {self.spreadsheet_id}, service account {email}{where})"

    def init(self, specs: Sequence[TabSpec]) -> InitReport:
        report, self._meta = run_init(self._spreadsheet(), specs)
        self._meta_at, self._stale = self._clock(), False
        self._tabs = {}
        return report

    def read(self, tabs: Sequence[str], append_only: Sequence[str] = ()) -> Snapshot:
        if self._owed_repair is not None:
            bad, plan, states = self._owed_repair
            self._tabs = states
            log.info("Google Sheets: memperbaiki sel yang salah tempat dari penulisan sebelumnya.")
            self._repair(bad, plan)
        meta = self._metadata()
        names = list(dict.fromkeys([*tabs, *append_only]))
        if any(n not in meta.sheets for n in names) and self._clock() - self._meta_at > self.metadata_max_age:
            meta = self._refresh_metadata()  # a tab may have been created since
        try:
            got = self._fetch_tabs(names, set(append_only), meta)
        except SheetsHTTPError as e:
            if e.reason != "bad_range":
                raise
            meta = self._refresh_metadata()  # renamed or deleted since we looked
            got = self._fetch_tabs(names, set(append_only), meta)
        if not self._watch_read:
            self._load_watch()
        if self._uncertain:
            self._put_back_late_writes(got)
        states: dict[str, TabState] = {}
        out: dict[str, Tab] = {}
        for name, (values, column_a) in got.items():
            header = tuple("" if v is None else str(v) for v in (values[0] if values else ()))
            if column_a is not None:  # append-only: header and count, no rows
                last = max(len(column_a), 1 if any(header) else 0)
                states[name] = TabState(name, header, {}, last)
                counts = Counter(str(r[0]) for r in column_a[1:] if r and r[0] not in ("", None))
                out[name] = Tab(name=name, header=header, rows=(), row_count=max(last - 1, 0),
                                column_a_counts=dict(counts))
                continue
            width = len(header)
            rows, kept = [], {}
            for number, cells in enumerate(values[1:], start=2):
                if not any(c not in (None, "") for c in cells):
                    continue  # an empty row in the middle: nothing to see
                row = tuple(None if c == "" else c for c in cells[:width])  # the API says "" for empty
                rows.append(Row(ref=number, values=row))
                kept[number] = row
            states[name] = TabState(name, header, kept, len(values))
            out[name] = Tab(name=name, header=header, rows=tuple(rows))
        self._tabs = states
        self._loaded = {}  # this read is what we know now (saved with the next write)
        missing = tuple(n for n in names if n not in got)
        return Snapshot(tabs=out, time_zone=meta.time_zone, missing_tabs=missing,
                        cell_count=sum(i.row_count * i.col_count for i in meta.sheets.values()))

    def write(self, batch: WriteBatch) -> None:
        if not batch:
            return
        plan = plan_write(batch, self._tabs)
        self._ensure_grid(plan)
        body = self._body(plan)
        uncertain = getattr(self._http, "uncertain_writes", 0)
        try:
            try:
                resp = self._spreadsheet().values_batch_update(body)
            except SheetsHTTPError as e:
                if e.reason != "grid_limits":
                    raise
                self._refresh_metadata()  # rows were deleted by a person: grid smaller than we knew
                self._ensure_grid(plan)
                resp = self._spreadsheet().values_batch_update(self._body(plan))
        finally:
            if getattr(self._http, "uncertain_writes", 0) != uncertain and plan.guards:
                # An attempt may still be applied by Google later: watch for it.
                self._uncertain.append(Uncertain(self._clock(), list(plan.guards)))
                self._save_watch()  # also when the write failed for good and the process ends
                log.warning("Google Sheets: penulisan ke sheet harus diulang (waktu habis/galat server); "
                            "percobaan pertama mungkin diterapkan Google belakangan, siklus berikutnya memeriksanya.")
        bad = misplaced(plan.guards, resp.get("responses") or [], self._tabs)
        self._after_write(plan)
        if bad:
            self._owed_repair = (bad, plan, dict(self._tabs))
            self._repair(bad, plan)
        else:
            self._remember(plan)
        if self._uncertain:
            self._save_watch()  # what we wrote is what the next process must know

    def edit_visit(self, tab: str, visit_header: str, visit_id: str, values: Mapping[str, Any],
                   unless_changed: Mapping[str, Any] | None = None) -> bool:
        """The port's cell edit by visit ID: one read of the tab, then one guarded
        values write (a row moved by a person in between is detected and repaired by
        the write guard, as for a cycle's write). The helpdesk edits the sheet
        directly in Google mode; this keeps both stores to one contract."""
        found = self.read([tab]).tab(tab)
        if found is None:
            raise StoreError(f'Tab "{tab}" belum ada; jalankan `bukutamu init` dulu.')
        index: dict[str, int] = {}
        for i, h in enumerate(found.header):
            index.setdefault(normalise_header(h), i)

        def col(h: str) -> int:
            try:
                return index[normalise_header(h)]
            except KeyError:
                raise StoreError(f'Kolom "{h}" tidak ada di tab "{tab}"; jalankan `bukutamu init`.') from None

        vcol = col(visit_header)
        hits = [r for r in found.rows if str(r.get(vcol) or "").strip() == visit_id]
        if len(hits) != 1:
            raise StoreError(f"Kunjungan {visit_id} " + ("tidak ada" if not hits else "muncul lebih dari sekali")
                             + f' di tab "{tab}".')
        row = hits[0]
        for h, want in (unless_changed or {}).items():
            have = row.get(col(h))
            if str("" if have is None else have) != str("" if want is None else want):
                return False
        updates = [CellUpdate(tab, row.ref, found.header[col(h)], v) for h, v in values.items()]
        self.write(WriteBatch(updates=updates))
        return True

    def remove_rows(self, tab: str, rows: Sequence[Row]) -> int:
        """The port's archive delete. Sheets deletes rows by position only, so: one
        fresh read of the tab finds the rows by content just before one
        ``spreadsheets.batchUpdate`` of deleteDimension requests (bottom up), then one
        read checks the result. A person sorting or inserting in the moment between
        the two could shift a deletion onto another row: such a row is found missing
        by the check and written back at the end of the tab (rare; logged)."""
        if not rows:
            return 0
        info = self._metadata().sheets.get(tab)
        if info is None:
            raise StoreError(f'Tab "{tab}" tidak ada di spreadsheet; jalankan `bukutamu init`.')
        before = self._fetch([quote_tab(tab)])[0]
        width = len(before[0]) if before else 0
        wanted = Counter(_content(r.values, width) for r in rows)
        doomed: list[int] = []  # 0-based grid rows
        for index, cells in enumerate(before[1:], start=1):
            key = _content(cells, width)
            if any(c is not None for c in key) and wanted[key] > 0:
                wanted[key] -= 1
                doomed.append(index)
        if not doomed:
            return 0
        requests: list[dict] = []
        if len(doomed) >= info.row_count - 1:  # Google keeps at least one row under the header
            requests.append({"appendDimension": {"sheetId": info.sheet_id, "dimension": "ROWS", "length": 1}})
            info.row_count += 1
        for start, end in reversed(_runs(doomed)):
            requests.append({"deleteDimension": {"range": {"sheetId": info.sheet_id, "dimension": "ROWS",
                                                           "startIndex": start, "endIndex": end}}})
        self._tabs.pop(tab, None)  # row numbers of earlier snapshots mean nothing now
        try:
            self._spreadsheet().batch_update({"requests": requests})
        except StoreError:
            self.invalidate_metadata()
            raise
        info.row_count -= len(doomed)
        after = self._fetch([quote_tab(tab)])[0]
        kept = set(doomed)
        stayed = Counter(_content(c, width) for i, c in enumerate(before[1:], start=1) if i not in kept)
        now = Counter(_content(c, width) for c in after[1:])
        stayed.pop((), None)
        lost = _really_lost(stayed - now, now - stayed)
        if lost:
            self._write_back(tab, info, len(after), lost)
        return len(doomed)

    def _write_back(self, tab: str, info, used_rows: int, rows: list[tuple]) -> None:
        """Rows a deletion took by mistake (a person moved rows at that moment): put
        back at the end of the tab, values as read (RAW)."""
        need = used_rows + len(rows)
        if need > info.row_count:
            self._spreadsheet().batch_update({"requests": [{"appendDimension": {
                "sheetId": info.sheet_id, "dimension": "ROWS", "length": need - info.row_count}}]})
            info.row_count = need
        width = max(len(r) for r in rows)
        values = [["" if v is None else v for v in r] + [""] * (width - len(r)) for r in rows]
        self._spreadsheet().values_batch_update({"valueInputOption": "RAW", "data": [
            {"range": f"{quote_tab(tab)}!A{used_rows + 1}:{col_letter(width - 1)}{need}", "values": values}]})
        log.warning("Google Sheets: %d baris ikut terhapus saat pengarsipan karena baris diurutkan/disisipkan "
                    "pada saat yang sama; baris itu sudah ditulis kembali di akhir tab \"%s\".", len(rows), tab)

    def close(self) -> None:
        if self._uncertain:
            self._save_watch()
        self._http.session.close()

    def cell_count(self) -> int:
        """Cells the spreadsheet holds (rows x columns of every tab, empty ones too): what
        Google counts against its 10 million limit. From the kept metadata."""
        return sum(s.row_count * s.col_count for s in self._metadata().sheets.values())

    def tab_names(self) -> list[str]:
        """The spreadsheet's tabs, in order (from the kept metadata)."""
        return [n for n, _ in sorted(self._metadata().sheets.items(), key=lambda kv: kv[1].index)]

    def plain_text_columns(self, tab: str, columns: Sequence[int]) -> dict[int, bool]:
        """Whether each 0-based column of ``tab`` has the Plain text number format
        where Forms will write: the next row after the last one read and the last grid
        row. ONE spreadsheets.get with grid data for those few cells (for `check`);
        read ``tab`` first."""
        info = self._metadata().sheets.get(tab)
        st = self._tabs.get(tab)
        if info is None or st is None or not columns:
            return {}
        rows = sorted({min(max(st.last_row, 1) + 1, info.row_count), info.row_count} - {0, 1})
        if not rows:
            return {c: False for c in columns}
        ranges = [f"{quote_tab(tab)}!{col_letter(c)}{r}" for c in columns for r in rows]
        data = self._http.spreadsheets_get(self.spreadsheet_id, params={"ranges": ranges, "includeGridData": "true"})
        ok, seen = {c: True for c in columns}, set()
        for sheet in data.get("sheets") or ():
            if (sheet.get("properties") or {}).get("title") != tab:
                continue
            for grid in sheet.get("data") or ():
                col = int(grid.get("startColumn", 0))
                cells = ((grid.get("rowData") or [{}])[0] or {}).get("values") or [{}]
                fmt = ((cells[0] or {}).get("userEnteredFormat") or {}).get("numberFormat") or {}
                seen.add(col)
                if col in ok and not (fmt.get("type") == "TEXT" or fmt.get("pattern") == "@"):
                    ok[col] = False
        return {c: ok[c] and c in seen for c in columns}

    def invalidate_metadata(self) -> None:
        """Re-read the spreadsheet metadata on next use (one extra request)."""
        self._stale = True

    # -- internals ---------------------------------------------------------------

    def _spreadsheet(self) -> gspread.Spreadsheet:
        if self._sh is None:
            self._sh = self._gc.open_by_key(self.spreadsheet_id)
            self._meta = SpreadsheetInfo.parse(self._http.metadata[self.spreadsheet_id])
            self._meta_at, self._stale = self._clock(), False
        return self._sh

    def _metadata(self) -> SpreadsheetInfo:
        self._spreadsheet()
        if self._stale:
            return self._refresh_metadata()
        assert self._meta is not None
        return self._meta

    def _refresh_metadata(self) -> SpreadsheetInfo:
        self._meta = SpreadsheetInfo.parse(self._spreadsheet().fetch_sheet_metadata())
        self._meta_at, self._stale = self._clock(), False
        return self._meta

    def _fetch(self, ranges: list[str]) -> list[list[list[Any]]]:
        """ONE values:batchGet; a fresh list and params per call (gspread mutates them)."""
        if not ranges:
            return []
        resp = self._spreadsheet().values_batch_get(list(ranges), params=dict(READ_PARAMS))
        got = resp.get("valueRanges") or []
        if len(got) != len(ranges):
            raise StoreError("Jawaban Google Sheets tidak lengkap (jumlah rentang tidak sesuai); coba lagi.")
        return [list(vr.get("values") or []) for vr in got]

    def _fetch_tabs(self, names: list[str], append_only: set[str],
                    meta: SpreadsheetInfo) -> dict[str, tuple[list, list | None]]:
        """Whole tabs, or for append-only tabs the header row plus column A (its length
        is the last row in use: column A must be filled on every row of such a tab)."""
        present = [n for n in names if n in meta.sheets]
        ranges: list[str] = []
        for n in present:
            q = quote_tab(n)
            ranges += [f"{q}!1:1", f"{q}!A:A"] if n in append_only else [q]
        values = iter(self._fetch(ranges))
        return {n: (next(values), next(values)) if n in append_only else (next(values), None) for n in present}

    @staticmethod
    def _body(plan: WritePlan) -> dict:
        body: dict[str, Any] = {"valueInputOption": "RAW", "data": [dict(d) for d in plan.data]}
        if plan.guards:
            body.update(includeValuesInResponse=True, responseValueRenderOption="UNFORMATTED_VALUE",
                        responseDateTimeRenderOption="SERIAL_NUMBER")
        return body

    def _ensure_grid(self, plan: WritePlan) -> None:
        """Rare: one spreadsheets.batchUpdate when the write would pass the grid."""
        meta = self._metadata()
        requests: list[dict] = []
        for tab, rows in plan.rows_needed.items():
            info = meta.sheets.get(tab)
            if info is None:
                raise StoreError(f'Tab "{tab}" tidak ada lagi di spreadsheet; jalankan `bukutamu init`.')
            if rows > info.row_count:
                add = max(GROW_ROWS, rows - info.row_count)
                requests.append({"appendDimension": {"sheetId": info.sheet_id, "dimension": "ROWS", "length": add}})
                if info.row_count >= 2:  # new rows get the formats and dropdowns of the last row
                    source = {"sheetId": info.sheet_id, "startRowIndex": info.row_count - 1,
                              "endRowIndex": info.row_count}
                    dest = {"sheetId": info.sheet_id, "startRowIndex": info.row_count,
                            "endRowIndex": info.row_count + add}
                    for kind in ("PASTE_FORMAT", "PASTE_DATA_VALIDATION"):
                        requests.append({"copyPaste": {"source": source, "destination": dest,
                                                       "pasteType": kind, "pasteOrientation": "NORMAL"}})
                info.row_count += add
            cols = plan.cols_needed.get(tab, 0)
            if cols > info.col_count:
                requests.append({"appendDimension": {"sheetId": info.sheet_id, "dimension": "COLUMNS",
                                                     "length": cols - info.col_count}})
                info.col_count = cols
        if requests:
            log.info("Google Sheets: menambah baris/kolom sheet sebelum menulis.")
            try:
                self._spreadsheet().batch_update({"requests": requests})
            except StoreError:
                self.invalidate_metadata()
                raise

    def _after_write(self, plan: WritePlan) -> None:
        for tab, n in plan.appended.items():
            self._tabs[tab].last_row = max(self._tabs[tab].last_row, 1) + n
        for tab, last in plan.replaced.items():
            st = self._tabs[tab]
            st.rows, st.last_row = {}, last  # old refs mean nothing now

    def _remember(self, plan: WritePlan) -> None:
        """What we just wrote is what those rows hold now (for late-write checks)."""
        for g in plan.guards:
            st = self._tabs.get(g.tab)
            if st is None or g.ref not in st.rows:
                continue
            row = list(st.rows[g.ref])
            row += [None] * (g.width - len(row))
            for c, v in g.targets.items():
                row[c] = None if v == "" else v
            st.rows[g.ref] = tuple(row)

    def _load_watch(self) -> None:
        """Uncertain writes an earlier process left to watch (poll --once per cycle)."""
        self._watch_read = True
        path = self._watch_file
        if path is None or not path.exists():
            return
        try:
            uncertain, states = load(json.loads(path.read_text(encoding="utf-8")), self._clock(), time.time())
        except (OSError, ValueError, KeyError, TypeError):
            log.warning("Google Sheets: berkas pengawasan penulisan %s rusak; diabaikan.", path.name)
            uncertain, states = [], {}
        self._uncertain += uncertain
        self._loaded = states
        if not uncertain:
            self._save_watch()

    def _save_watch(self) -> None:
        path = self._watch_file
        if path is None:
            return
        now = self._clock()
        self._uncertain = [u for u in self._uncertain if now - u.at <= WATCH_SECONDS]
        try:
            if not self._uncertain:
                path.unlink(missing_ok=True)
                return
            data = dump(self._uncertain, {**self._loaded, **self._tabs}, now, time.time())
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_text(json.dumps(data), encoding="utf-8")
            os.replace(tmp, path)
        except OSError as e:
            log.warning("Google Sheets: berkas pengawasan penulisan tidak dapat disimpan (%s); penulisan yang "
                        "diterapkan terlambat hanya diawasi selama proses ini berjalan.", type(e).__name__)

    def _put_back_late_writes(self, got: dict[str, tuple[list, list | None]]) -> None:
        """A write retried after a timeout may have been applied again by Google since
        the last read, on rows a person sorted meanwhile or over a later cycle's values:
        put those cells back (one repair write, rare) and show the repaired rows."""
        now = self._clock()
        self._uncertain = [u for u in self._uncertain if now - u.at <= WATCH_SECONDS]
        fresh = {t: values for t, (values, column_a) in got.items() if column_a is None}
        cells, landed = late_repairs(self._uncertain, {**self._loaded, **self._tabs}, fresh)
        if not cells:
            return
        self._spreadsheet().values_batch_update({"valueInputOption": "RAW", "data": repair_ranges(cells)})
        for (tab, row, col), v in cells.items():
            values = got[tab][0]
            while len(values) < row:
                values.append([])
            line = values[row - 1]
            line += [""] * (col + 1 - len(line))
            line[col] = v
        self._uncertain = [u for n, u in enumerate(self._uncertain) if n not in landed]
        self.late_repairs += 1
        self._save_watch()
        log.warning("Google Sheets: penulisan lama yang sempat habis waktu ternyata diterapkan Google belakangan "
                    "(%d sel, %d baris); sel itu sudah dikembalikan sebelum siklus ini diproses.",
                    len(cells), len({(t, r) for t, r, _ in cells}))

    def _repair(self, bad: list, plan: WritePlan) -> None:
        tabs = list(dict.fromkeys(g.tab for g in bad))
        fresh = dict(zip(tabs, self._fetch([quote_tab(t) for t in tabs])))
        rep = plan_repair(bad, plan.guards, self._tabs, fresh)
        if rep.cells:
            self._spreadsheet().values_batch_update({"valueInputOption": "RAW", "data": repair_ranges(rep.cells)})
        self._owed_repair = None
        for t in tabs:
            self._tabs.pop(t, None)  # refs of that snapshot are stale: read again before writing
        self.repairs += 1
        if not (rep.restored or rep.moved or rep.unresolved):
            log.info("Google Sheets: baris yang ditulis diubah orang di antara baca dan tulis; sudah diperiksa, "
                     "tidak ada yang salah tempat.")
            return
        log.warning("Google Sheets: %d baris bergeser (disisipkan/diurutkan/dihapus) saat menulis; "
                    "%d dikembalikan, %d ditulis di posisi barunya, %d menunggu siklus berikutnya.",
                    len(bad), rep.restored, rep.moved, rep.unresolved)
        if rep.unresolved:
            raise StoreError(f"{rep.unresolved} baris bergeser saat bukutamu menulis (ada yang menyisipkan, "
                             "mengurutkan, atau menghapus baris). Sel yang salah tempat sudah dikembalikan; "
                             "perubahan untuk baris itu diulang pada siklus berikutnya.")


def _content(cells: Sequence[Any], width: int) -> tuple:
    """A row's cells as a snapshot holds them (header width, "" read as empty, no
    trailing empties): the identity a deletion matches on."""
    out = [None if c == "" else c for c in list(cells)[:width]]
    while out and out[-1] is None:
        out.pop()
    return tuple(out)


def _really_lost(missing: Counter, new: Counter) -> list[tuple]:
    """Rows gone from the tab that were not deleted on purpose, less those a person
    edited meanwhile (a new row with the same column A, e.g. the form timestamp, is
    the edited row, not a loss)."""
    spare = Counter(row[0] for row in new.elements() if row)
    lost = []
    for row in missing.elements():
        if row and spare[row[0]] > 0:
            spare[row[0]] -= 1
        else:
            lost.append(row)
    return lost


def _runs(indexes: list[int]) -> list[tuple[int, int]]:
    """Sorted row indexes -> [start, end) runs, so adjacent rows go in one request."""
    runs: list[tuple[int, int]] = []
    for i in sorted(indexes):
        if runs and runs[-1][1] == i:
            runs[-1] = (runs[-1][0], i + 1)
        else:
            runs.append((i, i + 1))
    return runs
