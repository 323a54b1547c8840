"""20 guests press "Daftar" at the same moment on a real `bukutamu serve`: 20
distinct queue numbers, one numbering scheme (the engine's)."""

from __future__ import annotations

import re
import threading
from datetime import date

import pytest
import requests

from bukutamu.adapters.sqlite_store import SqliteSheetStore
from bukutamu.core.register import read_register
from tests.web.conftest import LPSE, csrf_of, guests, kiosk_fields

pytestmark = pytest.mark.slow


def test_twenty_concurrent_kiosk_submissions_get_twenty_distinct_numbers(served):
    people = guests(11, 20, date.today())
    admin = requests.Session()
    page = admin.get(served.url + "/masuk").text
    from tests.web.conftest import PASSWORDS
    admin.post(served.url + "/masuk", data={"csrf": csrf_of(page), "nama": "admin", "sandi": PASSWORDS["admin"]})
    page = admin.get(served.url + "/petugas").text
    r = admin.post(served.url + "/petugas", data={"csrf": csrf_of(page), "ubah": "tambah", "nama": "Andi",
                                                  "bidang": LPSE, "email": "andi@biro.test", "aktif": "Ya"})
    assert r.status_code == 200 and "ditambahkan" in r.text

    sessions = [requests.Session() for _ in people]
    tokens = [csrf_of(s.get(served.url + "/daftar").text) for s in sessions]
    start = threading.Barrier(len(people))
    numbers: list[str | None] = [None] * len(people)
    problems: list[str] = []

    def submit(i: int) -> None:
        start.wait()
        try:
            r = sessions[i].post(served.url + "/daftar", timeout=120,
                                 data={"csrf": tokens[i], **kiosk_fields(people[i], bidang=LPSE)})
            m = re.search(r'id="nomor-antrian">([^<]+)<', r.text)
            numbers[i] = m.group(1) if m else None
            if not m:
                problems.append(f"{r.status_code} {r.url}")
        except Exception as e:  # noqa: BLE001 - reported below
            problems.append(repr(e))

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(len(people))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    assert problems == []
    assert sorted(numbers) == [f"A-{n:03d}" for n in range(1, 21)]
    store = SqliteSheetStore(served.data / "bukutamu.sqlite")
    try:
        view = read_register(store.read(["Jawaban Formulir 1"]).tab("Jawaban Formulir 1"))
        by_nik = {r.text("nik"): r.text("antrian") for r in view.rows}
        assert {g.nik: n for g, n in zip(people, numbers)} == by_nik  # each guest got their own number
        assert {r.text("status") for r in view.rows} <= {"MENUNGGU VERIFIKASI", "PERLU PERBAIKAN"}
    finally:
        store.close()
