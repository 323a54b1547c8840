"""The tabs and columns of the register: who owns each, and how it is found.

Columns are located by header text on every cycle (people move and rename them;
Google Forms renames a column when a question is renamed). Each column has a stable
``key`` used in code, a default header, and aliases (localised Form headers such as
"Timestamp" / "Stempel waktu"). ``sheets_schema.md`` documents the same table for
office admins; keep both in step.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from bukutamu.core.errors import SchemaError

FORM, HELPDESK, PROGRAM = "form", "helpdesk", "program"
PROGRAM_PREFIX = "[Sistem] "


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    owner: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()  # helpdesk dropdown values
    plain_text: bool = False  # must not be coerced to a number by the sheet
    datetime: bool = False  # program writes a serial number here
    # A command cell: the helpdesk picks a value and the program applies it when it
    # differs from the last processed one (core/helpdesk.py). The program never
    # writes it: a clear could erase an action saved while a cycle runs.
    command: bool = False

    def names(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)


def normalise_header(text: object) -> str:
    """Header comparison key: case, spacing and Unicode form do not matter."""
    s = unicodedata.normalize("NFKC", str(text or ""))
    return re.sub(r"\s+", " ", s).strip().casefold()


VERIFY_OK, VERIFY_WRONG = "Sesuai", "Tidak Sesuai"

# Helpdesk action dropdown: value -> SOP event name (see config/sop.toml).
HELPDESK_ACTIONS: dict[str, str] = {
    "Tamu Diterima": "diterima",
    "Layanan Selesai": "layanan_selesai",
    "Umpan Balik Cukup": "cukup",
    "Umpan Balik Tidak Cukup": "tidak_cukup",
    "Kunjungan Ditutup": "ditutup",
    "Tamu Pergi": "batal",
}


def _p(key: str, title: str, **kw) -> Column:
    return Column(key, PROGRAM_PREFIX + title, PROGRAM, **kw)


REGISTER_COLUMNS: tuple[Column, ...] = (
    # Form-owned: the guest's answers (the helpdesk corrects them in place).
    Column("timestamp", "Stempel waktu", FORM, required=True,
           aliases=("Timestamp", "Cap waktu", "Marca temporal")),
    Column("nik", "NIK", FORM, required=True, plain_text=True,
           aliases=("Nomor Induk Kependudukan", "NIK (16 digit)")),
    Column("nama", "Nama Lengkap", FORM, required=True,
           aliases=("Nama Lengkap (sesuai KTP)", "Nama")),
    Column("jenis_kelamin", "Jenis Kelamin", FORM),
    Column("tanggal_lahir", "Tanggal Lahir", FORM),
    Column("telepon", "Nomor HP", FORM, plain_text=True,
           aliases=("No. HP", "No HP", "Nomor Telepon", "Nomor HP/WhatsApp")),
    Column("email", "Email", FORM, aliases=("Alamat email", "Email Address", "Alamat Email")),
    Column("instansi", "Instansi", FORM, aliases=("Instansi / Asal", "Asal Instansi")),
    Column("keperluan", "Keperluan", FORM, aliases=("Keperluan Kunjungan",)),
    Column("bidang", "Bidang yang Dituju", FORM, aliases=("Bidang Tujuan", "Bidang")),
    Column("petugas_dituju", "Petugas yang Dituju", FORM),
    Column("persetujuan", "Persetujuan Privasi", FORM,
           aliases=("Persetujuan", "Pernyataan Privasi")),
    # Helpdesk-owned inputs (dropdowns).
    Column("verifikasi", "Verifikasi KTP", HELPDESK, choices=(VERIFY_OK, VERIFY_WRONG)),
    Column("aksi", "Aksi Helpdesk", HELPDESK, choices=tuple(HELPDESK_ACTIONS), command=True),
    Column("catatan_helpdesk", "Catatan Helpdesk", HELPDESK),
    # Program-owned: written only by bukutamu.
    _p("visit_id", "ID Kunjungan", required=True),
    _p("antrian", "No. Antrian", required=True),
    _p("status", "Status", required=True),
    _p("cek_ktp", "Cek KTP", required=True),
    _p("catatan", "Catatan", required=True),
    _p("kunci", "Kunci Baris", required=True),
    _p("petugas", "Petugas"),
    _p("putaran", "Putaran Layanan"),
    _p("verifikasi_terproses", "Verifikasi Terproses"),
    _p("aksi_terproses", "Aksi Terproses"),
    _p("sla", "SLA"),
    _p("waktu_daftar", "Waktu Daftar", datetime=True),
    _p("waktu_verifikasi", "Waktu Verifikasi", datetime=True),
    _p("waktu_perbaikan", "Waktu Perbaikan", datetime=True),
    _p("waktu_dihubungi", "Waktu Petugas Dihubungi", datetime=True),
    _p("waktu_diterima", "Waktu Diterima", datetime=True),
    _p("waktu_selesai_layanan", "Waktu Selesai Layanan", datetime=True),
    _p("waktu_umpan_balik", "Waktu Umpan Balik", datetime=True),
    _p("waktu_ditutup", "Waktu Ditutup", datetime=True),
    # Keyed digests of the guest's answers: a change is logged in Riwayat (core/fingerprint.py).
    _p("sidik", "Sidik Data"),
)

HISTORY_COLUMNS: tuple[Column, ...] = tuple(
    Column(k, h, PROGRAM, required=True, datetime=(k == "waktu"))
    for k, h in (
        ("visit_id", "ID Kunjungan"),
        ("antrian", "No. Antrian"),
        ("langkah", "Langkah"),
        ("dari", "Dari Status"),
        ("ke", "Ke Status"),
        ("waktu", "Waktu Kejadian"),
        ("sumber", "Sumber"),
        ("siklus", "Siklus"),
        ("petugas", "Petugas"),
        ("bidang", "Bidang"),
        ("keterangan", "Keterangan"),
    )
)

def history_row(**values: object) -> dict[str, object]:
    """A Riwayat row keyed by header text from column keys (all keys required)."""
    headers = {c.key: c.header for c in HISTORY_COLUMNS}
    missing = set(headers) - set(values)
    if missing or set(values) - set(headers):
        raise ValueError(f"history row keys wrong: missing {sorted(missing)}")  # a bug
    return {headers[k]: v for k, v in values.items()}


QUEUE_COLUMNS: tuple[Column, ...] = tuple(
    Column(k, h, PROGRAM, required=True)
    for k, h in (("antrian", "No. Antrian"), ("nama", "Nama"), ("status", "Status"))
)

OFFICER_COLUMNS: tuple[Column, ...] = (
    Column("nama", "Nama", FORM, required=True),
    Column("bidang", "Bidang", FORM, required=True),
    Column("email", "Email", FORM, required=True),
    Column("aktif", "Aktif", FORM, choices=("Ya", "Tidak")),
    Column("email_cadangan", "Email Cadangan", FORM),
)

SYSTEM_COLUMNS: tuple[Column, ...] = (
    Column("kunci", "Kunci", PROGRAM, required=True),
    Column("nilai", "Nilai", PROGRAM, required=True),
)


@dataclass(frozen=True)
class ColumnMap:
    """Where each known column sits in one tab's header, resolved this cycle."""

    tab: str
    index: Mapping[str, int]  # key -> 0-based column index
    header: Mapping[str, str]  # key -> header text exactly as in the sheet

    def has(self, key: str) -> bool:
        return key in self.index


def resolve_columns(tab: str, header: Sequence[object], columns: Iterable[Column],
                    renames: Mapping[str, str] | None = None) -> ColumnMap:
    """Locate ``columns`` in ``header`` by text.

    ``renames`` (from config) maps a column key to the header an office uses instead
    of the default. A required column that is missing, or any known column whose
    header appears twice, raises SchemaError naming the header: the cycle must then
    write nothing.
    """
    renames = renames or {}
    positions: dict[str, list[int]] = {}
    for i, text in enumerate(header):
        key = normalise_header(text)
        if key:
            positions.setdefault(key, []).append(i)
    index: dict[str, int] = {}
    exact: dict[str, str] = {}
    problems: list[str] = []
    for col in columns:
        names = (renames[col.key],) if col.key in renames else col.names()
        found = [(n, positions[normalise_header(n)]) for n in names
                 if normalise_header(n) in positions]
        hits = sorted({i for _, idx in found for i in idx})
        if len(hits) > 1:
            problems.append(f'kolom "{names[0]}" muncul {len(hits)} kali di tab "{tab}"'
                            " (hapus atau ganti nama salah satunya)")
            continue
        if not hits:
            if col.required:
                problems.append(f'kolom wajib "{names[0]}" tidak ditemukan di tab "{tab}"'
                                + (" (jalankan `bukutamu init`)" if col.owner == PROGRAM
                                   else " (kembalikan judul kolomnya atau atur [columns] di konfigurasi)"))
            continue
        index[col.key] = hits[0]
        exact[col.key] = str(header[hits[0]])
    if problems:
        raise SchemaError("Siklus dihentikan, tidak ada yang ditulis: " + "; ".join(problems) + ".")
    return ColumnMap(tab=tab, index=index, header=exact)


def headers_for(columns: Iterable[Column], renames: Mapping[str, str] | None = None) -> tuple[str, ...]:
    renames = renames or {}
    return tuple(renames.get(c.key, c.header) for c in columns)
