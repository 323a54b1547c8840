"""Errors a user can act on. Their messages are Indonesian and say what to do.

Anything else that escapes is a bug and may show a traceback.
"""


from bukutamu.core.errors import BukutamuError, ConfigError, SchemaError  # noqa: F401 - the core's errors


class StoreError(BukutamuError):
    """The store could not be read or written (after retries)."""


class StoreBusy(BukutamuError):
    """Another poller holds the single-writer lock."""

    exit_code = 75  # EX_TEMPFAIL


# --- the machine's own faults: a full disk, a read-only folder, a damaged file ------

EXIT_CORRUPT = 65  # EX_DATAERR: a data file is damaged
EXIT_DISK = 74  # EX_IOERR: the disk is full or a write failed
EXIT_READ_ONLY = 77  # EX_NOPERM: the folder or file cannot be written
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: whoever read our output went away (`| head`)


class DiskFull(StoreError):
    """No space left (or the file size limit reached) while writing."""

    exit_code = EXIT_DISK


class NotWritable(StoreError):
    """A folder or file cannot be written: read-only file system or no permission."""

    exit_code = EXIT_READ_ONLY


class CorruptFile(StoreError):
    """A data file exists but is not what it should be (damaged, empty, not SQLite)."""

    exit_code = EXIT_CORRUPT


_ENOSPC = {"ENOSPC", "EDQUOT", "EFBIG"}
_EROFS = {"EROFS", "EACCES", "EPERM"}


def _what(path: object, what: str) -> str:
    if what and path:
        return f"{what} ({path})"
    return what or (f"berkas {path}" if path else "salah satu berkas di folder data (store atau jurnal email)")


def environment_fault(e: BaseException, path: object = None, what: str = "") -> BukutamuError | None:
    """The Indonesian, actionable error for a full disk, a read-only folder or a
    damaged SQLite file; None when ``e`` is none of those (then it is a bug).

    ``path``/``what`` name the file concerned when the caller knows it (SQLite's own
    errors do not say which file)."""
    import errno as _errno
    import sqlite3

    if isinstance(e, BukutamuError):
        return e
    if isinstance(e, OSError) and e.errno is not None:
        name = _errno.errorcode.get(e.errno, "")
        target = _what(path or e.filename, what)
        if name in _ENOSPC:
            return DiskFull(f"Disk penuh: {target} tidak dapat ditulis. Kosongkan ruang disk "
                            "(hapus berkas yang tidak perlu), lalu jalankan lagi; tidak ada data yang hilang.")
        if name in _EROFS:
            return NotWritable(f"Tidak dapat menulis {target}: folder hanya-baca atau tidak ada izin tulis. "
                               "Pastikan folder data dapat ditulisi oleh pengguna yang menjalankan bukutamu "
                               "(dan disk tidak ter-mount hanya-baca), lalu jalankan lagi.")
        return None
    if isinstance(e, sqlite3.Error):
        code = getattr(e, "sqlite_errorcode", None)
        primary = code & 0xFF if isinstance(code, int) else None
        text = str(e).lower()
        target = _what(path, what)
        if primary == 13 or "disk is full" in text:  # SQLITE_FULL
            return DiskFull(f"Disk penuh: {target} tidak dapat ditulis. Kosongkan ruang disk, lalu jalankan "
                            "lagi; perubahan siklus yang gagal tidak disimpan setengah jalan dan akan diulang.")
        if primary in (8, 14) or "readonly" in text or "unable to open" in text:  # READONLY, CANTOPEN
            return NotWritable(f"Tidak dapat membuka atau menulis {target}: folder hanya-baca atau tidak ada "
                               "izin tulis. Pastikan folder data (dan berkas di dalamnya) dapat ditulisi oleh "
                               "pengguna yang menjalankan bukutamu, lalu jalankan lagi.")
        if primary in (11, 26) or "not a database" in text or "malformed" in text:  # CORRUPT, NOTADB
            return CorruptFile(f"{target[:1].upper()}{target[1:]} rusak (bukan database SQLite yang utuh). "
                               "Pindahkan berkas itu ke tempat lain (jangan dihapus; bisa diperiksa kemudian) "
                               "lalu jalankan lagi.")
        if primary == 10:  # SQLITE_IOERR: the OS refused a read or write; ask the file system why
            why = _file_system_state(path)
            if why == "full":
                return DiskFull(f"Disk penuh: {target} tidak dapat ditulis. Kosongkan ruang disk, lalu jalankan "
                                "lagi; perubahan yang gagal tidak disimpan setengah jalan.")
            if why == "read-only":
                return NotWritable(f"Tidak dapat menulis {target}: disk ter-mount hanya-baca. Pasang ulang disk "
                                   "agar dapat ditulisi, lalu jalankan lagi.")
            return DiskFull(f"Gagal membaca/menulis {target} (galat I/O disk). Periksa ruang disk dan "
                            "kesehatan disk, lalu jalankan lagi.")
    return None


def _file_system_state(path: object) -> str:
    """"full", "read-only" or "" for the file system holding ``path``."""
    import os
    from pathlib import Path
    if not path:
        return ""
    p = Path(str(path))
    while not p.exists() and p.parent != p:
        p = p.parent
    try:
        st = os.statvfs(p)
    except OSError:
        return ""
    if st.f_flag & os.ST_RDONLY:
        return "read-only"
    if st.f_bavail * st.f_frsize < 256 * 1024:
        return "full"
    return ""
