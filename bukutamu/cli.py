"""Command-line entry point (thin): parse, load settings, call the library.

Messages are Indonesian. Problems a user can fix (BukutamuError) print one clear
message and exit non-zero; only bugs show a traceback. Exit codes are listed in
README ("Kode keluar").
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import pkgutil
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

from bukutamu import __version__, commands
from bukutamu.core.text import clean_text
from bukutamu.errors import EXIT_BROKEN_PIPE, BukutamuError, environment_fault

# --- argparse in Indonesian ---------------------------------------------------------
# argparse builds every message through gettext's ``_`` (and ``ngettext``) at the
# moment it needs it. BukutamuParser swaps in this table while it builds, parses and
# formats, and puts the originals back afterwards.

_ID = {
    "usage: ": "Pemakaian: ",
    "options": "opsi",
    "positional arguments": "argumen",
    "show this help message and exit": "tampilkan bantuan ini lalu keluar",
    "%(prog)s: error: %(message)s\n": "%(prog)s: galat: %(message)s\n",
    "the following arguments are required: %s": "argumen wajib belum diisi: %s",
    "unrecognized arguments: %s": "argumen tidak dikenal: %s",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s: %(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "pilihan %(value)r tidak dikenal (pilih salah satu dari %(choices)s)",
    "invalid %(type)s value: %(value)r": "nilai %(value)r tidak sah",
    "expected one argument": "perlu satu nilai",
    "expected at least one argument": "perlu paling sedikit satu nilai",
    "expected at most one argument": "paling banyak satu nilai",
    "ignored explicit argument %r": "nilai %r tidak dipakai",
    "not allowed with argument %s": "tidak boleh dipakai bersama %s",
    "one of the arguments %s is required": "salah satu dari %s wajib diisi",
    "ambiguous option: %(option)s could match %(matches)s": "opsi %(option)s ambigu: bisa berarti %(matches)s",
    "can't open '%(filename)s': %(error)s": "tidak dapat membuka '%(filename)s': %(error)s",
    "unknown parser %(parser_name)r (choices: %(choices)s)":
        "perintah %(parser_name)r tidak dikenal (pilihan: %(choices)s)",
}


def _gettext(message: str) -> str:
    return _ID.get(message, message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    if singular.startswith("expected %s argument"):
        return "perlu %s nilai"
    return singular if n == 1 else plural


@contextlib.contextmanager
def _indonesian():
    saved = argparse._, argparse.ngettext
    argparse._, argparse.ngettext = _gettext, _ngettext
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


class BukutamuParser(argparse.ArgumentParser):
    """ArgumentParser whose usage, headings and errors are Indonesian. Sub-command
    parsers are of this class too (add_subparsers uses the parent's class)."""

    def __init__(self, *args, **kwargs):
        with _indonesian():
            super().__init__(*args, **kwargs)

    def parse_args(self, args=None, namespace=None):  # type: ignore[override]
        with _indonesian():
            return super().parse_args(args, namespace)

    def parse_known_args(self, args=None, namespace=None):
        with _indonesian():
            return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        with _indonesian():
            return super().format_usage()

    def format_help(self) -> str:
        with _indonesian():
            return super().format_help()

    def error(self, message: str):  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"Galat: {message}.\nLihat `{self.prog} --help` untuk pemakaian yang benar.\n")


def build_parser() -> argparse.ArgumentParser:
    parser = BukutamuParser(
        prog="bukutamu",
        description="Otomasi buku tamu SOP Pengelolaan Tamu: Google Sheet atau SQLite, "
                    "email petugas, laporan SLA mingguan.")
    parser.add_argument("--config", metavar="BERKAS",
                        help="berkas konfigurasi TOML (bawaan: $BUKUTAMU_CONFIG, atau mode tertanam)")
    parser.add_argument("--kantor", metavar="KODE",
                        help="kantor yang dipakai bila konfigurasi berisi beberapa kantor ([offices.KODE]); "
                             "tanpa opsi ini `run`, `serve` dan `check` melayani semua kantor")
    parser.add_argument("-v", "--verbose", action="store_true", help="tampilkan log rinci")
    parser.add_argument("--version", action="version", version=f"bukutamu {__version__}",
                        help="tampilkan versi lalu keluar")
    sub = parser.add_subparsers(title="perintah", metavar="PERINTAH")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"bukutamu.commands.{info.name}")
        if hasattr(module, "add_parser"):
            module.add_parser(sub)
    return parser


# --- logging: office time, Indonesian level names -------------------------------------

LEVEL_NAMES = {"DEBUG": "DEBUG", "INFO": "INFO", "WARNING": "PERINGATAN", "ERROR": "GALAT",
               "CRITICAL": "KRITIS"}
# Libraries whose own log lines (urllib3's "Retrying …", google-auth's refresh
# attempts) only repeat what our Indonesian message says; shown with -v.
NOISY_LOGGERS = ("urllib3", "google", "google.auth", "gspread", "filelock", "requests")


class OfficeFormatter(logging.Formatter):
    """``2026-11-25 09:01:02 PERINGATAN …`` in the office's time zone (config
    ``office.time_zone``; see ``set_log_time_zone``)."""

    tz: ZoneInfo = ZoneInfo("Asia/Pontianak")

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(message)s")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, self.tz).strftime("%Y-%m-%d %H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        record = logging.makeLogRecord(record.__dict__)
        record.levelname = LEVEL_NAMES.get(record.levelname, record.levelname)
        return super().format(record)


def set_log_time_zone(tz: ZoneInfo) -> None:
    OfficeFormatter.tz = tz


def setup_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(OfficeFormatter())
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.ERROR)


def _quiet_stdout() -> None:
    """The reader of our output went away (``bukutamu register | head -2``): send the
    rest to /dev/null so the interpreter's final flush does not complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_BROKEN_PIPE


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(args.verbose)
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except BukutamuError as e:
        print(f"Galat: {clean_text(str(e))}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("Dihentikan.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        raise
    except Exception as e:  # noqa: BLE001 - only environment faults are turned into a message
        fault = environment_fault(e)
        if fault is None:
            raise  # a bug: the traceback is the useful output
        print(f"Galat: {fault}", file=sys.stderr)
        return fault.exit_code
