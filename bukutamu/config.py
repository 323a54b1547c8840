"""Settings: one TOML file (optional) plus secrets from the environment.

Every key is documented in config/bukutamu.example.toml. Loading validates
everything up front and raises ConfigError naming the key and what is wrong, so a
bad setting stops the program at start, never in the middle of a cycle.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bukutamu.core.notices import LinkConfig as LinkSettings  # one definition, shared with the core
from bukutamu.errors import ConfigError

ENV_CONFIG = "BUKUTAMU_CONFIG"
ENV_DATA_DIR = "BUKUTAMU_DATA"
ENV_GOOGLE_KEY = "BUKUTAMU_GOOGLE_KEY_FILE"
ENV_SMTP_PASSWORD = "BUKUTAMU_SMTP_PASSWORD"
ENV_HMAC_KEY = "BUKUTAMU_HMAC_KEY"

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_SOP = PACKAGE_DIR / "data" / "sop.toml"


@dataclass(frozen=True)
class OfficeSettings:
    name: str = "Biro Pengadaan Barang/Jasa Setda Provinsi Kalimantan Barat"
    time_zone: str = "Asia/Pontianak"
    helpdesk_email: str = "helpdesk@bukutamu.invalid"
    supervisor_email: str = ""
    admin_email: str = ""
    sla_target_percent: float = 90.0
    escalation_digest_minutes: int = 15  # 0: every breach mailed at once

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


@dataclass(frozen=True)
class StoreSettings:
    kind: str = "embedded"  # "embedded" | "google"
    path: Path = Path("data/bukutamu.sqlite")
    spreadsheet_id: str = ""
    endpoint: str = ""  # override of https://sheets.googleapis.com (tests, proxies)
    timeout_seconds: float = 30.0
    max_attempts: int = 5
    lock_wait_seconds: float = 60.0


@dataclass(frozen=True)
class TabNames:
    register: str = "Jawaban Formulir 1"
    history: str = "Riwayat"
    queue: str = "Antrian"
    officers: str = "Petugas"
    system: str = "Sistem"
    confirmations: str = "Konfirmasi"
    feedback: str = "Umpan Balik"


@dataclass(frozen=True)
class PollSettings:
    interval_seconds: int = 15
    queue_prefix: str = "A"


@dataclass(frozen=True)
class MailSettings:
    kind: str = "outbox"  # "outbox" | "smtp"
    outbox: Path = Path("data/outbox")
    sender: str = "bukutamu@bukutamu.invalid"
    sender_name: str = "Buku Tamu Biro PBJ"
    host: str = ""
    port: int = 587
    user: str = ""
    security: str = "starttls"  # "starttls" | "ssl" | "none"
    timeout_seconds: float = 30.0
    # How long to wait for the server's answer once the whole message has been sent
    # (RFC 5321 4.5.3.2: 10 minutes). A timeout there leaves the outcome unknown.
    data_timeout_seconds: float = 300.0


@dataclass(frozen=True)
class CalendarSettings:
    mon_thu: tuple[time, time] = (time(7, 30), time(16, 0))
    fri: tuple[time, time] = (time(7, 30), time(16, 30))
    lunch: tuple[time, time] | None = None  # pause the clock at lunch when set
    lunch_friday: tuple[time, time] | None = None
    holidays_country: str = "ID"
    cuti_bersama: bool = True
    extra_holidays: tuple[str, ...] = ()  # ISO dates
    ramadan: tuple[str, str] | None = None  # ISO start, end (inclusive)
    ramadan_hours: tuple[time, time] = (time(8, 0), time(15, 0))
    ramadan_friday: tuple[time, time] = (time(8, 0), time(15, 30))


@dataclass(frozen=True)
class ReportSettings:
    folder: Path = Path("reports")
    recipients: tuple[str, ...] = ()
    weekday: str = "monday"
    at: str = "07:00"
    trend_weeks: int = 12


@dataclass(frozen=True)
class RetentionSettings:
    """`bukutamu purge` and its daily job: visits closed longer than ``days`` ago are
    anonymised (README "Retensi data": UU 27/2022 PDP and the office's JRA)."""

    days: int = 365
    at: str = "01:30"  # daily, office time


MIN_RETENTION_DAYS = 30


@dataclass(frozen=True)
class WebSettings:
    """`bukutamu serve`: the front-desk pages on the office LAN."""

    host: str = "127.0.0.1"  # only a LAN address named here opens the pages to other devices
    port: int = 8080
    base_url: str = ""  # e.g. "http://192.168.1.10:8080": email links open local pages (embedded)
    kiosk_per_minute: int = 30  # registrations per minute from one address
    login_attempts: int = 5  # failed logins per 10 minutes per address and user
    secure_cookies: bool = False  # true behind HTTPS


@dataclass(frozen=True)
class ArchiveSettings:
    """`bukutamu arsip`: closed visits leave the live tabs, so a cycle's cost follows
    open visits, not history (and a Google spreadsheet stays under its cell limit)."""

    after_days: int = 1  # a visit closed on day D leaves the live tabs from day D + after_days
    at: str = "00:30"  # daily job time (office zone); `run` also archives once at start
    # Google mode: year -> spreadsheet ID of that year's archive (shared with the service
    # account as Editor). A year without one is archived in the embedded store, in the
    # data folder (arsip/arsip-<year>.sqlite): the data stays on this machine.
    spreadsheets: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Secrets:
    """Read from the environment only. Never printed (repr hides values)."""

    google_key_file: str = field(default="", repr=False)
    smtp_password: str = field(default="", repr=False)
    hmac_key: bytes = field(default=b"", repr=False)


@dataclass(frozen=True)
class Settings:
    office: OfficeSettings = field(default_factory=OfficeSettings)
    store: StoreSettings = field(default_factory=StoreSettings)
    tabs: TabNames = field(default_factory=TabNames)
    columns: Mapping[str, str] = field(default_factory=dict)  # key -> header rename
    poll: PollSettings = field(default_factory=PollSettings)
    mail: MailSettings = field(default_factory=MailSettings)
    links: LinkSettings = field(default_factory=LinkSettings)
    calendar: CalendarSettings = field(default_factory=CalendarSettings)
    report: ReportSettings = field(default_factory=ReportSettings)
    web: WebSettings = field(default_factory=WebSettings)
    retention: RetentionSettings = field(default_factory=RetentionSettings)
    archive: ArchiveSettings = field(default_factory=ArchiveSettings)
    secrets: Secrets = field(default_factory=Secrets)
    source: str = "(bawaan)"  # which file the settings came from
    data_dir: Path = Path("data")  # [store] data_dir: this store's own folder (see default_data_dir)
    sop_path: Path = DEFAULT_SOP
    slug: str = ""  # [offices.<slug>]: which office of a multi-office config ("" = the only office)


# --- validation helpers -----------------------------------------------------

class _Section:
    """Reads one TOML table, remembering which keys were used to reject typos."""

    def __init__(self, name: str, raw: Any):
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            raise ConfigError(f"[{name}] harus berupa tabel TOML.")
        self.name, self.raw, self.used = name, raw, set()

    def key(self, k: str) -> str:
        return f"{self.name}.{k}"

    def get(self, k: str, default: Any, kind: type | tuple[type, ...]) -> Any:
        self.used.add(k)
        if k not in self.raw:
            return default
        v = self.raw[k]
        if kind is float and isinstance(v, int) and not isinstance(v, bool):
            v = float(v)
        if not isinstance(v, kind) or (isinstance(v, bool) and kind in (int, float)):
            want = {str: "teks", int: "bilangan bulat", float: "angka", bool: "true/false",
                    list: "daftar"}.get(kind if isinstance(kind, type) else str, "nilai lain")
            raise ConfigError(f"{self.key(k)}: harus {want}, bukan {v!r}.")
        return v

    def choice(self, k: str, default: str, allowed: tuple[str, ...]) -> str:
        v = self.get(k, default, str)
        if v not in allowed:
            raise ConfigError(f"{self.key(k)}: nilai {v!r} tidak dikenal; pilih salah satu dari "
                              + ", ".join(allowed) + ".")
        return v

    def positive(self, k: str, default: float, kind: type = float) -> Any:
        v = self.get(k, default, kind)
        if v <= 0:
            raise ConfigError(f"{self.key(k)}: harus lebih besar dari 0, bukan {v!r}.")
        return v

    def hours(self, k: str, default: tuple[time, time] | None) -> tuple[time, time] | None:
        self.used.add(k)
        if k not in self.raw:
            return default
        v = self.raw[k]
        if v in ("", [], None):
            return None
        try:
            start, end = (time.fromisoformat(x) for x in v.split("-")) if isinstance(v, str) else v
        except (ValueError, TypeError, AttributeError):
            raise ConfigError(f'{self.key(k)}: tulis jam seperti "07:30-16:00", bukan {v!r}.') from None
        if not start < end:
            raise ConfigError(f"{self.key(k)}: jam mulai harus sebelum jam selesai ({v!r}).")
        return start, end

    def done(self) -> None:
        unknown = sorted(set(self.raw) - self.used)
        if unknown:
            raise ConfigError(f"[{self.name}]: kunci tidak dikenal: {', '.join(unknown)} "
                              "(periksa ejaan; lihat config/bukutamu.example.toml).")


def _email_ok(v: str) -> bool:
    local, _, domain = v.partition("@")
    return bool(local) and "." in domain and " " not in v


def _office_url(url: str, slug: str) -> str:
    """The shared web address of a multi-office `serve`: each office under /<slug>."""
    return f"{url}/{slug}" if url and slug else url


def _path(base: Path, v: str) -> Path:
    p = Path(v).expanduser()
    return p if p.is_absolute() else base / p


DEFAULT_STORE_FILE = "bukutamu.sqlite"
MIN_HMAC_KEY_CHARS = 32
HOW_TO_MAKE_KEY = "python3 -c \"import secrets; print(secrets.token_urlsafe(32))\""


def default_data_dir(kind: str, store_path: Path, spreadsheet_id: str, base: Path) -> Path:
    """Each store gets its own data folder (mail journal, HMAC key, status file,
    outbox), so two stores never share a journal or a key:

    - embedded ``…/bukutamu.sqlite`` (the default name): the folder it is in;
      any other file ``…/kantor.sqlite``: ``…/kantor.sqlite-data`` beside it (two
      stores in one folder have different names, so different folders);
    - google: ``<base>/google-<first 12 characters of the spreadsheet ID>``.

    ``base`` is ./data or $BUKUTAMU_DATA."""
    if kind == "google":
        return base / ("google-" + re.sub(r"[^A-Za-z0-9_-]", "_", spreadsheet_id[:12]))
    if store_path.name == DEFAULT_STORE_FILE:
        return store_path.parent
    return store_path.with_name(store_path.name + "-data")


def _archive_settings(a: "_Section") -> ArchiveSettings:
    after = a.get("after_days", ArchiveSettings.after_days, int)
    if not 1 <= after <= 3650:
        # 0 would archive today's visits, whose queue numbers the day still counts on.
        raise ConfigError(f"archive.after_days: harus 1–3650 hari, bukan {after}.")
    at = a.get("at", ArchiveSettings.at, str)
    try:
        time.fromisoformat(at)
    except ValueError:
        raise ConfigError(f'archive.at: tulis jam seperti "00:30", bukan {at!r}.') from None
    raw = a.get("spreadsheets", {}, dict)
    sheets: dict[int, str] = {}
    for year, sid in raw.items():
        if not (str(year).isdigit() and len(str(year)) == 4) or not isinstance(sid, str) or not sid.strip():
            raise ConfigError(f'archive.spreadsheets: tulis "<tahun>" = "<ID spreadsheet>", mis. '
                              f'"2026" = "1AbC…", bukan {year!r} = {sid!r}.')
        sheets[int(year)] = sid.strip()
    if len(set(sheets.values())) != len(sheets):
        raise ConfigError("archive.spreadsheets: setiap tahun harus memakai spreadsheet arsipnya sendiri.")
    a.done()
    return ArchiveSettings(after_days=after, at=at, spreadsheets=sheets)


def hmac_key_problem(key: str | bytes) -> str | None:
    """Why ``key`` is too weak to sign links and hash NIKs, or None. Minimum: 32
    characters, not a repetition of a few characters."""
    text = key.decode("utf-8", "replace") if isinstance(key, bytes) else key
    if not text.strip():
        return "kosong"
    if len(text) < MIN_HMAC_KEY_CHARS:
        return f"terlalu pendek ({len(text)} karakter; minimal {MIN_HMAC_KEY_CHARS} karakter acak)"
    if len(set(text)) < 8:
        return "terlalu mudah ditebak (hanya beberapa karakter yang diulang); pakai karakter acak"
    return None


SECTIONS = ("office", "store", "tabs", "columns", "poll", "mail", "links", "calendar", "report", "sop", "web",
            "archive", "retention")
SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
# Secrets an office may have of its own: <NAME>_<SLUG> wins over <NAME>.
PER_OFFICE_ENV = (ENV_GOOGLE_KEY, ENV_HMAC_KEY, ENV_SMTP_PASSWORD)


def office_env_name(name: str, slug: str) -> str:
    """``BUKUTAMU_HMAC_KEY`` of office ``dinas-x``: ``BUKUTAMU_HMAC_KEY_DINAS_X``."""
    return f"{name}_{slug.upper().replace('-', '_')}"


def load_settings(path: str | os.PathLike | None = None, env: Mapping[str, str] | None = None,
                  office: str | None = None) -> Settings:
    """Load and validate the settings of one office. ``path`` wins over
    $BUKUTAMU_CONFIG; with neither, the embedded default runs from ./data (or
    $BUKUTAMU_DATA). A file with ``[offices.<slug>]`` tables needs ``office`` (the
    slug; `--kantor`) unless it names a single office; every office is validated."""
    env = os.environ if env is None else env
    raw, source = _read_file(path, env)
    if "offices" not in raw:
        if office:
            raise ConfigError(f"--kantor {office}: konfigurasi {source} tidak berisi bagian [offices.<kode>]; "
                              "jalankan tanpa --kantor.")
        return _build(raw, env, source)
    offices = _load_offices(raw, env, source)
    if office:
        for s in offices:
            if s.slug == office:
                return s
        raise ConfigError(f"--kantor {office}: kantor tidak dikenal; yang ada di {source}: "
                          + ", ".join(s.slug for s in offices) + ".")
    if len(offices) == 1:
        return offices[0]
    raise ConfigError(f"Konfigurasi {source} berisi {len(offices)} kantor ("
                      + ", ".join(s.slug for s in offices) + "): pilih satu dengan --kantor <kode>, "
                      "mis. `bukutamu --kantor " + offices[0].slug + " …`.")


def load_offices(path: str | os.PathLike | None = None, env: Mapping[str, str] | None = None) -> list[Settings]:
    """Every office of the configuration, validated: one Settings per
    ``[offices.<slug>]`` table (each with its slug), or the single office of a file
    without ``[offices]`` (slug "")."""
    env = os.environ if env is None else env
    raw, source = _read_file(path, env)
    if "offices" not in raw:
        return [_build(raw, env, source)]
    return _load_offices(raw, env, source)


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Deep merge of TOML tables: ``over`` wins; tables merge key by key."""
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


_KEYED = re.compile(r"^(\[?)(" + "|".join(SECTIONS) + r")(?=[.\]])")


def _office_error(slug: str, message: str) -> str:
    """A message of the one-office loader, naming the office's key: ``store.path: …``
    becomes ``offices.<slug>.store.path: …``; anything else is prefixed."""
    named, n = _KEYED.subn(lambda m: f"{m.group(1)}offices.{slug}.{m.group(2)}", message, count=1)
    if n:
        return named
    for name in PER_OFFICE_ENV:
        if message.startswith(name + ":") or message.startswith(name + " "):
            return (f"offices.{slug}: {message} (untuk kantor ini saja: {office_env_name(name, slug)}, "
                    f"bila tidak ada dipakai {name})")
    return f"offices.{slug}: {message}"


def _load_offices(raw: dict[str, Any], env: Mapping[str, str], source: str) -> list[Settings]:
    table = raw["offices"]
    if not isinstance(table, dict) or not table:
        raise ConfigError("[offices]: tulis satu tabel per kantor, mis. [offices.biro-pbj] dengan "
                          "[offices.biro-pbj.store] di bawahnya.")
    shared = {k: v for k, v in raw.items() if k != "offices"}
    offices = []
    for slug, own in table.items():
        if not SLUG.fullmatch(slug):
            raise ConfigError(f"offices.{slug}: kode kantor hanya boleh huruf kecil a-z, angka, dan tanda hubung "
                              "(mis. \"dinas-pu\"); kode ini dipakai di folder, alamat web, dan --kantor.")
        if not isinstance(own, dict):
            raise ConfigError(f"offices.{slug}: harus berupa tabel ([offices.{slug}.store] dan seterusnya).")
        unknown = sorted(set(own) - set(SECTIONS))
        if unknown:
            raise ConfigError(f"offices.{slug}: bagian tidak dikenal: " + ", ".join(unknown)
                              + " (yang boleh: " + ", ".join(SECTIONS) + ").")
        web = own.get("web")
        for k in ("host", "port"):
            if isinstance(web, dict) and k in web:
                raise ConfigError(f"offices.{slug}.web.{k}: `serve` melayani semua kantor dari satu alamat; atur "
                                  f"web.{k} di [web] bersama (halaman kantor ini ada di /{slug}/).")
        office_env = dict(env)
        for name in PER_OFFICE_ENV:
            if env.get(office_env_name(name, slug)):
                office_env[name] = env[office_env_name(name, slug)]
        try:
            offices.append(_build(_merge(shared, own), office_env, source, slug=slug, own=own, shared=shared))
        except ConfigError as e:
            raise ConfigError(_office_error(slug, str(e))) from None
    _refuse_shared(offices)
    return offices


def _refuse_shared(offices: list[Settings]) -> None:
    """Two offices never share a store, a data folder, an outbox or a reports folder
    (a shared journal would skip the second office's mails as "already sent")."""
    def norm(p: Path) -> str:
        return os.path.normcase(os.path.abspath(p))

    seen: dict[tuple[str, str], str] = {}
    for s in offices:
        things = [("store.data_dir", norm(s.data_dir)), ("report.folder", norm(s.report.folder))]
        if s.store.kind == "google":
            things.append(("store.spreadsheet_id", s.store.spreadsheet_id))
        else:
            things.append(("store.path", norm(s.store.path)))
        if s.mail.kind == "outbox":
            things.append(("mail.outbox", norm(s.mail.outbox)))
        things += [(f"archive.spreadsheets.{year}", sheet) for year, sheet in s.archive.spreadsheets.items()]
        for key, value in things:
            if key.startswith("archive.") or key == "store.spreadsheet_id":
                key_of = ("spreadsheet", value)  # a live sheet never doubles as another office's archive
            else:
                key_of = (key, value)
            other = seen.setdefault(key_of, s.slug)
            if other != s.slug:
                raise ConfigError(f"offices.{s.slug}.{key}: sama dengan kantor {other} ({value}); setiap kantor "
                                  "butuh miliknya sendiri — atur offices." + s.slug + "." + key + " ke nilai lain.")


def _read_file(path: str | os.PathLike | None, env: Mapping[str, str]) -> tuple[dict[str, Any], str]:
    path = path or env.get(ENV_CONFIG) or None
    raw: dict[str, Any] = {}
    source = "(bawaan: mode tertanam)"
    if path:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"Berkas konfigurasi {p} tidak ada (periksa --config atau {ENV_CONFIG}).")
        try:
            raw = tomllib.loads(p.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"Berkas konfigurasi {p} bukan TOML yang sah: {e}.") from None
        except UnicodeDecodeError:
            raise ConfigError(f"Berkas konfigurasi {p} harus disimpan sebagai UTF-8.") from None
        source = str(p)
    unknown = sorted(set(raw) - {*SECTIONS, "offices"})
    if unknown:
        raise ConfigError(f"Bagian tidak dikenal di konfigurasi: {', '.join('[' + u + ']' for u in unknown)}.")
    return raw, source


def _build(raw: Mapping[str, Any], env: Mapping[str, str], source: str, *, slug: str = "",
           own: Mapping[str, Any] | None = None, shared: Mapping[str, Any] | None = None) -> Settings:
    """One office's Settings from its (merged) tables. For an office of a
    multi-office file (``slug``), folders not set in its own tables (``own``) get
    the slug: data ``<data>/<slug>/``, reports ``<folder>/<slug>/``, outbox and web
    links likewise."""
    own, shared = own or {}, shared or {}

    def mine(section: str, key: str) -> bool:
        return isinstance(own.get(section), dict) and key in own[section]

    def inherited(section: str, key: str) -> bool:
        return bool(slug) and not mine(section, key) and isinstance(shared.get(section), dict) \
            and key in shared[section]

    data_base = Path(env.get(ENV_DATA_DIR) or "data").expanduser()
    base = Path.cwd()  # relative paths in the file are relative to the working directory
    if not data_base.is_absolute():
        data_base = Path.cwd() / data_base
    if slug:
        data_base = data_base / slug

    o = _Section("office", raw.get("office"))
    tz = o.get("time_zone", OfficeSettings.time_zone, str)
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f'office.time_zone: zona waktu "{tz}" tidak dikenal (contoh: "Asia/Pontianak").') from None
    office = OfficeSettings(
        name=o.get("name", OfficeSettings.name, str),
        time_zone=tz,
        helpdesk_email=o.get("helpdesk_email", OfficeSettings.helpdesk_email, str),
        supervisor_email=o.get("supervisor_email", "", str),
        admin_email=o.get("admin_email", "", str),
        sla_target_percent=o.get("sla_target_percent", 90.0, float),
        escalation_digest_minutes=o.get("escalation_digest_minutes", 15, int),
    )
    for k in ("helpdesk_email", "supervisor_email", "admin_email"):
        v = getattr(office, k)
        if v and not _email_ok(v):
            raise ConfigError(f"office.{k}: {v!r} bukan alamat email yang sah.")
    if not 0 <= office.escalation_digest_minutes <= 24 * 60:
        raise ConfigError("office.escalation_digest_minutes: harus antara 0 (tanpa ringkasan) dan 1440 menit.")
    if not 0 < office.sla_target_percent <= 100:
        raise ConfigError("office.sla_target_percent: harus antara 0 dan 100.")
    o.done()

    s = _Section("store", raw.get("store"))
    kind = s.choice("kind", "embedded", ("embedded", "google"))
    store_path = (_path(base, s.get("path", "", str)) if s.raw.get("path")
                  else data_base / DEFAULT_STORE_FILE)
    spreadsheet_id = s.get("spreadsheet_id", "", str).strip()
    if s.raw.get("data_dir"):
        data_dir = _path(base, s.get("data_dir", "", str))
        if inherited("store", "data_dir"):
            data_dir = data_dir / slug
    elif slug:
        data_dir = data_base  # data/<slug>/
    else:
        data_dir = default_data_dir(kind, store_path, spreadsheet_id, data_base)
    store = StoreSettings(
        kind=kind,
        path=store_path,
        spreadsheet_id=spreadsheet_id,
        endpoint=s.get("endpoint", "", str).rstrip("/"),
        timeout_seconds=s.positive("timeout_seconds", 30.0),
        max_attempts=s.positive("max_attempts", 5, int),
        lock_wait_seconds=s.get("lock_wait_seconds", 60.0, float),
    )
    if kind == "google" and not store.spreadsheet_id:
        raise ConfigError("store.spreadsheet_id: wajib diisi untuk store.kind = \"google\" "
                          "(ID ada di URL spreadsheet: docs.google.com/spreadsheets/d/<ID>/edit).")
    if store.endpoint and not store.endpoint.startswith(("http://", "https://")):
        raise ConfigError("store.endpoint: harus diawali http:// atau https://.")
    s.done()

    t = _Section("tabs", raw.get("tabs"))
    tabs = TabNames(**{k: t.get(k, getattr(TabNames, k), str).strip() for k in TabNames.__dataclass_fields__})
    names = [getattr(tabs, k) for k in TabNames.__dataclass_fields__]
    if any(not n for n in names):
        raise ConfigError("[tabs]: nama tab tidak boleh kosong.")
    if len(set(names)) != len(names):
        raise ConfigError("[tabs]: setiap tab harus bernama berbeda.")
    t.done()

    from bukutamu.core.schema import REGISTER_COLUMNS  # local: schema imports nothing from here
    c = raw.get("columns") or {}
    if not isinstance(c, dict):
        raise ConfigError("[columns] harus berupa tabel: kunci_kolom = \"Judul di sheet\".")
    keys = {col.key for col in REGISTER_COLUMNS}
    for k, v in c.items():
        if k not in keys:
            raise ConfigError(f"columns.{k}: kolom tidak dikenal; yang bisa diganti: {', '.join(sorted(keys))}.")
        if not isinstance(v, str) or not v.strip():
            raise ConfigError(f"columns.{k}: judul kolom harus teks tidak kosong.")

    p = _Section("poll", raw.get("poll"))
    poll = PollSettings(interval_seconds=p.positive("interval_seconds", 15, int),
                        queue_prefix=p.get("queue_prefix", "A", str))
    if not (poll.queue_prefix.isascii() and poll.queue_prefix.isalpha() and 1 <= len(poll.queue_prefix) <= 3):
        raise ConfigError("poll.queue_prefix: 1–3 huruf A–Z, misalnya \"A\".")
    p.done()

    m = _Section("mail", raw.get("mail"))
    mail = MailSettings(
        kind=m.choice("kind", "outbox", ("outbox", "smtp")),
        outbox=(_path(base, m.get("outbox", "", str)) / (slug if inherited("mail", "outbox") else "")
                if m.raw.get("outbox") else data_dir / "outbox"),
        sender=m.get("sender", MailSettings.sender, str),
        sender_name=m.get("sender_name", MailSettings.sender_name, str),
        host=m.get("host", "", str),
        port=m.positive("port", 587, int),
        user=m.get("user", "", str),
        security=m.choice("security", "starttls", ("starttls", "ssl", "none")),
        timeout_seconds=m.positive("timeout_seconds", 30.0),
        data_timeout_seconds=m.positive("data_timeout_seconds", MailSettings.data_timeout_seconds),
    )
    if mail.data_timeout_seconds > 600:
        raise ConfigError("mail.data_timeout_seconds: paling lama 600 detik (10 menit, batas RFC 5321), "
                          f"bukan {mail.data_timeout_seconds:g}.")
    if not _email_ok(mail.sender):
        raise ConfigError(f"mail.sender: {mail.sender!r} bukan alamat email yang sah.")
    if mail.kind == "smtp" and not mail.host:
        raise ConfigError("mail.host: wajib diisi untuk mail.kind = \"smtp\" (misalnya smtp.gmail.com).")
    if mail.user and "@" not in mail.user:
        # yagmail would silently append "@gmail.com".
        raise ConfigError("mail.user: tulis alamat lengkap dengan @ (misalnya helpdesk@kantor.go.id).")
    m.done()

    ln = _Section("links", raw.get("links"))
    links = LinkSettings(**{k: ln.get(k, getattr(LinkSettings, k), type(getattr(LinkSettings, k)))
                            for k in LinkSettings.__dataclass_fields__ if k != "local_base_url"})
    for k in ("officer_form_url", "feedback_form_url"):
        v = getattr(links, k)
        if v and not v.startswith("https://"):
            raise ConfigError(f"links.{k}: harus URL https:// formulir Google (…/viewform).")
    if not 1 <= links.token_valid_hours <= 720:
        raise ConfigError(f"links.token_valid_hours: masa berlaku tautan harus antara 1 dan 720 jam (30 hari), "
                          f"bukan {links.token_valid_hours}.")
    ln.done()

    cal = _Section("calendar", raw.get("calendar"))
    d = CalendarSettings()
    ram = cal.get("ramadan", [], list)
    if ram and len(ram) != 2:
        raise ConfigError('calendar.ramadan: tulis ["2027-02-08", "2027-03-09"] (mulai, selesai).')
    calendar = CalendarSettings(
        mon_thu=cal.hours("mon_thu", d.mon_thu),
        fri=cal.hours("fri", d.fri),
        lunch=cal.hours("lunch", None),
        lunch_friday=cal.hours("lunch_friday", None),
        holidays_country=cal.get("holidays_country", "ID", str),
        cuti_bersama=cal.get("cuti_bersama", True, bool),
        extra_holidays=tuple(cal.get("extra_holidays", [], list)),
        ramadan=tuple(ram) if ram else None,
        ramadan_hours=cal.hours("ramadan_hours", d.ramadan_hours),
        ramadan_friday=cal.hours("ramadan_friday", d.ramadan_friday),
    )
    from datetime import date
    for v in (*calendar.extra_holidays, *(calendar.ramadan or ())):
        try:
            date.fromisoformat(str(v))
        except ValueError:
            raise ConfigError(f"[calendar]: tanggal {v!r} tidak sah (format YYYY-MM-DD).") from None
    cal.done()

    r = _Section("report", raw.get("report"))
    report = ReportSettings(
        folder=_path(base, r.get("folder", "reports", str)) / (slug if slug and not mine("report", "folder") else ""),
        recipients=tuple(r.get("recipients", [], list)),
        weekday=r.choice("weekday", "monday", ("monday", "tuesday", "wednesday", "thursday",
                                                 "friday", "saturday", "sunday")),
        at=r.get("at", "07:00", str),
        trend_weeks=r.positive("trend_weeks", 12, int),
    )
    for v in report.recipients:
        if not isinstance(v, str) or not _email_ok(v):
            raise ConfigError(f"report.recipients: {v!r} bukan alamat email yang sah.")
    try:
        time.fromisoformat(report.at)
    except ValueError:
        raise ConfigError(f'report.at: tulis jam seperti "07:00", bukan {report.at!r}.') from None
    r.done()

    w = _Section("web", raw.get("web"))
    web = WebSettings(
        host=w.get("host", WebSettings.host, str).strip(),
        port=w.get("port", WebSettings.port, int),
        base_url=_office_url(w.get("base_url", "", str).strip().rstrip("/"), slug if inherited("web", "base_url") else ""),
        kiosk_per_minute=w.positive("kiosk_per_minute", WebSettings.kiosk_per_minute, int),
        login_attempts=w.positive("login_attempts", WebSettings.login_attempts, int),
        secure_cookies=w.get("secure_cookies", False, bool),
    )
    if not 0 <= web.port <= 65535:
        raise ConfigError(f"web.port: harus 0–65535, bukan {web.port}.")
    if not web.host:
        raise ConfigError('web.host: isi alamat, mis. "127.0.0.1" atau alamat LAN "192.168.1.10".')
    if web.base_url and not web.base_url.startswith(("http://", "https://")):
        raise ConfigError("web.base_url: harus diawali http:// atau https:// (alamat yang dibuka petugas dan "
                          "tamu, mis. http://192.168.1.10:8080).")
    if web.base_url and kind == "embedded":
        from dataclasses import replace as _replace
        links = _replace(links, local_base_url=web.base_url)
    w.done()

    archive = _archive_settings(_Section("archive", raw.get("archive")))

    rt = _Section("retention", raw.get("retention"))
    retention = RetentionSettings(days=rt.get("days", RetentionSettings.days, int),
                                  at=rt.get("at", RetentionSettings.at, str).strip())
    if retention.days < MIN_RETENTION_DAYS:
        raise ConfigError(f"retention.days: masa retensi paling singkat {MIN_RETENTION_DAYS} hari, bukan "
                          f"{retention.days} (bawaan 365; samakan dengan Jadwal Retensi Arsip kantor).")
    try:
        time.fromisoformat(retention.at)
    except ValueError:
        raise ConfigError(f'retention.at: tulis jam seperti "01:30", bukan {retention.at!r}.') from None
    rt.done()

    sp = _Section("sop", raw.get("sop"))
    sop_file = sp.get("file", "", str)
    sop_path = _path(base, sop_file) if sop_file else DEFAULT_SOP
    sp.done()

    key = env.get(ENV_HMAC_KEY, "")
    secrets = Secrets(
        google_key_file=env.get(ENV_GOOGLE_KEY) or env.get("GOOGLE_APPLICATION_CREDENTIALS", ""),
        smtp_password=env.get(ENV_SMTP_PASSWORD, ""),
        hmac_key=key.encode("utf-8"),
    )
    problem = hmac_key_problem(key) if key else None  # empty = not set: the key file is used
    if problem:
        raise ConfigError(f"{ENV_HMAC_KEY}: {problem}. Buat kunci dengan: {HOW_TO_MAKE_KEY} "
                          "(simpan; kunci yang sama harus dipakai seterusnya).")
    if store.kind == "google":
        if not secrets.google_key_file:
            raise ConfigError(f"{ENV_GOOGLE_KEY}: belum diatur. Isi dengan path berkas kunci JSON "
                              "service account (di luar repositori).")
        if not key:
            raise ConfigError(f"{ENV_HMAC_KEY}: wajib diatur di mode google (kunci rahasia untuk hash NIK "
                              "dan token tautan).")
    if mail.kind == "smtp" and mail.user and not secrets.smtp_password:
        raise ConfigError(f"{ENV_SMTP_PASSWORD}: belum diatur; mail.user diisi sehingga SMTP butuh kata sandi "
                          "(untuk Gmail: App Password).")

    settings = Settings(office=office, store=store, tabs=tabs, columns=dict(c), poll=poll, mail=mail,
                        links=links, calendar=calendar, report=report, web=web, archive=archive,
                        retention=retention, secrets=secrets, source=source, data_dir=data_dir,
                        sop_path=sop_path, slug=slug)
    from bukutamu.adapters.sopfile import load_sop  # validate the SOP at start too
    load_sop(settings.sop_path)
    return settings
