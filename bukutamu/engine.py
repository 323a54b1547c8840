"""The poll engine as scripts and tests know it: ``Poller(settings, store)`` is the
run-a-cycle use case (``app/cycle.py``) wired by the composition root
(``bootstrap.py``). The wiring helpers are re-exported here for existing callers;
new code imports them from ``bukutamu.bootstrap``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from bukutamu import bootstrap
from bukutamu.adapters.store import SheetStore
from bukutamu.app.cycle import PAYLOAD_DAYS, CycleReport, CycleRunner  # noqa: F401 - re-exported
from bukutamu.bootstrap import (OWNER_FILE, claim_data_dir, create_key, cycle_context,  # noqa: F401
                                journal_path, key_path, lock_path, nik_key, open_journal, open_store,
                                status_path,
                                store_identity)
from bukutamu.config import Settings
from bukutamu.core.mail import Mailer


class Poller(CycleRunner):
    """A CycleRunner built from settings (mailer, journal and clock may be given)."""

    def __init__(self, settings: Settings, store: SheetStore, mailer: Mailer | None = None,
                 journal=None, clock: Callable[[], datetime] | None = None):
        runner = bootstrap.cycle_runner(settings, store, mailer=mailer, journal=journal, clock=clock)
        super().__init__(runner.store, runner.ctx, runner.notifier, runner.journal, runner.clock)
        self.settings = settings
        self.mailer = runner.notifier.mailer
