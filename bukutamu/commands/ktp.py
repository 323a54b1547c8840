"""``bukutamu ktp NIK``: check one NIK (and optionally the typed date of birth, sex, name).

Exit 0 when there is no error (warnings allowed), 1 when there is an error, 2 on bad usage.
The NIK is only ever printed masked.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import date

from bukutamu.adapters.phone import PHONE_NUMBERS
from bukutamu.core.ktp import NOT_ASKED, KtpCheck, check_guest, mask_nik
from bukutamu.core.ktp.fields import SEX_LABELS

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "ktp",
        help="periksa NIK dan data KTP seorang tamu",
        description="Periksa NIK menurut aturan KTP-el dan tabel kode wilayah Kemendagri. "
        "Keluar 0 bila tidak ada kesalahan (peringatan boleh), 1 bila ada kesalahan, 2 bila pemakaian salah.",
    )
    parser.add_argument("nik", metavar="NIK", help="NIK 16 angka (ditampilkan tersamar)")
    parser.add_argument("--tanggal-lahir", metavar="YYYY-MM-DD", help="tanggal lahir yang diisi tamu")
    parser.add_argument(
        "--jenis-kelamin", metavar="L|P", type=str.upper, choices=("L", "P"), help="jenis kelamin yang diisi tamu",
    )
    parser.add_argument("--nama", metavar="TEKS", help="nama yang diisi tamu")
    parser.add_argument("--json", action="store_true", help="keluaran satu objek JSON")
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    typed_birth: object = NOT_ASKED
    if getattr(args, "tanggal_lahir", None) is not None:
        typed_birth = _iso_date(args.tanggal_lahir)
        if typed_birth is None:
            print("bukutamu ktp: --tanggal-lahir harus tanggal yang ada, format YYYY-MM-DD", file=sys.stderr)
            return EXIT_USAGE
    sex = getattr(args, "jenis_kelamin", None)
    name = getattr(args, "nama", None)
    check = check_guest(
        nik=args.nik,
        birth_date=typed_birth,
        sex=sex if sex is not None else NOT_ASKED,
        name=name if name is not None else NOT_ASKED,
        today=office_today(args),
        phones=PHONE_NUMBERS,
    )
    masked = mask_nik(args.nik)
    print(json.dumps(as_json(check, masked), ensure_ascii=False) if getattr(args, "json", False)
          else as_text(check, masked))
    return EXIT_OK if check.ok else EXIT_ERROR


def office_today(args: argparse.Namespace) -> date:
    """Today in the office's time zone (from the configuration when it loads; the
    default office's otherwise): a birth date is judged on the office's date."""
    from datetime import datetime

    from bukutamu.config import OfficeSettings, load_settings
    from bukutamu.errors import BukutamuError
    try:
        tz = load_settings(getattr(args, "config", None), office=getattr(args, "kantor", None)).office.tz
    except BukutamuError:
        tz = OfficeSettings().tz
    return datetime.now(tz).date()


def _iso_date(text: object) -> date | None:
    if not isinstance(text, str) or not _ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def as_json(check: KtpCheck, masked_nik: str) -> dict[str, object]:
    return {
        "valid": check.ok,
        "nik": masked_nik,
        "errors": [f.as_dict() for f in check.errors],
        "warnings": [f.as_dict() for f in check.warnings],
        "parsed": check.nik_result.parsed.as_dict(),
    }


def as_text(check: KtpCheck, masked_nik: str) -> str:
    facts = check.nik_result.parsed
    verdict = "SALAH" if check.errors else ("SAH, dengan peringatan" if check.warnings else "SAH")
    lines = [f"NIK {masked_nik or '(kosong)'}: {verdict}"]
    for label, region in (("Provinsi", facts.province), ("Kab/Kota", facts.regency), ("Kecamatan", facts.district)):
        if region:
            lines.append(f"  {label}: {region.code} {region.name}")
    if facts.birth_date:
        lines.append(f"  Tanggal lahir: {facts.birth_date:%d-%m-%Y}")
    if facts.sex:
        lines.append(f"  Jenis kelamin: {SEX_LABELS[facts.sex]}")
    lines += [f"  SALAH: {f.message}" for f in check.errors]
    lines += [f"  PERINGATAN: {f.message}" for f in check.warnings]
    return "\n".join(lines)
