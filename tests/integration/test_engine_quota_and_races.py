"""What a cycle costs at the Sheets API, and what happens when people move rows
while the program works. Request counts are taken at the Google fake."""

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bukutamu.core.cells import datetime_to_serial
from bukutamu.demo.form import as_row, form_values
from bukutamu.demo.guests import BIDANG, make_guest
from bukutamu.engine import Poller
from bukutamu.layout import tab_specs
from tests.fakes.google_harness import make_google_harness

WIB = ZoneInfo("Asia/Pontianak")
REG = "Jawaban Formulir 1"
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=WIB)


def add_guests(harness, n, start, seed=1):
    rng = random.Random(seed)
    table = harness.table(REG)
    header = table[0]
    rows = [r for r in table[1:]]
    for i in range(n):
        when = start + timedelta(seconds=20 * i)
        rows.append(as_row(header, form_values(make_guest(rng, when.date()), datetime_to_serial(when, WIB))))
    harness.seed(REG, header, rows)


@pytest.fixture
def google(tmp_path, settings):
    h = make_google_harness(tmp_path)
    h.store.init(tab_specs(settings))
    h.seed("Petugas", ["Nama", "Bidang", "Email", "Aktif", "Email Cadangan"],
           [[f"Petugas {i}", b, f"petugas{i}@biro.test", "Ya", ""] for i, b in enumerate(BIDANG)])
    clock = {"now": NOW}
    poller = Poller(settings, h.store, clock=lambda: clock["now"])
    poller.run_once()  # opens the spreadsheet (metadata) and writes the first heartbeat
    yield h, poller, clock
    poller.close()
    h.close()


@pytest.mark.parametrize("new_rows", [0, 1, 200])
def test_a_cycle_costs_one_read_and_at_most_one_write(google, new_rows):
    harness, poller, clock = google
    add_guests(harness, new_rows, NOW - timedelta(hours=1, minutes=10))
    harness.reset_requests()
    report = poller.run_once()
    assert report.new_visits == new_rows
    assert harness.requests() == {"reads": 1, "writes": 1 if new_rows else 0, "other": 0}


def test_workflow_cycles_with_every_tab_stay_within_one_read_one_write(google):
    harness, poller, clock = google
    add_guests(harness, 3, NOW - timedelta(minutes=5))
    poller.run_once()
    for i in range(3):
        harness.edit_cell(REG, i, "Verifikasi KTP", "Sesuai")
    for minutes in (1, 2, 3):
        clock["now"] = NOW + timedelta(minutes=minutes)
        harness.reset_requests()
        poller.run_once()
        counts = harness.requests()
        assert counts["reads"] == 1 and counts["writes"] <= 1 and counts["other"] == 0
    statuses = {r[harness.table(REG)[0].index("[Sistem] Status")] for r in harness.table(REG)[1:]}
    assert statuses == {"PETUGAS DIHUBUNGI"}


@pytest.mark.parametrize("move", ["sort", "insert"])
def test_rows_moved_between_read_and_write_never_get_another_visits_values(harness, settings, move):
    harness.store.init(tab_specs(settings))
    add_guests(harness, 4, NOW - timedelta(minutes=30))
    clock = {"now": NOW}
    poller = Poller(settings, harness.store, clock=lambda: clock["now"])
    poller.run_once()
    t = harness.table(REG)
    h = t[0]
    ids = {r[h.index("Nama Lengkap")]: r[h.index("[Sistem] ID Kunjungan")] for r in t[1:]}
    harness.edit_cell(REG, 1, "Verifikasi KTP", "Tidak Sesuai")
    target = t[2][h.index("Nama Lengkap")]

    def person():
        if move == "sort":
            harness.sort_rows(REG, "Nama Lengkap", reverse=True)
        else:
            harness.insert_row(REG, 0, [datetime_to_serial(NOW, WIB), "", "Baris Sisipan"])
    harness.on_next_write(person)
    clock["now"] = NOW + timedelta(minutes=1)
    poller.run_once()
    poller.close()
    t = harness.table(REG)
    for r in t[1:]:
        name = r[h.index("Nama Lengkap")]
        if name in ids:  # every visit keeps its own ID
            assert r[h.index("[Sistem] ID Kunjungan")] == ids[name]
            expected = "PERLU PERBAIKAN" if name == target else "MENUNGGU VERIFIKASI"
            assert r[h.index("[Sistem] Status")] == expected, name
