"""The SOP is data: an office adds a step to its own copy of sop.toml and a visit
runs through it — through the CLI on the embedded store, with no code change.

The new step: after the officer is contacted, the helpdesk escorts the guest to
the service room ("Tamu Diantar", state DIANTAR, step 11); the officer then
receives the guest from there."""

import random
from datetime import datetime
from pathlib import Path

import pytest

from bukutamu.adapters.sqlite_store import SqliteSheetStore
from bukutamu.cli import main
from bukutamu.config import DEFAULT_SOP, load_settings
from bukutamu.core.cells import datetime_to_serial
from bukutamu.demo.form import as_row, form_values
from bukutamu.demo.guests import make_guest

NEW_STEP = '''
[[step]]
number = 11
name = "Helpdesk mengantar tamu ke ruang pelayanan"
actor = "Helpdesk"
standard_minutes = 10
output = "Tamu di ruang pelayanan"

[[transition]]
event = "diantar"
from = ["PETUGAS_DIHUBUNGI"]
to = "DIANTAR"
step = 11
'''


def office_sop(tmp_path: Path) -> Path:
    """The office's copy of the standard SOP with one step added (text edits only)."""
    text = DEFAULT_SOP.read_text(encoding="utf-8")
    text = text.replace('[actions]\n', '[actions]\n"Tamu Diantar" = "diantar"\n', 1)
    text = text.replace('DILAYANI = { label = "DILAYANI", open = true }',
                        'DIANTAR = { label = "DIANTAR", open = true }\nDILAYANI = { label = "DILAYANI", open = true }', 1)
    text = text.replace('event = "diterima"\nfrom = ["PETUGAS_DIHUBUNGI"]',
                        'event = "diterima"\nfrom = ["PETUGAS_DIHUBUNGI", "DIANTAR"]', 1)
    path = tmp_path / "sop-kantor.toml"
    path.write_text(text + NEW_STEP, encoding="utf-8")
    return path


@pytest.fixture
def office(tmp_path, monkeypatch, capsys):
    cfg = tmp_path / "bukutamu.toml"
    cfg.write_text(f'[sop]\nfile = "{office_sop(tmp_path)}"\n', encoding="utf-8")
    monkeypatch.setenv("BUKUTAMU_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("BUKUTAMU_CONFIG", raising=False)

    def cli(*args):
        code = main(["--config", str(cfg), *args])
        out = capsys.readouterr()
        return code, out.out + out.err

    assert cli("init")[0] == 0
    settings = load_settings(cfg)
    return settings, cli


def submit_guest(settings):
    """A guest fills the form now (as the embedded store's form stores it)."""
    store = SqliteSheetStore(settings.store.path, settings.office.time_zone)
    try:
        tab = settings.tabs.register
        header = store.read([tab]).tab(tab).header
        now = datetime.now(settings.office.tz)
        guest = make_guest(random.Random(11), now.date())
        store.append_rows(tab, [as_row(header, form_values(guest, datetime_to_serial(now, settings.office.tz)))])
    finally:
        store.close()


def register_line(cli):
    code, out = cli("register")
    assert code == 0, out
    return out


def history(settings):
    store = SqliteSheetStore(settings.store.path, settings.office.time_zone)
    try:
        tab = store.read([settings.tabs.history]).tab(settings.tabs.history)
    finally:
        store.close()
    head = [str(h) for h in tab.header]
    return [dict(zip(head, r.values)) for r in tab.rows]


def test_a_visit_runs_through_a_step_added_in_the_sop_file(office):
    settings, cli = office
    submit_guest(settings)
    assert cli("poll", "--once")[0] == 0
    assert "MENUNGGU VERIFIKASI" in register_line(cli)

    code, out = cli("helpdesk", "A-001", "--verifikasi", "Sesuai")
    assert code == 0, out
    cli("poll", "--once")  # the officer notice was sent: the next cycle records it
    out = register_line(cli)
    assert "PETUGAS DIHUBUNGI" in out
    assert "Tamu Diantar" in out  # the new action is offered next, from the SOP file

    code, out = cli("helpdesk", "A-001", "--aksi", "tamu-diantar")
    assert code == 0, out
    out = register_line(cli)
    assert "DIANTAR" in out and "PETUGAS DIHUBUNGI" not in out

    code, out = cli("helpdesk", "A-001", "--aksi", "Layanan Selesai")  # not from DIANTAR
    assert code != 0 and '"Layanan Selesai" ditolak: tidak berlaku saat status DIANTAR' in out
    assert "Tamu Diterima" in out  # the refusal names what applies now

    for action in ("Tamu Diterima", "Layanan Selesai", "Umpan Balik Cukup", "Kunjungan Ditutup"):
        code, out = cli("helpdesk", "A-001", "--aksi", action)
        assert code == 0, out
    assert "SELESAI" in register_line(cli)

    steps = [(str(h["Langkah"]), h["Ke Status"]) for h in history(settings)]
    assert steps == [("2", "MENUNGGU VERIFIKASI"), ("3", "TERVERIFIKASI"), ("5", "PETUGAS DIHUBUNGI"),
                     ("11", "DIANTAR"), ("6", "DILAYANI"), ("7", "MENUNGGU UMPAN BALIK"),
                     ("8", "MENUNGGU HELPDESK"), ("9", "SELESAI")]


def test_the_new_action_is_refused_outside_its_step(office):
    settings, cli = office
    submit_guest(settings)
    cli("poll", "--once")
    code, out = cli("helpdesk", "A-001", "--aksi", "Tamu Diantar")
    assert code != 0
    assert '"Tamu Diantar" ditolak: tidak berlaku saat status MENUNGGU VERIFIKASI' in out
