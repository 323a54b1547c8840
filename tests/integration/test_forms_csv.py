"""The Forms CSV reader on the defects of issue 9 (the CLI runs are in tests/corpus)."""

import csv
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bukutamu.adapters.forms_csv import parse_form_timestamp, read_forms_csv
from bukutamu.errors import BukutamuError

WIB = ZoneInfo("Asia/Pontianak")
REGISTER = ["Stempel waktu", "NIK", "Nama Lengkap", "Keperluan"]
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=WIB)


def write(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def read(path, **kw):
    return read_forms_csv(path, REGISTER, WIB, now=NOW, **kw)


@pytest.mark.parametrize("stamp", ["2026/11/27 8:30:15 AM GMT+99", "31/12/9999 23:59:59 GMT-12",
                                   "31/12/9999 23:59:59 GMT+14:60", "27/11/2026 13:00:00 PM"])
def test_impossible_timestamps_are_none_not_a_crash(stamp):
    assert parse_form_timestamp(stamp, WIB) is None


def test_offsets_within_14_hours_are_read():
    assert parse_form_timestamp("2026/11/27 1:30:00 AM GMT+0", WIB) == datetime(2026, 11, 27, 8, 30, tzinfo=WIB)
    assert parse_form_timestamp("27/11/2026 08:30:00 GMT+14", WIB) is not None


def test_a_field_over_the_csv_module_limit_is_one_flagged_row(tmp_path):
    path = write(tmp_path / "a.csv", ["Timestamp", "NIK", "Nama Lengkap", "Keperluan"], [
        ["27/11/2026 08:00:00", "6171010101909991", "Budi Santoso", "x" * 131_073],  # synthetic
        ["27/11/2026 08:01:00", "6171054507859992", "Dewi Lestari", "Dokumen"],  # synthetic
    ])
    got = read(path)
    assert len(got.rows) == 1 and got.rows[0][2] == "Dewi Lestari"
    assert len(got.skipped) == 1 and got.skipped[0].startswith("baris 2:") and "131.073" in got.skipped[0]


def test_year_9999_and_gmt_99_rows_are_flagged_and_the_others_imported(tmp_path):
    path = write(tmp_path / "a.csv", ["Timestamp", "NIK", "Nama Lengkap"], [
        ["2026/11/27 8:30:15 AM GMT+99", "6171010101909991", "Budi Santoso"],  # synthetic
        ["31/12/9999 23:59:59 GMT-12", "6171054507859992", "Dewi Lestari"],  # synthetic
        ["27/11/2026 08:01:00", "6112016902009993", "Sari Dewi"],  # synthetic
    ])
    got = read(path)
    assert [r[2] for r in got.rows] == ["Sari Dewi"]
    assert [s.split(":")[0] for s in got.skipped] == ["baris 2", "baris 3"]


def test_unterminated_quote_refuses_the_file_naming_the_line(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text('Timestamp,NIK,Nama Lengkap\n27/11/2026 08:00:00,6171010101909991,"Budi\n'  # synthetic
                    '27/11/2026 08:01:00,6171054507859992,Dewi\n', encoding="utf-8")  # synthetic
    with pytest.raises(BukutamuError) as e:
        read(path)
    assert "baris 2" in str(e.value) and "tanda kutip" in str(e.value) and "6171" not in str(e.value)


def test_quote_closed_on_a_later_line_flags_the_merged_lines(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text('Timestamp,NIK,Nama Lengkap,Keperluan\n'
                    '27/11/2026 08:00:00,6171010101909991,"Budi,x\n'  # synthetic
                    '27/11/2026 08:01:00,6171054507859992,Dewi",y\n'  # synthetic
                    '27/11/2026 08:02:00,6112016902009993,Sari Dewi,z\n', encoding="utf-8")  # synthetic
    got = read(path)
    assert [r[2] for r in got.rows] == ["Sari Dewi"]
    assert got.skipped[0].startswith("baris 2–3: tanda kutip") and "6171054507859992" not in got.skipped[0]


@pytest.mark.parametrize("extra", ["Nama Lengkap", "Nama", "nama  lengkap"])
def test_duplicated_header_is_refused_by_name(tmp_path, extra):
    path = write(tmp_path / "a.csv", ["Timestamp", "NIK", "Nama Lengkap", extra],
                 [["27/11/2026 08:00:00", "6171010101909991", "Budi Santoso", "Orang Lain"]])  # synthetic
    with pytest.raises(BukutamuError) as e:
        read(path)
    assert '"Nama Lengkap" muncul 2 kali' in str(e.value)


def test_month_first_dates_give_one_message_with_the_option(tmp_path):
    path = write(tmp_path / "a.csv", ["Timestamp", "NIK", "Nama Lengkap"], [
        ["27/11/2026 08:00:00", "6171010101909991", "Budi Santoso"],  # synthetic
        ["11/27/2026 08:01:00", "6171054507859992", "Dewi Lestari"],  # synthetic
        ["11/28/2026 08:02:00", "6112016902009993", "Sari Dewi"],  # synthetic
    ])
    got = read(path)
    assert len(got.rows) == 1 and len(got.skipped) == 1
    assert "2 baris" in got.skipped[0] and "--bulan-dulu" in got.skipped[0]


def test_a_month_first_file_is_refused_whole_rather_than_misdated(tmp_path):
    path = write(tmp_path / "a.csv", ["Timestamp", "NIK", "Nama Lengkap"], [
        ["11/05/2026 08:00:00", "6171010101909991", "Budi Santoso"],  # 5 Nov or 11 May; synthetic
        ["11/27/2026 08:01:00", "6171054507859992", "Dewi Lestari"],  # synthetic
    ])
    with pytest.raises(BukutamuError) as e:
        read(path)
    assert "--bulan-dulu" in str(e.value)
    got = read(path, day_first=False)
    assert len(got.rows) == 2 and not got.skipped


def test_a_purpose_mentioning_a_date_on_its_second_line_is_not_a_merged_row(tmp_path):
    path = write(tmp_path / "a.csv", ["Timestamp", "NIK", "Nama Lengkap", "Keperluan"], [
        ["27/11/2026 08:00:00", "6171010101909991", "Budi Santoso",  # synthetic
         "Rapat lanjutan\n28/11/2026 09:00 di ruang A, lantai 2"],
    ])
    got = read(path)
    assert len(got.rows) == 1 and not got.skipped
