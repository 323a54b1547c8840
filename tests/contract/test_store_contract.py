"""The SheetStore contract, run against every adapter (SQLite; Google against the
Sheets HTTP fake). A behaviour the engine relies on belongs here."""

from bukutamu.adapters.store import TabSpec
from bukutamu.core.sheet import CellUpdate, RowAppend, TabReplace, WriteBatch

HEADER = ["Stempel waktu", "NIK", "Nama Lengkap", "Nomor HP", "[Sistem] Status"]


def _seed(h):
    h.seed("Reg", HEADER, [
        [46000.5, "6171010101909991", "Budi Santoso", "081234567890", ""],  # synthetic
        [46000.6, "6171054507859992", "Dewi Lestari", "+6281234567891", ""],  # synthetic
    ])


def test_read_keeps_types_and_text(harness):
    harness.seed("Reg", HEADER, [[46000.5, "0012", "=IMPORTXML(\"x\")", "+62812", ""]])
    snap = harness.store.read(["Reg"])
    row = snap.tab("Reg").rows[0]
    assert row.values[:4] == (46000.5, "0012", "=IMPORTXML(\"x\")", "+62812")
    assert list(snap.tab("Reg").header) == HEADER


def test_missing_tabs_are_reported_not_raised(harness):
    _seed(harness)
    snap = harness.store.read(["Reg", "Tidak Ada"])
    assert snap.missing_tabs == ("Tidak Ada",)
    assert snap.tab("Reg") is not None


def test_append_only_tab_gives_header_and_count_without_rows(harness):
    harness.seed("Log", ["A", "B"], [["x", 1], ["y", 2], ["z", 3]])
    _seed(harness)
    snap = harness.store.read(["Reg"], append_only=["Log"])
    log = snap.tab("Log")
    assert log.rows == () and log.row_count == 3 and list(log.header) == ["A", "B"]


def test_write_touches_only_named_cells_and_keeps_raw_text(harness):
    _seed(harness)
    snap = harness.store.read(["Reg"])
    r0, r1 = snap.tab("Reg").rows
    harness.store.write(WriteBatch(updates=[
        CellUpdate("Reg", r1.ref, "[Sistem] Status", "=1+1"),
        CellUpdate("Reg", r0.ref, "[Sistem] Status", "MENUNGGU VERIFIKASI"),
    ]))
    table = harness.table("Reg")
    assert table[1][:5] == [46000.5, "6171010101909991", "Budi Santoso", "081234567890", "MENUNGGU VERIFIKASI"]
    assert table[2][4] == "=1+1"  # RAW: a formula-looking value stays text
    assert table[2][3] == "+6281234567891"


def test_people_editing_other_cells_between_read_and_write_are_not_overwritten(harness):
    _seed(harness)
    snap = harness.store.read(["Reg"])
    r0 = snap.tab("Reg").rows[0]
    harness.on_next_write(lambda: harness.edit_cell("Reg", 0, "Nama Lengkap", "BUDI SANTOSO"))
    harness.store.write(WriteBatch(updates=[CellUpdate("Reg", r0.ref, "[Sistem] Status", "TERVERIFIKASI")]))
    assert harness.table("Reg")[1][2:5] == ["BUDI SANTOSO", "081234567890", "TERVERIFIKASI"]


def test_columns_are_found_by_header_text_wherever_they_are(harness):
    moved = ["[Sistem] Status", "Nama Lengkap", "Stempel waktu", "NIK", "Nomor HP"]
    harness.seed("Reg", moved, [["", "Budi Santoso", 46000.5, "6171010101909991", "0812"]])  # synthetic
    snap = harness.store.read(["Reg"])
    harness.store.write(WriteBatch(updates=[CellUpdate("Reg", snap.tab("Reg").rows[0].ref,
                                                       "[Sistem] Status", "SELESAI")]))
    assert harness.table("Reg")[1][0] == "SELESAI"


def test_appends_stack_after_the_last_row(harness):
    harness.seed("Log", ["ID", "Nilai"], [["a", 1]])
    snap = harness.store.read([], append_only=["Log"])
    assert snap.tab("Log").row_count == 1
    harness.store.write(WriteBatch(appends=[RowAppend("Log", {"ID": "b", "Nilai": 2}),
                                            RowAppend("Log", {"Nilai": 3, "ID": "c"})]))
    assert harness.table("Log") == [["ID", "Nilai"], ["a", 1], ["b", 2], ["c", 3]]


def test_replace_rewrites_rows_and_blanks_leftovers(harness):
    harness.seed("Antrian", ["No", "Nama"], [["A-001", "X"], ["A-002", "Y"], ["A-003", "Z"]])
    harness.store.read(["Antrian"])
    harness.store.write(WriteBatch(replaces=[TabReplace("Antrian", [{"No": "A-009", "Nama": "Q"}])]))
    rows = [r for r in harness.table("Antrian")[1:] if any(c not in (None, "") for c in r)]
    assert rows == [["A-009", "Q"]]


def test_empty_batch_writes_nothing(harness):
    _seed(harness)
    harness.store.read(["Reg"])
    harness.reset_requests()
    harness.store.write(WriteBatch())
    counts = harness.requests()
    if counts is not None:
        assert counts["writes"] == 0 and counts["reads"] == 0


def test_init_creates_tabs_and_appends_missing_headers_only(harness):
    harness.seed("Reg", ["Stempel waktu", "NIK", "Catatan Lain"], [[46000.5, "6171010101909991", "x"]])  # synthetic
    report = harness.store.init([TabSpec("Reg", ("Stempel waktu", "NIK", "[Sistem] Status")),
                                 TabSpec("Riwayat", ("ID", "Waktu"))])
    assert "Riwayat" in report.created_tabs
    assert harness.table("Reg")[0] == ["Stempel waktu", "NIK", "Catatan Lain", "[Sistem] Status"]
    assert harness.table("Reg")[1][:3] == [46000.5, "6171010101909991", "x"]
    again = harness.store.init([TabSpec("Reg", ("Stempel waktu", "NIK", "[Sistem] Status")),
                                TabSpec("Riwayat", ("ID", "Waktu"))])
    assert not again.created_tabs and not again.added_headers


# --- a person's edit of one visit, by visit ID (the helpdesk's port) -------------

VISIT_HEADER = ["Stempel waktu", "Nama Lengkap", "Verifikasi KTP", "[Sistem] ID Kunjungan", "[Sistem] Status"]


def _visits(h):
    h.seed("Reg", VISIT_HEADER, [
        [46000.5, "Budi Santoso", "", "20261125-A001", "MENUNGGU VERIFIKASI"],
        [46000.6, "Dewi Lestari", "", "20261125-A002", "MENUNGGU VERIFIKASI"],
    ])


def test_edit_visit_finds_the_row_by_visit_id_after_a_sort(harness):
    _visits(harness)
    harness.sort_rows("Reg", "Nama Lengkap", reverse=True)  # Dewi first now
    assert harness.store.edit_visit("Reg", "[Sistem] ID Kunjungan", "20261125-A001", {"Verifikasi KTP": "Sesuai"},
                                    unless_changed={"[Sistem] Status": "MENUNGGU VERIFIKASI"})
    rows = {r[3]: r for r in harness.table("Reg")[1:]}
    assert rows["20261125-A001"][2] == "Sesuai"
    assert rows["20261125-A002"][2] in ("", None)


def test_edit_visit_writes_nothing_when_the_row_guard_changed(harness):
    _visits(harness)
    harness.edit_cell("Reg", 0, "[Sistem] Status", "TERVERIFIKASI")  # a cycle got there first
    assert not harness.store.edit_visit("Reg", "[Sistem] ID Kunjungan", "20261125-A001",
                                        {"Verifikasi KTP": "Tidak Sesuai"},
                                        unless_changed={"[Sistem] Status": "MENUNGGU VERIFIKASI"})
    assert harness.table("Reg")[1][2] in ("", None)


def test_edit_visit_keeps_raw_text_and_finds_columns_by_header_text(harness):
    _visits(harness)
    harness.store.edit_visit("Reg", "[sistem] id kunjungan", "20261125-A002", {"nama lengkap": "=1+1"})
    assert harness.table("Reg")[2][1] == "=1+1"


def test_edit_visit_refuses_an_unknown_or_doubled_visit_and_a_missing_column(harness):
    import pytest

    from bukutamu.errors import StoreError
    _visits(harness)
    with pytest.raises(StoreError, match="20261125-A009 tidak ada"):
        harness.store.edit_visit("Reg", "[Sistem] ID Kunjungan", "20261125-A009", {"Verifikasi KTP": "Sesuai"})
    with pytest.raises(StoreError, match='Kolom "Tidak Ada"'):
        harness.store.edit_visit("Reg", "[Sistem] ID Kunjungan", "20261125-A001", {"Tidak Ada": "x"})
    harness.edit_cell("Reg", 1, "[Sistem] ID Kunjungan", "20261125-A001")
    with pytest.raises(StoreError, match="lebih dari sekali"):
        harness.store.edit_visit("Reg", "[Sistem] ID Kunjungan", "20261125-A001", {"Verifikasi KTP": "Sesuai"})
    assert [r[2] for r in harness.table("Reg")[1:]] in (["", ""], [None, None])
