"""Who runs poll cycles for `bukutamu serve`: one thread owns the Poller (the only
writer of program cells), polls every interval, runs the weekly report job, and
runs an extra cycle on request so a kiosk or a board click sees its outcome at
once. Requests that arrive together share one cycle.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable

log = logging.getLogger("bukutamu")


class CycleRunner:
    """``cycle_now(timeout)`` waits for a cycle that *started* after the call, so a
    row appended before the call is in its snapshot."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._started = 0
        self._finished = 0
        self._wake = threading.Event()

    # called by the owner of the Poller, around each cycle
    def begin(self) -> None:
        with self._cond:
            self._started += 1

    def end(self) -> None:
        with self._cond:
            self._finished += 1
            self._cond.notify_all()

    def cycle_now(self, timeout: float = 20.0) -> bool:
        with self._cond:
            want = self._started
            self._wake.set()
            return self._cond.wait_for(lambda: self._finished > want, timeout=timeout)


class InlineRunner(CycleRunner):
    """Runs the cycle in the calling thread (tests with the Flask test client, and
    a clock under the test's control)."""

    def __init__(self, run_once: Callable[[], object]):
        super().__init__()
        self._run_once = run_once
        self._lock = threading.Lock()

    def cycle_now(self, timeout: float = 20.0) -> bool:
        with self._lock:
            self.begin()
            try:
                self._run_once()
            finally:
                self.end()
        return True


class ServiceThread(threading.Thread):
    """The poller thread of `bukutamu serve`: builds the Poller and the Service in
    this thread (their SQLite connections belong to it) and loops until stopped."""

    def __init__(self, runner: CycleRunner, build: Callable[[], tuple[object, Callable[[], None]]]):
        super().__init__(name="bukutamu-poller", daemon=True)
        self.runner = runner
        self.build = build  # -> (service, close)
        self.stop_event = threading.Event()
        self.ready = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            service, close = self.build()
        except BaseException as e:  # noqa: BLE001 - reported by serve
            self.error = e
            self.ready.set()
            return
        self.ready.set()
        try:
            service.poll_job()
            if service.weekly_job is not None:
                service.weekly_job()
            for job in service.daily_jobs:
                job()
            wake = self.runner._wake
            while not self.stop_event.is_set():
                idle = service.scheduler.idle_seconds
                if wake.wait(timeout=max(0.05, min(idle if idle is not None else 1.0, 1.0))):
                    wake.clear()
                    service.poll_job()
                service.scheduler.run_pending()
        finally:
            close()

    def stop(self, wait: float = 30.0) -> None:
        self.stop_event.set()
        self.runner._wake.set()
        self.join(wait)


def timed(fn: Callable[[], object], runner: CycleRunner) -> Callable[[], object]:
    """Wrap the poll so the runner counts cycles (also those the schedule runs)."""

    def run():
        runner.begin()
        t = time.perf_counter()
        try:
            return fn()
        finally:
            runner.end()
            log.debug("siklus %.3f detik", time.perf_counter() - t)
    return run
