"""Runs `bukutamu purge` in its own process and kills itself with SIGKILL right
after one step of ``app/retention.purge`` returns (the step functions of that
module), to test that the next run finishes the job. Used by test_purge.py.

usage: crash_purge.py CONFIG STEP
  STEP: write_store | purge_webdb | purge_journal | purge_outbox_files | compact_files
"""

import os
import signal
import sys

import bukutamu.app.retention as retention
from bukutamu.cli import main


def die() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def after(module, name) -> None:
    original = getattr(module, name)

    def wrapper(*args, **kwargs):
        result = original(*args, **kwargs)
        die()
        return result

    setattr(module, name, wrapper)


if __name__ == "__main__":
    config, step = sys.argv[1:3]
    after(retention, step)
    main(["--config", config, "purge"])
    sys.exit(3)  # the step never ran: the test fails on the exit code
