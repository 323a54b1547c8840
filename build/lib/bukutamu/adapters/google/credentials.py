"""Service-account credentials from the key file named by BUKUTAMU_GOOGLE_KEY_FILE.

Only the ``spreadsheets`` scope is requested (``open_by_key`` needs no Drive access).
Every problem becomes a ConfigError naming the variable and what is wrong; the key's
content is never printed, not even in a chained exception.
"""

from __future__ import annotations

import json
from pathlib import Path

from google.oauth2 import service_account

from bukutamu.config import ENV_GOOGLE_KEY
from bukutamu.errors import ConfigError

SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)
_REQUIRED = ("client_email", "private_key", "token_uri")


def load_service_account(path: str) -> service_account.Credentials:
    if not path:
        raise ConfigError(f"{ENV_GOOGLE_KEY}: belum diatur. Isi dengan path berkas kunci JSON "
                          "service account (simpan di luar repositori).")
    p = Path(path).expanduser()
    if not p.is_file():
        raise ConfigError(f"{ENV_GOOGLE_KEY}: berkas {p} tidak ada. Periksa path berkas kunci JSON "
                          "service account.")
    try:
        info = json.loads(p.read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(f"{ENV_GOOGLE_KEY}: berkas {p} tidak dapat dibaca ({e.strerror}); "
                          "periksa izin berkas.") from None
    except (UnicodeDecodeError, ValueError):
        raise ConfigError(f"{ENV_GOOGLE_KEY}: berkas {p} bukan JSON yang sah. Unduh ulang kunci JSON "
                          "service account dari Google Cloud Console (IAM > Service Accounts > Keys).") from None
    if not isinstance(info, dict) or info.get("type") != "service_account":
        kind = info.get("type") if isinstance(info, dict) else None
        shown = f'"{kind}"' if isinstance(kind, str) and len(kind) <= 40 else "tidak ada"
        raise ConfigError(f"{ENV_GOOGLE_KEY}: berkas {p} bukan kunci service account (type = {shown}, "
                          'seharusnya "service_account"). Kunci OAuth client atau API key tidak bisa dipakai.')
    missing = [k for k in _REQUIRED if not isinstance(info.get(k), str) or not info.get(k)]
    if missing:
        raise ConfigError(f"{ENV_GOOGLE_KEY}: berkas {p} tidak lengkap, kolom {', '.join(missing)} "
                          "tidak ada. Unduh ulang kunci JSON service account.")
    try:
        return service_account.Credentials.from_service_account_info(info, scopes=list(SCOPES))
    except Exception:  # noqa: BLE001 - the message of a key parser may quote key material
        raise ConfigError(f"{ENV_GOOGLE_KEY}: private_key di berkas {p} tidak dapat dibaca (kunci rusak "
                          "atau terpotong). Unduh ulang kunci JSON service account.") from None


def keep_on_endpoint(creds: service_account.Credentials) -> None:
    """With an endpoint override (loopback tests, a proxy), switch off google-auth's
    background Regional Access Boundary lookup: since google-auth 2.4x every token
    refresh may start a thread calling iamcredentials.googleapis.com, which cannot
    follow the override (and would leave a loopback test machine). Instance-level,
    google-auth pinned in requirements.txt; without the hook this is a no-op."""
    if hasattr(creds, "_maybe_start_regional_access_boundary_refresh"):
        creds._maybe_start_regional_access_boundary_refresh = lambda request, url: None  # type: ignore[method-assign]
