"""core/archive.py without I/O: which visits leave, and that copying and removing are
idempotent and never take a row the archive does not hold as it is."""

from datetime import date
from zoneinfo import ZoneInfo

from bukutamu.core.archive import (ArchiveRules, ArchiveTabs, archive_headers, due_visits, merged_tab, plan_copy,
                                   plan_removal)
from bukutamu.core.cells import datetime_to_serial
from bukutamu.core.sheet import Row, Snapshot, Tab

WIB = ZoneInfo("Asia/Pontianak")
TABS = ArchiveTabs("Jawaban Formulir 1", "Riwayat", "Konfirmasi", "Umpan Balik")
REG_HEADER = ("Stempel waktu", "NIK", "Nama Lengkap", "", "[Sistem] ID Kunjungan", "[Sistem] Status",
              "Aksi Helpdesk", "[Sistem] Aksi Terproses", "[Sistem] No. Antrian", "[Sistem] Cek KTP",
              "[Sistem] Catatan", "[Sistem] Kunci Baris")
HIST_HEADER = ("ID Kunjungan", "No. Antrian", "Langkah", "Dari Status", "Ke Status", "Waktu Kejadian", "Sumber", "Siklus",
               "Petugas", "Bidang", "Keterangan")
FEED_HEADER = ("Stempel waktu", "ID Kunjungan", "Token", "Apakah layanan sudah cukup?", "[Sistem] Diproses")


def serial(day: int, hour: int) -> float:
    from datetime import datetime
    return datetime_to_serial(datetime(2026, 11, day, hour, tzinfo=WIB), WIB)


def snapshot(visits: list[tuple[str, str, int]], extra_reg: tuple = ()) -> Snapshot:
    """(visit ID, status, closing day in November) per visit."""
    reg, hist, feed = [], [], []
    for n, (vid, status, day) in enumerate(visits):
        reg.append(Row(n + 2, (serial(day, 8), f"617101010190999{n % 10}", f"Tamu {n}", f"catatan {n}", vid, status)))
        hist.append(Row(len(hist) + 2, (vid, f"A-{n:03d}", 2, "", "MENUNGGU VERIFIKASI", serial(day, 8))))
        hist.append(Row(len(hist) + 2, (vid, f"A-{n:03d}", 9, "MENUNGGU HELPDESK", status, serial(day, 10))))
        feed.append(Row(len(feed) + 2, (serial(day, 9), vid, "tok", "Ya", "OK")))
    reg += list(extra_reg)
    return Snapshot({TABS.register: Tab(TABS.register, REG_HEADER, tuple(reg)),
                     TABS.history: Tab(TABS.history, HIST_HEADER, tuple(hist)),
                     TABS.confirmations: Tab(TABS.confirmations, FEED_HEADER[:3] + ("Aksi", "[Sistem] Diproses"), ()),
                     TABS.feedback: Tab(TABS.feedback, FEED_HEADER, tuple(feed))}, "Asia/Pontianak")


def rules(today=date(2026, 11, 30), after_days=1, busy=frozenset()) -> ArchiveRules:
    return ArchiveRules(TABS, frozenset({"SELESAI", "BATAL", "DUPLIKAT"}), after_days, today, WIB, busy=busy)


VISITS = [("20261126-A001", "SELESAI", 26), ("20261127-A001", "BATAL", 27), ("20261129-A001", "SELESAI", 29),
          ("20261130-A001", "SELESAI", 30), ("20261127-A002", "DILAYANI", 27)]


def test_due_visits_are_closed_and_old_enough():
    assert due_visits(snapshot(VISITS), rules()) == {"20261126-A001": 2026, "20261127-A001": 2026,
                                                      "20261129-A001": 2026}
    assert set(due_visits(snapshot(VISITS), rules(after_days=3))) == {"20261126-A001", "20261127-A001"}


def test_visits_with_pending_mail_or_action_stay():
    assert "20261126-A001" not in due_visits(snapshot(VISITS), rules(busy=frozenset({"20261126-A001"})))
    pending = Row(99, (serial(25, 8), "x", "Tamu", "", "20261125-A009", "SELESAI", "Tamu Diterima", ""))
    assert "20261125-A009" not in due_visits(snapshot(VISITS, (pending,)), rules())


def empty_archive() -> Snapshot:
    return Snapshot({TABS.register: Tab(TABS.register, archive_headers(REG_HEADER), ()),
                     TABS.history: Tab(TABS.history, HIST_HEADER, (), row_count=0, column_a_counts={}),
                     TABS.feedback: Tab(TABS.feedback, FEED_HEADER, ())}, "Asia/Pontianak")


def as_archive(live: Snapshot, copy) -> Snapshot:
    """What the archive holds after the copy's appends (by header, as a store would)."""
    tabs = {}
    for name, tab in empty_archive().tabs.items():
        rows = [Row(i, tuple(a.values.get(h) for h in tab.header))
                for i, a in enumerate(x for x in copy.appends if x.tab == name)]
        counts = {}
        for r in rows:
            counts[r.values[0]] = counts.get(r.values[0], 0) + 1
        tabs[name] = Tab(name, tab.header, () if name == TABS.history else tuple(rows),
                         row_count=len(rows) if name == TABS.history else None,
                         column_a_counts=counts if name == TABS.history else None)
    return Snapshot(tabs, "Asia/Pontianak")


def test_copy_then_remove_is_idempotent_and_keeps_blank_header_cells():
    live = snapshot(VISITS)
    due = due_visits(live, rules())
    copy = plan_copy(live, empty_archive(), due, 2026, TABS)
    assert len([a for a in copy.appends if a.tab == TABS.register]) == 3
    assert len([a for a in copy.appends if a.tab == TABS.history]) == 6
    assert any(a.values.get("(kolom 4)") == "catatan 0" for a in copy.appends)  # a headerless column survives
    archived = as_archive(live, copy)
    again = plan_copy(live, archived, due, 2026, TABS)
    assert not again.appends and not again.corrections
    removal = plan_removal(live, archived, due, TABS)
    assert {t: len(r) for t, r in removal.items()} == {TABS.register: 3, TABS.history: 6, TABS.feedback: 3}


def test_a_row_edited_after_copying_is_not_removed_but_corrected():
    live = snapshot(VISITS)
    due = due_visits(live, rules())
    archived = as_archive(live, plan_copy(live, empty_archive(), due, 2026, TABS))
    reg = live.tab(TABS.register)
    edited = Row(reg.rows[0].ref, reg.rows[0].values[:2] + ("Tamu Nol Dikoreksi",) + reg.rows[0].values[3:])
    live2 = Snapshot({**live.tabs, TABS.register: Tab(reg.name, reg.header, (edited,) + reg.rows[1:])},
                     live.time_zone)
    removal = plan_removal(live2, archived, due, TABS)
    assert edited not in removal[TABS.register] and len(removal[TABS.register]) == 2
    assert plan_copy(live2, archived, due, 2026, TABS).corrections["20261126-A001"]["Nama Lengkap"] == \
        "Tamu Nol Dikoreksi"


def test_merged_tab_puts_archive_rows_first_in_live_column_order():
    older = Tab("Riwayat", ("Waktu Kejadian", "ID Kunjungan"), (Row(1, (1.5, "20251231-A001")),))
    live = Tab("Riwayat", ("ID Kunjungan", "Waktu Kejadian"), (Row(2, ("20261130-A001", 2.5)),))
    merged = merged_tab(live, [older])
    assert [r.values for r in merged.rows] == [("20251231-A001", 1.5), ("20261130-A001", 2.5)]
