"""What the pages need at run time (built by ``web.server.build_runtime`` or a test)."""

from __future__ import annotations

import os
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable


@dataclass
class WebRuntime:
    """What the pages need, built by `bukutamu serve` (or a test)."""

    settings: object
    store_factory: Callable[[], object]  # a store for the calling thread
    runner: object  # CycleRunner
    webdb: object  # WebDb
    key: bytes  # HMAC key (link tokens)
    sop: object
    calendar: object
    clock: Callable[[], datetime]
    session_secret: bytes
    phones: object = None  # the phone-number plan (KTP field checks)
    kiosk_lock: threading.Lock = field(default_factory=threading.Lock)
    _local: threading.local = field(default_factory=threading.local)

    @property
    def embedded(self) -> bool:
        return self.settings.store.kind == "embedded"

    def store(self):
        s = getattr(self._local, "store", None)
        if s is None:
            s = self._local.store = self.store_factory()
        return s


def session_secret(data_dir: Path) -> bytes:
    """The session-signing key: ``kunci-sesi`` in the store's data folder (0600),
    created on first start. Deleting it logs everybody out, nothing more."""
    path = Path(data_dir) / "kunci-sesi"
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
        return path.read_bytes().strip()


