"""Runs `bukutamu arsip` in its own process and kills itself with SIGKILL at a chosen
step, to test what the next run does. Used by tests/e2e/test_archive_kill.py.

usage: crash_archive.py CONFIG STEP

Steps (``app.archive.archive_visits``):
  after-read       the live tabs were read
  after-init       the year's archive got its tabs, nothing copied
  mid-copy         inside the archive write (the transaction / request is under way)
  after-copy       the archive holds the copies, nothing removed from the live tabs
  after-remove-1   the first live tab's rows were removed, the others not yet
  after-remove-3   three live tabs done, the last not yet
  none             no kill
"""

import os
import signal
import sys

from bukutamu import cli
from bukutamu.adapters.google.store import GoogleSheetStore
from bukutamu.adapters.sqlite_store import SqliteSheetStore


def die() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def after(cls, name, nth=1, before=False):
    original = getattr(cls, name)
    calls = {"n": 0}

    def wrapper(self, *args, **kwargs):
        calls["n"] += 1
        if before and calls["n"] == nth:
            die()
        result = original(self, *args, **kwargs)
        if calls["n"] == nth:
            die()
        return result

    setattr(cls, name, wrapper)


def main() -> None:
    config, step = sys.argv[1], sys.argv[2]
    live_cls = GoogleSheetStore if "google" in open(config, encoding="utf-8").read() else SqliteSheetStore
    if step == "after-read":
        after(live_cls, "read")
    elif step == "after-init":
        for cls in (GoogleSheetStore, SqliteSheetStore):
            after(cls, "init")
    elif step == "mid-copy":
        _mid_copy()
    elif step == "after-copy":
        for cls in (GoogleSheetStore, SqliteSheetStore):
            after(cls, "write")
    elif step == "after-remove-1":
        after(live_cls, "remove_rows", 1)
    elif step == "after-remove-3":
        after(live_cls, "remove_rows", 3)
    raise SystemExit(cli.main(["--config", config, "arsip"]))


def _mid_copy() -> None:
    """Killed while the archive write is in flight: SQLite inside its transaction
    (rolled back at the next open); Google after the request left (it may or may not
    have been applied: the fake applies it, the worse case for doubles)."""
    import bukutamu.adapters.sqlite_store as sq
    original_write = sq.SqliteSheetStore.write

    class Dying(sq._Tx):
        def __exit__(self, exc_type, exc, tb):
            if exc_type is None:
                die()  # every statement ran; COMMIT never does
            return super().__exit__(exc_type, exc, tb)

    def write(self, batch):
        if self.path.name.startswith("arsip-"):
            self._transaction = lambda: Dying(self.db, self._faults)
        return original_write(self, batch)

    sq.SqliteSheetStore.write = write
    original_values = GoogleSheetStore._spreadsheet

    def spreadsheet(self):
        sh = original_values(self)
        if getattr(self, "_bukutamu_archive", False):
            inner = sh.values_batch_update

            def values_batch_update(body, *a, **k):
                inner(body, *a, **k)
                die()
            sh.values_batch_update = values_batch_update
        return sh

    GoogleSheetStore._spreadsheet = spreadsheet
    original_init = GoogleSheetStore.init

    def init(self, specs):
        self._bukutamu_archive = True  # only archives are initialised by `arsip`
        return original_init(self, specs)

    GoogleSheetStore.init = init


if __name__ == "__main__":
    main()
