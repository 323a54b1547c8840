"""`bukutamu serve`: the front-desk web pages and the poller in one process (one
service): kiosk, helpdesk board, officers, email link pages, lobby screen, reports.
"""

from __future__ import annotations

import ipaddress
import logging
import signal

from bukutamu.adapters.lock import WriterLock
from bukutamu.commands._common import say, settings_from, warn

log = logging.getLogger("bukutamu")


def add_parser(sub) -> None:
    p = sub.add_parser("serve", help="jalankan halaman web kantor dan poller (satu layanan)",
                       description="Menjalankan halaman web (kios pendaftaran /daftar, meja helpdesk /meja, "
                                   "petugas /petugas, layar antrian /antrian, laporan /laporan, halaman tautan "
                                   "email /tautan/...) bersama poller, dalam satu proses. Alamat dari [web] host "
                                   "(bawaan 127.0.0.1: hanya komputer ini); isi alamat LAN untuk perangkat lain. "
                                   "Berhenti bersih dengan Ctrl+C / SIGTERM. Satu proses per store.")
    p.add_argument("--port", type=int, default=None, help="port (bawaan: web.port; 0 = pilih port bebas)")
    p.set_defaults(func=run)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def run(args) -> int:
    from waitress import create_server

    from bukutamu.app.alerts import send_admin_alert
    from bukutamu.commands.run import _weekly_job, daily_jobs
    from bukutamu.engine import Poller, lock_path, open_store, status_path
    from bukutamu.service import Service, StatusFile
    from bukutamu.web import create_app
    from bukutamu.web.runner import CycleRunner, ServiceThread, timed
    from bukutamu.web.server import build_runtime

    settings = settings_from(args)
    port = settings.web.port if args.port is None else args.port
    with WriterLock(lock_path(settings)).acquire(0):
        runner = CycleRunner()
        rt = build_runtime(settings, runner)

        def build():
            store = open_store(settings)
            poller = Poller(settings, store)
            service = Service(settings, timed(poller.run_once, runner), _weekly_job(settings, poller),
                              StatusFile(status_path(settings)),
                              send_alert=lambda mail: send_admin_alert(poller.journal, poller.notifier, mail,
                                                                       poller.clock()),
                              record_error=poller.record_error, daily=daily_jobs(settings, poller))

            def close():
                poller.close()
                store.close()
            return service, close

        thread = ServiceThread(runner, build)
        thread.start()
        thread.ready.wait()
        if thread.error is not None:
            raise thread.error
        server = create_server(create_app(rt), host=settings.web.host, port=port, threads=8, ident="bukutamu",
                               expose_tracebacks=False)

        def stop(signum, frame):  # noqa: ARG001
            raise SystemExit(0)
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        url = f"http://{settings.web.host}:{server.effective_port}"
        if not _is_loopback(settings.web.host):
            warn(f"Halaman terbuka untuk jaringan ({settings.web.host}). Pastikan hanya LAN kantor yang bisa "
                 "mengaksesnya.")
        if settings.store.kind == "embedded" and not settings.web.base_url:
            warn("web.base_url belum diisi: tautan di email petugas/tamu tidak membuka halaman lokal.")
        say(f"bukutamu serve berjalan di {url}/ (kios {url}/daftar, meja {url}/meja, antrian {url}/antrian)")
        try:
            server.run()
        except SystemExit:
            pass
        finally:
            server.close()
            thread.stop()
        say("bukutamu serve berhenti dengan bersih.")
    return 0
