"""Signed form-link tokens and pre-filled Google Form URLs (pure)."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest

from bukutamu.core.links import (BAD_SIGNATURE, EXPIRED, MALFORMED, OK, REASON_MESSAGES, WRONG_TARGET,
                                 make_token, prefill_url, token_expiry, token_id, verify_token)

KEY = b"k" * 32
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)
EXP = NOW + timedelta(hours=48)
VISIT, PURPOSE = "20261128-A001", "terima"
FORM = "https://docs.google.com/forms/d/e/1FAIpQLSe_example/viewform"


def tok(**kw):
    args = dict(visit_id=VISIT, purpose=PURPOSE, expires_at=EXP, key=KEY)
    args.update(kw)
    return make_token(**args)


def test_valid_token_is_compact_url_safe_and_carries_expiry():
    t = tok()
    assert verify_token(t, VISIT, PURPOSE, NOW, KEY) == (True, OK)
    assert len(t) <= 48 and all(c.isalnum() or c in "-_." for c in t)
    assert token_expiry(t) == EXP
    assert tok() == t  # deterministic
    assert verify_token(f"  {t}\n", VISIT, PURPOSE, NOW, KEY) == (True, OK)  # pasted with spaces


def test_tampered_token_is_a_bad_signature():
    t = tok()
    version, exp, bind, sig = t.split(".")
    later = int(exp, 36) + 86400 * 365
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    exp36 = ""
    while later:
        later, r = divmod(later, 36)
        exp36 = digits[r] + exp36
    flipped = sig[:5] + ("A" if sig[5] != "A" else "B") + sig[6:]
    assert verify_token(".".join([version, exp36, bind, sig]), VISIT, PURPOSE, NOW, KEY) == (False, BAD_SIGNATURE)
    assert verify_token(".".join([version, exp, bind, flipped]), VISIT, PURPOSE, NOW, KEY) == (False, BAD_SIGNATURE)
    assert verify_token(t, VISIT, PURPOSE, NOW, b"another key of 32 bytes........") == (False, BAD_SIGNATURE)


def test_expired_at_the_expiry_instant():
    t = tok()
    assert verify_token(t, VISIT, PURPOSE, EXP - timedelta(seconds=1), KEY) == (True, OK)
    assert verify_token(t, VISIT, PURPOSE, EXP, KEY) == (False, EXPIRED)
    assert verify_token(t, VISIT, PURPOSE, EXP + timedelta(days=9), KEY) == (False, EXPIRED)


def test_genuine_token_for_another_visit_or_purpose():
    t = tok()
    assert verify_token(t, "20261128-A002", PURPOSE, NOW, KEY) == (False, WRONG_TARGET)
    assert verify_token(t, VISIT, "selesai", NOW, KEY) == (False, WRONG_TARGET)
    # an expired token for another visit reports the visit mismatch first
    assert verify_token(t, "20261128-A002", PURPOSE, EXP + timedelta(days=1), KEY) == (False, WRONG_TARGET)


@pytest.mark.parametrize("bad", [
    "", "   ", None, 12345, "abc", "1.abc", "1..x.y", "2.sxkq2o.AAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA",
    "1.0sxkq2o.AAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA",  # leading zero: not canonical
    "1.SXKQ2O.AAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA",  # upper case expiry
    "1.sxkq2o.AAAA.AAAAAAAAAAAAAAAAAAAAAA",  # short binding
    "1.sxkq2o.AAAAAAAAAAAA.AAAA+AAAAAAAAAAAAAAAAA",  # not base64url
    "1.sxkq2o.AAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA.extra",
])
def test_malformed(bad):
    assert verify_token(bad, VISIT, PURPOSE, NOW, KEY) == (False, MALFORMED)


def test_non_canonical_base64_spelling_is_rejected_so_token_id_is_sound():
    t = tok()
    version, exp, bind, sig = t.split(".")
    # 16 bytes -> 22 chars; the last char carries 4 unused bits. Setting them gives the
    # same bytes under a different spelling, which must not count as another token.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(sig[-1])
    variant = sig[:-1] + alphabet[last | 0b0011 if last & 0b0011 == 0 else last & ~0b0011]
    assert base64.urlsafe_b64decode(variant + "==") == base64.urlsafe_b64decode(sig + "==")
    assert variant != sig
    assert verify_token(".".join([version, exp, bind, variant]), VISIT, PURPOSE, NOW, KEY) == (False, MALFORMED)


def test_token_id_is_stable_and_distinct():
    a, b = tok(), tok(purpose="selesai")
    assert token_id(a) == token_id(f" {a} ") and len(token_id(a)) == 32
    assert token_id(a) != token_id(b)
    assert len(token_id("rubbish")) == 32 and token_id(None) == token_id("None")


def test_every_reason_has_an_indonesian_message():
    for code in (OK, MALFORMED, BAD_SIGNATURE, WRONG_TARGET, EXPIRED):
        assert REASON_MESSAGES[code]
    assert "kedaluwarsa" in REASON_MESSAGES[EXPIRED]


def test_bad_arguments():
    with pytest.raises(ValueError):
        tok(key=b"")
    with pytest.raises(ValueError):
        tok(expires_at=datetime(2026, 11, 30, 9, 0))  # naive
    with pytest.raises(ValueError):
        tok(visit_id="")
    with pytest.raises(ValueError):
        verify_token(tok(), VISIT, PURPOSE, datetime(2026, 11, 28, 9, 0), KEY)
    assert verify_token(tok(key="k" * 32), VISIT, PURPOSE, NOW, KEY) == (True, OK)  # str key = its UTF-8


def test_prefill_url_encodes_values():
    t = tok()
    url = prefill_url(FORM, {"123456": VISIT, "entry.654321": t,
                             "777": "Siti & Budi = 100% +62 #1 /x? ü"})
    parts = urlsplit(url)
    assert parts.scheme == "https" and parts.path.endswith("/viewform") and parts.fragment == ""
    assert parts.query.startswith("usp=pp_url&entry.123456=20261128-A001&entry.654321=")
    assert "Siti%20%26%20Budi%20%3D%20100%25%20%2B62%20%231%20%2Fx%3F%20%C3%BC" in parts.query
    q = parse_qs(parts.query)
    assert q["usp"] == ["pp_url"] and q["entry.777"] == ["Siti & Budi = 100% +62 #1 /x? ü"]
    assert verify_token(q["entry.654321"][0], q["entry.123456"][0], PURPOSE, NOW, KEY) == (True, OK)


def test_prefill_url_normalises_the_form_url():
    assert prefill_url(FORM + "?usp=sf_link#x", {"1": "a"}) == FORM + "?usp=pp_url&entry.1=a"
    assert prefill_url(FORM.replace("/viewform", "/formResponse"), {"1": "a"}).startswith(FORM + "?")
    assert prefill_url(FORM.replace("/viewform", ""), {}) == FORM + "?usp=pp_url"
    assert prefill_url(FORM, {"1": None}) == FORM + "?usp=pp_url&entry.1="
    with pytest.raises(ValueError):
        prefill_url(FORM, {"entry.12a": "x"})
    with pytest.raises(ValueError):
        prefill_url(FORM, {"": "x"})
    with pytest.raises(ValueError):
        prefill_url("docs.google.com/forms/x", {"1": "a"})
