"""The bad-input corpus through the full cycle on both stores.

Embedded: the batch is a CSV imported with ``bukutamu import-csv`` (subprocess), then the
real engine cycle, then ``bukutamu register`` and ``bukutamu report`` (subprocesses).
Google: the batch is submitted to the Sheets fake the way Google Forms adds rows, then the
same engine over the real gspread store. Both: the helpdesk verifies, receives and serves
every guest; the good guests must progress exactly as usual, every bad row must say what is
wrong (or be accepted when it is valid), and nothing a person opens — the sheet tabs, the
emails, the terminal, the XLSX — may carry control characters or a live formula.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from pathlib import Path

import pytest

from bukutamu.commands.register import format_register
from bukutamu.core.register import read_register
from bukutamu.engine import Poller
from bukutamu.errors import BukutamuError
from bukutamu.layout import tab_specs
from tests.corpus import runner as R
from tests.corpus.bad_input import BLANK, CASES, FILE_CASES, INJECTIONS, LAYOUTS, SKIP
from tests.fakes.sqlite_harness import SqliteHarness

PETUGAS_HEADER = ["Nama", "Bidang", "Email", "Aktif", "Email Cadangan"]
GOOD_NOTE = "Perlu salinan kontrak\nbesok pagi"


def at(h, m):
    return datetime(R.DAY.year, R.DAY.month, R.DAY.day, h, m, tzinfo=R.WIB)


def test_a_held_back_corpus_can_be_dropped_in(tmp_path, monkeypatch):
    extra = tmp_path / "held_back.json"
    extra.write_text('[{"kind": "held:formula_name", "fields": {"nama": "=1+1"}, "expect": "ERROR", '
                     '"says": "angka", "google": ["ERROR", "angka"]}]', encoding="utf-8")
    monkeypatch.setenv("BUKUTAMU_CORPUS", str(extra))
    cases = R.all_cases()
    assert cases[-1].kind == "held:formula_name" and cases[-1].for_store("google") == ("ERROR", "angka")
    assert len(cases) == len(CASES) + 1


def test_the_corpus_has_at_least_100_kinds():
    kinds = [c.kind for c in R.all_cases()] + [f.kind for f in FILE_CASES] + [lay.kind for lay in LAYOUTS]
    assert len(kinds) == len(set(kinds)) and len(kinds) >= 100


class Office:
    """One store with the batch in it, a poller, the helpdesk's hands."""

    def __init__(self, store: str, tmp_path: Path, settings, rows: list[R.Row]):
        self.kind, self.tmp, self.rows = store, tmp_path, rows
        self.settings = dataclasses.replace(
            settings, report=dataclasses.replace(settings.report, folder=tmp_path / "reports"))
        self.import_messages = ""
        self.first_line: dict[int, int] = {}
        if store == "sqlite":
            header, records, self.first_line = R.csv_lines(rows)
            R.write_csv(tmp_path / "jawaban.csv", header, records)
            p = R.cli(tmp_path, "import-csv", str(tmp_path / "jawaban.csv"))
            self.import_messages = p.stdout + p.stderr
            assert not R.terminal_problems("import-csv", self.import_messages)
            self.h = SqliteHarness(tmp_path, path=self.settings.store.path)
        else:
            from tests.fakes.google_harness import make_google_harness
            self.h = make_google_harness(tmp_path)
            self.h.store.init(tab_specs(self.settings))
            header = self.h.table(R.REG)[0] + [R.EXTRA_HEADER]
            self.h.seed(R.REG, header, [])
            R.submit_to_sheet(self.h.fake, header, rows)
        self.h.seed("Petugas", PETUGAS_HEADER, R.OFFICERS)
        self.clock = {"now": at(9, 0)}
        self.poller = Poller(self.settings, self.h.store, clock=lambda: self.clock["now"])

    def cycle(self, h, m):
        self.clock["now"] = at(h, m)
        return self.poller.run_once()

    def register(self) -> list[dict]:
        return R.as_dicts(self.h.table(R.REG))

    def in_register(self) -> dict[int, dict]:
        """Each batch row's register row (None when the row never reached the register)."""
        reg = self.register()
        present = [r for r in self.rows if not (self.kind == "sqlite" and (
            r.good is False and r.case.for_store("sqlite")[0] in (SKIP, BLANK)))]
        assert len(reg) == len(present), (len(reg), len(present), self.import_messages[-3000:])
        out = {r.index: None for r in self.rows}
        self.position = {}
        for k, (row, cells) in enumerate(zip(present, reg)):
            self.position[row.index] = k
            nik = R.text_of(cells.get("NIK"))
            if row.good or row.values.get("nik") == row.nik:
                assert nik.strip() == row.nik, f"row {row.index} misaligned: {row.case and row.case.kind}"
            out[row.index] = cells
        return out

    def helpdesk_sets(self, header: str, value: str, only=lambda cells: True) -> None:
        for i, cells in enumerate(self.register()):
            if R.text_of(cells.get("[Sistem] ID Kunjungan")) and only(cells):
                self.h.edit_cell(R.REG, i, header, value)

    def tables(self) -> dict[str, list[list]]:
        return {t: self.h.table(t) for t in (R.REG, "Riwayat", "Antrian", "Sistem")}

    def terminal(self) -> str:
        if self.kind == "sqlite":
            p = R.cli(self.tmp, "register", "--semua", "--batas", "1000")
            return p.stdout + p.stderr
        from zoneinfo import ZoneInfo
        tab = self.h.store.read([R.REG]).tab(R.REG)
        rows = [r for r in read_register(tab, self.settings.columns).rows if r.visit_id]
        return "\n".join(format_register(rows, ZoneInfo("Asia/Pontianak")))

    def xlsx(self) -> Path:
        if self.kind == "sqlite":
            p = R.cli(self.tmp, "report", "--minggu", "2026-W48")
            m = re.search(r"XLSX: (\S+)", p.stdout)
            assert m, p.stdout + p.stderr
            path = Path(m.group(1))
            return path if path.is_absolute() else self.tmp / path
        from bukutamu.report.metrics import parse_week
        from bukutamu.report.weekly import generate
        return Path(generate(self.h.store, self.settings, parse_week("2026-W48")).xlsx_path)

    def close(self):
        self.h.close()


@pytest.fixture(params=["sqlite", "google"])
def office(request, tmp_path, settings):
    o = Office(request.param, tmp_path, settings, R.build_batch(request.param))
    yield o
    o.close()


def test_bad_input_corpus_full_cycle(office):
    o = office
    rows = o.rows
    good = [r for r in rows if r.good]
    bad = [r for r in rows if not r.good]
    assert len(good) >= 10 and len(bad) >= 90

    # 1. Intake: every kind says what is wrong, or is accepted when valid.
    report = o.cycle(9, 0)
    reg = o.in_register()
    failures = {r.case.kind: msg for r in bad
                if (msg := R.check_case(r, reg[r.index], o.kind, o.import_messages, o.first_line.get(r.index)))}
    assert not failures, "\n".join(f"{k}: {v}" for k, v in failures.items())

    # 0 other rows harmed: every good guest registered normally, in submission order.
    for r in good:
        cells = reg[r.index]
        assert (R.text_of(cells["[Sistem] Status"]), R.text_of(cells["[Sistem] Cek KTP"])) == \
               ("MENUNGGU VERIFIKASI", "OK"), (r.index, cells["[Sistem] Cek KTP"], cells["[Sistem] Catatan"])
        assert R.text_of(cells["Nama Lengkap"]) == r.values["nama"]
    numbers = [int(R.text_of(reg[r.index]["[Sistem] No. Antrian"])[2:]) for r in good]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    board = R.as_dicts(o.h.table("Antrian"))
    on_board = {R.text_of(b["No. Antrian"]): R.text_of(b["Nama"]) for b in board}
    for r in good:
        first, last = r.values["nama"].upper().split()
        assert on_board[R.text_of(reg[r.index]["[Sistem] No. Antrian"])] == f"{first} {last[0]}."

    # 2. The helpdesk verifies everyone; good guests' officers are emailed.
    o.helpdesk_sets("Verifikasi KTP", "Sesuai")
    o.cycle(9, 5)
    o.cycle(9, 6)
    # 3. Received, then served.
    o.helpdesk_sets("Aksi Helpdesk", "Tamu Diterima",
                    only=lambda c: R.text_of(c["[Sistem] Status"]) == "PETUGAS DIHUBUNGI")
    o.cycle(9, 10)
    o.helpdesk_sets("Aksi Helpdesk", "Layanan Selesai", only=lambda c: R.text_of(c["[Sistem] Status"]) == "DILAYANI")
    o.cycle(9, 20)
    o.cycle(9, 21)

    reg = o.in_register()
    for r in good:
        assert R.text_of(reg[r.index]["[Sistem] Status"]) == "MENUNGGU UMPAN BALIK", (
            r.index, reg[r.index]["[Sistem] Status"], reg[r.index]["[Sistem] Catatan"])

    # 4. "Not enough": the helpdesk's free-text note (every injection payload on a bad row, a
    #    plain two-line note on a good one) goes to the officer in a second-round notice.
    payloads = [v for _, v, _ in INJECTIONS]
    for n, r in enumerate(rows):
        if reg[r.index] is None or R.text_of(reg[r.index]["[Sistem] Status"]) != "MENUNGGU UMPAN BALIK":
            continue
        note = GOOD_NOTE if r.good else payloads[n % len(payloads)]
        o.h.edit_cell(R.REG, o.position[r.index], "Catatan Helpdesk", note)
        o.h.edit_cell(R.REG, o.position[r.index], "Aksi Helpdesk", "Umpan Balik Tidak Cukup")
    o.cycle(9, 30)
    o.cycle(9, 31)
    reg = o.in_register()
    for r in good:
        assert (R.text_of(reg[r.index]["[Sistem] Status"]), R.text_of(reg[r.index]["[Sistem] Putaran Layanan"])) \
            == ("DILAYANI", "2"), (r.index, reg[r.index]["[Sistem] Status"], reg[r.index]["[Sistem] Catatan"])

    # 4. What people open: the sheet tabs, the emails, the terminal, the XLSX.
    tables = o.tables()
    problems = R.sheet_problems(tables)
    mails = R.read_outbox(o.settings.mail.outbox)
    problems += mails.problems
    problems += R.terminal_problems("bukutamu register", o.terminal())
    xlsx = o.xlsx()
    problems += R.xlsx_problems(xlsx)
    assert not problems, "\n".join(problems[:40])
    # ... and the checks were not vacuous: formula-leading guest text did reach those outputs, neutralised.
    assert any(str(c).startswith("'=") for r in tables["Antrian"][1:] for c in r)
    assert any(str(c).startswith("'=") for r in tables["Riwayat"][1:] for c in r)
    import openpyxl
    assert any(isinstance(c.value, str) and c.value.startswith("'=")
               for ws in openpyxl.load_workbook(xlsx).worksheets for row in ws.iter_rows() for c in row)
    assert len(mails.messages) > len(good)
    for r in good:  # the second-round notice carries the helpdesk's note, line break and all
        vid = R.text_of(reg[r.index]["[Sistem] ID Kunjungan"])
        again = [m for m in mails.messages if vid in m[2] and "kembali membutuhkan" in m[2]]
        assert len(again) == 1 and "Catatan tamu: Perlu salinan kontrak\nbesok pagi" in again[0][2], (vid, again)
    for r in good:  # each good guest's officer got one notice with the right name
        vid = R.text_of(reg[r.index]["[Sistem] ID Kunjungan"])
        notices = [m for m in mails.messages if vid in m[2] and "Ada tamu untuk Anda" in m[2]]
        assert len(notices) == 1 and r.values["nama"] in notices[0][2], (vid, len(notices))
        if r.values["email"]:
            queue = R.text_of(reg[r.index]["[Sistem] No. Antrian"])
            assert any(queue in str(m[1]["Subject"]) and r.values["email"] in str(m[1]["To"])
                       for m in mails.messages)
    everything = "\n".join(m[2] + m[3] for m in mails.messages)
    for r in rows:
        assert r.nik not in everything  # a NIK never leaves in an email


# --- file-level CSV kinds -------------------------------------------------------------------


def _good_csv(n=4):
    rows = R.good_rows(n)
    header, records, _ = R.csv_lines(rows)
    return rows, header, records


def _transform(kind: str, path: Path) -> int:
    """Write the CSV for a file-level kind; returns how many good rows it holds."""
    rows, header, records = _good_csv()
    n = len(records)
    if kind == "plain":
        R.write_csv(path, header, records)
    elif kind == "open_quote_last":
        R.write_csv(path, header, records)
        text = path.read_bytes().decode("utf-8").rstrip("\r\n").split("\r\n")
        cells = text[-1].split(",")
        cells[2] = '"' + cells[2]
        text[-1] = ",".join(cells)
        path.write_text("\r\n".join(text) + "\r\n", encoding="utf-8")
    elif kind == "open_quote_merge":
        R.write_csv(path, header, records)
        lines = path.read_bytes().decode("utf-8").split("\r\n")
        a, b = lines[2].split(","), lines[3].split(",")
        a[2] = '"' + a[2]  # the name's quote never closes on its line ...
        b[2] = b[2] + '"'  # ... and the next row's name closes it
        lines[2], lines[3] = ",".join(a), ",".join(b)
        path.write_text("\r\n".join(lines), encoding="utf-8")
    elif kind == "dup_header":
        R.write_csv(path, header + ["Nama Lengkap"], [r + ["Orang Lain"] for r in records])
    elif kind == "dup_header_alias":
        R.write_csv(path, header + ["Nama"], [r + ["Orang Lain"] for r in records])
    elif kind == "drop_nik":
        i = header.index("NIK")
        R.write_csv(path, header[:i] + header[i + 1:], [r[:i] + r[i + 1:] for r in records])
    elif kind == "blank_headers":
        R.write_csv(path, header + ["", " "], [r + ["isi tanpa judul", "=1+1"] for r in records])
    elif kind == "reorder":
        order = list(reversed(range(len(header))))
        R.write_csv(path, [header[i] for i in order], [[r[i] for i in order] for r in records])
    elif kind == "extra_columns":
        R.write_csv(path, header + ["Kolom Baru", "Skor"], [r + ["x", "5"] for r in records])
    elif kind == "odd_headers":
        odd = ["\ufefftimestamp", "  nik ", "NAMA\u00a0LENGKAP", "jenis  kelamin"] + header[4:]
        R.write_csv(path, odd, records)
    elif kind == "us_dates":
        us = [[datetime.strptime(r[0], "%d/%m/%Y %H:%M:%S").strftime("%m/%d/%Y %H:%M:%S")] + r[1:] for r in records]
        us[0][0] = "11/05/2026 08:00:00"  # an ambiguous date (5 Nov or 11 May) in the same file
        R.write_csv(path, header, us)
    elif kind == "empty":
        path.write_text("", encoding="utf-8")
        n = 0
    elif kind == "header_only":
        R.write_csv(path, header, [])
        n = 0
    elif kind == "latin1":
        R.write_csv(path, header, records)
        path.write_bytes(path.read_bytes().replace(b"Dinas", "Dinas P\u00e9mda".encode("latin-1")))
    elif kind == "semicolons":
        path.write_text(";".join(header) + "\n" + "\n".join(";".join(r) for r in records) + "\n", encoding="utf-8")
    elif kind == "crlf_bom":
        R.write_csv(path, header, records)
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    elif kind == "nul_in_field":
        R.write_csv(path, header, [r[:8] + ["Dinas\x00Sintetis"] + r[9:] for r in records])
    elif kind == "directory":
        path.mkdir()
    else:
        raise AssertionError(kind)
    return n


@pytest.mark.parametrize("case", FILE_CASES, ids=[f.kind for f in FILE_CASES])
def test_file_level_csv_kinds(case, tmp_path):
    path = tmp_path / "jawaban.csv"
    n = _transform(case.transform, path)
    p = R.cli(tmp_path, "import-csv", str(path), *case.args, check=False)
    out = p.stdout + p.stderr
    assert p.returncode == case.exit_code, out
    assert not R.terminal_problems("import-csv", out)
    assert not case.says or re.search(case.says, out, re.I | re.S), out
    expected = n if case.imported is None else (n + case.imported if case.imported < 0 else case.imported)
    m = re.search(r"(\d+) baris diimpor", p.stdout)
    assert (int(m.group(1)) if m else 0) == expected, out
    for nik in re.findall(r"\b\d{16}\b", path.read_text(encoding="utf-8", errors="replace")
                          if path.is_file() else ""):
        assert nik not in out  # synthetic NIKs of the file never echoed
    if expected:
        poll = R.cli(tmp_path, "poll", "--once")
        assert f"{expected} kunjungan baru" in poll.stdout
        reg = R.cli(tmp_path, "register", "--semua").stdout
        assert not R.terminal_problems("register", reg)
        if case.transform == "open_quote_merge":  # the merged pair is refused, its neighbours are fine
            names = [r.values["nama"] for r in R.good_rows(4)]
            assert names[0] in reg and names[3] in reg and names[1] not in reg and names[2] not in reg


# --- the form tab's own headers -------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS, ids=[lay.kind for lay in LAYOUTS])
def test_form_tab_layouts(layout, harness, settings):
    from bukutamu.errors import SchemaError
    harness.store.init(tab_specs(settings))
    harness.seed("Petugas", PETUGAS_HEADER, R.OFFICERS)
    header = harness.table(R.REG)[0]
    rows = R.build_batch("sqlite", cases=[c for c in CASES if c.kind.startswith("nama:")][:6])
    table = [[R.text_of(_cell(r, h)) if h != R.HEADER["timestamp"] else _cell(r, h) for h in header] for r in rows]
    if layout.transform == "dup_nama":
        header, table = header + ["Nama"], [t + ["Orang Lain"] for t in table]
    elif layout.transform == "blank_cols":
        header, table = header + ["", ""], [t + ["=1+1", "isi"] for t in table]
    elif layout.transform == "reorder":
        order = list(reversed(range(len(header))))
        header, table = [header[i] for i in order], [[t[i] for i in order] for t in table]
    elif layout.transform == "extra_cols":
        header, table = header + ["Pertanyaan Baru"], [t + ["@jawaban"] for t in table]
    elif layout.transform == "rename_nik":
        header = ["Nomor KTP" if h == "NIK" else h for h in header]
    harness.seed(R.REG, header, table)
    clock = {"now": at(9, 0)}
    poller = Poller(settings, harness.store, clock=lambda: clock["now"])
    if layout.refuses:
        before = harness.table(R.REG)
        with pytest.raises(SchemaError) as e:
            poller.run_once()
        assert re.search(layout.refuses, str(e.value))
        assert harness.table(R.REG) == before  # nothing written, nobody harmed
        return
    poller.run_once()
    t = harness.table(R.REG)
    h = t[0]
    got = {R.text_of(r[h.index("NIK")]): R.text_of(r[h.index("[Sistem] Status")]) for r in t[1:]}
    for r in rows:
        if r.good:
            assert got[r.nik] == "MENUNGGU VERIFIKASI"
    assert not R.sheet_problems({R.REG: t, "Antrian": harness.table("Antrian")})


def _cell(row: R.Row, header: str):
    key = next((k for k, v in R.HEADER.items() if v == header), None)
    v = row.values.get(key, "") if key else ""
    if isinstance(v, datetime):
        from bukutamu.core.cells import datetime_to_serial
        return datetime_to_serial(v, R.WIB)
    return v


# --- re-import after a correction; rows deleted under us -------------------------------------


def test_reimport_after_helpdesk_correction_creates_no_duplicate(tmp_path, settings):
    rows = R.good_rows(3)
    header, records, _ = R.csv_lines(rows)
    R.write_csv(tmp_path / "a.csv", header, records)
    R.cli(tmp_path, "import-csv", str(tmp_path / "a.csv"))
    R.cli(tmp_path, "poll", "--once")
    h = SqliteHarness(tmp_path, path=settings.store.path)
    try:
        h.edit_cell(R.REG, 1, "Nama Lengkap", "Nama Dikoreksi Helpdesk")
        h.edit_cell(R.REG, 1, "NIK", rows[1].nik[:-4] + "9999")  # synthetic
    finally:
        h.close()
    again = R.cli(tmp_path, "import-csv", str(tmp_path / "a.csv"))
    assert "0 baris diimpor, 3 sudah ada" in again.stdout
    R.cli(tmp_path, "poll", "--once")
    reg = R.cli(tmp_path, "register", "--semua").stdout
    assert "DUPLIKAT" not in reg and reg.count("A-00") == 3


@pytest.mark.parametrize("when", ["before_write", "between_cycles"])
def test_rows_deleted_under_us(harness, settings, when):
    harness.store.init(tab_specs(settings))
    harness.seed("Petugas", PETUGAS_HEADER, R.OFFICERS)
    header = harness.table(R.REG)[0]
    rows = R.build_batch("sqlite", cases=[c for c in CASES if c.kind.startswith("nik:")][:10])
    table = [[_cell(r, h) for h in header] for r in rows]
    harness.seed(R.REG, header, table)
    poller = Poller(settings, harness.store, clock=lambda: at(9, 0))

    def delete_some():  # a person deletes two bad rows (data rows 2 and 4)
        if hasattr(harness, "fake"):
            for i in (4, 2):
                harness.fake.delete_row(R.REG, i + 2)
        else:
            refs = [r.ref for r in harness._person.read([R.REG]).tab(R.REG).rows]
            for i in (4, 2):
                harness._person.delete_row(refs[i])

    def cycle():
        """A cycle that finds its rows moved refuses the write (a message, never a traceback)
        and the next cycle redoes the work."""
        try:
            poller.run_once()
        except BukutamuError as e:
            assert "6171" not in str(e)

    if when == "before_write":
        harness.on_next_write(delete_some)
        cycle()
    else:
        cycle()
        delete_some()
    cycle()
    cycle()
    t = harness.table(R.REG)
    h = t[0]
    by_nik = {R.text_of(r[h.index("NIK")]): r for r in t[1:]}
    for r in rows:
        if r.good:
            cells = by_nik[r.nik]
            assert R.text_of(cells[h.index("[Sistem] Status")]) == "MENUNGGU VERIFIKASI"
            assert R.text_of(cells[h.index("[Sistem] Cek KTP")]) == "OK"
    ids = [R.text_of(r[h.index("[Sistem] ID Kunjungan")]) for r in t[1:] if r[h.index("[Sistem] ID Kunjungan")]]
    assert len(ids) == len(set(ids))
    assert not R.sheet_problems({R.REG: t, "Antrian": harness.table("Antrian")})


# --- odd values in the helpdesk's own cells ------------------------------------------------


@pytest.mark.parametrize("header, value, says", [
    ("Verifikasi KTP", "=Sesuai", "tidak dikenal"),
    ("Verifikasi KTP", "Sesuai\x1b[2J", "tidak dikenal"),
    ("Aksi Helpdesk", "=HAPUS()", ""),
    ("Aksi Helpdesk", "@Tamu Diterima", ""),
    ("Aksi Helpdesk", "Tamu\u202eDiterima", ""),
    ("Catatan Helpdesk", "=IMPORTXML(\"http://contoh.invalid\";\"//a\")", ""),
], ids=["verify_formula", "verify_ansi", "action_formula", "action_at", "action_bidi", "note_formula"])
def test_odd_helpdesk_cells_are_refused_once_and_the_cycle_goes_idle(harness, settings, header, value, says):
    harness.store.init(tab_specs(settings))
    harness.seed("Petugas", PETUGAS_HEADER, R.OFFICERS)
    reg_header = harness.table(R.REG)[0]
    rows = R.good_rows(3)
    harness.seed(R.REG, reg_header, [[_cell(r, h) for h in reg_header] for r in rows])
    clock = {"now": at(9, 0)}
    poller = Poller(settings, harness.store, clock=lambda: clock["now"])
    poller.run_once()
    harness.edit_cell(R.REG, 1, header, value)
    clock["now"] = at(9, 5)
    poller.run_once()
    for minute in (6, 7):  # no write loop: the odd value was answered once
        clock["now"] = at(9, minute)
        assert not poller.run_once().wrote
    t = harness.table(R.REG)
    h = t[0]
    cells = dict(zip(h, t[2]))
    assert re.search(says, R.text_of(cells["[Sistem] Catatan"]), re.I)
    assert not R.sheet_problems({R.REG: t, "Antrian": harness.table("Antrian"), "Riwayat": harness.table("Riwayat")})
    for i in (0, 2):  # the neighbours are untouched
        assert R.text_of(dict(zip(h, t[1 + i]))["[Sistem] Status"]) == "MENUNGGU VERIFIKASI"
