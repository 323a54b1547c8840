"""`bukutamu pengguna` and `bukutamu serve` as commands: users with scrypt hashes,
passwords never on the command line or in output; one serve per store."""

from __future__ import annotations

import sqlite3

import requests

from tests.web.conftest import PASSWORDS, cli, free_port, start_serve, write_config


def test_users_are_created_by_the_cli_with_scrypt_hashes(tmp_path):
    cfg = write_config(tmp_path, free_port())
    assert cli(cfg, "init").returncode == 0
    short = cli(cfg, "pengguna", "tambah", "meja", "--peran", "helpdesk", "--sandi-stdin", stdin="pendek\n")
    assert short.returncode == 1 and "minimal 10 karakter" in short.stderr
    ok = cli(cfg, "pengguna", "tambah", "meja", "--peran", "helpdesk", "--sandi-stdin",
             stdin=PASSWORDS["meja"] + "\n")
    assert ok.returncode == 0 and PASSWORDS["meja"] not in ok.stdout + ok.stderr
    again = cli(cfg, "pengguna", "tambah", "meja", "--peran", "admin", "--sandi-stdin", stdin="x" * 12 + "\n")
    assert again.returncode == 1 and "sudah ada" in again.stderr
    role = cli(cfg, "pengguna", "tambah", "bos", "--peran", "raja", "--sandi-stdin", stdin="x" * 12 + "\n")
    assert role.returncode == 2  # argparse: not a role
    listed = cli(cfg, "pengguna", "daftar")
    assert listed.stdout.strip() == "meja\thelpdesk\taktif"
    db = sqlite3.connect(tmp_path / "data" / "web.sqlite")
    (stored,) = db.execute("SELECT hash FROM users WHERE name = 'meja'").fetchone()
    db.close()
    assert stored.startswith("scrypt$131072$8$1$") and PASSWORDS["meja"] not in stored


def test_serve_runs_once_per_store_and_stops_cleanly(served):
    r = requests.get(served.url + "/antrian")
    assert r.status_code == 200 and "Content-Security-Policy" in r.headers
    second = cli(served.cfg, "serve", "--port", "0")
    assert second.returncode == 75 and "Poller lain" in second.stderr
    logs = served.stop()
    assert "berhenti dengan bersih" in logs


def test_serve_listens_on_loopback_by_default(tmp_path):
    port = free_port()
    cfg = tmp_path / "b.toml"
    cfg.write_text(f'[store]\npath = "{tmp_path}/data/bukutamu.sqlite"\n[web]\nport = {port}\n')
    assert cli(cfg, "init").returncode == 0
    proc = start_serve(cfg)
    try:
        line = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in line
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=60)
    assert "web.base_url belum diisi" in err and "terbuka untuk jaringan" not in err
