"""The long-running loop's job wrapper: failures are logged, backed off, alerted."""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bukutamu.errors import SchemaError
from bukutamu.service import Service, StatusFile

WIB = ZoneInfo("Asia/Pontianak")


def make(settings, tmp_path, poll):
    clock = {"now": datetime(2026, 11, 25, 9, 0, tzinfo=WIB)}
    alerts = []
    svc = Service(settings, poll, None, StatusFile(tmp_path / "status.json"), alerts.append,
                  clock=lambda: clock["now"])
    return svc, clock, alerts


def test_a_failing_poll_neither_raises_nor_hot_loops_and_alerts_once(settings, tmp_path):
    calls = []

    def poll():
        calls.append(1)
        raise SchemaError('kolom wajib "NIK" tidak ditemukan')

    from dataclasses import replace
    settings = replace(settings, office=replace(settings.office, admin_email="admin@biro.test"))
    svc, clock, alerts = make(settings, tmp_path, poll)
    svc.poll_job()
    svc.poll_job()  # still backing off: not called again
    assert len(calls) == 1
    status = json.loads((tmp_path / "status.json").read_text())
    assert status["ok"] is False and "NIK" in status["galat_terakhir"]
    clock["now"] += timedelta(seconds=31)
    svc.poll_job()
    assert len(calls) == 2
    clock["now"] += timedelta(minutes=6)
    svc.poll_job()
    assert len(calls) == 3
    assert len({m.key for m in alerts}) == 1 and alerts[0].to == ("admin@biro.test",)
    assert "NIK" in alerts[0].html


def test_a_bug_in_a_job_is_contained(settings, tmp_path):
    def poll():
        raise ZeroDivisionError

    svc, clock, _ = make(settings, tmp_path, poll)
    svc.poll_job()
    assert svc.poll_state.failures == 1
    assert "bug" in json.loads((tmp_path / "status.json").read_text())["galat_terakhir"]


def test_success_resets_backoff_and_writes_status(settings, tmp_path):
    state = {"fail": True}

    class Report:
        new_visits, transitions, mails_sent, mails_pending = 2, 1, 1, 0

    def poll():
        if state["fail"]:
            raise SchemaError("x")
        return Report()

    svc, clock, _ = make(settings, tmp_path, poll)
    svc.poll_job()
    state["fail"] = False
    clock["now"] += timedelta(minutes=10)
    svc.poll_job()
    assert svc.poll_state.failures == 0
    status = json.loads((tmp_path / "status.json").read_text())
    assert status["ok"] is True and status["hasil"]["kunjungan_baru"] == 2


def test_a_full_disk_in_a_job_is_a_message_not_a_bug(settings, tmp_path, caplog):
    """`bukutamu run` while the disk fills: an Indonesian line in the log and the status
    file, no traceback, and the job is retried after its backoff."""
    import logging
    import sqlite3

    def poll():
        raise sqlite3.OperationalError("database or disk is full")

    svc, clock, _ = make(settings, tmp_path, poll)
    with caplog.at_level(logging.ERROR, logger="bukutamu"):
        svc.poll_job()
    record = caplog.records[-1]
    assert record.exc_info is None and "Disk penuh" in record.getMessage()
    status = json.loads((tmp_path / "status.json").read_text())
    assert status["ok"] is False and "Disk penuh" in status["galat_terakhir"] and "bug" not in status["galat_terakhir"]
