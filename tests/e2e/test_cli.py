"""The CLI as an office admin uses it, in real subprocesses on the embedded store."""

import csv
import re
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def cli(tmp_path, *args, env=None, check=True):
    e = {**os.environ, "BUKUTAMU_DATA": str(tmp_path / "data"), **(env or {})}
    e.pop("BUKUTAMU_CONFIG", None)
    p = subprocess.run([sys.executable, "-m", "bukutamu", *args], cwd=tmp_path, env=e,
                       capture_output=True, text=True, timeout=120)
    if check and p.returncode != 0:
        raise AssertionError(f"exit {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p


def write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Timestamp", "NIK", "Nama Lengkap", "Nomor HP", "Keperluan", "Pertanyaan Lain"])
        w.writerows(rows)


def test_every_command_has_indonesian_help(tmp_path):
    for cmd in ("init", "poll", "check", "import-csv", "register", "demo"):
        out = cli(tmp_path, cmd, "--help").stdout
        assert out.startswith("Pemakaian: bukutamu") and "opsi:" in out and len(out) > 80
        assert "usage:" not in out and "show this help" not in out


def test_import_csv_then_poll_registers_visits(tmp_path):
    src = tmp_path / "jawaban.csv"
    write_csv(src, [
        ["2026/11/27 8:30:15 AM GMT+7", "6171010101909991", "Budi Santoso", "081234567890", "Konsultasi", "x"],  # synthetic
        ["27/11/2026 08:35:00", "6171054507859992", "Dewi Lestari", "081234567891", "Dokumen", "y"],  # synthetic
        ["kemarin", "6112016902009993", "Tanpa Waktu", "", "", ""],  # synthetic
    ])
    p = cli(tmp_path, "import-csv", str(src), check=False)
    assert p.returncode == 1 and "2 baris diimpor" in p.stdout and "baris 4" in p.stderr
    again = cli(tmp_path, "import-csv", str(src), check=False)
    assert "0 baris diimpor, 2 sudah ada" in again.stdout
    out = cli(tmp_path, "poll", "--once").stdout
    assert "2 kunjungan baru" in out
    reg = cli(tmp_path, "register", "--semua").stdout
    assert "A-001" in reg and "A-002" in reg and "20261127-A001" in reg
    assert "6171010101909991" not in reg and "6171********9991" in reg


def test_two_pollers_started_together_never_issue_a_number_twice(tmp_path):
    rows = [[f"27/11/2026 08:{m // 60:02d}:{m % 60:02d}", f"61710101019{m % 9 + 1}999{m % 9 + 1}",
             f"Tamu Sintetis {m}", "", "", ""] for m in range(300)]  # synthetic NIK pattern
    write_csv(tmp_path / "a.csv", rows)
    cli(tmp_path, "import-csv", str(tmp_path / "a.csv"))
    env = {**os.environ, "BUKUTAMU_DATA": str(tmp_path / "data")}
    procs = [subprocess.Popen([sys.executable, "-m", "bukutamu", "poll", "--once"], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert sorted(int(o.split(":")[1].split()[0]) for o, _ in outs) == [0, 300]
    reg = cli(tmp_path, "register", "--semua", "--batas", "1000").stdout
    numbers = [line.split()[0] for line in reg.splitlines() if line.startswith("A-")]
    assert len(numbers) == 300 and len(set(numbers)) == 300


def test_second_poller_that_will_not_wait_says_so(tmp_path):
    from bukutamu.adapters.lock import WriterLock
    cli(tmp_path, "init")
    lock = WriterLock(tmp_path / "data" / "bukutamu.sqlite.lock").acquire()
    try:
        p = cli(tmp_path, "poll", "--once", "--tunggu", "0", check=False)
    finally:
        lock.release()
    assert p.returncode == 75 and "Poller lain" in p.stderr and "Traceback" not in p.stderr


def test_bad_config_stops_at_start_with_a_message(tmp_path):
    bad = tmp_path / "b.toml"
    bad.write_text('[poll]\ninterval_seconds = -5\n')
    p = cli(tmp_path, "--config", str(bad), "poll", "--once", check=False)
    assert p.returncode == 2 and "poll.interval_seconds" in p.stderr and "Traceback" not in p.stderr


def test_renamed_header_poll_fails_clearly(tmp_path):
    cli(tmp_path, "init")
    from bukutamu.adapters.sqlite_store import SqliteSheetStore
    store = SqliteSheetStore(tmp_path / "data" / "bukutamu.sqlite")
    tab = store.read(["Jawaban Formulir 1"]).tab("Jawaban Formulir 1")
    store.set_header(tab.name, ["Nama Tamu" if h == "Nama Lengkap" else h for h in tab.header])
    store.close()
    p = cli(tmp_path, "poll", "--once", check=False)
    assert p.returncode == 1 and '"Nama Lengkap"' in p.stderr and "Traceback" not in p.stderr


def test_check_passes_on_a_fresh_embedded_store(tmp_path):
    cli(tmp_path, "init")
    out = cli(tmp_path, "check").stdout
    assert "Semua pemeriksaan lulus" in out


def test_demo_simulates_a_week_reproducibly_and_refuses_real_data(tmp_path):
    small = ("demo", "--tamu-per-hari", "4-6", "--tanpa-progres")
    out = cli(tmp_path, *small).stdout
    assert "Laporan SLA" in out and "libur: 2026-08-17" in out
    folder = tmp_path / "reports" / "2026-W34"
    first = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert {"laporan.html", "laporan.xlsx"} <= set(first)
    outbox = list((tmp_path / "data" / "outbox").glob("*.eml"))
    assert len(outbox) > 10
    reg = cli(tmp_path, "register", "--tanggal", "2026-08-18").stdout
    assert "A-001" in reg and "SELESAI" in reg
    cli(tmp_path, *small)  # replaces its own earlier demo without asking; same seed, same report
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == first
    cli(tmp_path, "report", "--minggu", "2026-W34")
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == first
    for path in [*outbox, *folder.iterdir()]:
        data = path.read_bytes()
        assert not re.search(rb"(?<![0-9])61[0-9]{14}(?![0-9])", data), path.name  # no NIK anywhere
    other = tmp_path / "real"
    other.mkdir()
    src = tmp_path / "j.csv"
    write_csv(src, [["27/11/2026 08:35:00", "6171054507859992", "Dewi Lestari", "", "", ""]])  # synthetic
    env = {"BUKUTAMU_DATA": str(other / "data")}
    cli(other, "import-csv", str(src), env=env)
    p = cli(other, *small, env=env, check=False)
    assert p.returncode != 0 and "bukan data demo" in p.stderr


def test_helpdesk_command_drives_a_visit_in_embedded_mode(tmp_path):
    src = tmp_path / "j.csv"
    write_csv(src, [["27/11/2026 08:35:00", "6171054507859992", "Dewi Lestari", "081234567891", "", ""]])  # synthetic
    cli(tmp_path, "import-csv", str(src))
    cli(tmp_path, "poll", "--once")
    early = cli(tmp_path, "helpdesk", "20261127-A001", "--aksi", "layanan selesai", check=False)
    assert early.returncode == 1 and early.stdout.startswith("DITOLAK:")
    assert "tidak berlaku saat status MENUNGGU VERIFIKASI" in early.stdout and "Tamu Pergi" in early.stdout
    p = cli(tmp_path, "helpdesk", "20261127-A001", "--verifikasi", "sesuai", "--ubah", "nama=Dewi Lestari")
    assert "2 isian disimpan" in p.stdout
    assert "Status sekarang: TERVERIFIKASI" in p.stdout  # applied at once: no poller was running
    cli(tmp_path, "poll", "--once")  # the notice was sent by then: the next cycle shows it
    reg = cli(tmp_path, "register", "--tanggal", "2026-11-27").stdout
    assert "PETUGAS DIHUBUNGI" in reg and "Berikutnya: Tamu Diterima, Tamu Pergi" in reg
    late = cli(tmp_path, "helpdesk", "20261127-A001", "--verifikasi", "Tidak Sesuai", check=False)
    assert late.returncode == 1 and "Tidak ada yang disimpan" in late.stdout
    went = cli(tmp_path, "helpdesk", "20261127-A001", "--aksi", "Tamu Diterima", "--tanpa-siklus")
    assert "diproses oleh poller" in went.stdout.lower()
    bad = cli(tmp_path, "helpdesk", "20261127-A009", "--aksi", "Tamu-Diterima", check=False)
    assert bad.returncode == 1 and "tidak ditemukan" in bad.stderr
    wrong = cli(tmp_path, "helpdesk", "20261127-A001", "--ubah", "status=SELESAI", check=False)
    assert wrong.returncode == 1 and "KOLOM=NILAI" in wrong.stderr


def _write_csv_with_bidang(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Timestamp", "NIK", "Nama Lengkap", "Nomor HP", "Bidang yang Dituju"])
        w.writerows(rows)


def test_check_warns_when_no_active_officer_serves_a_bidang(tmp_path):
    src = tmp_path / "j.csv"
    _write_csv_with_bidang(src, [["27/11/2026 08:35:00", "6171054507859992", "Dewi Lestari", "081234567891",
                                  "Bagian Umum"]])  # synthetic
    cli(tmp_path, "import-csv", str(src))
    out = cli(tmp_path, "check", check=False).stdout
    assert "[PERINGATAN] Petugas: Tab Petugas kosong" in out


def test_nik_corrected_to_another_visits_nik_is_flagged_by_rule_13(tmp_path):
    src = tmp_path / "j.csv"
    write_csv(src, [["27/11/2026 08:35:00", "6171054507859992", "Dewi Lestari", "081234567891", "", ""],  # synthetic
                    ["27/11/2026 08:40:00", "6171010101909993", "Budi Santoso", "081234567892", "", ""]])  # synthetic
    cli(tmp_path, "import-csv", str(src))
    cli(tmp_path, "poll", "--once")
    out = cli(tmp_path, "helpdesk", "20261127-A002", "--ubah", "nik=6171054507859992").stdout  # Dewi's NIK
    reg = cli(tmp_path, "register", "--tanggal", "2026-11-27").stdout
    line = next(l for l in reg.splitlines() if l.startswith("A-002"))
    assert "NIK sama dengan kunjungan lain dengan nama berbe" in line  # rule 13
    assert "6171054507859992" not in reg + out  # the NIK only ever masked
