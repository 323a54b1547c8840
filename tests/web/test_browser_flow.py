"""Issue 11 in a real browser (Debian's chromium via Playwright) against a real
`bukutamu serve` process: a guest registers at the kiosk, the helpdesk works the
board, the officer and the guest use the local pages their emails link to, the
lobby screen shows and calls the number. Screenshots of each page at 1280x800 and
390x844; no console errors anywhere."""

from __future__ import annotations

import os
import re
import time
from datetime import date
from pathlib import Path

import pytest
import segno

from bukutamu.adapters.sqlite_store import SqliteSheetStore
from bukutamu.core.cells import serial_to_datetime
from bukutamu.core.register import read_register
from bukutamu.demo.guests import Guest
from tests.web.conftest import LPSE, OFFICERS, PASSWORDS, WIB, guests, mail_links

pytestmark = [pytest.mark.chromium, pytest.mark.slow]
SIZES = ((1280, 800), (390, 844))
BUDI = Guest(nik="6171010101909991", name="Budi Santoso", sex="LAKI-LAKI",  # synthetic
             birth_date=date(1990, 1, 1), phone="081234567890", email="budi@tamu.test",
             institution="CV Sinar Kapuas", purpose="Konsultasi paket", bidang=LPSE)


def wait_for(predicate, what: str, timeout: float = 60):
    """Waits for something the server does in the background (a mail in the outbox)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"tidak terjadi: {what}")


class Screens:
    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.errors: list[str] = []
        self.taken: list[Path] = []
        self.refusals: set[str] = set()  # pages the test expects the server to refuse (4xx)

    def allow_refusal(self, url: str) -> None:
        self.refusals.add(url)

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not (e.split(": ", 1)[0] in self.refusals
                                               and re.search(r"status of 4\d\d", e))]

    def page(self, context):
        page = context.new_page()
        page.on("console", lambda m: self.errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"{page.url}: {e}"))
        return page

    def shoot(self, page, name: str) -> None:
        start = page.viewport_size
        for w, h in SIZES:
            page.set_viewport_size({"width": w, "height": h})
            path = self.folder / f"{name}-{w}x{h}.png"
            page.screenshot(path=str(path))
            self.taken.append(path)
        page.set_viewport_size(start)


def login(screens, browser, url, name, size=(1280, 800)):
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="id-ID")
    page = screens.page(ctx)
    page.goto(url + "/masuk")
    page.fill("#nama", name)
    page.fill("#sandi", PASSWORDS[name])
    page.click("button[type=submit]")
    return page


def fill_kiosk(page, g: Guest, typed_birth: date | None = None):
    page.fill("#nik", g.nik)
    page.fill("#nama", g.name)
    page.check(f"input[name=jenis_kelamin][value={'Laki-laki' if g.sex == 'LAKI-LAKI' else 'Perempuan'}]")
    page.fill("#tanggal_lahir", (typed_birth or g.birth_date).isoformat())
    page.fill("#telepon", g.phone)
    page.fill("#email", g.email)
    page.fill("#instansi", g.institution)
    page.fill("#keperluan", g.purpose)
    page.select_option("#bidang", g.bidang)
    page.check("input[name=persetujuan]")


def row(page, queue):
    return page.locator(f"tr[data-antrian='{queue}']")


def test_guest_from_kiosk_to_selesai_in_the_browser(served, browser, tmp_path):
    from playwright.sync_api import expect
    # BUKUTAMU_LAYAR=/some/folder keeps the screenshots (default: the test's tmp dir).
    screens = Screens(Path(os.environ.get("BUKUTAMU_LAYAR") or tmp_path / "layar"))
    url = served.url

    # The admin enters the officers (Petugas tab) on /petugas.
    admin = login(screens, browser, url, "admin")
    admin.goto(url + "/petugas")
    for name, bidang, email in OFFICERS:
        admin.fill("#t-nama", name)
        admin.fill("#t-bidang", bidang)
        admin.fill("#t-email", email)
        admin.click("#tambah button[type=submit]")
        expect(admin.locator("#pesan")).to_contain_text("ditambahkan")
    expect(admin.locator("table.officers input[name=email]")).to_have_count(3)
    screens.shoot(admin, "petugas")

    # The lobby TV.
    lobby_ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="id-ID")
    lobby = screens.page(lobby_ctx)
    lobby.goto(url + "/antrian")
    lobby.click("#aktifkan-suara")
    expect(lobby.locator("#aktifkan-suara")).to_have_text("Suara aktif")

    # The guest at the kiosk tablet: the KTP rules answer as the guest types.
    kiosk_ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="id-ID")
    kiosk = screens.page(kiosk_ctx)
    kiosk.goto(url + "/daftar")
    expect(kiosk.locator("#bidang option", has_text=LPSE)).to_have_count(1)
    kiosk.fill("#nik", "61710101019")
    expect(kiosk.locator("#periksa")).to_contain_text("NIK")  # not 16 digits yet
    fill_kiosk(kiosk, BUDI, typed_birth=date(1990, 1, 2))  # a typo in the birth date
    expect(kiosk.locator("#periksa")).to_contain_text("tanggal lahir di NIK 1 Januari 1990, yang diisi 2 Januari 1990")
    assert BUDI.nik not in kiosk.locator("#periksa").inner_text()
    screens.shoot(kiosk, "daftar")
    kiosk.click("#kirim")
    expect(kiosk.locator("#nomor-antrian")).to_have_text("A-001")
    ticket_url = kiosk.url
    status_url = ticket_url.replace("/tiket?", "/status?")
    qr = segno.make(status_url, error="m").svg_inline(scale=4, border=2, omitsize=True)
    shown = kiosk.locator(".qr path").get_attribute("d")
    assert shown == re.search(r' d="([^"]+)"', qr).group(1)  # the QR leads to the guest's own page
    screens.shoot(kiosk, "tiket")
    kiosk.emulate_media(media="print")  # the ticket printers: 58 and 80 mm paper
    for mm in (58, 80):
        kiosk.evaluate(f"document.body.classList.remove('print-58', 'print-80');"
                       f"document.body.classList.add('print-{mm}')")
        assert abs(kiosk.locator(".ticket").bounding_box()["width"] - mm * 96 / 25.4) < 2
        expect(kiosk.locator(".actions")).to_be_hidden()
    kiosk.emulate_media(media="screen")
    others = guests(7, 3, date.today())
    for g in others:  # more guests the same morning
        kiosk.goto(url + "/daftar")
        fill_kiosk(kiosk, g)
        kiosk.click("#kirim")
        expect(kiosk.locator("#nomor-antrian")).to_have_text(re.compile(r"A-00[2-4]"))
    assert {BUDI.nik, *(g.nik for g in others)}.isdisjoint(kiosk.url)

    # The helpdesk PC: the guest is on the board (it refreshes itself).
    desk = login(screens, browser, url, "meja")
    expect(desk).to_have_url(re.compile(r"/meja"))
    expect(row(desk, "A-001")).to_contain_text("MENUNGGU VERIFIKASI")
    expect(row(desk, "A-004")).to_be_visible()
    screens.shoot(desk, "meja")
    expect(lobby.locator("#menunggu")).to_contain_text("A-001")
    expect(lobby.locator("#menunggu")).to_contain_text("BUDI S.")
    row(desk, "A-001").get_by_role("button", name="Panggil").click()
    expect(lobby.locator("#nomor-dipanggil")).to_have_text("A-001")
    assert lobby.locator("#dipanggil").get_attribute("data-spoken") == \
        "Nomor antrian A-001, silakan menuju meja helpdesk"
    screens.shoot(lobby, "antrian")

    # KTP does not match: Tidak Sesuai, correct the birth date, Sesuai.
    desk.locator("#cari").focus()
    desk.keyboard.type("A-001")
    expect(desk.locator("#tabel tbody tr")).to_have_count(1)
    row(desk, "A-001").get_by_role("button", name="Tidak Sesuai").click()
    expect(desk.locator("#pesan")).to_contain_text("PERLU PERBAIKAN")
    row(desk, "A-001").get_by_role("link", name="Koreksi").click()
    expect(desk.locator("#f-nik")).to_have_value(BUDI.nik)  # behind login, to compare with the KTP
    desk.fill("#f-tanggal_lahir", "01/01/1990")
    desk.click("#simpan")
    expect(desk.locator("#pesan")).to_contain_text("A-001")
    expect(desk.locator("table.log")).to_contain_text("02/01/1990")
    screens.shoot(desk, "koreksi")
    desk.locator("form.next").get_by_role("button", name="Sesuai", exact=True).click()  # back to the board
    expect(desk.locator("#pesan")).to_contain_text(re.compile("TERVERIFIKASI|PETUGAS DIHUBUNGI"))

    # The officer's phone: the email links to a local page.
    officer_links = lambda: [u for to, u in mail_links(served.outbox(), "petugas") if "andi@" in to]  # noqa: E731
    received = wait_for(lambda: [u for u in officer_links() if "aksi=diterima" in u], "email petugas")[0]
    assert received.startswith(url + "/tautan/petugas?") and BUDI.nik not in received
    phone_ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="id-ID", is_mobile=True)
    phone = screens.page(phone_ctx)
    phone.goto(received)
    expect(phone.locator("#nomor")).to_have_text("A-001")
    screens.shoot(phone, "tautan-petugas")
    phone.click("#konfirmasi")
    expect(phone.locator("#hasil")).to_have_text("Terima kasih")
    desk.goto(url + "/meja")
    expect(row(desk, "A-001")).to_contain_text("DILAYANI")

    # The helpdesk finishes the service; the guest says "belum cukup".
    row(desk, "A-001").get_by_role("button", name="Layanan Selesai").click()
    expect(desk.locator("#pesan")).to_contain_text("MENUNGGU UMPAN BALIK")
    guest_links = lambda: [u for to, u in mail_links(served.outbox(), "umpan-balik") if "budi@" in to]  # noqa: E731
    first = wait_for(guest_links, "email umpan balik")[0]
    guest_ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="id-ID", is_mobile=True)
    guest = screens.page(guest_ctx)
    guest.goto(first)
    screens.shoot(guest, "umpan-balik")
    guest.check("#belum")
    screens.allow_refusal(first)
    guest.click("#kirim")
    expect(guest.locator("#ditolak")).to_contain_text("Tuliskan")  # a note is needed
    guest.check("#belum")
    guest.fill("#catatan", "Mohon jadwal klarifikasi dokumen")
    guest.click("#kirim")
    expect(guest.locator("#hasil")).to_have_text("Terima kasih")

    # Round 2: the officer is told again and closes the service from the new email.
    done2 = wait_for(lambda: [u for u in officer_links() if "aksi=layanan_selesai" in u][1:], "email putaran 2")[0]
    phone.goto(done2)
    phone.click("#konfirmasi")
    expect(phone.locator("#hasil")).to_have_text("Terima kasih")
    old = [u for u in officer_links() if "aksi=layanan_selesai" in u][0]
    screens.allow_refusal(old)
    phone.goto(old)  # round 1's link: no longer valid
    expect(phone.locator("#hasil")).to_have_text("Tautan tidak berlaku")

    # The guest is satisfied now and answers the 9 SKM questions.
    second = wait_for(lambda: guest_links()[1:], "email umpan balik putaran 2")[0]
    guest.goto(second)
    guest.check("#cukup")
    for i in range(1, 10):
        guest.check(f"input[name=u{i}][value='{4 if i % 3 else 3}']")
    guest.click("#kirim")
    expect(guest.locator("#hasil")).to_have_text("Terima kasih")
    guest.goto(first)  # the first link again: used
    expect(guest.locator("#hasil")).to_have_text("Tautan tidak berlaku")

    # The helpdesk closes the visit.
    desk.goto(url + "/meja")
    row(desk, "A-001").get_by_role("button", name="Kunjungan Ditutup").click()
    expect(desk.locator("#pesan")).to_contain_text("SELESAI")
    # Keyboard only: "/" jumps to the search, Tab reaches the first button of the row.
    desk.locator("body").press("/")
    expect(desk.locator("#cari")).to_be_focused()
    desk.keyboard.type("A-002")
    expect(desk.locator("#tabel tbody tr")).to_have_count(1)
    expect(row(desk, "A-002")).to_be_visible()
    desk.keyboard.press("Tab")
    desk.keyboard.press("Tab")
    expect(row(desk, "A-002").get_by_role("button", name="Sesuai", exact=True)).to_be_focused()
    desk.keyboard.press("Enter")
    expect(desk.locator("#pesan")).to_contain_text(re.compile("A-002: status sekarang (TERVERIFIKASI|PETUGAS)"))
    guest.goto(status_url)
    expect(guest.locator("#status")).to_have_text("SELESAI")
    screens.shoot(guest, "status")

    # The manager's reports page.
    boss = login(screens, browser, url, "kabiro")
    expect(boss).to_have_url(re.compile(r"/laporan"))
    screens.shoot(boss, "laporan")
    visitor = screens.page(browser.new_context(viewport={"width": 1280, "height": 800}, locale="id-ID"))
    visitor.goto(url + "/")
    screens.shoot(visitor, "beranda")
    visitor.click("text=Masuk (helpdesk, admin, pimpinan)")
    expect(visitor.locator("#nama")).to_be_focused()
    screens.shoot(visitor, "masuk")

    # Every step of the visit is timed, the loop kept; nothing leaked.
    store = SqliteSheetStore(served.data / "bukutamu.sqlite")
    try:
        snap = store.read(["Jawaban Formulir 1", "Riwayat", "Umpan Balik"])
        view = read_register(snap.tab("Jawaban Formulir 1"))
        budi = next(r for r in view.rows if r.text("antrian") == "A-001")
        assert budi.text("status") == "SELESAI" and budi.text("tanggal_lahir") == "01/01/1990"
        for key in ("waktu_daftar", "waktu_verifikasi", "waktu_perbaikan", "waktu_dihubungi", "waktu_diterima",
                    "waktu_selesai_layanan", "waktu_umpan_balik", "waktu_ditutup"):
            assert budi.moment(key, WIB) is not None, key
        hist = snap.tab("Riwayat")
        ix = {h: i for i, h in enumerate(hist.header)}
        steps = [(r.values[ix["Langkah"]], r.values[ix["Ke Status"]], r.values[ix["Sumber"]])
                 for r in hist.rows if r.values[ix["ID Kunjungan"]] == budi.visit_id]
        fixes = [r.values[ix["Keterangan"]] for r in hist.rows
                 if r.values[ix["ID Kunjungan"]] == budi.visit_id and not r.values[ix["Langkah"]]]
        assert fixes == ["koreksi data tamu: Tanggal Lahir"]  # the board's correction, in the history log
        steps = [s for s in steps if s[0]]
        assert steps == [(2, "MENUNGGU VERIFIKASI", "formulir"), (3, "PERLU PERBAIKAN", "helpdesk"),
                         (4, "TERVERIFIKASI", "helpdesk"), (5, "PETUGAS DIHUBUNGI", "sistem"),
                         (6, "DILAYANI", "tautan-petugas"), (7, "MENUNGGU UMPAN BALIK", "helpdesk"),
                         (8, "DILAYANI", "tautan-umpan-balik"), (7, "MENUNGGU UMPAN BALIK", "tautan-petugas"),
                         (8, "MENUNGGU HELPDESK", "tautan-umpan-balik"), (9, "SELESAI", "helpdesk")]
        times = [serial_to_datetime(r.values[ix["Waktu Kejadian"]], WIB) for r in hist.rows
                 if r.values[ix["ID Kunjungan"]] == budi.visit_id]
        assert times == sorted(times)
        fb = snap.tab("Umpan Balik")
        answers = [dict(zip(fb.header, r.values)) for r in fb.rows]
        assert [a["[Sistem] Diproses"].split(":")[0] for a in answers] == ["OK", "OK"]
        assert answers[1]["U9 Sarana dan Prasarana"] == 3 and answers[1]["U1 Persyaratan"] == 4
    finally:
        store.close()
    logs = served.stop()
    for nik in (BUDI.nik, *(g.nik for g in others)):
        assert nik not in logs
    assert screens.unexpected() == [], "\n".join(screens.errors)
    assert len(screens.taken) == 2 * 12
    assert all(p.stat().st_size < 400_000 for p in screens.taken)
