"""The pages in process (Flask test client) on a clock the test controls: many
guests over two days through the kiosk, the board's filters, clock colours and
refusals, the officers page, the lobby data."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from bukutamu.adapters.sqlite_store import SqliteSheetStore
from tests.web.conftest import LPSE, WIB, csrf_of, guests, kiosk_fields

DAY1 = datetime(2026, 11, 25, 9, 0, tzinfo=WIB)  # Wednesday
DAY2 = datetime(2026, 11, 26, 8, 0, tzinfo=WIB)


def board_rows(html: str) -> list[str]:
    return re.findall(r'data-antrian="([^"]+)"', html)


def test_two_days_of_guests_numbers_restart_and_the_board_shows_today(office):
    kiosk = office.client()
    day1 = guests(21, 8, DAY1.date())
    numbers = []
    for i, g in enumerate(day1):
        office.set_time(DAY1 + timedelta(minutes=3 * i))
        numbers.append(office.register(kiosk, g)[1])
    assert numbers == [f"A-{n:03d}" for n in range(1, 9)]
    desk = office.login(office.client(), "meja")
    assert board_rows(desk.get("/meja").get_data(as_text=True)) == numbers

    office.set_time(DAY2)
    day2 = guests(22, 3, DAY2.date())
    again = office.register(kiosk, day1[0])  # yesterday's guest comes back: a new day, a new number
    assert again == (302, "A-001")
    assert [office.register(kiosk, g)[1] for g in day2] == ["A-002", "A-003", "A-004"]
    html = desk.get("/meja?tampil=semua").get_data(as_text=True)
    assert board_rows(html) == ["A-001", "A-002", "A-003", "A-004"]
    lobby = office.client().get("/antrian/data").get_json()
    assert [x["antrian"] for x in lobby["waiting"]] == ["A-001", "A-002", "A-003", "A-004"]
    assert all(re.fullmatch(r"[A-Z]+( [A-Z]\.)*", x["nama"]) for x in lobby["waiting"])  # masked names only


def test_kiosk_refuses_what_the_google_form_refuses_and_saves_nothing(office):
    c = office.client()
    g = guests(23, 1, DAY1.date())[0]
    token = csrf_of(c.get("/daftar").get_data(as_text=True))
    bad = {**kiosk_fields(g, bidang=LPSE), "nik": g.nik[:15], "persetujuan": "", "instansi": ""}
    r = c.post("/daftar", data={"csrf": token, **bad})
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "NIK harus 16 angka" in html and "Instansi wajib diisi" in html and "Centang persetujuan" in html
    r = c.post("/daftar", data={"csrf": token, **kiosk_fields(g, bidang="Bidang Rekaan")})
    assert r.status_code == 400 and "Pilih bidang dari daftar" in r.get_data(as_text=True)
    store = SqliteSheetStore(office.settings.store.path)
    try:
        assert not [x for x in store.read(["Jawaban Formulir 1"]).tab("Jawaban Formulir 1").rows if any(x.values)]
    finally:
        store.close()
    assert office.register(c, g, bidang=LPSE) == (302, "A-001")
    code, html = office.register(c, g, bidang=LPSE)
    assert code == 409 and "sudah terdaftar hari ini dengan nomor antrian A-001" in html


def test_inline_ktp_check_names_the_field_without_the_nik(office):
    c = office.client()
    g = guests(24, 1, DAY1.date())[0]
    token = csrf_of(c.get("/daftar").get_data(as_text=True))
    fields = kiosk_fields(g, bidang=LPSE, birth=g.birth_date + timedelta(days=1))
    html = c.post("/daftar/periksa", data={"csrf": token, **fields, "telepon": "12345"}).get_data(as_text=True)
    assert 'data-field="nik"' in html and "tanggal lahir di NIK" in html
    assert 'data-field="telepon"' in html
    assert g.nik not in html
    clean = c.post("/daftar/periksa", data={"csrf": token, **kiosk_fields(g, bidang=LPSE)}).get_data(as_text=True)
    assert "<li" not in clean


def test_board_search_filters_colours_refusals_and_call(office):
    kiosk = office.client()
    people = guests(25, 5, DAY1.date())
    for g in people:
        office.register(kiosk, g, bidang=LPSE)
    desk = office.login(office.client(), "meja")
    first = people[1].name.split()[0]
    assert "A-002" in board_rows(desk.get(f"/meja/tabel?cari={first}").get_data(as_text=True))
    assert board_rows(desk.get("/meja/tabel?cari=a003").get_data(as_text=True)) == ["A-003"]

    office.set_time(DAY1 + timedelta(minutes=5))
    assert 'data-antrian="A-001"' in desk.get("/meja").get_data(as_text=True)
    assert re.search(r'class="lvl-aman" data-antrian="A-001"', desk.get("/meja/tabel").get_data(as_text=True))
    office.set_time(DAY1 + timedelta(minutes=12))
    assert re.search(r'class="lvl-hampir" data-antrian="A-001"', desk.get("/meja/tabel").get_data(as_text=True))
    office.set_time(DAY1 + timedelta(minutes=20))
    html = desk.get("/meja/tabel").get_data(as_text=True)
    assert re.search(r'class="lvl-lewat" data-antrian="A-001"', html) and "lewat 5 mnt" in html

    vid = re.search(r'id="v-([^"]+)" class="[^"]*" data-antrian="A-001"', html).group(1)
    token = csrf_of(html) if 'name="csrf"' in html else office.csrf(desk, "/meja")
    r = desk.post("/meja/aksi", data={"csrf": token, "kunjungan": vid, "aksi": "Kunjungan Ditutup"})
    shown = desk.get(r.headers["Location"]).get_data(as_text=True)
    assert 'id="ditolak"' in shown and "tidak berlaku saat status MENUNGGU VERIFIKASI" in shown
    r = desk.post("/meja/aksi", data={"csrf": token, "kunjungan": vid, "aksi": "Tamu Pergi"})
    assert "BATAL" in desk.get(r.headers["Location"]).get_data(as_text=True)
    assert "A-001" not in board_rows(desk.get("/meja/tabel").get_data(as_text=True))
    assert board_rows(desk.get("/meja/tabel?tampil=selesai").get_data(as_text=True)) == ["A-001"]

    vid2 = re.search(r'id="v-([^"]+)" class="[^"]*" data-antrian="A-002"', desk.get("/meja/tabel").get_data(
        as_text=True)).group(1)
    desk.post("/meja/panggil", data={"csrf": token, "kunjungan": vid2})
    assert office.client().get("/antrian/data").get_json()["call"]["antrian"] == "A-002"
    office.set_time(DAY1 + timedelta(minutes=40))
    assert office.client().get("/antrian/data").get_json()["call"] is None  # shown for 15 minutes


def test_officers_page_adds_edits_and_deactivates(office):
    admin = office.login(office.client(), "admin")
    html = admin.get("/petugas").get_data(as_text=True)
    ref = re.search(r'name="baris" value="(\d+)"', html).group(1)
    token = csrf_of(html)
    r = admin.post("/petugas", data={"csrf": token, "ubah": "simpan", "baris": ref, "nama": "Andi Petugas",
                                     "bidang": LPSE, "email": "andi.baru@biro.test", "aktif": "Ya",
                                     "email_cadangan": "wakil@biro.test"})
    assert r.status_code == 302
    admin.post("/petugas", data={"csrf": token, "ubah": "nonaktif", "baris": ref})
    r = admin.post("/petugas", data={"csrf": token, "ubah": "tambah", "nama": "X", "bidang": "Y", "email": "bukan"})
    assert r.status_code == 400 and "Email petugas tidak sah" in r.get_data(as_text=True)
    store = SqliteSheetStore(office.settings.store.path)
    try:
        tab = store.read(["Petugas"]).tab("Petugas")
        rows = [dict(zip(tab.header, r.values)) for r in tab.rows]
    finally:
        store.close()
    assert rows[0] == {"Nama": "Andi Petugas", "Bidang": LPSE, "Email": "andi.baru@biro.test", "Aktif": "Tidak",
                       "Email Cadangan": "wakil@biro.test"}
    assert len(rows) == 3
    # the kiosk offers only the bidang of active officers
    kiosk = office.client().get("/daftar").get_data(as_text=True)
    assert f'<option value="{LPSE}"' not in kiosk


def test_manager_builds_and_opens_the_weekly_report(office, tmp_path):
    kiosk = office.client()
    desk = office.login(office.client(), "meja")
    for i, g in enumerate(guests(26, 6, DAY1.date())):
        office.set_time(DAY1 + timedelta(minutes=10 * i))
        office.register(kiosk, g, bidang=LPSE)
    html = desk.get("/meja").get_data(as_text=True)
    token = csrf_of(html)
    for vid in re.findall(r'id="v-([^"]+)"', html)[:3]:
        desk.post("/meja/aksi", data={"csrf": token, "kunjungan": vid, "verifikasi": "Sesuai"})
    office.set_time(datetime(2026, 11, 30, 8, 0, tzinfo=WIB))  # the Monday after
    boss = office.login(office.client(), "kabiro")
    r = boss.post("/laporan", data={"csrf": office.csrf(boss, "/laporan")})
    assert r.status_code == 302
    page = boss.get("/laporan").get_data(as_text=True)
    assert "Laporan 2026-W48 dibuat" in page and "/laporan/2026-W48/laporan.xlsx" in page
    report = boss.get("/laporan/2026-W48/laporan.html")
    assert report.status_code == 200 and "script-src" not in report.headers["Content-Security-Policy"]
    assert "default-src 'none'" in report.headers["Content-Security-Policy"]
    xlsx = boss.get("/laporan/2026-W48/laporan.xlsx")
    assert xlsx.data[:2] == b"PK" and "attachment" in xlsx.headers["Content-Disposition"]
    assert boss.get("/laporan/..%2F..%2Fetc/passwd").status_code == 404
    assert boss.get("/laporan/2026-W48/..%2Fkunci-hmac").status_code == 404


def test_guest_without_email_gives_feedback_from_the_ticket_qr_page(office):
    kiosk = office.client()
    g = guests(27, 1, DAY1.date())[0]
    token = csrf_of(kiosk.get("/daftar").get_data(as_text=True))
    r = kiosk.post("/daftar", data={"csrf": token, **kiosk_fields(g, bidang=LPSE), "email": ""})
    ticket = r.headers["Location"]
    status_url = ticket.replace("/tiket?", "/status?")
    guest = office.client()  # the guest's phone, from the QR code
    assert "MENUNGGU VERIFIKASI" in guest.get(status_url).get_data(as_text=True)
    desk = office.login(office.client(), "meja")
    vid = re.search(r"kunjungan=([^&]+)", ticket).group(1)
    for field, value in (("verifikasi", "Sesuai"), ("aksi", "Tamu Diterima"), ("aksi", "Layanan Selesai")):
        r = desk.post("/meja/aksi", data={"csrf": office.csrf(desk, "/meja"), "kunjungan": vid, field: value})
        assert 'id="pesan"' in desk.get(r.headers["Location"]).get_data(as_text=True), value
    page = guest.get(status_url).get_data(as_text=True)
    assert "MENUNGGU UMPAN BALIK" in page
    link = re.search(r'id="isi-umpan-balik" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    form = guest.get(link).get_data(as_text=True)
    answers = {f"u{i}": "3" for i in range(1, 10)}
    r = guest.post("/tautan/umpan-balik", data={"csrf": csrf_of(form), "kunjungan": vid,
                                                "token": re.search(r"token=([^&]+)", link).group(1),
                                                "cukup": "cukup", **answers})
    assert r.status_code == 200 and "Terima kasih" in r.get_data(as_text=True)
    assert "MENUNGGU HELPDESK" in guest.get(status_url).get_data(as_text=True)
    assert 'id="isi-umpan-balik"' not in guest.get(status_url).get_data(as_text=True)
    assert guest.get(link).status_code == 403  # used
