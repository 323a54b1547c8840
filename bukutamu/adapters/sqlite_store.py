"""Embedded sheet store: the same tabs and columns as the Google Sheet, in one
SQLite file (WAL). The default on a fresh machine, and the self-hosted option for
offices that must keep data in Indonesia.

A tab is a header plus rows; each row keeps its cells as a JSON array so values
keep their type (text stays text: a NIK or phone number never becomes a number).
Rows have a stable id (the snapshot ``ref``) and a separate position, so a person
re-ordering rows never moves a write onto another visit.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from bukutamu.adapters.store import InitReport, TabSpec
from bukutamu.core.schema import normalise_header
from bukutamu.core.sheet import Row, Snapshot, Tab, WriteBatch
from bukutamu.adapters.files import faults, private_file
from bukutamu.errors import StoreError

SCHEMA_VERSION = "1"

_DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tab (
    name TEXT PRIMARY KEY,
    header TEXT NOT NULL,            -- JSON array of header cells
    position INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS tab_row (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tab TEXT NOT NULL REFERENCES tab(name) ON UPDATE CASCADE,
    pos REAL NOT NULL,               -- display order; people may re-order rows
    cells TEXT NOT NULL              -- JSON array of typed cells
);
CREATE INDEX IF NOT EXISTS tab_row_order ON tab_row (tab, pos, id);
"""


def _dumps(cells: Sequence[Any]) -> str:
    cells = list(cells)
    while cells and cells[-1] in (None, ""):
        cells.pop()  # like the Sheets API: trailing empty cells are not stored
    return json.dumps(cells, ensure_ascii=False, separators=(",", ":"))


class SqliteSheetStore:
    def __init__(self, path: str | Path, time_zone: str = "Asia/Pontianak"):
        self.path = Path(path)
        self.time_zone = time_zone
        self._db: sqlite3.Connection | None = None

    # -- connection ---------------------------------------------------------
    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            private_file(self.path, "store SQLite")  # 0600 before SQLite creates it (and its -wal/-shm)
            with self._faults():
                db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
                try:
                    db.execute("PRAGMA journal_mode=WAL")
                    db.execute("PRAGMA synchronous=NORMAL")
                    db.execute("PRAGMA foreign_keys=ON")
                    db.executescript(_DDL)
                    db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
                    db.execute("INSERT OR IGNORE INTO meta VALUES ('time_zone', ?)", (self.time_zone,))
                except BaseException:
                    db.close()
                    raise
            self._db = db
        return self._db

    def _faults(self):
        return faults(self.path, "store SQLite",
                      corrupt=f"Store {self.path} rusak (bukan database SQLite yang utuh). Hentikan bukutamu, "
                              "pindahkan berkas itu ke tempat lain (jangan dihapus) dan pulihkan store dari "
                              "cadangan terakhir, atau periksa store.path bila berkas itu memang bukan store.")

    def describe(self) -> str:
        return f"SQLite {self.path}"

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    # -- port ---------------------------------------------------------------
    def init(self, specs: Sequence[TabSpec]) -> InitReport:
        report = InitReport()
        with self._transaction() as db:
            existing = {name: json.loads(h) for name, h in db.execute("SELECT name, header FROM tab")}
            next_pos = len(existing)
            for spec in specs:
                if spec.name not in existing:
                    db.execute("INSERT INTO tab (name, header, position) VALUES (?, ?, ?)",
                               (spec.name, json.dumps(list(spec.headers), ensure_ascii=False), next_pos))
                    next_pos += 1
                    report.created_tabs.append(spec.name)
                    continue
                header = list(existing[spec.name])
                have = {normalise_header(h) for h in header}
                added = [h for h in spec.headers if normalise_header(h) not in have]
                if added:
                    header += added
                    db.execute("UPDATE tab SET header = ? WHERE name = ?",
                               (json.dumps(header, ensure_ascii=False), spec.name))
                    report.added_headers += [f"{spec.name}: {h}" for h in added]
        return report

    def read(self, tabs: Sequence[str], append_only: Sequence[str] = ()) -> Snapshot:
        with self._faults():
            return self._read(tabs, append_only)

    def _read(self, tabs: Sequence[str], append_only: Sequence[str]) -> Snapshot:
        names = list(dict.fromkeys([*tabs, *append_only]))
        marks = ",".join("?" * len(names))
        db = self.db
        # One read transaction: every tab comes from the same moment.
        db.execute("BEGIN")
        try:
            headers = {n: json.loads(h) for n, h in
                       db.execute(f"SELECT name, header FROM tab WHERE name IN ({marks})", names)}
            full = [n for n in tabs if n in headers and n not in append_only]
            rows: dict[str, list[Row]] = {n: [] for n in full}
            if full:
                q = ",".join("?" * len(full))
                for tab, rid, cells in db.execute(
                        f"SELECT tab, id, cells FROM tab_row WHERE tab IN ({q}) ORDER BY tab, pos, id", full):
                    rows[tab].append(Row(rid, tuple(json.loads(cells))))
            counts, firsts = {}, {}
            only = [n for n in append_only if n in headers]
            if only:
                q = ",".join("?" * len(only))
                counts = dict(db.execute(f"SELECT tab, COUNT(*) FROM tab_row WHERE tab IN ({q}) GROUP BY tab", only))
                for tab, key, n in db.execute(
                        f"SELECT tab, json_extract(cells, '$[0]'), COUNT(*) FROM tab_row WHERE tab IN ({q}) "
                        "GROUP BY 1, 2", only):
                    if key not in (None, ""):
                        firsts.setdefault(tab, {})[str(key)] = n
        finally:
            db.execute("COMMIT")
        out: dict[str, Tab] = {}
        for n in names:
            if n not in headers:
                continue
            if n in append_only:
                out[n] = Tab(n, tuple(headers[n]), (), row_count=counts.get(n, 0),
                             column_a_counts=firsts.get(n, {}))
            else:
                out[n] = Tab(n, tuple(headers[n]), tuple(rows[n]))
        tz = db.execute("SELECT value FROM meta WHERE key='time_zone'").fetchone()[0]
        return Snapshot(out, tz, tuple(n for n in names if n not in headers))

    def write(self, batch: WriteBatch) -> None:
        if not batch:
            return
        with self._transaction() as db:
            headers = {n: json.loads(h) for n, h in db.execute("SELECT name, header FROM tab")}
            indexes: dict[str, dict[str, int]] = {}
            positions: dict[tuple[str, str], int] = {}

            def col(tab: str, header: str) -> int:
                where = positions.get((tab, header))
                if where is None:
                    if tab not in indexes:
                        indexes[tab] = self._index(headers.get(tab, ()))
                    try:
                        where = positions[(tab, header)] = indexes[tab][normalise_header(header)]
                    except KeyError:
                        raise StoreError(f'Kolom "{header}" tidak ada di tab "{tab}" saat menulis.') from None
                return where

            by_row: dict[int, list[tuple[int, Any]]] = {}
            for u in batch.updates:
                by_row.setdefault(u.ref, []).append((col(u.tab, u.column), u.value))
            for rid, changes in by_row.items():
                found = db.execute("SELECT cells FROM tab_row WHERE id = ?", (rid,)).fetchone()
                if found is None:
                    raise StoreError(f"Baris {rid} yang akan ditulis sudah tidak ada (dihapus?).")
                cells = json.loads(found[0])
                for i, v in changes:
                    cells.extend([None] * (i + 1 - len(cells)))
                    cells[i] = v
                db.execute("UPDATE tab_row SET cells = ? WHERE id = ?", (_dumps(cells), rid))
            for tab, group in _group(batch.appends):
                start = self._end(db, tab)
                db.executemany("INSERT INTO tab_row (tab, pos, cells) VALUES (?, ?, ?)",
                               [(tab, start + i, _dumps(self._place(headers, tab, a.values, col)))
                                for i, a in enumerate(group)])
            for rep in batch.replaces:
                old = [r for (r,) in db.execute("SELECT id FROM tab_row WHERE tab = ? ORDER BY pos, id",
                                                 (rep.tab,))]
                for i, values in enumerate(rep.rows):
                    cells = _dumps(self._place(headers, rep.tab, values, col))
                    if i < len(old):
                        db.execute("UPDATE tab_row SET cells = ? WHERE id = ?", (cells, old[i]))
                    else:
                        db.execute("INSERT INTO tab_row (tab, pos, cells) VALUES (?, ?, ?)",
                                   (rep.tab, self._end(db, rep.tab), cells))
                for rid in old[len(rep.rows):]:
                    db.execute("UPDATE tab_row SET cells = '[]' WHERE id = ?", (rid,))

    # -- helpers for people and tools (CLI, import, tests) -------------------
    def append_rows(self, tab: str, rows: Iterable[Sequence[Any]]) -> int:
        """Add rows as the form would (cells in header order). Returns how many."""
        with self._transaction() as db:
            if db.execute("SELECT 1 FROM tab WHERE name = ?", (tab,)).fetchone() is None:
                raise StoreError(f'Tab "{tab}" belum ada; jalankan `bukutamu init` dulu.')
            start = self._end(db, tab)
            data = [(tab, start + i, _dumps(r)) for i, r in enumerate(rows)]
            db.executemany("INSERT INTO tab_row (tab, pos, cells) VALUES (?, ?, ?)", data)
            return len(data)

    def append_row(self, tab: str, cells: Sequence[Any]) -> int:
        """Add one row as a form would; returns its stable id (the snapshot ``ref``)."""
        with self._transaction() as db:
            if db.execute("SELECT 1 FROM tab WHERE name = ?", (tab,)).fetchone() is None:
                raise StoreError(f'Tab "{tab}" belum ada; jalankan `bukutamu init` dulu.')
            cur = db.execute("INSERT INTO tab_row (tab, pos, cells) VALUES (?, ?, ?)",
                             (tab, self._end(db, tab), _dumps(cells)))
            return int(cur.lastrowid)

    def set_header(self, tab: str, header: Sequence[str]) -> None:
        with self._transaction() as db:
            db.execute("INSERT INTO tab (name, header, position) VALUES (?, ?, "
                       "(SELECT COUNT(*) FROM tab)) ON CONFLICT(name) DO UPDATE SET header = excluded.header",
                       (tab, json.dumps(list(header), ensure_ascii=False)))

    def set_cell(self, tab: str, ref: int, header: str, value: Any) -> None:
        """A person's edit (helpdesk in embedded mode): one cell by row id and header."""
        from bukutamu.core.sheet import CellUpdate
        self.write(WriteBatch(updates=[CellUpdate(tab, ref, header, value)]))

    def edit_visit(self, tab: str, visit_header: str, visit_id: str, values: Mapping[str, Any],
                   unless_changed: Mapping[str, Any] | None = None) -> bool:
        """A person's edit of one visit's cells, found by its visit ID inside the same
        transaction (so a sort or a cycle in between cannot redirect it).
        ``unless_changed`` names cells that must still hold the given values; when one
        does not, nothing is written and False is returned."""
        with self._transaction() as db:
            header = db.execute("SELECT header FROM tab WHERE name = ?", (tab,)).fetchone()
            if header is None:
                raise StoreError(f'Tab "{tab}" belum ada; jalankan `bukutamu init` dulu.')
            index = self._index(json.loads(header[0]))

            def col(h: str) -> int:
                try:
                    return index[normalise_header(h)]
                except KeyError:
                    raise StoreError(f'Kolom "{h}" tidak ada di tab "{tab}"; jalankan `bukutamu init`.') from None

            vcol = col(visit_header)
            hits = [(rid, cells) for rid, cells in
                    ((r, json.loads(c)) for r, c in db.execute("SELECT id, cells FROM tab_row WHERE tab = ?", (tab,)))
                    if vcol < len(cells) and str(cells[vcol] or "").strip() == visit_id]
            if len(hits) != 1:
                raise StoreError(f"Kunjungan {visit_id} " + ("tidak ada" if not hits else "muncul lebih dari sekali")
                                 + f' di tab "{tab}".')
            rid, cells = hits[0]
            for h, want in (unless_changed or {}).items():
                i = col(h)
                have = cells[i] if i < len(cells) else None
                if str("" if have is None else have) != str("" if want is None else want):
                    return False
            for h, v in values.items():
                i = col(h)
                cells.extend([None] * (i + 1 - len(cells)))
                cells[i] = v
            db.execute("UPDATE tab_row SET cells = ? WHERE id = ?", (_dumps(cells), rid))
            return True

    def remove_rows(self, tab: str, rows: Sequence[Row]) -> int:
        """The port's archive delete: row ids are stable (a sort changes positions
        only), so each row is checked against what the snapshot read and deleted in
        one transaction; a row edited since stays."""
        with self._transaction() as db:
            gone = 0
            for row in rows:
                found = db.execute("SELECT cells FROM tab_row WHERE id = ? AND tab = ?", (row.ref, tab)).fetchone()
                if found is not None and json.loads(found[0]) == json.loads(_dumps(row.values)):
                    db.execute("DELETE FROM tab_row WHERE id = ?", (row.ref,))
                    gone += 1
            return gone

    def compact(self) -> None:
        """After the archive removed many rows: give the space back (VACUUM when over
        a quarter of the file is free pages) and empty the WAL, so later reads do not
        walk a file sized for the history that left."""
        with self._faults():
            db = self.db
            free, pages = (db.execute(f"PRAGMA {p}").fetchone()[0] for p in ("freelist_count", "page_count"))
            try:
                if pages and free / pages > 0.25:
                    db.execute("VACUUM")
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.OperationalError:
                pass  # another connection (a web page) is reading: the next archive run compacts

    def move_row(self, ref: int, before_ref: int | None) -> None:
        """Re-order a row (as sorting in a sheet would); ids never change."""
        with self._transaction() as db:
            tab, = db.execute("SELECT tab FROM tab_row WHERE id = ?", (ref,)).fetchone()
            if before_ref is None:
                pos = self._end(db, tab)
            else:
                (p,) = db.execute("SELECT pos FROM tab_row WHERE id = ?", (before_ref,)).fetchone()
                prev = db.execute("SELECT MAX(pos) FROM tab_row WHERE tab = ? AND pos < ?", (tab, p)).fetchone()[0]
                pos = (p - 1) if prev is None else (prev + p) / 2
            db.execute("UPDATE tab_row SET pos = ? WHERE id = ?", (pos, ref))

    def delete_row(self, ref: int) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM tab_row WHERE id = ?", (ref,))

    def clear_tabs(self, tabs: Iterable[str]) -> None:
        """Drop the rows of whole tabs (the demo replacing an earlier demo)."""
        with self._transaction() as db:
            db.executemany("DELETE FROM tab_row WHERE tab = ?", [(t,) for t in tabs])

    def meta(self, key: str) -> str | None:
        with self._faults():
            row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._transaction() as db:
            db.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                       (key, value))

    # -- internals ----------------------------------------------------------
    def _transaction(self):
        return _Tx(self.db, self._faults)

    @staticmethod
    def _end(db: sqlite3.Connection, tab: str) -> float:
        top = db.execute("SELECT MAX(pos) FROM tab_row WHERE tab = ?", (tab,)).fetchone()[0]
        return 0.0 if top is None else float(int(top) + 1)

    @staticmethod
    def _index(header: Sequence[Any]) -> dict[str, int]:
        return {normalise_header(h): i for i, h in enumerate(header) if normalise_header(h)}

    @staticmethod
    def _place(headers: Mapping[str, list], tab: str, values: Mapping[str, Any], col) -> list[Any]:
        if tab not in headers:
            raise StoreError(f'Tab "{tab}" belum ada; jalankan `bukutamu init`.')
        cells: list[Any] = []
        for h, v in values.items():
            i = col(tab, h)
            cells.extend([None] * (i + 1 - len(cells)))
            cells[i] = v
        return cells


def _group(appends):
    out: dict[str, list] = {}
    for a in appends:
        out.setdefault(a.tab, []).append(a)
    return out.items()


class _Tx:
    """BEGIN IMMEDIATE ... COMMIT/ROLLBACK: one atomic write, one writer at a time.
    A full disk or read-only folder (at any statement or at COMMIT) rolls back and
    becomes the Indonesian error naming the store."""

    def __init__(self, db: sqlite3.Connection, faults=None):
        self.db = db
        self.faults = faults

    def __enter__(self) -> sqlite3.Connection:
        with self.faults() if self.faults else _nothing():
            self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, exc, tb) -> None:
        with self.faults() if self.faults else _nothing():
            if exc_type is None:
                try:
                    self.db.execute("COMMIT")
                    return
                except sqlite3.Error:
                    _rollback(self.db)
                    raise
            _rollback(self.db)
            if isinstance(exc, sqlite3.Error):
                raise exc


def _rollback(db: sqlite3.Connection) -> None:
    try:
        if db.in_transaction:
            db.execute("ROLLBACK")
    except sqlite3.Error:
        pass


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False
