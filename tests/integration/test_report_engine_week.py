"""The weekly report of a week the engine wrote, checked against an independent
recomputation from the store's own tabs (plain Python, not report/metrics.py)."""

from collections import defaultdict
from datetime import date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from bukutamu.core.cells import serial_to_datetime
from bukutamu.core.officehours import calendar_from_settings
from bukutamu.core.sop import load_sop
from bukutamu.report.build import build_week_report
from bukutamu.report.metrics import parse_week

from .conftest import DEMO_WEEK

WEEK = parse_week(DEMO_WEEK)
GRADES = [("A", 88.31), ("B", 76.61), ("C", 65.00), ("D", 25.00)]


@pytest.fixture(scope="module")
def built(engine_week, tmp_path_factory):
    s = engine_week.settings
    t = engine_week.tabs(s.tabs.history, s.tabs.feedback)
    history, feedback = ([h, *rows] for h, rows in (t[s.tabs.history], t[s.tabs.feedback]))
    report = build_week_report(history, feedback, WEEK, s, tmp_path_factory.mktemp("r"))
    return s, t, report


def week_bounds(tz):
    start = datetime.combine(WEEK.monday, datetime.min.time(), tz)
    return start, start + timedelta(days=7)


def independent_ikm(header, rows, tz):
    """Permen PANRB 14/2017 by hand: only rows the engine accepted ("[Sistem] Diproses"
    starting with OK), answered in the week; elements found by their names."""
    names = ["Persyaratan", "Prosedur", "Waktu Penyelesaian", "Biaya", "Produk Spesifikasi", "Kompetensi",
             "Perilaku", "Pengaduan", "Sarana"]
    col = {n: next(i for i, h in enumerate(header) if n.lower() in h.lower()) for n in names}
    done = header.index("[Sistem] Diproses")
    ts = header.index("Stempel waktu")
    start, end = week_bounds(tz)
    totals, counts, respondents = defaultdict(int), defaultdict(int), 0
    for r in rows:
        r = r + (None,) * (len(header) - len(r))
        if not str(r[done] or "").startswith("OK") or not (start <= serial_to_datetime(r[ts], tz) < end):
            continue
        answered = False
        for n in names:
            v = r[col[n]]
            if v in (1, 2, 3, 4):
                totals[n] += int(v)
                counts[n] += 1
                answered = True
        respondents += answered
    ikm = sum(Fraction(totals[n], counts[n]) * Fraction(1, 9) for n in names)
    return respondents, ikm


def test_ikm_appears_and_agrees_with_a_hand_computation(built):
    s, t, report = built
    tz = ZoneInfo(s.office.time_zone)
    respondents, ikm = independent_ikm(*t[s.tabs.feedback], tz)
    assert respondents > 30  # the engine wrote "OK: cukup" on the accepted rows
    got = report.metrics.ikm
    assert got.respondents == respondents
    assert got.ikm == ikm
    konversi = float(ikm * 25)
    grade = next(g for g, low in GRADES if round(konversi + 1e-9, 2) >= low)
    assert got.grade[0] == grade
    html = report.html_path.read_text(encoding="utf-8")
    assert "Belum ada jawaban" not in html
    shown = f"{konversi:.2f}".replace(".", ",")
    assert f"konversi {shown}; mutu pelayanan {grade}" in html


def office_minutes(a: datetime, b: datetime, cal) -> float:
    """Office minutes between two moments, day by day from the calendar's opening hours."""
    total, day = 0.0, a.date()
    tz = a.tzinfo
    while day <= b.date():
        hours = cal.hours_of(day)
        if hours:
            lo = max(a, datetime.combine(day, hours[0], tz))
            hi = min(b, datetime.combine(day, hours[1], tz))
            total += max((hi - lo).total_seconds(), 0) / 60
        day += timedelta(days=1)
    return total


def independent_step_attainment(header, rows, sop, cal, tz):
    """Per step: (met, breached) of the clocks that stopped in the week, visits abandoned
    before the week's end and guest time left out, from the Riwayat rows alone."""
    ix = {h: i for i, h in enumerate(header)}
    by_visit = defaultdict(list)
    for k, r in enumerate(rows):
        r = r + (None,) * (len(header) - len(r))
        by_visit[r[ix["ID Kunjungan"]]].append((serial_to_datetime(r[ix["Waktu Kejadian"]], tz), k, r))
    start, end = week_bounds(tz)
    out = defaultdict(lambda: [0, 0])
    for events in by_visit.values():
        events.sort(key=lambda e: (e[0], e[1]))
        events = [e for e in events if e[0] < end]
        if any(e[2][ix["Ke Status"]] == "BATAL" for e in events):
            continue
        prev = None
        for when, _, r in events:
            step = r[ix["Langkah"]]
            if step in ("", None):
                continue
            step = int(step)
            info = sop.steps[step]
            if prev is not None and start <= when < end and info.standard_minutes and not info.guest_time:
                late = office_minutes(prev, when, cal) > info.standard_minutes
                out[step][late] += 1
            prev = when
    return {k: v for k, v in out.items()}


def test_per_step_attainment_agrees_with_a_hand_computation(built):
    s, t, report = built
    tz = ZoneInfo(s.office.time_zone)
    sop, cal = load_sop(s.sop_path), calendar_from_settings(s)
    want = independent_step_attainment(*t[s.tabs.history], sop, cal, tz)
    steps = report.metrics.steps.set_index("Langkah")
    assert set(want) >= {3, 5, 6, 7, 8, 9}
    for step, (met, breached) in want.items():
        assert (steps.loc[step, "Tercapai"], steps.loc[step, "Terlambat"]) == (met, breached), step
        assert steps.loc[step, "Capaian (%)"] == pytest.approx(100 * met / (met + breached))
