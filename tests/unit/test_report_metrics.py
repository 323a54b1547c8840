"""Weekly report metrics on hand-built Riwayat logs with known answers."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from bukutamu.config import DEFAULT_SOP, CalendarSettings
from bukutamu.core.cells import datetime_to_serial, serial_to_datetime
from bukutamu.adapters.officehours import OfficeCalendar
from bukutamu.core.schema import HISTORY_COLUMNS
from bukutamu.adapters.sopfile import load_sop
from bukutamu.report.history import history_frame, serials_to_times, step_intervals, visit_table
from bukutamu.report.metrics import Week, compute_week, last_finished_week, parse_week, step_summary
from bukutamu.report.skm import ELEMENTS, element_columns, ikm, mutu, round_half_up, score, skm_scores

TZ = ZoneInfo("Asia/Pontianak")
SOP = load_sop(DEFAULT_SOP)
CAL = OfficeCalendar(CalendarSettings(), "Asia/Pontianak")
HEADER = tuple(c.header for c in HISTORY_COLUMNS)
W48 = "2026-W48"  # Monday 2026-11-23 .. Sunday 2026-11-29


def at(d: int, hhmm: str, month: int = 11) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return datetime(2026, month, d, h, m, tzinfo=TZ)


def row(vid, step, dari, ke, when, sumber="helpdesk", petugas=None, bidang=None, ket=None):
    label = lambda code: SOP.states[code].label if code else None  # noqa: E731
    return (vid, vid.split("-")[1], step, label(dari), label(ke), datetime_to_serial(when, TZ), sumber, 1,
            petugas, bidang, ket)


def served(vid, t0, minutes, officer=("Andi", "Bidang A"), loops=()):
    """A visit on the normal path. ``minutes``: wall minutes of steps 3, 5, 6, 7, 8, 9 (all
    inside office hours, so wall minutes = office minutes). ``loops``: (service, feedback)
    minutes of extra rounds after "tidak cukup"."""
    m3, m5, m6, m7, m8, m9 = minutes
    p, b = officer
    t = t0
    out = [row(vid, 2, None, "MENUNGGU_VERIFIKASI", t, "formulir")]
    t += timedelta(minutes=m3)
    out.append(row(vid, 3, "MENUNGGU_VERIFIKASI", "TERVERIFIKASI", t))
    t += timedelta(minutes=m5)
    out.append(row(vid, 5, "TERVERIFIKASI", "PETUGAS_DIHUBUNGI", t, "sistem", p, b))
    t += timedelta(minutes=m6)
    out.append(row(vid, 6, "PETUGAS_DIHUBUNGI", "DILAYANI", t, "tautan-petugas", p, b))
    t += timedelta(minutes=m7)
    out.append(row(vid, 7, "DILAYANI", "MENUNGGU_UMPAN_BALIK", t, "tautan-petugas", p, b))
    for serve, fb in loops:
        t += timedelta(minutes=fb)
        out.append(row(vid, 8, "MENUNGGU_UMPAN_BALIK", "DILAYANI", t, "tautan-umpan-balik", p, b, "tidak cukup"))
        t += timedelta(minutes=serve)
        out.append(row(vid, 7, "DILAYANI", "MENUNGGU_UMPAN_BALIK", t, "tautan-petugas", p, b))
    t += timedelta(minutes=m8)
    out.append(row(vid, 8, "MENUNGGU_UMPAN_BALIK", "MENUNGGU_HELPDESK", t, "tautan-umpan-balik", p, b))
    t += timedelta(minutes=m9)
    out.append(row(vid, 9, "MENUNGGU_HELPDESK", "SELESAI", t, "helpdesk", p, b))
    return out


def frame(rows):
    return history_frame(HEADER, rows, "Asia/Pontianak", SOP)


def intervals(rows):
    return step_intervals(frame(rows), SOP, CAL)


# --- reading the Riwayat tab -------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=20000, max_value=80000, allow_nan=False))
def test_vectorised_serials_match_cells_serial_to_datetime(serial):
    got = serials_to_times(pd.Series([serial], dtype=object), TZ)[0]
    assert got.to_pydatetime() == serial_to_datetime(serial, TZ)


def test_history_accepts_serials_iso_text_labels_codes_and_short_rows():
    rows = [
        ("V-A001", "A001", 2, None, "MENUNGGU VERIFIKASI", "2026-11-23T08:00:00", "formulir"),  # trailing cells missing
        ("V-A001", "A001", "3", "MENUNGGU_VERIFIKASI", "terverifikasi", datetime_to_serial(at(23, "08:10"), TZ)),
        ("", "A002", 2, None, "MENUNGGU VERIFIKASI", datetime_to_serial(at(23, "08:00"), TZ)),  # no visit id
        ("V-A003", "A003", 2, None, "MENUNGGU VERIFIKASI", "bukan tanggal"),
    ]
    f = frame(rows)
    assert f.attrs["unreadable_rows"] == 2
    assert list(f["ke"].astype(str)) == ["MENUNGGU_VERIFIKASI", "TERVERIFIKASI"]
    assert list(f["langkah"]) == [2, 3]
    assert f["waktu"].iloc[1] == pd.Timestamp(at(23, "08:10"))
    iv = step_intervals(f, SOP, CAL)
    assert iv.loc[iv["langkah"] == 3, "menit"].item() == 10


def test_missing_history_column_is_a_schema_error():
    from bukutamu.errors import SchemaError
    with pytest.raises(SchemaError):
        history_frame(HEADER[:-1], [], "Asia/Pontianak", SOP)


# --- step clocks -------------------------------------------------------------------------

def test_each_clock_runs_from_the_previous_step_to_its_own():
    iv = intervals(served("V-A001", at(23, "08:00"), (10, 2, 8, 40, 5, 2)))
    got = dict(zip(iv["langkah"], iv["menit"]))
    assert np.isnan(got[2])  # registration has no measurable start
    assert {k: v for k, v in got.items() if k != 2} == {3: 10, 5: 2, 6: 8, 7: 40, 8: 5, 9: 2}
    assert dict(zip(iv["langkah"], iv["hasil"].astype(str)))[6] == "terlambat"
    assert iv.loc[iv["langkah"] == 6, "lewat"].item() == 3
    assert iv.loc[iv["langkah"] == 2, "hasil"].item() == "tidak terukur"


def test_exactly_the_standard_is_met():
    iv = intervals(served("V-A001", at(23, "08:00"), (15, 5, 5, 60, 15, 5)))
    assert set(iv.loc[iv["langkah"] > 2, "hasil"].astype(str)) == {"tercapai"}


def test_attainment_and_percentiles():
    rows = []
    for k, m7 in enumerate([10, 20, 30, 40, 100]):
        rows += served(f"V-A00{k}", at(23, "08:00") + timedelta(minutes=k), (5, 1, 1, m7, 1, 1))
    table = step_summary(intervals(rows), SOP, 90).set_index("Langkah")
    s7 = table.loc[7]
    assert (s7["Diukur"], s7["Tercapai"], s7["Terlambat"]) == (5, 4, 1)
    assert s7["Capaian (%)"] == 80
    assert s7["p50 (menit)"] == 30
    assert s7["p90 (menit)"] == pytest.approx(76)  # linear: 40 + 0.6 * (100 - 40)
    assert s7["Warna"] == "kuning"  # 80 is within 10 points of the 90 target
    assert table.loc[3, "Capaian (%)"] == 100 and table.loc[3, "Warna"] == "hijau"
    assert table.loc[2, "Diukur"] == 0 and "tidak terukur" in table.loc[2, "Catatan"]


def test_feedback_loop_is_a_new_cycle_of_steps_7_and_8():
    iv = intervals(served("V-A001", at(23, "08:00"), (5, 1, 1, 50, 5, 1), loops=[(30, 10)]))
    seven = iv[iv["langkah"] == 7]
    eight = iv[iv["langkah"] == 8]
    assert list(seven["siklus"]) == [1, 2] and list(seven["menit"]) == [50, 30]
    assert list(eight["siklus"]) == [1, 2] and list(eight["menit"]) == [10, 5]
    assert list(eight["ulang"]) == [True, False]
    v = visit_table(frame(served("V-A001", at(23, "08:00"), (5, 1, 1, 50, 5, 1), loops=[(30, 10)])), SOP)
    assert v["putaran"].item() == 2


def test_correction_is_guest_time_and_not_counted():
    rows = [row("V-A001", 2, None, "PERLU_PERBAIKAN", at(23, "08:00"), "formulir", ket="1 galat KTP: nik_length"),
            row("V-A001", 4, "PERLU_PERBAIKAN", "TERVERIFIKASI", at(23, "08:40")),  # 40 min: over 15
            row("V-A001", 5, "TERVERIFIKASI", "PETUGAS_DIHUBUNGI", at(23, "08:42"), "sistem", "Andi", "Bidang A")]
    iv = intervals(rows)
    fix = iv[iv["langkah"] == 4].iloc[0]
    assert fix["menit"] == 40 and fix["hasil"] == "terlambat" and fix["waktu_tamu"]
    m = compute_week(frame(rows), W48, sop=SOP, calendar=CAL)
    assert m.headline["capaian"] == 100 and m.headline["diukur"] == 1  # only step 5 counts
    assert m.worst.empty  # guest time never lists as a staff breach
    assert m.steps.set_index("Langkah").loc[4, "Warna"] == ""


def test_clock_crossing_closing_time_is_carried_over_not_a_night_long_breach():
    rows = [row("V-A001", 2, None, "MENUNGGU_VERIFIKASI", at(23, "15:50"), "formulir"),
            row("V-A001", 3, "MENUNGGU_VERIFIKASI", "TERVERIFIKASI", at(24, "07:40"))]
    three = intervals(rows).set_index("langkah").loc[3]
    assert three["menit"] == 20 and three["lewat"] == 5 and three["lintas_hari"]


def test_friday_afternoon_before_holiday_weekend_is_met():
    # Fri 2026-02-13 15:58 -> Wed 02-18 07:50 (Mon cuti bersama, Tue Imlek): 32 + 20 = 52 <= 60
    rows = [row("V-A001", 6, "PETUGAS_DIHUBUNGI", "DILAYANI", datetime(2026, 2, 13, 15, 58, tzinfo=TZ)),
            row("V-A001", 7, "DILAYANI", "MENUNGGU_UMPAN_BALIK", datetime(2026, 2, 18, 7, 50, tzinfo=TZ))]
    seven = intervals(rows).set_index("langkah").loc[7]
    assert seven["menit"] == 52 and seven["hasil"] == "tercapai" and seven["lintas_hari"]


# --- the week ------------------------------------------------------------------------------

def week_log():
    rows = []
    rows += served("V-A001", at(23, "08:00"), (10, 2, 8, 40, 5, 2), ("Andi", "Bidang A"))  # step 6 late by 3
    rows += served("V-A002", at(24, "09:00"), (5, 1, 2, 52, 10, 2), ("Budi", "Bidang B"), loops=[(30, 5)])
    rows += [  # guest left after a 40-minute verification: excluded from attainment
        row("V-A003", 2, None, "MENUNGGU_VERIFIKASI", at(25, "08:00"), "formulir"),
        row("V-A003", 3, "MENUNGGU_VERIFIKASI", "TERVERIFIKASI", at(25, "08:40")),
        row("V-A003", None, "TERVERIFIKASI", "BATAL", at(25, "09:00")),
        # a second submission the same day
        row("V-A004", 2, None, "DUPLIKAT", at(25, "08:05"), "formulir"),
        # KTP error with two kinds, then corrected (NIK digits in the note are masked)
        row("V-A005", 2, None, "PERLU_PERBAIKAN", at(26, "10:00"), "formulir",
            ket="2 galat KTP: nik_length, name_digits"),
        row("V-A005", 4, "PERLU_PERBAIKAN", "TERVERIFIKASI", at(26, "10:10")),
        row("V-A006", 2, None, "MENUNGGU_VERIFIKASI", at(26, "11:00"), "formulir"),
        row("V-A006", 3, "MENUNGGU_VERIFIKASI", "PERLU_PERBAIKAN", at(26, "11:05"), ket="Verifikasi KTP: Tidak Sesuai"),
        # free-text notes (older rows, imports) split on ";", long digit runs masked
        row("V-A008", 2, None, "PERLU_PERBAIKAN", at(26, "12:00"), "formulir",
            ket="NIK 6171010101909991 tidak cocok; Nama berisi angka"),  # synthetic NIK
        # still open at the week's end; its later event (next week) must not count
        row("V-A007", 2, None, "MENUNGGU_VERIFIKASI", at(27, "16:20"), "formulir"),
        row("V-A007", 3, "MENUNGGU_VERIFIKASI", "TERVERIFIKASI", at(30, "08:30")),
    ]
    # last week: one visit, step 3 late (30 min), everything else in time -> 5/6 met
    rows += served("V-Z001", at(17, "08:00"), (30, 1, 1, 10, 1, 1), ("Andi", "Bidang A"))
    return rows


@pytest.fixture(scope="module")
def week():
    return compute_week(frame(week_log()), W48, sop=SOP, calendar=CAL, target=90, trend_weeks=8)


def test_headline(week):
    h = week.headline
    assert (h["kunjungan"], h["selesai"], h["batal"], h["berjalan"], h["duplikat"]) == (7, 2, 1, 4, 1)
    # staff clocks: A001 3,5,6,7,8,9 (6 late) + A002 3,5,6,7,8,7,8,9 + A006 3 (the "Tidak Sesuai")
    # + A005's step 4 is guest time; A003 excluded (BATAL); A007's step 3 is next week.
    assert (h["diukur"], h["terlambat"]) == (15, 1)
    assert h["capaian"] == pytest.approx(100 * 14 / 15)
    assert h["capaian_minggu_lalu"] == pytest.approx(100 * 5 / 6)
    assert h["perubahan"] == pytest.approx(100 * 14 / 15 - 100 * 5 / 6)


def test_abandonment_and_quality(week):
    assert week.abandonment.to_dict("list") == {"Langkah saat tamu pergi": ["5. Helpdesk menghubungi petugas"],
                                                "Petugas": ["(belum ada petugas)"], "Jumlah": [1]}
    kinds = dict(zip(week.ktp_errors["Jenis kesalahan"], week.ktp_errors["Jumlah"]))
    assert kinds == {"NIK tidak 16 angka": 1, "Nama berisi angka": 2, "NIK [angka] tidak cocok": 1,
                     "Tidak sesuai fisik KTP (verifikasi helpdesk)": 1}
    assert list(week.ktp_errors["Jenis kesalahan"])[0] == "Nama berisi angka"  # most frequent first
    q = dict(zip(week.quality["Ukuran"], week.quality["Jumlah"]))
    assert q["Kunjungan perlu perbaikan data"] == 3
    assert q["Perbaikan selesai"] == 1 and q["Pendaftaran duplikat"] == 1


def test_feedback_first_ask(week):
    fb = week.feedback
    assert (fb["ditanya"], fb["cukup_pertama"], fb["tidak_cukup"], fb["putaran_maks"]) == (2, 1, 1, 2)
    assert fb["persen_cukup_pertama"] == 50 and fb["rasio_ulang"] == 50


def test_worst_breaches_and_officers(week):
    worst = week.worst
    assert list(worst["No. Antrian"]) == ["A001"]
    assert worst.iloc[0]["Petugas/Pelaku"] == "Andi" and worst.iloc[0]["Lewat (menit)"] == 3
    assert worst.iloc[0]["Tanggal"] == date(2026, 11, 23)
    assert "NIK" not in " ".join(worst.columns)
    off = week.officers.set_index("Petugas")
    assert off.loc["Andi", "Kunjungan dilayani"] == 1
    assert off.loc["Andi", "L6 capaian (%)"] == 0 and off.loc["Andi", "L7 capaian (%)"] == 100
    assert off.loc["Budi", "L7 capaian (%)"] == 100 and off.loc["Budi", "Layanan ulang"] == 1
    assert off.loc["Budi", "L6 diukur"] == 1 and off.loc["Budi", "L7 diukur"] == 2


def test_heatmap_and_trend(week):
    assert week.heatmap.loc["Senin", 8] == 1 and week.heatmap.loc["Jumat", 16] == 1
    assert week.heatmap.to_numpy().sum() == 7  # duplicate not an arrival
    assert list(week.trend["Minggu"])[-2:] == ["2026-W47", "2026-W48"]
    assert len(week.trend) == 8
    assert week.trend.iloc[-1]["Kunjungan"] == 7 and week.trend.iloc[-2]["Kunjungan"] == 1
    # weeks before the first visit say so instead of showing zero
    assert list(week.trend["Keterangan"]) == ["belum ada data"] * 6 + ["", ""]
    assert week.trend.iloc[0]["Mulai"] == date(2026, 10, 5)
    assert "15 detik" in week.precision


def test_weeks():
    assert parse_week("2026-W48") == Week(date(2026, 11, 23))
    assert parse_week("2026-W01").monday == date(2025, 12, 29)
    assert parse_week("2026-W48").label == "2026-W48"
    with pytest.raises(ValueError, match="2026-W48"):
        parse_week("2026-48x")
    with pytest.raises(ValueError):
        parse_week("2026-W54")
    assert last_finished_week(datetime(2026, 11, 30, 7, 0, tzinfo=TZ), "Asia/Pontianak").label == "2026-W48"
    assert last_finished_week(datetime(2026, 11, 29, 23, 0, tzinfo=TZ), "Asia/Pontianak").label == "2026-W47"


def test_empty_log_gives_an_empty_week():
    m = compute_week(frame([]), W48, sop=SOP, calendar=CAL)
    assert m.headline["kunjungan"] == 0 and np.isnan(m.headline["capaian"])
    assert m.worst.empty and len(m.steps) == 8


# --- SKM / IKM -------------------------------------------------------------------------------

def scores(n=1, **cols):
    return pd.DataFrame({e.code: cols.get(e.code, [4.0] * n) for e in ELEMENTS}, dtype=float)


def test_nrr_is_sum_over_filled_answers_and_weights_are_exactly_one_ninth():
    result = ikm(scores(3, U1=[4, np.nan, 2]))
    u1 = result.elements[0]
    assert (u1.total, u1.answers, u1.nrr) == (6, 2, Fraction(3))
    assert u1.weighted == Fraction(1, 3)
    # all others 4: IKM = (3 + 8 * 4) / 9 = 35/9
    assert result.ikm == Fraction(35, 9)
    assert result.konversi == Fraction(875, 9)  # 97.2222...
    assert result.grade == ("A", "Sangat Baik")


def test_all_fours_is_exactly_100_not_99_9():
    result = ikm(scores())
    assert result.konversi == 100 and round_half_up(result.konversi, 2) == Decimal("100.00")


def answers_with_sum(total, n=10):
    """n answers (2, 3 or 4) adding up to ``total``."""
    out = [3] * n
    for i in range(abs(total - 3 * n)):
        out[i] = 4 if total > 3 * n else 2
    return out


def test_known_ikm_example():
    # 10 answers per element; NRR 3.2, 3.0, 2.8, 3.5, 3.1, 3.3, 3.4, 2.9, 3.0 -> sum 28.2
    # IKM = 28.2 / 9 = 3.1333..; konversi 78.333.. -> B (Baik)
    sums = [32, 30, 28, 35, 31, 33, 34, 29, 30]
    result = ikm(pd.DataFrame({e.code: answers_with_sum(s) for e, s in zip(ELEMENTS, sums)}, dtype=float))
    assert [e.nrr for e in result.elements] == [Fraction(s, 10) for s in sums]
    assert result.ikm == Fraction(282, 90)
    assert round_half_up(result.ikm, 3) == Decimal("3.133")
    assert round_half_up(result.konversi, 2) == Decimal("78.33")
    assert result.grade == ("B", "Baik")
    assert result.respondents == 10


def test_scores_outside_1_to_4_are_not_answers():
    result = ikm(scores(2, U2=[4, 7]))
    assert result.elements[1].answers == 1 and result.elements[1].nrr == 4


def test_missing_element_means_no_ikm():
    result = ikm(scores(U4=[np.nan]))
    assert result.ikm is None and result.grade is None
    assert any("Biaya/Tarif" in n for n in result.notes)


@pytest.mark.parametrize("value, grade", [
    (100, "A"), (Decimal("100.00"), "A"), (88.31, "A"), (88.30, "B"), (88.305, "A"), (88.3049, "B"),
    (Fraction(17661, 200), "A"),  # exactly 88.305
    (Fraction(8830499, 100000), "B"),
    (76.61, "B"), (76.60, "C"), (76.605, "B"), (76.6049, "C"),
    (65.00, "C"), (64.99, "D"), (64.995, "C"), (64.9949, "D"), (25, "D"), (25.0, "D"),
])
def test_every_category_boundary(value, grade):
    assert mutu(value)[0] == grade


@pytest.mark.parametrize("value", [24.99, 24.994, 100.005, 101])
def test_out_of_range_konversi_is_refused(value):
    with pytest.raises(ValueError):
        mutu(value)


def test_labels():
    assert [mutu(v)[1] for v in (90, 80, 70, 50)] == ["Sangat Baik", "Baik", "Kurang Baik", "Tidak Baik"]


def test_elements_are_read_by_name_when_a_region_swaps_u8_and_u9():
    header = ["Stempel waktu", "ID Kunjungan", *[f"U{i} {e.name}" for i, e in enumerate(ELEMENTS[:7], 1)],
              "U8 Sarana dan Prasarana", "U9 Penanganan Pengaduan, Saran dan Masukan"]
    cols, notes = element_columns(header)
    assert cols["U9"] == 9 and cols["U8"] == 10 and not notes
    when = datetime_to_serial(at(24, "10:00"), TZ)
    rows = [(when, "V-1", 4, 4, 4, 4, 4, 4, 4, 1, 3), (when, "V-2", 4, 4, 4, 4, 4, 4, 4, "2 - Kurang", None)]
    frame_, columns, _ = skm_scores(header, rows, TZ, at(23, "00:00"), at(30, "00:00"))
    result = ikm(frame_, columns)
    by_name = {e.name: e for e in result.elements}
    assert by_name["Sarana dan Prasarana"].nrr == Fraction(3, 2)  # 1 and 2
    assert by_name["Sarana dan Prasarana"].column == "U8 Sarana dan Prasarana"
    assert by_name["Penanganan Pengaduan, Saran dan Masukan"].nrr == 3  # one filled answer
    assert result.respondents == 2


def test_skm_rows_outside_the_week_are_ignored():
    header = ["Timestamp", *[e.name for e in ELEMENTS]]
    rows = [(datetime_to_serial(at(20, "10:00"), TZ), *[1] * 9), (datetime_to_serial(at(24, "10:00"), TZ), *[4] * 9)]
    frame_, _, _ = skm_scores(header, rows, TZ, at(23, "00:00"), at(30, "00:00"))
    assert ikm(frame_).konversi == 100


@pytest.mark.parametrize("raw, value", [
    (4, 4), (1.0, 1), ("3", 3), ("4 - Sangat Baik", 4), ("2. Kurang sesuai", 2), ("b", 2), ("d. Sangat", 4),
    ("4.0", 4), (5, None), (0, None), ("", None), (None, None), (True, None), ("baik", None), ("12", None),
    ("3,5", None),
])
def test_answer_parsing(raw, value):
    got = score(raw)
    assert (np.isnan(got) if value is None else got == value)


def test_only_feedback_rows_with_a_valid_token_count():
    header = ["Stempel waktu", "ID Kunjungan", "Token", "Apakah layanan sudah cukup?", "Catatan / Saran",
              "[Sistem] Diproses", *[e.name for e in ELEMENTS]]
    when = datetime_to_serial(at(24, "10:00"), TZ)
    rows = [(when, "V-1", "t", "Ya", "", "OK", *[4] * 9),
            (when, "V-2", "x", "Ya", "", "DITOLAK: token tidak sah", *[1] * 9),
            (when, "V-3", "y", "Ya", "", "", *[1] * 9)]
    frame_, columns, notes = skm_scores(header, rows, TZ)
    assert len(frame_) == 1 and ikm(frame_).konversi == 100
    assert set(columns) == {e.code for e in ELEMENTS} and not notes
