"""Who gets a visit's notice."""

from bukutamu.core.officers import HELPDESK_NOT_FOUND, NOT_FOUND, assign, read_officers
from bukutamu.core.sheet import Row, Tab

TAB = Tab("Petugas", ("Nama", "Bidang", "Email", "Aktif", "Email Cadangan"), (
    Row(2, ("Andi", "LPSE", "andi@biro.test", "Ya", "")),
    Row(3, ("Sari", "Advokasi", "sari@biro.test", "Tidak", "wakil@biro.test")),
    Row(4, ("Tono", "Pengadaan", "tono@biro.test", "tidak", "")),
    Row(5, ("", "", "", "", "")),
))
OFFICERS = read_officers(TAB)


def test_active_officer_of_the_bidang():
    a = assign(OFFICERS, "lpse", "", "helpdesk@biro.test")
    assert (a.email, a.label, a.note) == ("andi@biro.test", "Andi", "")


def test_named_officer_wins_over_bidang():
    assert assign(OFFICERS, "Pengadaan", "andi", "helpdesk@biro.test").email == "andi@biro.test"


def test_inactive_officer_falls_back_to_backup_then_helpdesk():
    backup = assign(OFFICERS, "Advokasi", "", "helpdesk@biro.test")
    assert backup.email == "wakil@biro.test" and "cadangan" in backup.note
    helpdesk = assign(OFFICERS, "Pengadaan", "", "helpdesk@biro.test")
    assert helpdesk.email == "helpdesk@biro.test" and helpdesk.label == "HELPDESK"


def test_no_officer_for_the_bidang_goes_to_the_helpdesk_with_the_reason():
    a = assign(OFFICERS, "Keuangan", "", "helpdesk@biro.test")
    assert a.email == "helpdesk@biro.test" and a.label == HELPDESK_NOT_FOUND
    assert "Keuangan" in a.note and "tab Petugas" in a.note


def test_no_officer_and_no_helpdesk_address_is_a_clear_status_and_note():
    a = assign(OFFICERS, "Keuangan", "", "")
    assert a.email is None and a.label == NOT_FOUND and "Keuangan" in a.note and "tab Petugas" in a.note


def test_missing_tab_means_no_officers():
    assert read_officers(None) == []
