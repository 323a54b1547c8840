"""`bukutamu pengguna`: the web users (helpdesk, admin, manager). Passwords are
hashed with scrypt; they are typed at a prompt or read from standard input, never
given on the command line (shell history, process list)."""

from __future__ import annotations

import getpass
import sys
from datetime import datetime

from bukutamu.commands._common import say, settings_from
from bukutamu.errors import BukutamuError


def add_parser(sub) -> None:
    p = sub.add_parser("pengguna", help="kelola pengguna halaman web (helpdesk, admin, manager)",
                       description="Pengguna halaman web `bukutamu serve`. Peran: helpdesk (meja /meja), "
                                   "admin (meja dan petugas /petugas, laporan), manager (laporan /laporan).")
    p.add_argument("tindakan", choices=("tambah", "sandi", "nonaktif", "aktif", "daftar"),
                   help="tambah pengguna, ganti kata sandi, nonaktifkan/aktifkan, atau tampilkan daftar")
    p.add_argument("nama", nargs="?", help="nama pengguna")
    p.add_argument("--peran", choices=("helpdesk", "admin", "manager"), help="peran pengguna baru")
    p.add_argument("--sandi-stdin", action="store_true", help="baca kata sandi dari standard input (skrip)")
    p.set_defaults(func=run)


def _password(args) -> str:
    if args.sandi_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Kata sandi (min. 10 karakter): ")
    if getpass.getpass("Ulangi kata sandi: ") != first:
        raise BukutamuError("Kata sandi tidak sama; tidak ada yang diubah.")
    return first


def run(args) -> int:
    from bukutamu.adapters.webdb import WebDb
    from bukutamu.engine import claim_data_dir
    settings = settings_from(args)
    claim_data_dir(settings)
    db = WebDb(settings.data_dir / "web.sqlite")
    if args.tindakan == "daftar":
        for u in db.users():
            say(f"{u.name}\t{u.role}\t{'aktif' if u.active else 'nonaktif'}")
        return 0
    if not args.nama:
        raise BukutamuError("Sebutkan nama pengguna.")
    if args.tindakan == "tambah":
        if not args.peran:
            raise BukutamuError("Sebutkan --peran helpdesk, admin, atau manager.")
        db.add_user(args.nama, args.peran, _password(args), datetime.now().astimezone())
        say(f"Pengguna {args.nama} ({args.peran}) ditambahkan.")
    elif args.tindakan == "sandi":
        db.set_password(args.nama, _password(args))
        say(f"Kata sandi {args.nama} diganti.")
    else:
        db.set_active(args.nama, args.tindakan == "aktif")
        say(f"Pengguna {args.nama} {'diaktifkan' if args.tindakan == 'aktif' else 'dinonaktifkan'}.")
    return 0
