"""GoogleHarness: the store contract suite's harness for GoogleSheetStore.

A fresh fake Sheets API on loopback, a generated service-account key whose
``token_uri`` points at it, and a GoogleSheetStore built the way production builds
it (``from_settings``) with the endpoint override. Backoff sleeps are recorded, not
slept. Data indexes are 0-based rows under the header (sheet row = index + 2).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from bukutamu.adapters.google.store import GoogleSheetStore
from bukutamu.config import Secrets, Settings, StoreSettings
from tests.fakes.service_account import make_key_file
from tests.fakes.sheets_api import FakeSheetsAPI


def google_settings(fake: FakeSheetsAPI, key_file: Path, **store: Any) -> Settings:
    options = dict(kind="google", spreadsheet_id=fake.spreadsheet_id, endpoint=fake.url,
                   timeout_seconds=10.0, max_attempts=3)
    options.update(store)
    return Settings(store=StoreSettings(**options), secrets=Secrets(google_key_file=str(key_file)),
                    data_dir=Path(key_file).parent / "data")


class GoogleHarness:
    def __init__(self, tmp_path: Path, *, time_zone: str = "Asia/Pontianak", **store: Any) -> None:
        self.fake = FakeSheetsAPI(time_zone=time_zone).start()
        self.key = make_key_file(Path(tmp_path), self.fake.token_uri)
        self.fake.register_key(self.key.client_email, self.key.public_key)
        self.settings = google_settings(self.fake, self.key.path, **store)
        self.sleeps: list[float] = []
        self.store = GoogleSheetStore.from_settings(self.settings, sleep=self.sleeps.append,
                                                    random=lambda: 0.5)

    # -- the harness interface ---------------------------------------------------------

    def seed(self, tab: str, header: list, rows: list[list]) -> None:
        new = self.fake.book.sheet(tab) is None
        self.fake.set_values(tab, [list(header)] + [list(r) for r in rows])
        if new:
            # A person created a tab while the poller runs; the real store sees it after
            # its metadata refresh (see GoogleSheetStore.read). Tests want it at once.
            self.store.invalidate_metadata()

    def table(self, tab: str) -> list[list]:
        rows = self.fake.values(tab)
        width = len(rows[0]) if rows else 0
        return [list(r) + [None] * (width - len(r)) for r in rows]  # Formula(...) stays visible

    def on_next_write(self, action: Callable[[], None]) -> None:
        self.fake.on_next_write(action)

    def insert_row(self, tab: str, before_data_index: int, values: list) -> None:
        self.fake.insert_row(tab, before_data_index + 2, values)

    def sort_rows(self, tab: str, header: str, reverse: bool = False) -> None:
        self.fake.sort_rows(tab, header, reverse=reverse)

    def edit_cell(self, tab: str, data_index: int, header: str, value: Any) -> None:
        self.fake.edit_cell(tab, data_index + 2, header, value)

    def rename_header(self, tab: str, old: str, new: str) -> None:
        self.fake.rename_header(tab, old, new)

    def requests(self) -> dict:
        counts = {"reads": 0, "writes": 0, "other": 0}
        for e in self.fake.requests():
            key = {"read": "reads", "write": "writes"}.get(e["kind"], "other")
            counts[key] += 1
        return counts

    def reset_requests(self) -> None:
        self.fake.reset_log()

    def close(self) -> None:
        try:
            self.store.close()
        finally:
            self.fake.stop()



def make_google_harness(tmp_path: Path, **store: Any) -> GoogleHarness:
    return GoogleHarness(tmp_path, **store)
