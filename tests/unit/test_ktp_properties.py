"""Property tests: any input is handled, generated valid NIKs pass with the right facts,
broken dates and regions never pass. Generated NIKs are synthetic (serial 9991-9999)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from hypothesis import given, settings, strategies as st

from bukutamu.adapters.phone import PHONE_NUMBERS as PHONES
from bukutamu.core.ktp import check_guest, mask_name, mask_nik, parse_nik
from bukutamu.core.ktp.regions import dotted, region_table

TODAY = date(2025, 6, 1)
FAST = settings(max_examples=300, deadline=None, derandomize=True)

DISTRICTS = sorted(region_table().codes(3))
PROVINCES = {c for c in region_table().codes(1)}
cell_values = st.one_of(
    st.none(), st.text(), st.integers(), st.floats(), st.booleans(), st.dates(),
    st.text(alphabet="0123456789 .-٠١٢٣٤٥٦٧٨٩０１２３４５６７８９eE+", max_size=24),
)
sexes = st.sampled_from(["L", "P"])
serials = st.integers(9991, 9999).map(str)  # synthetic


def make_nik(district: str, born: date, sex: str, serial: str) -> str:
    day = born.day + (40 if sex == "P" else 0)
    return f"{district}{day:02d}{born.month:02d}{born.year % 100:02d}{serial}"  # synthetic


@FAST
@given(value=cell_values, typed_date=st.one_of(st.none(), st.dates()), typed_sex=st.one_of(st.none(), st.text()))
def test_parse_never_raises(value, typed_date, typed_sex):
    result = parse_nik(value, typed_birth_date=typed_date, typed_sex=typed_sex, today=TODAY)
    assert (result.nik is None) == (result.parsed.serial is None)
    assert all(f.severity in ("error", "warning") and f.message for f in result.findings)


@FAST
@given(nik=cell_values, name=cell_values, sex=cell_values, born=cell_values, phone=cell_values, email=cell_values)
def test_check_guest_never_raises(nik, name, sex, born, phone, email):
    check = check_guest(nik=nik, name=name, sex=sex, birth_date=born, phone=phone, email=email, today=TODAY,
                        phones=PHONES)
    assert len(check.summary_line()) <= 200
    assert isinstance(mask_nik(nik), str) and isinstance(mask_name(name), str)


@FAST
@given(value=st.text(alphabet="0123456789", min_size=16, max_size=16))
def test_any_16_digits_parse_without_raising_and_nik_never_in_messages(value):
    result = parse_nik(value, today=TODAY)
    assert result.nik == value
    assert all(value not in f.message.replace(".", "") for f in result.findings)
    assert mask_nik(value) == value[:4] + "*" * 8 + value[-4:]


adult_dates = st.dates(TODAY.replace(year=TODAY.year - 100) + timedelta(days=1), TODAY.replace(year=TODAY.year - 17))


@FAST
@given(district=st.sampled_from(DISTRICTS), born=adult_dates, sex=sexes, serial=serials)
def test_generated_nik_accepted_without_typed_date(district, born, sex, serial):
    result = parse_nik(make_nik(district, born, sex, serial), today=TODAY)
    assert result.ok, result.errors
    facts = result.parsed
    assert (facts.birth_date, facts.sex, facts.serial) == (born, sex, serial)
    assert facts.province.code == district[:2]
    assert facts.regency.code == dotted(district[:4])
    assert facts.district.code == dotted(district)
    assert facts.district.name == region_table().get(district).name
    codes = {f.code for f in result.warnings}
    assert codes <= {"nik_region_retired"}
    assert ("nik_region_retired" in codes) == (not region_table().get(district).active)


@FAST
@given(district=st.sampled_from(DISTRICTS), born=st.dates(date(1900, 1, 1), TODAY), sex=sexes, serial=serials)
def test_generated_nik_accepted_with_typed_date_and_sex(district, born, sex, serial):
    result = parse_nik(make_nik(district, born, sex, serial), typed_birth_date=born, typed_sex=sex, today=TODAY)
    assert result.ok, result.errors
    assert (result.parsed.birth_date, result.parsed.sex) == (born, sex)
    assert not {"nik_birth_date_mismatch", "nik_sex_mismatch"} & {f.code for f in result.warnings}


def _broken_ddmm(draw, sex: str, year: int) -> str:
    kind = draw(st.sampled_from(["day", "month", "calendar"]))
    offset = 40 if sex == "P" else 0
    if kind == "day":
        day = draw(st.sampled_from([0, *range(32, 41), *range(72, 100)]))
        return f"{day:02d}{draw(st.integers(1, 12)):02d}"
    if kind == "month":
        month = draw(st.sampled_from([0, *range(13, 100)]))
        return f"{draw(st.integers(1, 28)) + offset:02d}{month:02d}"
    month = draw(st.sampled_from([2, 4, 6, 9, 11]))  # months shorter than 31 days
    day = draw(st.integers(calendar.monthrange(year, month)[1] + 1, 31))
    return f"{day + offset:02d}{month:02d}"


@FAST
@given(data=st.data(), district=st.sampled_from(DISTRICTS), sex=sexes, serial=serials,
       year=st.integers(1901, TODAY.year - 1))
def test_broken_date_never_accepted(data, district, sex, serial, year):
    ddmm = _broken_ddmm(data.draw, sex, year)
    nik = f"{district}{ddmm}{year % 100:02d}{serial}"  # synthetic
    typed = date(year, 6, 15)  # fixes the century, so "29 Feb" of a non-leap year is checked in that year
    result = parse_nik(nik, typed_birth_date=typed, today=TODAY)
    assert not result.ok
    assert {f.code for f in result.errors} <= {"nik_day_range", "nik_month_range", "nik_date_invalid"}
    assert result.parsed.birth_date is None


@FAST
@given(data=st.data(), district=st.sampled_from(DISTRICTS), born=adult_dates, sex=sexes, serial=serials)
def test_broken_region_never_accepted(data, district, born, sex, serial):
    how = data.draw(st.sampled_from(["province", "regency_00", "district_00"]))
    if how == "province":
        province = data.draw(st.integers(0, 99).map(lambda n: f"{n:02d}").filter(lambda p: p not in PROVINCES))
        district = province + district[2:]
    elif how == "regency_00":
        district = district[:2] + "00" + district[4:]
    else:
        district = district[:4] + "00"
    result = parse_nik(make_nik(district, born, sex, serial), today=TODAY)
    assert not result.ok
    assert {f.code for f in result.errors} <= {"nik_province_unknown", "nik_regency_zero", "nik_district_zero"}
