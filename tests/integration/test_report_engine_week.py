"""The weekly report of a week the engine wrote, checked against an independent
recomputation from the store's own tabs (plain Python, not report/metrics.py)."""

from collections import defaultdict
from datetime import datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from bukutamu.core.cells import serial_to_datetime
from bukutamu.adapters.officehours import calendar_from_settings
from bukutamu.adapters.sopfile import load_sop
from bukutamu.report.build import build_week_report
from bukutamu.report.metrics import parse_week

from .conftest import DEMO_WEEK

WEEK = parse_week(DEMO_WEEK)
GRADES = [("A", 88.31), ("B", 76.61), ("C", 65.00), ("D", 25.00)]


@pytest.fixture(scope="module")
def built(engine_week, tmp_path_factory):
    s = engine_week.settings
    t = engine_week.tabs(s.tabs.history, s.tabs.feedback, s.tabs.officers)
    history, feedback, officers = ([h, *rows] for h, rows in (t[s.tabs.history], t[s.tabs.feedback],
                                                              t[s.tabs.officers]))
    report = build_week_report(history, feedback, WEEK, s, tmp_path_factory.mktemp("r"), officer_rows=officers)
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


# --- issue 13: what managers asked, checked against visits the engine built ---------------

STATE_STEP = {  # the SOP step a visit in this state waits for (read off sop.toml by hand)
    "MENUNGGU VERIFIKASI": 3, "PERLU PERBAIKAN": 4, "TERVERIFIKASI": 5, "PETUGAS DIHUBUNGI": 6,
    "DILAYANI": 7, "MENUNGGU UMPAN BALIK": 8, "MENUNGGU HELPDESK": 9}


def linear_quantile(values, q):
    """pandas' default percentile (linear interpolation between closest ranks)."""
    v = sorted(values)
    pos = (len(v) - 1) * q
    lo = int(pos)
    return v[lo] + (v[min(lo + 1, len(v) - 1)] - v[lo]) * (pos - lo)


def visits_from_history(header, rows, tz):
    """visit id -> its events [(time, row order, row)] sorted as they happened."""
    ix = {h: i for i, h in enumerate(header)}
    out = defaultdict(list)
    for k, r in enumerate(rows):
        r = r + (None,) * (len(header) - len(r))
        out[r[ix["ID Kunjungan"]]].append((serial_to_datetime(r[ix["Waktu Kejadian"]], tz), k,
                                           {h: r[i] for h, i in ix.items()}))
    for events in out.values():
        events.sort(key=lambda e: (e[0], e[1]))
    return out


def credited(label, officers_header, officers_rows):
    """"<name> (cadangan)" -> the backup address of that officer (the Petugas tab)."""
    if isinstance(label, str) and label.endswith(" (cadangan)"):
        name = label[: -len(" (cadangan)")]
        i = officers_header.index
        row = next(r for r in officers_rows if r[i("Nama")] == name)
        return f"{row[i('Email Cadangan')]} (cadangan {name})"
    return label


@pytest.fixture(scope="module")
def by_hand(built):
    s, _, _ = built
    tz = ZoneInfo(s.office.time_zone)
    t = built[1]
    return visits_from_history(*t[s.tabs.history], tz), tz


def test_waiting_times_agree_with_visits_by_hand(built, by_hand):
    s, _, report = built
    visits, tz = by_hand
    cal = calendar_from_settings(s)
    start, end = week_bounds(tz)
    total, helpdesk = defaultdict(list), defaultdict(list)
    for events in visits.values():
        done = [e for e in events if e[2]["Ke Status"] == "SELESAI" and start <= e[0] < end]
        if done:
            total[done[0][0].date()].append(office_minutes(events[0][0], done[0][0], cal))
        gone = any(e[2]["Ke Status"] == "BATAL" and e[0] < end for e in events)
        three = [e for e in events if e[2]["Langkah"] == 3 and start <= e[0] < end]
        if three and not gone:
            helpdesk[three[0][0].date()].append(office_minutes(events[0][0], three[0][0], cal))
    table = report.metrics.waiting.set_index("Periode")
    week_total = [m for day in total.values() for m in day]
    week_help = [m for day in helpdesk.values() for m in day]
    assert len(week_total) > 60 and len(total) >= 3  # many guests over several days
    row = table.loc["Minggu ini"]
    assert row["Kunjungan selesai"] == len(week_total)
    assert row["Total p50 (menit)"] == pytest.approx(linear_quantile(week_total, 0.5))
    assert row["Total p90 (menit)"] == pytest.approx(linear_quantile(week_total, 0.9))
    assert row["Tunggu helpdesk p50 (menit)"] == pytest.approx(linear_quantile(week_help, 0.5))
    assert row["Tunggu helpdesk p90 (menit)"] == pytest.approx(linear_quantile(week_help, 0.9))
    days = report.metrics.waiting.dropna(subset=["Tanggal"]).set_index("Tanggal")
    assert set(days.index) == set(total) | set(helpdesk)
    for day, minutes in total.items():
        assert days.loc[day, "Total p50 (menit)"] == pytest.approx(linear_quantile(minutes, 0.5)), day
    assert table.loc["Minggu lalu", "Kunjungan selesai"] == 0  # the engine ran only this week
    h = report.metrics.headline
    assert h["tunggu_p50"] == row["Total p50 (menit)"] and h["helpdesk_p90"] == row["Tunggu helpdesk p90 (menit)"]
    html = report.html_path.read_text(encoding="utf-8")
    assert "Berapa lama tamu menunggu?" in html and "Tunggu helpdesk (L3) p50 / p90" in html


def test_officers_steps_6_and_7_apart_backup_credited_everyone_listed(built, by_hand):
    s, _, report = built
    visits, tz = by_hand
    cal, sop = calendar_from_settings(s), load_sop(s.sop_path)
    oh, orows = built[1][s.tabs.officers]
    start, end = week_bounds(tz)
    want = defaultdict(lambda: {6: [0, 0], 7: [0, 0]})
    for events in visits.values():
        if any(e[2]["Ke Status"] == "BATAL" and e[0] < end for e in events):
            continue
        officer = [e[2]["Petugas"] for e in events if e[2]["Petugas"]]
        prev = None
        for when, _, r in events:
            if r["Langkah"] in ("", None):
                continue
            if r["Langkah"] in (6, 7) and prev is not None and start <= when < end:
                late = office_minutes(prev, when, cal) > sop.steps[r["Langkah"]].standard_minutes
                want[credited(officer[-1], oh, orows)][r["Langkah"]][late] += 1
            prev = when
    table = report.metrics.officers.set_index("Petugas")
    active = [r[0] for r in orows if r[3] == "Ya"]
    assert set(active) <= set(table.index)  # every active officer, with or without guests
    assert "Dewi Anggraini" not in table.index  # inactive: her guests went to the backup address
    backup = "hendra.wijaya@biro-pbj.invalid (cadangan Dewi Anggraini)"
    assert backup in want and backup in table.index
    idle = [n for n in active if n not in want]
    assert idle and all(table.loc[n, "Kunjungan dilayani"] == 0 for n in idle)
    for name, steps in want.items():
        for n, (met, late) in steps.items():
            assert table.loc[name, f"L{n} diukur"] == met + late, (name, n)
            assert table.loc[name, f"L{n} capaian (%)"] == pytest.approx(100 * met / (met + late)), (name, n)


def test_staff_headline_leaves_out_the_programs_email_and_the_guests_time(built):
    s, t, report = built
    tz = ZoneInfo(s.office.time_zone)
    sop, cal = load_sop(s.sop_path), calendar_from_settings(s)
    per_step = independent_step_attainment(*t[s.tabs.history], sop, cal, tz)
    staff = [3, 6, 7, 9]  # helpdesk and officers; 5 = the program's email, 4 and 8 = the guest
    met = sum(per_step[k][0] for k in staff)
    total = sum(sum(per_step[k]) for k in staff)
    h = report.metrics.headline
    assert h["langkah_petugas"] == tuple(staff)
    assert h["capaian_petugas"] == pytest.approx(100 * met / total)
    assert h["capaian"] > h["capaian_petugas"]  # the all-steps figure is flattered by steps 5 and 8
    steps = report.metrics.steps.set_index("Langkah")
    assert steps.loc[5, "p50 (menit)"] == 0 and steps.loc[5, "Capaian (%)"] == 100
    assert [steps.loc[k, "Warna"] for k in (4, 5, 8)] == ["", "", ""]
    assert "otomatis" in steps.loc[5, "Waktu siapa"] and steps.loc[8, "Waktu siapa"] == "waktu tamu"


def test_xlsx_percentages_counted_flag_repeats_and_uncoloured_guest_steps(built):
    import openpyxl
    _, _, report = built
    book = openpyxl.load_workbook(report.xlsx_path)
    ws = book["Per Langkah"]
    head = [c.value for c in ws[1]]
    col = {h: i for i, h in enumerate(head)}
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    for step, r in rows.items():
        cell = r[col["Capaian (%)"]]
        if cell.value is not None:
            assert "%" in cell.number_format and 0 <= cell.value <= 1, step
        repeat = r[col["Putaran ulang"]].value
        assert (repeat is None) == (step not in (7, 8)), step
    letter = openpyxl.utils.get_column_letter(col["Capaian (%)"] + 1)
    coloured = {c for rng in ws.conditional_formatting for cr in rng.sqref.ranges for c in
                range(cr.min_row, cr.max_row + 1) if cr.min_col == col["Capaian (%)"] + 1}
    by_step = {step: r[0].row for step, r in rows.items()}
    assert {by_step[k] for k in (3, 6, 7, 9)} <= coloured
    assert not {by_step[k] for k in (2, 4, 5, 8)} & coloured, letter
    summary = {r[0].value: r[1] for r in book["Ringkasan"].iter_rows(min_row=2)}
    staff = next(c for k, c in summary.items() if k.startswith("Capaian petugas & helpdesk, langkah"))
    assert "%" in staff.number_format and staff.value == pytest.approx(
        report.metrics.headline["capaian_petugas"] / 100, abs=1e-4)
    detail = book["Detail Langkah"]
    dh = [c.value for c in detail[1]]
    flags = [(r[dh.index("ID Kunjungan")], r[dh.index("Dihitung ke capaian")])
             for r in detail.iter_rows(min_row=2, values_only=True)]
    gone = set(report.metrics.intervals.loc[report.metrics.intervals["batal_pada"].notna(), "visit_id"].astype(str))
    assert gone and all(flag == "tidak: tamu pergi" for vid, flag in flags if vid in gone)
    assert {flag for _, flag in flags} >= {"ya", "tidak: tamu pergi", "tidak: waktu tamu", "tidak: tidak terukur"}


def test_abandonment_by_step_and_officer(built, by_hand):
    s, t, report = built
    visits, tz = by_hand
    oh, orows = t[s.tabs.officers]
    start, end = week_bounds(tz)
    want = defaultdict(int)
    for events in visits.values():
        for when, _, r in events:
            if r["Ke Status"] == "BATAL" and start <= when < end:
                officer = [e[2]["Petugas"] for e in events if e[2]["Petugas"]]
                step = STATE_STEP[r["Dari Status"]]
                want[(step, credited(officer[-1], oh, orows) if officer else "(belum ada petugas)")] += 1
    assert want
    got = {(int(a.split(".")[0]), p): n for a, p, n in report.metrics.abandonment.itertuples(index=False)}
    assert got == dict(want)


def test_counts_agree_in_demo_message_report_register_and_email(engine_week, built):
    s, _, report = built
    h = report.metrics.headline
    assert h["pendaftaran"] == h["kunjungan"] + h["duplikat"]
    assert h["kunjungan"] == h["selesai"] + h["batal"] + h["berjalan"]
    from bukutamu.report.render import counts_line
    line = counts_line(h)
    assert line in engine_week.stdout
    assert f"Formulir buku tamu diisi {h['pendaftaran']} kali" in engine_week.stdout
    assert line in report.html_path.read_text(encoding="utf-8") and line in report.email_text
    register = engine_week.cli("register", "--semua", "--batas", "1").stdout
    assert f"{h['pendaftaran']} kunjungan" in register  # register lists every registration row
    assert line in engine_week.cli("report", "--minggu", DEMO_WEEK).stdout


def test_demo_report_email_dated_in_office_time_after_the_week(engine_week):
    import email
    from email import policy
    from email.utils import parsedate_to_datetime
    from bukutamu.adapters.mail.outbox import outbox_filename
    path = engine_week.settings.mail.outbox / outbox_filename(f"laporan/{DEMO_WEEK}")
    msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    sent = parsedate_to_datetime(msg["Date"])
    assert msg["Date"].endswith("+0700")  # Asia/Pontianak, WIB
    assert sent >= week_bounds(ZoneInfo("Asia/Pontianak"))[1]  # after Sunday has ended
    (attached,) = [p for p in msg.walk() if p.get_content_disposition() == "attachment"]
    text = msg.get_body(("plain",)).get_content()
    assert attached.get_filename() in text and "laporan.xlsx" not in text
    assert "capaian petugas & helpdesk" in msg["Subject"] and "[otomatis (email program)]" in text


def test_report_rebuilds_byte_identical(engine_week):
    first = None
    for _ in range(2):
        engine_week.cli("report", "--minggu", DEMO_WEEK)
        now = {p.name: p.read_bytes() for p in engine_week.folder.iterdir()}
        assert first is None or now == first
        first = now


def test_a_visit_stuck_for_days_is_listed_open_with_status_step_and_age(engine_week, tmp_path, monkeypatch):
    """A guest with a mistyped NIK on Tuesday who never corrects it: the engine puts the
    visit in PERLU PERBAIKAN; at the week's end it is open, waiting for step 4, 5.6 days old."""
    import random
    import shutil

    from bukutamu.adapters.sqlite_store import SqliteSheetStore
    from bukutamu.core.cells import datetime_to_serial
    from bukutamu.demo.form import as_row, form_values
    from bukutamu.demo.guests import make_guest
    from bukutamu.engine import Poller

    from .conftest import EngineWeek
    root = tmp_path / "office"
    shutil.copytree(engine_week.root / "data", root / "data",
                    ignore=shutil.ignore_patterns("jurnal-email*", "*.lock", "store.txt"))  # the copy claims its folder
    monkeypatch.chdir(root)
    office = EngineWeek(root, "")
    s = office.settings
    tz = ZoneInfo(s.office.time_zone)
    when = datetime(2026, 8, 18, 10, 0, 30, tzinfo=tz)  # Tuesday
    guest = make_guest(random.Random(99), when.date())
    values = form_values(guest, datetime_to_serial(when, tz))
    values["nik"] = guest.nik[:6] + "72" + guest.nik[8:]  # a birth day that cannot exist
    store = SqliteSheetStore(s.store.path, s.office.time_zone)
    try:
        header = store.read([s.tabs.register]).tab(s.tabs.register).header
        store.append_rows(s.tabs.register, [as_row(header, values)])
        Poller(s, store, clock=lambda: when + timedelta(minutes=1)).run_once()
    finally:
        store.close()
    before = engine_week.tabs(s.tabs.history)[s.tabs.history][1]
    after = office.tabs(s.tabs.history)[s.tabs.history][1]
    (new,) = [r for r in after[len(before):]]  # the engine wrote one event: registration -> PERLU PERBAIKAN
    assert new[4] == "PERLU PERBAIKAN"

    out = office.cli("report", "--minggu", DEMO_WEEK).stdout
    import openpyxl
    book = openpyxl.load_workbook(office.folder / "laporan.xlsx")
    sheet = book["Belum Selesai"]
    head = [c.value for c in sheet[1]]
    rows = [dict(zip(head, r)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    stuck = next(r for r in rows if r["ID Kunjungan"] == new[0])
    assert stuck["Status"] == "PERLU PERBAIKAN" and stuck["Langkah berjalan"] == "4. Tamu memperbaiki data"
    age = (week_bounds(tz)[1] - when).total_seconds() / 86400  # Monday 00:00 minus Tuesday 10:00:30
    assert stuck["Umur (hari)"] == pytest.approx(age, abs=1e-4)
    assert stuck["Menit kerja di status ini"] == pytest.approx(office_minutes(when, week_bounds(tz)[1],
                                                                              calendar_from_settings(s)), abs=1e-3)
    summary = {r[0]: r[1] for r in book["Ringkasan"].iter_rows(min_row=2, values_only=True)}
    assert summary["Masih berjalan"] == len([r for r in rows if r["Datang"] >= datetime(2026, 8, 17)])
    html = (office.folder / "laporan.html").read_text(encoding="utf-8")
    assert "Kunjungan yang belum selesai" in html and "PERLU PERBAIKAN" in html and new[0] in html
    assert f"{summary['Masih berjalan']} masih berjalan" in out
