"""`bukutamu run` as a real process: works, single instance, stops cleanly."""

import json
import os
import signal
import subprocess
import sys

from bukutamu.adapters.sqlite_store import SqliteSheetStore
from bukutamu.core.cells import datetime_to_serial
from datetime import datetime
from zoneinfo import ZoneInfo
from tests.fakes.waiting import wait_for




def test_run_polls_refuses_a_second_instance_and_stops_on_sigterm(tmp_path):
    cfg = tmp_path / "b.toml"
    cfg.write_text("[poll]\ninterval_seconds = 1\n")
    env = {**os.environ, "BUKUTAMU_DATA": str(tmp_path / "data"), "BUKUTAMU_CONFIG": str(cfg)}
    subprocess.run([sys.executable, "-m", "bukutamu", "init"], env=env, cwd=tmp_path, check=True,
                   capture_output=True)
    store = SqliteSheetStore(tmp_path / "data" / "bukutamu.sqlite")
    header = store.read(["Jawaban Formulir 1"]).tab("Jawaban Formulir 1").header
    now = datetime.now(ZoneInfo("Asia/Pontianak"))
    row = {"Stempel waktu": datetime_to_serial(now, ZoneInfo("Asia/Pontianak")), "NIK": "6171010101909991",  # synthetic
           "Nama Lengkap": "Budi Santoso"}
    store.append_rows("Jawaban Formulir 1", [[row.get(h, "") for h in header]])

    proc = subprocess.Popen([sys.executable, "-m", "bukutamu", "run"], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        status = tmp_path / "data" / "status.json"
        assert wait_for(lambda: status.exists() and json.loads(status.read_text()).get("ok") is True)
        tab = store.read(["Jawaban Formulir 1"]).tab("Jawaban Formulir 1")
        assert "20" in str(dict(zip(tab.header, tab.rows[0].values)).get("[Sistem] ID Kunjungan"))
        second = subprocess.run([sys.executable, "-m", "bukutamu", "run"], env=env, cwd=tmp_path,
                                capture_output=True, text=True, timeout=60)
        assert second.returncode == 75 and "Poller lain" in second.stderr
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "berhenti dengan bersih" in err and "Traceback" not in err
    assert "6171010101909991" not in err + out  # no NIK in logs
    assert "berhenti" in json.loads(status.read_text())
    store.close()
