"""GoogleSheetStore against the Sheets REST fake on loopback: poll-read and write time
for registers of 1k, 10k and 50k rows (the ~34 register columns), plus requests per
cycle counted at the fake.

The numbers include the fake's own Python work (rendering and JSON-encoding every
cell), gspread, google-auth and JSON decoding; they exclude Google's server time and
the network round trip (add ~2 x RTT per cycle on a real line). Synthetic rows only
(NIK serials 9991-9999).
Run: .venv/bin/python bench/bench_google_store.py [ROWS ...]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bukutamu.core.schema import HISTORY_COLUMNS, REGISTER_COLUMNS, headers_for  # noqa: E402
from bukutamu.core.sheet import CellUpdate, RowAppend, WriteBatch  # noqa: E402
from tests.fakes.google_harness import GoogleHarness  # noqa: E402

REG, HIST, OFFICERS = "Jawaban Formulir 1", "Riwayat", "Petugas"
HEADER = list(headers_for(REGISTER_COLUMNS))
HIST_HEADER = list(headers_for(HISTORY_COLUMNS))


def register_rows(n: int) -> list[list]:
    rows = []
    for i in range(n):
        row = [""] * len(HEADER)
        row[0] = 46000 + i / 150  # submission serial
        row[1] = f"6171{i % 90 + 10:02d}0101{90 + i % 10:02d}{9991 + i % 9}"  # synthetic
        row[2] = f"Tamu Sintetis {i}"
        row[5] = f"0812{i:08d}"
        row[8] = "Konsultasi pengadaan"
        row[HEADER.index("[Sistem] ID Kunjungan")] = f"K-{i:06d}"
        row[HEADER.index("[Sistem] No. Antrian")] = f"A-{i % 150 + 1:03d}"
        row[HEADER.index("[Sistem] Status")] = "SELESAI"
        row[HEADER.index("[Sistem] Waktu Daftar")] = 46000 + i / 150
        rows.append(row)
    return rows


def history_rows(n: int) -> list[list]:
    return [[f"K-{i // 3:06d}", f"A-{i % 150 + 1:03d}", str(i % 9 + 1), "X", "Y", 46000 + i / 450,
             "sistem", i, "", "", ""] for i in range(n)]


def timed(fn, repeat: int = 1) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench(n: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        h = GoogleHarness(Path(tmp))
        try:
            h.seed(REG, HEADER, register_rows(n))
            h.seed(HIST, HIST_HEADER, history_rows(3 * n))
            h.seed(OFFICERS, ["Nama", "Bidang", "Email"], [["Petugas Uji", "Umum", "petugas@bukutamu.invalid"]])
            h.fake.sheet(HIST).row_count += 1000  # spare rows, as after a grid expansion
            read = lambda: h.store.read([REG, OFFICERS], append_only=[HIST])  # noqa: E731
            t_open = timed(read)
            h.reset_requests()
            t_read = timed(read, repeat=5)
            read_req = h.requests()["reads"] / 5
            payload = h.fake.requests("read")[-1]["bytes"]

            def cycle(k: int):
                snap = read()
                rows = snap.tab(REG).rows[-k:]
                cols = ["[Sistem] Status", "[Sistem] Cek KTP", "[Sistem] Catatan", "[Sistem] Kunci Baris",
                        "[Sistem] Waktu Verifikasi", "[Sistem] Petugas"]
                batch = WriteBatch(
                    updates=[CellUpdate(REG, r.ref, c, f"v{i}") for i, r in enumerate(rows) for c in cols],
                    appends=[RowAppend(HIST, {"ID Kunjungan": f"K-{i:06d}", "Sumber": "sistem"}) for i in range(k)])
                h.reset_requests()
                start = time.perf_counter()
                h.store.write(batch)
                return time.perf_counter() - start, h.requests()

            t_w20, req20 = cycle(20)
            t_w200, req200 = cycle(200)
            return {"rows": n, "open": t_open, "read": t_read, "mb": payload / 1e6, "read_req": read_req,
                    "w20": t_w20, "w200": t_w200, "req20": req20, "req200": req200}
        finally:
            h.close()


def main(sizes: list[int]) -> None:
    print(f"GoogleSheetStore vs Sheets fake on loopback; {len(HEADER)} register columns, history = 3 x rows")
    print(f"{'rows':>6} | {'open+read':>9} | {'poll read':>9} | {'read MB':>7} | {'req/read':>8} | "
          f"{'write 20':>8} | {'write 200':>9} | requests per write cycle (20 / 200 rows)")
    for n in sizes:
        r = bench(n)
        fmt = lambda c: f"{c['writes']}w {c['reads']}r {c['other']}o"  # noqa: E731
        print(f"{r['rows']:>6} | {r['open']:>8.3f}s | {r['read']:>8.3f}s | {r['mb']:>7.2f} | {r['read_req']:>8.0f} | "
              f"{r['w20']:>7.3f}s | {r['w200']:>8.3f}s | {fmt(r['req20'])} / {fmt(r['req200'])}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000, 50000])
