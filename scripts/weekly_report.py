#!/usr/bin/env python3
"""The weekly SLA report, for OS schedulers (systemd timer, Task Scheduler).

Same as `bukutamu report`; pass --kirim to email it (once per week).
Settings from $BUKUTAMU_CONFIG."""

import sys

from bukutamu.cli import main

if __name__ == "__main__":
    sys.exit(main(["report", *sys.argv[1:]]))
