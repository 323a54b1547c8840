"""Settings load and validate at start, with messages naming the key."""

import pytest

from bukutamu.config import load_settings
from bukutamu.errors import ConfigError

ENV = {"BUKUTAMU_HMAC_KEY": "kunci-uji-yang-cukup-panjang-0123456789"}


def load(tmp_path, text, env=ENV):
    p = tmp_path / "b.toml"
    p.write_text(text, encoding="utf-8")
    return load_settings(p, env=dict(env))


def test_no_config_runs_embedded_default(tmp_path):
    s = load_settings(None, env={"BUKUTAMU_DATA": str(tmp_path)})
    assert s.store.kind == "embedded" and s.store.path == tmp_path / "bukutamu.sqlite"
    assert s.office.time_zone == "Asia/Pontianak" and s.mail.kind == "outbox"


def test_example_config_is_valid():
    s = load_settings("config/bukutamu.example.toml", env={})
    assert s.poll.interval_seconds == 15


def test_config_from_environment_variable(tmp_path):
    p = tmp_path / "x.toml"
    p.write_text('[poll]\ninterval_seconds = 30\n')
    assert load_settings(None, env={"BUKUTAMU_CONFIG": str(p)}).poll.interval_seconds == 30


@pytest.mark.parametrize("text, needle", [
    ('[store]\nkind = "excel"', "store.kind"),
    ('[store]\nkind = "google"', "store.spreadsheet_id"),
    ('[poll]\ninterval_seconds = 0', "poll.interval_seconds"),
    ('[poll]\ninterval_seconds = "15"', "poll.interval_seconds"),
    ('[office]\ntime_zone = "Asia/Pontianakk"', "office.time_zone"),
    ('[office]\nhelpdesk_email = "bukan-email"', "office.helpdesk_email"),
    ('[calendar]\nmon_thu = "16:00-07:30"', "calendar.mon_thu"),
    ('[mail]\nkind = "smtp"', "mail.host"),
    ('[mail]\nuser = "helpdesk"', "mail.user"),
    ('[poll]\nintervall = 3', "intervall"),
    ('[pol]\ninterval = 3', "[pol]"),
    ('[columns]\nnikk = "X"', "columns.nikk"),
    ('[report]\nrecipients = ["kabiro"]', "report.recipients"),
    ('[store\n', "bukan TOML"),
])
def test_bad_settings_name_the_key(tmp_path, text, needle):
    with pytest.raises(ConfigError) as e:
        load(tmp_path, text)
    assert needle in str(e.value)


def test_google_mode_needs_key_file_and_hmac_from_environment(tmp_path):
    text = '[store]\nkind = "google"\nspreadsheet_id = "abc"\n'
    with pytest.raises(ConfigError, match="BUKUTAMU_GOOGLE_KEY_FILE"):
        load(tmp_path, text, env={})
    with pytest.raises(ConfigError, match="BUKUTAMU_HMAC_KEY"):
        load(tmp_path, text, env={"BUKUTAMU_GOOGLE_KEY_FILE": "/x.json"})


def test_smtp_password_required_when_user_set_and_never_shown(tmp_path):
    text = '[mail]\nkind = "smtp"\nhost = "smtp.contoh.go.id"\nuser = "a@contoh.go.id"\n'
    with pytest.raises(ConfigError, match="BUKUTAMU_SMTP_PASSWORD"):
        load(tmp_path, text)
    s = load(tmp_path, text, env={**ENV, "BUKUTAMU_SMTP_PASSWORD": "rahasia-sekali"})
    assert "rahasia-sekali" not in repr(s)


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="tidak ada"):
        load_settings(tmp_path / "nope.toml", env={})


def test_bad_sop_is_reported_at_start(tmp_path):
    sop = tmp_path / "sop.toml"
    sop.write_text('[[step]]\nnumber = 2\nname = "x"\nstandard_minutes = -1\n')
    with pytest.raises(ConfigError, match="standard_minutes"):
        load(tmp_path, f'[sop]\nfile = "{sop}"\n')
