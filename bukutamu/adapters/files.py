"""Files holding personal data, and the machine's faults around them.

- ``private_dir``: the data folder (and any folder above it we have to create) is
  made 0700; an existing folder is left as the admin set it.
- ``private_file``: a personal-data file (store, journal, status, key) is created
  0600 whatever the umask, before SQLite or anyone else opens it (SQLite gives its
  -wal and -shm files the mode of the database file).
- ``faults(path, what)``: turns a full disk, a read-only folder or a damaged SQLite
  file met inside the block into the Indonesian ``DiskFull`` / ``NotWritable`` /
  ``CorruptFile`` naming the file; anything else passes through unchanged (a bug).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path
from typing import Iterator

from bukutamu.errors import CorruptFile, environment_fault

PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600
SHARED_DIR, SHARED_FILE = 0o755, 0o644


def _make_dirs(path: Path, mode: int) -> None:
    missing = []
    p = Path(path)
    while not p.exists():
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    for d in reversed(missing):
        try:
            d.mkdir()
        except FileExistsError:
            continue
        os.chmod(d, mode)  # mkdir's mode is cut by the umask; chmod is not


def private_dir(path: str | os.PathLike) -> Path:
    """Create ``path`` (0700, also for created parents) unless it exists."""
    path = Path(path)
    with faults(path, "folder data"):
        _make_dirs(path, PRIVATE_DIR)
    return path


def shared_dir(path: str | os.PathLike) -> Path:
    """Create ``path`` 0755 (reports meant to be shared) unless it exists."""
    path = Path(path)
    with faults(path, "folder laporan"):
        _make_dirs(path, SHARED_DIR)
    return path


def private_file(path: str | os.PathLike, what: str = "") -> Path:
    """Create an empty 0600 file unless ``path`` exists (then leave it alone)."""
    path = Path(path)
    private_dir(path.parent)
    with faults(path, what):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        except FileExistsError:
            return path
        try:
            os.fchmod(fd, PRIVATE_FILE)
        finally:
            os.close(fd)
    return path


def readable_by_others(path: str | os.PathLike) -> bool:
    try:
        return bool(os.stat(path).st_mode & 0o077)
    except OSError:
        return False


@contextlib.contextmanager
def faults(path: object, what: str = "", corrupt: str = "") -> Iterator[None]:
    """Raise the environment fault for errors in the block; ``corrupt`` replaces the
    advice for a damaged file."""
    try:
        yield
    except (OSError, sqlite3.Error) as e:
        fault = environment_fault(e, path, what)
        if fault is None or fault is e:
            raise
        if corrupt and isinstance(fault, CorruptFile):
            fault = CorruptFile(corrupt)
        raise fault from None
