"""check_guest: all fields together, the summary line for the sheet, rule 13."""

from __future__ import annotations

import re
from datetime import date

from bukutamu.adapters.phone import PHONE_NUMBERS as PHONES
from bukutamu.core.ktp import check_guest, other_visit_findings

TODAY = date(2025, 6, 1)
NIK_SITI = "6171054507859992"  # synthetic


def test_all_fields_ok():
    c = check_guest(nik=NIK_SITI, name="Siti Aminah", sex="PEREMPUAN", birth_date="05/07/1985",
                    phone="0812-3456-7890", email="siti@example.id", today=TODAY, phones=PHONES)
    assert c.ok and c.findings == () and c.summary_line() == "OK"
    assert (c.name, c.sex, c.birth_date, c.phone, c.email) == (
        "Siti Aminah", "P", date(1985, 7, 5), "+6281234567890", "siti@example.id")
    assert c.nik_result.parsed.district.name == "Pontianak Kota"


def test_fields_not_asked_are_not_checked():
    c = check_guest(nik=NIK_SITI, today=TODAY, phones=PHONES)
    assert c.ok and c.findings == () and c.name is None


def test_blank_required_fields_are_errors_blank_optional_are_not():
    c = check_guest(nik=NIK_SITI, name="", sex=None, birth_date="", phone="", email=None, today=TODAY, phones=PHONES)
    assert {f.code for f in c.errors} == {"name_empty", "sex_empty", "birth_date_empty"}
    assert c.warnings == ()


def test_typed_fields_feed_the_nik_checks():
    c = check_guest(nik=NIK_SITI, name="Siti", sex="Laki-laki", birth_date=31234, today=TODAY, phones=PHONES)
    assert c.ok
    assert {f.code for f in c.warnings} == {"nik_sex_mismatch", "nik_birth_date_mismatch"}


def test_typed_date_decides_the_century():
    nik_2000 = "6112016902009993"  # synthetic
    assert check_guest(nik=nik_2000, birth_date="29/02/2000", today=TODAY, phones=PHONES).ok
    c = check_guest(nik="6171010101259991", birth_date="1925-01-01", today=TODAY, phones=PHONES)  # synthetic
    assert c.ok and c.nik_result.parsed.birth_date == date(1925, 1, 1)


def test_summary_line_errors_then_warnings():
    c = check_guest(nik="6171013104909991", name="Budi 2", sex="P", today=TODAY, phones=PHONES)  # synthetic
    line = c.summary_line()
    assert line.startswith("SALAH: ") and " | PERINGATAN: " in line
    assert "31 April 1990" in line and "Nama memuat angka" in line


def test_summary_line_warnings_only():
    line = check_guest(nik="6102030101909991", today=TODAY, phones=PHONES).summary_line()  # synthetic
    assert line.startswith("PERINGATAN: ") and "61.02.03" in line


def test_summary_line_short_and_without_nik():
    nik = "9113360101309991"  # synthetic: retired, unknown-successor text, under-17 with typed date
    c = check_guest(nik=nik, name="José 1 " + "X" * 70, sex="P", birth_date="01/01/2010",
                    phone="8.12346E+10", email="x@y", today=TODAY, phones=PHONES)
    line = c.summary_line()
    assert len(line) <= 200 and line.endswith("…")
    assert nik not in re.sub(r"[ .\-]", "", line)
    assert all(nik not in f.message for f in c.findings)


def test_coerced_nik_is_an_error():
    c = check_guest(nik=6171010101909991.0, name="Budi", today=TODAY, phones=PHONES)  # synthetic
    assert [f.code for f in c.errors] == ["nik_coerced"]
    assert c.summary_line().startswith("SALAH: NIK terbaca sebagai angka")


def test_plus_adds_findings():
    c = check_guest(nik=NIK_SITI, name="Siti", birth_date="05/07/1985", today=TODAY, phones=PHONES)
    more = other_visit_findings("Siti", date(1985, 7, 5), [("Rina", date(1985, 7, 5))])
    c2 = c.plus(*more)
    assert c2.ok and [f.code for f in c2.warnings] == ["nik_other_visit_differs"]
    assert c2.summary_line().startswith("PERINGATAN: NIK sama dengan kunjungan lain dengan nama berbeda")


def test_rule13_other_visit():
    born = date(1985, 7, 5)
    assert other_visit_findings("Siti Aminah", born, [("SITI  AMINAH", born), (None, None)]) == ()
    assert other_visit_findings("Siti", born, []) == ()
    both = other_visit_findings("Siti", born, [("Rina", born), ("Siti", date(1985, 7, 6))])
    assert len(both) == 1 and "nama dan tanggal lahir" in both[0].message
    only_date = other_visit_findings(None, born, [("Rina", date(1990, 1, 1))])
    assert "tanggal lahir berbeda" in only_date[0].message and "nama" not in only_date[0].message


def test_every_error_code_has_a_report_label():
    import pathlib
    import re

    from bukutamu.core.ktp import findings
    from bukutamu.core.ktp.findings import ERROR_LABELS
    codes = set()
    for path in pathlib.Path(findings.__file__).parent.glob("*.py"):
        codes |= set(re.findall(r'error\(\s*"([a-z_]+)"', path.read_text()))
    assert codes and codes == set(ERROR_LABELS)
