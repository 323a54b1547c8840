"""The fault matrix: the office morning of ``tests/fakes/office_day.py`` with one fault
injected in the cycle that plans and sends the officer notices, then later cycles
with the fault gone. After recovery, on every cell of the matrix:

- no email twice, none lost (a mail refused for good is noted on the visit's row);
- no queue number twice;
- no Riwayat row lost or doubled; each visit's status is the target of its last
  Riwayat transition, and equals the status a fault-free morning ends with.

Faults: the Sheets API answers 429 / 500 / a 502 HTML page, times out, or resets the
connection, at the cycle's read, its write, and the write guard's extra read and
write; the SMTP server refuses (4xx / 5xx), drops the connection or stalls at
connect, EHLO, AUTH, MAIL, RCPT and DATA; the disk fills; the data folder turns
read-only. `make test` runs a subset that tries every request, stage and fault kind at
least once; ``pytest -m "matrix or full_matrix"`` runs the whole product (.ci/run does).
RELIABILITY.md reports the figures.
"""

from __future__ import annotations

import pytest

from tests.fakes.disk import SmallDisk
from tests.fakes.office_day import NOTICE_PHASE, REG, Office, assert_recovered, full, reference, verify
from tests.fakes.smtp_server import SmtpTestServer

pytestmark = pytest.mark.matrix

# --- Google Sheets API ------------------------------------------------------------------------

SHEETS_FAULTS = {"429": "429", "500": "500", "502-html": "502-html", "timeout": "slow", "reset": "drop"}
REQUESTS = ["read", "write", "guard-read", "guard-write"]


# Every request and every fault at least once in `make test`; the whole product with -m full_matrix.
SHEETS_DEFAULT = {("read", "429"), ("write", "500"), ("guard-read", "502-html"), ("guard-write", "timeout"),
                  ("write", "reset"), ("read", "timeout")}


@pytest.mark.parametrize("request_,fault", [full(r, f, default=(r, f) in SHEETS_DEFAULT)
                                            for r in REQUESTS for f in SHEETS_FAULTS])
def test_sheets_api_fault(tmp_path, tmp_path_factory, request_, fault):
    ref = reference("google", tmp_path_factory)
    kind = SHEETS_FAULTS[fault]
    with SmtpTestServer() as smtp:
        o = Office("google", tmp_path, smtp, google_timeout=0.5)
        try:
            def inject(phase, office):
                if phase != NOTICE_PHASE:
                    return
                fake = office.fake
                target = "read" if request_.endswith("read") else "write"
                if request_.startswith("guard"):
                    def person_moves_rows():  # between our read and our write: the guard must act
                        fake.insert_row(REG, 2, [])
                        fake.fail_next(kind, 2, on=(target,), delay=0.8)
                    fake.on_next_write(person_moves_rows)
                else:
                    fake.fail_next(kind, 2, on=(target,), delay=0.8)  # every attempt of one cycle

            o.run_phases(before=inject)
            tripped = [e for e in o.fake.requests() if e.get("fault")]
            assert len(tripped) == 2, tripped
            if not request_.startswith("guard"):
                assert o.failures, "the faulty cycle should have failed and been retried later"
            assert_recovered(verify(o, ref))
        finally:
            o.close()


# --- SMTP ---------------------------------------------------------------------------------------

STAGES = ["connect", "ehlo", "auth", "mail", "rcpt", "data"]
SMTP_FAULTS = ["4xx", "5xx", "drop", "stall"]
PERMANENT = {("rcpt", "5xx"), ("data", "5xx")}  # the server refused this message for good


SMTP_DEFAULT = {("connect", "4xx"), ("ehlo", "drop"), ("auth", "5xx"), ("mail", "stall"), ("rcpt", "5xx"),
                ("rcpt", "4xx"), ("data", "drop"), ("data", "5xx"), ("connect", "stall")}


@pytest.mark.parametrize("stage,fault", [full(st, f, default=(st, f) in SMTP_DEFAULT)
                                         for st in STAGES for f in SMTP_FAULTS])
def test_smtp_fault(tmp_path, tmp_path_factory, stage, fault):
    ref = reference("sqlite", tmp_path_factory)
    auth = ("bukutamu@biro.test", "sandi-uji") if stage == "auth" else None
    with SmtpTestServer(auth=auth) as smtp:
        smtp.stall_seconds = 1.0  # the mailer waits 0.5 s
        o = Office("sqlite", tmp_path, smtp, smtp_user=auth)
        try:
            def inject(phase, office):
                if phase == NOTICE_PHASE:
                    smtp.fail(stage, fault, times=2)

            o.run_phases(before=inject)
            assert [t for t in smtp.tripped] == [(stage, fault)] * 2
            f = verify(o, ref)
            permanent = (stage, fault) in PERMANENT
            assert_recovered(f, permanent_ok=permanent)
            if permanent:
                assert f.permanent == 2  # both officer notices, each noted on its row
        finally:
            o.close()


# --- the machine: disk full, read-only folder -----------------------------------------------------

@pytest.mark.parametrize("trouble", ["disk-full", "read-only"])
@pytest.mark.parametrize("kind", ["sqlite", "google"])
def test_data_folder_fault(tmp_path, tmp_path_factory, kind, trouble):
    ref = reference(kind, tmp_path_factory)
    disk = SmallDisk(tmp_path / "data", size="8m").mount()
    try:
        with SmtpTestServer() as smtp:
            o = Office(kind, tmp_path, smtp, data_dir=disk.path)
            try:
                def inject(phase, office):
                    if phase != NOTICE_PHASE:
                        return
                    if trouble == "disk-full":
                        disk.fill()  # under the running program
                    else:
                        office.let_go()  # Linux remounts read-only only when no file is open for writing
                        disk.read_only()
                    try:
                        before = len(office.failures)
                        for _ in range(2):
                            office.now = office.now.replace(second=30)
                            office.cycle()
                        assert len(office.failures) - before == 2, office.failures
                        expected = "Disk penuh" if trouble == "disk-full" else "hanya-baca"
                        assert expected in office.failures[-1], office.failures[-1]
                    finally:
                        disk.free() if trouble == "disk-full" else disk.writable()

                o.run_phases(before=inject)
                assert_recovered(verify(o, ref))
            finally:
                o.close()
    finally:
        disk.unmount()
