"""Running the bad-input corpus through the real cycle on both stores, and the checks on
what a user sees. Used by tests/corpus/test_bad_input.py; nothing here mocks our classes."""

from __future__ import annotations

import csv
import email
import importlib.util
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email import policy
from pathlib import Path
from zoneinfo import ZoneInfo

from bukutamu.core.cells import datetime_to_serial
from bukutamu.core.schema import REGISTER_COLUMNS
from bukutamu.core.text import has_hidden_characters, sheet_safe
from tests.corpus.bad_input import BLANK, CASES, SKIP, Case, Typed, derived

ROOT = Path(__file__).resolve().parents[2]
WIB = ZoneInfo("Asia/Pontianak")
DAY = date(2026, 11, 27)  # a Friday, a working day
REG = "Jawaban Formulir 1"
HMAC = "kunci-uji-yang-cukup-panjang-0123456789"
HEADER = {c.key: c.header for c in REGISTER_COLUMNS}
FORM_KEYS = ("timestamp", "nik", "nama", "jenis_kelamin", "tanggal_lahir", "telepon", "email", "instansi",
             "keperluan", "bidang", "petugas_dituju", "persetujuan")
EXTRA_HEADER = "Pertanyaan Tambahan"
BIDANG = ("Bagian Pengelolaan Pengadaan Barang/Jasa", "Bagian Pengelolaan LPSE", "Bagian Pembinaan dan Advokasi PBJ")
OFFICERS = [["Andi Petugas", BIDANG[0], "andi@biro.test", "Ya", ""],
            ["Rina Petugas", BIDANG[1], "rina@biro.test", "Ya", ""],
            ["Dodi Petugas", BIDANG[2], "dodi@biro.test", "Ya", ""]]
FIRST = ("Budi", "Dewi", "Agus", "Sari", "Hendra", "Rina", "Yusuf", "Maya", "Andi", "Fitri", "Joko", "Lina")
FAMILY = ("Santoso", "Lestari", "Pratama", "Wijaya", "Saputra", "Hasanah", "Gunawan", "Siregar")
_ID_MOMENT = re.compile(r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}$")
_ID_DATE = re.compile(r"^\d{2}/\d{2}/\d{4}$")
GOOD_EVERY = 8  # one good guest between every 8 bad rows


def all_cases() -> list[Case]:
    """The corpus table plus any held-back corpus dropped in (see bad_input.py)."""
    cases = list(CASES)
    extra = sorted((ROOT / "tests" / "corpus").glob("extra_*.py"))
    if os.environ.get("BUKUTAMU_CORPUS"):
        extra.append(Path(os.environ["BUKUTAMU_CORPUS"]))
    for path in extra:
        if path.suffix == ".json":
            items = json.loads(path.read_text(encoding="utf-8"))
        else:
            spec = importlib.util.spec_from_file_location(f"corpus_{path.stem}", path)
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            items = mod.CASES
        for it in items:
            cases.append(it if isinstance(it, Case) else Case(**{
                **it, "google": tuple(it["google"]) if it.get("google") else None,
                "stores": tuple(it.get("stores", ("sqlite", "google")))}))
    return cases


@dataclass
class Row:
    """One row of the batch: a good guest or a case (built on a good guest's values)."""

    index: int
    values: dict  # column key -> value (str, Typed or None); "_extra" for the unknown question
    case: Case | None = None
    nik: str = ""  # the good guest's NIK the row was built on
    shift: bool = False

    @property
    def good(self) -> bool:
        return self.case is None


def good_guest(k: int, stamp: datetime) -> dict:
    birth = date(1960, 1, 1) + timedelta(days=53 * k)
    nik = f"617101{birth:%d%m%y}{9991 + k % 9}"  # synthetic
    female = k % 3 == 0
    if female:
        nik = nik[:6] + f"{birth.day + 40:02d}" + nik[8:]
    return {"timestamp": stamp, "nik": nik,
            "nama": f"{FIRST[k % len(FIRST)]} {FAMILY[(k // len(FIRST)) % len(FAMILY)]}",
            "jenis_kelamin": "Perempuan" if female else "Laki-laki", "tanggal_lahir": birth.strftime("%d/%m/%Y"),
            "telepon": f"0812{k:08d}", "email": f"tamu{k}@contoh.invalid" if k % 2 == 0 else "",
            "instansi": "Dinas Sintetis", "keperluan": "Konsultasi pengadaan", "bidang": BIDANG[k % 3],
            "petugas_dituju": "", "persetujuan": "Saya setuju", "_dob": birth}


def build_batch(store: str, cases: list[Case] | None = None, start: datetime | None = None) -> list[Row]:
    cases = [c for c in (all_cases() if cases is None else cases) if store in c.stores]
    start = start or datetime(DAY.year, DAY.month, DAY.day, 8, 0, tzinfo=WIB)
    rows: list[Row] = []
    first_good_nik = ""
    i = 0
    for n, case in enumerate([None] + [c for c in cases]):
        if n % GOOD_EVERY == 0:  # a good guest, then the next cases
            g = good_guest(i, start + timedelta(seconds=20 * i))
            first_good_nik = first_good_nik or g["nik"]
            rows.append(Row(i, {k: v for k, v in g.items() if k != "_dob"}, None, g["nik"]))
            i += 1
        if case is None:
            continue
        g = good_guest(i, start + timedelta(seconds=20 * i))
        stamp_text = g["timestamp"].strftime("%d/%m/%Y %H:%M:%S")
        subs = derived(g["nik"], g["nama"], g["_dob"], stamp_text, i)
        subs["nik_of_first_good"] = first_good_nik
        subs["ss"] = f"{(20 * i) % 60:02d}"
        base = {k: "" for k in FORM_KEYS} if case.blank_base else {k: v for k, v in g.items() if k != "_dob"}
        values = dict(base)
        shift = False
        for k, v in case.fields.items():
            if k == "_shift":
                shift = bool(v)
                continue
            values[k] = _substitute(v, subs)
        rows.append(Row(i, values, case, g["nik"], shift))
        i += 1
    return rows


def _substitute(v, subs):
    if isinstance(v, Typed):
        inner = _substitute(v.value, subs)
        return Typed(float(inner) if isinstance(inner, str) else inner)
    if isinstance(v, str):
        return re.sub(r"\{(\w+)\}", lambda m: subs.get(m.group(1), m.group(0)), v)
    return v


def good_rows(n: int, start: datetime | None = None) -> list[Row]:
    start = start or datetime(DAY.year, DAY.month, DAY.day, 8, 0, tzinfo=WIB)
    out = []
    for i in range(n):
        g = good_guest(i, start + timedelta(seconds=20 * i))
        out.append(Row(i, {k: v for k, v in g.items() if k != "_dob"}, None, g["nik"]))
    return out


# --- putting the batch in -----------------------------------------------------------------


def csv_lines(rows: list[Row]) -> tuple[list[str], list[list[str]], dict[int, int]]:
    """CSV header, records and the physical line each row starts on."""
    header = [HEADER[k] if k != "timestamp" else "Timestamp" for k in FORM_KEYS] + [EXTRA_HEADER]
    records, first_line, line = [], {}, 2
    for r in rows:
        rec = []
        for k in FORM_KEYS:
            v = r.values.get(k, "")
            if isinstance(v, datetime):
                v = v.strftime("%d/%m/%Y %H:%M:%S")
            elif isinstance(v, Typed):
                v = str(v.value)
            rec.append("" if v is None else str(v))
        rec.append(str(r.values.get("_extra", "")))
        if r.shift:  # an unquoted comma in the name pushes every later answer one column right
            at = FORM_KEYS.index("nama")
            rec[at:at + 1] = [rec[at], " S.Kom"]
        records.append(rec)
        first_line[r.index] = line
        line += 1 + sum(len(re.findall(r"\r\n|\r|\n", c)) for c in rec)
    return header, records, first_line


def write_csv(path: Path, header: list[str], records: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(records)


def cli(tmp_path: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "BUKUTAMU_DATA": str(tmp_path / "data"), "BUKUTAMU_HMAC_KEY": HMAC}
    env.pop("BUKUTAMU_CONFIG", None)
    p = subprocess.run([sys.executable, "-m", "bukutamu", *args], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=300)
    assert "Traceback" not in p.stderr, p.stderr[-3000:]
    if check:
        assert p.returncode in (0, 1), (p.returncode, p.stdout[-2000:], p.stderr[-2000:])
    return p


def _sheets_date(v: str) -> float | None:
    """Sheets (Indonesian locale) reads a real d/m/y date typed USER_ENTERED as a date serial."""
    for pattern, fmt in ((_ID_MOMENT, "%d/%m/%Y %H:%M:%S"), (_ID_DATE, "%d/%m/%Y")):
        if pattern.match(v):
            try:
                return datetime_to_serial(datetime.strptime(v, fmt).replace(tzinfo=WIB), WIB)
            except ValueError:
                return None
    return None


def submit_to_sheet(fake, header: list, rows: list[Row]) -> None:
    """Each row as Google Forms adds it: one new row, values USER_ENTERED (a column formatted
    as plain text keeps the text), the timestamp a date-time serial."""
    from tests.fakes.sheets_grid import user_entered
    sheet = fake.sheet(REG)
    where = {h: i for i, h in enumerate(header)}
    table = [list(v) for v in fake.values(REG)] or [list(header)]
    for r in rows:
        cells = [None] * len(header)
        for k, v in r.values.items():
            h = EXTRA_HEADER if k == "_extra" else HEADER.get(k)
            if h not in where:
                continue
            c = where[h]
            if isinstance(v, datetime):
                cell = datetime_to_serial(v, WIB)
            elif isinstance(v, Typed):
                cell = v.value
            elif v is None or v == "":
                cell = None
            elif (sheet.number_format(1, c) or {}).get("type") == "TEXT":
                cell = v
            else:
                cell = _sheets_date(v)
                cell = user_entered(v) if cell is None else cell
            cells[c] = cell
        table.append(cells)  # a blank row stays where it is (followed by others), as in a sheet
    fake.set_values(REG, table)


# --- what a user sees ----------------------------------------------------------------------


def as_dicts(table: list[list]) -> list[dict]:
    head = table[0]
    return [dict(zip(head, list(r) + [None] * (len(head) - len(r)))) for r in table[1:]]


def text_of(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def cell_problems(where: str, value) -> list[str]:
    """A cell a spreadsheet program opens: no hidden characters, no live formula."""
    if not isinstance(value, str):
        if type(value).__name__ == "Formula":
            return [f"{where}: formula {value!r}"]
        return []
    out = []
    if has_hidden_characters(value):
        out.append(f"{where}: control/bidi character in {value[:60]!r}")
    if "\n" in value or "\r" in value:
        out.append(f"{where}: line break in {value[:60]!r}")
    if sheet_safe(value) != value:
        out.append(f"{where}: formula-leading text {value[:60]!r}")
    return out


def terminal_problems(where: str, text: str) -> list[str]:
    bad = [c for c in set(text) if c not in "\n" and (has_hidden_characters(c) or c in "\r\t")]
    return [f"{where}: terminal control characters {sorted(map(hex, map(ord, bad)))}"] if bad else []


@dataclass
class MailCheck:
    messages: list = field(default_factory=list)  # (path, EmailMessage, text, html)
    problems: list[str] = field(default_factory=list)


def read_outbox(folder: Path) -> MailCheck:
    out = MailCheck()
    for path in sorted(folder.glob("*.eml")):
        raw = path.read_bytes()
        msg = email.message_from_bytes(raw, policy=policy.default)
        for h in ("Subject", "To", "From"):
            v = str(msg[h] or "")
            if has_hidden_characters(v) or "\n" in v or "\r" in v:
                out.problems.append(f"{path.name}: header {h} carries control characters {v[:80]!r}")
        if msg["Bcc"] is not None:
            out.problems.append(f"{path.name}: a Bcc header was injected")
        plain = html = ""
        for part in msg.walk():
            if part.get_content_type() == "text/plain":
                plain += part.get_content().replace("\r\n", "\n")
            elif part.get_content_type() == "text/html":
                html += part.get_content()
        for name, body in (("text", plain), ("html", html)):
            if has_hidden_characters(body.replace("\r", "")):
                out.problems.append(f"{path.name}: {name} body carries control/bidi characters")
        low = html.lower()
        for tag in ("<script", "<img", "<h1"):
            if tag in low:
                out.problems.append(f"{path.name}: guest HTML {tag} reached the HTML body unescaped")
        out.messages.append((path, msg, plain, html))
    return out


def xlsx_problems(path: Path) -> list[str]:
    import openpyxl
    out = []
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    out.append(f"{path.name}/{ws.title}!{c.coordinate}: formula {c.value!r}")
                elif isinstance(c.value, str):
                    out += cell_problems(f"{path.name}/{ws.title}!{c.coordinate}", c.value)
    return out


def sheet_problems(tables: dict[str, list[list]]) -> list[str]:
    """Every program-written cell: the register's [Sistem] columns and the program's tabs."""
    out = []
    for tab, table in tables.items():
        if not table:
            continue
        head = table[0]
        cols = [i for i, h in enumerate(head) if tab != REG or str(h).startswith("[Sistem]")]
        for n, r in enumerate(table[1:], start=2):
            for i in cols:
                if i < len(r):
                    out += cell_problems(f"{tab}!{head[i]}:{n}", r[i])
    return out


def check_case(row: Row, reg_row: dict | None, store: str, import_messages: str, first_line: int | None) -> str:
    """'' when the row became what its case expects, else what went wrong."""
    expect, says = row.case.for_store(store)
    status = text_of((reg_row or {}).get("[Sistem] Status"))
    cek = text_of((reg_row or {}).get("[Sistem] Cek KTP"))
    note = cek + " | " + text_of((reg_row or {}).get("[Sistem] Catatan"))
    vid = text_of((reg_row or {}).get("[Sistem] ID Kunjungan"))
    got = f"status={status!r} note={note[:200]!r}"
    if row.nik and row.nik in note:
        return f"the NIK appears in the note: {got}"
    if expect == SKIP:
        if reg_row is not None:
            return f"expected not imported, got a register row {got}"
        lines = [ln for ln in import_messages.splitlines() if re.search(rf"baris {first_line}\b", ln)]
        if not any(re.search(says, ln, re.I) for ln in lines) and not (
                "bulan-dulu" in says and re.search(says, import_messages, re.I)):
            return f"import-csv did not say {says!r} about line {first_line}: {lines!r}"
        if row.nik and row.nik in import_messages:
            return "the NIK appears in import-csv's messages"
        return ""
    if expect == BLANK:
        if reg_row is not None and (vid or text_of(reg_row.get("[Sistem] Catatan"))):
            return f"a blank row was acted on: {got}"
        return ""
    if reg_row is None:
        return f"expected {expect}, the row is not in the register (import said: " \
               f"{[ln for ln in import_messages.splitlines() if f'baris {first_line}' in ln]!r})"
    if expect == "NOTE":
        return "" if not vid and re.search(says, note, re.I) else f"expected a note {says!r}: {got}"
    if expect == "MANUAL":
        return "" if vid and re.search(says, note, re.I) else f"expected registered + {says!r}: {got}"
    want_status = {"OK": "MENUNGGU VERIFIKASI", "WARN": "MENUNGGU VERIFIKASI", "ERROR": "PERLU PERBAIKAN",
                   "DUP": "DUPLIKAT"}[expect]
    if status != want_status:
        return f"expected {want_status}: {got}"
    if expect == "OK" and cek != "OK":
        return f"expected Cek KTP OK: {got}"
    if expect == "WARN" and not cek.startswith("PERINGATAN"):
        return f"expected a warning: {got}"
    if says and not re.search(says, note, re.I):
        return f"expected the note to say {says!r}: {got}"
    return ""
