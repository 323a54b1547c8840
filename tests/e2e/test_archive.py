"""`bukutamu arsip` from the admin's command line, on a register the engine wrote (a
demo week: ~40 guests over four working days, with officer links and feedback), on
the embedded store and on the Google path (real gspread against the Sheets fake, the
archive in its own spreadsheet).

What a user would notice: the live tabs keep only visits that can still change; the
archive holds every moved row exactly once; the archived week's report is
byte-identical; a sort by the helpdesk at the moment of the deletion loses nothing;
a kill at any step is finished by the next run with nothing lost or doubled.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import pytest

from tests.e2e.archive_office import TABS, WEEK, ArchiveOffice
from tests.integration.conftest import run_demo

KINDS = ["sqlite", "google"]
CRASH = Path(__file__).with_name("crash_archive.py")
REPORT_FILES = ("laporan.html", "laporan.xlsx")


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory) -> Path:
    return run_demo(tmp_path_factory.mktemp("arsip-demo"), per_day="8-12", seed=12).root


@pytest.fixture(params=KINDS)
def office(request, tmp_path, demo_root):
    o = ArchiveOffice(request.param, tmp_path / request.param, demo_root)
    o.arrive(4)  # today's guests: open visits that must stay live
    yield o
    o.close()


def report_bytes(o: ArchiveOffice) -> dict[str, str]:
    o.cli("report", "--minggu", WEEK)
    folder = o.root / "reports" / WEEK
    files = sorted(p for p in folder.iterdir() if p.is_file())
    assert {p.name for p in files} >= set(REPORT_FILES)
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def visit_ids(rows: list[list]) -> Counter:
    col = [str(h) for h in rows[0]].index("[Sistem] ID Kunjungan")
    return Counter(r[col] for r in rows[1:] if col < len(r) and r[col])


def statuses(rows: list[list]) -> Counter:
    col = [str(h) for h in rows[0]].index("[Sistem] Status")
    return Counter(r[col] for r in rows[1:] if col < len(r) and r[col])


def test_archive_moves_closed_visits_and_the_week_reports_the_same(office):
    before_report = report_bytes(office)
    before = office.state()
    register = office.live("Jawaban Formulir 1")
    closed = sum(n for s, n in statuses(register).items() if s in ("SELESAI", "BATAL", "DUPLIKAT"))
    assert closed >= 30

    dry = office.cli("arsip", "--coba").stdout
    assert f"{closed} kunjungan selesai akan dipindahkan ke arsip tahun 2026" in dry
    assert office.state() == before  # a dry run writes nothing

    out = office.cli("arsip").stdout
    assert f"{closed} kunjungan selesai dipindahkan ke arsip tahun 2026" in out
    after = office.state()
    for tab in TABS:  # every row is in exactly one place: nothing lost, nothing doubled
        assert after[f"live:{tab}"] + after[f"arsip:{tab}"] == before[f"live:{tab}"], tab
    live_register = office.live("Jawaban Formulir 1")
    assert not set(statuses(live_register)) & {"SELESAI", "BATAL", "DUPLIKAT"}
    assert sum(visit_ids(live_register).values()) == 4  # today's guests stay
    assert sum(visit_ids(office.archived("Jawaban Formulir 1")).values()) == closed
    assert max(visit_ids(office.archived("Jawaban Formulir 1")).values()) == 1

    assert "Tidak ada kunjungan selesai yang perlu diarsipkan." in office.cli("arsip").stdout  # idempotent
    assert office.state() == after
    assert report_bytes(office) == before_report  # the archived week rebuilds byte-identical


def test_next_cycle_after_archive_reads_only_open_visits(office):
    office.cli("poll", "--once")
    if office.fake is not None:
        office.fake.reset_log()
    office.cli("poll", "--once")
    before = [e for e in office.fake.requests("read")] if office.fake else None
    office.cli("arsip")
    if office.fake is not None:
        office.fake.reset_log()
    p = office.cli("poll", "--once")
    assert "0 kunjungan baru, 0 perubahan status" in p.stdout  # archived visits are not missed or redone
    if office.fake is not None:
        reads = office.fake.requests("read")
        assert len(reads) == 1 and len(before) == 1  # still one read per cycle
        assert reads[0]["bytes"] < 0.25 * before[0]["bytes"]


def test_a_sort_at_the_moment_of_deletion_loses_nothing(tmp_path, demo_root):
    office = ArchiveOffice("google", tmp_path, demo_root)
    office.arrive(6)
    try:
        before = office.state()
        # The helpdesk sorts the register by name just as the archive deletes rows.
        office.fake.on_next_structure(lambda: office.fake.sort_rows("Jawaban Formulir 1", "Nama Lengkap"))
        first = office.cli("arsip")
        assert "ikut terhapus" in first.stderr  # the race happened: wrong rows went, and came back
        office.cli("arsip")  # whatever the race left, the next run finishes
        after = office.state()
        for tab in TABS:
            assert after[f"live:{tab}"] + after[f"arsip:{tab}"] == before[f"live:{tab}"], tab
        assert not set(statuses(office.live("Jawaban Formulir 1"))) & {"SELESAI", "BATAL", "DUPLIKAT"}
    finally:
        office.close()


STEPS = ["after-read", "after-init", "mid-copy", "after-copy", "after-remove-1", "after-remove-3"]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory, demo_root) -> dict:
    """Per store: what one uninterrupted `bukutamu arsip` leaves."""
    out = {}
    for kind in KINDS:
        reference = ArchiveOffice(kind, tmp_path_factory.mktemp(f"reference-{kind}"), demo_root)
        try:
            reference.arrive(4)
            reference.cli("arsip")
            out[kind] = reference.state(without_today=True)
        finally:
            reference.close()
    return out


@pytest.mark.parametrize("step", STEPS)
def test_killed_at_any_step_the_next_run_finishes_without_loss_or_doubles(office, step, uninterrupted):
    want = uninterrupted[office.kind]
    before = office.state()
    killed = office.cli(step, check=False, script=CRASH)
    assert killed.returncode == -9, killed.stderr
    middle = office.state()
    for tab in TABS:  # even mid-way, no row is missing from both places
        assert not before[f"live:{tab}"] - (middle[f"live:{tab}"] + middle[f"arsip:{tab}"]), (step, tab)
    office.cli("arsip")
    assert office.state(without_today=True) == want
    assert sum(visit_ids(office.live("Jawaban Formulir 1")).values()) == 4


def test_check_names_the_archive_and_an_archive_spreadsheet_it_cannot_open(office):
    office.cli("arsip")
    out = office.cli("check", check=False).stdout
    assert "[INFO] Arsip: 2026 (" in out
    if office.fake is None:
        assert "arsip-2026.sqlite" in out
        return
    assert "spreadsheet arsip 2026" in out and "[GAGAL] Arsip" not in out
    text = office.config.read_text(encoding="utf-8").replace('"2026" = ', '"2025" = "1TidakDibagikan000000000000000000000000000", "2026" = ')
    office.config.write_text(text, encoding="utf-8")
    out = office.cli("check", check=False).stdout
    assert "[GAGAL] Arsip 2025: spreadsheet 1TidakDibagikan000000000000000000000000000 tidak bisa dibuka" in out
    assert "Bagikan ke email service account sebagai Editor" in out


def test_reimporting_the_forms_csv_after_archiving_adds_nothing(tmp_path, demo_root):
    import csv
    from datetime import timedelta

    from bukutamu.core.cells import EPOCH
    office = ArchiveOffice("sqlite", tmp_path, demo_root)
    office.cli("arsip")
    rows = office.archived("Jawaban Formulir 1")
    header = [str(h) for h in rows[0]]
    form = [h for h in header if h and not h.startswith("[") and h not in ("Verifikasi KTP", "Aksi Helpdesk",
                                                                          "Catatan Helpdesk")]
    src = tmp_path / "jawaban.csv"
    with open(src, "w", newline="", encoding="utf-8") as f:  # what Google Forms exports: every answer so far
        w = csv.writer(f)
        w.writerow(["Timestamp", *form[1:]])
        for r in rows[1:]:
            when = EPOCH + timedelta(seconds=round(r[0] * 86400))  # Forms exports whole seconds
            w.writerow([f"{when:%d/%m/%Y %H:%M:%S}", *(r[header.index(h)] or "" for h in form[1:])])
    p = office.cli("import-csv", str(src), check=False)
    assert f"0 baris diimpor, {len(rows) - 1} sudah ada sebelumnya" in p.stdout


def test_run_archives_once_at_start_without_being_asked(office):
    """`bukutamu run` archives at start (and daily at archive.at): the admin never has to."""
    import os
    import signal
    import subprocess
    import sys

    from tests.fakes.waiting import wait_for
    text = office.config.read_text(encoding="utf-8") + "[poll]\ninterval_seconds = 1\n"
    office.config.write_text(text, encoding="utf-8")
    env = {**os.environ, **office.env}
    env.pop("BUKUTAMU_CONFIG", None)
    proc = subprocess.Popen([sys.executable, "-m", "bukutamu", "--config", str(office.config), "run"],
                            cwd=office.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for(lambda: not set(statuses(office.live("Jawaban Formulir 1"))) & {"SELESAI", "BATAL",
                                                                                         "DUPLIKAT"}, 60)
        assert sum(visit_ids(office.archived("Jawaban Formulir 1")).values()) >= 30
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
