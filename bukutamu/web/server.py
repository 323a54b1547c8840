"""Building the web runtime for `bukutamu serve` (the composition of the front)."""

from __future__ import annotations

import threading
import time
from bukutamu.config import Settings


class _SharedStore:
    """Google mode: the pages only read the Antrian tab (lobby). One shared store,
    one request at a time, answers cached for one poll interval (read quota)."""

    def __init__(self, store, ttl: float):
        self.store, self.ttl = store, ttl
        self._lock = threading.Lock()
        self._cache: dict[tuple, tuple[float, object]] = {}

    def read(self, tabs, append_only=()):
        key = (tuple(tabs), tuple(append_only))
        with self._lock:
            hit = self._cache.get(key)
            if hit and time.monotonic() - hit[0] < self.ttl:
                return hit[1]
            snap = self.store.read(tabs, append_only)
            self._cache[key] = (time.monotonic(), snap)
            return snap


def build_runtime(settings: Settings, runner, clock=None):
    from bukutamu.adapters.webdb import WebDb
    from bukutamu.bootstrap import (claim_data_dir, nik_key, office_calendar, office_clock, open_store,
                                    phone_numbers, sop_of)
    from bukutamu.web.runtime import WebRuntime, session_secret

    claim_data_dir(settings)
    if settings.store.kind == "embedded":
        def factory():  # one connection per request thread
            return open_store(settings)
    else:
        shared = _SharedStore(open_store(settings), settings.poll.interval_seconds)

        def factory():
            return shared
    return WebRuntime(
        settings=settings, store_factory=factory, runner=runner,
        webdb=WebDb(settings.data_dir / "web.sqlite"), key=nik_key(settings),
        sop=sop_of(settings), calendar=office_calendar(settings), clock=clock or office_clock(settings),
        session_secret=session_secret(settings.data_dir), phones=phone_numbers())
