"""What went wrong when the product was tried as its users would (issue 8), each
reproduced from where the user starts: guests submitting the form over two days,
the helpdesk saving actions while a cycle runs, officers missing from the Petugas
tab or with a refused address, links from an earlier service round. Every
intermediate value is produced by the engine; the assertions are on what people
see (cells, Riwayat, emails on a real SMTP server). Both stores."""

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bukutamu.config import load_settings
from bukutamu.core.cells import datetime_to_serial
from bukutamu.demo.form import as_row, form_values
from bukutamu.demo.guests import make_guest
from bukutamu.engine import Poller
from bukutamu.layout import tab_specs
from tests.e2e.test_workflow import add_form_row, link_params
from tests.fakes.smtp_server import SmtpTestServer
from tests.fakes.office_config import FEEDBACK_FORM, LINKS_TOML, OFFICER_FORM, smtp_toml

WIB = ZoneInfo("Asia/Pontianak")
REG = "Jawaban Formulir 1"
MON, TUE = date(2026, 11, 23), date(2026, 11, 24)  # two working days
OFFICERS = [
    ["Andi Petugas", "Bagian Pengelolaan Pengadaan Barang/Jasa", "andi@biro.test", "Ya", ""],
    ["Lia Petugas", "Bagian Pengelolaan LPSE", "lia@biro.test", "Ya", ""],
    ["Rudi Petugas", "Bagian Pembinaan dan Advokasi PBJ", "rudi@biro.test", "Ya", ""],
]


def at(day, h, m, s=0):
    return datetime(day.year, day.month, day.day, h, m, s, tzinfo=WIB)


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
{smtp_toml(smtp.port)}{LINKS_TOML}''')
    settings = load_settings(cfg, env={"BUKUTAMU_DATA": str(tmp_path / "data"),
                                       "BUKUTAMU_HMAC_KEY": "kunci-uji-yang-cukup-panjang-0123456789"})
    harness.store.init(tab_specs(settings))
    harness.seed("Petugas", ["Nama", "Bidang", "Email", "Aktif", "Email Cadangan"], OFFICERS)
    clock = {"now": at(MON, 8, 0)}
    poller = Poller(settings, harness.store, clock=lambda: clock["now"])

    class Office:
        def cycle(self, moment):
            clock["now"] = moment
            return poller.run_once()

        def submit(self, guest, moment):
            """The guest presses Kirim on the form at ``moment``."""
            header = harness.table(REG)[0]
            values = form_values(guest, datetime_to_serial(moment, WIB))
            add_form_row(harness, REG, dict(zip(header, as_row(header, values))))

        def rows(self):
            t = harness.table(REG)
            return [dict(zip(t[0], list(r) + [""] * (len(t[0]) - len(r)))) for r in t[1:]]

        def row(self, visit_id):
            return next(r for r in self.rows() if r["[Sistem] ID Kunjungan"] == visit_id)

        def index_of(self, visit_id):
            return next(i for i, r in enumerate(self.rows()) if r["[Sistem] ID Kunjungan"] == visit_id)

        def edit(self, visit_id, header, value):
            harness.edit_cell(REG, self.index_of(visit_id), header, value)

        def history(self, visit_id=None):
            t = harness.table("Riwayat")
            rows = [dict(zip(t[0], r)) for r in t[1:]]
            return [r for r in rows if visit_id is None or r["ID Kunjungan"] == visit_id]

    o = Office()
    o.harness, o.settings = harness, settings
    return o


def guests_with_email(n, seed=8):
    rng = random.Random(seed)
    out = []
    while len(out) < n:
        g = make_guest(rng, MON)
        if g.email:
            out.append(g)
    return out


def verified_guest(office, bidang):
    """One guest with an email for ``bidang``, registered and verified by the helpdesk at
    08:05, the officer notice due at 08:06. Returns (guest, visit ID)."""
    g = guests_with_email(1)[0]
    g = g.__class__(**{**g.__dict__, "bidang": bidang})
    office.submit(g, at(MON, 8, 0))
    office.cycle(at(MON, 8, 1))
    vid = office.rows()[0]["[Sistem] ID Kunjungan"]
    office.edit(vid, "Verifikasi KTP", "Sesuai")
    office.cycle(at(MON, 8, 5))
    office.cycle(at(MON, 8, 6))
    return g, vid


def test_every_guest_with_an_email_gets_their_own_queue_number_mail_over_two_days(office, smtp):
    guests = guests_with_email(10)
    for i, g in enumerate(guests[:6]):  # Monday: six guests, two per cycle
        office.submit(g, at(MON, 8, 10 + i))
        if i % 2:
            office.cycle(at(MON, 8, 11 + i))
    for i, g in enumerate(guests[6:]):  # Tuesday: the numbers start again at A-001
        office.submit(g, at(TUE, 9, i))
    office.cycle(at(TUE, 9, 30))

    queue_mails = [m for m in smtp.messages if "Nomor antrian Anda" in m.message["Subject"]]
    assert len(queue_mails) == 10
    assert sorted(m.rcpt_tos[0] for m in queue_mails) == sorted(g.email for g in guests)
    by_guest = {m.rcpt_tos[0]: m.message["Subject"] for m in queue_mails}
    for g in guests:
        row = next(r for r in office.rows() if r["Email"] == g.email)
        assert by_guest[g.email].endswith(row["[Sistem] No. Antrian"])  # their own number
    assert len({m.message_id for m in queue_mails}) == 10
    for g in guests:  # a proper letter: salutation by sex and name, closing, office contact
        m = next(m for m in queue_mails if m.rcpt_tos == [g.email])
        text = m.message.get_body(("plain",)).get_content()
        title = "Bapak" if g.sex == "LAKI-LAKI" else "Ibu"
        assert text.startswith(f"Yth. {title} {g.name},")
        assert "Hormat kami," in text and "Kontak helpdesk: helpdesk@biro.test" in text
    assert {r["[Sistem] No. Antrian"] for r in office.rows() if r["[Sistem] ID Kunjungan"].startswith("20261124")} \
        == {"A-001", "A-002", "A-003", "A-004"}


def test_helpdesk_actions_saved_while_a_cycle_runs_are_never_lost(office, smtp):
    """30 actions, each saved between a cycle's read and its write (the poller at its
    shortest interval): every one is applied or visibly refused."""
    rng = random.Random(3)
    guests = [make_guest(rng, MON) for _ in range(10)]
    for i, g in enumerate(guests):
        office.submit(g, at(MON, 8, 0, i))
    t = at(MON, 8, 1)
    office.cycle(t)
    ids = [r["[Sistem] ID Kunjungan"] for r in office.rows()]
    ids = [v for v in ids if office.row(v)["[Sistem] Status"] == "MENUNGGU VERIFIKASI"]
    assert len(ids) >= 8
    steps = [("Verifikasi KTP", "Sesuai", "PETUGAS DIHUBUNGI"),  # verified, then the officer is emailed
             ("Aksi Helpdesk", "Tamu Diterima", "DILAYANI"),
             ("Aksi Helpdesk", "Layanan Selesai", "MENUNGGU UMPAN BALIK")]
    saved = 0
    walk_ins = iter(make_guest(rng, MON) for _ in range(100))
    for header, value, expected in steps:
        for vid in ids:
            t += timedelta(seconds=15)
            office.submit(next(walk_ins), t - timedelta(seconds=5))  # a busy desk: this cycle writes
            office.harness.on_next_write(lambda v=vid, h=header, x=value: office.edit(v, h, x))
            report = office.cycle(t)  # the save lands between this cycle's read and its write
            assert report.wrote
            saved += 1
        t += timedelta(seconds=15)
        office.cycle(t)
        t += timedelta(seconds=15)
        office.cycle(t)
        for vid in ids:
            assert office.row(vid)["[Sistem] Status"] == expected, (vid, value)
    assert saved == 3 * len(ids) >= 24
    for vid in ids:
        row = office.row(vid)
        assert row["Aksi Helpdesk"] == "Layanan Selesai"  # the program never wrote the helpdesk's cell
        assert row["[Sistem] Aksi Terproses"].startswith("Layanan Selesai (diterapkan")
        assert [h["Ke Status"] for h in office.history(vid)][-3:] == ["PETUGAS DIHUBUNGI", "DILAYANI",
                                                                       "MENUNGGU UMPAN BALIK"]


def test_next_action_saved_while_the_previous_one_is_being_applied_is_applied_too(office, smtp):
    """The clerk picks "Tamu Diterima", and a moment later (while the cycle that took it
    is still running) "Layanan Selesai" on the same row: both count."""
    rng = random.Random(5)
    guests = [make_guest(rng, MON) for _ in range(10)]
    for i, g in enumerate(guests):
        office.submit(g, at(MON, 8, 0, i))
    t = at(MON, 8, 1)
    office.cycle(t)
    ids = [r["[Sistem] ID Kunjungan"] for r in office.rows()
           if r["[Sistem] Status"] == "MENUNGGU VERIFIKASI"]
    for vid in ids:
        office.edit(vid, "Verifikasi KTP", "Sesuai")
    for _ in range(2):
        t += timedelta(seconds=15)
        office.cycle(t)
    assert {office.row(v)["[Sistem] Status"] for v in ids} == {"PETUGAS DIHUBUNGI"}
    for vid in ids:
        office.edit(vid, "Aksi Helpdesk", "Tamu Diterima")
        office.harness.on_next_write(lambda v=vid: office.edit(v, "Aksi Helpdesk", "Layanan Selesai"))
        t += timedelta(seconds=15)
        office.cycle(t)  # applies "Tamu Diterima"; "Layanan Selesai" lands before its write
        assert office.row(vid)["[Sistem] Status"] == "DILAYANI"
    t += timedelta(seconds=15)
    office.cycle(t)
    assert {office.row(v)["[Sistem] Status"] for v in ids} == {"MENUNGGU UMPAN BALIK"}
    assert len(ids) >= 8


def test_an_action_not_valid_now_is_refused_on_the_row_with_the_valid_ones(office, smtp):
    g = guests_with_email(1)[0]
    office.submit(g, at(MON, 8, 0))
    office.cycle(at(MON, 8, 1))
    vid = office.rows()[0]["[Sistem] ID Kunjungan"]
    office.edit(vid, "Aksi Helpdesk", "Kunjungan Ditutup")
    office.cycle(at(MON, 8, 2))
    row = office.row(vid)
    assert row["[Sistem] Status"] == "MENUNGGU VERIFIKASI"
    assert '"Kunjungan Ditutup" ditolak: tidak berlaku saat status MENUNGGU VERIFIKASI' in row["[Sistem] Catatan"]
    assert "Tamu Pergi" in row["[Sistem] Catatan"]  # what does apply
    assert row["[Sistem] Aksi Terproses"].startswith("Kunjungan Ditutup (ditolak")


def test_no_officer_for_the_bidang_the_helpdesk_gets_the_notice_and_the_visit_goes_on(office, smtp):
    g, vid = verified_guest(office, "Bagian Umum")  # nobody in the Petugas tab
    notice = [m for m in smtp.messages if m.rcpt_tos == ["helpdesk@biro.test"]]
    assert len(notice) == 1
    body = notice[0].message.get_body(("plain",)).get_content()
    assert 'Petugas untuk bidang "Bagian Umum" tidak ada di tab Petugas' in body
    row = office.row(vid)
    assert row["[Sistem] Status"] == "PETUGAS DIHUBUNGI"
    assert row["[Sistem] Petugas"] == "HELPDESK (petugas tidak ditemukan)"


def test_refused_officer_address_corrected_in_petugas_tab_gets_the_notice(office, smtp):
    smtp.refuse["lia@biro.test"] = "550 5.1.1 mailbox unavailable"
    g, vid = verified_guest(office, "Bagian Pengelolaan LPSE")
    row = office.row(vid)
    assert row["[Sistem] Status"] == "TERVERIFIKASI"
    assert "gagal permanen" in row["[Sistem] Catatan"] and "tab Petugas" in row["[Sistem] Catatan"]
    office.cycle(at(MON, 8, 7))  # the note stays while the visit waits
    assert "gagal permanen" in office.row(vid)["[Sistem] Catatan"]

    fixed = [o[:] for o in OFFICERS]
    fixed[1][2] = "lia.petugas@biro.test"
    office.harness.seed("Petugas", ["Nama", "Bidang", "Email", "Aktif", "Email Cadangan"], fixed)
    office.cycle(at(MON, 8, 10))
    office.cycle(at(MON, 8, 11))
    assert [m.rcpt_tos for m in smtp.messages if "lia" in m.rcpt_tos[0]] == [["lia.petugas@biro.test"]]
    assert office.row(vid)["[Sistem] Status"] == "PETUGAS DIHUBUNGI"
    office.cycle(at(MON, 8, 12))
    assert len([m for m in smtp.messages if "lia" in m.rcpt_tos[0]]) == 1  # once


def test_helpdesk_can_go_on_after_a_permanent_failure_by_phoning_the_officer(office, smtp):
    smtp.refuse["lia@biro.test"] = "550 5.1.1 mailbox unavailable"
    g, vid = verified_guest(office, "Bagian Pengelolaan LPSE")
    office.edit(vid, "Aksi Helpdesk", "Tamu Diterima")
    office.cycle(at(MON, 8, 9))
    assert office.row(vid)["[Sistem] Status"] == "DILAYANI"
    hist = office.history(vid)
    assert [(h["Dari Status"], h["Ke Status"], h["Sumber"]) for h in hist[-2:]] == [
        ("TERVERIFIKASI", "PETUGAS DIHUBUNGI", "helpdesk"), ("PETUGAS DIHUBUNGI", "DILAYANI", "helpdesk")]


def test_an_unused_round_one_link_cannot_close_round_two(office, smtp):
    g, vid = verified_guest(office, "Bagian Pengelolaan LPSE")
    round1 = {p["entry.103"]: p for p in link_params(smtp.messages[-1].message, OFFICER_FORM)}
    office.edit(vid, "Aksi Helpdesk", "Tamu Diterima")
    office.cycle(at(MON, 8, 10))
    office.edit(vid, "Aksi Helpdesk", "Layanan Selesai")  # by the helpdesk: the round-1 link stays unused
    office.cycle(at(MON, 8, 40))
    ask = [m for m in smtp.messages if m.rcpt_tos == [g.email]][-1]
    fb = link_params(ask.message, FEEDBACK_FORM)[0]
    add_form_row(office.harness, "Umpan Balik", {
        "Stempel waktu": datetime_to_serial(at(MON, 8, 45), WIB), "ID Kunjungan": vid,
        "Token": fb["entry.202"], "Apakah layanan sudah cukup?": "Belum cukup", "Catatan": "Belum jelas"})
    office.cycle(at(MON, 8, 46))
    assert office.row(vid)["[Sistem] Status"] == "DILAYANI"  # round 2
    old = round1["Layanan Selesai"]
    add_form_row(office.harness, "Konfirmasi", {
        "Stempel waktu": datetime_to_serial(at(MON, 8, 50), WIB), "ID Kunjungan": vid,
        "Token": old["entry.102"], "Aksi": "Layanan Selesai"})
    office.cycle(at(MON, 8, 51))
    assert office.row(vid)["[Sistem] Status"] == "DILAYANI"
    konf = office.harness.table("Konfirmasi")
    assert "putaran layanan sebelumnya" in konf[-1][-1]
    again = smtp.messages[-1]
    assert again.message["Subject"].startswith("[Buku Tamu] Layanan ulang (putaran 2) A-001: ")
    assert b"\r\nSubject: [Buku Tamu] Layanan ulang" in again.data  # never folded onto a continuation line
    assert again.message.get_body(("plain",)).get_content().startswith("Yth. Bapak/Ibu Lia Petugas,")
    round2 = {p["entry.103"]: p for p in link_params(again.message, OFFICER_FORM)}
    add_form_row(office.harness, "Konfirmasi", {
        "Stempel waktu": datetime_to_serial(at(MON, 9, 5), WIB), "ID Kunjungan": vid,
        "Token": round2["Layanan Selesai"]["entry.102"], "Aksi": "Layanan Selesai"})
    office.cycle(at(MON, 9, 6))
    assert office.row(vid)["[Sistem] Status"] == "MENUNGGU UMPAN BALIK"



def test_escalations_come_as_one_mail_per_window_each_saying_who_must_act(office, smtp):
    """Twelve guests verified one minute apart, officers who never come: each visit's
    step 6 runs late. The helpdesk and supervisor hear of the first breach at once and of
    the rest in at most one digest per 15 minutes; every late visit is named exactly once,
    with who must act, how to reach them and since when (issue 13, item 9)."""
    rng = random.Random(21)
    guests = [make_guest(rng, MON) for _ in range(12)]
    for i, g in enumerate(guests):
        office.submit(g, at(MON, 8, i))
    office.cycle(at(MON, 8, 12))
    ids = [r["[Sistem] ID Kunjungan"] for r in office.rows() if r["[Sistem] Status"] == "MENUNGGU VERIFIKASI"]
    assert len(ids) >= 10
    t = at(MON, 8, 13)
    sent_at: dict[int, datetime] = {}  # message index -> the cycle that sent it

    def cycle():
        office.cycle(t)
        for i in range(len(smtp.messages)):
            sent_at.setdefault(i, t)

    for vid in ids:  # the helpdesk verifies one guest a minute
        office.edit(vid, "Verifikasi KTP", "Sesuai")
        cycle()
        t += timedelta(minutes=1)
    while t < at(MON, 9, 10):  # nobody receives the guests; a cycle every minute
        cycle()
        t += timedelta(minutes=1)

    late_i = [i for i, m in enumerate(smtp.messages) if m.rcpt_tos == ["helpdesk@biro.test"]
              and ("TERLAMBAT" in m.message["Subject"] or "Ringkasan" in m.message["Subject"])]
    late = [smtp.messages[i] for i in late_i]
    named: list[str] = []
    for m in late:
        text = m.message.get_body(("plain",)).get_content()
        named += [vid for vid in ids if f"({vid})" in text or f"ID Kunjungan: {vid}" in text]
    assert sorted(named) == sorted(ids)  # every late visit told, exactly once
    assert "TERLAMBAT" in late[0].message["Subject"]  # the first breach went at once, on its own
    digests = [m for m in late if "Ringkasan" in m.message["Subject"]]
    assert digests and len(late) <= 1 + 4  # 55 minutes of breaches: at most one mail per 15 minutes
    when = [sent_at[i] for i in late_i]
    assert all(b - a >= timedelta(minutes=15) for a, b in zip(when, when[1:])), when
    body = digests[0].message.get_body(("plain",)).get_content()
    line = next(l for l in body.splitlines() if "langkah 6" in l)
    assert "terlambat sejak" in line and "harus bertindak: Petugas" in line and "hubungi " in line
    assert "@biro.test" in line


def test_a_correction_from_any_front_end_is_written_to_the_history_log(office, smtp):
    """The helpdesk corrects a guest's birth date and name (in the sheet, or through the
    helpdesk use case the CLI and the web desk share): the next cycle writes one Riwayat
    row per corrected column, naming the column, not the values (issue 11)."""
    from bukutamu.app.helpdesk import HelpdeskInput, save_helpdesk_input
    from bukutamu.bootstrap import sop_of
    rng = random.Random(31)
    guests = [make_guest(rng, MON) for _ in range(3)]
    for i, g in enumerate(guests):
        office.submit(g, at(MON, 8, i))
    office.cycle(at(MON, 8, 5))
    first, second = [r["[Sistem] ID Kunjungan"] for r in office.rows()][:2]
    office.edit(first, "Tanggal Lahir", "02/02/1991")  # a person edits the shared sheet
    office.cycle(at(MON, 8, 6))
    # The helpdesk use case (what `bukutamu helpdesk --ubah` and the web desk call), on this store.
    save_helpdesk_input(office.harness.store, REG, {}, sop_of(office.settings), second,
                        HelpdeskInput(corrections={"nama": "Nama Diperbaiki"}), at(MON, 8, 7))
    office.cycle(at(MON, 8, 8))
    office.cycle(at(MON, 8, 9))  # nothing new: nothing logged twice
    fixes = [(h["ID Kunjungan"], h["Keterangan"], h["Dari Status"] == h["Ke Status"])
             for h in office.history() if "koreksi" in str(h.get("Keterangan"))]
    assert fixes == [(first, "koreksi data tamu: Tanggal Lahir", True),
                     (second, "koreksi data tamu: Nama Lengkap", True)]
    assert all(g.nik not in str(office.history()) for g in guests)
    assert office.row(first)["[Sistem] Status"] == "MENUNGGU VERIFIKASI"  # the visit goes on as before
