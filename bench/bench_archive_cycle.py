"""Cycle cost against the register's age, before and after `bukutamu arsip`, on both
stores (SQLite file; Google = real gspread code against the Sheets HTTP fake).

History comes from the engine: a `bukutamu demo` week at 150 guests a day (run once,
kept in --demo), whose closed visits are repeated week after week back in time (visit
IDs and times shifted) to make 1 and 3 years. Then 150 guests arrive today through the
form and one cycle registers them (all open). Measured per register:
- idle cycle (nothing new, median of 5) and busy cycle (20 helpdesk verifications + 5
  new guests, median of 5): read + plan + write seconds, requests, bytes read (Google),
  and the whole cycle with mail delivery (outbox fsync: the same per mail at any age);
- before archiving (the whole history live) and after `arsip` (closed visits moved).
"fresh" is a register holding only the same 150 open visits. Prints a table; asserts
nothing.

usage: python bench/bench_archive_cycle.py [--years 1,3] [--demo /tmp/bukutamu-bench-demo]
"""

from __future__ import annotations

import argparse
import gc
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bukutamu.adapters.sqlite_store import SqliteSheetStore  # noqa: E402
from bukutamu.app.archive import archive_visits  # noqa: E402
from bukutamu.app.helpdesk import HelpdeskInput, helpdesk_action  # noqa: E402
from bukutamu.bootstrap import archive_stores, sop_of  # noqa: E402
from bukutamu.config import load_settings  # noqa: E402
from bukutamu.core.cells import datetime_to_serial  # noqa: E402
from bukutamu.demo.form import as_row, form_values  # noqa: E402
from bukutamu.demo.guests import make_guest  # noqa: E402
from bukutamu.engine import Poller  # noqa: E402
from bukutamu.layout import tab_specs  # noqa: E402
from tests.fakes.google_harness import make_google_harness  # noqa: E402
from tests.fakes.sqlite_harness import SqliteHarness  # noqa: E402

WIB = ZoneInfo("Asia/Pontianak")
REG, HIST, CONF, FEED, OFF = "Jawaban Formulir 1", "Riwayat", "Konfirmasi", "Umpan Balik", "Petugas"
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=WIB)  # a Monday
VISIT = re.compile(r"^(\d{8})-([A-Z]+\d+)$")
CLOSED = {"SELESAI", "BATAL", "DUPLIKAT"}


def demo_store(folder: Path) -> Path:
    store = folder / "data" / "bukutamu.sqlite"
    if not store.exists():
        print(f"Building the demo week at 150 guests/day in {folder} (about 1.5 minutes) ...", flush=True)
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "bukutamu", "demo", "--tanpa-progres", "--tamu-per-hari", "150-150",
                        "--seed", "3"], cwd=folder, env={"BUKUTAMU_DATA": str(folder / "data"), "PATH": ""},
                       check=True, capture_output=True)
    return store


def closed_week(store_path: Path) -> dict[str, list[list]]:
    """The demo week's rows of closed visits only (header first)."""
    store = SqliteSheetStore(store_path)
    snap = store.read([REG, HIST, CONF, FEED, OFF])
    store.close()
    reg = snap.tab(REG)
    vcol, scol = reg.header.index("[Sistem] ID Kunjungan"), reg.header.index("[Sistem] Status")
    closed = {r.values[vcol] for r in reg.rows if len(r.values) > scol and r.values[scol] in CLOSED}
    out = {}
    for name in (REG, HIST, CONF, FEED):
        t = snap.tab(name)
        out[name] = [list(t.header)] + [list(r.values) for r in t.rows if any(v in closed for v in r.values)]
    out[OFF] = [list(snap.tab(OFF).header)] + [list(r.values) for r in snap.tab(OFF).rows]
    return out


def shifted(rows: list[list], weeks: int) -> list[list]:
    days = 7 * weeks
    out = []
    for r in rows:
        new = []
        for v in r:
            if isinstance(v, float) and 40000 < v < 50000:
                v = v - days  # a date-time serial
            elif isinstance(v, str) and (m := VISIT.match(v)):
                d = datetime.strptime(m.group(1), "%Y%m%d") - timedelta(days=days)
                v = f"{d:%Y%m%d}-{m.group(2)}"
            new.append(v)
        out.append(new)
    return out


def history(week: dict[str, list[list]], years: int) -> dict[str, list[list]]:
    out = {n: [week[n][0]] for n in (REG, HIST, CONF, FEED)}
    for k in range(52 * years):
        for n in out:
            out[n] += shifted(week[n][1:], k)
    return out


def arrivals(header, n, rng, at) -> list[list]:
    return [as_row(header, form_values(make_guest(rng, at.date()), datetime_to_serial(at + timedelta(seconds=9 * i),
                                                                                      WIB))) for i in range(n)]


def bytes_read(harness) -> int:
    fake = getattr(harness, "fake", None)
    return sum(e.get("bytes", 0) for e in fake.requests("read")) if fake else 0


def requests(harness, wrote: bool) -> str:
    r = harness.requests()
    return f"{r['reads']}R/{r['writes']}W" if r else ("1 tx/1 tx" if wrote else "1 tx")


def measure(harness, poller, clock) -> tuple[float, int, str, float]:
    """(read + plan + write seconds, bytes read, requests, seconds with mail delivery).
    The first is what history could slow down; delivery costs the same per mail
    whatever the register's age (mostly fsync of the outbox)."""
    harness.reset_requests()
    clock["now"] += timedelta(seconds=15)
    t = time.perf_counter()
    report = poller.run_once()
    total = time.perf_counter() - t
    return (report.read_seconds + report.plan_seconds + report.write_seconds, bytes_read(harness),
            requests(harness, report.wrote), total)


def median(samples: list[tuple]) -> tuple:
    return sorted(samples, key=lambda s: s[0])[len(samples) // 2]


def run(kind: str, years: int, week: dict, tmp: Path) -> dict:
    settings = load_settings(None, env={"BUKUTAMU_DATA": str(tmp / "data"),
                                        "BUKUTAMU_HMAC_KEY": "kunci-bench-yang-cukup-panjang-0123456789"})
    harness = make_google_harness(tmp) if kind == "google" else SqliteHarness(tmp)
    if kind == "google":
        from dataclasses import replace
        settings = replace(settings, store=harness.settings.store,
                           secrets=replace(settings.secrets, google_key_file=harness.settings.secrets.google_key_file))
    if kind == "google":  # the linked Form made the responses tab and its question columns
        harness.fake.set_values(REG, [week[REG][0]])
    harness.store.init(tab_specs(settings))
    rng = random.Random(7)
    header = harness.table(REG)[0]
    old = history(week, years) if years else {n: [week[n][0]] for n in (REG, HIST, CONF, FEED)}
    today = arrivals(header, 150, rng, NOW - timedelta(hours=2))
    reg_rows = [[dict(zip(old[REG][0], r)).get(h, "") for h in header] for r in old[REG][1:]]
    harness.seed(REG, header, reg_rows + today)
    for n in (HIST, CONF, FEED):
        harness.seed(n, old[n][0], old[n][1:])
    harness.seed(OFF, week[OFF][0], week[OFF][1:])
    out = {"kind": kind, "years": years, "visits": len(reg_rows)}
    del old, reg_rows  # a poller holds no history: neither should this process (the GC would walk it)
    gc.collect()
    clock = {"now": NOW}
    poller = Poller(settings, harness.store, clock=lambda: clock["now"])
    poller.run_once()  # registers today's 150 guests
    out["before"] = measure(harness, poller, clock)
    archives = archive_stores(settings)
    t = time.perf_counter()
    rep = archive_visits(harness.store, archives, settings, sop_of(settings), poller.journal, clock["now"])
    out["arsip_s"] = time.perf_counter() - t
    out["archived"] = rep.visits
    archives.close()
    gc.collect()
    measure(harness, poller, clock)  # the first cycle after the archive rewrites the heartbeat
    out["idle"] = median([measure(harness, poller, clock) for _ in range(5)])
    # busy, five times: the helpdesk verifies 20 guests, 5 more arrive through the form
    sop = sop_of(settings)
    ids = [r[header.index("[Sistem] ID Kunjungan")] for r in harness.table(REG)[1:]][-150:]
    busy = []
    for round_ in range(5):
        for v in ids[20 * round_:20 * (round_ + 1)]:
            helpdesk_action(harness.store, REG, {}, sop, v, HelpdeskInput(verify="Sesuai"), clock["now"])
        new = arrivals(header, 5, rng, clock["now"])
        if kind == "google":
            for row in new:
                harness.fake.append_form_row(REG, row)
        else:
            harness.store.append_rows(REG, new)
        busy.append(measure(harness, poller, clock))
    out["busy"] = median(busy)
    poller.close()
    harness.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--years", default="1,3")
    ap.add_argument("--demo", default="/tmp/bukutamu-bench-demo")
    ap.add_argument("--stores", default="sqlite,google")
    args = ap.parse_args()
    week = closed_week(demo_store(Path(args.demo)))
    print(f"Template: {len(week[REG]) - 1} closed visits/week, {len(week[HIST]) - 1} Riwayat rows/week")
    print(f"{'store':<7} {'register':<22} {'before arsip':>22} | {'arsip s':>8} | {'idle s':>7} {'MB read':>8} "
          f"{'req':>6} | {'busy s':>7} {'MB read':>8} {'req':>6} {'+mail s':>8} | ratio idle/busy vs fresh")
    for kind in args.stores.split(","):
        fresh = None
        for years in [0] + [int(y) for y in args.years.split(",")]:
            with tempfile.TemporaryDirectory() as d:
                r = run(kind, years, week, Path(d))
            if years == 0:
                fresh = r
            label = "fresh: 150 open" if not years else f"{years}y: {r['visits']} closed + 150"
            b = r["before"]
            ratio = f"{r['idle'][0] / fresh['idle'][0]:.2f}x / {r['busy'][0] / fresh['busy'][0]:.2f}x"
            print(f"{kind:<7} {label:<22} {b[0]:>8.3f}s {b[1] / 1e6:>7.2f}MB {b[2]:>5} | {r['arsip_s']:>7.1f}s | "
                  f"{r['idle'][0]:>7.3f} {r['idle'][1] / 1e6:>8.3f} {r['idle'][2]:>6} | {r['busy'][0]:>7.3f} "
                  f"{r['busy'][1] / 1e6:>8.3f} {r['busy'][2]:>6} {r['busy'][3]:>8.3f} | {ratio}", flush=True)


if __name__ == "__main__":
    main()
