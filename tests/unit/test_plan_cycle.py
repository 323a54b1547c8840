"""plan_cycle and the SOP state machine on hand-built snapshots.

The snapshots are made with the helpers the engine and the stores use: the tabs and
headers ``init`` creates (``layout.tab_specs``), guests as the form stores them
(``demo.form``), and every later value written by ``plan_cycle`` itself — the batch
of each planned cycle is applied to the in-memory sheet, the history tab kept
append-only as the stores read it. People's actions are edits of the cells people
own. One test per transition of the SOP and per refusal."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bukutamu.adapters.phone import PHONE_NUMBERS
from bukutamu.config import DEFAULT_SOP, load_settings
from bukutamu.core.cells import datetime_to_serial
from bukutamu.core.context import CycleContext
from bukutamu.core.mail import MailKey, MailKind
from bukutamu.core.plan import plan_cycle
from bukutamu.core.sheet import Row, Snapshot, Tab, WriteBatch
from bukutamu.core.sop import parse_sop
from bukutamu.core.workflow import MailFacts
from bukutamu.demo.form import as_row, form_values
from bukutamu.demo.guests import make_guest
from bukutamu.layout import tab_specs

WIB = ZoneInfo("Asia/Pontianak")
SETTINGS = load_settings(None, env={"BUKUTAMU_DATA": "/nonexistent/bukutamu-unit",
                                    "BUKUTAMU_HMAC_KEY": "kunci-uji-unit-yang-cukup-panjang-0123456789"})
SOP = parse_sop(DEFAULT_SOP.read_text(encoding="utf-8"), "SOP bawaan")
T = SETTINGS.tabs
CTX = CycleContext(tz=WIB, register_tab=T.register, history_tab=T.history, queue_tab=T.queue, system_tab=T.system,
                   queue_prefix="A", sop=SOP, nik_key=SETTINGS.secrets.hmac_key, officers_tab=T.officers,
                   confirmations_tab=T.confirmations, feedback_tab=T.feedback, office_name="Biro Uji",
                   helpdesk_email="helpdesk@biro.test", phones=PHONE_NUMBERS)
START = datetime(2026, 11, 25, 9, 0, tzinfo=WIB)  # a Wednesday


class Sheet:
    """The tabs ``init`` makes, in memory; the history tab is read append-only."""

    def __init__(self):
        self.tabs = {s.name: (list(s.headers), []) for s in tab_specs(SETTINGS)}
        self.history: list[dict] = []
        self.now = START
        self.facts = MailFacts()
        self.rng = random.Random(7)

    def snapshot(self) -> Snapshot:
        tabs = {}
        for name, (header, rows) in self.tabs.items():
            if name == T.history:
                tabs[name] = Tab(name, tuple(header), (), row_count=len(self.history),
                                 column_a_counts=dict(Counter(h["ID Kunjungan"] for h in self.history)))
            else:
                tabs[name] = Tab(name, tuple(header), tuple(Row(i + 2, tuple(r)) for i, r in enumerate(rows)))
        return Snapshot(tabs, "Asia/Pontianak")

    def apply(self, batch: WriteBatch) -> None:
        for u in batch.updates:
            header, rows = self.tabs[u.tab]
            row = rows[u.ref - 2]
            i = header.index(u.column)
            row.extend([None] * (i + 1 - len(row)))
            row[i] = u.value
        for a in batch.appends:
            header, rows = self.tabs[a.tab]
            if a.tab == T.history:
                self.history.append(dict(a.values))
            else:
                rows.append([a.values.get(h) for h in header])
        for r in batch.replaces:
            header, _ = self.tabs[r.tab]
            self.tabs[r.tab] = (header, [[v.get(h) for h in header] for v in r.rows])

    def guest(self, **changes) -> None:
        """A guest submits the form a minute before the next cycle."""
        header, rows = self.tabs[T.register]
        values = form_values(make_guest(self.rng, self.now.date()), datetime_to_serial(self.now, WIB))
        values.update(changes)
        rows.append(as_row(header, values))

    def cycle(self, minutes: int = 1):
        self.now += timedelta(minutes=minutes)
        plan = plan_cycle(self.snapshot(), self.now, CTX, self.facts)
        self.apply(plan.batch)
        return plan

    def row(self, n: int = 0) -> dict:
        header, rows = self.tabs[T.register]
        return dict(zip(header, rows[n] + [None] * (len(header) - len(rows[n]))))

    def edit(self, header_text: str, value, n: int = 0) -> None:
        """A person edits a cell they own."""
        header, rows = self.tabs[T.register]
        row = rows[n]
        i = header.index(header_text)
        row.extend([None] * (i + 1 - len(row)))
        row[i] = value

    def status(self, n: int = 0) -> str:
        return self.row(n)["[Sistem] Status"]

    def officer_notice_sent(self, n: int = 0) -> None:
        """The journal reports the round's officer notice as sent (what the engine hands over)."""
        vid, rnd = self.row(n)["[Sistem] ID Kunjungan"], int(float(self.row(n)["[Sistem] Putaran Layanan"] or 1))
        key = str(MailKey(vid, MailKind.OFFICER_NOTICE, rnd))
        self.facts = MailFacts(known=self.facts.known | {key}, sent={key: self.now})

    def steps(self) -> list[tuple[object, str]]:
        return [(h["Langkah"], h["Ke Status"]) for h in self.history]


def drive(sheet: Sheet, to: str) -> None:
    """One guest, through the helpdesk's and the journal's inputs, to state ``to``."""
    path = [("MENUNGGU VERIFIKASI", None), ("TERVERIFIKASI", ("Verifikasi KTP", "Sesuai")),
            ("PETUGAS DIHUBUNGI", "sent"), ("DILAYANI", ("Aksi Helpdesk", "Tamu Diterima")),
            ("MENUNGGU UMPAN BALIK", ("Aksi Helpdesk", "Layanan Selesai")),
            ("MENUNGGU HELPDESK", ("Aksi Helpdesk", "Umpan Balik Cukup")),
            ("SELESAI", ("Aksi Helpdesk", "Kunjungan Ditutup"))]
    sheet.guest()
    for state, step in path:
        if step == "sent":
            sheet.officer_notice_sent()
        elif step:
            sheet.edit(*step)
        sheet.cycle()
        assert sheet.status() == state
        if state == to:
            return
    raise AssertionError(to)


# --- the state machine itself (Sop.find) ---------------------------------------------

def _cases():
    for t in SOP.transitions:
        sources = [None] if t.sources == () else (
            [s for s in SOP.states if SOP.states[s].open] if t.sources is None else list(t.sources))
        for source in sources:
            yield pytest.param(t, source, id=f"{t.event}-from-{source or 'new'}")


@pytest.mark.parametrize("transition,source", list(_cases()))
def test_every_transition_of_the_sop_is_found_from_its_sources(transition, source):
    assert SOP.find(transition.event, source) == transition


def test_every_other_event_and_state_pair_is_refused():
    allowed = {(t.event, s) for t in SOP.transitions
               for s in ((None,) if t.sources == () else
                         tuple(c for c in SOP.states if SOP.states[c].open) if t.sources is None else t.sources)}
    for event in {t.event for t in SOP.transitions}:
        for state in [None, *SOP.states]:
            if (event, state) not in allowed:
                assert SOP.find(event, state) is None, (event, state)


def test_closed_states_accept_nothing():
    for code, state in SOP.states.items():
        if not state.open:
            assert [t.event for t in SOP.transitions if SOP.find(t.event, code)] == []


# --- plan_cycle: one test per transition ----------------------------------------------

def test_daftar_a_valid_entry_waits_for_verification():
    sheet = Sheet()
    sheet.guest(email="tamu@contoh.test")
    plan = sheet.cycle()
    r = sheet.row()
    assert (r["[Sistem] Status"], r["[Sistem] No. Antrian"], plan.new_visits) == ("MENUNGGU VERIFIKASI", "A-001", 1)
    assert sheet.steps() == [(2, "MENUNGGU VERIFIKASI")]
    assert [m.key for m in plan.mails] == [f"{r['[Sistem] ID Kunjungan']}/tamu-antrian/1"]


def test_ktp_salah_a_wrong_nik_needs_correction():
    sheet = Sheet()
    sheet.guest(nik="1234")
    sheet.cycle()
    assert sheet.status() == "PERLU PERBAIKAN" and sheet.steps() == [(2, "PERLU PERBAIKAN")]


def test_duplikat_the_same_nik_twice_the_same_day():
    sheet = Sheet()
    sheet.guest()
    sheet.cycle()
    nik = sheet.row()["NIK"]
    sheet.guest(nik=nik)
    sheet.cycle()
    assert sheet.status(1) == "DUPLIKAT" and "Duplikat" in sheet.row(1)["[Sistem] Catatan"]


def test_sesuai_from_waiting_verifies_and_plans_the_officer_notice():
    sheet = Sheet()
    drive(sheet, "MENUNGGU VERIFIKASI")
    sheet.edit("Verifikasi KTP", "Sesuai")
    plan = sheet.cycle()
    assert sheet.status() == "TERVERIFIKASI" and sheet.steps()[-1] == (3, "TERVERIFIKASI")
    assert [m.key.split("/", 1)[1] for m in plan.mails] == ["petugas/1"]


def test_tidak_sesuai_sends_the_entry_back_for_correction():
    sheet = Sheet()
    drive(sheet, "MENUNGGU VERIFIKASI")
    sheet.edit("Verifikasi KTP", "Tidak Sesuai")
    sheet.cycle()
    assert sheet.status() == "PERLU PERBAIKAN" and sheet.steps()[-1] == (3, "PERLU PERBAIKAN")


def test_sesuai_after_a_correction_is_step_4():
    sheet = Sheet()
    sheet.guest(nik="1234")
    sheet.cycle()
    sheet.edit("NIK", make_guest(random.Random(99), START.date()).nik)
    sheet.edit("Verifikasi KTP", "Sesuai")
    sheet.cycle()
    assert sheet.status() == "TERVERIFIKASI" and sheet.steps()[-1] == (4, "TERVERIFIKASI")
    assert sheet.row()["[Sistem] Waktu Perbaikan"] is not None


def test_petugas_dihubungi_when_the_journal_reports_the_notice_sent():
    sheet = Sheet()
    drive(sheet, "TERVERIFIKASI")
    sheet.officer_notice_sent()
    plan = sheet.cycle()
    assert sheet.status() == "PETUGAS DIHUBUNGI" and sheet.steps()[-1] == (5, "PETUGAS DIHUBUNGI")
    assert plan.reflected == list(sheet.facts.sent)


@pytest.mark.parametrize("to,action,step", [
    ("DILAYANI", "Tamu Diterima", 6), ("MENUNGGU UMPAN BALIK", "Layanan Selesai", 7),
    ("MENUNGGU HELPDESK", "Umpan Balik Cukup", 8), ("SELESAI", "Kunjungan Ditutup", 9)])
def test_helpdesk_actions_advance_one_step(to, action, step):
    sheet = Sheet()
    before = {"DILAYANI": "PETUGAS DIHUBUNGI", "MENUNGGU UMPAN BALIK": "DILAYANI",
              "MENUNGGU HELPDESK": "MENUNGGU UMPAN BALIK", "SELESAI": "MENUNGGU HELPDESK"}[to]
    drive(sheet, before)
    sheet.edit("Aksi Helpdesk", action)
    sheet.cycle()
    assert sheet.status() == to and sheet.steps()[-1] == (step, to)
    assert sheet.row()["[Sistem] Aksi Terproses"].startswith(f"{action} (diterapkan")


def test_tidak_cukup_starts_a_second_round_and_renotifies_the_officer():
    sheet = Sheet()
    drive(sheet, "MENUNGGU UMPAN BALIK")
    sheet.edit("Catatan Helpdesk", "Dokumen belum lengkap")
    sheet.edit("Aksi Helpdesk", "Umpan Balik Tidak Cukup")
    plan = sheet.cycle()
    r = sheet.row()
    assert (r["[Sistem] Status"], r["[Sistem] Putaran Layanan"]) == ("DILAYANI", 2)
    # One key (the transition and the due-mail rule may both plan it; the journal keeps the first).
    assert {m.key.split("/", 1)[1] for m in plan.mails} == {"petugas/2"}
    assert "Dokumen belum lengkap" in plan.mails[0].html


def test_bridge_tamu_diterima_before_the_notice_went_out():
    sheet = Sheet()
    drive(sheet, "TERVERIFIKASI")
    sheet.edit("Aksi Helpdesk", "Tamu Diterima")
    sheet.cycle()
    assert sheet.status() == "DILAYANI"
    assert sheet.steps()[-2:] == [(5, "PETUGAS DIHUBUNGI"), (6, "DILAYANI")]


@pytest.mark.parametrize("state", ["MENUNGGU VERIFIKASI", "TERVERIFIKASI", "DILAYANI", "MENUNGGU HELPDESK"])
def test_batal_from_any_open_state(state):
    sheet = Sheet()
    drive(sheet, state)
    sheet.edit("Aksi Helpdesk", "Tamu Pergi")
    sheet.cycle()
    assert sheet.status() == "BATAL" and sheet.steps()[-1] == ("", "BATAL")


# --- plan_cycle: one test per refusal -------------------------------------------------

def test_an_action_that_does_not_apply_now_is_refused_with_what_does():
    sheet = Sheet()
    drive(sheet, "MENUNGGU VERIFIKASI")
    sheet.edit("Aksi Helpdesk", "Layanan Selesai")
    plan = sheet.cycle()
    r = sheet.row()
    assert r["[Sistem] Status"] == "MENUNGGU VERIFIKASI" and plan.transitions == 0
    assert '"Layanan Selesai" ditolak: tidak berlaku saat status MENUNGGU VERIFIKASI' in r["[Sistem] Catatan"]
    assert "Tamu Pergi" in r["[Sistem] Catatan"]
    assert r["[Sistem] Aksi Terproses"].startswith("Layanan Selesai (ditolak")


def test_an_unknown_action_is_refused():
    sheet = Sheet()
    drive(sheet, "MENUNGGU VERIFIKASI")
    sheet.edit("Aksi Helpdesk", "Tamu Terbang")
    sheet.cycle()
    assert sheet.status() == "MENUNGGU VERIFIKASI"
    assert 'Aksi "Tamu Terbang" tidak dikenal' in sheet.row()["[Sistem] Catatan"]
    assert sheet.row()["[Sistem] Aksi Terproses"].startswith("Tamu Terbang (tidak dikenal")


def test_an_unknown_verification_value_is_refused():
    sheet = Sheet()
    drive(sheet, "MENUNGGU VERIFIKASI")
    sheet.edit("Verifikasi KTP", "Mungkin")
    sheet.cycle()
    assert sheet.status() == "MENUNGGU VERIFIKASI"
    assert 'Nilai Verifikasi KTP "Mungkin" tidak dikenal' in sheet.row()["[Sistem] Catatan"]


def test_sesuai_is_not_applied_while_the_ktp_data_is_still_wrong():
    sheet = Sheet()
    sheet.guest(nik="1234")
    sheet.cycle()
    sheet.edit("Verifikasi KTP", "Sesuai")
    plan = sheet.cycle()
    assert sheet.status() == "PERLU PERBAIKAN" and plan.transitions == 0
    assert "data KTP masih salah" in sheet.row()["[Sistem] Catatan"]


def test_a_verification_after_the_step_is_refused():
    sheet = Sheet()
    drive(sheet, "DILAYANI")
    sheet.edit("Verifikasi KTP", "Tidak Sesuai")
    sheet.cycle()
    assert sheet.status() == "DILAYANI"
    assert '"Verifikasi KTP: Tidak Sesuai" ditolak: tidak berlaku saat status DILAYANI' in sheet.row()["[Sistem] Catatan"]


def test_a_closed_visit_takes_no_action():
    sheet = Sheet()
    drive(sheet, "SELESAI")
    sheet.edit("Aksi Helpdesk", "Tamu Pergi")
    sheet.cycle()
    assert sheet.status() == "SELESAI"
    assert "Kunjungan sudah ditutup; tidak ada aksi lagi." in sheet.row()["[Sistem] Catatan"]


def test_a_status_a_person_typed_over_is_not_acted_on():
    sheet = Sheet()
    drive(sheet, "MENUNGGU VERIFIKASI")
    header, rows = sheet.tabs[T.register]
    rows[0][header.index("[Sistem] Status")] = "SEDANG DIPROSES"
    sheet.edit("Aksi Helpdesk", "Tamu Pergi")
    sheet.cycle()
    assert sheet.status() == "SEDANG DIPROSES"
    assert 'Status "SEDANG DIPROSES" tidak dikenal' in sheet.row()["[Sistem] Catatan"]


def test_an_idle_cycle_plans_nothing_after_the_heartbeat():
    sheet = Sheet()
    drive(sheet, "MENUNGGU VERIFIKASI")
    plan = sheet.cycle()
    assert not plan.batch and plan.mails == [] and plan.transitions == 0


def test_a_misspelt_register_column_key_is_a_bug_not_a_blank():
    from bukutamu.core.register import read_register
    sheet = Sheet()
    drive(sheet, "MENUNGGU VERIFIKASI")
    row = read_register(sheet.snapshot().tab(T.register)).rows[0]
    assert row.raw("status") == "MENUNGGU VERIFIKASI"
    with pytest.raises(KeyError):
        row.raw("stauts")
