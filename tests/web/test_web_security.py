"""Security list of issue 11: each attempt is refused and changes nothing."""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta

from bukutamu.adapters.sqlite_store import SqliteSheetStore
from bukutamu.core.register import read_register
from tests.web.conftest import LPSE, PASSWORDS, csrf_of, guests, kiosk_fields, mail_links

TODAY = date(2026, 11, 25)


def rows(op, tab):
    store = SqliteSheetStore(op.settings.store.path)
    try:
        return store.read([tab]).tab(tab)
    finally:
        store.close()


def visit(op, queue):
    view = read_register(rows(op, op.settings.tabs.register), op.settings.columns)
    return next(r for r in view.rows if r.text("antrian") == queue)


def drive_to_officer_notice(op, g):
    """Kiosk -> board Sesuai -> the engine mails the officer; returns the officer link URLs."""
    kiosk = op.client()
    code, queue = op.register(kiosk, g, bidang=LPSE)
    assert code == 302
    desk = op.login(op.client(), "meja")
    vid = visit(op, queue).visit_id
    r = desk.post("/meja/aksi", data={"csrf": op.csrf(desk, "/meja"), "kunjungan": vid, "verifikasi": "Sesuai"})
    assert r.status_code == 302
    op.rt.runner.cycle_now()  # the send is reflected: PETUGAS DIHUBUNGI
    assert visit(op, queue).text("status") == "PETUGAS DIHUBUNGI"
    links = [url for _, url in mail_links((op.settings.data_dir / "outbox").glob("*.eml"), "petugas")]
    return queue, vid, links


def path_of(url):
    return url.split("8080", 1)[1]


def test_csrf_missing_or_wrong_is_refused_and_nothing_is_saved(office):
    c = office.client()
    g = guests(1, 1, TODAY)[0]
    c.get("/daftar")
    for token in (None, "salah"):
        data = kiosk_fields(g, bidang=LPSE)
        if token:
            data["csrf"] = token
        r = c.post("/daftar", data=data)
        assert r.status_code == 400 and "Formulir kedaluwarsa" in r.get_data(as_text=True)
    assert not [r for r in rows(office, office.settings.tabs.register).rows if any(r.values)]
    code, queue = office.register(c, g, bidang=LPSE)
    desk = office.login(office.client(), "meja")
    vid = visit(office, queue).visit_id
    r = desk.post("/meja/aksi", data={"kunjungan": vid, "verifikasi": "Sesuai"})
    assert r.status_code == 400
    assert visit(office, queue).text("status") == "MENUNGGU VERIFIKASI"
    r = desk.post("/keluar")  # logout needs the token too
    assert r.status_code == 400


def test_wrong_role_and_no_login_are_refused(office):
    anon = office.client()
    for path in ("/meja", "/petugas", "/laporan", "/meja/tabel"):
        r = anon.get(path)
        assert r.status_code == 302 and r.headers["Location"].startswith("/masuk")
    desk = office.login(office.client(), "meja")
    assert desk.get("/petugas").status_code == 403
    assert desk.get("/laporan").status_code == 403
    r = desk.post("/petugas", data={"csrf": office.csrf(desk, "/meja"), "ubah": "tambah", "nama": "X",
                                    "bidang": "Y", "email": "x@biro.test"})
    assert r.status_code == 403
    boss = office.login(office.client(), "kabiro")
    assert boss.get("/meja").status_code == 403
    assert boss.get("/laporan").status_code == 200
    assert len(rows(office, "Petugas").rows) == 3


def test_deactivated_user_is_logged_out(office):
    from tests.web.conftest import cli
    desk = office.login(office.client(), "meja")
    assert desk.get("/meja").status_code == 200
    assert cli(office.cfg, "pengguna", "nonaktif", "meja").returncode == 0
    assert desk.get("/meja").status_code == 302


def test_tampered_expired_and_replayed_officer_tokens_are_refused(office):
    g = guests(2, 1, TODAY)[0]
    queue, vid, links = drive_to_officer_notice(office, g)
    received = next(l for l in links if "aksi=diterima" in l)
    c = office.client()
    token = re.search(r"token=([^&]+)", received).group(1)
    tampered = received.replace(token, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    r = c.get(path_of(tampered))
    assert r.status_code == 403 and "tidak sah" in r.get_data(as_text=True)
    other = received.replace(f"kunjungan={vid}", "kunjungan=20261125-A999")
    assert c.get(path_of(other)).status_code == 403
    # posting a tampered token directly is refused the same way, and writes no row
    page = c.get(path_of(received)).get_data(as_text=True)
    r = c.post("/tautan/petugas", data={"csrf": csrf_of(page), "kunjungan": vid, "aksi": "diterima",
                                        "token": token[:-2] + "AA"})
    assert r.status_code == 403
    assert not [x for x in rows(office, "Konfirmasi").rows if any(x.values)]
    # expired: 49 hours later (links are valid 48 hours)
    saved = office.clock["now"]
    office.set_time(saved + timedelta(hours=49))
    r = c.get(path_of(received))
    assert r.status_code == 403 and "kedaluwarsa" in r.get_data(as_text=True)
    office.set_time(saved)
    # used once: accepted; replayed: refused, the visit does not move twice
    page = c.get(path_of(received)).get_data(as_text=True)
    r = c.post("/tautan/petugas", data={"csrf": csrf_of(page), "kunjungan": vid, "aksi": "diterima",
                                        "token": token})
    assert r.status_code == 200 and "Terima kasih" in r.get_data(as_text=True)
    assert visit(office, queue).text("status") == "DILAYANI"
    r = c.get(path_of(received))
    assert r.status_code == 403 and "sudah dipakai" in r.get_data(as_text=True)
    r = c.post("/tautan/petugas", data={"csrf": csrf_of(page), "kunjungan": vid, "aksi": "diterima",
                                        "token": token})
    assert r.status_code == 403
    assert len([x for x in rows(office, "Konfirmasi").rows if any(x.values)]) == 1


def test_no_nik_in_any_unauthenticated_response_or_url(office):
    people = guests(3, 6, TODAY)
    c = office.client()
    seen: list[str] = []
    locations: list[str] = []
    for g in people:
        token = office.csrf(c, "/daftar")
        r = c.post("/daftar", data={"csrf": token, **kiosk_fields(g, bidang=LPSE)})
        locations.append(r.headers.get("Location", ""))
        seen.append(c.get(r.headers["Location"]).get_data(as_text=True))
        # the QR on the ticket leads to the guest's status page: opened on the guest's phone
        seen.append(office.client().get(r.headers["Location"].replace("/tiket?", "/status?")).get_data(as_text=True))
        assert "Nomor antrian" in seen[-1]
    _, again = office.register(c, people[0], bidang=LPSE)  # refused duplicate: says why, no NIK
    seen.append(again)
    for path in ("/", "/daftar", "/antrian", "/antrian/data", "/masuk", "/tidak-ada", "/status?kunjungan=x&token=y",
                 "/tautan/petugas?kunjungan=x&aksi=diterima&token=y"):
        seen.append(c.get(path).get_data(as_text=True))
    for g in people:
        data = {"csrf": office.csrf(c, "/daftar"), **kiosk_fields(g, bidang=LPSE)}
        seen.append(c.post("/daftar/periksa", data=data).get_data(as_text=True))
        refused = c.post("/daftar", data={**data, "bidang": "Bidang Rekaan"})  # the form comes back with errors
        assert refused.status_code == 400 and "ketik ulang NIK" in refused.get_data(as_text=True)
        seen.append(refused.get_data(as_text=True))
    text = "\n".join(seen + locations)
    for g in people:
        assert g.nik not in text and g.nik[6:] not in text
    assert "A-006" in text and "DUPLIKAT" not in text  # the duplicate never reached the register


def test_login_attempts_are_limited_and_logged_without_passwords(office, caplog):
    caplog.set_level(logging.INFO, logger="bukutamu.web")
    c = office.client()
    for _ in range(5):
        token = office.csrf(c)
        r = c.post("/masuk", data={"csrf": token, "nama": "meja", "sandi": "tebakan-salah-123"})
        assert r.status_code == 401
    token = office.csrf(c)
    r = c.post("/masuk", data={"csrf": token, "nama": "meja", "sandi": PASSWORDS["meja"]})
    assert r.status_code == 429  # even the right password waits now
    assert "tebakan-salah-123" not in caplog.text and PASSWORDS["meja"] not in caplog.text
    assert "Login gagal" in caplog.text and "'meja'" in caplog.text
    # another user from the same address is not locked out
    office.login(office.client(), "admin")


def test_cookies_csp_and_pages_without_inline_script_or_style(office):
    c = office.client()
    r = c.get("/daftar")
    cookie = r.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert r.headers["Referrer-Policy"] == "no-referrer"
    desk = office.login(office.client(), "meja")
    admin = office.login(office.client(), "admin")
    pages = [c.get(p).get_data(as_text=True) for p in ("/", "/daftar", "/antrian", "/masuk")]
    pages += [desk.get("/meja").get_data(as_text=True), admin.get("/petugas").get_data(as_text=True)]
    for html in pages:
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
        assert not re.search(r"\sstyle=", html) and "<style" not in html, "inline style"
        assert not re.search(r"\son[a-z]+=", html), "inline event handler"
        assert "http://" not in html.replace("http://127.0.0.1", "") and "https://" not in html


def test_kiosk_is_rate_limited(office):
    office.app.kiosk_limit.limit = 3
    c = office.client()
    codes = [office.register(c, g, bidang=LPSE)[0] for g in guests(4, 5, TODAY)]
    assert codes == [302, 302, 302, 429, 429]


def test_login_redirects_only_inside_the_site(office):
    c = office.client()
    for target, expected in (("/meja", "/meja"), ("//evil.example", "/meja"), ("/\\evil.example", "/meja"),
                             ("https://evil.example/", "/meja")):
        page = c.get("/masuk").get_data(as_text=True)
        r = c.post("/masuk", data={"csrf": csrf_of(page), "nama": "meja", "sandi": PASSWORDS["meja"],
                                   "lanjut": target})
        assert r.headers["Location"] == expected
        c.post("/keluar", data={"csrf": csrf_of(c.get("/meja").get_data(as_text=True))})
