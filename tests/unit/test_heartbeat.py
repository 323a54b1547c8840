"""The Sistem heartbeat: at most every 5 minutes, joined to a cycle's write."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bukutamu.engine import Poller
from bukutamu.layout import tab_specs
from tests.fakes.sqlite_harness import SqliteHarness

WIB = ZoneInfo("Asia/Pontianak")


def heartbeat(h):
    return {r[0]: r[1] for r in h.table("Sistem")[1:]}.get("detak_terakhir")


def test_heartbeat_every_five_minutes_even_when_idle(tmp_path, settings):
    h = SqliteHarness(tmp_path)
    h.store.init(tab_specs(settings))
    clock = {"now": datetime(2026, 11, 25, 9, 0, tzinfo=WIB)}
    poller = Poller(settings, h.store, clock=lambda: clock["now"])
    assert poller.run_once().wrote  # first cycle: the first heartbeat
    first = heartbeat(h)
    for _ in range(19):  # 19 idle cycles of 15 s = 4:45
        clock["now"] += timedelta(seconds=15)
        assert not poller.run_once().wrote
    clock["now"] += timedelta(seconds=15)  # 5:00
    assert poller.run_once().wrote and heartbeat(h) > first
    poller.close()
    h.close()
