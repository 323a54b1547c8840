"""Retention, as the office runs it: `bukutamu purge` (a real process, real clock) on
an office with visits on both sides of the 30-day cutoff (``tests/fakes/purge_office``),
on both stores. Then: no NIK, phone (any format) or email of a purged visit in any
file the program wrote or in the spreadsheet, the other visits intact; a second run
changes nothing; the dry run writes nothing; the engine leaves purged rows alone;
the weekly report of the purged week rebuilds identical; a run killed after each
step and run again ends where an uninterrupted run ends."""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from bukutamu.core.retention import NAME_MARK
from bukutamu.report.metrics import Week
from tests.fakes.office_day import REG, env_for
from tests.fakes.purge_office import (KEPT, OLD_DAY, PURGED, build, feedback_link, hashes, identifiers,
                                      purge_cli, scan, submit, visit_of)
from tests.fakes.smtp_server import SmtpTestServer

HERE = Path(__file__).resolve().parent
STEPS = ["write_store", "purge_webdb", "purge_journal", "purge_outbox_files", "compact_files"]


@pytest.fixture(params=["sqlite", "google"])
def office(request, tmp_path):
    with SmtpTestServer() as smtp:
        o = build(request.param, tmp_path, smtp)
        try:
            yield o
        finally:
            o.close()


def report_files(o) -> dict[str, bytes]:
    """The weekly report of the old day's week, built as `bukutamu report` builds it
    (live tabs and archive)."""
    from bukutamu.bootstrap import archive_stores
    from bukutamu.report.weekly import generate
    day = OLD_DAY.date()
    week = Week(day - timedelta(days=day.weekday()))
    archives = archive_stores(o.settings)
    try:
        report = generate(o.store, o.settings, week, archives)
    finally:
        archives.close()
    folder = Path(report.html_path).parent
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def cli(o, *args: str) -> subprocess.CompletedProcess:
    p = subprocess.run([sys.executable, "-m", "bukutamu", "--config", str(o.config), *args], cwd=o.tmp,
                       env=env_for(o), capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, (p.returncode, p.stdout, p.stderr)
    return p


def test_purge_leaves_no_identifier_of_a_purged_visit_anywhere(office):
    o = office
    gone, kept = identifiers(PURGED), identifiers(KEPT)
    before = scan(o, gone | kept)
    # The scan sees what is there: every identifier of both groups before the purge.
    assert set(before) == gone | kept, sorted((gone | kept) - set(before))
    assert any(w.startswith("spreadsheet:") or ".sqlite" in w for w in before[PURGED[0]["NIK"]]), before
    report_before = report_files(o)
    o.let_go()  # every connection closed: the files are what is on disk
    untouched = hashes(o)

    dry = purge_cli(o, "--coba")
    assert "Uji coba" in dry.stdout and "3 baris register akan diubah" in dry.stdout, dry.stdout
    assert "masih terbuka" in dry.stdout  # the visit left open on the old day is listed, not purged
    assert hashes(o) == untouched  # the dry run wrote nothing

    p = purge_cli(o)
    assert "3 baris register diubah" in p.stdout, p.stdout
    left = scan(o, gone)
    assert left == {}, left
    still = scan(o, kept)
    assert set(still) == kept, sorted(kept - set(still))
    for text in (dry.stdout, p.stdout, dry.stderr, p.stderr):
        assert not any(g["NIK"] in text for g in PURGED + KEPT)

    rows = {r["[Sistem] ID Kunjungan"]: r for r in o.records(REG)}
    for g in PURGED:
        r = next(r for r in rows.values() if r["Nama Lengkap"] == NAME_MARK and str(r["NIK"]).startswith(g["NIK"][:4])
                 and r["[Sistem] Status"] in ("SELESAI", "BATAL"))
        assert str(r["NIK"]) == g["NIK"][:4] + "*" * 12
        assert str(r["[Sistem] Sidik Data"]).startswith("DIANONIMKAN")
    assert sum(1 for r in rows.values() if r["Nama Lengkap"] == NAME_MARK) == len(PURGED)

    # The weekly report of the purged week: same files, byte for byte.
    assert report_files(o) == report_before


def test_purge_reaches_the_archive(office):
    """Visits `bukutamu arsip` moved to the year's archive are anonymised there too."""
    o = office
    o.let_go()
    cli(o, "arsip")
    archived = [p for p in (o.settings.data_dir / "arsip").glob("arsip-*.sqlite")]
    assert archived
    gone, kept = identifiers(PURGED), identifiers(KEPT)
    assert any("arsip" in w for w in scan(o, gone)[PURGED[0]["NIK"]])
    report_before = report_files(o)
    o.let_go()
    p = purge_cli(o)
    assert "arsip-" in p.stdout and "3 baris register diubah" in p.stdout, p.stdout
    assert scan(o, gone) == {}
    assert set(scan(o, kept)) == kept
    assert report_files(o) == report_before
    o.let_go()
    assert "Tidak ada yang perlu diubah" in purge_cli(o).stdout


def test_second_run_changes_nothing_and_the_engine_leaves_purged_rows_alone(office):
    o = office
    guest = visit_of(o, PURGED[0]["Nomor HP"])
    link = feedback_link(o, guest)  # the guest keeps her email after the purge
    purge_cli(o)
    o.let_go()
    after = hashes(o)
    again = purge_cli(o)
    assert "Tidak ada yang perlu diubah" in again.stdout, again.stdout
    assert hashes(o) == after

    # The engine keeps cycling; it neither flags nor mails the purged (closed) visits,
    # not even when the guest uses her old feedback link once more.
    history = len(o.records("Riwayat"))
    register = o.records(REG)
    outbox = sorted(p.name for p in o.settings.mail.outbox.iterdir())
    purged = {r["[Sistem] ID Kunjungan"] for r in register if r["Nama Lengkap"] == NAME_MARK}
    assert guest in purged
    o.now += timedelta(minutes=30)
    submit(o, "Umpan Balik", {"ID Kunjungan": link["entry.201"], "Token": link["entry.202"],
                              "Apakah layanan sudah cukup?": "Belum cukup",
                              "Catatan": f"Tolong telepon {PURGED[0]['Nomor HP']}"}, o.now)
    o.settle()
    assert len(o.records("Riwayat")) == history
    now = {r["[Sistem] ID Kunjungan"]: r for r in o.records(REG)}
    for r in register:
        if r["[Sistem] ID Kunjungan"] in purged:
            assert now[r["[Sistem] ID Kunjungan"]] == r
    assert sorted(p.name for p in o.settings.mail.outbox.iterdir()) == outbox
    assert not any(name.startswith(tuple(purged)) for name in outbox)
    late = o.records("Umpan Balik")[-1]
    assert str(late["[Sistem] Diproses"]).startswith("DITOLAK"), late
    # The next purge takes the guest's new comment too.
    o.let_go()
    p = purge_cli(o)
    assert "1 baris tautan diubah" in p.stdout, p.stdout
    assert scan(o, identifiers(PURGED)) == {}


def killed(o, step: str) -> subprocess.CompletedProcess:
    p = subprocess.run([sys.executable, str(HERE / "crash_purge.py"), str(o.config), step],
                       env=env_for(o), cwd=o.tmp, capture_output=True, text=True, timeout=120)
    assert p.returncode == -signal.SIGKILL, (p.returncode, p.stdout, p.stderr)
    return p


def final_state(o) -> dict:
    from bukutamu.adapters.journal import MailJournal
    from bukutamu.engine import journal_path
    with MailJournal(journal_path(o.settings)) as j:
        journal = sorted(j._db.execute("SELECT key, state, payload IS NULL, last_error, digest FROM mail"))
    import sqlite3
    db = sqlite3.connect(o.settings.data_dir / "web.sqlite")
    try:
        web = sorted(db.execute("SELECT visit_id, field, old, new FROM corrections"))
    finally:
        db.close()
    return {"register": o.records(REG), "feedback": o.records("Umpan Balik"), "journal": journal, "web": web,
            "outbox": sorted(p.name for p in o.settings.mail.outbox.iterdir())}


_REFERENCE: dict[str, dict] = {}


def reference(kind: str, tmp_path_factory) -> dict:
    """What an uninterrupted purge ends with (once per store and test process)."""
    if kind not in _REFERENCE:
        with SmtpTestServer() as smtp:
            o = build(kind, tmp_path_factory.mktemp(f"purge-referensi-{kind}"), smtp)
            try:
                o.restart()
                purge_cli(o)
                _REFERENCE[kind] = final_state(o)
            finally:
                o.close()
    return _REFERENCE[kind]


@pytest.mark.matrix
@pytest.mark.parametrize("step", STEPS)
def test_purge_killed_after_each_step_finishes_on_the_next_run(office, step, tmp_path_factory):
    o = office
    ref = reference(o.kind, tmp_path_factory)
    guest = visit_of(o, PURGED[0]["Nomor HP"])
    o.restart()
    killed(o, step)
    purge_cli(o)
    assert scan(o, identifiers(PURGED)) == {}
    state = final_state(o)
    assert any(r["[Sistem] ID Kunjungan"] == guest and r["Nama Lengkap"] == NAME_MARK for r in state["register"])
    assert state == ref
    again = purge_cli(o)
    assert "Tidak ada yang perlu diubah" in again.stdout, again.stdout
    assert final_state(o) == state


def test_the_daily_job_of_bukutamu_run_purges_with_the_pollers_store_and_journal(office):
    """The job `bukutamu run` schedules (retention.at), on the poller it runs cycles with."""
    from bukutamu.commands.run import _purge_job
    o = office
    daily = _purge_job(o.settings, o.poller)
    assert daily.at == "01:30"
    daily.job()
    assert scan(o, identifiers(PURGED)) == {}
    assert set(scan(o, identifiers(KEPT))) == identifiers(KEPT)
    o.settle()  # the poller carries on with the same store and journal
