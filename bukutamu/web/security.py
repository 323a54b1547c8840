"""Security helpers of the web front: rate limits, CSRF token, login with roles,
the Content-Security-Policy. Used by ``create_app`` and the routes."""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import deque
from functools import wraps

from flask import abort, g, redirect, render_template, request, session, url_for

log = logging.getLogger("bukutamu.web")

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")
# The archived weekly report is a self-contained HTML page (inline CSS, base64 charts)
# and has no script: it may style itself, nothing more.
REPORT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data: 'self'; base-uri 'none'; "
              "form-action 'none'; frame-ancestors 'none'")


class RateLimit:
    """At most ``limit`` hits per ``window`` seconds per key (in memory, per process)."""

    def __init__(self, limit: int, window: float):
        self.limit, self.window = limit, window
        self._hits: dict[str, deque] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            q = self._hits.setdefault(key, deque())
            while q and now - q[0] > self.window:
                q.popleft()
            if len(q) >= self.limit:
                return False
            q.append(now)
            if len(self._hits) > 10000:  # forget idle keys
                for k in [k for k, v in self._hits.items() if not v][:5000]:
                    del self._hits[k]
            return True

    def count(self, key: str) -> int:
        now = time.monotonic()
        with self._lock:
            q = self._hits.get(key, deque())
            return sum(1 for t in q if now - t <= self.window)

    def reset(self, key: str) -> None:
        with self._lock:
            self._hits.pop(key, None)


def client_ip() -> str:
    return request.remote_addr or "?"


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def login_required(*roles: str):
    def wrap(view):
        @wraps(view)
        def inner(*args, **kwargs):
            user, role = session.get("user"), session.get("role")
            if not user:
                return redirect(url_for("pages.login", lanjut=request.path))
            rt = g.rt
            current = rt.webdb.user(user)
            if current is None or not current.active or current.role != role:
                session.clear()
                return redirect(url_for("pages.login", lanjut=request.path))
            if roles and role not in roles:
                log.warning("Akses ditolak: pengguna %s (peran %s) ke %s", user, role, request.path)
                return render_template("message.html", title="Akses ditolak",
                                       message="Peran Anda tidak boleh membuka halaman ini."), 403
            return view(*args, **kwargs)
        return inner
    return wrap


def require_embedded() -> None:
    if not g.rt.embedded:
        abort(404)
