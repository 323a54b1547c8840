"""Exactly-once mail journal: one SQLite file (WAL), one row per message key.

Lifecycle of a key (visit/kind/cycle)::

    record_intent ──> pending ──mark_sent──> sent ──mark_reflected──> (sent, reflected)
                        │  ^
            mark_failed │  │ temporary: attempts += 1, next try after backoff
                        v  │
                      (pending, not due yet)
                        │
            mark_failed(permanent=True) ──> failed   (never retried; the engine notes it)

- ``record_intent`` stores the whole serialized OutgoingMail, so a pending message
  is re-sent after a restart without rebuilding it. The first intent for a key wins.
- Every method is its own committed transaction (``synchronous=FULL``): once a call
  returns, a kill of the process cannot undo it.
- Retry schedule: 1, 2, 4, 8 … minutes after the n-th failure, capped (default
  60 min). Nothing pending is ever dropped.
- ``sent_unreflected`` / ``mark_reflected`` let the engine learn send times and
  write them to the sheet; a crash between mark_sent and the sheet write leaves the
  row unreflected, so the next cycle writes it -- without sending again.
- Payloads hold personal data (names in the HTML): ``forget_payloads`` blanks the
  payload of settled messages older than a cut-off, keeping key and times.

Times are aware datetimes, stored as UTC ISO-8601 text (sorts chronologically).
The window no journal can close is documented in ``bukutamu.adapters.delivery``.
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable

from bukutamu.adapters.files import faults, private_file
from bukutamu.core.mail import Attachment, InlineImage, MailKey, OutgoingMail

PENDING, SENT, FAILED = "pending", "sent", "failed"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS mail (
    key             TEXT PRIMARY KEY,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
    payload         TEXT,
    created_at      TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    message_id      TEXT NOT NULL DEFAULT '',
    sent_at         TEXT,
    failed_at       TEXT,
    reflected       INTEGER NOT NULL DEFAULT 0,
    visit_id        TEXT,
    role            TEXT,
    kind            TEXT,
    round           INTEGER
);
CREATE INDEX IF NOT EXISTS mail_due ON mail (state, next_attempt_at);
CREATE INDEX IF NOT EXISTS mail_sent ON mail (state, reflected, sent_at);
"""
# The typed key (core.mail.MailKey) of a visit's message, beside its text form: the
# visit, the recipient's role, the kind and the round. NULL for keys that are not
# about a visit (weekly report, admin alert, digests).
_TYPED = (("visit_id", "TEXT"), ("role", "TEXT"), ("kind", "TEXT"), ("round", "INTEGER"))
_TYPED_INDEX = "CREATE INDEX IF NOT EXISTS mail_visit ON mail (visit_id, kind, round)"


def typed(key: str) -> tuple:
    """(visit_id, role, kind, round) of a journal key; Nones when it is not a visit's."""
    k = MailKey.parse(key)
    if k is None:
        return (None, None, None, None)
    kind = f"{k.kind.value}-{k.step}" if k.step is not None else k.kind.value
    return (k.visit_id, k.kind.recipient_role, kind, k.round)


# --- serialization -----------------------------------------------------------

def mail_to_json(mail: OutgoingMail) -> str:
    b64 = lambda b: base64.b64encode(b).decode("ascii")  # noqa: E731
    return json.dumps({
        "v": 1, "key": mail.key, "to": list(mail.to), "cc": list(mail.cc), "subject": mail.subject,
        "html": mail.html, "text": mail.text,
        "inline_images": [{"cid": i.cid, "filename": i.filename, "data": b64(i.data), "subtype": i.subtype}
                          for i in mail.inline_images],
        "attachments": [{"filename": a.filename, "data": b64(a.data), "mime_type": a.mime_type}
                        for a in mail.attachments],
        "headers": [list(h) for h in mail.headers], "digest": mail.digest, "summary": mail.summary,
    }, ensure_ascii=False, separators=(",", ":"))


def mail_from_json(text: str) -> OutgoingMail:
    d = json.loads(text)
    if d.get("v") != 1:
        raise ValueError("unknown journal payload version")
    unb64 = base64.b64decode
    return OutgoingMail(
        key=d["key"], to=tuple(d["to"]), cc=tuple(d["cc"]), subject=d["subject"], html=d["html"],
        text=d["text"],
        inline_images=tuple(InlineImage(i["cid"], i["filename"], unb64(i["data"]), i["subtype"])
                            for i in d["inline_images"]),
        attachments=tuple(Attachment(a["filename"], unb64(a["data"]), a["mime_type"]) for a in d["attachments"]),
        headers=tuple((k, v) for k, v in d["headers"]), digest=d.get("digest", ""), summary=d.get("summary", ""),
    )


def digest_group(mail: OutgoingMail) -> str:
    """The digest a message joins: its digest name and recipients ("" = none)."""
    return f"{mail.digest}:{','.join(sorted(a.casefold() for a in mail.to))}" if mail.digest else ""


# --- records -----------------------------------------------------------------

@dataclass(frozen=True)
class PendingMail:
    key: str
    mail: OutgoingMail
    attempts: int
    next_attempt_at: datetime
    last_error: str


@dataclass(frozen=True)
class SentMail:
    key: str
    sent_at: datetime
    message_id: str
    reflected: bool


@dataclass(frozen=True)
class FailedMail:
    key: str
    failed_at: datetime
    error: str
    attempts: int
    reflected: bool


def retry_delay(attempts: int, base: timedelta = timedelta(minutes=1),
                cap: timedelta = timedelta(minutes=60)) -> timedelta:
    """Wait after the ``attempts``-th failure: base, 2·base, 4·base … at most cap."""
    if attempts < 1:
        return timedelta(0)
    return min(base * (2 ** min(attempts - 1, 30)), cap)


def _ts(moment: datetime) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("journal times must be timezone-aware")
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _reading(method):
    """A damaged or unreadable journal met while reading: the Indonesian error naming it."""
    import functools

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._faults():
            return method(self, *args, **kwargs)

    return wrapper


class MailJournal:
    def __init__(self, path: str | os.PathLike, *, backoff_base: timedelta = timedelta(minutes=1),
                 backoff_cap: timedelta = timedelta(minutes=60), digest_window: timedelta = timedelta(0)):
        self.path = Path(path)
        self.backoff_base, self.backoff_cap = backoff_base, backoff_cap
        self.digest_window = digest_window  # at most one digest per window and recipient list
        private_file(self.path, "jurnal email")  # 0600 before SQLite creates it (and its -wal/-shm)
        # Autocommit mode; every write below runs in its own BEGIN IMMEDIATE ... COMMIT.
        with self._faults():
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=FULL")
                self._db.execute("PRAGMA busy_timeout=30000")
                self._db.execute("PRAGMA secure_delete=ON")  # payloads hold names: deleted content is zeroed
                with self._tx():
                    for stmt in filter(str.strip, _SCHEMA.split(";")):
                        self._db.execute(stmt)
                    columns = {r[1] for r in self._db.execute("PRAGMA table_info(mail)")}
                    if "digest" not in columns:  # journals from before digests
                        self._db.execute("ALTER TABLE mail ADD COLUMN digest TEXT NOT NULL DEFAULT ''")
                    if any(name not in columns for name, _ in _TYPED):  # journals from before typed keys
                        for name, kind in _TYPED:
                            if name not in columns:
                                self._db.execute(f"ALTER TABLE mail ADD COLUMN {name} {kind}")
                        keys = [k for (k,) in self._db.execute("SELECT key FROM mail")]
                        self._db.executemany(
                            "UPDATE mail SET visit_id = ?, role = ?, kind = ?, round = ? WHERE key = ?",
                            [(*typed(k), k) for k in keys])
                    self._db.execute(_TYPED_INDEX)
                self._db.execute("SELECT COUNT(*) FROM mail").fetchone()
            except BaseException:
                self._db.close()
                raise

    def _faults(self):
        return faults(self.path, "jurnal email",
                      corrupt=f"Jurnal email {self.path} rusak (bukan database SQLite yang utuh). Hentikan "
                              "bukutamu, pindahkan berkas itu ke tempat lain (jangan dihapus), lalu jalankan lagi: "
                              "jurnal baru dibuat. Email yang hasilnya sudah tercatat di register (petugas "
                              "dihubungi, eskalasi) tidak dikirim ulang; email untuk kunjungan yang masih "
                              "menunggu bisa terkirim sekali lagi.")

    # --- plumbing --------------------------------------------------------------

    def _tx(self):
        from bukutamu.adapters.sqlite_store import _Tx
        return _Tx(self._db, self._faults)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "MailJournal":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writes ----------------------------------------------------------------

    def record_intent(self, mail: OutgoingMail, at: datetime) -> bool:
        """Store ``mail`` as pending, due at ``at``. False (and no change) when the
        key is already known in any state."""
        with self._tx() as db:
            due = at
            group = digest_group(mail)
            if group and self.digest_window:
                # Held until a digest may go to these recipients again; items that fall due
                # together are combined by delivery.deliver.
                last = db.execute("SELECT MAX(sent_at) FROM mail WHERE state = 'sent' AND digest = ?",
                                  (group,)).fetchone()[0]
                if last:
                    due = max(at, _dt(last) + self.digest_window)
            cur = db.execute(
                "INSERT OR IGNORE INTO mail (key, state, payload, created_at, next_attempt_at, digest, visit_id, "
                "role, kind, round) VALUES (?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?)",
                (mail.key, mail_to_json(mail), _ts(at), _ts(due), group, *typed(mail.key)))
            return cur.rowcount == 1

    def mark_sent(self, key: str, at: datetime, message_id: str = "") -> None:
        """The server accepted the message. Idempotent: a second call keeps the first time."""
        with self._tx() as db:
            row = db.execute("SELECT state FROM mail WHERE key = ?", (key,)).fetchone()
            if row is None:
                raise KeyError(key)
            if row[0] == SENT:
                return
            db.execute("UPDATE mail SET state = 'sent', sent_at = ?, message_id = ?, last_error = '' "
                       "WHERE key = ?", (_ts(at), message_id, key))

    def mark_failed(self, key: str, error: str, permanent: bool, at: datetime) -> datetime | None:
        """Count a failed attempt. Temporary: the next attempt time (backoff) is
        returned; permanent: the key becomes ``failed`` and None is returned. A key
        already sent is left alone."""
        with self._tx() as db:
            row = db.execute("SELECT state, attempts FROM mail WHERE key = ?", (key,)).fetchone()
            if row is None:
                raise KeyError(key)
            state, attempts = row[0], row[1] + 1
            if state != PENDING:
                return None
            if permanent:
                db.execute("UPDATE mail SET state = 'failed', attempts = ?, last_error = ?, failed_at = ? "
                           "WHERE key = ?", (attempts, error, _ts(at), key))
                return None
            nxt = at + retry_delay(attempts, self.backoff_base, self.backoff_cap)
            db.execute("UPDATE mail SET attempts = ?, last_error = ?, next_attempt_at = ? WHERE key = ?",
                       (attempts, error, _ts(nxt), key))
            return nxt.astimezone(timezone.utc)

    def mark_reflected(self, key: str) -> None:
        """The engine wrote this message's outcome (send time / failure) to the sheet."""
        with self._tx() as db:
            db.execute("UPDATE mail SET reflected = 1 WHERE key = ? AND state IN ('sent', 'failed')", (key,))

    def forget_payloads(self, before: datetime) -> int:
        """Blank the stored message of settled keys created before ``before``
        (privacy); key, state and times stay so nothing is sent twice."""
        with self._tx() as db:
            cur = db.execute("UPDATE mail SET payload = NULL WHERE state IN ('sent', 'failed') "
                             "AND created_at < ? AND payload IS NOT NULL", (_ts(before),))
            return cur.rowcount

    def purge_visits(self, visits: Iterable[str], before: datetime, *, dry_run: bool = False) -> int:
        """Retention (``app/retention.py``): reduce what the journal keeps of the
        messages of ``visits`` (anonymised visits) and of the messages about no visit
        created before ``before`` (digests, alerts): payload (names, addresses) ->
        NULL, last error (may quote a refused address) and digest group (recipient
        addresses) -> ''. A pending message of such a visit is settled as failed and
        reflected: its visit is closed, it will never be sent. Keys, states and times
        stay, so nothing is sent twice. Idempotent; returns the rows changed (would
        change, with ``dry_run``). Freed pages are zeroed (secure_delete)."""
        dirty = "(payload IS NOT NULL OR last_error != '' OR digest != '' OR state = 'pending')"
        wanted = sorted(set(visits))
        chunks = [wanted[i:i + 500] for i in range(0, len(wanted), 500)]
        count = 0
        with self._tx() as db:
            for chunk in chunks:
                marks = ",".join("?" * len(chunk))
                if dry_run:
                    count += db.execute(f"SELECT COUNT(*) FROM mail WHERE visit_id IN ({marks}) AND {dirty}",
                                        chunk).fetchone()[0]
                    continue
                count += db.execute(
                    "UPDATE mail SET payload = NULL, last_error = '', digest = '', "
                    "failed_at = CASE WHEN state = 'pending' THEN ? ELSE failed_at END, "
                    "reflected = CASE WHEN state = 'pending' THEN 1 ELSE reflected END, "
                    "state = CASE WHEN state = 'pending' THEN 'failed' ELSE state END "
                    f"WHERE visit_id IN ({marks}) AND {dirty}", (_ts(before), *chunk)).rowcount
            loose = ("visit_id IS NULL AND state != 'pending' AND created_at < ? "
                     "AND (payload IS NOT NULL OR last_error != '' OR digest != '')")
            if dry_run:
                count += db.execute(f"SELECT COUNT(*) FROM mail WHERE {loose}", (_ts(before),)).fetchone()[0]
            else:
                count += db.execute(f"UPDATE mail SET payload = NULL, last_error = '', digest = '' WHERE {loose}",
                                    (_ts(before),)).rowcount
        return count

    def keys_before(self, before: datetime) -> list[str]:
        """Keys about no visit created before ``before`` (their outbox copies go too)."""
        with self._faults():
            return [k for (k,) in self._db.execute("SELECT key FROM mail WHERE visit_id IS NULL AND created_at < ?",
                                                   (_ts(before),))]

    def scrub(self) -> bool:
        """Rewrite the file without free pages and empty the WAL, so no reduced value
        survives in a freed page or an old WAL frame (retention)."""
        from bukutamu.adapters.sqlite_store import scrub
        with self._faults():
            return scrub(self._db, self.path)

    # --- reads -----------------------------------------------------------------

    @_reading
    def state(self, key: str) -> str | None:
        row = self._db.execute("SELECT state FROM mail WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    @_reading
    def known_keys(self, visits: Iterable[str] | None = None) -> frozenset[str]:
        """The keys the journal holds, whatever their state (the plan skips them):
        all of them, or those of the given visit IDs (by the typed key's visit column,
        indexed: a cycle reads what its open visits need, not every key ever recorded)
        plus the few keys that are about no visit."""
        if visits is None:
            return frozenset(k for (k,) in self._db.execute("SELECT key FROM mail"))
        # Keys about no visit (weekly report, admin alerts, daily system notices) are
        # few and always included: the plan may ask about them too.
        out: set[str] = {k for (k,) in self._db.execute("SELECT key FROM mail WHERE visit_id IS NULL")}
        wanted = sorted(set(visits))
        for i in range(0, len(wanted), 500):
            chunk = wanted[i:i + 500]
            out.update(k for (k,) in self._db.execute(
                f"SELECT key FROM mail WHERE visit_id IN ({','.join('?' * len(chunk))})", chunk))
        return frozenset(out)

    @_reading
    def keys_of(self, visit_id: str) -> list[MailKey]:
        """The typed keys recorded for one visit (any state), by kind and round."""
        rows = self._db.execute("SELECT key FROM mail WHERE visit_id = ? ORDER BY kind, round, key", (visit_id,))
        return [k for k in (MailKey.parse(key) for (key,) in rows) if k is not None]

    @_reading
    def pending_count(self) -> int:
        """How many messages wait to be sent (no payload is read)."""
        return self._db.execute("SELECT COUNT(*) FROM mail WHERE state = 'pending'").fetchone()[0]

    def was_sent(self, key: str) -> bool:
        return self.state(key) == SENT

    @_reading
    def _pending(self, where: str, args: tuple) -> list[PendingMail]:
        rows = self._db.execute(
            "SELECT key, payload, attempts, next_attempt_at, last_error FROM mail "
            f"WHERE state = 'pending' {where} ORDER BY created_at, key", args).fetchall()
        return [PendingMail(k, mail_from_json(p), a, _dt(n), e) for k, p, a, n, e in rows]

    def due(self, now: datetime) -> list[PendingMail]:
        """Pending messages whose next attempt is at or before ``now``, oldest first."""
        return self._pending("AND next_attempt_at <= ?", (_ts(now),))

    def pending(self) -> list[PendingMail]:
        return self._pending("", ())

    @_reading
    def next_due(self) -> datetime | None:
        row = self._db.execute("SELECT MIN(next_attempt_at) FROM mail WHERE state = 'pending'").fetchone()
        return _dt(row[0]) if row and row[0] else None

    @_reading
    def _sent(self, where: str, args: tuple) -> list[SentMail]:
        rows = self._db.execute(
            f"SELECT key, sent_at, message_id, reflected FROM mail WHERE state = 'sent' {where} "
            "ORDER BY sent_at, key", args).fetchall()
        return [SentMail(k, _dt(s), m, bool(r)) for k, s, m, r in rows]

    def sent_since(self, since: datetime) -> list[SentMail]:
        return self._sent("AND sent_at >= ?", (_ts(since),))

    def sent_unreflected(self) -> list[SentMail]:
        return self._sent("AND reflected = 0", ())

    @_reading
    def failed_recipients(self, kind: str) -> dict[str, tuple[str, ...]]:
        """Every key of ``kind`` ("…/<kind>/…") given up for good -> its recipients
        (empty once the payload was forgotten). Few rows: failures are rare."""
        rows = self._db.execute("SELECT key, payload FROM mail WHERE state = 'failed' AND key LIKE ?",
                                (f"%/{kind}/%",)).fetchall()
        return {k: tuple(json.loads(p).get("to", ())) if p else () for k, p in rows}

    @_reading
    def failed_unreflected(self) -> list[FailedMail]:
        rows = self._db.execute(
            "SELECT key, failed_at, last_error, attempts, reflected FROM mail "
            "WHERE state = 'failed' AND reflected = 0 ORDER BY failed_at, key").fetchall()
        return [FailedMail(k, _dt(f), e, a, bool(r)) for k, f, e, a, r in rows]
