"""The HTTP client under gspread: bounded retries, a timeout, an endpoint override.

gspread's own ``BackOffHTTPClient`` retries forever, does not retry HTML error pages,
connection errors or timeouts, and sends requests without a timeout.
``RetryingHTTPClient`` replaces it:

- every request has a (connect, read) timeout; ``None`` is refused;
- 408/429/500/502/503/504, non-JSON error pages (a proxy's or Google front end's
  HTML), connection errors and timeouts are retried with exponential backoff and
  full jitter, honouring ``Retry-After``, at most ``max_attempts`` times in total;
- a ``spreadsheets.batchUpdate`` (structure: add tab, add rows, protections) is not
  idempotent, so it is retried only when the server cannot have applied it (429, or
  no connection was made);
- everything that still fails becomes ``SheetsHTTPError`` (a ``StoreError``) whose
  Indonesian message says what to do. Messages never carry secrets, URLs with
  tokens, or cell contents (Google's own error text is not copied).

Use it through ``gspread.Client(creds, http_client=RetryingHTTPClient.factory(...))``.
"""

from __future__ import annotations

import email.utils
import functools
import logging
import random as _random
import time
from datetime import datetime, timezone
from typing import Any, Callable, Optional
from urllib.parse import urlsplit

import requests
from google.auth import exceptions as auth_exceptions
from gspread.http_client import HTTPClient

from bukutamu.config import ENV_GOOGLE_KEY
from bukutamu.errors import StoreError

log = logging.getLogger("bukutamu.google")

SHEETS_PREFIX = "https://sheets.googleapis.com"
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# A non-JSON page with one of these is a definite answer, not a hiccup.
FINAL_STATUSES = frozenset({400, 401, 403, 404})


class SheetsHTTPError(StoreError):
    """A Sheets request that failed for good. ``reason`` is a short internal code
    ("grid_limits", "bad_range", "quota", "forbidden", "not_found", "auth",
    "network", "timeout", "server", "rejected") the store may act on."""

    def __init__(self, message: str, *, status: int | None = None, reason: str = ""):
        super().__init__(message)
        self.status = status
        self.reason = reason


class _Failure:
    def __init__(self, reason: str, retryable: bool, status: int | None = None,
                 retry_after: float | None = None, api_status: str = "", detail: str = ""):
        self.reason, self.retryable, self.status = reason, retryable, status
        self.retry_after, self.api_status, self.detail = retry_after, api_status, detail


class RetryingHTTPClient(HTTPClient):
    def __init__(self, auth: Any, session: Optional[requests.Session] = None, *,
                 endpoint: str = "", timeout: tuple[float, float] = (10.0, 30.0),
                 max_attempts: int = 5, base_delay: float = 1.0, max_delay: float = 32.0,
                 max_retry_after: float = 120.0, sleep: Callable[[float], None] = time.sleep,
                 random: Callable[[], float] = _random.random) -> None:
        super().__init__(auth, session)
        if max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        self.endpoint = endpoint.rstrip("/")
        self.max_attempts = max_attempts
        self.base_delay, self.max_delay, self.max_retry_after = base_delay, max_delay, max_retry_after
        self.sleep, self.random = sleep, random
        self.set_timeout(timeout)
        # Last full metadata (spreadsheets.get without grid data) per spreadsheet id:
        # gspread's open_by_key fetches it but keeps only the properties.
        self.metadata: dict[str, dict] = {}
        # Write attempts that failed without a definite "not applied" (timeout or
        # connection lost after sending, 5xx): Google may still apply them later,
        # after a retry succeeded. The store watches for such late writes.
        self.uncertain_writes = 0

    @classmethod
    def factory(cls, **options: Any) -> Callable[..., "RetryingHTTPClient"]:
        """A callable gspread.Client accepts as ``http_client``."""
        return functools.partial(cls, **options)

    # -- gspread hooks ---------------------------------------------------------

    def set_timeout(self, timeout: Any) -> None:
        if timeout is None:
            raise ValueError("a request timeout is required (never None)")
        self.timeout = timeout

    def fetch_sheet_metadata(self, id: str, params: Any = None) -> Any:
        data = super().fetch_sheet_metadata(id, params)
        if params is None:
            self.metadata[id] = data
        return data

    def url(self, url: str) -> str:
        """Apply the endpoint override to a Sheets API URL."""
        if self.endpoint and url.startswith(SHEETS_PREFIX):
            return self.endpoint + url[len(SHEETS_PREFIX):]
        return url

    def request(self, method: str, endpoint: str, params: Any = None, data: Any = None,
                json: Any = None, files: Any = None, headers: Any = None) -> requests.Response:
        url = self.url(endpoint)
        idempotent = _idempotent(method, url)
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self.session.request(method=method, url=url, json=json, params=params,
                                                data=data, files=files, headers=headers,
                                                timeout=self.timeout)
            except auth_exceptions.RefreshError:
                raise SheetsHTTPError(_auth_message(), reason="auth") from None
            except (requests.Timeout, requests.ConnectionError, auth_exceptions.TransportError) as exc:
                failure = _network_failure(exc)
                if method.upper() != "GET" and not _never_sent(exc):
                    self.uncertain_writes += 1
                if not idempotent and not _never_sent(exc):
                    raise SheetsHTTPError(_uncertain_message(url), reason=failure.reason) from None
            else:
                if response.ok:
                    return response
                failure = _classify(response)
                if method.upper() != "GET" and (failure.status or 0) >= 500:
                    self.uncertain_writes += 1
                if not idempotent and failure.status != 429:
                    failure.retryable = False
            if not failure.retryable or attempt >= self.max_attempts:
                raise self._error(failure, url, attempt) from None
            delay = self._delay(attempt, failure.retry_after)
            log.warning("Google Sheets: %s (percobaan %d/%d), mencoba lagi dalam %.1f detik.",
                        _short(failure), attempt, self.max_attempts, delay)
            self.sleep(delay)

    # -- internals -------------------------------------------------------------

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        delay = ceiling / 2 + self.random() * ceiling / 2
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.max_retry_after))
        return delay

    def _error(self, f: _Failure, url: str, attempts: int) -> SheetsHTTPError:
        host = urlsplit(url).netloc or url
        tries = f" setelah {attempts} percobaan" if attempts > 1 else ""
        email = getattr(getattr(self, "auth", None), "service_account_email", "") or "email service account"
        if f.reason == "timeout":
            read = self.timeout[1] if isinstance(self.timeout, tuple) else self.timeout
            msg = (f"{host} tidak menjawab dalam {read:g} detik{tries}. Periksa koneksi internet; "
                   "bila jaringan memang lambat, naikkan store.timeout_seconds.")
        elif f.reason == "network":
            msg = (f"Tidak dapat terhubung ke {host}{tries}. Periksa koneksi internet, proxy, "
                   "atau firewall komputer ini, lalu coba lagi.")
        elif f.reason == "quota":
            msg = (f"Kuota Google Sheets API terlampaui (HTTP 429){tries}. Tunggu satu-dua menit lalu "
                   "coba lagi; bila sering terjadi, perbesar poll.interval_seconds (batas Google: "
                   "60 permintaan per menit per service account).")
        elif f.reason == "server":
            page = " (halaman galat bukan JSON)" if f.detail == "html" else ""
            msg = (f"Google Sheets sedang gangguan (HTTP {f.status}{page}){tries}. Coba lagi beberapa "
                   "menit lagi; bila berlanjut, lihat status layanan Google Workspace.")
        elif f.reason == "forbidden" and f.detail == "api_disabled":
            msg = ("Google Sheets API belum diaktifkan di proyek Google Cloud milik service account "
                   "(HTTP 403). Aktifkan \"Google Sheets API\" di console.cloud.google.com "
                   "(APIs & Services), tunggu beberapa menit, lalu coba lagi.")
        elif f.reason == "forbidden":
            msg = (f"Akses ke spreadsheet ditolak (HTTP 403). Bagikan spreadsheet ke {email} "
                   "sebagai Editor (tombol Bagikan/Share di Google Sheets), lalu coba lagi.")
        elif f.reason == "not_found":
            msg = ("Spreadsheet tidak ditemukan (HTTP 404). Periksa store.spreadsheet_id di konfigurasi: "
                   "salin ID dari URL docs.google.com/spreadsheets/d/<ID>/edit"
                   + (" (dan store.endpoint)." if self.endpoint else "."))
        elif f.reason == "auth":
            msg = _auth_message()
        elif f.reason == "grid_limits":
            msg = ("Google Sheets menolak penulisan di luar batas baris/kolom sheet (HTTP 400). "
                   "Jalankan siklus lagi; bila berulang, tambahkan baris kosong di tab tersebut.")
        elif f.reason == "bad_range":
            msg = ("Google Sheets tidak mengenali nama tab yang diminta (HTTP 400): tab mungkin diganti "
                   "nama atau dihapus. Jalankan `bukutamu check` untuk memeriksa tab dan judul kolom.")
        else:
            kind = f", {f.api_status}" if f.api_status else ""
            msg = (f"Google Sheets menolak permintaan (HTTP {f.status}{kind}). Ini kemungkinan bug di "
                   "bukutamu: laporkan beserta waktu kejadiannya.")
        return SheetsHTTPError(msg, status=f.status, reason=f.reason)


def _idempotent(method: str, url: str) -> bool:
    """Reads and value writes may be repeated; structural batchUpdates may not."""
    if method.upper() in ("GET", "HEAD"):
        return True
    path = urlsplit(url).path
    return "/values" in path


def _never_sent(exc: BaseException) -> bool:
    """True when the request certainly did not reach the server."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return type(reason).__name__ in ("NewConnectionError", "NameResolutionError")


def _network_failure(exc: BaseException) -> _Failure:
    if isinstance(exc, requests.Timeout) and not isinstance(exc, requests.ConnectTimeout):
        return _Failure("timeout", True)
    return _Failure("network", True)


def _classify(response: requests.Response) -> _Failure:
    status = response.status_code
    retry_after = _retry_after(response.headers.get("Retry-After"))
    try:
        body = response.json()
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        # HTML or empty page: a proxy or Google's front end, usually transient.
        if status == 429:
            return _Failure("quota", True, status, retry_after, detail="html")
        if status in FINAL_STATUSES:
            return _Failure(_final_reason(status, ""), False, status)
        return _Failure("server", True, status, retry_after, detail="html")
    api_status = str(error.get("status") or "")
    message = str(error.get("message") or "")
    if status == 429:
        return _Failure("quota", True, status, retry_after, api_status)
    if status in RETRY_STATUSES:
        return _Failure("server", True, status, retry_after, api_status)
    reason = _final_reason(status, message)
    detail = "api_disabled" if status == 403 and _api_disabled(error) else ""
    return _Failure(reason, False, status, api_status=api_status, detail=detail)


def _final_reason(status: int, message: str) -> str:
    if status == 400 and "exceeds grid limits" in message:
        return "grid_limits"
    if status == 400 and "Unable to parse range" in message:
        return "bad_range"
    return {401: "auth", 403: "forbidden", 404: "not_found"}.get(status, "rejected")


def _api_disabled(error: dict) -> bool:
    text = str(error.get("message", ""))
    if "has not been used" in text or "is disabled" in text:
        return True
    for d in error.get("details") or ():
        if isinstance(d, dict) and d.get("reason") in ("SERVICE_DISABLED", "accessNotConfigured"):
            return True
    return False


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _auth_message() -> str:
    return (f"Google menolak kredensial service account. Periksa berkas kunci pada {ENV_GOOGLE_KEY}: "
            "kunci mungkin sudah dihapus, service account dinonaktifkan, atau jam komputer ini salah.")


def _uncertain_message(url: str) -> str:
    host = urlsplit(url).netloc or url
    return (f"Koneksi ke {host} terputus saat mengirim perubahan struktur sheet; perubahan mungkin sudah "
            "atau belum diterapkan. Periksa koneksi lalu jalankan perintah yang sama lagi (aman diulang).")


def _short(f: _Failure) -> str:
    if f.reason in ("network", "timeout"):
        return "koneksi gagal" if f.reason == "network" else "waktu habis"
    return f"HTTP {f.status}" + (" (bukan JSON)" if f.detail == "html" else "")
