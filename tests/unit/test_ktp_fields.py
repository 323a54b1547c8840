"""The KTP fields other than the NIK: name (rule 14), sex, date of birth, phone, email."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bukutamu.adapters.phone import PHONE_NUMBERS as PHONES
from bukutamu.core.ktp.fields import (
    name_key,
    parse_birth_date,
    parse_email,
    parse_name,
    parse_phone,
    parse_sex,
)

TODAY = date(2025, 6, 1)


def codes(result) -> list[str]:
    return [f.code for f in result.findings]


# --- name (rule 14) ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["Budi Santoso", "SITI AMINAH", "Ni Luh Putu Ayu", "Ma'ruf Amin", "Ma\u2019ruf",
                                  "Dr. H. Budi, S.Kom", "Abdul-Rahman", "A" * 60])
def test_name_accepted(name):
    r = parse_name(name)
    assert r.findings == () and r.value == name


@pytest.mark.parametrize("name", ["Budi 2", "Budi Santoso1", "R2D2", "Budi ٣"])
def test_name_digits_are_an_error(name):
    r = parse_name(name)
    assert "name_digits" in codes(r) and r.findings[0].severity == "error"


@pytest.mark.parametrize("name, shown", [("Budi@Santoso", "@"), ("José", "é"), ("Budi (Ucok)", "( )"),
                                         ("Budi\nSantoso", "U+000A"), ("محمد", "")])
def test_name_other_characters_warning(name, shown):
    r = parse_name(name)
    assert codes(r) == ["name_characters"] and r.findings[0].severity == "warning"
    assert shown in r.findings[0].message and "Nama" in r.findings[0].message


def test_name_too_long_warning():
    r = parse_name("A" * 61)
    assert codes(r) == ["name_too_long"] and r.findings[0].severity == "warning"


@pytest.mark.parametrize("value", [None, "", "   "])
def test_name_empty_error(value):
    r = parse_name(value)
    assert codes(r) == ["name_empty"] and r.value is None


def test_name_not_rewritten_and_key_for_comparison():
    r = parse_name("  budi   santoso ")
    assert r.value == "budi   santoso"
    assert name_key(r.value) == name_key("BUDI SANTOSO") == "BUDI SANTOSO"
    assert name_key("Ma\u2019ruf") == name_key("MA'RUF")


# --- sex ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, code", [
    ("LAKI-LAKI", "L"), ("Laki-laki", "L"), ("laki laki", "L"), ("L", "L"), ("l", "L"), ("Pria", "L"),
    ("PEREMPUAN", "P"), ("Perempuan ", "P"), ("P", "P"), ("Wanita", "P"), ("WANITA", "P"),
])
def test_sex_accepted(value, code):
    r = parse_sex(value)
    assert r.value == code and r.findings == ()


def test_sex_empty_and_invalid():
    assert codes(parse_sex("")) == ["sex_empty"]
    assert codes(parse_sex(None)) == ["sex_empty"]
    assert codes(parse_sex("X")) == ["sex_invalid"]
    assert codes(parse_sex(1)) == ["sex_invalid"]


# --- date of birth -----------------------------------------------------------------------------

@pytest.mark.parametrize("value", [
    32874, 32874.0, 32874.75, "32874",  # serial: days since 1899-12-30
    "01/01/1990", "1/1/1990", "01-01-1990", "01.01.1990", "1990-01-01", "1990-1-1",
    "1990-01-01 00:00:00", "01/01/1990 0:00:00", date(1990, 1, 1), datetime(1990, 1, 1, 8, 30),
])
def test_birth_date_formats(value):
    r = parse_birth_date(value, today=TODAY)
    assert r.value == date(1990, 1, 1) and r.findings == ()


def test_birth_date_is_day_first():
    assert parse_birth_date("05/07/1985", today=TODAY).value == date(1985, 7, 5)


def test_birth_date_serial_29_feb_2000():
    assert parse_birth_date(36585, today=TODAY).value == date(2000, 2, 29)


@pytest.mark.parametrize("value, code", [
    (None, "birth_date_empty"), ("", "birth_date_empty"),
    ("31/04/1990", "birth_date_invalid"), ("29/02/2001", "birth_date_invalid"), ("1990-02-30", "birth_date_invalid"),
    ("13/13/1990", "birth_date_format"), ("01/01/90", "birth_date_format"), ("1 Januari 1990", "birth_date_format"),
    ("١٩٩٠-٠١-٠١", "birth_date_format"), (0, "birth_date_format"), (-5, "birth_date_format"),
    (float("nan"), "birth_date_format"), (True, "birth_date_format"), ("1990", "birth_date_format"),
    ("02/06/2025", "birth_date_future"), (45810, "birth_date_future"),
])
def test_birth_date_errors(value, code):
    r = parse_birth_date(value, today=TODAY)
    assert codes(r) == [code] and r.value is None and r.findings[0].severity == "error"


def test_birth_date_implausibly_old_warning():
    r = parse_birth_date("01/01/1900", today=TODAY)
    assert r.value == date(1900, 1, 1) and codes(r) == ["birth_date_implausible"]


# --- phone ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [
    "081234567890", "0812-3456-7890", "0812 3456 7890", "(0812) 3456 7890", "+6281234567890",
    "+62 812 3456 7890", "6281234567890", 6281234567890, "+62 0812 3456 7890",
])
def test_phone_indonesian_mobile_to_e164(value):
    r = parse_phone(value, PHONES)
    assert r.value == "+6281234567890" and r.findings == ()


@pytest.mark.parametrize("value", [81234567890, 81234567890.0, "81234567890"])
def test_phone_leading_zero_lost_is_understood_with_warning(value):
    r = parse_phone(value, PHONES)
    assert r.value == "+6281234567890"
    assert codes(r) == ["phone_leading_zero_lost"] and r.findings[0].severity == "warning"
    assert "Teks biasa" in r.findings[0].message


def test_phone_scientific_notation_lost_digits():
    r = parse_phone("8.12346E+10", PHONES)
    assert r.value is None and codes(r) == ["phone_coerced"] and r.findings[0].severity == "error"


@pytest.mark.parametrize("value", ["081", "0812ABC4567", "12345", "+62 0000", "halo", 8123.5])
def test_phone_invalid(value):
    r = parse_phone(value, PHONES)
    assert r.value is None and codes(r) == ["phone_invalid"]


def test_phone_landline_and_foreign_warn():
    assert codes(parse_phone("0561-734567", PHONES)) == ["phone_not_mobile"]
    foreign = parse_phone("+60 12-345 6789", PHONES)
    assert foreign.value == "+60123456789" and codes(foreign) == ["phone_foreign"]


@pytest.mark.parametrize("value", [None, "", "  "])
def test_phone_optional(value):
    assert parse_phone(value, PHONES).value is None and parse_phone(value, PHONES).findings == ()


# --- email ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["budi@example.id", "budi.santoso+tamu@mail.kalbarprov.go.id", "a_b@x.co"])
def test_email_accepted(value):
    assert parse_email(value).value == value and parse_email(value).findings == ()


@pytest.mark.parametrize("value", ["budi", "budi@", "@x.id", "budi@x", "bu di@x.id", "budi..s@x.id", ".b@x.id",
                                   "b.@x.id", "budi@x..id", "budi@-x.id", "a@b@c.id", "budi@x.i"])
def test_email_invalid_is_warning_and_dropped(value):
    r = parse_email(value)
    assert r.value is None and codes(r) == ["email_invalid"] and r.findings[0].severity == "warning"


def test_email_optional():
    assert parse_email(None).findings == () and parse_email("").findings == ()
