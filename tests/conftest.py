import importlib.util

import pytest

from tests.fakes.sqlite_harness import SqliteHarness

KINDS = ["sqlite"]
if importlib.util.find_spec("tests.fakes.google_harness") is not None:
    KINDS.append("google")


@pytest.fixture(params=KINDS)
def harness(request, tmp_path):
    if request.param == "sqlite":
        h = SqliteHarness(tmp_path)
    else:
        from tests.fakes.google_harness import make_google_harness
        h = make_google_harness(tmp_path)
    yield h
    h.close()


@pytest.fixture
def settings(tmp_path):
    from bukutamu.config import load_settings
    return load_settings(None, env={"BUKUTAMU_DATA": str(tmp_path / "data"),
                                    "BUKUTAMU_HMAC_KEY": "kunci-uji-yang-cukup-panjang-0123456789"})
