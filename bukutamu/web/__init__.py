"""The front-desk web pages (`bukutamu serve`): Flask, rendered on the server, htmx
and a little plain JS from the package itself (the LAN may have no internet).

Security in one place (``create_app`` with ``security.py``): session cookies
HttpOnly + SameSite, a CSRF token on every form, a CSP without inline script or
style, login with roles, rate limits. Routes live in ``pages.py`` and stay thin:
the use cases are in ``bukutamu/app``.
"""

from __future__ import annotations

import hmac

from flask import Flask, g, render_template, request, session

from bukutamu.web.runtime import WebRuntime
from bukutamu.web.security import CSP, RateLimit, client_ip, csrf_token, log


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


