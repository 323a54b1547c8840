#!/usr/bin/env python3
"""The long-running poller, for service wrappers (systemd, NSSM, winsw).

Same as `bukutamu run`; settings from $BUKUTAMU_CONFIG."""

import sys

from bukutamu.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", *sys.argv[1:]]))
