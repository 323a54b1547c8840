"""Fixtures for the web front: an office set up the way a user sets it up
(`bukutamu init`, users by `bukutamu pengguna`, officers on the /petugas page),
guests registered through the kiosk, actions through the board."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bukutamu.demo.guests import Guest, make_guest

WIB = ZoneInfo("Asia/Pontianak")
KEY = "kunci-uji-web-yang-cukup-panjang-0123456789"
PASSWORDS = {"meja": "sandi-meja-rahasia-1", "admin": "sandi-admin-rahasia-1", "kabiro": "sandi-kabiro-rahasia-1"}
ROLES = {"meja": "helpdesk", "admin": "admin", "kabiro": "manager"}
LPSE = "Bagian Pengelolaan LPSE"
OFFICERS = [("Andi Petugas", LPSE, "andi@biro.test"),
            ("Sari Pembina", "Bagian Pembinaan dan Advokasi PBJ", "sari@biro.test"),
            ("Dedi Pengadaan", "Bagian Pengelolaan Pengadaan Barang/Jasa", "dedi@biro.test")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_config(tmp_path: Path, port: int, **extra: str) -> Path:
    cfg = tmp_path / "bukutamu.toml"
    web = "\n".join(f"{k} = {v}" for k, v in extra.items())
    cfg.write_text(f'''
[office]
helpdesk_email = "helpdesk@biro.test"
[store]
path = "{tmp_path / 'data' / 'bukutamu.sqlite'}"
[poll]
interval_seconds = 2
[web]
host = "127.0.0.1"
port = {port}
base_url = "http://127.0.0.1:{port}"
{web}
''')
    return cfg


def cli(cfg: Path, *args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "BUKUTAMU_HMAC_KEY": KEY, "BUKUTAMU_DATA": str(cfg.parent / "data")}
    return subprocess.run([sys.executable, "-m", "bukutamu", "--config", str(cfg), *args], input=stdin,
                          capture_output=True, text=True, env=env, cwd=cwd or cfg.parent, timeout=120)


def setup_office(cfg: Path) -> None:
    out = cli(cfg, "init")
    assert out.returncode == 0, out.stderr
    for name, password in PASSWORDS.items():
        out = cli(cfg, "pengguna", "tambah", name, "--peran", ROLES[name], "--sandi-stdin", stdin=password + "\n")
        assert out.returncode == 0, out.stderr


def guests(seed: int, n: int, today: date) -> list[Guest]:
    """Synthetic guests with distinct NIKs (serials 9991-9999), some with an email."""
    rng = random.Random(seed)
    out, seen = [], set()
    while len(out) < n:
        g = make_guest(rng, today)
        if g.nik not in seen:
            seen.add(g.nik)
            out.append(g)
    return out


def kiosk_fields(g: Guest, birth: date | None = None, bidang: str | None = None) -> dict[str, str]:
    return {"nik": g.nik, "nama": g.name, "jenis_kelamin": "Laki-laki" if g.sex == "LAKI-LAKI" else "Perempuan",
            "tanggal_lahir": (birth or g.birth_date).isoformat(), "telepon": g.phone, "email": g.email,
            "instansi": g.institution, "keperluan": g.purpose, "bidang": bidang or g.bidang, "persetujuan": "ya"}


def mail_links(paths, kind: str) -> list[tuple[str, str]]:
    """(recipient, link) for every /tautan/<kind> link in the given .eml files, in order."""
    import email
    from email import policy
    out = []
    for p in paths:
        msg = email.message_from_bytes(Path(p).read_bytes(), policy=policy.default)
        body = msg.get_body(("html",)).get_content()
        for url in re.findall(r'href="([^"]+)"', body):
            url = url.replace("&amp;", "&")
            if f"/tautan/{kind}?" in url:
                out.append((str(msg["To"]), url))
    return out


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


# --- in process: the Flask app on a clock the test controls ---------------------------------

@dataclass
class InProcess:
    cfg: Path
    settings: object
    app: object
    clock: dict
    rt: object

    def client(self):
        return self.app.test_client()

    def set_time(self, moment: datetime) -> None:
        self.clock["now"] = moment

    def login(self, client, name: str):
        page = client.get("/masuk").get_data(as_text=True)
        r = client.post("/masuk", data={"csrf": csrf_of(page), "nama": name, "sandi": PASSWORDS[name]})
        assert r.status_code == 302, r.get_data(as_text=True)
        return client

    def csrf(self, client, path: str = "/masuk") -> str:
        return csrf_of(client.get(path).get_data(as_text=True))

    def register(self, client, g: Guest, **kw) -> tuple[int, str]:
        """A guest at the kiosk: (status code, queue number or the refusal)."""
        token = self.csrf(client, "/daftar")
        r = client.post("/daftar", data={"csrf": token, **kiosk_fields(g, **kw)})
        if r.status_code != 302:
            return r.status_code, r.get_data(as_text=True)
        ticket = client.get(r.headers["Location"]).get_data(as_text=True)
        return 302, re.search(r'id="nomor-antrian">([^<]+)<', ticket).group(1)


@pytest.fixture
def office(tmp_path, monkeypatch):
    """An office with users and officers (added by the admin on /petugas)."""
    from bukutamu.config import load_settings
    from bukutamu.engine import Poller, open_store
    from bukutamu.web import create_app
    from bukutamu.web.runner import InlineRunner
    from bukutamu.web.server import build_runtime

    cfg = write_config(tmp_path, 8080)
    setup_office(cfg)
    monkeypatch.chdir(tmp_path)
    settings = load_settings(cfg, env={"BUKUTAMU_HMAC_KEY": KEY, "BUKUTAMU_DATA": str(tmp_path / "data")})
    clock = {"now": datetime(2026, 11, 25, 9, 0, tzinfo=WIB)}  # a Wednesday
    store = open_store(settings)
    poller = Poller(settings, store, clock=lambda: clock["now"])
    rt = build_runtime(settings, InlineRunner(poller.run_once), clock=lambda: clock["now"])
    app = create_app(rt)
    op = InProcess(cfg, settings, app, clock, rt)
    admin = op.login(app.test_client(), "admin")
    for name, bidang, email in OFFICERS:
        r = admin.post("/petugas", data={"csrf": op.csrf(admin, "/petugas"), "ubah": "tambah", "nama": name,
                                         "bidang": bidang, "email": email, "aktif": "Ya"})
        assert r.status_code == 302
    yield op
    poller.close()
    store.close()


# --- as a process: `bukutamu serve` ---------------------------------------------------------------

@dataclass
class Served:
    cfg: Path
    url: str
    proc: subprocess.Popen
    data: Path

    logs: str = ""

    def stop(self) -> str:
        """SIGTERM, wait for a clean exit; returns what the server logged."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            out, err = self.proc.communicate(timeout=60)
            self.logs = out + err
            assert self.proc.returncode == 0, err
            assert "Traceback" not in err, err
        return self.logs

    def outbox(self) -> list[Path]:
        box = self.data / "outbox"
        return sorted(box.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns) if box.is_dir() else []


def start_serve(cfg: Path) -> subprocess.Popen:
    env = {**os.environ, "BUKUTAMU_HMAC_KEY": KEY, "BUKUTAMU_DATA": str(cfg.parent / "data")}
    return subprocess.Popen([sys.executable, "-m", "bukutamu", "--config", str(cfg), "serve"], cwd=cfg.parent,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def served(tmp_path):
    port = free_port()
    cfg = write_config(tmp_path, port, kiosk_per_minute="100")
    setup_office(cfg)
    proc = start_serve(cfg)
    line = proc.stdout.readline()
    assert "berjalan di" in line, line + proc.stderr.read()
    srv = Served(cfg, f"http://127.0.0.1:{port}", proc, tmp_path / "data")
    yield srv
    srv.stop()


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM:
        if os.environ.get("CI"):
            pytest.fail("chromium missing on CI (.ci/run installs it with apt-get)")
        pytest.skip("chromium not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()
