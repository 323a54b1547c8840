"""Waiting for a process under test (a `bukutamu run` or `serve`) to reach a state:
polled, never slept for a fixed time, so a test waits as long as needed and no longer."""

from __future__ import annotations

import time
from typing import Callable


def wait_for(predicate: Callable[[], object], timeout: float = 60.0) -> bool:
    """True as soon as ``predicate()`` is truthy; False after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return False
