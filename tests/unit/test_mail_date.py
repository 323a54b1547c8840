"""The Date: header of the mail the program sends is in the office time zone."""

from dataclasses import replace
from email import message_from_bytes, policy

from bukutamu.adapters.mail import mailer_from_settings
from bukutamu.core.mail import OutgoingMail


def test_mail_date_header_in_office_time(settings):
    settings = replace(settings, mail=replace(settings.mail, kind="outbox"))
    mailer = mailer_from_settings(settings)
    assert mailer.send(OutgoingMail(key="laporan/2026-W34", to=("kabag@bukutamu.invalid",), subject="Laporan",
                                    html="<p>isi</p>")).ok
    msg = message_from_bytes(mailer.path_for("laporan/2026-W34").read_bytes(), policy=policy.default)
    assert msg["Date"].endswith("+0700")  # Asia/Pontianak (WIB), not UTC
