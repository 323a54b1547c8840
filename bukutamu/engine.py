"""One poll cycle: read one snapshot -> plan (pure) -> write one batch.

The engine does not know which store or mailer it runs on.
"""

from __future__ import annotations

import logging
import os
import secrets as _secrets
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

from bukutamu.adapters.store import SheetStore
from bukutamu.config import Settings
from bukutamu.core.plan import CycleContext, Plan, plan_cycle, tabs_to_read
from bukutamu.core.sop import Sop, load_sop
from bukutamu.errors import ConfigError

log = logging.getLogger("bukutamu")


def open_store(settings: Settings) -> SheetStore:
    if settings.store.kind == "google":
        from bukutamu.adapters.google.store import GoogleSheetStore
        return GoogleSheetStore.from_settings(settings)
    from bukutamu.adapters.sqlite_store import SqliteSheetStore
    return SqliteSheetStore(settings.store.path, settings.office.time_zone)


def lock_path(settings: Settings) -> Path:
    if settings.store.kind == "google":
        return settings.data_dir / f"poller-{settings.store.spreadsheet_id[:40]}.lock"
    return settings.store.path.with_name(settings.store.path.name + ".lock")


def nik_key(settings: Settings, create: bool = False) -> bytes:
    """The HMAC key for NIK comparisons: $BUKUTAMU_HMAC_KEY, or — embedded mode only —
    a random key kept in the data folder (created by ``init``), outside the repo."""
    if settings.secrets.hmac_key:
        return settings.secrets.hmac_key
    path = settings.data_dir / "kunci-hmac"
    if path.exists():
        return path.read_bytes().strip()
    if not create:
        raise ConfigError("Kunci HMAC belum ada: jalankan `bukutamu init` atau atur BUKUTAMU_HMAC_KEY.")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(_secrets.token_urlsafe(32))
    return path.read_bytes().strip()


def cycle_context(settings: Settings, sop: Sop, key: bytes) -> CycleContext:
    t = settings.tabs
    return CycleContext(tz=settings.office.tz, register_tab=t.register, history_tab=t.history,
                        queue_tab=t.queue, system_tab=t.system, queue_prefix=settings.poll.queue_prefix,
                        sop=sop, nik_key=key, renames=dict(settings.columns))


@dataclass
class CycleReport:
    new_visits: int
    transitions: int
    wrote: bool
    read_seconds: float
    plan_seconds: float
    write_seconds: float
    log: list[str]


class Poller:
    def __init__(self, settings: Settings, store: SheetStore,
                 clock: Callable[[], datetime] | None = None):
        self.settings = settings
        self.store = store
        self.sop = load_sop(settings.sop_path)
        self.ctx = cycle_context(settings, self.sop, nik_key(settings, create=True))
        self.clock = clock or (lambda: datetime.now(settings.office.tz))

    def run_once(self) -> CycleReport:
        tabs, append_only = tabs_to_read(self.ctx)
        t0 = time.perf_counter()
        snapshot = self.store.read(tabs, append_only)
        t1 = time.perf_counter()
        plan: Plan = plan_cycle(snapshot, self.clock(), self.ctx)
        t2 = time.perf_counter()
        if plan.batch:
            self.store.write(plan.batch)
        t3 = time.perf_counter()
        for line in plan.log:
            log.info(line)
        return CycleReport(plan.new_visits, plan.transitions, bool(plan.batch), t1 - t0, t2 - t1, t3 - t2,
                           plan.log)
