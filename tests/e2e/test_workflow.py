"""A visit from form row to SELESAI through the real engine, on every store, with
a real SMTP server on loopback: correction loop, officer link, feedback loop."""

import re
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from bukutamu.config import load_settings
from bukutamu.core.cells import datetime_to_serial, serial_to_datetime
from bukutamu.engine import Poller
from bukutamu.layout import tab_specs
from tests.fakes.smtp_server import SmtpTestServer
from tests.fakes.office_config import FEEDBACK_FORM, LINKS_TOML, OFFICER_FORM, smtp_toml

WIB = ZoneInfo("Asia/Pontianak")
REG = "Jawaban Formulir 1"
NIK = "6171010101909991"  # synthetic


def at(h, m):
    return datetime(2026, 11, 25, h, m, tzinfo=WIB)  # a Wednesday, a working day


@pytest.fixture
def smtp():
    with SmtpTestServer() as server:
        yield server


@pytest.fixture
def office(harness, tmp_path, smtp):
    cfg = tmp_path / "bukutamu.toml"
    cfg.write_text(f'''
[office]
helpdesk_email = "helpdesk@biro.test"
supervisor_email = "kabag@biro.test"
{smtp_toml(smtp.port)}{LINKS_TOML}''')
    settings = load_settings(cfg, env={"BUKUTAMU_DATA": str(tmp_path / "data"),
                                       "BUKUTAMU_HMAC_KEY": "kunci-uji-yang-cukup-panjang-0123456789"})
    harness.store.init(tab_specs(settings))
    harness.seed("Petugas", ["Nama", "Bidang", "Email", "Aktif", "Email Cadangan"], [
        ["Andi Petugas", "Bagian Pengelolaan LPSE", "andi@biro.test", "Ya", ""],
        ["Sari Cuti", "Bagian Pembinaan", "sari@biro.test", "Tidak", "wakil@biro.test"],
    ])
    clock = {"now": at(9, 1)}
    poller = Poller(settings, harness.store, clock=lambda: clock["now"])

    def cycle(h, m=None):
        clock["now"] = h if isinstance(h, datetime) else at(h, m)
        return poller.run_once()

    return harness, cycle


def row_of(harness):
    t = harness.table(REG)
    return dict(zip(t[0], t[1] + [""] * (len(t[0]) - len(t[1]))))


def history(harness):
    t = harness.table("Riwayat")
    return [dict(zip(t[0], r)) for r in t[1:]]


def link_params(message, form):
    body = message.get_body(("html",)).get_content()
    urls = [u.replace("&amp;", "&") for u in re.findall(r'href="([^"]+)"', body)]
    found = [u for u in urls if u.startswith(form)]
    return [{k: v[0] for k, v in parse_qs(urlsplit(u).query).items()} for u in found]


def add_form_row(harness, tab, values):
    t = harness.table(tab)
    header = t[0]
    harness.seed(tab, header, t[1:] + [[values.get(h, "") for h in header]])


def test_visit_from_form_to_selesai_with_correction_and_feedback_loop(office, smtp):
    harness, cycle = office
    header = harness.table(REG)[0]
    form = {"Stempel waktu": datetime_to_serial(at(9, 0), WIB), "NIK": NIK, "Nama Lengkap": "Budi Santosa",
            "Jenis Kelamin": "Laki-laki", "Tanggal Lahir": "01/01/1990", "Nomor HP": "081234567890",
            "Email": "budi@tamu.test", "Instansi": "CV <Sinar> Kapuas", "Keperluan": "Konsultasi paket",
            "Bidang yang Dituju": "Bagian Pengelolaan LPSE"}
    harness.seed(REG, header, [[form.get(h, "") for h in header]])

    cycle(9, 1)
    r = row_of(harness)
    assert (r["[Sistem] No. Antrian"], r["[Sistem] Status"]) == ("A-001", "MENUNGGU VERIFIKASI")
    assert [m.rcpt_tos for m in smtp.messages] == [["budi@tamu.test"]]  # queue number to the guest

    harness.edit_cell(REG, 0, "Verifikasi KTP", "Tidak Sesuai")
    cycle(9, 5)
    assert row_of(harness)["[Sistem] Status"] == "PERLU PERBAIKAN"

    harness.edit_cell(REG, 0, "Nama Lengkap", "Budi Santoso")  # the guest corrects the name
    harness.edit_cell(REG, 0, "Verifikasi KTP", "Sesuai")
    cycle(9, 10)
    r = row_of(harness)
    assert r["[Sistem] Status"] == "TERVERIFIKASI" and r["[Sistem] Petugas"] == "Andi Petugas"
    notice = smtp.messages[-1]
    assert notice.rcpt_tos == ["andi@biro.test"] and "A-001" in notice.message["Subject"]

    cycle(9, 11)  # the send is reflected in the sheet with its own time
    r = row_of(harness)
    assert r["[Sistem] Status"] == "PETUGAS DIHUBUNGI"
    assert serial_to_datetime(r["[Sistem] Waktu Petugas Dihubungi"], WIB) == at(9, 10)

    received = next(p for p in link_params(notice.message, OFFICER_FORM) if p["entry.103"] == "Tamu Diterima")
    add_form_row(harness, "Konfirmasi", {"Stempel waktu": datetime_to_serial(at(9, 12), WIB),
                                         "ID Kunjungan": received["entry.101"], "Token": received["entry.102"],
                                         "Aksi": "Tamu Diterima"})
    cycle(9, 13)
    r = row_of(harness)
    assert r["[Sistem] Status"] == "DILAYANI"
    assert serial_to_datetime(r["[Sistem] Waktu Diterima"], WIB) == at(9, 12)  # the form's own time
    assert harness.table("Konfirmasi")[1][4] == "OK: diterima"

    harness.edit_cell(REG, 0, "Aksi Helpdesk", "Layanan Selesai")
    cycle(9, 40)
    assert row_of(harness)["[Sistem] Status"] == "MENUNGGU UMPAN BALIK"
    ask = smtp.messages[-1]
    assert ask.rcpt_tos == ["budi@tamu.test"]
    fb = link_params(ask.message, FEEDBACK_FORM)[0]
    add_form_row(harness, "Umpan Balik", {"Stempel waktu": datetime_to_serial(at(9, 42), WIB),
                                          "ID Kunjungan": fb["entry.201"], "Token": fb["entry.202"],
                                          "Apakah layanan sudah cukup?": "Belum cukup",
                                          "Catatan": "Mohon jadwal <b>klarifikasi</b>"})
    cycle(9, 43)
    r = row_of(harness)
    assert (r["[Sistem] Status"], str(r["[Sistem] Putaran Layanan"])) == ("DILAYANI", "2")
    again = smtp.messages[-1]
    assert again.rcpt_tos == ["andi@biro.test"]
    html_body = again.message.get_body(("html",)).get_content()
    assert "Mohon jadwal &lt;b&gt;klarifikasi&lt;/b&gt;" in html_body  # the guest's note, escaped

    # Round 2: the cell still shows round 1's "Layanan Selesai". Picking it again changes
    # nothing a program can see, so the row says how to give it again.
    harness.edit_cell(REG, 0, "Aksi Helpdesk", "Layanan Selesai")
    cycle(9, 58)
    r = row_of(harness)
    assert r["[Sistem] Status"] == "DILAYANI"
    assert "kosongkan sel Aksi Helpdesk" in r["[Sistem] Catatan"]
    harness.edit_cell(REG, 0, "Aksi Helpdesk", "")
    cycle(9, 59)
    assert not row_of(harness)["[Sistem] Aksi Terproses"]
    harness.edit_cell(REG, 0, "Aksi Helpdesk", "Layanan Selesai")
    cycle(10, 0)
    assert row_of(harness)["[Sistem] Status"] == "MENUNGGU UMPAN BALIK"
    harness.edit_cell(REG, 0, "Aksi Helpdesk", "Umpan Balik Cukup")
    cycle(10, 5)
    assert row_of(harness)["[Sistem] Status"] == "MENUNGGU HELPDESK"
    harness.edit_cell(REG, 0, "Aksi Helpdesk", "Kunjungan Ditutup")
    cycle(10, 7)
    r = row_of(harness)
    assert r["[Sistem] Status"] == "SELESAI"

    steps = [(h["Langkah"] or "", h["Ke Status"], serial_to_datetime(h["Waktu Kejadian"], WIB).strftime("%H:%M"),
              h["Sumber"], h["Siklus"]) for h in history(harness)]
    assert steps == [
        (2, "MENUNGGU VERIFIKASI", "09:00", "formulir", 1),
        (3, "PERLU PERBAIKAN", "09:05", "helpdesk", 1),
        ("", "PERLU PERBAIKAN", "09:10", "helpdesk", 1),  # the correction, logged by the cycle that saw it
        (4, "TERVERIFIKASI", "09:10", "helpdesk", 1),
        (5, "PETUGAS DIHUBUNGI", "09:10", "sistem", 1),
        (6, "DILAYANI", "09:12", "tautan-petugas", 1),
        (7, "MENUNGGU UMPAN BALIK", "09:40", "helpdesk", 1),
        (8, "DILAYANI", "09:42", "tautan-umpan-balik", 2),
        (7, "MENUNGGU UMPAN BALIK", "10:00", "helpdesk", 2),
        (8, "MENUNGGU HELPDESK", "10:05", "helpdesk", 2),
        (9, "SELESAI", "10:07", "helpdesk", 2),
    ]
    fixes = [h["Keterangan"] for h in history(harness) if h["Langkah"] in ("", None)]
    assert fixes and all(f.startswith("koreksi data tamu: ") for f in fixes)
    assert "6171" not in " ".join(fixes)  # the column is named, the values stay in the register
    for key, hhmm in (("Waktu Daftar", "09:00"), ("Waktu Verifikasi", "09:05"), ("Waktu Perbaikan", "09:10"),
                      ("Waktu Diterima", "09:12"), ("Waktu Selesai Layanan", "10:00"),
                      ("Waktu Umpan Balik", "10:05"), ("Waktu Ditutup", "10:07")):
        assert serial_to_datetime(r[f"[Sistem] {key}"], WIB).strftime("%H:%M") == hhmm, key

    kinds = [(m.rcpt_tos[0], m.message["Subject"].split("]")[1].strip().split(" ")[0]) for m in smtp.messages]
    assert kinds == [("budi@tamu.test", "Nomor"), ("andi@biro.test", "Tamu"), ("budi@tamu.test", "Umpan"),
                     ("andi@biro.test", "Layanan"), ("budi@tamu.test", "Umpan")]
    assert len({m.message_id for m in smtp.messages}) == 5
    for m in smtp.messages:
        raw = m.data.decode("utf-8", "replace")
        assert NIK not in raw and NIK[4:12] not in raw
    assert "6171********9991" in notice.message.get_body(("html",)).get_content()
    assert "CV &lt;Sinar&gt; Kapuas" in notice.message.get_body(("html",)).get_content()


def test_disallowed_action_is_refused_with_a_note(office, smtp):
    harness, cycle = office
    header = harness.table(REG)[0]
    harness.seed(REG, header, [[{"Stempel waktu": datetime_to_serial(at(9, 0), WIB), "NIK": NIK,
                                 "Nama Lengkap": "Budi Santoso", "Jenis Kelamin": "L",
                                 "Tanggal Lahir": "01/01/1990", "Nomor HP": "081234567890",
                                 "Bidang yang Dituju": "Bagian Pengelolaan LPSE"}.get(h, "") for h in header]])
    cycle(9, 1)
    harness.edit_cell(REG, 0, "Aksi Helpdesk", "Kunjungan Ditutup")
    cycle(9, 2)
    r = row_of(harness)
    assert r["[Sistem] Status"] == "MENUNGGU VERIFIKASI"
    assert "ditolak" in r["[Sistem] Catatan"] and "MENUNGGU VERIFIKASI" in r["[Sistem] Catatan"]
    assert len(history(harness)) == 1


def _to_petugas_dihubungi(harness, cycle):
    header = harness.table(REG)[0]
    harness.seed(REG, header, [[{"Stempel waktu": datetime_to_serial(at(9, 0), WIB), "NIK": NIK,
                                 "Nama Lengkap": "Budi Santoso", "Jenis Kelamin": "L",
                                 "Tanggal Lahir": "01/01/1990", "Nomor HP": "081234567890",
                                 "Verifikasi KTP": "Sesuai",
                                 "Bidang yang Dituju": "Bagian Pengelolaan LPSE"}.get(h, "") for h in header]])
    cycle(9, 1)
    cycle(9, 2)
    cycle(9, 3)
    assert row_of(harness)["[Sistem] Status"] == "PETUGAS DIHUBUNGI"


@pytest.mark.parametrize("case", ["tampered", "expired", "other-visit", "replayed"])
def test_bad_expired_or_replayed_token_changes_nothing(office, smtp, case):
    harness, cycle = office
    _to_petugas_dihubungi(harness, cycle)
    notice = [m for m in smtp.messages if m.rcpt_tos == ["andi@biro.test"]][0]
    good = {p["entry.103"]: p for p in link_params(notice.message, OFFICER_FORM)}["Tamu Diterima"]
    token, visit, when = good["entry.102"], good["entry.101"], at(9, 5)
    if case == "tampered":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    elif case == "other-visit":
        visit = "20261125-A999"
    elif case == "expired":
        when = at(9, 5) + timedelta(hours=49)  # links are valid for 48 hours
    row = {"Stempel waktu": datetime_to_serial(when, WIB), "ID Kunjungan": visit, "Token": token,
           "Aksi": "Tamu Diterima"}
    if case == "replayed":  # used once (accepted), then the same row is submitted again
        add_form_row(harness, "Konfirmasi", row)
        cycle(9, 4)
        assert harness.table("Konfirmasi")[-1][4] == "OK: diterima"
    before = (row_of(harness)["[Sistem] Status"], len(history(harness)))
    add_form_row(harness, "Konfirmasi", row)
    cycle(when)
    assert (row_of(harness)["[Sistem] Status"], len(history(harness))) == before
    mark = harness.table("Konfirmasi")[-1][4]
    assert mark.startswith("DITOLAK"), mark
