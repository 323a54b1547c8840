"""A data folder on its own small tmpfs, so tests can fill the disk (real ENOSPC)
or turn the folder read-only (real EROFS) and then put it right again.

Needs root (mount); the tests that use it skip cleanly otherwise. chmod 0555 is no
use here: root writes through it.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest


class SmallDisk:
    def __init__(self, path: Path, size: str = "4m"):
        self.path = Path(path)
        self.size = size
        self.mounted = False
        self.filler = self.path / ".pengisi-disk"

    def mount(self) -> "SmallDisk":
        if os.geteuid() != 0:
            pytest.skip("needs root to mount a small tmpfs (disk-full / read-only staging)")
        self.path.mkdir(parents=True, exist_ok=True)
        p = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={self.size},mode=0755", "tmpfs", str(self.path)],
                           capture_output=True, text=True)
        if p.returncode != 0:
            pytest.skip(f"cannot mount tmpfs here: {p.stderr.strip()}")
        self.mounted = True
        return self

    def fill(self) -> None:
        """Take every free byte (the disk is full until ``free``)."""
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            for size in (1 << 20, 65536, 4096, 512, 1):
                chunk = b"\0" * size
                try:
                    while True:
                        os.write(fd, chunk)
                except OSError:
                    pass
        finally:
            os.close(fd)

    def free(self) -> None:
        self.filler.unlink(missing_ok=True)

    def read_only(self) -> None:
        subprocess.run(["mount", "-o", "remount,ro", str(self.path)], check=True)

    def writable(self) -> None:
        subprocess.run(["mount", "-o", "remount,rw", str(self.path)], check=True)

    def unmount(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.path)], capture_output=True)
            self.mounted = False


@pytest.fixture
def small_disk(tmp_path):
    disk = SmallDisk(tmp_path / "data").mount()
    try:
        yield disk
    finally:
        disk.unmount()
