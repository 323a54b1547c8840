"""The helpdesk use case as a front end calls it (the web desk will): accepted or
refused with the reason, on the embedded store, visits registered by the engine."""

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bukutamu.app.helpdesk import HelpdeskInput, helpdesk_action
from bukutamu.config import load_settings
from bukutamu.core.cells import datetime_to_serial
from bukutamu.demo.form import as_row, form_values
from bukutamu.demo.guests import make_guest
from bukutamu.engine import Poller
from bukutamu.layout import tab_specs

WIB = ZoneInfo("Asia/Pontianak")
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=WIB)


def test_inputs_are_accepted_or_refused_with_the_reason(harness, tmp_path):
    settings = load_settings(None, env={"BUKUTAMU_DATA": str(tmp_path / "data"),
                                        "BUKUTAMU_HMAC_KEY": "kunci-uji-yang-cukup-panjang-0123456789"})
    harness.store.init(tab_specs(settings))
    reg = settings.tabs.register
    header = harness.table(reg)[0]
    rng = random.Random(3)
    harness.seed(reg, header, [as_row(header, form_values(make_guest(rng, NOW.date()),
                                                          datetime_to_serial(NOW + timedelta(seconds=i), WIB)))
                               for i in range(2)])
    poller = Poller(settings, harness.store, clock=lambda: NOW + timedelta(minutes=1))
    poller.run_once()
    sop = poller.sop

    def act(visit, **given):
        return helpdesk_action(harness.store, reg, settings.columns, sop, visit, HelpdeskInput(**given),
                               NOW + timedelta(minutes=2))

    ok = act("A-002", verify="sesuai", corrections={"instansi": "Dinas PU"})
    assert ok.accepted and ok.reason == "" and ok.saved.visit_id == "20261125-A002" and ok.saved.fields == 2
    refused = act("A-001", action="Layanan Selesai")
    assert not refused.accepted and refused.saved is None
    assert '"Layanan Selesai" ditolak: tidak berlaku saat status MENUNGGU VERIFIKASI' in refused.reason
    assert "Tamu Pergi" in refused.reason  # what applies now
    assert not act("A-001", verify="mungkin").accepted
    missing = act("A-009", note="x")
    assert not missing.accepted and "tidak ditemukan" in missing.reason
    poller.run_once()
    rows = {r[header.index("[Sistem] ID Kunjungan")]: r for r in harness.table(reg)[1:]}
    assert rows["20261125-A002"][header.index("[Sistem] Status")] == "TERVERIFIKASI"
    assert rows["20261125-A002"][header.index("Instansi")] == "Dinas PU"
    assert rows["20261125-A001"][header.index("[Sistem] Status")] == "MENUNGGU VERIFIKASI"
    poller.close()
