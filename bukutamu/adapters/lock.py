"""Single-writer lock: two pollers must never work on the same store at once."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from filelock import FileLock, Timeout

from bukutamu.adapters.files import faults, private_dir
from bukutamu.errors import StoreBusy


class WriterLock:
    """A lock file beside the store. ``acquire(wait)`` waits up to ``wait`` seconds
    (0 = do not wait) and raises StoreBusy with an Indonesian message otherwise."""

    def __init__(self, path: Path, on_wait: Callable[[str], None] | None = None):
        self.path = Path(path)
        self._lock = FileLock(str(self.path), mode=0o600)
        self._on_wait = on_wait

    def acquire(self, wait: float = 0.0) -> "WriterLock":
        private_dir(self.path.parent)
        try:
            with faults(self.path, "berkas kunci poller"):
                self._lock.acquire(timeout=0)
            return self
        except Timeout:
            pass
        if wait <= 0:
            raise StoreBusy(f"Poller lain sedang berjalan untuk store ini (kunci {self.path}). "
                            "Hentikan proses itu atau tunggu sampai selesai.")
        if self._on_wait:
            self._on_wait(f"Menunggu poller lain selesai (paling lama {wait:.0f} detik)…")
        deadline = time.monotonic() + wait
        try:
            with faults(self.path, "berkas kunci poller"):
                self._lock.acquire(timeout=max(0.0, deadline - time.monotonic()))
        except Timeout:
            raise StoreBusy(f"Poller lain masih berjalan setelah {wait:.0f} detik (kunci {self.path}); "
                            "coba lagi nanti.") from None
        return self

    def release(self) -> None:
        if self._lock.is_locked:
            self._lock.release()

    def __enter__(self) -> "WriterLock":
        return self if self._lock.is_locked else self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
