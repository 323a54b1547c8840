"""Several offices in one process (`bukutamu run` / `serve` with ``[offices.<slug>]``):
one thread per office, each running its own Service (own schedule, lock, store,
journal, status file). An office that hangs or fails only delays its own cycles;
an office that cannot start is reported (log, status file, admin alert when its
mail works) and retried, while the others run. Signals are handled by the main
thread only: it sets the shared stop event and waits for every office.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from typing import Callable, Sequence

from bukutamu.config import Settings
from bukutamu.errors import BukutamuError, environment_fault

log = logging.getLogger("bukutamu")
THREAD_PREFIX = "kantor-"
RETRY_START_SECONDS = 60.0

# start(settings, stop_event, started): runs one office until stop_event is set;
# calls started() once its service is running. Raises when the office cannot start.
StartOffice = Callable[[Settings, threading.Event, Callable[[], None]], None]
# report(settings, error, message): tell the admin an office could not start (best effort).
ReportFailure = Callable[[Settings, BaseException, str], None]


class OfficeThread(threading.Thread):
    def __init__(self, settings: Settings, start: StartOffice, stop_event: threading.Event,
                 report: ReportFailure, retry_seconds: float = RETRY_START_SECONDS):
        super().__init__(name=THREAD_PREFIX + settings.slug, daemon=True)
        self.settings, self.start_office, self.stop_event = settings, start, stop_event
        self.report, self.retry_seconds = report, retry_seconds
        self.first_try = threading.Event()  # set once the office runs or its first start failed
        self.first_error: BaseException | None = None

    def _running(self) -> None:
        self.first_try.set()

    def run(self) -> None:
        while not self.stop_event.is_set():
            try:
                self.start_office(self.settings, self.stop_event, self._running)
                return
            except BaseException as e:  # noqa: BLE001 - one office never takes the others down
                fault = e if isinstance(e, BukutamuError) else environment_fault(e)
                message = str(fault) if fault is not None else f"{type(e).__name__} (bug; lihat log)"
                if fault is None:
                    log.exception("Kantor %s tidak bisa berjalan karena bug", self.settings.slug)
                log.error("Kantor %s tidak bisa berjalan: %s (dicoba lagi dalam %d detik; kantor lain tetap "
                          "berjalan)", self.settings.slug, message, self.retry_seconds)
                if not self.first_try.is_set():
                    self.first_error = fault if fault is not None else e
                try:
                    self.report(self.settings, fault if fault is not None else e, message)
                except Exception:  # noqa: BLE001 - reporting must not stop the retry
                    log.exception("Kantor %s: galat tidak bisa dilaporkan", self.settings.slug)
                self.first_try.set()
            self.stop_event.wait(self.retry_seconds)


class OfficePrefix(logging.Filter):
    """Log lines from an office's thread start with ``[slug]``."""

    def filter(self, record: logging.LogRecord) -> bool:
        name = threading.current_thread().name
        if name.startswith(THREAD_PREFIX) and not getattr(record, "_office", False):
            record.msg = f"[{name[len(THREAD_PREFIX):]}] {record.msg}"
            record._office = True
        return True


@contextlib.contextmanager
def log_office_prefix():
    """While inside: log lines from an office's thread start with ``[slug]``."""
    prefix = OfficePrefix()
    handlers = list(logging.getLogger().handlers)
    for h in handlers:
        h.addFilter(prefix)
    try:
        yield
    finally:
        for h in handlers:
            h.removeFilter(prefix)


def run_offices(offices: Sequence[Settings], start: StartOffice, report: ReportFailure,
                stop_event: threading.Event, *, retry_seconds: float = RETRY_START_SECONDS) -> int:
    """Run every office until ``stop_event`` is set. Returns when all have stopped.
    When no office could start at all, the first error is raised (exit code of its
    kind, e.g. 75 for a lock held by another poller)."""
    threads = [OfficeThread(s, start, stop_event, report, retry_seconds) for s in offices]
    with log_office_prefix():
        return _run(threads, offices, stop_event)


def _run(threads: list[OfficeThread], offices: Sequence[Settings], stop_event: threading.Event) -> int:
    try:
        for t in threads:
            t.start()
        for t in threads:
            while not t.first_try.wait(0.2) and t.is_alive():
                pass
        if all(t.first_error is not None for t in threads):
            stop_event.set()
            for t in threads:
                t.join()
            log.error("Tidak ada kantor yang bisa berjalan; berhenti (galat kantor %s di bawah).", offices[0].slug)
            raise threads[0].first_error  # type: ignore[misc]
        log.info("%d kantor berjalan: %s.", len(threads), ", ".join(s.slug for s in offices))
        while any(t.is_alive() for t in threads):
            for t in threads:
                t.join(0.5)
    finally:
        stop_event.set()
        for t in threads:
            t.join(60)
    return 0
