"""Every store has its own data folder (mail journal, HMAC key, status, outbox), and
the HMAC key is made only by `init`: as an office admin meets it, through the CLI."""

import csv
import sqlite3

from tests.e2e.test_cli import cli

HEADER = ["Timestamp", "NIK", "Nama Lengkap", "Nomor HP", "Email", "Keperluan"]


def write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerows(rows)


def config(tmp_path, name, store, extra=""):
    path = tmp_path / f"{name}.toml"
    path.write_text(f'[store]\npath = "{store}"\n{extra}', encoding="utf-8")
    return str(path)


def one_guest(tmp_path, name, email):
    src = tmp_path / f"{name}.csv"
    nik = "6171054507859992"  # synthetic
    write_csv(src, [["27/11/2026 08:35:00", nik, name, "081234567891", email, "Konsultasi"]])
    return str(src)


def journal_rows(path):
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT key, state, sent_at, message_id FROM mail ORDER BY key").fetchall()
    finally:
        db.close()


def eml_to(folder, address):
    return [p for p in folder.glob("*.eml") if address.encode() in p.read_bytes()]


def test_two_stores_in_one_folder_keep_their_own_journal_key_and_mail(tmp_path):
    a = config(tmp_path, "kantor", "data/kantor.sqlite")
    b = config(tmp_path, "cabang", "data/cabang.sqlite")
    folders = {}
    for cfg, guest, email in ((a, "Tamu Kantor", "tamu.kantor@contoh.test"),
                              (b, "Tamu Cabang", "tamu.cabang@contoh.test")):
        out = cli(tmp_path, "--config", cfg, "init").stdout
        assert "kunci HMAC dibuat" in out
        cli(tmp_path, "--config", cfg, "import-csv", one_guest(tmp_path, guest, email))
        assert "1 kunjungan baru" in cli(tmp_path, "--config", cfg, "poll", "--once").stdout
        line = next(s for s in cli(tmp_path, "--config", cfg, "check").stdout.splitlines() if "Folder data" in s)
        folders[cfg] = tmp_path / line.split(": ", 1)[1].split(" (")[0]
    fa, fb = folders[a], folders[b]
    assert fa != fb and fa.is_dir() and fb.is_dir()
    assert (fa / "kunci-hmac").read_bytes() != (fb / "kunci-hmac").read_bytes()
    ja, jb = journal_rows(fa / "jurnal-email.sqlite"), journal_rows(fb / "jurnal-email.sqlite")
    # both stores numbered their first guest 20261127-A001: one shared journal would
    # have skipped the second store's mail as "already known"
    assert ja and jb and all(state == "sent" for _, state, _, _ in ja + jb)
    assert [k for k, *_ in ja] == [k for k, *_ in jb]
    assert len(eml_to(fa / "outbox", "tamu.kantor@contoh.test")) == 1
    assert len(eml_to(fb / "outbox", "tamu.cabang@contoh.test")) == 1
    assert eml_to(fa / "outbox", "tamu.cabang@contoh.test") == []


def test_demo_beside_an_office_store_leaves_the_office_data_alone(tmp_path):
    office = config(tmp_path, "kantor", "data/kantor.sqlite")  # same folder as the demo's data/bukutamu.sqlite
    cli(tmp_path, "--config", office, "init")
    cli(tmp_path, "--config", office, "import-csv", one_guest(tmp_path, "Tamu Kantor", "tamu.kantor@contoh.test"))
    cli(tmp_path, "--config", office, "poll", "--once")
    line = next(s for s in cli(tmp_path, "--config", office, "check").stdout.splitlines() if "Folder data" in s)
    folder = tmp_path / line.split(": ", 1)[1].split(" (")[0]
    before = journal_rows(folder / "jurnal-email.sqlite")
    key = (folder / "kunci-hmac").read_bytes()
    mails = sorted(p.name for p in (folder / "outbox").glob("*.eml"))
    assert before and mails

    assert "Laporan SLA" in cli(tmp_path, "demo", "--tamu-per-hari", "4-6", "--tanpa-progres").stdout

    assert journal_rows(folder / "jurnal-email.sqlite") == before
    assert (folder / "kunci-hmac").read_bytes() == key
    assert sorted(p.name for p in (folder / "outbox").glob("*.eml")) == mails
    demo_outbox = tmp_path / "data" / "outbox"
    assert len(list(demo_outbox.glob("*.eml"))) > 10 and not eml_to(demo_outbox, "tamu.kantor@contoh.test")
    out = cli(tmp_path, "--config", office, "poll", "--once").stdout
    assert "0 kunjungan baru" in out
    assert set(before) <= set(journal_rows(folder / "jurnal-email.sqlite"))  # nothing re-sent
    assert len(eml_to(folder / "outbox", "tamu.kantor@contoh.test")) == 1


def test_demo_never_empties_a_configured_mail_outbox(tmp_path):
    shared = tmp_path / "outbox-kantor"
    shared.mkdir()
    (shared / "surat-kantor.eml").write_text("isi penting")
    cfg = config(tmp_path, "demo", "demo/bukutamu.sqlite", f'[mail]\noutbox = "{shared}"\n')
    cli(tmp_path, "--config", cfg, "demo", "--tamu-per-hari", "4-6", "--tanpa-progres")
    assert [p.name for p in shared.iterdir()] == ["surat-kantor.eml"]
    assert len(list((tmp_path / "demo" / "outbox").glob("*.eml"))) > 10


def test_google_store_gets_a_folder_per_spreadsheet(tmp_path):
    sheet = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
    cfg = tmp_path / "google.toml"
    cfg.write_text(f'[store]\nkind = "google"\nspreadsheet_id = "{sheet}"\n')
    env = {"BUKUTAMU_GOOGLE_KEY_FILE": str(tmp_path / "tidak-ada.json"),
           "BUKUTAMU_HMAC_KEY": "kunci-uji-yang-cukup-panjang-0123456789"}
    out = cli(tmp_path, "--config", str(cfg), "check", env=env, check=False).stdout
    assert f"Folder data store ini: {tmp_path / 'data' / 'google-1AbCdEfGhIjK'}" in out
    own = config(tmp_path, "sendiri", "data/x.sqlite", f'data_dir = "{tmp_path / "folder-kantor"}"\n')
    assert f"Folder data store ini: {tmp_path / 'folder-kantor'} " in cli(tmp_path, "--config", own, "check",
                                                                        check=False).stdout


def test_poll_never_makes_the_key_and_init_asks_before_replacing_a_lost_one(tmp_path):
    key = tmp_path / "data" / "kunci-hmac"
    for cmd in (("poll", "--once"), ("run",)):
        p = cli(tmp_path, *cmd, check=False)
        assert p.returncode == 2 and "bukutamu init" in p.stderr and "Traceback" not in p.stderr, p.stderr
        assert not key.exists()
    cli(tmp_path, "init")
    cli(tmp_path, "import-csv", one_guest(tmp_path, "Tamu Kantor", "tamu.kantor@contoh.test"))
    cli(tmp_path, "poll", "--once")
    old = key.read_bytes()
    key.unlink()  # lost: every link already emailed was signed with it
    for cmd in (("poll", "--once"), ("run",), ("import-csv", one_guest(tmp_path, "Tamu Lain", ""))):
        p = cli(tmp_path, *cmd, check=False)
        if cmd[0] != "import-csv":  # import needs no key; it just does not make one
            assert p.returncode == 2 and "cadangan" in p.stderr and "Traceback" not in p.stderr, p.stderr
        assert not key.exists()
    p = cli(tmp_path, "init", check=False)
    assert p.returncode == 2 and "sudah berisi kunjungan" in p.stderr and "--kunci-baru" in p.stderr
    assert "cadangan" in p.stderr and not key.exists()
    out = cli(tmp_path, "init", "--kunci-baru").stdout
    assert "kunci HMAC dibuat" in out and key.exists() and key.read_bytes() != old
    assert key.stat().st_mode & 0o077 == 0
    cli(tmp_path, "poll", "--once")
    p = cli(tmp_path, "init", "--kunci-baru", check=False)
    assert p.returncode == 2 and "masih ada" in p.stderr


def test_weak_keys_are_refused_with_how_to_make_one(tmp_path):
    key = tmp_path / "data" / "kunci-hmac"
    cli(tmp_path, "init")
    for weak, why in (("abc", "terlalu pendek"), ("", "kosong"), ("a" * 40, "mudah ditebak")):
        key.write_text(weak)
        for cmd in (("poll", "--once"), ("init",)):
            p = cli(tmp_path, *cmd, check=False)
            assert p.returncode == 2 and why in p.stderr and "kunci-hmac" in p.stderr, p.stderr
            assert "bukutamu init" in p.stderr and "Traceback" not in p.stderr
            if weak:
                assert weak not in p.stderr
        assert key.read_text() == weak  # never overwritten
        assert "[GAGAL] Kunci HMAC" in cli(tmp_path, "check", check=False).stdout
    p = cli(tmp_path, "poll", "--once", env={"BUKUTAMU_HMAC_KEY": "rahasiaku"}, check=False)
    assert p.returncode == 2 and "BUKUTAMU_HMAC_KEY" in p.stderr and "secrets.token_urlsafe" in p.stderr
    assert "rahasiaku" not in p.stderr + p.stdout


def test_link_validity_must_be_between_one_hour_and_thirty_days(tmp_path):
    for hours in (0, -3, 721):
        (tmp_path / "l.toml").write_text(f"[links]\ntoken_valid_hours = {hours}\n")
        p = cli(tmp_path, "--config", str(tmp_path / "l.toml"), "poll", "--once", check=False)
        assert p.returncode == 2 and "links.token_valid_hours" in p.stderr and "1 dan 720" in p.stderr
        assert "Traceback" not in p.stderr
    for hours in (1, 720):
        (tmp_path / "l.toml").write_text(f"[links]\ntoken_valid_hours = {hours}\n")
        out = cli(tmp_path, "--config", str(tmp_path / "l.toml"), "check", check=False).stdout
        assert "[ OK ] Konfigurasi" in out


def test_two_stores_configured_onto_one_data_folder_are_refused(tmp_path):
    shared = f'data_dir = "{tmp_path / "data"}"\n'  # e.g. both "kept the old ./data" after an upgrade
    office = config(tmp_path, "kantor", "kantor/kantor.sqlite", shared)
    demo = config(tmp_path, "demo", "demo/bukutamu.sqlite", shared)
    cli(tmp_path, "--config", office, "init")
    cli(tmp_path, "--config", office, "import-csv", one_guest(tmp_path, "Tamu Kantor", "tamu.kantor@contoh.test"))
    cli(tmp_path, "--config", office, "poll", "--once")
    before = journal_rows(tmp_path / "data" / "jurnal-email.sqlite")
    for cmd in (("init",), ("poll", "--once"), ("demo", "--tamu-per-hari", "4-6", "--tanpa-progres")):
        p = cli(tmp_path, "--config", demo, *cmd, check=False)
        assert p.returncode == 2 and "dipakai store lain" in p.stderr and "store.data_dir" in p.stderr, p.stderr
        assert "Traceback" not in p.stderr
    assert "[GAGAL] Folder data store ini" in cli(tmp_path, "--config", demo, "check", check=False).stdout
    assert journal_rows(tmp_path / "data" / "jurnal-email.sqlite") == before
    assert len(eml_to(tmp_path / "data" / "outbox", "tamu.kantor@contoh.test")) == 1


def test_demo_keeps_aside_a_journal_from_before_per_store_folders(tmp_path):
    # before this version every store wrote ./data/jurnal-email.sqlite and ./data/outbox
    office = config(tmp_path, "kantor", "data/kantor.sqlite", f'data_dir = "{tmp_path / "data"}"\n')
    cli(tmp_path, "--config", office, "init")
    cli(tmp_path, "--config", office, "import-csv", one_guest(tmp_path, "Tamu Kantor", "tamu.kantor@contoh.test"))
    cli(tmp_path, "--config", office, "poll", "--once")
    before = journal_rows(tmp_path / "data" / "jurnal-email.sqlite")
    (tmp_path / "data" / "store.txt").unlink()  # as an old version left the folder
    p = cli(tmp_path, "demo", "--tamu-per-hari", "4-6", "--tanpa-progres")
    assert "bukan dihapus" in p.stderr
    kept = next((tmp_path / "data").glob("jurnal-email.sqlite.sebelum-demo-*[0-9]"))
    assert journal_rows(kept) == before
    old_outbox = next((tmp_path / "data").glob("outbox.sebelum-demo-*"))
    assert len(eml_to(old_outbox, "tamu.kantor@contoh.test")) == 1


def test_a_store_moved_together_with_its_data_folder_keeps_working(tmp_path):
    import shutil
    old = config(tmp_path, "lama", "kantor/kantor.sqlite")
    cli(tmp_path, "--config", old, "init")
    cli(tmp_path, "--config", old, "import-csv", one_guest(tmp_path, "Tamu Kantor", "tamu.kantor@contoh.test"))
    cli(tmp_path, "--config", old, "poll", "--once")
    shutil.copytree(tmp_path / "kantor", tmp_path / "server-baru")  # a backup restored elsewhere
    new = config(tmp_path, "baru", "server-baru/kantor.sqlite")
    assert "0 kunjungan baru" in cli(tmp_path, "--config", new, "poll", "--once").stdout
    out = cli(tmp_path, "--config", new, "check", check=False).stdout
    assert f"[INFO] Folder data store ini: {tmp_path / 'server-baru' / 'kantor.sqlite-data'}" in out
    assert "[ OK ] Kunci HMAC" in out
