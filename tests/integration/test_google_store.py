"""GoogleSheetStore driven through the REAL gspread + google-auth code against the
Sheets REST fake on loopback (tests/fakes/sheets_api.py). Requests are counted and
inspected at the fake. Verified against the fake, not against Google."""

from __future__ import annotations

import json
import threading

import pytest

from bukutamu.adapters.google.http import RetryingHTTPClient
from bukutamu.adapters.google.store import GoogleSheetStore
from bukutamu.adapters.store import TabSpec
from bukutamu.core.sheet import CellUpdate, RowAppend, TabReplace, WriteBatch
from bukutamu.errors import ConfigError, StoreError
from tests.fakes.google_harness import GoogleHarness, google_settings
from tests.fakes.service_account import make_key_file
from tests.fakes.sheets_grid import Formula

REG = "Jawaban Formulir 1"
HIST = "Riwayat"
HEADER = ["Stempel waktu", "NIK", "Nama Lengkap", "Nomor HP", "[Sistem] ID Kunjungan", "[Sistem] Status"]
ROWS = [
    [46000.375, "6171010101909991", "Budi Santoso", "081234567890", "V-1", "MENUNGGU VERIFIKASI"],  # synthetic
    [46000.4, "6171054507859992", "Dewi Lestari", "+6281234567891", "V-2", "MENUNGGU VERIFIKASI"],  # synthetic
    [46000.5, "6171010101909993", "Eko Prasetyo", "085298765432", "V-3", "MENUNGGU VERIFIKASI"],  # synthetic
]


@pytest.fixture
def h(tmp_path):
    harness = GoogleHarness(tmp_path, time_zone="Asia/Jakarta")
    yield harness
    harness.close()


def seeded(h: GoogleHarness, rows=ROWS) -> None:
    h.seed(REG, HEADER, [list(r) for r in rows])
    h.seed(HIST, ["ID Kunjungan", "Waktu Kejadian", "Ke Status"], [["V-1", 46000.38, "MENUNGGU VERIFIKASI"]])


def by_id(h: GoogleHarness, visit: str) -> list:
    return next(r for r in h.table(REG)[1:] if r[4] == visit)


# -- reading -------------------------------------------------------------------


def test_after_open_every_read_is_exactly_one_request(h):
    seeded(h)
    h.store.read([REG, "Petugas"], append_only=[HIST])  # opens: token + metadata + read
    assert [e["kind"] for e in h.fake.requests()] == ["token", "meta", "read"]
    h.reset_requests()
    for _ in range(3):
        h.store.read([REG, "Petugas"], append_only=[HIST])
    reads = h.fake.requests()
    assert [e["kind"] for e in reads] == ["read"] * 3
    q = reads[0]["query"]
    assert q["ranges"] == [f"'{REG}'", f"'{HIST}'!1:1", f"'{HIST}'!A:A"]
    assert q["valueRenderOption"] == ["UNFORMATTED_VALUE"] and q["dateTimeRenderOption"] == ["SERIAL_NUMBER"]


def test_read_keeps_types_refs_time_zone_and_detects_a_coerced_nik(h):
    h.seed(REG, HEADER, [
        [46000.375, int(6.17101010190999e15), "=IMPORTXML(\"http://x\",\"//a\")", "+6281234567891"],  # synthetic, coerced
        [],  # a row a person emptied
        [46000.5, "6171010101909993", "Eko", "0812", "", ""],  # synthetic
    ])
    snap = h.store.read([REG, "Tidak Ada"])
    assert snap.time_zone == "Asia/Jakarta"
    assert snap.missing_tabs == ("Tidak Ada",)
    first, second = snap.tab(REG).rows
    assert first.ref == 2 and second.ref == 4  # sheet row numbers at read time
    assert first.values == (46000.375, int(6.17101010190999e15), "=IMPORTXML(\"http://x\",\"//a\")", "+6281234567891")
    assert isinstance(first.values[1], (int, float))  # a JSON number: the sheet coerced the NIK
    assert second.values == (46000.5, "6171010101909993", "Eko", "0812")  # trailing empties trimmed
    assert h.fake.requests("read")[0]["query"]["ranges"] == [f"'{REG}'"]  # no range for a missing tab


def test_only_missing_tabs_means_no_read_request(h):
    snap = h.store.read(["Tidak Ada"], append_only=["Juga Tidak"])
    assert snap.missing_tabs == ("Tidak Ada", "Juga Tidak") and h.requests()["reads"] == 0


def test_a_tab_renamed_after_open_is_reported_missing(h):
    seeded(h)
    h.store.read([REG, HIST])
    h.fake.rename_sheet(HIST, "Riwayat Lama")
    h.reset_requests()
    snap = h.store.read([REG, HIST])
    assert snap.missing_tabs == (HIST,) and len(snap.tab(REG).rows) == 3
    assert [e["kind"] for e in h.fake.requests()] == ["read", "meta", "read"]  # 400 -> refresh -> again


# -- writing -------------------------------------------------------------------


def test_write_is_one_raw_request_with_row_ranges_and_stacked_appends(h):
    seeded(h)
    h.seed("Tamu's Log", ["A", "B"], [["x", 1]])
    snap = h.store.read([REG], append_only=[HIST, "Tamu's Log"])
    r1, r2, _ = snap.tab(REG).rows
    h.reset_requests()
    h.store.write(WriteBatch(
        updates=[CellUpdate(REG, r2.ref, "[Sistem] Status", "=IMPORTXML(\"http://x\",\"//a\")"),
                 CellUpdate(REG, r1.ref, "[Sistem] Status", "TERVERIFIKASI"),
                 CellUpdate(REG, r1.ref, "[Sistem] ID Kunjungan", "0812")],
        appends=[RowAppend(HIST, {"ID Kunjungan": "V-1", "Waktu Kejadian": 46000.41, "Ke Status": "TERVERIFIKASI"}),
                 RowAppend(HIST, {"Ke Status": "+62812", "ID Kunjungan": "V-2"}),
                 RowAppend("Tamu's Log", {"A": "y"})]))
    (req,) = h.fake.requests()
    assert req["kind"] == "write" and req["json"]["valueInputOption"] == "RAW"
    data = req["json"]["data"]
    assert [d["range"] for d in data] == [f"'{REG}'!A2:F2", f"'{REG}'!A3:F3", f"'{HIST}'!A3:C4", "'Tamu''s Log'!A3"]
    assert data[0]["values"] == [[None, None, None, None, "0812", "TERVERIFIKASI"]]  # null = untouched
    assert data[2]["values"] == [["V-1", 46000.41, "TERVERIFIKASI"], ["V-2", "", "+62812"]]
    assert h.table(REG)[1] == ROWS[0][:4] + ["0812", "TERVERIFIKASI"]
    assert h.table(REG)[2][5] == "=IMPORTXML(\"http://x\",\"//a\")"  # text, not Formula
    assert h.table(HIST)[1:] == [["V-1", 46000.38, "MENUNGGU VERIFIKASI"],
                                 ["V-1", 46000.41, "TERVERIFIKASI"], ["V-2", None, "+62812"]]
    h.store.write(WriteBatch(appends=[RowAppend(HIST, {"ID Kunjungan": "V-3"})]))  # stacks further
    assert h.table(HIST)[4][0] == "V-3"


def test_user_entered_would_have_changed_the_values(h):
    """The fake tells RAW from USER_ENTERED, so the RAW assertions above mean something."""
    seeded(h)
    h.store.read([REG])
    h.store._spreadsheet().values_batch_update({"valueInputOption": "USER_ENTERED", "data": [
        {"range": f"'{REG}'!D2:F2", "values": [["0812", "=IMPORTXML(1)", "+62812"]]}]})
    assert h.table(REG)[1][3:] == [812, Formula("=IMPORTXML(1)"), 62812]


def test_empty_batch_makes_no_request_and_200_rows_make_one(h):
    rows = [[46000 + i / 1000, f"61710101019{i:05d}", f"Tamu {i}", "", f"V-{i}", ""] for i in range(200)]  # synthetic
    h.seed(REG, HEADER, rows)
    h.seed(HIST, ["ID Kunjungan", "Waktu Kejadian", "Ke Status"], [])
    snap = h.store.read([REG], append_only=[HIST])
    h.reset_requests()
    h.store.write(WriteBatch())
    assert h.requests() == {"reads": 0, "writes": 0, "other": 0}
    h.store.write(WriteBatch(
        updates=[CellUpdate(REG, r.ref, "[Sistem] Status", "MENUNGGU VERIFIKASI") for r in snap.tab(REG).rows],
        appends=[RowAppend(HIST, {"ID Kunjungan": f"V-{i}", "Ke Status": "MENUNGGU VERIFIKASI"}) for i in range(200)]))
    assert h.requests() == {"reads": 0, "writes": 1, "other": 0}
    assert all(r[5] == "MENUNGGU VERIFIKASI" for r in h.table(REG)[1:]) and len(h.table(HIST)) == 201


def test_unknown_header_or_stale_ref_is_a_bug_and_nothing_is_sent(h):
    seeded(h)
    snap = h.store.read([REG])
    ref = snap.tab(REG).rows[0].ref
    h.reset_requests()
    with pytest.raises(StoreError, match="Tidak Ada"):
        h.store.write(WriteBatch(updates=[CellUpdate(REG, ref, "[Sistem] Tidak Ada", "x")]))
    with pytest.raises(StoreError, match="baris 99"):
        h.store.write(WriteBatch(updates=[CellUpdate(REG, 99, "[Sistem] Status", "x")]))
    with pytest.raises(StoreError, match="Petugas"):
        h.store.write(WriteBatch(appends=[RowAppend("Petugas", {"Nama": "x"})]))
    assert h.requests() == {"reads": 0, "writes": 0, "other": 0}


def test_replace_blanks_leftovers_with_empty_strings(h):
    h.seed("Antrian", ["No. Antrian", "Nama", "Status"], [["A-001", "BUDI S.", "X"], ["A-002", "DEWI L.", "Y"]])
    h.store.read(["Antrian"])
    h.reset_requests()
    h.store.write(WriteBatch(replaces=[TabReplace("Antrian", [{"No. Antrian": "A-003", "Nama": "EKO P."}])]))
    (req,) = h.fake.requests()
    assert req["json"]["data"] == [{"range": "'Antrian'!A2:C3", "majorDimension": "ROWS",
                                    "values": [["A-003", "EKO P.", ""], ["", "", ""]]}]
    assert h.table("Antrian") == [["No. Antrian", "Nama", "Status"], ["A-003", "EKO P.", None]]


# -- people moving rows between our read and our write ------------------------------


def _status_batch(snap, **status_by_visit):
    rows = {r.values[4]: r for r in snap.tab(REG).rows}
    return WriteBatch(updates=[CellUpdate(REG, rows[v].ref, "[Sistem] Status", s) for v, s in status_by_visit.items()])


@pytest.mark.parametrize("person", [
    lambda h: h.insert_row(REG, 0, [46000.3, "6171010101909994", "Fajar", "", "", ""]),  # synthetic
    lambda h: h.sort_rows(REG, "Nama Lengkap", reverse=True),
    lambda h: h.fake.delete_row(REG, 2),
], ids=["insert", "sort", "delete"])
def test_rows_moved_between_read_and_write_never_get_another_visits_value(h, person):
    seeded(h)
    before = {r[4]: r for r in h.table(REG)[1:]}
    snap = h.store.read([REG])
    h.on_next_write(lambda: person(h))
    h.reset_requests()
    h.store.write(_status_batch(snap, **{"V-2": "TERVERIFIKASI", "V-3": "PERLU PERBAIKAN"}))
    assert by_id(h, "V-2")[5] == "TERVERIFIKASI" and by_id(h, "V-3")[5] == "PERLU PERBAIKAN"
    for visit, row in before.items():  # nobody else changed
        if visit not in ("V-2", "V-3") and any(r[4] == visit for r in h.table(REG)[1:]):
            assert by_id(h, visit) == row
    assert h.store.repairs == 1
    assert h.requests() == {"reads": 1, "writes": 2, "other": 0}  # write, check read, repair write
    with pytest.raises(StoreError):  # the old refs are stale now: read again first
        h.store.write(_status_batch(snap, **{"V-2": "X"}))


def test_an_edit_in_the_same_row_is_checked_but_not_rewritten(h):
    seeded(h)
    snap = h.store.read([REG])
    h.on_next_write(lambda: h.edit_cell(REG, 1, "Nama Lengkap", "DEWI LESTARI"))
    h.reset_requests()
    h.store.write(_status_batch(snap, **{"V-2": "TERVERIFIKASI"}))
    assert by_id(h, "V-2")[2:] == ["DEWI LESTARI", "+6281234567891", "V-2", "TERVERIFIKASI"]
    assert h.requests() == {"reads": 1, "writes": 1, "other": 0}


# -- retries, timeouts, errors ------------------------------------------------------


@pytest.mark.parametrize("fault", ["429", "500", "503-html", "drop"])
def test_transient_failures_are_retried_then_succeed(h, fault):
    seeded(h)
    h.store.read([REG])
    h.fake.fail_next(fault, 2)
    snap = h.store.read([REG])
    assert len(snap.tab(REG).rows) == 3
    assert len(h.sleeps) == 2 and h.sleeps[1] > h.sleeps[0]  # exponential, recorded not slept
    h.fake.fail_next(fault, 1, on=("write",))
    h.store.write(_status_batch(snap, **{"V-1": "TERVERIFIKASI"}))
    assert by_id(h, "V-1")[5] == "TERVERIFIKASI" and len(h.fake.requests("write")) == 2


def test_retry_after_is_honoured(h):
    seeded(h)
    h.store.read([REG])
    h.fake.fail_next("429", 1, retry_after="7")
    h.store.read([REG])
    assert h.sleeps == [7.0]


def test_a_request_that_times_out_is_retried(tmp_path):
    h = GoogleHarness(tmp_path, timeout_seconds=0.3)
    try:
        seeded(h)
        h.store.read([REG])
        h.fake.fail_next("slow", 1, on=("read",), delay=10)
        assert len(h.store.read([REG]).tab(REG).rows) == 3
        assert len(h.sleeps) == 1 and h.store._http.timeout == (0.3, 0.3)
    finally:
        h.close()


def test_retries_are_bounded_and_end_in_an_indonesian_message(h):
    seeded(h)
    h.store.read([REG])
    h.reset_requests()
    h.fake.fail_next("503-html", 5)
    with pytest.raises(StoreError, match=r"HTTP 503.*setelah 3 percobaan"):
        h.store.read([REG])
    assert h.requests()["reads"] == 3 and len(h.sleeps) == 2
    h.fake.fail_next("429", 3)
    with pytest.raises(StoreError, match="Kuota Google Sheets API terlampaui"):
        h.store.read([REG])


def test_no_connection_says_check_the_connection(h):
    seeded(h)
    h.fake.stop()
    with pytest.raises(StoreError, match="Periksa koneksi") as e:
        h.store.read([REG])
    assert len(h.sleeps) == 2 and "private" not in str(e.value).lower()


def test_structure_requests_are_not_retried_after_an_ambiguous_failure(h):
    h.fake.fail_next("503-html", 1, on=("structure",))
    with pytest.raises(StoreError, match="HTTP 503"):
        h.store.init([TabSpec(HIST, ("ID Kunjungan",))])
    assert len(h.fake.requests("structure")) == 1 and h.fake.book.sheet(HIST) is None


def test_403_says_share_with_the_service_account_and_404_names_the_setting(h, tmp_path):
    h.fake.shared = False
    with pytest.raises(StoreError) as e:
        h.store.read([REG])
    assert h.key.client_email in str(e.value) and "Editor" in str(e.value)
    other = GoogleSheetStore.from_settings(google_settings(h.fake, h.key.path, spreadsheet_id="salah-id"),
                                           sleep=lambda s: None)
    with pytest.raises(StoreError, match="store.spreadsheet_id") as e:
        other.read([REG])
    token = h.fake.granted[-1]["_token"]
    assert token not in str(e.value) and "PRIVATE" not in str(e.value)
    other.close()


def test_a_key_unknown_to_google_is_a_clear_store_error(h, tmp_path):
    stranger = make_key_file(tmp_path, h.fake.token_uri, client_email="orang-lain@x.iam.gserviceaccount.com",
                             slot=1, name="lain.json")
    store = GoogleSheetStore.from_settings(google_settings(h.fake, stranger.path), sleep=lambda s: None)
    with pytest.raises(StoreError, match="BUKUTAMU_GOOGLE_KEY_FILE"):
        store.read([REG])
    store.close()


@pytest.mark.parametrize("content, expected", [
    (None, "tidak ada"),
    ("{not json", "bukan JSON"),
    (json.dumps({"type": "authorized_user", "client_id": "x"}), "bukan kunci service account"),
    (json.dumps({"type": "service_account", "client_email": "a@b.iam.gserviceaccount.com"}), "private_key, token_uri"),
    (json.dumps({"type": "service_account", "client_email": "a@b.iam.gserviceaccount.com", "token_uri": "http://x",
                 "private_key": "-----BEGIN PRIVATE KEY-----\nRAHASIA-JANGAN-DICETAK\n-----END PRIVATE KEY-----\n"}),
     "private_key di berkas"),
])
def test_bad_key_file_is_a_config_error_naming_the_variable(tmp_path, content, expected):
    path = tmp_path / "kunci.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    settings = google_settings(_Endpoint(), path)
    with pytest.raises(ConfigError) as e:
        GoogleSheetStore.from_settings(settings)
    msg = str(e.value)
    assert "BUKUTAMU_GOOGLE_KEY_FILE" in msg and expected in msg and "RAHASIA" not in msg
    assert e.value.__cause__ is None and (e.value.__context__ is None or e.value.__suppress_context__)


class _Endpoint:
    spreadsheet_id, url = "id", "http://127.0.0.1:9"


def test_endpoint_override_timeout_and_no_side_requests(h):
    seeded(h)
    http = h.store._http
    assert http.url("https://sheets.googleapis.com/v4/spreadsheets/x") == h.fake.url + "/v4/spreadsheets/x"
    assert http.url("https://example.org/a") == "https://example.org/a"
    assert RetryingHTTPClient(None, session=http.session).url("https://sheets.googleapis.com/v4") \
        == "https://sheets.googleapis.com/v4"
    assert http.timeout == (10.0, 10.0)
    with pytest.raises(ValueError):
        http.set_timeout(None)
    h.store.read([REG])
    assert all(e["path"].startswith(("/v4/", "/token")) for e in h.fake.requests())
    assert not [t for t in threading.enumerate() if "RegionalAccessBoundary" in type(t).__name__]
    assert h.fake.granted[0]["scope"] == "https://www.googleapis.com/auth/spreadsheets"
    assert "iam.gserviceaccount.com" in h.store.describe() and "PRIVATE" not in h.store.describe()


# -- grid limits -------------------------------------------------------------------------


def test_appends_beyond_the_grid_expand_it_once(h):
    h.fake.add_sheet(HIST, rows=4, cols=3)
    h.seed(HIST, ["ID Kunjungan", "Waktu Kejadian", "Ke Status"], [["V-1", 46000.1, "A"], ["V-2", 46000.2, "B"]])
    h.fake.sheet(HIST).row_count = 4
    h.store.init([TabSpec(HIST, ("ID Kunjungan", "Waktu Kejadian", "Ke Status"), datetimes=("Waktu Kejadian",))])
    h.store.read([], append_only=[HIST])
    h.reset_requests()
    h.store.write(WriteBatch(appends=[RowAppend(HIST, {"ID Kunjungan": f"V-{i}"}) for i in range(3, 13)]))
    assert [e["kind"] for e in h.fake.requests()] == ["structure", "write"]
    reqs = h.fake.requests("structure")[0]["json"]["requests"]
    assert reqs[0] == {"appendDimension": {"sheetId": h.fake.sheet(HIST).sheet_id, "dimension": "ROWS", "length": 1000}}
    assert {r["copyPaste"]["pasteType"] for r in reqs[1:]} == {"PASTE_FORMAT", "PASTE_DATA_VALIDATION"}
    assert h.fake.sheet(HIST).row_count == 1004 and len(h.table(HIST)) == 13
    assert h.fake.sheet(HIST).number_format(11, 1)["type"] == "DATE_TIME"  # new rows keep the format
    h.reset_requests()
    h.store.write(WriteBatch(appends=[RowAppend(HIST, {"ID Kunjungan": "V-13"})]))
    assert h.requests() == {"reads": 0, "writes": 1, "other": 0}


def test_a_grid_shrunk_by_a_person_is_refreshed_expanded_and_written(h):
    h.seed(HIST, ["ID Kunjungan"], [["V-1"], ["V-2"]])
    h.store.read([], append_only=[HIST])
    h.fake.sheet(HIST).row_count = 3  # someone deleted the empty rows below
    h.reset_requests()
    h.store.write(WriteBatch(appends=[RowAppend(HIST, {"ID Kunjungan": "V-3"}), RowAppend(HIST, {"ID Kunjungan": "V-4"})]))
    log = h.fake.requests()
    assert [(e["kind"], e["status"]) for e in log] == [("write", 400), ("meta", 200), ("structure", 200), ("write", 200)]
    assert [r[0] for r in h.table(HIST)] == ["ID Kunjungan", "V-1", "V-2", "V-3", "V-4"]


# -- init ------------------------------------------------------------------------------------


SPECS = [
    TabSpec(REG, tuple(HEADER) + ("Verifikasi KTP", "[Sistem] Waktu Daftar"),
            dropdowns={"Verifikasi KTP": ("Sesuai", "Tidak Sesuai")},
            protected=("[Sistem] ID Kunjungan", "[Sistem] Status", "[Sistem] Waktu Daftar"),
            plain_text=("NIK", "Nomor HP"), datetimes=("[Sistem] Waktu Daftar",)),
    TabSpec(HIST, ("ID Kunjungan", "Waktu Kejadian", "Ke Status"), protected=("ID Kunjungan",),
            datetimes=("Waktu Kejadian",)),
]


def test_init_sets_up_tabs_headers_validation_protection_formats_and_is_idempotent(h):
    h.seed(REG, ["Stempel waktu", "NIK", "Nama Lengkap", "Catatan Orang", "Nomor HP"], [[46000.5, "6171010101909991"]])  # synthetic
    report = h.store.init(SPECS)
    assert report.created_tabs == [HIST]
    assert h.table(REG)[0] == ["Stempel waktu", "NIK", "Nama Lengkap", "Catatan Orang", "Nomor HP",
                               "[Sistem] ID Kunjungan", "[Sistem] Status", "Verifikasi KTP", "[Sistem] Waktu Daftar"]
    assert h.table(REG)[1][:2] == [46000.5, "6171010101909991"]
    assert h.table(HIST)[0] == ["ID Kunjungan", "Waktu Kejadian", "Ke Status"]
    assert all(isinstance(n, str) and n for n in report.notes) and any("Dropdown" in n for n in report.notes)
    reg = h.fake.sheet(REG)
    rule = reg.validation(5, 7)
    assert rule == {"condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": "Sesuai"},
                                                                    {"userEnteredValue": "Tidak Sesuai"}]},
                    "strict": True, "showCustomUi": True}
    assert reg.validation(0, 7) is None  # not on the header
    assert reg.number_format(9, 1) == {"type": "TEXT", "pattern": "@"} == reg.number_format(9, 4)
    assert reg.number_format(9, 8)["type"] == "DATE_TIME"
    assert h.fake.sheet(HIST).number_format(3, 1)["type"] == "DATE_TIME"
    protected = sorted((p["range"]["startColumnIndex"], p["warningOnly"]) for p in reg.protected)
    assert protected == [(5, True), (6, True), (8, True)]
    assert h.fake.sheet(HIST).frozen_rows == 1
    writes = h.fake.requests("write")
    assert len(writes) == 1 and writes[0]["json"]["valueInputOption"] == "RAW"

    h.reset_requests()
    again = h.store.init(SPECS)
    assert not again.created_tabs and not again.added_headers
    assert again.notes == ["Spreadsheet sudah sesuai; tidak ada yang diubah."]
    assert [e["kind"] for e in h.fake.requests()] == ["meta", "read", "meta"]  # no structure, no write
    assert len(reg.protected) == 3 and len(h.fake.sheet(HIST).protected) == 1


def test_init_widens_a_narrow_grid_for_new_headers(h):
    h.fake.add_sheet("Sempit", rows=10, cols=2)
    h.seed("Sempit", ["A", "B"], [["x", "y"]])
    h.store.init([TabSpec("Sempit", ("A", "B", "C", "D"))])
    assert h.fake.sheet("Sempit").col_count == 4 and h.table("Sempit")[0] == ["A", "B", "C", "D"]
    snap = h.store.read(["Sempit"])  # the store knows the new tab layout without reopening
    assert snap.tab("Sempit").header == ("A", "B", "C", "D")


def test_user_entered_follows_the_cell_format_and_the_in_id_locale(h):
    """The fake parses USER_ENTERED the way Sheets does in an Indonesian spreadsheet."""
    h.seed(REG, HEADER, [])
    h.store.init([TabSpec(REG, tuple(HEADER), plain_text=("NIK",))])
    h.store.read([REG])
    typed = ["6171010101909991", "2,5", "27/11/2026", "27/11/2026 10:30:00", "1.234", "31/02/2026"]  # synthetic
    h.store._spreadsheet().values_batch_update({"valueInputOption": "USER_ENTERED", "data": [
        {"range": f"'{REG}'!B2:B3", "values": [["6171010101909991"], ["=1+1"]]},  # a Plain text column
        {"range": f"'{REG}'!D2:D7", "values": [[v] for v in typed]}]})
    t = h.table(REG)
    assert [t[1][1], t[2][1]] == ["6171010101909991", "=1+1"]  # kept exactly as typed
    coerced = 6171010101909991 // 10 * 10  # synthetic NIK as Sheets keeps it: 15 significant digits
    assert [r[3] for r in t[1:7]] == [coerced, 2.5, 46353, pytest.approx(46353.4375), 1234, "31/02/2026"]
