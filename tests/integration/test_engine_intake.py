"""Intake through the real engine on every store: visit IDs and queue numbers."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bukutamu.core.cells import datetime_to_serial
from bukutamu.demo.form import as_row, form_values
from bukutamu.demo.guests import make_guest
from bukutamu.engine import Poller
from bukutamu.errors import SchemaError
from bukutamu.layout import tab_specs

WIB = ZoneInfo("Asia/Pontianak")
REG = "Jawaban Formulir 1"


def col(table, header):
    return table[0].index(header)


def submit(harness, settings, moments, seed=1):
    """Append form rows (as Google Forms would) submitted at the given moments."""
    import random
    rng = random.Random(seed)
    table = harness.table(REG)
    header = table[0]
    rows = [r for r in table[1:]]
    for m in moments:
        rows.append(as_row(header, form_values(make_guest(rng, m.date()), datetime_to_serial(m, WIB))))
    harness.seed(REG, header, rows)


@pytest.fixture
def office(harness, settings):
    harness.store.init(tab_specs(settings))
    clock = {"now": datetime(2026, 11, 27, 9, 0, tzinfo=WIB)}
    poller = Poller(settings, harness.store, clock=lambda: clock["now"])
    return harness, settings, poller, clock


def visits(harness):
    t = harness.table(REG)
    i, q, s, ts = (col(t, "[Sistem] ID Kunjungan"), col(t, "[Sistem] No. Antrian"),
                   col(t, "[Sistem] Status"), col(t, "Stempel waktu"))
    return [(r[ts], r[i], r[q], r[s]) for r in t[1:] if len(r) > i and r[i]]


def test_new_rows_get_queue_numbers_in_submission_order(office):
    harness, settings, poller, _ = office
    base = datetime(2026, 11, 27, 8, 0, tzinfo=WIB)
    # Rows sit in the sheet out of submission order (a person sorted them).
    submit(harness, settings, [base + timedelta(minutes=m) for m in (30, 10, 20)])
    report = poller.run_once()
    assert report.new_visits == 3
    got = sorted(visits(harness))
    assert [(v[1], v[2], v[3]) for v in got] == [
        ("20261127-A001", "A-001", "MENUNGGU VERIFIKASI"),
        ("20261127-A002", "A-002", "MENUNGGU VERIFIKASI"),
        ("20261127-A003", "A-003", "MENUNGGU VERIFIKASI")]


def test_numbers_never_change_and_continue_after_restart_and_sort(office):
    harness, settings, poller, clock = office
    base = datetime(2026, 11, 27, 8, 0, tzinfo=WIB)
    submit(harness, settings, [base, base + timedelta(minutes=1)])
    poller.run_once()
    first = dict((v[1], v[2]) for v in visits(harness))
    harness.sort_rows(REG, "Nama Lengkap", reverse=True)
    submit(harness, settings, [base + timedelta(minutes=5)], seed=2)
    restarted = Poller(settings, harness.store, clock=lambda: clock["now"])  # fresh process state
    restarted.run_once()
    now = dict((v[1], v[2]) for v in visits(harness))
    assert {k: now[k] for k in first} == first
    assert now["20261127-A003"] == "A-003"
    assert len(set(now.values())) == 3


def test_daily_reset_in_office_time(office):
    harness, settings, poller, _ = office
    # 23:59 WIB on the 27th and 00:01 WIB on the 28th (16:59 / 17:01 UTC).
    submit(harness, settings, [datetime(2026, 11, 27, 23, 59, tzinfo=WIB),
                               datetime(2026, 11, 28, 0, 1, tzinfo=WIB)])
    poller.run_once()
    assert sorted(v[1] for v in visits(harness)) == ["20261127-A001", "20261128-A001"]


def test_deleted_row_number_is_not_reused(office):
    harness, settings, poller, _ = office
    base = datetime(2026, 11, 27, 8, 0, tzinfo=WIB)
    submit(harness, settings, [base, base + timedelta(minutes=1)])
    poller.run_once()
    table = harness.table(REG)
    i = col(table, "[Sistem] No. Antrian")
    keep = [r for r in table[1:] if r[i] != "A-002"]
    harness.seed(REG, table[0], keep)  # a person deletes the last visit's row
    submit(harness, settings, [base + timedelta(minutes=3)], seed=3)
    poller.run_once()
    assert sorted(v[2] for v in visits(harness)) == ["A-001", "A-003"]


def test_history_and_queue_board(office):
    harness, settings, poller, _ = office
    base = datetime(2026, 11, 27, 8, 0, tzinfo=WIB)
    submit(harness, settings, [base, base + timedelta(minutes=2)])
    poller.run_once()
    history = harness.table("Riwayat")
    assert len(history) == 3
    h = history[0]
    first = dict(zip(h, history[1]))
    assert first["ID Kunjungan"] == "20261127-A001" and first["Ke Status"] == "MENUNGGU VERIFIKASI"
    assert first["Sumber"] == "formulir" and first["Langkah"] == 2
    assert first["Waktu Kejadian"] == pytest.approx(datetime_to_serial(base, WIB))
    board = [r for r in harness.table("Antrian")[1:] if any(r)]
    assert [r[0] for r in board] == ["A-001", "A-002"]
    assert all(r[2] == "MENUNGGU VERIFIKASI" for r in board)
    flat = " ".join(str(c) for r in board for c in r)
    assert not re.search(r"\d{4,}", flat)  # no NIK or phone digits on the lobby screen
    assert all(r[1].endswith(".") or " " not in r[1] for r in board)  # masked names


def test_idle_cycle_writes_nothing(office):
    harness, settings, poller, _ = office
    submit(harness, settings, [datetime(2026, 11, 27, 8, 58, tzinfo=WIB)])
    poller.run_once()
    before = {t: harness.table(t) for t in (REG, "Riwayat", "Antrian", "Sistem")}
    report = poller.run_once()
    assert not report.wrote
    assert {t: harness.table(t) for t in before} == before


def test_renamed_required_header_stops_the_cycle_and_writes_nothing(office):
    harness, settings, poller, _ = office
    submit(harness, settings, [datetime(2026, 11, 27, 8, 0, tzinfo=WIB)])
    harness.rename_header(REG, "NIK", "Nomor KTP")
    before = {t: harness.table(t) for t in (REG, "Riwayat", "Antrian", "Sistem")}
    with pytest.raises(SchemaError) as e:
        poller.run_once()
    assert '"NIK"' in str(e.value)
    assert {t: harness.table(t) for t in before} == before


def test_duplicated_header_stops_the_cycle(office):
    harness, settings, poller, _ = office
    table = harness.table(REG)
    header = table[0] + ["Nama"]  # an alias of "Nama Lengkap": two columns claim the name
    harness.seed(REG, header, table[1:])
    with pytest.raises(SchemaError) as e:
        poller.run_once()
    assert "muncul 2 kali" in str(e.value)


def test_helpdesk_typed_row_without_timestamp_is_registered_when_seen(office):
    harness, settings, poller, clock = office
    table = harness.table(REG)
    header = table[0]
    row = [""] * len(header)
    row[col(table, "NIK")] = "6171010101909991"  # synthetic
    row[col(table, "Nama Lengkap")] = "Budi Santoso"
    harness.seed(REG, header, [row])
    poller.run_once()
    v = visits(harness)
    assert v[0][1] == "20261127-A001"
    t = harness.table(REG)
    assert "manual" in t[1][col(t, "[Sistem] Catatan")]


def _row(harness, **cells):
    table = harness.table(REG)
    header = table[0]
    row = [""] * len(header)
    full = {"Jenis Kelamin": "Laki-laki", "Tanggal Lahir": "01/01/1990", "Nomor HP": "081234567890", **cells}
    for h, v in full.items():
        row[header.index(h)] = v
    return row


def _status_and_check(harness):
    t = harness.table(REG)
    s, c, q = col(t, "[Sistem] Status"), col(t, "[Sistem] Cek KTP"), col(t, "[Sistem] No. Antrian")
    return {r[q]: (r[s], r[c]) for r in t[1:] if len(r) > q and r[q]}


@pytest.mark.parametrize("coerced", [6171010101909991, 6.17101010190999e15, "6.17101E+15"])
def test_nik_coerced_to_a_number_is_flagged_not_trusted(office, coerced):
    harness, settings, poller, _ = office
    header = harness.table(REG)[0]
    harness.seed(REG, header, [_row(harness, **{"Stempel waktu": 46353.4, "NIK": coerced,
                                                 "Nama Lengkap": "Budi Santoso"})])
    poller.run_once()
    status, check = _status_and_check(harness)["A-001"]
    assert status == "PERLU PERBAIKAN"
    assert check.startswith("SALAH") and "teks" in check.lower()
    assert "6171010101909991" not in check and "617101010" not in check


def test_same_nik_twice_the_same_day_marks_the_later_row_duplicate(office):
    harness, settings, poller, _ = office
    header = harness.table(REG)[0]
    nik = "6171010101909991"  # synthetic
    harness.seed(REG, header, [
        _row(harness, **{"Stempel waktu": 46353.40, "NIK": nik, "Nama Lengkap": "Budi Santoso"}),
        _row(harness, **{"Stempel waktu": 46353.45, "NIK": nik, "Nama Lengkap": "Budi Santoso"}),
        _row(harness, **{"Stempel waktu": 46354.40, "NIK": nik, "Nama Lengkap": "Budi Santosa"}),
    ])
    poller.run_once()
    got = _status_and_check(harness)
    assert got["A-001"][0] == "MENUNGGU VERIFIKASI"
    assert got["A-002"][0] == "DUPLIKAT"
    # next day: a new visit, but a different name on the same NIK is a warning
    t = harness.table(REG)
    last = [r for r in t[1:] if r[col(t, "[Sistem] ID Kunjungan")].startswith("20261128")][0]
    assert last[col(t, "[Sistem] Status")] == "MENUNGGU VERIFIKASI"
    assert "PERINGATAN" in last[col(t, "[Sistem] Cek KTP")] and "nama" in last[col(t, "[Sistem] Cek KTP")]


def test_same_nik_with_another_birth_date_on_another_visit_is_a_warning(office):
    harness, settings, poller, _ = office
    header = harness.table(REG)[0]
    nik = "6171010101909991"  # synthetic
    harness.seed(REG, header, [
        _row(harness, **{"Stempel waktu": 46350.40, "NIK": nik, "Nama Lengkap": "Budi Santoso"}),
        _row(harness, **{"Stempel waktu": 46353.40, "NIK": nik, "Nama Lengkap": "Budi Santoso",
                         "Tanggal Lahir": "02/01/1990"}),
    ])
    poller.run_once()
    t = harness.table(REG)
    later = [r for r in t[1:] if r[col(t, "[Sistem] ID Kunjungan")].startswith("20261127")][0]
    check = later[col(t, "[Sistem] Cek KTP")]
    assert later[col(t, "[Sistem] Status")] == "MENUNGGU VERIFIKASI"
    assert "PERINGATAN" in check and "kunjungan lain" in check and "tanggal lahir" in check
