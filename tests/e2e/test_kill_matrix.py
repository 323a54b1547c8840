"""The kill matrix: the office morning of ``tests/fakes/office_day.py``, with the
cycle that plans and sends the officer notices run in its own process and killed
with SIGKILL at each step of applying it; then a new process (fresh objects) carries
on. Likewise the weekly report job, killed after writing its files and after its
email was accepted. Both stores (SQLite; Google via the Sheets REST fake).

After recovery: no email twice (except the one documented window -- accepted by the
server, killed before the journal marked it -- which resends the same Message-ID),
none lost, no queue number twice, no Riwayat row lost or doubled, each visit's
status equal to a fault-free morning's and to its last Riwayat transition.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from bukutamu.report.metrics import parse_week
from tests.fakes.office_day import (NOTICE_PHASE, PHASES, START, WEEKLY_AT, Office, assert_recovered, env_for,
                                    full, reference, verify)
from tests.fakes.smtp_server import SmtpTestServer

pytestmark = pytest.mark.matrix

HERE = Path(__file__).resolve().parent
CYCLE_STEPS = ["after-read", "after-plan", "after-intent", "after-write", "mid-send", "after-send"]
REPORT_STEPS = ["report-after-files", "report-after-send"]
def killed(o: Office, step: str) -> subprocess.CompletedProcess:
    p = subprocess.run([sys.executable, str(HERE / "crash_poller.py"), str(o.config), o.now.isoformat(), step],
                       env=env_for(o), capture_output=True, text=True, timeout=120)
    assert p.returncode == -signal.SIGKILL, (p.returncode, p.stdout, p.stderr)
    return p


@pytest.mark.parametrize("kind,step", [full(k, st, default=k == "sqlite" or st in ("after-write", "after-send"))
                                       for k in ("sqlite", "google") for st in CYCLE_STEPS])
def test_cycle_killed(tmp_path, tmp_path_factory, kind, step):
    ref = reference(kind, tmp_path_factory)
    with SmtpTestServer() as smtp:
        o = Office(kind, tmp_path, smtp)
        try:
            o.run_phases(phases=range(NOTICE_PHASE))
            o.now = START + timedelta(minutes=20 * NOTICE_PHASE)
            PHASES[NOTICE_PHASE][1](o)  # the helpdesk verifies two guests: officer notices are due
            o.restart()  # the program now runs in the process that will be killed
            o.now += timedelta(minutes=1)
            killed(o, step)
            o.settle()  # a new process carries on
            o.run_phases(phases=range(NOTICE_PHASE + 1, len(PHASES)))
            f = verify(o, ref, allow_same_id_resend=step == "after-send")
            assert_recovered(f)
            if step == "after-send":
                assert f.same_id_resends == 1, f  # the documented window: one resend, same Message-ID
            else:
                assert f.same_id_resends == 0, f
        finally:
            o.close()


@pytest.mark.parametrize("kind,step", [full(k, st, default=k == "sqlite") for k in ("sqlite", "google")
                                       for st in REPORT_STEPS])
def test_weekly_report_killed(tmp_path, kind, step):
    from bukutamu.app.report import weekly_job
    with SmtpTestServer() as smtp:
        o = Office(kind, tmp_path, smtp)
        try:
            o.run_phases()
            before = len(smtp.messages)
            o.restart()
            o.now = WEEKLY_AT
            killed(o, step)
            week = parse_week("2026-W48")
            folder = tmp_path / "reports" / week.label
            assert (folder / "laporan.html").exists()
            first = {p.name: p.read_bytes() for p in folder.iterdir()}
            for _ in range(3):  # the restarted service: the report job at start, and its poll cycles
                weekly_job(o.settings, o.poller.store, o.poller.journal, o.poller.notifier, o.poller.clock)()
                o.now += timedelta(minutes=1)
                o.cycle()
            reports = [m for m in smtp.messages[before:] if m.rcpt_tos == ["kepala.biro@biro.test"]]
            if step == "report-after-send":  # the documented window: resent once, same Message-ID
                assert len(reports) == 2 and reports[0].message_id == reports[1].message_id
            else:
                assert len(reports) == 1
            assert {p.name: p.read_bytes() for p in folder.iterdir()} == first  # same files, not rewritten
            assert_recovered(verify(o, None, allow_same_id_resend=step == "report-after-send"))
        finally:
            o.close()
