"""core/text.py: the one sanitiser every edge uses."""

import pytest

from bukutamu.core.text import clean_line, clean_text, has_hidden_characters, sheet_safe


@pytest.mark.parametrize("raw, want", [
    ("Budi\x00Santoso", "BudiSantoso"),
    ("\x1b[31mBudi\x1b[0m", "[31mBudi[0m"),  # ESC gone: the terminal no longer obeys it
    ("Budi\x07", "Budi"),
    ("Budi \u202eosotnaS", "Budi osotnaS"),
    ("\u2066Budi\u2069\u200f", "Budi"),
    ("Bu\u200bdi\ufeff", "Budi"),
    ("Budi\x85Santoso", "Budi\nSantoso"),  # NEL is a line break
    ("a\r\nb\rc", "a\nb\nc"),
    ("tab\tkept", "tab\tkept"),
    ("emoji \U0001f468\u200d\U0001f469 kept", "emoji \U0001f468\u200d\U0001f469 kept"),  # ZWJ stays
])
def test_clean_text(raw, want):
    assert clean_text(raw) == want
    assert not has_hidden_characters(clean_text(raw))


def test_clean_line_is_one_line_and_capped():
    assert clean_line("Budi\r\nBcc: x@contoh.invalid\n\n  Santoso ") == "Budi Bcc: x@contoh.invalid Santoso"
    assert clean_line("x" * 100, 10) == "x" * 9 + "…"
    assert clean_line(None) == "" and clean_line(12) == "12"


@pytest.mark.parametrize("raw, want", [
    ("=1+1", "'=1+1"), ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"), ("-2+3+cmd", "'-2+3+cmd"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("\uff1d1+1", "'\uff1d1+1"),
    ("'=1+1", "'=1+1"),  # already neutral: idempotent
    ("-", "-"), ("+6281234567890", "+6281234567890"), ("-5", "-5"), ("-2,5", "-2,5"),
    ("Budi", "Budi"), ("", ""),
])
def test_sheet_safe(raw, want):
    assert sheet_safe(raw) == want
    assert sheet_safe(sheet_safe(raw)) == sheet_safe(raw)


def test_sheet_safe_leaves_non_text_alone():
    assert sheet_safe(5) == 5 and sheet_safe(None) is None and sheet_safe(2.5) == 2.5


@pytest.mark.parametrize("raw", ["=1+1", "-5.50000000#6", "'quoted", "-5", "Budi", "'", "@x"])
def test_unsheet_reverses_sheet_safe(raw):
    from bukutamu.core.text import unsheet
    assert unsheet(sheet_safe(raw)) == raw
