"""Test doubles at the HTTP boundary (the Sheets REST fake, a token endpoint).

``make_google_harness(tmp_path)`` is what tests/contract/conftest.py imports to run
the store contract suite against GoogleSheetStore; call ``.close()`` when done.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def make_google_harness(tmp_path: Path, **store: Any):
    from tests.fakes.google_harness import GoogleHarness  # gspread only when asked for

    return GoogleHarness(tmp_path, **store)
