"""The composition root: the one place that builds the adapters from settings —
store, mailer/notifiers, mail journal, clock, HMAC key, office calendar and SOP —
and hands them to the use cases in ``bukutamu.app``. Entry points (CLI commands,
the web front desk, scripts) call these builders; nothing else constructs an
adapter.
"""

from __future__ import annotations

import os
import secrets as _secrets
from datetime import datetime
from pathlib import Path
from typing import Callable

from bukutamu import __version__
from bukutamu.adapters.store import SheetStore
from bukutamu.config import ENV_HMAC_KEY, Settings, hmac_key_problem
from bukutamu.core.context import CycleContext
from bukutamu.core.mail import Mailer
from bukutamu.core.sop import Sop
from bukutamu.errors import ConfigError


def open_store(settings: Settings) -> SheetStore:
    if settings.store.kind == "google":
        from bukutamu.adapters.google.store import GoogleSheetStore
        return GoogleSheetStore.from_settings(settings)
    from bukutamu.adapters.sqlite_store import SqliteSheetStore
    return SqliteSheetStore(settings.store.path, settings.office.time_zone)


def archive_stores(settings: Settings):
    """This store's archive: one store per year (adapters/archive.py)."""
    from bukutamu.adapters.archive import ArchiveStores
    return ArchiveStores(settings)


def lock_path(settings: Settings) -> Path:
    """One writer per store: beside the store file (embedded), or in the store's
    data folder (google). Keyed to the store, not to a configurable folder, so two
    configs naming one store still exclude each other."""
    if settings.store.kind == "google":
        return settings.data_dir / f"poller-{settings.store.spreadsheet_id[:40]}.lock"
    return settings.store.path.with_name(settings.store.path.name + ".lock")


def journal_path(settings: Settings) -> Path:
    """The mail journal of this store (in its own data folder: see config.default_data_dir)."""
    return settings.data_dir / "jurnal-email.sqlite"


OWNER_FILE = "store.txt"


def store_identity(settings: Settings) -> str:
    """Who owns the data folder: the spreadsheet ID, or the SQLite file's path
    relative to the folder (so a store copied or moved together with its data
    folder -- a backup restored elsewhere -- still matches)."""
    if settings.store.kind == "google":
        return f"google {settings.store.spreadsheet_id}"
    target = settings.store.path.resolve()
    try:
        return f"embedded {Path(os.path.relpath(target, settings.data_dir.resolve())).as_posix()}"
    except ValueError:  # another drive (Windows)
        return f"embedded {target}"


def _shown(identity: str, folder: Path) -> str:
    kind, _, what = identity.partition(" ")
    return f"spreadsheet {what}" if kind == "google" else os.path.normpath(folder / what)


def claim_data_dir(settings: Settings, *, write: bool = True) -> Path:
    """Make sure the data folder belongs to this store: the first store to use it
    writes its identity to ``store.txt``; any other store is refused (a shared
    journal skips the second store's mails as "already sent", and the demo would
    delete the other store's journal). ConfigError saying what to change."""
    folder = settings.data_dir
    marker = folder / OWNER_FILE
    me = store_identity(settings)
    try:
        owner = marker.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        owner = ""
    except (OSError, UnicodeDecodeError):
        raise ConfigError(f"Berkas {marker} tidak bisa dibaca; periksa izin folder data.") from None
    if owner and owner != me:
        raise ConfigError(
            f"Folder data {folder} dipakai store lain ({_shown(owner, folder)}). Setiap store butuh folder "
            "data sendiri (jurnal email, kunci HMAC): atur store.data_dir ke folder lain untuk store ini. "
            f"Bila store itu memang dipindah ke {_shown(me, folder)}, hapus berkas {marker}.")
    if not owner and write:
        from bukutamu.adapters.files import faults, private_dir
        private_dir(folder)
        with faults(marker, "berkas penanda folder data"):
            marker.write_text(me + "\n", encoding="utf-8")
    return folder


def key_path(settings: Settings) -> Path:
    return settings.data_dir / "kunci-hmac"


def status_path(settings: Settings) -> Path:
    return settings.data_dir / "status.json"


def nik_key(settings: Settings) -> bytes:
    """The HMAC key for NIK comparisons and link tokens: $BUKUTAMU_HMAC_KEY, or —
    embedded mode — the key file in the store's data folder, outside the repo.

    Never creates the key (``create_key`` does, for ``init`` only): a key that
    silently reappeared would invalidate every link already emailed and every NIK
    comparison with earlier visits. A missing or weak key is a ConfigError."""
    if settings.secrets.hmac_key:
        return settings.secrets.hmac_key  # strength checked by load_settings
    path = key_path(settings)
    try:
        key = path.read_bytes().strip()
    except FileNotFoundError:
        raise ConfigError(
            f"Kunci HMAC {path} tidak ada. Store baru: jalankan `bukutamu init` untuk membuatnya. Store yang "
            "sudah berisi kunjungan: pulihkan berkas itu dari cadangan (bila dulu semua store memakai ./data, "
            f"kuncinya mungkin di data/kunci-hmac; atau atur store.data_dir), atau atur {ENV_HMAC_KEY}."
        ) from None
    except OSError as e:
        raise ConfigError(f"Kunci HMAC {path} tidak bisa dibaca ({e.strerror}); periksa izin berkasnya.") from None
    problem = hmac_key_problem(key)
    if problem:
        raise ConfigError(
            f"Kunci HMAC {path}: {problem}. Store yang belum berisi kunjungan: hapus berkas itu lalu jalankan "
            "`bukutamu init` (membuat kunci acak yang kuat). Store yang sudah berisi kunjungan: tautan email yang "
            "sudah terkirim dan perbandingan NIK bergantung pada kunci lama — bila tetap ingin menggantinya, "
            "hapus berkas itu lalu jalankan `bukutamu init --kunci-baru`.")
    return key


def create_key(settings: Settings, *, has_visits: bool, replace_lost: bool = False) -> Path | None:
    """Create the key file (``init`` only; the demo for its own data folder). Returns
    its path when created, None when a key exists already (validated) or comes from
    the environment.

    Refused when the store already holds visits, unless ``replace_lost`` (``init
    --kunci-baru``): their links and NIK hashes were made with the lost key."""
    claim_data_dir(settings)
    if settings.secrets.hmac_key:
        return None
    path = key_path(settings)
    if path.exists():
        nik_key(settings)  # a weak key is refused, never overwritten
        if replace_lost:
            raise ConfigError(f"Kunci HMAC {path} masih ada; --kunci-baru hanya untuk kunci yang hilang. "
                              "Tidak ada yang diubah.")
        return None
    if has_visits and not replace_lost:
        raise ConfigError(
            f"Kunci HMAC {path} tidak ada, padahal store ini sudah berisi kunjungan. Tautan yang sudah "
            "dikirim lewat email dan perbandingan NIK dengan kunjungan lama bergantung pada kunci lama: "
            "pulihkan berkas itu dari cadangan. Hanya bila kunci lama memang hilang, jalankan "
            "`bukutamu init --kunci-baru` (tautan lama tidak berlaku lagi).")
    from bukutamu.adapters.files import faults, private_dir
    private_dir(path.parent)
    with faults(path, "berkas kunci HMAC"):
        # Written aside, then linked into place: complete or absent (a full disk never
        # leaves an empty key behind), never replacing a key made meanwhile.
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                os.fchmod(f.fileno(), 0o600)
                f.write(_secrets.token_urlsafe(32))
                f.flush()
                os.fsync(f.fileno())
            os.link(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    return path


def cycle_context(settings: Settings, sop: Sop, key: bytes) -> CycleContext:
    t = settings.tabs
    return CycleContext(
        tz=settings.office.tz, register_tab=t.register, history_tab=t.history, queue_tab=t.queue,
        system_tab=t.system, queue_prefix=settings.poll.queue_prefix, sop=sop, nik_key=key,
        renames=dict(settings.columns), officers_tab=t.officers, confirmations_tab=t.confirmations,
        feedback_tab=t.feedback, office_name=settings.office.name, helpdesk_email=settings.office.helpdesk_email,
        supervisor_email=settings.office.supervisor_email, admin_email=settings.office.admin_email,
        links=settings.links,
        calendar=office_calendar(settings), version=__version__, phones=phone_numbers())


def phone_numbers():
    """The phone-number plan for the KTP field checks."""
    from bukutamu.adapters.phone import PHONE_NUMBERS
    return PHONE_NUMBERS


def office_calendar(settings: Settings):
    """The office calendar (working hours, holidays) of these settings."""
    from bukutamu.adapters.officehours import calendar_from_settings
    return calendar_from_settings(settings)


def office_clock(settings: Settings) -> Callable[[], datetime]:
    """Now, in the office's time zone."""
    tz = settings.office.tz
    return lambda: datetime.now(tz)


def sop_of(settings: Settings) -> Sop:
    """The SOP of these settings (its file read and validated)."""
    from bukutamu.adapters.sopfile import load_sop
    return load_sop(settings.sop_path)


def open_mailer(settings: Settings) -> Mailer:
    from bukutamu.adapters.mail import mailer_from_settings
    return mailer_from_settings(settings)


def open_journal(settings: Settings):
    """This store's mail journal, holding escalation digests for their window (the
    data folder is claimed first; the journal creates the private folder)."""
    from datetime import timedelta

    from bukutamu.adapters.journal import MailJournal
    claim_data_dir(settings)
    return MailJournal(journal_path(settings),
                       digest_window=timedelta(minutes=settings.office.escalation_digest_minutes))


def cycle_runner(settings: Settings, store: SheetStore, *, mailer: Mailer | None = None, journal=None,
                 clock: Callable[[], datetime] | None = None):
    """The run-a-cycle use case wired for this store: key, SOP, calendar, journal,
    notifier. The key is only read, never created here."""
    from bukutamu.app.cycle import CycleRunner
    from bukutamu.app.notify import EmailNotifier
    claim_data_dir(settings)
    the_sop = sop_of(settings)
    ctx = cycle_context(settings, the_sop, nik_key(settings))
    the_mailer = mailer or open_mailer(settings)
    the_journal = journal if journal is not None else open_journal(settings)
    return CycleRunner(store, ctx, EmailNotifier(the_mailer), the_journal, clock or office_clock(settings))
