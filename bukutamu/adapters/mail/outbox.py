"""Outbox mailer: each message becomes one RFC 5322 ``.eml`` file in a folder.

The embedded default: nothing leaves the machine, and anyone can open the files
with a mail client. The MIME is exactly what ``SmtpMailer`` would send
(``mime.build_message``), lines end in CRLF.

- File name: the message key made filesystem-safe plus a short hash of the exact
  key (two keys that clean to the same text still get two files).
- Atomic: written to a temporary file in the same folder, flushed to disk, then
  renamed into place; a reader never sees half a message.
- Idempotent: a key whose file exists is not written again (same Message-ID).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from bukutamu.adapters.mail.mime import MessageBuildError, build_message, message_bytes, make_message_id
from bukutamu.core.mail import OutgoingMail, SendResult

Clock = Callable[[], datetime]


_VISIT_IN_TEXT = re.compile(r"\b\d{8}-[A-Z]{1,3}\d{3,}\b")


def outbox_filename(key: str) -> str:
    """``<cleaned key>-<sha256(key)[:12]>.eml``; only ``[A-Za-z0-9._-]``, at most ~110 chars."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", key).strip("._-")[:90] or "pesan"
    return f"{cleaned}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:12]}.eml"


class OutboxMailer:
    def __init__(self, folder: str | os.PathLike, sender: str, sender_name: str = "", *,
                 clock: Clock | None = None):
        self.folder = Path(folder)
        self.sender = sender
        self.sender_name = sender_name
        self._clock = clock or (lambda: datetime.now(timezone.utc))

    def __repr__(self) -> str:
        return f"OutboxMailer({self.folder})"

    def describe(self) -> str:
        return f"folder outbox {self.folder}"

    def path_for(self, key: str) -> Path:
        return self.folder / outbox_filename(key)

    def send(self, mail: OutgoingMail) -> SendResult:
        message_id = make_message_id(mail.key, self.sender)
        target = self.path_for(mail.key)
        if target.exists():
            return SendResult(True, message_id)
        try:
            data = message_bytes(build_message(mail, self.sender, self.sender_name, self._clock()))
        except MessageBuildError as e:
            return SendResult(False, message_id, f"Pesan tidak dapat disusun: {e}", permanent=True)
        try:
            _make_private_dir(self.folder)
            _write_atomic(target, data)
        except OSError as e:
            return SendResult(False, message_id,
                              f"Gagal menulis ke folder outbox {self.folder} ({type(e).__name__}); "
                              "periksa izin tulis dan ruang disk. Akan dicoba lagi.")
        return SendResult(True, message_id)

    def check(self) -> str | None:
        try:
            _make_private_dir(self.folder)
            fd, tmp = tempfile.mkstemp(prefix=".check-", dir=self.folder)
            os.close(fd)
            os.unlink(tmp)
        except OSError as e:
            return (f"Folder outbox {self.folder} tidak dapat ditulisi ({type(e).__name__}). "
                    "Periksa mail.outbox dan izin folder.")
        return None

    def close(self) -> None:
        pass


def purge_outbox(folder: str | os.PathLike, visits, keys=(), before: datetime | None = None, *,
                 dry_run: bool = False) -> list[Path]:
    """Retention: delete the ``.eml`` copies of anonymised visits' messages (their
    file names start with the visit ID), of the journal ``keys`` given (messages
    about no visit, created before the cutoff), and any other message not about a
    visit whose Date header is before ``before`` (escalation digests, which carry
    several guests' names and have no journal row of their own). Leftover
    ``.eml.part`` temporaries (an hour old: a write that was killed) go
    too. Idempotent (a missing file is done); returns the files deleted (would delete, with ``dry_run``)."""
    from bukutamu.core.mail import _VISIT_ID
    folder = Path(folder)
    if not folder.is_dir():
        return []
    wanted = set(visits)
    prefixes = tuple(f"{v}_" for v in wanted)
    named = {outbox_filename(k) for k in keys}
    doomed: list[Path] = []
    for path in sorted(folder.iterdir()):
        name = path.name
        if not path.is_file():
            continue
        if name.endswith(".eml.part"):
            try:
                if time.time() - path.stat().st_mtime > 3600:  # not a write in progress
                    doomed.append(path)
            except OSError:
                pass
            continue
        if not name.endswith(".eml"):
            continue
        head = name.split("_", 1)[0]
        if name.startswith(prefixes) or name in named:
            doomed.append(path)
        elif not _VISIT_ID.match(head) and _mentions_or_older(path, wanted, before):
            doomed.append(path)
    if not dry_run:
        for path in doomed:
            path.unlink(missing_ok=True)
    return doomed


def _mentions_or_older(path: Path, visits: set[str], before: datetime | None) -> bool:
    import email
    from email import policy
    from email.utils import parsedate_to_datetime
    try:
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        date = msg.get("Date")
        sent = parsedate_to_datetime(str(date)) if date else None
        if before is not None and sent is not None and sent.tzinfo is not None and sent < before:
            return True
        if visits:
            texts = [str(msg.get("Subject", ""))]
            texts += [part.get_content() for part in msg.walk() if part.get_content_maintype() == "text"]
            named = {m for t in texts for m in _VISIT_IN_TEXT.findall(t)}
            return not named.isdisjoint(visits)
    except (OSError, ValueError, TypeError, LookupError):
        return False
    return False


def _make_private_dir(folder: Path) -> None:
    """0700 like the data folder (messages hold names); OSError passes to the caller."""
    from bukutamu.adapters.files import PRIVATE_DIR, _make_dirs
    _make_dirs(folder, PRIVATE_DIR)


def _write_atomic(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".eml.part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if target.exists():  # another writer won: keep the first file
            os.unlink(tmp)
            return
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable (POSIX)
        try:
            dfd = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
        except OSError:
            pass
