"""Test harness for the embedded store: people's edits go straight to the file,
as the helpdesk tools would."""

from __future__ import annotations

from pathlib import Path

from bukutamu.adapters.sqlite_store import SqliteSheetStore
from bukutamu.core.schema import normalise_header


class SqliteHarness:
    def __init__(self, tmp_path: Path, time_zone: str = "Asia/Pontianak", path: Path | None = None):
        self.path = path or tmp_path / "store.sqlite"
        self.store = SqliteSheetStore(self.path, time_zone)
        self._person = SqliteSheetStore(self.path, time_zone)  # a second connection = another person
        self._pending = []
        original = self.store.write

        def write(batch):
            while self._pending:
                self._pending.pop(0)()
            return original(batch)

        self.store.write = write  # run people's actions between our read and our write

    def seed(self, tab, header, rows):
        self._person.set_header(tab, header)
        self._person.clear_tabs([tab])
        self._person.append_rows(tab, rows)

    def _rows(self, tab):
        return self._person.read([tab]).tab(tab).rows

    def table(self, tab):
        t = self._person.read([tab]).tab(tab)
        return [list(t.header)] + [list(r.values) for r in t.rows]

    def on_next_write(self, action):
        self._pending.append(action)

    def insert_row(self, tab, before_data_index, values):
        rows = self._rows(tab)
        self._person.append_rows(tab, [values])
        new = self._rows(tab)[-1]
        if before_data_index < len(rows):
            self._person.move_row(new.ref, rows[before_data_index].ref)

    def sort_rows(self, tab, header, reverse=False):
        t = self._person.read([tab]).tab(tab)
        i = [normalise_header(h) for h in t.header].index(normalise_header(header))
        ordered = sorted(t.rows, key=lambda r: (str(r.get(i) or "")), reverse=reverse)
        for r in ordered:
            self._person.move_row(r.ref, None)

    def edit_cell(self, tab, data_index, header, value):
        self._person.set_cell(tab, self._rows(tab)[data_index].ref, header, value)

    def rename_header(self, tab, old, new):
        t = self._person.read([tab]).tab(tab)
        header = [new if h == old else h for h in t.header]
        self._person.set_header(tab, header)

    def requests(self):
        return None

    def reset_requests(self):
        pass

    def close(self):
        self.store.close()
        self._person.close()
