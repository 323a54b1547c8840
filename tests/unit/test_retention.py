"""The pure retention rules: which visits are due, how a row is reduced (a fixed
point: a purged snapshot plans nothing), what is only listed."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bukutamu.config import load_settings
from bukutamu.core.cells import datetime_to_serial
from bukutamu.core.linkforms import FEEDBACK_COLUMNS
from bukutamu.core.retention import NAME_MARK, RetentionTabs, plan_purge, reduce_nik
from bukutamu.core.schema import REGISTER_COLUMNS, headers_for
from bukutamu.core.sheet import Row, Snapshot, Tab
from bukutamu.errors import ConfigError

WIB = ZoneInfo("Asia/Pontianak")
REG, FB = "Jawaban Formulir 1", "Umpan Balik"
TABS = RetentionTabs(REG, "Konfirmasi", FB, frozenset({"SELESAI", "BATAL", "DUPLIKAT"}))
HEADER = headers_for(REGISTER_COLUMNS)
FB_HEADER = headers_for(FEEDBACK_COLUMNS)


def row(ref, when, status, vid, nik="6171010101909991", phone="081234567890"):  # synthetic
    values = dict.fromkeys(HEADER, None)
    values.update({"Stempel waktu": datetime_to_serial(when, WIB), "NIK": nik, "Nama Lengkap": "Budi Santoso",
                   "Tanggal Lahir": "01/01/1990", "Nomor HP": phone, "Email": "budi@tamu.test",
                   "Instansi": "CV Sinar", "Keperluan": "Konsultasi", "[Sistem] ID Kunjungan": vid,
                   "[Sistem] Status": status, "[Sistem] Sidik Data": "nik:abc nama:def",
                   "[Sistem] Waktu Ditutup": datetime_to_serial(when, WIB)})
    return Row(ref, tuple(values[h] for h in HEADER))


def snapshot(rows, feedback=()):
    return Snapshot({REG: Tab(REG, HEADER, tuple(rows)), FB: Tab(FB, FB_HEADER, tuple(feedback))}, "Asia/Pontianak")


def apply(snap, plan):
    tabs = {}
    for name, tab in snap.tabs.items():
        rows = []
        for r in tab.rows:
            cells = list(r.values) + [None] * (len(tab.header) - len(r.values))
            for u in plan.batch.updates:
                if u.tab == name and u.ref == r.ref:
                    cells[tab.header.index(u.column)] = u.value
            rows.append(Row(r.ref, tuple(cells)))
        tabs[name] = Tab(name, tab.header, tuple(rows))
    return Snapshot(tabs, snap.time_zone)


def test_nik_keeps_the_region_code_only_and_is_a_fixed_point():
    assert reduce_nik("6171010101909991") == "6171" + "*" * 12  # synthetic
    coerced = float(6171010101909991 // 10 * 10)  # synthetic NIK as Sheets keeps it: 15 significant digits
    assert reduce_nik(coerced) == "6171" + "*" * 12
    assert reduce_nik(reduce_nik("6171010101909991")) == reduce_nik("6171010101909991")  # synthetic
    assert reduce_nik("12") == "" and reduce_nik(None) == ""


def test_closed_old_visits_are_reduced_once_open_ones_listed_recent_ones_kept():
    old, new = datetime(2025, 1, 6, 9, 0, tzinfo=WIB), datetime(2026, 11, 2, 9, 0, tzinfo=WIB)
    rows = [row(1, old, "SELESAI", "20250106-A001"), row(2, old, "DILAYANI", "20250106-A002"),
            row(3, new, "SELESAI", "20261102-A001")]
    feedback = [Row(10, (datetime_to_serial(old, WIB), "20250106-A001", "tok", "Ya, sudah cukup", "hubungi 0812")),
                Row(11, (datetime_to_serial(new, WIB), "20261102-A001", "tok", "Ya, sudah cukup", "terima kasih"))]
    snap = snapshot(rows, feedback)
    plan = plan_purge(snap, TABS, date(2025, 11, 30), date(2026, 11, 30))
    assert plan.visits == {"20250106-A001"} and plan.stale_open == ["20250106-A002"]
    cells = {(u.ref, u.column): u.value for u in plan.batch.updates}
    assert cells[(1, "Nama Lengkap")] == NAME_MARK and cells[(1, "NIK")] == "6171" + "*" * 12
    assert cells[(1, "Nomor HP")] == "" and cells[(1, "Email")] == "" and cells[(1, "Tanggal Lahir")] == ""
    assert cells[(1, "[Sistem] Sidik Data")] == "DIANONIMKAN 2026-11-30"
    assert (10, "Catatan") in cells and not any(ref in (2, 3, 11) for ref, _ in cells)
    assert not any(c in ("Instansi", "[Sistem] Status", "Apakah layanan sudah cukup?") for _, c in cells)
    again = plan_purge(apply(snap, plan), TABS, date(2025, 11, 30), date(2026, 12, 1))
    assert not again.batch and again.visits == {"20250106-A001"} and again.already == 1


@pytest.mark.parametrize("text,message", [("[retention]\ndays = 7\n", "paling singkat 30"),
                                          ('[retention]\nat = "jam satu"\n', "retention.at"),
                                          ("[retention]\nhari = 30\n", "kunci tidak dikenal")])
def test_retention_settings_are_checked(tmp_path, text, message):
    p = tmp_path / "c.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_settings(p, env={"BUKUTAMU_DATA": str(tmp_path)})


def test_default_retention_is_a_year(tmp_path):
    s = load_settings(None, env={"BUKUTAMU_DATA": str(tmp_path)})
    assert (s.retention.days, s.retention.at) == (365, "01:30")
