"""KTP/NIK validation throughput on 100k synthetic rows (serials 9991-9999).

Prints the region-table load time, then rows/s and total seconds for the NIK alone
and for a whole guest row (NIK, name, sex, date of birth, phone, email).
Run: .venv/bin/python bench/bench_ktp.py [ROWS]
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bukutamu.adapters.phone import PHONE_NUMBERS as PHONES  # noqa: E402
from bukutamu.core.ktp import check_guest, parse_nik  # noqa: E402
from bukutamu.core.ktp.regions import region_table  # noqa: E402

TODAY = date(2025, 6, 1)
NAMES = ["Budi Santoso", "Siti Aminah", "Ni Luh Putu Ayu", "Ma'ruf", "Dr. H. Ahmad, S.Kom", "Rina 2", "José"]


def synthetic_rows(n: int, seed: int = 3) -> list[dict[str, object]]:
    rng = random.Random(seed)
    districts = region_table().codes(3)
    rows = []
    for i in range(n):
        born = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 68))
        sex = rng.choice("LP")
        day = born.day + (40 if sex == "P" else 0)
        nik = f"{rng.choice(districts)}{day:02d}{born.month:02d}{born.year % 100:02d}{rng.randint(9991, 9999)}"
        if i % 10 == 0:  # one row in ten broken: impossible day, or the sheet's number
            nik = nik[:6] + "32" + nik[8:] if i % 20 == 0 else float(nik)
        rows.append({
            "nik": nik,  # synthetic
            "name": rng.choice(NAMES),
            "sex": "LAKI-LAKI" if sex == "L" else "PEREMPUAN",
            "birth_date": f"{born:%d/%m/%Y}" if i % 3 else (born - date(1899, 12, 30)).days,
            "phone": rng.choice(["0812", "+62813", "62857", "81"]) + f"{rng.randrange(10**7, 10**8)}",
            "email": rng.choice(["", "tamu@example.id", "salah@"]),
        })
    return rows


def timed(label: str, rows: list[dict[str, object]], fn) -> None:
    start = time.perf_counter()
    bad = sum(0 if fn(row) else 1 for row in rows)
    total = time.perf_counter() - start
    print(f"{label}: {len(rows)} rows in {total:.2f} s = {len(rows) / total:,.0f} rows/s ({bad} with errors)")


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    region_table.cache_clear()
    start = time.perf_counter()
    table = region_table()
    print(f"region table load: {(time.perf_counter() - start) * 1000:.1f} ms ({len(table.entries)} codes)")
    rows = synthetic_rows(n)
    timed("NIK only (parse_nik)", rows, lambda r: parse_nik(r["nik"], today=TODAY).ok)
    timed("whole row (check_guest)", rows, lambda r: check_guest(**r, today=TODAY, phones=PHONES).ok)
    return 0


if __name__ == "__main__":
    sys.exit(main())
