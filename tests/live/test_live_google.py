"""Opt-in checks against the REAL Google Sheets API (never run in CI).

Run with a scratch spreadsheet shared with the service account:
    BUKUTAMU_LIVE_GOOGLE=1 BUKUTAMU_GOOGLE_KEY_FILE=/path/key.json \
    BUKUTAMU_LIVE_SPREADSHEET_ID=<id> .venv/bin/python -m pytest -m live_google tests/live
They settle what the fake can only infer from the docs: the write response shape the
row-move guard relies on, and the error texts matched by the retry client.
"""

import os

import pytest

from bukutamu.config import Secrets, Settings, StoreSettings
from bukutamu.core.sheet import CellUpdate, WriteBatch

pytestmark = pytest.mark.live_google
NEEDED = ("BUKUTAMU_LIVE_GOOGLE", "BUKUTAMU_GOOGLE_KEY_FILE", "BUKUTAMU_LIVE_SPREADSHEET_ID")
if not all(os.environ.get(k) for k in NEEDED):
    pytest.skip("live Google test: set " + ", ".join(NEEDED), allow_module_level=True)


@pytest.fixture
def store():
    from bukutamu.adapters.google.store import GoogleSheetStore
    settings = Settings(store=StoreSettings(kind="google", spreadsheet_id=os.environ[NEEDED[2]]),
                        secrets=Secrets(google_key_file=os.environ[NEEDED[1]]))
    s = GoogleSheetStore.from_settings(settings)
    yield s
    s.close()


def test_init_read_write_roundtrip_on_a_scratch_sheet(store):
    from bukutamu.adapters.store import TabSpec
    store.init([TabSpec("bukutamu-uji", ("A", "B", "[Sistem] C"))])
    snap = store.read(["bukutamu-uji"])
    tab = snap.tab("bukutamu-uji")
    assert list(tab.header[:3]) == ["A", "B", "[Sistem] C"] and snap.time_zone
    if tab.rows:
        store.write(WriteBatch(updates=[CellUpdate(tab.name, tab.rows[0].ref, "[Sistem] C", "=1+1")]))
        again = store.read(["bukutamu-uji"]).tab("bukutamu-uji")
        assert again.rows[0].values[2] == "=1+1"  # RAW: stays text
