"""The front-desk web pages (`bukutamu serve`): Flask, rendered on the server, htmx
and a little plain JS from the package itself (the LAN may have no internet).

Security in one place (``create_app``): session cookies HttpOnly + SameSite, a
CSRF token on every form, a CSP without inline script or style, login with roles,
rate limits. Routes live in ``pages.py`` and stay thin: the use cases are in
``bukutamu/app``.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Callable

from flask import Flask, abort, g, redirect, render_template, request, session, url_for

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


@dataclass
class WebRuntime:
    """What the pages need, built by `bukutamu serve` (or a test)."""

    settings: object
    store_factory: Callable[[], object]  # a store for the calling thread
    runner: object  # CycleRunner
    webdb: object  # WebDb
    key: bytes  # HMAC key (link tokens)
    sop: object
    calendar: object
    clock: Callable[[], datetime]
    session_secret: bytes
    kiosk_lock: threading.Lock = field(default_factory=threading.Lock)
    _local: threading.local = field(default_factory=threading.local)

    @property
    def embedded(self) -> bool:
        return self.settings.store.kind == "embedded"

    def store(self):
        s = getattr(self._local, "store", None)
        if s is None:
            s = self._local.store = self.store_factory()
        return s


def session_secret(data_dir: Path) -> bytes:
    """The session-signing key: ``kunci-sesi`` in the store's data folder (0600),
    created on first start. Deleting it logs everybody out, nothing more."""
    import os
    path = Path(data_dir) / "kunci-sesi"
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
        return path.read_bytes().strip()


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
            rt: WebRuntime = g.rt
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


def create_app(rt: WebRuntime) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=rt.session_secret,
        SESSION_COOKIE_NAME="bukutamu_sesi",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(rt.settings.web.secure_cookies),
        PERMANENT_SESSION_LIFETIME=12 * 3600,
        MAX_CONTENT_LENGTH=64 * 1024,
        TEMPLATES_AUTO_RELOAD=False,
    )
    app.extensions["bukutamu"] = rt
    app.jinja_env.globals.update(csrf_token=csrf_token, office=rt.settings.office.name)
    app.kiosk_limit = RateLimit(rt.settings.web.kiosk_per_minute, 60)
    app.check_limit = RateLimit(240, 60)
    app.link_limit = RateLimit(30, 60)
    app.login_limit = RateLimit(rt.settings.web.login_attempts, 600)

    @app.before_request
    def _before():
        g.rt = rt
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            sent = request.form.get("csrf") or request.headers.get("X-CSRF-Token") or ""
            want = session.get("csrf") or ""
            if not want or not hmac.compare_digest(sent.encode(), want.encode()):
                log.warning("Permintaan %s %s ditolak: token CSRF tidak ada/tidak cocok (%s)",
                            request.method, request.path, client_ip())
                return render_template("message.html", title="Permintaan ditolak",
                                       message="Formulir kedaluwarsa atau tidak sah. Muat ulang halaman lalu "
                                               "coba lagi."), 400

    @app.after_request
    def _headers(resp):
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "no-referrer"  # tokens in link URLs never leak
        resp.headers["X-Frame-Options"] = "DENY"
        if not request.path.startswith("/static/"):
            resp.headers["Cache-Control"] = "no-store"
        return resp

    @app.errorhandler(404)
    def _404(_e):
        return render_template("message.html", title="Tidak ditemukan", message="Halaman tidak ditemukan."), 404

    @app.errorhandler(413)
    def _413(_e):
        return render_template("message.html", title="Terlalu besar", message="Isian terlalu panjang."), 413

    from bukutamu.web.pages import bp
    app.register_blueprint(bp)
    return app


def require_embedded() -> None:
    if not g.rt.embedded:
        abort(404)
