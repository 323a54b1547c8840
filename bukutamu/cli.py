"""Command-line entry point (thin): parse, load settings, call the library.

Messages are Indonesian. Problems a user can fix (BukutamuError) print one clear
message and exit non-zero; only bugs show a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys

from bukutamu import __version__, commands
from bukutamu.core.text import clean_text
from bukutamu.errors import BukutamuError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bukutamu",
        description="Otomasi buku tamu SOP Pengelolaan Tamu: Google Sheet atau SQLite, "
                    "email petugas, laporan SLA mingguan.")
    parser.add_argument("--config", metavar="BERKAS",
                        help="berkas konfigurasi TOML (bawaan: $BUKUTAMU_CONFIG, atau mode tertanam)")
    parser.add_argument("-v", "--verbose", action="store_true", help="tampilkan log rinci")
    parser.add_argument("--version", action="version", version=f"bukutamu {__version__}")
    sub = parser.add_subparsers(title="perintah", metavar="PERINTAH")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"bukutamu.commands.{info.name}")
        if hasattr(module, "add_parser"):
            module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
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
