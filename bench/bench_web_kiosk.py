"""N guests press "Daftar" at the same moment on a real `bukutamu serve` process
(waitress, 8 threads, the poller thread shares cycles between requests): wall time
for all, latency per registration (form POST -> queue number on the ticket), and
whether the numbers are distinct. Synthetic guests (NIK serials 9991-9999).
Run: .venv/bin/python bench/bench_web_kiosk.py [N]
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.web.conftest import (LPSE, PASSWORDS, csrf_of, free_port, guests, kiosk_fields,  # noqa: E402
                                setup_office, start_serve, write_config)


def main(n: int = 20) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        cfg = write_config(Path(tmp), port, kiosk_per_minute="100000")
        setup_office(cfg)
        proc = start_serve(cfg)
        try:
            assert "berjalan di" in proc.stdout.readline()
            url = f"http://127.0.0.1:{port}"
            admin = requests.Session()
            admin.post(url + "/masuk", data={"csrf": csrf_of(admin.get(url + "/masuk").text), "nama": "admin",
                                             "sandi": PASSWORDS["admin"]})
            admin.post(url + "/petugas", data={"csrf": csrf_of(admin.get(url + "/petugas").text), "ubah": "tambah",
                                               "nama": "Andi", "bidang": LPSE, "email": "andi@biro.test"})
            people = guests(3, n, date.today())
            sessions = [requests.Session() for _ in people]
            tokens = [csrf_of(s.get(url + "/daftar").text) for s in sessions]
            gate = threading.Barrier(n + 1)
            lat: list[float] = [0.0] * n
            numbers: list[str] = [""] * n

            def one(i: int) -> None:
                gate.wait()
                t = time.perf_counter()
                r = sessions[i].post(url + "/daftar", data={"csrf": tokens[i], **kiosk_fields(people[i], bidang=LPSE)})
                lat[i] = time.perf_counter() - t
                m = re.search(r'id="nomor-antrian">([^<]+)<', r.text)
                numbers[i] = m.group(1) if m else f"? {r.status_code}"

            threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
            for t in threads:
                t.start()
            gate.wait()
            t0 = time.perf_counter()
            for t in threads:
                t.join()
            wall = time.perf_counter() - t0
            print(f"{n} concurrent kiosk registrations: wall {wall * 1000:.0f} ms; per request median "
                  f"{statistics.median(lat) * 1000:.0f} ms, max {max(lat) * 1000:.0f} ms; "
                  f"{len(set(numbers))} distinct numbers ({min(numbers)}..{max(numbers)})")
        finally:
            proc.terminate()
            proc.communicate(timeout=60)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
