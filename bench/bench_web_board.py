"""The helpdesk board with 300 of today's visits, rendered server-side (Flask test
client, no network): time per GET /meja (whole page) and /meja/tabel (the part htmx
refreshes every 5 s). Also the kiosk: time per registration including the poll cycle
it runs to show the queue number at once.

The visits come the user's way: 300 synthetic guests (NIK serials 9991-9999)
through POST /daftar, 60 of them verified through POST /meja/aksi.
Run: .venv/bin/python bench/bench_web_board.py [VISITS]
"""

from __future__ import annotations

import random
import re
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bukutamu.adapters.webdb import WebDb  # noqa: E402
from bukutamu.config import load_settings  # noqa: E402
from bukutamu.demo.guests import make_guest  # noqa: E402
from bukutamu.engine import Poller, create_key, open_store  # noqa: E402
from bukutamu.layout import tab_specs  # noqa: E402
from bukutamu.web import create_app  # noqa: E402
from bukutamu.web.runner import InlineRunner  # noqa: E402
from bukutamu.web.server import build_runtime  # noqa: E402

WIB = ZoneInfo("Asia/Pontianak")
BIDANG = ("Bagian Pengelolaan Pengadaan Barang/Jasa", "Bagian Pengelolaan LPSE", "Bagian Pembinaan dan Advokasi PBJ")


def csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def ms(xs):
    xs = sorted(xs)
    return (f"median {statistics.median(xs) * 1000:.0f} ms, p90 {xs[int(len(xs) * .9)] * 1000:.0f} ms, "
            f"max {xs[-1] * 1000:.0f} ms")


def main(n: int = 300) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cfg = Path(tmp) / "b.toml"
        cfg.write_text(f'[store]\npath = "{tmp}/data/bukutamu.sqlite"\n[web]\nkiosk_per_minute = 100000\n')
        settings = load_settings(cfg, env={"BUKUTAMU_DATA": f"{tmp}/data"})
        store = open_store(settings)
        store.init(tab_specs(settings))
        create_key(settings, has_visits=False)
        store.append_rows("Petugas", [[f"Petugas {i}", b, f"p{i}@biro.test", "Ya", ""] for i, b in enumerate(BIDANG)])
        clock = {"now": datetime(2026, 11, 25, 7, 30, tzinfo=WIB)}
        poller = Poller(settings, store, clock=lambda: clock["now"])
        rt = build_runtime(settings, InlineRunner(poller.run_once), clock=lambda: clock["now"])
        WebDb(settings.data_dir / "web.sqlite").add_user("meja", "helpdesk", "sandi-bench-12345", clock["now"])
        app = create_app(rt)
        rng = random.Random(7)
        kiosk = app.test_client()
        token = csrf(kiosk.get("/daftar").get_data(as_text=True))
        seen, times = set(), []
        while len(seen) < n:
            g = make_guest(rng, clock["now"].date())
            if g.nik in seen:
                continue
            seen.add(g.nik)
            clock["now"] += timedelta(seconds=90)
            t = time.perf_counter()
            r = kiosk.post("/daftar", data={
                "csrf": token, "nik": g.nik, "nama": g.name, "jenis_kelamin": "Laki-laki" if g.sex == "LAKI-LAKI"
                else "Perempuan", "tanggal_lahir": g.birth_date.isoformat(), "telepon": g.phone, "email": g.email,
                "instansi": g.institution, "keperluan": g.purpose, "bidang": g.bidang, "persetujuan": "ya"})
            times.append(time.perf_counter() - t)
            assert r.status_code == 302, r.get_data(as_text=True)[:300]
        print(f"kiosk registration incl. one poll cycle ({n} guests, register grows 1->{n}): {ms(times)}")
        desk = app.test_client()
        token = csrf(desk.get("/masuk").get_data(as_text=True))
        desk.post("/masuk", data={"csrf": token, "nama": "meja", "sandi": "sandi-bench-12345"})
        html = desk.get("/meja").get_data(as_text=True)
        token = csrf(html)
        for vid in re.findall(r'id="v-([^"]+)"', html)[:60]:
            desk.post("/meja/aksi", data={"csrf": token, "kunjungan": vid, "verifikasi": "Sesuai"})
        clock["now"] += timedelta(minutes=20)
        for path in ("/meja?tampil=semua", "/meja/tabel?tampil=semua"):
            runs = []
            for _ in range(30):
                t = time.perf_counter()
                r = desk.get(path)
                runs.append(time.perf_counter() - t)
            rows = len(re.findall(r'data-antrian="', r.get_data(as_text=True)))
            print(f"GET {path}: {rows} visits, {len(r.data) // 1024} KiB: {ms(runs)}")
        poller.close()
        store.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
