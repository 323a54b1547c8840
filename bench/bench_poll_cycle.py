"""Poll-cycle time for registers of 1k, 10k and 50k visits on both stores
(SQLite file; Google = real gspread code against the Sheets HTTP fake on loopback),
and the requests each cycle makes. Prints a table; asserts nothing.

usage: python bench/bench_poll_cycle.py [--sizes 1000,10000,50000]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bukutamu.config import load_settings  # noqa: E402
from bukutamu.core.cells import datetime_to_serial  # noqa: E402
from bukutamu.demo.form import as_row, form_values  # noqa: E402
from bukutamu.demo.guests import make_guest  # noqa: E402
from bukutamu.engine import Poller  # noqa: E402
from bukutamu.layout import tab_specs  # noqa: E402
from tests.fakes.google_harness import make_google_harness  # noqa: E402
from tests.fakes.sqlite_harness import SqliteHarness  # noqa: E402

WIB = ZoneInfo("Asia/Pontianak")
REG = "Jawaban Formulir 1"
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=WIB)


def rows_for(header, n, start, rng):
    return [as_row(header, form_values(make_guest(rng, start.date()),
                                       datetime_to_serial(start + timedelta(seconds=7 * i), WIB)))
            for i in range(n)]


def timed(poller):
    t = time.perf_counter()
    report = poller.run_once()
    return time.perf_counter() - t, report


def bench(kind: str, n: int, tmp: Path) -> dict:
    settings = load_settings(None, env={"BUKUTAMU_DATA": str(tmp / "data"),
                                        "BUKUTAMU_HMAC_KEY": "kunci-bench-yang-cukup-panjang-0123456789"})
    harness = make_google_harness(tmp) if kind == "google" else SqliteHarness(tmp)
    harness.store.init(tab_specs(settings))
    rng = random.Random(n)
    header = harness.table(REG)[0]
    start = NOW - timedelta(days=400)
    harness.seed(REG, header, rows_for(header, n, start, rng))
    clock = {"now": NOW}
    poller = Poller(settings, harness.store, clock=lambda: clock["now"])
    register_all, _ = timed(poller)  # registers n visits at once (an initial import)
    # Steady state: a year of visits is closed; only today's are open.
    table = harness.table(REG)
    status = table[0].index("[Sistem] Status")
    for row in table[1:]:
        row[status] = "SELESAI"
    harness.seed(REG, table[0], table[1:])
    out = {"kind": kind, "rows": n, "register_all_s": register_all}
    for label, new in (("idle", 0), ("new_1", 1), ("new_200", 200)):
        if new:
            table = harness.table(REG)
            harness.seed(REG, table[0], table[1:] + rows_for(table[0], new, NOW - timedelta(minutes=30), rng))
        harness.reset_requests()
        clock["now"] += timedelta(seconds=15)
        seconds, report = timed(poller)
        req = harness.requests()
        out[label] = (seconds, report.read_seconds, report.plan_seconds, report.write_seconds,
                      f"{req['reads']}R/{req['writes']}W" if req else "1 tx/1 tx" if report.wrote else "1 tx")
    poller.close()
    harness.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,50000")
    sizes = [int(x) for x in ap.parse_args().sizes.split(",")]
    print(f"{'store':<7} {'rows':>6} {'register all':>13} | {'cycle':<8} {'total s':>8} {'read':>7} {'plan':>7} "
          f"{'write':>7} requests")
    for n in sizes:
        for kind in ("sqlite", "google"):
            with tempfile.TemporaryDirectory() as d:
                r = bench(kind, n, Path(d))
            for i, label in enumerate(("idle", "new_1", "new_200")):
                s, rd, pl, wr, req = r[label]
                first = f"{kind:<7} {n:>6} {r['register_all_s']:>12.2f}s" if i == 0 else " " * 28
                print(f"{first} | {label:<8} {s:>8.3f} {rd:>7.3f} {pl:>7.3f} {wr:>7.3f} {req}", flush=True)


if __name__ == "__main__":
    main()
