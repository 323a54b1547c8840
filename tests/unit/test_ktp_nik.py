"""NIK rules 1-12 (as numbered in core/ktp/nik.py). Every NIK here is synthetic (serial 9991-9999)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bukutamu.core.ktp.nik import parse

TODAY = date(2025, 6, 1)


def nik(prefix: str = "617101", ddmmyy: str = "010190", serial: str = "9991") -> str:
    """Assemble a synthetic NIK (serial 9991-9999 unless a rule needs another)."""
    return prefix + ddmmyy + serial


def codes(result) -> set[str]:
    return {f.code for f in result.findings}


def error_codes(result) -> set[str]:
    return {f.code for f in result.errors}


# --- public NIK examples ------------------------------------------------------

def test_vector_pontianak_selatan_male_1990():
    r = parse("6171010101909991", today=TODAY)  # synthetic
    assert r.ok and r.findings == ()
    assert r.nik == "6171010101909991"  # synthetic
    p = r.parsed
    assert (p.province.code, p.province.name) == ("61", "Kalimantan Barat")
    assert (p.regency.code, p.regency.name) == ("61.71", "Kota Pontianak")
    assert (p.district.code, p.district.name) == ("61.71.01", "Pontianak Selatan")
    assert p.birth_date == date(1990, 1, 1) and p.sex == "L" and p.serial == "9991"


def test_vector_pontianak_kota_female_1985():
    r = parse("6171054507859992", today=TODAY)  # synthetic
    assert r.ok and r.findings == ()
    assert r.parsed.district.name == "Pontianak Kota"
    assert r.parsed.birth_date == date(1985, 7, 5) and r.parsed.sex == "P"


def test_vector_kubu_raya_female_29_feb_2000():
    r = parse("6112016902009993", today=TODAY)  # synthetic
    assert r.ok and r.findings == ()
    assert r.parsed.regency.name == "Kabupaten Kubu Raya"
    assert r.parsed.district.name == "Sungai Raya"
    assert r.parsed.birth_date == date(2000, 2, 29) and r.parsed.sex == "P"


@pytest.mark.parametrize("value, code", [
    ("6171016902019991", "nik_date_invalid"),  # synthetic: 2001-02-29
    ("6171013104909991", "nik_date_invalid"),  # synthetic: 31 April
    ("6171017201909991", "nik_day_range"),  # synthetic: day 72
    (nik(serial="0000"), "nik_serial_zero"),  # synthetic
    ("٦١٧١٠١٠١٠١٩٠٩٩٩١", "nik_non_ascii_digits"),  # synthetic, Arabic-Indic
])
def test_invalid_vectors(value, code):
    r = parse(value, today=TODAY)
    assert not r.ok
    assert code in error_codes(r)


# --- rule 1: 16 ASCII digits after removing spaces, dots, hyphens --------------------------

@pytest.mark.parametrize("value", [
    "6171 0101 0190 9991",  # synthetic
    "6171.0101.0190.9991",  # synthetic
    "61-71-01-010190-9991",  # synthetic
    " 6171010101909991\n",  # synthetic
])
def test_separators_removed(value):
    r = parse(value, today=TODAY)
    assert r.ok and r.nik == "6171010101909991"  # synthetic


@pytest.mark.parametrize("value, code", [
    (None, "nik_empty"),
    ("", "nik_empty"),
    ("   ", "nik_empty"),
    ("617101010190999", "nik_length"),  # synthetic, 15 digits
    ("61710101019099911", "nik_length"),  # synthetic, 17 digits
    ("617101010190999A", "nik_characters"),
    ("6171010101909991/", "nik_characters"),  # synthetic
    ("6171\u00a00101\u00a00190\u00a09991", "nik_characters"),  # synthetic, no-break spaces
    ("6171\t010101909991", "nik_characters"),  # synthetic, tab inside
    ("617101010190999\u00b9", "nik_characters"),  # superscript one: isdigit() but not a decimal digit
    ("NIK 6171010101909991", "nik_characters"),  # synthetic
    ("٦١٧١٠١٠١٠١٩٠٩٩٩١", "nik_non_ascii_digits"),  # synthetic, Arabic-Indic
    ("۶۱۷۱۰۱۰۱۰۱۹۰۹۹۹۱", "nik_non_ascii_digits"),  # synthetic, Extended Arabic-Indic (Persian)
    ("６１７１０１０１０１９０９９９１", "nik_non_ascii_digits"),  # synthetic, full-width
    ("६१७१०१०१०१९०९९९१", "nik_non_ascii_digits"),  # synthetic, Devanagari
    ("617101010190999١", "nik_non_ascii_digits"),  # synthetic, one Arabic-Indic digit
    (True, "nik_characters"),
])
def test_rule1_not_16_ascii_digits(value, code):
    r = parse(value, today=TODAY)
    assert [f.code for f in r.findings] == [code]
    assert r.nik is None and r.parsed.birth_date is None


def test_rule1_isdigit_trap_is_avoided():
    arabic = "٦١٧١٠١٠١٠١٩٠٩٩٩١"  # synthetic
    assert arabic.isdigit() and int(arabic) == 6171010101909991  # synthetic: what a naive check accepts
    assert not parse(arabic, today=TODAY).ok


# --- rule 8: coerced by the sheet ------------------------------------------------------------

@pytest.mark.parametrize("value", [
    6171010101909991,  # synthetic, int (UNFORMATTED_VALUE number)
    6171010101909991.0,  # synthetic, float
    6.10401e15,
    "6.10401E+15",
    "6,10401E+15",  # Indonesian decimal comma
    "6.171010101909991e+15",  # synthetic, repr of a float
    "6171010101909991.0",  # synthetic, str of a float
])
def test_rule8_coerced_number(value):
    r = parse(value, today=TODAY)
    assert [f.code for f in r.findings] == ["nik_coerced"]
    assert r.nik is None
    message = r.findings[0].message
    assert "Teks biasa" in message and "NIK" in message


# --- rules 2, 3: province, 00 parts ---------------------------------------------------------

@pytest.mark.parametrize("province", ["00", "10", "20", "22", "30", "41", "50", "60", "90", "97", "99"])
def test_rule2_unknown_province(province):
    r = parse(nik(province + "7101"), today=TODAY)
    assert "nik_province_unknown" in error_codes(r)
    assert r.parsed.province is None


def test_rule3_regency_00():
    r = parse(nik("610001"), today=TODAY)
    assert error_codes(r) == {"nik_regency_zero"}
    assert r.parsed.province.code == "61" and r.parsed.regency is None


def test_rule3_district_00():
    r = parse(nik("617100"), today=TODAY)
    assert error_codes(r) == {"nik_district_zero"}
    assert r.parsed.regency.code == "61.71" and r.parsed.district is None


def test_rule3_both_00():
    assert error_codes(parse(nik("610000"), today=TODAY)) == {"nik_regency_zero", "nik_district_zero"}


# --- rule 4: day and month ranges; women +40 ---------------------------------------------------

@pytest.mark.parametrize("day", ["00", "32", "39", "40", "72", "80", "99"])
def test_rule4_day_out_of_range(day):
    r = parse(nik(ddmmyy=day + "0190"), today=TODAY)
    assert error_codes(r) == {"nik_day_range"}
    assert r.parsed.sex is None and r.parsed.birth_date is None


@pytest.mark.parametrize("month", ["00", "13", "20", "99"])
def test_rule4_month_out_of_range(month):
    r = parse(nik(ddmmyy="01" + month + "90"), today=TODAY)
    assert error_codes(r) == {"nik_month_range"}
    assert r.parsed.birth_date is None


@pytest.mark.parametrize("ddmmyy, sex, born", [
    ("010190", "L", date(1990, 1, 1)),
    ("310190", "L", date(1990, 1, 31)),
    ("410190", "P", date(1990, 1, 1)),
    ("710190", "P", date(1990, 1, 31)),
    ("551290", "P", date(1990, 12, 15)),
])
def test_rule4_women_plus_40(ddmmyy, sex, born):
    r = parse(nik(ddmmyy=ddmmyy), today=TODAY)
    assert r.ok and r.parsed.sex == sex and r.parsed.birth_date == born


# --- rule 5: calendar and century ------------------------------------------------------------

@pytest.mark.parametrize("ddmmyy", ["310490", "300290", "310690", "310990", "311190", "710490", "700290"])
def test_rule5_not_a_calendar_date(ddmmyy):
    r = parse(nik(ddmmyy=ddmmyy), today=TODAY)
    assert error_codes(r) == {"nik_date_invalid"}
    assert r.parsed.birth_date is None and r.parsed.sex in ("L", "P")


def test_rule5_29_feb_00_is_2000_without_typed_date():
    for ddmmyy, sex in (("290200", "L"), ("690200", "P")):
        r = parse(nik(ddmmyy=ddmmyy), today=TODAY)
        assert r.ok and r.parsed.birth_date == date(2000, 2, 29) and r.parsed.sex == sex


def test_rule5_29_feb_00_invalid_when_typed_date_says_1900s():
    r = parse(nik(ddmmyy="290200"), typed_birth_date=date(1900, 3, 1), today=TODAY)
    assert error_codes(r) == {"nik_date_invalid"}
    assert "1900" in r.errors[0].message


def test_rule5_29_feb_non_leap_years():
    for yy in ("01", "90", "99"):
        assert "nik_date_invalid" in error_codes(parse(nik(ddmmyy="2902" + yy), today=TODAY))
    assert parse(nik(ddmmyy="290296"), today=TODAY).parsed.birth_date == date(1996, 2, 29)


@pytest.mark.parametrize("ddmmyy, born", [
    ("010190", date(1990, 1, 1)),
    ("010100", date(2000, 1, 1)),
    ("010112", date(2012, 1, 1)),  # 13 on TODAY: latest century keeping >= 13
    ("010612", date(2012, 6, 1)),  # exactly 13 on TODAY
    ("020612", date(1912, 6, 2)),  # one day short of 13 in 2012 -> 1912
    ("010113", date(1913, 1, 1)),  # 2013 would be 12 -> 1913
    ("010125", date(1925, 1, 1)),
    ("311299", date(1999, 12, 31)),
])
def test_rule5_century_without_typed_date(ddmmyy, born):
    assert parse(nik(ddmmyy=ddmmyy), today=TODAY).parsed.birth_date == born


@pytest.mark.parametrize("typed, ddmmyy, born", [
    (date(1913, 1, 1), "010113", date(1913, 1, 1)),
    (date(2013, 1, 1), "010113", date(2013, 1, 1)),  # the typed date decides, even for a child
    (date(1925, 3, 4), "040325", date(1925, 3, 4)),
    (date(1999, 12, 31), "010100", date(2000, 1, 1)),  # nearest year, not the typed century
    (date(2000, 1, 1), "311299", date(1999, 12, 31)),
])
def test_rule5_century_from_typed_date(typed, ddmmyy, born):
    assert parse(nik(ddmmyy=ddmmyy), typed_birth_date=typed, today=TODAY).parsed.birth_date == born


def test_rule5_century_follows_today():
    r = parse(nik(ddmmyy="010130"), today=date(2045, 1, 1))  # 2030: 15 in 2045
    assert r.parsed.birth_date == date(2030, 1, 1)
    r = parse(nik(ddmmyy="010130"), today=date(2035, 1, 1))  # 2030 would be 5
    assert r.parsed.birth_date == date(1930, 1, 1)


# --- rule 6: serial ------------------------------------------------------------------------------

def test_rule6_serial_0000():
    r = parse(nik(serial="0000"), today=TODAY)
    assert error_codes(r) == {"nik_serial_zero"}
    assert r.parsed.serial == "0000"


def test_rule6_serial_0001_is_fine():
    assert parse(nik(serial="0001"), today=TODAY).ok


# --- rule 7: birth date in the future ------------------------------------------------------------

def test_rule7_future_birth_date():
    r = parse(nik(ddmmyy="011225"), typed_birth_date=date(2025, 12, 1), today=TODAY)
    assert error_codes(r) == {"nik_birth_date_future"}
    assert r.parsed.birth_date is None


def test_rule7_born_today_is_not_future():
    r = parse(nik(ddmmyy="010625"), typed_birth_date=TODAY, today=TODAY)
    assert "nik_birth_date_future" not in codes(r) and r.parsed.birth_date == TODAY


# --- rules 9, 10: unknown and retired region codes are warnings ----------------------------

def test_rule9_unknown_district_under_known_regency():
    r = parse(nik("610203"), today=TODAY)  # Mempawah gap: went to Kubu Raya in 2007
    assert r.ok and codes(r) == {"nik_district_unknown"}
    assert "61.02.03" in r.warnings[0].message and "Kabupaten Mempawah" in r.warnings[0].message
    assert "periksa fisik KTP" in r.warnings[0].message
    assert r.parsed.regency.code == "61.02" and r.parsed.district is None


def test_rule9_unknown_regency_under_known_province():
    for regency in ("30", "69", "70", "99"):
        r = parse(nik("61" + regency + "01"), today=TODAY)
        assert r.ok and codes(r) == {"nik_regency_unknown"}, regency
        assert "Kalimantan Barat" in r.warnings[0].message
        assert r.parsed.province.code == "61" and r.parsed.regency is None


@pytest.mark.parametrize("prefix", ["930101", "940101", "950101", "950351", "960101"])
def test_papua_2022_provinces_valid(prefix):
    r = parse(nik(prefix), today=TODAY)
    assert r.ok and r.findings == ()


def test_papua_province_91_still_active():
    r = parse(nik("910301"), today=TODAY)  # Sentani, Kabupaten Jayapura: stayed in Papua
    assert r.findings == () and r.parsed.district.name == "Sentani"


@pytest.mark.parametrize("prefix, old, successor", [
    ("910101", "91.01.01 Merauke", "93.01.01 Merauke, Kabupaten Merauke, Papua Selatan"),
    ("910203", "91.02.03", "95.01.02"),  # Kurulu: numbers not preserved, not 95.01.03
    ("910268", "91.02.68", "95.01.40"),  # kecamatan numbers reach 68
    ("910121", "91.01.21 Padua", "93.01.21"),  # only in the 2021 edition
    ("920101", "92.01.01 Makbon", "96.01.01 Makbon, Kabupaten Sorong, Papua Barat Daya"),
])
def test_rule10_retired_papua_code_names_successor(prefix, old, successor):
    r = parse(nik(prefix), today=TODAY)
    assert r.ok and codes(r) == {"nik_region_retired"}
    message = r.warnings[0].message
    assert old in message and successor in message and "kode lama" in message
    assert r.parsed.district.code == ".".join((prefix[:2], prefix[2:4], prefix[4:]))
    assert r.parsed.province.name == {"91": "Papua", "92": "Papua Barat"}[prefix[:2]]


def test_rule10_retired_names_old_edition():
    message = parse(nik("920101"), today=TODAY).warnings[0].message
    assert "s.d. edisi 2022" in message
    assert "95.01.03" not in parse(nik("910203"), today=TODAY).warnings[0].message


def test_rule10_unmatched_district_names_regency_successor():
    r = parse(nik("911336"), today=TODAY)  # Holuon: not matched by name
    assert r.ok and codes(r) == {"nik_region_retired"}
    assert "tidak terpadan" in r.warnings[0].message and "95.03 Kabupaten Yahukimo" in r.warnings[0].message


def test_rule10_retired_regency_with_unknown_district():
    r = parse(nik("910199"), today=TODAY)
    assert r.ok and codes(r) == {"nik_district_unknown", "nik_region_retired"}
    retired = next(f for f in r.warnings if f.code == "nik_region_retired")
    assert "91.01 KAB. MERAUKE" in retired.message and "93.01 Kabupaten Merauke" in retired.message


# --- rule 11: typed date of birth and sex compared -----------------------------------------------

def test_rule11_birth_date_mismatch_is_warning():
    r = parse(nik(), typed_birth_date=date(1990, 1, 2), today=TODAY)
    assert r.ok and codes(r) == {"nik_birth_date_mismatch"}
    assert "1 Januari 1990" in r.warnings[0].message and "2 Januari 1990" in r.warnings[0].message


def test_rule11_sex_mismatch_is_warning():
    r = parse(nik(ddmmyy="410190"), typed_sex="L", today=TODAY)
    assert r.ok and codes(r) == {"nik_sex_mismatch"}


@pytest.mark.parametrize("typed", ["L", "LAKI-LAKI", "Laki-laki", "pria"])
def test_rule11_matching_sex_any_spelling(typed):
    assert parse(nik(), typed_sex=typed, today=TODAY).findings == ()


def test_rule11_matching_typed_values_no_warning():
    r = parse(nik(ddmmyy="450785"), typed_birth_date=date(1985, 7, 5), typed_sex="P", today=TODAY)
    assert r.findings == ()


# --- rule 12: under 17, maybe a KK number --------------------------------------------------------

def test_rule12_under_17():
    r = parse(nik(ddmmyy="010110"), typed_birth_date=date(2010, 1, 1), today=TODAY)
    assert r.ok and {"nik_under_17", "nik_maybe_kk"} <= codes(r)
    assert "15 tahun" in next(f for f in r.warnings if f.code == "nik_under_17").message


def test_rule12_seventeen_today_is_adult():
    r = parse(nik(ddmmyy="010608"), typed_birth_date=date(2008, 6, 1), today=TODAY)
    assert r.findings == ()


def test_rule12_under_17_without_typed_date():
    r = parse(nik(ddmmyy="010110"), today=TODAY)  # 2010: 15, >= 13 so the century stays
    assert {"nik_under_17", "nik_maybe_kk"} <= codes(r)


def test_rule12_kk_woman_with_day_under_32():
    r = parse(nik(ddmmyy="150320"), typed_sex="P", typed_birth_date=date(1988, 7, 9), today=TODAY)
    assert r.ok
    assert {"nik_sex_mismatch", "nik_birth_date_mismatch", "nik_under_17", "nik_maybe_kk"} <= codes(r)
    assert r.parsed.birth_date == date(2020, 3, 15)  # the nearer century to 1988: a KK issue date


def test_rule12_man_typed_as_man_not_kk():
    assert "nik_maybe_kk" not in codes(parse(nik(), typed_sex="L", today=TODAY))


# --- privacy -----------------------------------------------------------------------------------

SAMPLES = [
    "6171010101909991", "6171016902019991", "6171017201909991", "9101010101909991",  # synthetic
    "6102030101909991", "6130010101909991", "9113360101909991", "6171010101109991",  # synthetic
]


@pytest.mark.parametrize("value", SAMPLES)
def test_messages_never_hold_the_nik(value):
    r = parse(value, typed_birth_date=date(1980, 5, 5), typed_sex="P", today=TODAY)
    for f in r.findings:
        assert value not in re.sub(r"[ .\-]", "", f.message)
        assert f.field == "nik" and f.message.startswith("NIK")
