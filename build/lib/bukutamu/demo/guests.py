"""Synthetic guests. Every NIK made here is synthetic: a real kecamatan prefix and
a real date, but a serial in 9991–9999, the range this project reserves for test
data. Names are random pairings from common given names, not real people."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

# Kecamatan codes in Kalimantan Barat (Kemendagri), for realistic prefixes.
KECAMATAN = ("617101", "617102", "617103", "617104", "617105", "617106", "611201", "611202",
             "611203", "610201", "610207", "610301", "610321", "617201", "617202")
MALE = ("Budi", "Agus", "Hendra", "Rizky", "Dedi", "Ahmad", "Yohanes", "Fajar", "Eko", "Andi",
        "Muhammad", "Stefanus", "Hadi", "Rudi", "Bayu")
FEMALE = ("Siti", "Dewi", "Rina", "Maria", "Nur", "Ayu", "Fitri", "Lestari", "Yuliana", "Wati",
          "Indah", "Sri", "Theresia", "Nurul", "Putri")
FAMILY = ("Santoso", "Pratama", "Wijaya", "Hidayat", "Saputra", "Lestari", "Kurniawan", "Siregar",
          "Nugroho", "Setiawan", "Rahman", "Syahputra", "Gunawan", "Hartono", "Utami")
INSTITUTIONS = ("CV Sinar Kapuas", "PT Khatulistiwa Jaya", "CV Borneo Teknik", "PT Equator Mandiri",
                "Dinas Pendidikan", "RSUD Dr. Soedarso", "CV Mitra Pontianak", "Perseorangan",
                "Universitas Tanjungpura", "PT Kapuas Raya Konstruksi")
PURPOSES = ("Konsultasi pengadaan", "Penyerahan dokumen penawaran", "Klarifikasi dokumen",
            "Registrasi akun SPSE", "Sanggahan hasil pemilihan", "Koordinasi paket pekerjaan",
            "Verifikasi penyedia", "Permohonan informasi")
MOBILE_PREFIXES = ("11", "12", "13", "21", "22", "52", "53", "57", "77", "78", "96", "98")
BIDANG = ("Bagian Pengelolaan Pengadaan Barang/Jasa", "Bagian Pengelolaan LPSE",
          "Bagian Pembinaan dan Advokasi PBJ")


@dataclass(frozen=True)
class Guest:
    nik: str
    name: str
    sex: str  # "LAKI-LAKI" | "PEREMPUAN"
    birth_date: date
    phone: str
    email: str
    institution: str
    purpose: str
    bidang: str


def synthetic_nik(rng: random.Random, birth: date, female: bool) -> str:
    day = birth.day + (40 if female else 0)
    serial = rng.randint(9991, 9999)  # synthetic range
    return f"{rng.choice(KECAMATAN)}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def make_guest(rng: random.Random, today: date) -> Guest:
    female = rng.random() < 0.45
    first = rng.choice(FEMALE if female else MALE)
    name = f"{first} {rng.choice(FAMILY)}"
    birth = today - timedelta(days=rng.randint(20 * 365, 60 * 365))
    phone = "08" + rng.choice(MOBILE_PREFIXES) + "".join(str(rng.randint(0, 9)) for _ in range(rng.choice((7, 8))))
    email = f"{first.lower()}.{rng.randint(10, 999)}@contoh.invalid" if rng.random() < 0.6 else ""
    return Guest(synthetic_nik(rng, birth, female), name, "PEREMPUAN" if female else "LAKI-LAKI", birth,
                 phone, email, rng.choice(INSTITUTIONS), rng.choice(PURPOSES), rng.choice(BIDANG))
