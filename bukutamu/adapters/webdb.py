"""The web front's own small database (``web.sqlite`` in the store's data folder):
users with roles and scrypt password hashes, the lobby calls ("panggil") and the
log of the helpdesk's corrections. Never holds a NIK or a password.

One short connection per call, so any server thread may use it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bukutamu.errors import BukutamuError

ROLES = ("helpdesk", "admin", "manager")
MIN_PASSWORD = 10
# scrypt (RFC 7914), OWASP's minimum: N=2^17, r=8, p=1 (128 MiB). maxmem above 128*N*r.
_N, _R, _P = 2 ** 17, 8, 1
_MAXMEM = 256 * 1024 * 1024

_DDL = """
CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, role TEXT NOT NULL, hash TEXT NOT NULL,
                                  active INTEGER NOT NULL DEFAULT 1, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS calls (id INTEGER PRIMARY KEY AUTOINCREMENT, queue TEXT NOT NULL,
                                  visit_id TEXT NOT NULL, at TEXT NOT NULL, by_user TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS corrections (id INTEGER PRIMARY KEY AUTOINCREMENT, visit_id TEXT NOT NULL,
                                        field TEXT NOT NULL, old TEXT NOT NULL, new TEXT NOT NULL,
                                        at TEXT NOT NULL, by_user TEXT NOT NULL);
"""


class UserError(BukutamuError):
    pass


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, maxmem=_MAXMEM, dklen=32)
    b = lambda x: base64.b64encode(x).decode("ascii")  # noqa: E731
    return f"scrypt${_N}${_R}${_P}${b(salt)}${b(digest)}"


def check_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        want = base64.b64decode(digest)
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r),
                             p=int(p), maxmem=_MAXMEM, dklen=len(want))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


_DUMMY = None


@dataclass(frozen=True)
class User:
    name: str
    role: str
    active: bool


@dataclass(frozen=True)
class Call:
    id: int
    queue: str
    at: str


class WebDb:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db:
            db.executescript(_DDL)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA secure_delete=ON")  # corrections hold names: deleted content is zeroed
        return db

    # -- users ----------------------------------------------------------------------
    def add_user(self, name: str, role: str, password: str, now: datetime) -> None:
        name = name.strip()
        if not name or not name.replace(".", "").replace("_", "").replace("-", "").isalnum():
            raise UserError("Nama pengguna hanya huruf, angka, titik, garis bawah, atau tanda hubung.")
        if role not in ROLES:
            raise UserError(f"Peran {role!r} tidak dikenal; pilih salah satu dari: {', '.join(ROLES)}.")
        if len(password) < MIN_PASSWORD:
            raise UserError(f"Kata sandi minimal {MIN_PASSWORD} karakter.")
        with closing(self._connect()) as db:
            try:
                db.execute("INSERT INTO users (name, role, hash, active, created) VALUES (?, ?, ?, 1, ?)",
                           (name, role, hash_password(password), now.isoformat(timespec="seconds")))
            except sqlite3.IntegrityError:
                raise UserError(f"Pengguna {name} sudah ada.") from None

    def set_password(self, name: str, password: str) -> None:
        if len(password) < MIN_PASSWORD:
            raise UserError(f"Kata sandi minimal {MIN_PASSWORD} karakter.")
        with closing(self._connect()) as db:
            if db.execute("UPDATE users SET hash = ? WHERE name = ?", (hash_password(password), name)).rowcount != 1:
                raise UserError(f"Pengguna {name} tidak ada.")

    def set_active(self, name: str, active: bool) -> None:
        with closing(self._connect()) as db:
            if db.execute("UPDATE users SET active = ? WHERE name = ?", (int(active), name)).rowcount != 1:
                raise UserError(f"Pengguna {name} tidak ada.")

    def users(self) -> list[User]:
        with closing(self._connect()) as db:
            return [User(n, r, bool(a)) for n, r, a in db.execute("SELECT name, role, active FROM users ORDER BY name")]

    def authenticate(self, name: str, password: str) -> User | None:
        global _DUMMY
        with closing(self._connect()) as db:
            found = db.execute("SELECT name, role, hash, active FROM users WHERE name = ?", (name,)).fetchone()
        if found is None:
            _DUMMY = _DUMMY or hash_password("tidak-ada-pengguna-ini")
            check_password(password, _DUMMY)  # same cost as a real check: no user enumeration by timing
            return None
        ok = check_password(password, found[2])
        return User(found[0], found[1], True) if ok and found[3] else None

    def user(self, name: str) -> User | None:
        with closing(self._connect()) as db:
            found = db.execute("SELECT name, role, active FROM users WHERE name = ?", (name,)).fetchone()
        return User(found[0], found[1], bool(found[2])) if found else None

    # -- lobby calls ------------------------------------------------------------------
    def call(self, queue: str, visit_id: str, by: str, now: datetime) -> int:
        with closing(self._connect()) as db:
            return int(db.execute("INSERT INTO calls (queue, visit_id, at, by_user) VALUES (?, ?, ?, ?)",
                                  (queue, visit_id, now.isoformat(timespec="seconds"), by)).lastrowid)

    def last_call(self, day_prefix: str) -> Call | None:
        """The latest call of the day (visit IDs start with YYYYMMDD)."""
        with closing(self._connect()) as db:
            found = db.execute("SELECT id, queue, at FROM calls WHERE visit_id LIKE ? ORDER BY id DESC LIMIT 1",
                               (day_prefix + "%",)).fetchone()
        return Call(*found) if found else None

    # -- corrections log ------------------------------------------------------------------
    def log_correction(self, visit_id: str, field: str, old: str, new: str, by: str, now: datetime) -> None:
        with closing(self._connect()) as db:
            db.execute("INSERT INTO corrections (visit_id, field, old, new, at, by_user) VALUES (?, ?, ?, ?, ?, ?)",
                       (visit_id, field, old, new, now.isoformat(timespec="seconds"), by))

    def corrections(self, visit_id: str) -> list[tuple[str, str, str, str, str]]:
        """(time, user, field, old, new) of one visit, oldest first."""
        with closing(self._connect()) as db:
            return list(db.execute("SELECT at, by_user, field, old, new FROM corrections WHERE visit_id = ? "
                                   "ORDER BY id", (visit_id,)))

    # -- retention ------------------------------------------------------------------------
    def purge_visits(self, visits, *, dry_run: bool = False) -> int:
        """Retention: the corrections of anonymised visits lose their old and new
        values (a name, phone or address typed by the helpdesk); who changed which
        field and when stays. Idempotent; returns the rows changed (would change)."""
        wanted = sorted(set(visits))
        count = 0
        with closing(self._connect()) as db:
            for i in range(0, len(wanted), 500):
                chunk = wanted[i:i + 500]
                marks = ",".join("?" * len(chunk))
                where = f"visit_id IN ({marks}) AND (old != '' OR new != '')"
                if dry_run:
                    count += db.execute(f"SELECT COUNT(*) FROM corrections WHERE {where}", chunk).fetchone()[0]
                else:
                    count += db.execute(f"UPDATE corrections SET old = '', new = '' WHERE {where}", chunk).rowcount
        return count

    def scrub(self) -> bool:
        from bukutamu.adapters.sqlite_store import scrub
        with closing(self._connect()) as db:
            return scrub(db, self.path)
