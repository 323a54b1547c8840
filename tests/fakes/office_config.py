"""The config sections the end-to-end tests share: SMTP on the loopback test server and
the two link forms (officer confirmation, guest feedback) with their entry IDs."""

OFFICER_FORM = "https://docs.google.com/forms/d/e/PETUGAS/viewform"
FEEDBACK_FORM = "https://docs.google.com/forms/d/e/UMPAN/viewform"


def smtp_toml(port: int) -> str:
    """A [mail] section for the aiosmtpd server on loopback (more keys may follow it)."""
    return (f'[mail]\nkind = "smtp"\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
            'sender = "bukutamu@biro.test"\n')


LINKS_TOML = f'''[links]
officer_form_url = "{OFFICER_FORM}"
officer_entry_visit = "entry.101"
officer_entry_token = "entry.102"
officer_entry_action = "entry.103"
feedback_form_url = "{FEEDBACK_FORM}"
feedback_entry_visit = "entry.201"
feedback_entry_token = "entry.202"
'''
