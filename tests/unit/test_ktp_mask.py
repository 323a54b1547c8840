"""mask_nik, mask_name, nik_hash: NIKs and names shown or compared without exposing them."""

from __future__ import annotations

import pytest

from bukutamu.core.ktp import mask_name, mask_nik, nik_hash

NIK = "6171010101909991"  # synthetic


@pytest.mark.parametrize("value, masked", [
    (NIK, "6171********9991"),
    ("6171 0101 0190 9991", "6171********9991"),  # synthetic
    (6171010101909991, "6171********9991"),  # synthetic
    (6171010101909991.0, "6171********9991"),  # synthetic
    ("123", "***"),
    ("61710101", "********"),
    ("", ""),
    (None, ""),
    (float("nan"), ""),
    (True, ""),
])
def test_mask_nik(value, masked):
    assert mask_nik(value) == masked


def test_mask_nik_long_input_capped():
    masked = mask_nik("1" * 1000)
    assert len(masked) <= 32 and masked.startswith("1111") and "*" in masked


@pytest.mark.parametrize("value, masked", [
    ("Budi Santoso", "BUDI S."),
    ("  siti   nur  aminah ", "SITI N. A."),
    ("Budi", "BUDI"),
    ("Ma'ruf Amin", "MA'RUF A."),
    ("Budi - Santoso", "BUDI S."),
    ("", ""),
    (None, ""),
])
def test_mask_name(value, masked):
    assert mask_name(value) == masked


def test_nik_hash_keyed_and_normalised():
    key = b"secret-key"
    h = nik_hash(NIK, key)
    assert len(h) == 64 and NIK not in h
    assert nik_hash("6171 0101 0190 9991", key) == h  # synthetic
    assert nik_hash(NIK, b"other-key") != h
    assert nik_hash("6171010101909992", key) != h  # synthetic


def test_nik_hash_refuses_empty_key_without_leaking():
    with pytest.raises(ValueError) as caught:
        nik_hash(NIK, b"")
    assert NIK not in str(caught.value)
