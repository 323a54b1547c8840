"""A write that times out, is retried successfully, and is then applied by the server
LATE: on rows the helpdesk sorted meanwhile, or over a later cycle's values. Through
the real engine (Poller) on the Google store: real gspread + google-auth against the
Sheets REST fake, whose "late" fault holds the first attempt back until the test
releases it. Verified against the fake, not against Google."""

from __future__ import annotations

import email
import random
from datetime import datetime, timedelta
from email import policy
from zoneinfo import ZoneInfo

import pytest

from bukutamu.adapters.google.store import GoogleSheetStore
from bukutamu.demo.guests import BIDANG, make_guest
from bukutamu.engine import Poller
from bukutamu.layout import tab_specs
from tests.fakes.google_harness import GoogleHarness

WIB = ZoneInfo("Asia/Pontianak")
REG = "Jawaban Formulir 1"
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=WIB)
OFFICERS = [[f"Petugas {i}", b, f"petugas{i}@biro.test", "Ya", ""] for i, b in enumerate(BIDANG)]


@pytest.fixture
def office(tmp_path, settings):
    h = GoogleHarness(tmp_path, timeout_seconds=0.5)  # the client gives up on a slow write quickly
    h.store.init(tab_specs(settings))
    h.seed("Petugas", ["Nama", "Bidang", "Email", "Aktif", "Email Cadangan"], OFFICERS)
    rng = random.Random(5)
    # Four guests over two days, submitted through the Form (USER_ENTERED, in_ID).
    for when in (NOW - timedelta(days=1, hours=2), NOW - timedelta(days=1, hours=1),
                 NOW - timedelta(minutes=40), NOW - timedelta(minutes=20)):
        g = make_guest(rng, when.date())
        h.fake.submit_form(REG, {"NIK": g.nik, "Nama Lengkap": g.name, "Nomor HP": g.phone,
                                 "Tanggal Lahir": g.birth_date.strftime("%d/%m/%Y"),
                                 "Jenis Kelamin": "Laki-laki" if g.sex == "LAKI-LAKI" else "Perempuan",
                                 "Email": g.email, "Instansi": g.institution, "Keperluan": g.purpose,
                                 "Bidang yang Dituju": g.bidang, "Persetujuan Privasi": "Saya setuju"}, when)
    clock = {"now": NOW}
    poller = Poller(settings, h.store, clock=lambda: clock["now"])
    poller.run_once()
    yield h, settings, poller, clock
    poller.close()
    h.close()


def rows(h):
    t = h.table(REG)
    return [dict(zip(t[0], r)) for r in t[1:]]


def by_name(h):
    return {r["Nama Lengkap"]: r for r in rows(h)}


def sheet_row(h, name):
    return next(i for i, r in enumerate(rows(h), start=2) if r["Nama Lengkap"] == name)


def history(h):
    t = h.table("Riwayat")
    return [dict(zip(t[0], r)) for r in t[1:]]


def officer_mails(settings):
    out = []
    for p in sorted((settings.data_dir / "outbox").glob("*.eml")):
        m = email.message_from_bytes(p.read_bytes(), policy=policy.default)
        if str(m["To"]).startswith("petugas"):
            out.append(m)
    return out


def step(h, poller, clock, minutes=1):
    clock["now"] += timedelta(minutes=minutes)
    return poller.run_once()


def verify_with_a_late_write(h, poller, clock, name):
    """The helpdesk verifies ``name``; the cycle's write times out, the retry succeeds,
    and the first attempt stays pending at the server."""
    h.fake.edit_cell(REG, sheet_row(h, name), "Verifikasi KTP", "Sesuai")
    h.fake.fail_next("late", 1, on=("write",), delay=3)
    h.reset_requests()
    step(h, poller, clock)
    assert [e.get("fault") for e in h.fake.requests("write")] == ["late", None]  # timed out, then retried
    assert by_name(h)[name]["[Sistem] Status"] == "TERVERIFIKASI"


def test_a_late_write_after_a_sort_never_reaches_another_guest(office):
    h, settings, poller, clock = office
    before = by_name(h)
    names = sorted(before, key=lambda n: sheet_row(h, n))
    target = names[1]
    verify_with_a_late_write(h, poller, clock, target)
    assert [str(m["To"]) for m in officer_mails(settings)] == [f"petugas{BIDANG.index(before[target]['Bidang yang Dituju'])}@biro.test"]
    old_row = sheet_row(h, target)
    h.fake.sort_rows(REG, "Nama Lengkap", reverse=True)  # the helpdesk sorts by name
    victim = rows(h)[old_row - 2]["Nama Lengkap"]
    assert victim != target
    assert h.fake.apply_late() == 1  # Google applies the first attempt now, at the old row number
    assert rows(h)[old_row - 2]["[Sistem] Status"] == "TERVERIFIKASI"  # on the other guest

    for _ in range(3):
        step(h, poller, clock)
    after = by_name(h)
    assert after[victim]["[Sistem] Status"] == "MENUNGGU VERIFIKASI"
    assert after[victim]["[Sistem] Kunci Baris"] == before[victim]["[Sistem] Kunci Baris"]
    for name in before:
        if name != target:  # nobody else moved, changed hands, or got a history row
            assert {k: v for k, v in after[name].items() if k.startswith("[Sistem]") and "SLA" not in k} == \
                {k: v for k, v in before[name].items() if k.startswith("[Sistem]") and "SLA" not in k}, name
    assert after[target]["[Sistem] Status"] == "PETUGAS DIHUBUNGI"
    assert len(officer_mails(settings)) == 1  # only the verified guest's officer
    ids = {r["[Sistem] ID Kunjungan"] for r in rows(h)}
    moves = [(r["ID Kunjungan"], r["Ke Status"]) for r in history(h) if r["Dari Status"]]
    assert moves == [(after[target]["[Sistem] ID Kunjungan"], "TERVERIFIKASI"),
                     (after[target]["[Sistem] ID Kunjungan"], "PETUGAS DIHUBUNGI")]
    assert len(ids) == 4 and h.store.late_repairs == 1


def test_a_late_write_never_moves_a_status_backwards(office):
    h, settings, poller, clock = office
    target = sorted(by_name(h))[2]
    verify_with_a_late_write(h, poller, clock, target)
    step(h, poller, clock)
    assert by_name(h)[target]["[Sistem] Status"] == "PETUGAS DIHUBUNGI"
    assert h.fake.apply_late() == 1  # the verification write lands again, over the newer status
    assert by_name(h)[target]["[Sistem] Status"] == "TERVERIFIKASI"

    step(h, poller, clock)
    assert by_name(h)[target]["[Sistem] Status"] == "PETUGAS DIHUBUNGI"  # put back, not stuck
    h.fake.edit_cell(REG, sheet_row(h, target), "Aksi Helpdesk", "Tamu Diterima")
    step(h, poller, clock)
    assert by_name(h)[target]["[Sistem] Status"] == "DILAYANI"
    vid = by_name(h)[target]["[Sistem] ID Kunjungan"]
    assert [r["Ke Status"] for r in history(h) if r["ID Kunjungan"] == vid] == [
        "MENUNGGU VERIFIKASI", "TERVERIFIKASI", "PETUGAS DIHUBUNGI", "DILAYANI"]
    assert len(officer_mails(settings)) == 1


def test_normal_cycles_still_cost_one_read_and_at_most_one_write(office):
    h, settings, poller, clock = office
    target = sorted(by_name(h))[0]
    verify_with_a_late_write(h, poller, clock, target)
    for _ in range(3):  # watching for the late write costs no request
        h.reset_requests()
        step(h, poller, clock)
        counts = h.requests()
        assert counts["reads"] == 1 and counts["writes"] <= 1 and counts["other"] == 0, counts
    h.reset_requests()
    step(h, poller, clock, minutes=10)  # idle: the heartbeat only
    assert h.requests() == {"reads": 1, "writes": 1, "other": 0}
    h.reset_requests()
    step(h, poller, clock)
    assert h.requests() == {"reads": 1, "writes": 0, "other": 0}


@pytest.mark.parametrize("watch_file", ["kept", "lost"])
def test_after_a_restart_a_misplaced_late_write_is_put_back_or_refused(office, watch_file):
    """A new process (cron `poll --once`) picks up the watch from the data folder and
    puts the cells back. Without that file (lost, expired), the row key written with
    every update still shows the row is not the one written for: no transition, no
    email, the rows are flagged for the helpdesk."""
    h, settings, poller, clock = office
    before = by_name(h)
    names = sorted(before, key=lambda n: sheet_row(h, n))
    target = names[0]
    verify_with_a_late_write(h, poller, clock, target)
    old_row = sheet_row(h, target)
    poller.close()
    h.store.close()
    files = list(settings.data_dir.glob("google-tulis-ragu-*.json"))
    assert len(files) == 1
    text = files[0].read_text()
    assert all(r["NIK"] not in text and r["Nama Lengkap"] not in text for r in before.values())  # digests only
    if watch_file == "lost":
        files[0].unlink()
    h.fake.sort_rows(REG, "Nama Lengkap", reverse=True)
    victim = rows(h)[old_row - 2]["Nama Lengkap"]
    assert victim != target
    h.fake.apply_late()
    store = GoogleSheetStore.from_settings(h.settings, sleep=lambda s: None)  # a fresh process
    fresh = Poller(settings, store, clock=lambda: clock["now"])
    try:
        for _ in range(2):
            clock["now"] += timedelta(minutes=1)
            fresh.run_once()
    finally:
        fresh.close()
        store.close()
    after = by_name(h)
    vid = after[victim]["[Sistem] ID Kunjungan"]
    assert [r["Ke Status"] for r in history(h) if r["ID Kunjungan"] == vid] == ["MENUNGGU VERIFIKASI"]
    assert len(officer_mails(settings)) == 1  # the victim's officer was never emailed
    if watch_file == "kept":
        assert after[victim]["[Sistem] Status"] == "MENUNGGU VERIFIKASI"
        assert after[victim]["[Sistem] Kunci Baris"] == before[victim]["[Sistem] Kunci Baris"]
        assert after[target]["[Sistem] Status"] == "PETUGAS DIHUBUNGI"
        assert not any("PERHATIAN" in (r["[Sistem] Catatan"] or "") for r in rows(h))
        assert store.late_repairs == 1
        assert not list(settings.data_dir.glob("google-tulis-ragu-*.json"))  # done watching
    else:
        assert "PERHATIAN" in after[victim]["[Sistem] Catatan"]  # flagged for the helpdesk
        # The same late write also carried the SLA note of the guest that sat where the
        # target sits now: that row is flagged too, and nothing moves backwards.
        assert after[target]["[Sistem] Status"] in ("TERVERIFIKASI", "PETUGAS DIHUBUNGI")
        for r in rows(h):
            own = f"{float(r['Stempel waktu']):.8f}"
            assert r["[Sistem] Kunci Baris"].partition("#")[0] == own or "PERHATIAN" in r["[Sistem] Catatan"], \
                r["Nama Lengkap"]


@pytest.mark.parametrize("watch_file", ["kept", "lost"])
def test_after_a_restart_a_late_write_over_newer_values_is_put_back_or_refused(office, watch_file):
    """The older write lands again after the visit moved on, and a new process runs the
    next cycle. With the watch file the newer values come back; without it, the row key
    (the visit's transition count) is below the Riwayat's: the row is flagged, nothing
    is planned from the older status."""
    h, settings, poller, clock = office
    target = sorted(by_name(h))[1]
    verify_with_a_late_write(h, poller, clock, target)
    step(h, poller, clock)
    assert by_name(h)[target]["[Sistem] Status"] == "PETUGAS DIHUBUNGI"
    poller.close()
    h.store.close()
    if watch_file == "lost":
        for f in settings.data_dir.glob("google-tulis-ragu-*.json"):
            f.unlink()
    h.fake.apply_late()
    assert by_name(h)[target]["[Sistem] Status"] == "TERVERIFIKASI"
    store = GoogleSheetStore.from_settings(h.settings, sleep=lambda s: None)  # a fresh process
    fresh = Poller(settings, store, clock=lambda: clock["now"])
    try:
        h.fake.edit_cell(REG, sheet_row(h, target), "Aksi Helpdesk", "Tamu Diterima")
        for _ in range(2):
            clock["now"] += timedelta(minutes=1)
            fresh.run_once()
    finally:
        fresh.close()
        store.close()
    row = by_name(h)[target]
    vid = row["[Sistem] ID Kunjungan"]
    moves = [r["Ke Status"] for r in history(h) if r["ID Kunjungan"] == vid]
    assert len(officer_mails(settings)) == 1
    if watch_file == "kept":
        assert row["[Sistem] Status"] == "DILAYANI"
        assert moves == ["MENUNGGU VERIFIKASI", "TERVERIFIKASI", "PETUGAS DIHUBUNGI", "DILAYANI"]
    else:
        assert row["[Sistem] Status"] == "TERVERIFIKASI" and "tertinggal dari tab Riwayat" in row["[Sistem] Catatan"]
        assert moves == ["MENUNGGU VERIFIKASI", "TERVERIFIKASI", "PETUGAS DIHUBUNGI"]  # nothing from the old status
        assert row["Aksi Helpdesk"] == "Tamu Diterima"  # not taken: waits for the helpdesk's check
