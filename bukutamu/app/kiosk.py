"""The kiosk (`/daftar`): a guest registers as the Google Form would let them.

The kiosk only writes a form-style row (timestamp + answers) to the embedded
register; intake (queue number, visit ID, KTP check, duplicates) stays the
engine's job. The same rules as the Google Form decide what can be sent: the
required questions, the NIK's ``^\\d{16}$`` rule and the privacy consent. The KTP
rules are shown as the guest types (``inline_check``) and applied by the engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Mapping

from bukutamu.core.cells import datetime_to_serial, local_date
from bukutamu.core.ktp.check import NOT_ASKED, check_guest
from bukutamu.core.ktp.mask import mask_name
from bukutamu.core.ktp.nik import normalise
from bukutamu.core.officers import read_officers
from bukutamu.core.queue import parse_visit_id
from bukutamu.core.register import RegisterView, read_register
from bukutamu.core.schema import REGISTER_COLUMNS, resolve_columns
from bukutamu.core.sop import Sop
from bukutamu.errors import BukutamuError

CONSENT_TEXT = "Saya setuju"
SEX_CHOICES = ("Laki-laki", "Perempuan")
REQUIRED = {"nik": "NIK", "nama": "Nama lengkap", "jenis_kelamin": "Jenis kelamin",
            "tanggal_lahir": "Tanggal lahir", "telepon": "Nomor HP", "instansi": "Instansi",
            "keperluan": "Keperluan", "bidang": "Bidang yang dituju"}
_NIK_RULE = re.compile(r"^\d{16}$")
# KTP finding field -> kiosk field
_FIELD = {"nik": "nik", "name": "nama", "sex": "jenis_kelamin", "birth_date": "tanggal_lahir",
          "phone": "telepon", "email": "email"}


@dataclass(frozen=True)
class GuestForm:
    nik: str = ""
    nama: str = ""
    jenis_kelamin: str = ""
    tanggal_lahir: str = ""  # as the date input sends it: YYYY-MM-DD
    telepon: str = ""
    email: str = ""
    instansi: str = ""
    keperluan: str = ""
    bidang: str = ""
    persetujuan: bool = False

    @classmethod
    def from_mapping(cls, data: Mapping[str, str]) -> "GuestForm":
        values = {f.name: " ".join(str(data.get(f.name, "") or "").split())[:200]
                  for f in fields(cls) if f.name != "persetujuan"}
        values["nik"] = values["nik"].replace(" ", "")
        return cls(**values, persetujuan=bool(data.get("persetujuan")))

    def birth_text(self) -> str:
        """dd/mm/yyyy, as a Google Form date question stores it."""
        try:
            return date.fromisoformat(self.tanggal_lahir).strftime("%d/%m/%Y")
        except ValueError:
            return self.tanggal_lahir


class Refused(BukutamuError):
    """Not registered; the message says why (Indonesian, no personal data)."""


@dataclass(frozen=True)
class Registered:
    visit_id: str
    queue: str
    status: str
    name_masked: str


def bidang_choices(officers_tab) -> list[str]:
    """The bidang of the active officers on the Petugas tab (the form's choice list)."""
    seen: dict[str, None] = {}
    for o in read_officers(officers_tab):
        if o.active and o.bidang:
            seen.setdefault(o.bidang, None)
    return sorted(seen)


def inline_check(form: GuestForm, today: date, phones=None) -> dict[str, list[str]]:
    """The KTP rules on what has been typed so far, by kiosk field (empty fields are
    not judged yet). Messages never repeat the NIK. ``phones``: the phone-number plan
    (``bootstrap.phone_numbers()``)."""
    if not form.nik:
        return {}
    given = {"name": form.nama or NOT_ASKED, "sex": form.jenis_kelamin or NOT_ASKED,
             "birth_date": form.birth_text() or NOT_ASKED, "phone": form.telepon or NOT_ASKED,
             "email": form.email or NOT_ASKED}
    if phones is None:
        given["phone"] = NOT_ASKED
    result = check_guest(nik=form.nik, today=today, phones=phones, **given)
    out: dict[str, list[str]] = {}
    for f in result.findings:
        prefix = "" if f in result.errors else "Periksa: "
        out.setdefault(_FIELD.get(f.field, "nik"), []).append(prefix + f.message)
    return out


def form_problems(form: GuestForm, choices: list[str]) -> dict[str, str]:
    """What the Google Form itself would refuse: required answers, the NIK pattern,
    a bidang not on the list, no consent."""
    out = {k: f"{label} wajib diisi." for k, label in REQUIRED.items() if not getattr(form, k)}
    if form.nik and not _NIK_RULE.match(form.nik):
        out["nik"] = "NIK harus 16 angka."
    if form.jenis_kelamin and form.jenis_kelamin not in SEX_CHOICES:
        out["jenis_kelamin"] = "Pilih Laki-laki atau Perempuan."
    if form.bidang and choices and form.bidang not in choices:
        out["bidang"] = "Pilih bidang dari daftar."
    if form.tanggal_lahir:
        try:
            date.fromisoformat(form.tanggal_lahir)
        except ValueError:
            out["tanggal_lahir"] = "Tanggal lahir tidak sah."
    if form.email and "@" not in form.email:
        out["email"] = "Alamat email tidak sah (boleh dikosongkan)."
    if not form.persetujuan:
        out["persetujuan"] = "Centang persetujuan pemberitahuan privasi untuk melanjutkan."
    return out


def open_registration(view: RegisterView, nik: str, today: date, sop: Sop, tz) -> str | None:
    """The queue number (or "" while not yet numbered) of today's open registration
    with this NIK, or None. One open registration per NIK per day."""
    want = normalise(nik)
    if not want:
        return None
    for row in view.rows:
        if normalise(row.raw("nik")) != want:
            continue
        if not row.visit_id:
            submitted = row.moment("timestamp", tz)
            if submitted is not None and local_date(submitted, tz) == today:
                return ""
            continue
        parsed = parse_visit_id(row.visit_id)
        state = sop.state_by_label(row.text("status"))
        if parsed and parsed[0] == today and (state is None or state.open):
            return row.text("antrian")
    return None


def form_row(header, form: GuestForm, now: datetime, tz, renames: Mapping[str, str]) -> list[object]:
    """The row a Google Form would append: its timestamp and answers under their headers."""
    cols = resolve_columns("register", header, REGISTER_COLUMNS, renames)
    values = {"timestamp": datetime_to_serial(now, tz), "nik": form.nik, "nama": form.nama,
              "jenis_kelamin": form.jenis_kelamin, "tanggal_lahir": form.birth_text(), "telepon": form.telepon,
              "email": form.email, "instansi": form.instansi, "keperluan": form.keperluan, "bidang": form.bidang,
              "persetujuan": CONSENT_TEXT if form.persetujuan else ""}
    row: list[object] = [""] * len(header)
    for key, value in values.items():
        i = cols.index.get(key)
        if i is not None:
            row[i] = value
    return row


def register_guest(store, settings, sop: Sop, form: GuestForm, now: datetime) -> int:
    """Append the guest's form row (caller serialises kiosk requests). Returns the
    row's id. Refused when today's open registration with this NIK exists."""
    reg = settings.tabs.register
    tab = store.read([reg]).tab(reg)
    if tab is None:
        raise BukutamuError("Register belum ada: jalankan `bukutamu init`.")
    tz = settings.office.tz
    view = read_register(tab, settings.columns)
    existing = open_registration(view, form.nik, local_date(now, tz), sop, tz)
    if existing is not None:
        raise Refused("NIK ini sudah terdaftar hari ini" + (f" dengan nomor antrian {existing}" if existing else "")
                      + ". Satu pendaftaran per hari: silakan menuju meja helpdesk.")
    return store.append_row(reg, form_row(tab.header, form, now, tz, settings.columns))


def registered(store, settings, ref: int) -> Registered | None:
    """The visit the engine made of row ``ref``; None while not yet numbered."""
    reg = settings.tabs.register
    view = read_register(store.read([reg]).tab(reg), settings.columns)
    row = next((r for r in view.rows if r.ref == ref), None)
    if row is None or not row.visit_id:
        return None
    return Registered(row.visit_id, row.text("antrian"), row.text("status"), mask_name(row.text("nama")))
