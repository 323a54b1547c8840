"""The per-poller memo of KTP checks and NIK hashes is bounded and keeps no NIK."""

from datetime import date

from bukutamu.core.ktp import NOT_ASKED, nik_hash
from bukutamu.core.memo import KtpMemo

KEY = b"kunci-uji-yang-cukup-panjang-0123456789"
TODAY = date(2026, 11, 25)


def synthetic(i: int) -> str:
    return f"6171010101{90 + i % 10:02d}999{1 + i % 9}"  # synthetic serials 9991-9999


def test_digests_are_bounded_and_hold_no_nik():
    memo = KtpMemo(checks=4, digests=8)
    for i in range(100):
        assert memo.digest(f"20261125-A{i:03d}", synthetic(i), KEY) == nik_hash(synthetic(i), KEY)
    assert len(memo.digests.data) == 8
    held = repr(list(memo.digests.data.items()))
    assert not any(synthetic(i) in held for i in range(100))


def test_a_corrected_nik_is_hashed_again():
    memo = KtpMemo()
    first = memo.digest("20261125-A001", synthetic(1), KEY)
    assert memo.digest("20261125-A001", synthetic(2), KEY) == nik_hash(synthetic(2), KEY) != first


def test_checks_are_bounded_and_answer_the_same():
    memo = KtpMemo(checks=3)
    values = ("Budi Santosa", NOT_ASKED, NOT_ASKED, NOT_ASKED, "")
    first = memo.check(synthetic(1), values, TODAY)
    for i in range(10):
        memo.check(synthetic(i), values, TODAY)
    assert len(memo.checks.data) == 3
    assert memo.check(synthetic(1), values, TODAY) == first
    memo.clear()
    assert not memo.checks.data and not memo.digests.data
