"""Google mode: the lobby screen shows the Antrian tab the poller keeps in the Google
Sheet (real gspread code against the Sheets REST fake on loopback, never Google);
the pages that only make sense on the embedded store are absent."""

from __future__ import annotations

import os
from datetime import datetime

from bukutamu.config import load_settings
from bukutamu.web import create_app
from bukutamu.web.runner import CycleRunner
from bukutamu.web.server import build_runtime
from tests.e2e.test_google_forms_flow import cli, office, submit_guests  # noqa: F401 - office is a fixture
from tests.web.conftest import WIB


def test_lobby_shows_the_antrian_tab_of_the_google_sheet(office, tmp_path):  # noqa: F811
    fake, env, _ = office
    assert cli(env, "init").returncode == 0
    submitted = submit_guests(fake, n_per_day=(1, 3))
    assert cli(env, "poll", "--once").returncode == 0
    settings = load_settings(env["BUKUTAMU_CONFIG"], env=env)
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        app = create_app(build_runtime(settings, CycleRunner(), clock=lambda: datetime.now(WIB)))
    finally:
        os.chdir(old)
    c = app.test_client()
    fake.reset_log()
    data = c.get("/antrian/data").get_json()
    again = c.get("/antrian/data").get_json()
    reads = [e for e in fake.requests() if e.get("kind") == "read"]
    assert data == again and len(reads) == 1  # cached for one poll interval: read quota
    today = [g for g, _ in submitted[1:]]
    assert [x["antrian"] for x in data["waiting"]] == ["A-001", "A-002", "A-003"]
    names = [x["nama"] for x in data["waiting"]]
    assert names == [f"{g.name.split()[0].upper()} {g.name.split()[1][0].upper()}." for g in today]
    body = c.get("/antrian").get_data(as_text=True) + str(data)
    assert all(g.nik not in body for g, _ in submitted)
    for path in ("/daftar", "/tautan/petugas?kunjungan=x&aksi=diterima&token=y"):
        assert c.get(path).status_code == 404
