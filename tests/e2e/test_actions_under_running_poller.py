"""30 helpdesk actions given with `bukutamu helpdesk` while `bukutamu run` polls at its
shortest interval (1 s), as an embedded-mode front desk works all day: every action
the command accepts is applied, none is lost (issue 8, defect 3)."""

import csv
import os
import random
import signal
import subprocess
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bukutamu.adapters.sqlite_store import SqliteSheetStore
from bukutamu.core.register import read_register
from bukutamu.demo.guests import make_guest
from tests.e2e.test_run_service import wait_for

WIB = ZoneInfo("Asia/Pontianak")
REG = "Jawaban Formulir 1"


def test_thirty_actions_under_a_poller_at_one_second_are_all_applied(tmp_path):
    cfg = tmp_path / "b.toml"
    cfg.write_text("[poll]\ninterval_seconds = 1\n")
    env = {**os.environ, "BUKUTAMU_DATA": str(tmp_path / "data"), "BUKUTAMU_CONFIG": str(cfg)}

    def cli(*args, check=True):
        p = subprocess.run([sys.executable, "-m", "bukutamu", *args], env=env, cwd=tmp_path,
                           capture_output=True, text=True, timeout=120)
        assert not check or p.returncode == 0, p.stdout + p.stderr
        return p

    rng = random.Random(11)
    now = datetime.now(WIB)
    src = tmp_path / "jawaban.csv"
    with open(src, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Timestamp", "NIK", "Nama Lengkap", "Jenis Kelamin", "Tanggal Lahir", "Nomor HP"])
        for i in range(10):
            g = make_guest(rng, now.date())
            moment = now - timedelta(minutes=20 - i)
            w.writerow([moment.strftime("%d/%m/%Y %H:%M:%S"), g.nik, g.name,
                        "Laki-laki" if g.sex == "LAKI-LAKI" else "Perempuan", g.birth_date.strftime("%d/%m/%Y"),
                        g.phone])
    cli("init")
    cli("import-csv", str(src))
    proc = subprocess.Popen([sys.executable, "-m", "bukutamu", "run"], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def status(visit):  # what `bukutamu register` shows, read from the store file itself
        store = SqliteSheetStore(tmp_path / "data" / "bukutamu.sqlite")
        try:
            view = read_register(store.read([REG]).tab(REG), {})
        finally:
            store.close()
        return next((r.text("status") for r in view.rows if r.visit_id == visit), "")

    try:
        visits = [f"{(now - timedelta(minutes=20 - i)).strftime('%Y%m%d')}-A{i + 1:03d}" for i in range(10)]
        assert wait_for(lambda: status(visits[-1]) == "MENUNGGU VERIFIKASI")
        steps = [(("--verifikasi", "Sesuai"), "PETUGAS DIHUBUNGI"),
                 (("--aksi", "Tamu Diterima"), "DILAYANI"),
                 (("--aksi", "Layanan Selesai"), "MENUNGGU UMPAN BALIK")]
        accepted = 0
        for args, expected in steps:
            for v in visits:
                out = cli("helpdesk", v, *args)
                assert "isian disimpan" in out.stdout and "Poller sedang berjalan" in out.stdout
                accepted += 1
            for v in visits:
                assert wait_for(lambda v=v: status(v) == expected), (v, expected)
        assert accepted == 30
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and "Traceback" not in err
