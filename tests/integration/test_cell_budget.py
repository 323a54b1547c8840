"""Google's 10 million cells: the Sistem tab shows how full the spreadsheet is, and the
admin hears once a day from 80 % on (issue 12, item 4). Real gspread against the
Sheets REST fake; the grid sizes are the fake's, as Google reports them."""

from __future__ import annotations

import email
import random
from datetime import datetime, timedelta
from email import policy
from zoneinfo import ZoneInfo

from bukutamu.config import load_settings
from bukutamu.demo.guests import make_guest
from bukutamu.engine import Poller
from bukutamu.layout import tab_specs
from tests.fakes.google_harness import GoogleHarness

WIB = ZoneInfo("Asia/Pontianak")
REG = "Jawaban Formulir 1"
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=WIB)


def office(tmp_path):
    cfg = tmp_path / "b.toml"
    cfg.write_text('[office]\nadmin_email = "admin@biro.test"\n')
    settings = load_settings(cfg, env={"BUKUTAMU_DATA": str(tmp_path / "data"),
                                       "BUKUTAMU_HMAC_KEY": "kunci-uji-yang-cukup-panjang-0123456789"})
    h = GoogleHarness(tmp_path)
    h.store.init(tab_specs(settings))
    rng = random.Random(4)
    for i in range(6):  # guests over two days, through the Form
        when = NOW - timedelta(days=1 - i // 3, minutes=50 - i)
        g = make_guest(rng, when.date())
        h.fake.submit_form(REG, {"NIK": g.nik, "Nama Lengkap": g.name, "Nomor HP": g.phone}, when)
    return h, settings


def sistem(h):
    return {r[0]: r[1] for r in h.table("Sistem")[1:]}


def admin_mails(settings):
    box = settings.mail.outbox
    msgs = [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(box.glob("*.eml"))]
    return [m for m in msgs if str(m["To"]) == "admin@biro.test"]


def test_the_sistem_tab_shows_the_cells_and_the_admin_hears_once_a_day_from_eighty_percent(tmp_path):
    h, settings = office(tmp_path)
    clock = {"now": NOW}
    poller = Poller(settings, h.store, clock=lambda: clock["now"])
    try:
        poller.run_once()
        cells = sum(s.row_count * s.col_count for s in h.fake.book.sheets)
        assert sistem(h)["sel_terpakai"] == f"{cells} ({cells / 10_000_000:.0%})"
        assert admin_mails(settings) == []

        # Years of Riwayat later: the log's grid has grown to 760 000 rows.
        h.fake.book.sheet("Riwayat").row_count = 760_000
        h.store.invalidate_metadata()
        for minutes in (6, 12, 18):  # three heartbeats on one day
            clock["now"] = NOW + timedelta(minutes=minutes)
            poller.run_once()
        total = sum(s.row_count * s.col_count for s in h.fake.book.sheets)
        assert total >= 8_000_000
        assert sistem(h)["sel_terpakai"] == f"{total} ({total / 10_000_000:.0%})"
        mails = admin_mails(settings)
        assert len(mails) == 1  # once a day, not every cycle
        text = mails[0].get_body(("plain",)).get_content()
        assert "dari 10.000.000 sel terpakai" in text and "Arsipkan kunjungan lama" in text
        clock["now"] = NOW + timedelta(days=1)
        poller.run_once()
        assert len(admin_mails(settings)) == 2  # the next day again
    finally:
        poller.close()
        h.close()
