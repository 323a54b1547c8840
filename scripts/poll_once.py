#!/usr/bin/env python3
"""One poll cycle, for cron / systemd timers / Windows Task Scheduler.

Same as `bukutamu poll --once`; settings from $BUKUTAMU_CONFIG."""

import sys

from bukutamu.cli import main

if __name__ == "__main__":
    sys.exit(main(["poll", "--once", *sys.argv[1:]]))
