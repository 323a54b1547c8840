"""An office with visits on both sides of the retention cutoff, for the purge tests.

Built on the office morning of ``office_day.py`` (both stores, real cycles, helpdesk
edits of the cells people own), with mail going to the outbox folder and
``[retention] days = 30``. `bukutamu purge` runs as a real process on the real clock,
so the days are placed relative to today:

- ``OLD_DAY`` (45 days ago): the three guests of the morning, all closed (two SELESAI,
  one BATAL), plus a guest whose visit is never closed (listed, not anonymised); the
  guest whose visit was closed clicks the feedback link of her email afterwards and
  types her phone and email into the comment (a real Umpan Balik row, refused by
  the engine because the visit is closed); the web desk logged a correction;
- ``NEW_DAY`` (2 days ago): two new guests, one verified, one waiting: kept.
"""

from __future__ import annotations

import email
import hashlib
import json
import re
import subprocess
import sys
import zipfile
from datetime import datetime, time, timedelta
from email import policy
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from bukutamu.config import load_settings
from bukutamu.core.cells import datetime_to_serial
from tests.fakes.office_config import FEEDBACK_FORM, smtp_toml
from tests.fakes.office_day import GUESTS, PHASES, REG, WIB, Office, env_for  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
TODAY = datetime.now(WIB).date()
OLD_DAY = datetime.combine(TODAY - timedelta(days=45), time(9, 0), WIB)
NEW_DAY = datetime.combine(TODAY - timedelta(days=2), time(9, 0), WIB)

STILL_OPEN = {"NIK": "6171015203889994", "Nama Lengkap": "Rudi Hartono", "Jenis Kelamin": "Laki-laki",  # synthetic
              "Tanggal Lahir": "12/03/1988", "Nomor HP": "081234567893", "Email": "rudi@tamu.test",
              "Instansi": "CV Lama", "Keperluan": "Konsultasi", "Bidang yang Dituju": "Bagian Pembinaan"}
NEW_GUESTS = [
    {"NIK": "6171014406929995", "Nama Lengkap": "Siti Aminah", "Jenis Kelamin": "Perempuan",  # synthetic
     "Tanggal Lahir": "04/06/1992", "Nomor HP": "081234567894", "Email": "siti@tamu.test",
     "Instansi": "PT Baru", "Keperluan": "Dokumen", "Bidang yang Dituju": "Bagian Pengelolaan LPSE"},
    {"NIK": "6171011111919996", "Nama Lengkap": "Yusuf Hidayat", "Jenis Kelamin": "Laki-laki",  # synthetic
     "Tanggal Lahir": "11/11/1991", "Nomor HP": "081234567895", "Email": "yusuf@tamu.test",
     "Instansi": "CV Baru", "Keperluan": "Klarifikasi", "Bidang yang Dituju": "Bagian Pembinaan"},
]
PURGED = GUESTS  # closed before the cutoff
KEPT = [STILL_OPEN, *NEW_GUESTS]


def outbox_office(kind: str, tmp_path: Path, smtp) -> Office:
    """An Office whose mail goes to the outbox folder, with a 30-day retention."""
    o = Office(kind, tmp_path, smtp)
    text = o.config.read_text(encoding="utf-8")
    text = text.replace(smtp_toml(smtp.port), '[mail]\nkind = "outbox"\nsender = "bukutamu@biro.test"\n')
    o.config.write_text(text + '[retention]\ndays = 30\nat = "01:30"\n', encoding="utf-8")
    o.settings = load_settings(o.config, env=o.env)
    o.restart()
    return o


def submit(o: Office, tab: str, answers: dict, when: datetime) -> None:
    """A Google Form response (the Sheets fake's Forms path; on the embedded store the
    same row appended as the form would)."""
    if o.kind == "google":
        o.fake.submit_form(tab, {k: v for k, v in answers.items() if k != "Stempel waktu"}, when)
        return
    header = o.table(tab)[0]
    values = dict(answers, **{"Stempel waktu": datetime_to_serial(when, WIB)})
    o.person.append_rows(tab, [[values.get(h, "") for h in header]])


def edit(o: Office, phone: str, header: str, value) -> None:
    """The helpdesk edits a cell of the guest's row, found by phone number."""
    t = o.table(REG)
    col = t[0].index("Nomor HP")
    hits = [i for i, r in enumerate(t) if i and str(r[col]) == phone]
    assert len(hits) == 1, (phone, hits)
    if o.kind == "google":
        o.fake.edit_cell(REG, hits[0] + 1, header, value)
    else:
        ref = o.person.read([REG]).tab(REG).rows[hits[0] - 1].ref
        o.person.set_cell(REG, ref, header, value)


def visit_of(o: Office, phone: str) -> str:
    return next(r["[Sistem] ID Kunjungan"] for r in o.records(REG) if str(r["Nomor HP"]) == phone)


def feedback_link(o: Office, visit: str) -> dict:
    """The pre-filled feedback link of the visit's last feedback email (outbox)."""
    files = sorted(o.settings.mail.outbox.glob(f"{visit}_tamu-umpan-balik_*.eml"))
    assert files, visit
    msg = email.message_from_bytes(files[-1].read_bytes(), policy=policy.default)
    body = msg.get_body(("html",)).get_content()
    urls = [u.replace("&amp;", "&") for u in re.findall(r'href="([^"]+)"', body) if u.startswith(FEEDBACK_FORM)]
    return {k: v[0] for k, v in parse_qs(urlsplit(urls[0]).query).items()}


def build(kind: str, tmp_path: Path, smtp) -> Office:
    o = outbox_office(kind, tmp_path, smtp)
    # The old day: the morning of office_day (every guest closed) and one visit left open.
    for i, (_, act) in enumerate(PHASES):
        o.now = OLD_DAY + timedelta(minutes=20 * i)
        act(o)
        if i == 0:
            submit(o, REG, STILL_OPEN, o.now + timedelta(minutes=1))
        o.settle()
    guest = visit_of(o, GUESTS[0]["Nomor HP"])
    link = feedback_link(o, guest)
    o.now += timedelta(minutes=5)
    submit(o, "Umpan Balik", {"ID Kunjungan": link["entry.201"], "Token": link["entry.202"],
                              "Apakah layanan sudah cukup?": "Ya, sudah cukup",
                              "Catatan": f"Terima kasih. Hubungi saya di {GUESTS[0]['Nomor HP']} atau "
                                         f"{GUESTS[0]['Email']}", "U1 Persyaratan": "4"}, o.now)
    o.settle()
    # The web desk's log of a correction (what `bukutamu serve` writes when the helpdesk
    # corrects a phone number there).
    from bukutamu.adapters.webdb import WebDb
    WebDb(o.settings.data_dir / "web.sqlite").log_correction(
        guest, "telepon", "081234567800", GUESTS[0]["Nomor HP"], "helpdesk1", o.now)
    # Two days ago: new guests, one verified.
    o.now = NEW_DAY
    for n, g in enumerate(NEW_GUESTS):
        submit(o, REG, g, o.now + timedelta(minutes=n))
    o.settle()
    edit(o, NEW_GUESTS[0]["Nomor HP"], "Verifikasi KTP", "Sesuai")
    o.settle()
    o.restart()
    return o


def purge_cli(o: Office, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    p = subprocess.run([sys.executable, "-m", "bukutamu", "--config", str(o.config), "purge", *args],
                       cwd=o.tmp, env=env_for(o), capture_output=True, text=True, timeout=120)
    if check:
        assert p.returncode == 0, (p.returncode, p.stdout, p.stderr)
    return p


# --- the scan ----------------------------------------------------------------------------

def identifiers(guests) -> set[str]:
    """NIK, email, and the phone as its national number without the trunk 0 (the scan
    finds it in 08…, 628…, +62 8… and with separators: see ``scan``)."""
    out: set[str] = set()
    for g in guests:
        out.add(g["NIK"])
        out.add(g["Nomor HP"].lstrip("0"))
        if g["Email"]:
            out.add(g["Email"])
    return out


_JOINED = re.compile(r"(?<=\d)[ \-.()]+(?=\d)")


def _texts(path: Path) -> list[str]:
    data = path.read_bytes()
    texts = [data.decode("utf-8", "replace"), data.decode("utf-16-le", "replace")]
    if path.suffix == ".eml":
        msg = email.message_from_bytes(data, policy=policy.default)
        texts += [str(v) for v in msg.values()]
        texts += [p.get_content() for p in msg.walk() if p.get_content_maintype() == "text"]
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            texts += [z.read(n).decode("utf-8", "replace") for n in z.namelist()]
    return texts


def scan(o: Office, wanted: set[str]) -> dict[str, list[str]]:
    """Where each of ``wanted`` occurs: every file under the office's folder (data
    folder, outbox, reports, config; text, decoded mail parts, XLSX members) and, on
    Google, every tab of the spreadsheet."""
    places = [(str(p.relative_to(o.tmp)), _texts(p)) for p in sorted(o.tmp.rglob("*")) if p.is_file()]
    if o.fake is not None:
        places += [(f"spreadsheet:{t}", [json.dumps(o.fake.values(t), ensure_ascii=False, default=str)])
                   for t in sheet_titles(o)]
    found: dict[str, list[str]] = {}
    for where, texts in places:
        # Phone numbers however written: "+62 812-3456-7890", "0812 3456 7890", "6281234567890".
        texts = texts + [_JOINED.sub("", t) for t in texts]
        for w in wanted:
            if any(w in t for t in texts):
                found.setdefault(w, []).append(where)
    return found


def hashes(o: Office) -> dict[str, str]:
    """Every file under the office's folder (lock files aside) and the spreadsheet."""
    out = {str(p.relative_to(o.tmp)): hashlib.sha256(p.read_bytes()).hexdigest()
           for p in sorted(o.tmp.rglob("*")) if p.is_file() and not p.name.endswith(".lock")}
    if o.fake is not None:
        for tab in sheet_titles(o):
            out[f"spreadsheet:{tab}"] = hashlib.sha256(json.dumps(o.fake.values(tab), default=str)
                                                       .encode()).hexdigest()
    return out


def sheet_titles(o: Office) -> list[str]:
    return [s.title for s in o.fake.book.sheets]
