"""`bukutamu serve` with several offices in one config: each office's pages under
/<slug>/ over its own store, poller and users; an index at /; an office another
process already serves is reported and left out. Plain HTTP against the real process."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from datetime import datetime

import requests

from bukutamu.adapters.sqlite_store import SqliteSheetStore
from bukutamu.core.register import read_register
from tests.web.conftest import KEY, PASSWORDS, WIB, cli, csrf_of, free_port, guests, kiosk_fields, start_serve
from tests.fakes.waiting import wait_for

OFFICES = {"biro-pbj": "Biro PBJ Uji", "dinas-pu": "Dinas PU Uji"}




def test_each_office_answers_under_its_own_path(tmp_path):
    port = free_port()
    cfg = tmp_path / "bukutamu.toml"
    cfg.write_text(f'[poll]\ninterval_seconds = 2\n[web]\nport = {port}\nkiosk_per_minute = 100\n'
                   f'base_url = "http://127.0.0.1:{port}"\n'
                   + "".join(f'[offices.{slug}.office]\nname = "{name}"\n' for slug, name in OFFICES.items())
                   # an office already served by another process: reported, the others still serve
                   + '[offices.baru.office]\nname = "Kantor Baru Uji"\n', encoding="utf-8")
    for slug in (*OFFICES, "baru"):
        assert cli(cfg, "--kantor", slug, "init").returncode == 0
    made = cli(cfg, "--kantor", "dinas-pu", "pengguna", "tambah", "meja", "--peran", "helpdesk", "--sandi-stdin",
               stdin=PASSWORDS["meja"] + "\n")
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "data" / "dinas-pu" / "web.sqlite").exists()
    bare = cli(cfg, "pengguna", "daftar")
    assert bare.returncode == 2 and "biro-pbj, dinas-pu" in bare.stderr

    env = {**os.environ, "BUKUTAMU_HMAC_KEY": KEY, "BUKUTAMU_DATA": str(tmp_path / "data")}
    other = subprocess.Popen([sys.executable, "-m", "bukutamu", "--config", str(cfg), "--kantor", "baru", "run"],
                             cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert wait_for(lambda: (tmp_path / "data" / "baru" / "status.json").exists())
    proc = start_serve(cfg)
    try:
        line = proc.stdout.readline()
        url = f"http://127.0.0.1:{port}"
        assert f"{url}/biro-pbj/" in line and f"{url}/dinas-pu/" in line, line
        index = requests.get(url + "/")
        assert index.status_code == 200 and "Content-Security-Policy" in index.headers
        assert all(name in index.text and f'href="/{slug}/daftar"' in index.text for slug, name in OFFICES.items())
        assert "Kantor Baru Uji (baru) — <b>tidak berjalan</b>" in index.text
        assert requests.get(url + "/baru/daftar").status_code == 404
        assert requests.get(url + "/daftar").status_code == 404

        a, b = (requests.Session() for _ in OFFICES)
        page_a, page_b = a.get(url + "/biro-pbj/daftar").text, b.get(url + "/dinas-pu/daftar").text
        assert "Biro PBJ Uji" in page_a and "Dinas PU Uji" not in page_a
        assert "Dinas PU Uji" in page_b and "Biro PBJ Uji" not in page_b
        assert 'action="/biro-pbj/daftar"' in page_a and 'src="/biro-pbj/static/' in page_a
        lobby = a.get(url + "/biro-pbj/antrian").text
        assert 'data-url="/biro-pbj/antrian/data"' in lobby
        assert a.get(url + "/biro-pbj/antrian/data").json()["waiting"] == []

        # A guest at office A's kiosk gets A's number and lands in A's store only.
        g = guests(5, 1, datetime.now(WIB).date())[0]
        r = a.post(url + "/biro-pbj/daftar", data={"csrf": csrf_of(page_a), **kiosk_fields(g)}, timeout=60)
        assert re.search(r'id="nomor-antrian">A-001<', r.text), r.text[:500]
        # Sessions are per office: office A's CSRF token is no good at office B.
        refused = a.post(url + "/dinas-pu/daftar", data={"csrf": csrf_of(page_a), **kiosk_fields(g)})
        assert refused.status_code == 400
        login = b.post(url + "/dinas-pu/masuk", data={"csrf": csrf_of(b.get(url + "/dinas-pu/masuk").text),
                                                      "nama": "meja", "sandi": PASSWORDS["meja"]},
                       allow_redirects=False)
        assert login.status_code == 302 and login.headers["Location"].startswith("/dinas-pu/")
        assert b.get(url + "/dinas-pu/meja").status_code == 200
        assert b.get(url + "/biro-pbj/meja", allow_redirects=False).status_code == 302  # no user there
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=60)
        other.terminate()
        other.communicate(timeout=60)
    assert proc.returncode == 0 and "Traceback" not in err, err
    assert "Kantor baru tidak bisa berjalan: Poller lain sedang berjalan" in err
    assert "berhenti dengan bersih" in out
    rows = {}
    for slug in OFFICES:
        store = SqliteSheetStore(tmp_path / "data" / slug / "bukutamu.sqlite")
        try:
            rows[slug] = [r.text("nik") for r in read_register(store.read(["Jawaban Formulir 1"])
                                                                .tab("Jawaban Formulir 1")).rows]
        finally:
            store.close()
    assert rows == {"biro-pbj": [g.nik], "dinas-pu": []}
    db = sqlite3.connect(tmp_path / "data" / "biro-pbj" / "web.sqlite")
    assert db.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 0
    db.close()
