"""Weekly report timings: one office-year (~40k visits) end to end, and 1M visits (metrics).

Prints numbers; asserts nothing. Each scenario runs in its own process so its peak
memory (ru_maxrss) is its own.

    .venv/bin/python bench/bench_report.py            # both scenarios
    .venv/bin/python bench/bench_report.py year 40000
    .venv/bin/python bench/bench_report.py million 1000000
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

WEEK = "2026-W48"
FIRST, LAST = date(2025, 12, 1), date(2026, 11, 29)  # one year ending with the report week


def _clock():
    start = time.perf_counter()
    return lambda: time.perf_counter() - start


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _traced_peak_mb(work) -> float:
    """Peak memory allocated while ``work()`` runs (numpy and pandas buffers included)."""
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def year(n: int) -> None:
    """The office's real path: Riwayat rows as a store returns them -> files on disk."""
    from bukutamu.config import Settings
    from bukutamu.adapters.officehours import calendar_from_settings
    from bukutamu.adapters.sopfile import load_sop
    from bukutamu.report import render
    from bukutamu.report.build import build_week_report
    from bukutamu.report.charts import all_charts
    from bukutamu.report.history import history_frame
    from bukutamu.report.metrics import compute_week
    from bukutamu.report.synthetic import events_to_rows, synthetic_events, synthetic_skm

    settings = Settings()
    sop, cal = load_sop(settings.sop_path), calendar_from_settings(settings)
    t = _clock()
    events = synthetic_events(n, FIRST, LAST, sop, cal, seed=1)
    header, rows = events_to_rows(events, sop)
    skm = synthetic_skm(events, seed=2)
    print(f"[year] {n} visits, {len(rows)} Riwayat rows, {len(skm[1])} SKM rows; synthetic data {t():.2f} s")
    del events

    t = _clock()
    frame = history_frame(header, rows, settings.office.time_zone, sop)
    print(f"[year] Riwayat rows -> typed events     {t():.3f} s")
    t = _clock()
    metrics = compute_week(frame, WEEK, sop=sop, calendar=cal, target=90, trend_weeks=12)
    print(f"[year] metrics (week + 12-week trend)   {t():.3f} s  ({metrics.headline['kunjungan']} visits this week)")
    t = _clock()
    charts = all_charts(metrics)
    print(f"[year] 4 charts                         {t():.3f} s  ({sum(map(len, charts.values())) // 1024} KB PNG)")
    note = render.calendar_description(cal)
    t = _clock()
    html = render.email_html(metrics, office=settings.office.name, calendar_note=note)
    print(f"[year] email HTML                       {t():.3f} s  ({len(html.encode()) // 1024} KB)")
    t = _clock()
    xlsx = render.workbook_bytes(metrics, office=settings.office.name, calendar_note=note)
    print(f"[year] XLSX                             {t():.3f} s  ({len(xlsx) // 1024} KB)")
    with tempfile.TemporaryDirectory() as out:
        t = _clock()
        report = build_week_report([header, *rows], [skm[0], *skm[1]], WEEK, settings, out)
        total = t()
        size = sum(p.stat().st_size for p in report.folder.iterdir()) // 1024
        print(f"[year] build_week_report end to end     {total:.3f} s  ({size} KB written)")
        peak = _traced_peak_mb(lambda: build_week_report([header, *rows], [skm[0], *skm[1]], WEEK, settings, out))
    print(f"[year] peak memory of build_week_report (tracemalloc) {peak:.0f} MB; process peak RSS {_peak_mb():.0f} MB")


def million(n: int) -> None:
    """Metrics only, from typed events (parsing 10M sheet cells is not the office's path)."""
    from bukutamu.config import Settings
    from bukutamu.adapters.officehours import calendar_from_settings
    from bukutamu.adapters.sopfile import load_sop
    from bukutamu.report.history import visits_and_intervals
    from bukutamu.report.metrics import compute_week
    from bukutamu.report.synthetic import synthetic_events

    settings = Settings()
    sop, cal = load_sop(settings.sop_path), calendar_from_settings(settings)
    t = _clock()
    events = synthetic_events(n, FIRST, LAST, sop, cal, seed=1)
    print(f"[million] {n} visits, {len(events)} events; synthetic data {t():.2f} s; "
          f"events frame {events.memory_usage(deep=True).sum() / 2**20:.0f} MB")
    base = _peak_mb()
    t = _clock()
    visits, iv = visits_and_intervals(events, sop, cal)
    print(f"[million] visits + step clocks (all {len(iv)} clocks, office minutes) {t():.3f} s")
    pairs = iv[iv["mulai"].notna()].head(1_000_000)
    cal.office_minutes_between(pairs["mulai"].head(10), pairs["selesai"].head(10))  # holidays loaded
    t = _clock()
    cal.office_minutes_between(pairs["mulai"], pairs["selesai"])
    print(f"[million] office minutes for {len(pairs)} intervals (vectorised calendar) {t():.3f} s")
    t = _clock()
    sla = iv[iv["hasil"] != "tidak terukur"]
    stats = sla.groupby("langkah", observed=True)["menit"].quantile([0.5, 0.9]).unstack()
    met = (sla["hasil"] == "tercapai").groupby(sla["langkah"]).mean()
    print(f"[million] per-step p50/p90 + attainment over all clocks {t():.3f} s "
          f"(step 7 p50 {stats.loc[7, 0.5]:.1f} / p90 {stats.loc[7, 0.9]:.1f} min, {100 * met.loc[7]:.1f}% met)")
    del visits, iv, sla, pairs
    t = _clock()
    metrics = compute_week(events, WEEK, sop=sop, calendar=cal, target=90, trend_weeks=12)
    print(f"[million] compute_week (week + 12-week trend) {t():.3f} s "
          f"({metrics.headline['kunjungan']} visits this week)")
    peak = _traced_peak_mb(lambda: compute_week(events, WEEK, sop=sop, calendar=cal, trend_weeks=12))
    peak_all = _traced_peak_mb(lambda: visits_and_intervals(events, sop, cal))
    print(f"[million] peak memory (tracemalloc): all clocks {peak_all:.0f} MB, compute_week {peak:.0f} MB; "
          f"process peak RSS {_peak_mb():.0f} MB (synthetic generator: {base:.0f} MB)")


def main(argv: list[str]) -> None:
    if argv:
        {"year": year, "million": million}[argv[0]](int(argv[1]) if len(argv) > 1 else 40_000)
        return
    for args in (["year", "40000"], ["million", "1000000"]):
        subprocess.run([sys.executable, __file__, *args], check=True)


if __name__ == "__main__":
    main(sys.argv[1:])
