"""Several offices in one config: [offices.<slug>] tables deep-merged over the shared
sections, per-office folders and secrets, and the refusals (Indonesian, naming the key)."""

from __future__ import annotations

import pytest

from bukutamu.config import load_offices, load_settings, office_env_name
from bukutamu.errors import ConfigError

KEY_A = "kunci-uji-kantor-a-yang-cukup-panjang-0123456789"
KEY_B = "kunci-uji-kantor-b-yang-cukup-panjang-0123456789"
SHEET_A = "1SpreadsheetKantorA000000000000000000000000"
SHEET_B = "1SpreadsheetKantorB000000000000000000000000"


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return {"BUKUTAMU_DATA": str(tmp_path / "data")}


def write(tmp_path, text):
    p = tmp_path / "bukutamu.toml"
    p.write_text(text, encoding="utf-8")
    return p


def error(path, env, **kw) -> str:
    with pytest.raises(ConfigError) as e:
        load_offices(path, env) if not kw else load_settings(path, env, **kw)
    return str(e.value)


def test_without_offices_one_office_as_before(tmp_path, env):
    p = write(tmp_path, "[poll]\ninterval_seconds = 20\n")
    (only,) = load_offices(p, env)
    assert only == load_settings(p, env)
    assert only.slug == "" and only.data_dir == tmp_path / "data" and only.report.folder == tmp_path / "reports"
    assert "tidak berisi bagian [offices" in error(p, env, office="biro")


def test_office_tables_merge_over_the_shared_sections(tmp_path, env):
    p = write(tmp_path, '''
[office]
helpdesk_email = "helpdesk@provinsi.test"
time_zone = "Asia/Pontianak"
[poll]
interval_seconds = 20
queue_prefix = "A"
[columns]
nik = "Nomor KTP"
[calendar]
fri = "07:30-16:30"
[web]
base_url = "http://192.168.1.10:8080"
[offices.biro-pbj.office]
name = "Biro PBJ"
[offices.dinas-pu.office]
name = "Dinas PU"
helpdesk_email = "meja@pu.test"
[offices.dinas-pu.poll]
queue_prefix = "B"
[offices.dinas-pu.columns]
nama = "Nama"
[offices.dinas-pu.calendar]
fri = "08:00-11:30"
''')
    a, b = load_offices(p, env)
    assert (a.slug, b.slug) == ("biro-pbj", "dinas-pu")
    assert (a.office.name, b.office.name) == ("Biro PBJ", "Dinas PU")
    assert (a.office.helpdesk_email, b.office.helpdesk_email) == ("helpdesk@provinsi.test", "meja@pu.test")
    assert (a.poll.interval_seconds, b.poll.interval_seconds) == (20, 20)
    assert (a.poll.queue_prefix, b.poll.queue_prefix) == ("A", "B")
    assert dict(a.columns) == {"nik": "Nomor KTP"} and dict(b.columns) == {"nik": "Nomor KTP", "nama": "Nama"}
    assert str(a.calendar.fri[1]) == "16:30:00" and str(b.calendar.fri[1]) == "11:30:00"
    # Per-office folders by default: data/<slug>/ (store, journal, key, lock, status, outbox), reports/<slug>/.
    for s in (a, b):
        assert s.data_dir == tmp_path / "data" / s.slug
        assert s.store.path == tmp_path / "data" / s.slug / "bukutamu.sqlite"
        assert s.mail.outbox == tmp_path / "data" / s.slug / "outbox"
        assert s.report.folder == tmp_path / "reports" / s.slug
        assert s.web.base_url == f"http://192.168.1.10:8080/{s.slug}"
        assert s.links.local_base_url == f"http://192.168.1.10:8080/{s.slug}"
    assert load_settings(p, env, office="dinas-pu") == b


def test_folders_set_at_the_top_get_the_slug_and_an_office_s_own_are_kept(tmp_path, env):
    p = write(tmp_path, f'''
[store]
data_dir = "/srv/bukutamu"
[report]
folder = "/srv/laporan"
[mail]
outbox = "/srv/outbox"
[offices.a.store]
kind = "google"
spreadsheet_id = "{SHEET_A}"
[offices.b.store]
data_dir = "/data/kantor-b"
[offices.b.report]
folder = "/laporan/b"
[offices.b.mail]
outbox = "/kirim/b"
''')
    a, b = load_offices(p, {**env, "BUKUTAMU_GOOGLE_KEY_FILE": "/k.json", "BUKUTAMU_HMAC_KEY": KEY_A})
    assert (str(a.data_dir), str(a.report.folder), str(a.mail.outbox)) == ("/srv/bukutamu/a", "/srv/laporan/a",
                                                                           "/srv/outbox/a")
    assert (str(b.data_dir), str(b.report.folder), str(b.mail.outbox)) == ("/data/kantor-b", "/laporan/b", "/kirim/b")


def test_secrets_per_office_fall_back_to_the_shared_variable(tmp_path, env):
    p = write(tmp_path, f'''
[store]
kind = "google"
[offices.kantor-a.store]
spreadsheet_id = "{SHEET_A}"
[offices.kantor-b.store]
spreadsheet_id = "{SHEET_B}"
''')
    assert office_env_name("BUKUTAMU_HMAC_KEY", "kantor-a") == "BUKUTAMU_HMAC_KEY_KANTOR_A"
    env = {**env, "BUKUTAMU_GOOGLE_KEY_FILE": "/bersama.json", "BUKUTAMU_GOOGLE_KEY_FILE_KANTOR_B": "/b.json",
           "BUKUTAMU_HMAC_KEY": KEY_A, "BUKUTAMU_HMAC_KEY_KANTOR_B": KEY_B}
    a, b = load_offices(p, env)
    assert (a.secrets.google_key_file, b.secrets.google_key_file) == ("/bersama.json", "/b.json")
    assert (a.secrets.hmac_key, b.secrets.hmac_key) == (KEY_A.encode(), KEY_B.encode())
    assert KEY_B not in repr(b) and "/b.json" not in repr(b)
    del env["BUKUTAMU_GOOGLE_KEY_FILE"]
    message = error(p, env)
    assert message.startswith("offices.kantor-a: BUKUTAMU_GOOGLE_KEY_FILE: belum diatur")
    assert "BUKUTAMU_GOOGLE_KEY_FILE_KANTOR_A" in message
    weak = error(p, {**env, "BUKUTAMU_GOOGLE_KEY_FILE": "/k.json", "BUKUTAMU_HMAC_KEY_KANTOR_B": "pendek"})
    assert weak.startswith("offices.kantor-b: BUKUTAMU_HMAC_KEY: terlalu pendek") and "pendek" not in weak.split(":")[0]


def test_one_office_commands_need_kantor(tmp_path, env):
    p = write(tmp_path, "[offices.a.office]\nname = \"A\"\n[offices.b.office]\nname = \"B\"\n")
    with pytest.raises(ConfigError) as e:
        load_settings(p, env)
    assert "berisi 2 kantor (a, b)" in str(e.value) and "--kantor" in str(e.value)
    assert "kantor tidak dikenal; yang ada di" in error(p, env, office="c")
    assert load_settings(p, env, office="b").office.name == "B"
    single = write(tmp_path, "[offices.satu.office]\nname = \"Satu\"\n")
    assert load_settings(single, env).slug == "satu"


@pytest.mark.parametrize("text, expected", [
    ("[offices.Dinas_X.office]\nname = 'X'\n", "offices.Dinas_X: kode kantor hanya boleh huruf kecil"),
    ("[offices.x.kantor]\nnama = 'X'\n", "offices.x: bagian tidak dikenal: kantor"),
    ("[offices]\nx = 1\n", "offices.x: harus berupa tabel"),
    ("[offices]\n", "[offices]: tulis satu tabel per kantor"),
    ("[offices.dinas-x.store]\nkind = 'google'\n",
     "offices.dinas-x.store.spreadsheet_id: wajib diisi untuk store.kind"),
    ("[offices.x.poll]\ninterval_seconds = 0\n", "offices.x.poll.interval_seconds: harus lebih besar dari 0"),
    ("[offices.x.mail]\nsender = 'bukan-email'\n", "offices.x.mail.sender: 'bukan-email' bukan alamat email"),
    ("[offices.x.tabs]\nregister = ''\n", "[offices.x.tabs]: nama tab tidak boleh kosong"),
    ("[offices.x.store]\nwarna = 'biru'\n", "[offices.x.store]: kunci tidak dikenal: warna"),
    ("[offices.x.office]\ntime_zone = 'Mars/Olympus'\n", "offices.x.office.time_zone: zona waktu"),
    ("[offices.x.web]\nport = 8081\n", "offices.x.web.port: `serve` melayani semua kantor dari satu alamat"),
])
def test_validation_names_the_office_s_key(tmp_path, env, text, expected):
    assert error(write(tmp_path, text), env).startswith(expected)


@pytest.mark.parametrize("text, expected", [
    (f"[store]\nkind = 'google'\nspreadsheet_id = '{SHEET_A}'\n[offices.a.office]\n[offices.b.office]\n",
     "offices.b.store.spreadsheet_id: sama dengan kantor a"),
    (f"[offices.a.store]\nkind = 'google'\nspreadsheet_id = '{SHEET_A}'\n"
     f"[offices.b.store]\nkind = 'google'\nspreadsheet_id = '{SHEET_A}'\n",
     "offices.b.store.spreadsheet_id: sama dengan kantor a"),
    ("[offices.a.store]\npath = 'kantor.sqlite'\n[offices.b.store]\npath = 'kantor.sqlite'\n",
     "offices.b.store.path: sama dengan kantor a"),
    ("[store]\npath = 'bersama.sqlite'\n[offices.a.store]\ndata_dir = 'da'\n[offices.b.store]\ndata_dir = 'db'\n",
     "offices.b.store.path: sama dengan kantor a"),
    ("[offices.a.store]\ndata_dir = 'satu'\n[offices.b.store]\ndata_dir = 'satu'\n",
     "offices.b.store.data_dir: sama dengan kantor a"),
    ("[offices.a.report]\nfolder = 'lap'\n[offices.b.report]\nfolder = 'lap'\n",
     "offices.b.report.folder: sama dengan kantor a"),
    ("[offices.a.mail]\noutbox = 'keluar'\n[offices.b.mail]\noutbox = 'keluar'\n",
     "offices.b.mail.outbox: sama dengan kantor a"),
    (f"[offices.a.archive.spreadsheets]\n2026 = '{SHEET_B}'\n[offices.b.archive.spreadsheets]\n2026 = '{SHEET_B}'\n",
     "offices.b.archive.spreadsheets.2026: sama dengan kantor a"),
    (f"[offices.a.store]\nkind = 'google'\nspreadsheet_id = '{SHEET_A}'\n"
     f"[offices.b.archive.spreadsheets]\n2026 = '{SHEET_A}'\n",
     "offices.b.archive.spreadsheets.2026: sama dengan kantor a"),
])
def test_two_offices_never_share_a_store_or_a_folder(tmp_path, env, text, expected):
    env = {**env, "BUKUTAMU_GOOGLE_KEY_FILE": "/k.json", "BUKUTAMU_HMAC_KEY": KEY_A}
    assert error(write(tmp_path, text), env).startswith(expected)
