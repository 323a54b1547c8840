"""`bukutamu serve`: the front-desk web pages and the poller in one process (one
service): kiosk, helpdesk board, officers, email link pages, lobby screen, reports.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import signal

from bukutamu.adapters.lock import WriterLock
from bukutamu.commands._common import say, warn
from bukutamu.errors import BukutamuError, ConfigError

log = logging.getLogger("bukutamu")


def add_parser(sub) -> None:
    p = sub.add_parser("serve", help="jalankan halaman web kantor dan poller (satu layanan)",
                       description="Menjalankan halaman web (kios pendaftaran /daftar, meja helpdesk /meja, "
                                   "petugas /petugas, layar antrian /antrian, laporan /laporan, halaman tautan "
                                   "email /tautan/...) bersama poller, dalam satu proses. Alamat dari [web] host "
                                   "(bawaan 127.0.0.1: hanya komputer ini); isi alamat LAN untuk perangkat lain. "
                                   "Berhenti bersih dengan Ctrl+C / SIGTERM. Satu proses per store. Dengan beberapa "
                                   "kantor ([offices.KODE]): halaman setiap kantor di /KODE/..., daftar kantor di /.")
    p.add_argument("--port", type=int, default=None, help="port (bawaan: web.port; 0 = pilih port bebas)")
    p.set_defaults(func=run)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def run(args) -> int:
    from bukutamu.commands._common import offices_from
    offices = offices_from(args)
    port = offices[0].web.port if args.port is None else args.port
    host = offices[0].web.host  # one server: [web] host/port of the top level
    with contextlib.ExitStack() as stack:
        if offices[0].slug:
            from bukutamu.offices import log_office_prefix
            stack.enter_context(log_office_prefix())
        apps, failed = {}, []
        for settings in offices:
            try:
                apps[settings.slug] = stack.enter_context(_office_app(settings))
            except BukutamuError as e:
                if len(offices) == 1:
                    raise
                failed.append(settings.slug)
                log.error("Kantor %s tidak bisa berjalan: %s (kantor lain tetap berjalan)", settings.slug, e)
                _report(settings, e)
        if not apps:
            raise ConfigError("Tidak ada kantor yang bisa berjalan (lihat pesan di atas).")
        if not offices[0].slug:  # no [offices]: the one office at /, as always
            wsgi = apps[offices[0].slug]
        else:  # [offices.<slug>]: each at /<slug>/ (as web.base_url says), the list at /
            from werkzeug.middleware.dispatcher import DispatcherMiddleware
            wsgi = DispatcherMiddleware(_index_app(offices, failed), {f"/{slug}": app for slug, app in apps.items()})
        from waitress import create_server
        server = create_server(wsgi, host=host, port=port, threads=8, ident="bukutamu", expose_tracebacks=False)

        def stop(signum, frame):  # noqa: ARG001
            raise SystemExit(0)
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        url = f"http://{host}:{server.effective_port}"
        if not _is_loopback(host):
            warn(f"Halaman terbuka untuk jaringan ({host}). Pastikan hanya LAN kantor yang bisa mengaksesnya.")
        for settings in offices:
            if settings.store.kind == "embedded" and not settings.web.base_url and settings.slug not in failed:
                warn(("" if len(offices) == 1 else f"Kantor {settings.slug}: ")
                     + "web.base_url belum diisi: tautan di email petugas/tamu tidak membuka halaman lokal.")
        if not offices[0].slug:
            say(f"bukutamu serve berjalan di {url}/ (kios {url}/daftar, meja {url}/meja, antrian {url}/antrian)")
        else:
            say(f"bukutamu serve berjalan di {url}/ untuk {len(apps)} kantor: "
                + ", ".join(f"{url}/{slug}/" for slug in apps))
        try:
            server.run()
        except SystemExit:
            pass
        finally:
            server.close()
    say("bukutamu serve berhenti dengan bersih.")
    return 0


@contextlib.contextmanager
def _office_app(settings):
    """One office's Flask app with its poller thread, holding the office's writer
    lock until the server stops. Under a multi-office server the app lives at
    /<slug> (its session cookie too)."""
    from bukutamu.commands.run import build_office
    from bukutamu.engine import lock_path
    from bukutamu.web import create_app
    from bukutamu.web.runner import CycleRunner, ServiceThread, timed
    from bukutamu.web.server import build_runtime

    with WriterLock(lock_path(settings)).acquire(0):
        runner = CycleRunner()
        rt = build_runtime(settings, runner)
        thread = ServiceThread(runner, lambda: build_office(settings, wrap_poll=lambda poll: timed(poll, runner)))
        if settings.slug:
            thread.name = f"kantor-{settings.slug}"
        thread.start()
        thread.ready.wait()
        if thread.error is not None:
            raise thread.error
        app = create_app(rt)
        if settings.slug:
            app.config.update(SESSION_COOKIE_PATH=f"/{settings.slug}",
                              SESSION_COOKIE_NAME=f"bukutamu_sesi_{settings.slug.replace('-', '_')}")
        try:
            yield app
        finally:
            thread.stop()


def _report(settings, error: BukutamuError) -> None:
    from bukutamu.commands.run import report_start_failure
    try:
        report_start_failure(settings, error, str(error))
    except Exception:  # noqa: BLE001 - best effort
        log.exception("Kantor %s: galat tidak bisa dilaporkan", settings.slug)


def _index_app(offices, failed):
    """The page at / of a multi-office server: the offices and their pages."""
    from html import escape

    from werkzeug.wrappers import Request, Response

    from bukutamu.web.security import CSP

    items = []
    for s in offices:
        name = escape(s.office.name)
        if s.slug in failed:
            items.append(f"<li>{name} ({escape(s.slug)}) — <b>tidak berjalan</b>; lihat log dan "
                         "<code>bukutamu check</code></li>")
        else:
            base = f"/{escape(s.slug)}"
            items.append(f'<li><a href="{base}/">{name}</a> ({escape(s.slug)}): <a href="{base}/daftar">kios</a>, '
                         f'<a href="{base}/meja">meja helpdesk</a>, <a href="{base}/antrian">layar antrian</a></li>')
    page = ('<!doctype html><html lang="id"><head><meta charset="utf-8"><title>Buku Tamu — daftar kantor</title>'
            '</head><body><h1>Buku Tamu</h1><p>Pilih kantor:</p><ul>' + "".join(items) + "</ul></body></html>")

    @Request.application
    def app(request):
        if request.path != "/":
            return Response("<!doctype html><title>Tidak ditemukan</title><p>Halaman tidak ditemukan. "
                            '<a href="/">Daftar kantor</a></p>', 404, content_type="text/html; charset=utf-8",
                            headers={"Content-Security-Policy": CSP})
        return Response(page, content_type="text/html; charset=utf-8",
                        headers={"Content-Security-Policy": CSP, "Cache-Control": "no-store",
                                 "X-Content-Type-Options": "nosniff"})
    return app
