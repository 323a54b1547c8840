"""The weekly report's files and email, built from a synthetic office quarter."""

import base64
import importlib.util
import io
import re
import shutil
import subprocess
import zipfile
from datetime import date, datetime, timezone
from html.parser import HTMLParser
from xml.etree import ElementTree

import pytest

from bukutamu.config import Settings
from bukutamu.adapters.officehours import OfficeCalendar
from bukutamu.adapters.sopfile import load_sop
from bukutamu.report.build import build_week_report, report_mail
from bukutamu.report.charts import CHART_FILES
from bukutamu.report.render import SHEETS, XLSX_MIME
from bukutamu.report.synthetic import events_to_rows, synthetic_events, synthetic_skm

WEEK = "2026-W48"
SYNTHETIC_NIK = "6171010101909991"  # synthetic
# a NIK-like run of 16 digits; digits after a decimal point are a number's fraction (XlsxWriter
# writes 0.8876 as 0.8875999999999999), not an identifier
SIXTEEN_DIGITS = re.compile(rb"(?<![0-9.])[0-9]{16}(?![0-9])")
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


@pytest.fixture(scope="module")
def sheets():
    settings = Settings()
    sop = load_sop(settings.sop_path)
    cal = OfficeCalendar(settings.calendar, settings.office.time_zone)
    events = synthetic_events(3000, date(2026, 10, 26), date(2026, 11, 29), sop, cal, seed=7)
    header, rows = events_to_rows(events, sop)
    # a free-text note holding a NIK must not leak into any output
    rows.append(("20261124-A999", "A999", 2, None, "PERLU PERBAIKAN", rows[-1][5] - 4, "formulir", 1, None, None,
                 f"NIK {SYNTHETIC_NIK} tidak cocok"))
    skm = synthetic_skm(events, seed=3)
    return settings, [header, *rows], [skm[0], *skm[1]]


@pytest.fixture(scope="module")
def report(sheets, tmp_path_factory):
    settings, history, skm = sheets
    return build_week_report(history, skm, WEEK, settings, tmp_path_factory.mktemp("reports"))


class Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.srcs, self.tags = [], set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag == "img":
            self.srcs.append(dict(attrs)["src"])


def parse(html: str) -> Images:
    p = Images()
    p.feed(html)
    p.close()
    return p


def test_files_are_written_under_the_week_folder(report):
    assert report.folder.name == WEEK
    names = {p.name for p in report.folder.iterdir()}
    assert names == {"laporan.html", "laporan.xlsx", *CHART_FILES.values()}
    for key, path in report.chart_paths.items():
        assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
        assert path.read_bytes() == report.charts[key]


def test_archive_html_is_self_contained(report):
    html = report.html_path.read_text(encoding="utf-8")
    page = parse(html)
    assert len(page.srcs) == len(CHART_FILES)
    on_disk = {p.read_bytes() for p in report.chart_paths.values()}
    for src in page.srcs:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1]) in on_disk
    assert not {"script", "svg", "link", "iframe"} & page.tags
    assert 'lang="id"' in html and "Laporan SLA Pelayanan Tamu" in html


def test_email_body_uses_cid_images_and_stays_small(report):
    mail = report_mail(report, ["kabag@bukutamu.invalid"])
    page = parse(mail.html)
    cids = {i.cid for i in mail.inline_images}
    assert {s.removeprefix("cid:") for s in page.srcs} == cids and len(cids) == len(CHART_FILES)
    assert all(s.startswith("cid:") for s in page.srcs)
    assert "data:" not in mail.html
    assert not {"script", "svg", "style", "link"} & page.tags
    assert len(mail.html.encode("utf-8")) < 102 * 1024  # Gmail clips larger bodies
    assert "<table" in mail.html and 'style="' in mail.html
    assert mail.key == f"report/{WEEK}" and mail.to == ("kabag@bukutamu.invalid",)
    assert {i.data for i in mail.inline_images} == set(report.charts.values())
    (xlsx,) = mail.attachments
    assert xlsx.mime_type == XLSX_MIME and xlsx.data == report.xlsx_path.read_bytes()
    assert xlsx.filename.endswith(".xlsx")
    assert mail.text and "Capaian" in mail.text


def test_email_is_multipart_related_with_the_xlsx_attached(report):
    from bukutamu.adapters.mail.mime import build_message

    mail = report_mail(report, ["kabag@bukutamu.invalid"])
    msg = build_message(mail, "bukutamu@bukutamu.invalid", "Buku Tamu",
                        datetime(2026, 11, 30, 0, 0, tzinfo=timezone.utc))
    types = [p.get_content_type() for p in msg.walk()]
    assert types[0] == "multipart/mixed" and "multipart/related" in types
    related = next(p for p in msg.walk() if p.get_content_type() == "multipart/related")
    content_ids = {p["Content-ID"].strip("<>") for p in related.iter_parts() if p.get_content_type() == "image/png"}
    assert content_ids == {i.cid for i in mail.inline_images}
    attached = [p for p in msg.walk() if p.get_content_disposition() == "attachment"]
    assert [p.get_content_type() for p in attached] == [XLSX_MIME]
    assert attached[0].get_payload(decode=True) == report.xlsx


def _xlsx_sheets(data: bytes) -> dict[str, list[str]]:
    """Sheet name -> header row, read from the OOXML parts (no spreadsheet library needed)."""
    z = zipfile.ZipFile(io.BytesIO(data))
    assert z.testzip() is None
    shared = [("".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")))
              for si in ElementTree.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS)]
    book = ElementTree.fromstring(z.read("xl/workbook.xml"))
    out = {}
    for i, sheet in enumerate(book.find("m:sheets", NS), 1):
        ws = ElementTree.fromstring(z.read(f"xl/worksheets/sheet{i}.xml"))
        first = ws.find("m:sheetData/m:row", NS)
        out[sheet.get("name")] = [shared[int(c.find("m:v", NS).text)] for c in first.findall("m:c", NS)]
        assert ws.find("m:sheetViews/m:sheetView/m:pane", NS).get("state") == "frozen"
        assert ws.find("m:autoFilter", NS) is not None
    return out


def test_xlsx_has_the_expected_sheets_and_columns(report):
    sheets = _xlsx_sheets(report.xlsx_path.read_bytes())
    assert list(sheets) == list(SHEETS)
    assert sheets["Per Langkah"][:5] == ["Langkah", "Uraian", "Pelaku", "Waktu siapa", "Standar (menit)"]
    assert {"Capaian (%)", "p50 (menit)", "p90 (menit)"} <= set(sheets["Per Langkah"])
    assert sheets["Terlambat Terbesar"] == ["No. Antrian", "Tanggal", "Langkah", "Petugas/Pelaku", "Menit",
                                            "Standar (menit)", "Lewat (menit)", "Lintas hari"]
    assert sheets["Detail Langkah"][:3] == ["ID Kunjungan", "No. Antrian", "Langkah"]
    assert sheets["IKM"][:2] == ["Kode", "Unsur"]
    assert not any("NIK" in h for hs in sheets.values() for h in hs)
    with zipfile.ZipFile(report.xlsx_path) as z:
        per_step = z.read("xl/worksheets/sheet2.xml")
    assert b"<conditionalFormatting" in per_step


@pytest.mark.skipif(not any(importlib.util.find_spec(m) for m in ("openpyxl", "python_calamine")),
                    reason="no XLSX reader engine installed for pandas")
def test_xlsx_reads_back_with_pandas(report):
    import pandas as pd

    book = pd.read_excel(report.xlsx_path, sheet_name=None)
    assert list(book) == list(SHEETS)
    assert len(book["Per Langkah"]) == 8


def test_no_sixteen_digit_number_in_any_output(report):
    mail = report_mail(report, ["kabag@bukutamu.invalid"])
    texts = [report.html_path.read_bytes(), mail.html.encode(), mail.text.encode(), mail.subject.encode()]
    with zipfile.ZipFile(report.xlsx_path) as z:
        texts += [z.read(n) for n in z.namelist()]
    for blob in texts:
        assert not SIXTEEN_DIGITS.search(blob)
    assert "[angka] tidak cocok" in report.html_path.read_text(encoding="utf-8")  # the note, masked


def test_ikm_is_in_the_report(report):
    ikm = report.metrics.ikm
    assert ikm is not None and ikm.respondents > 0 and ikm.grade is not None
    assert f"mutu pelayanan {ikm.grade[0]}" in report.html_path.read_text(encoding="utf-8")


def test_generating_a_week_twice_gives_the_same_files(sheets, report, tmp_path):
    settings, history, skm = sheets
    again = build_week_report(history, skm, WEEK, settings, tmp_path)
    for name in ("laporan.html", "laporan.xlsx", *CHART_FILES.values()):
        assert (again.folder / name).read_bytes() == (report.folder / name).read_bytes(), name
    assert report_mail(again, ["a@b.invalid"]) == report_mail(report, ["a@b.invalid"])
    # regenerating in place rewrites nothing
    before = {p.name: p.stat().st_mtime_ns for p in again.folder.iterdir()}
    build_week_report(history, skm, WEEK, settings, tmp_path)
    assert {p.name: p.stat().st_mtime_ns for p in again.folder.iterdir()} == before


def test_a_week_without_visits_still_renders(sheets, tmp_path):
    settings, history, _ = sheets
    empty = build_week_report(history[:1], None, "2026-W10", settings, tmp_path)
    assert empty.metrics.headline["kunjungan"] == 0
    assert "Belum ada jawaban Survei Kepuasan Masyarakat" in empty.html_path.read_text(encoding="utf-8")
    assert len(parse(empty.email_html).srcs) == len(CHART_FILES)


@pytest.mark.skipif(shutil.which("chromium") is None, reason="headless Chromium not installed")
def test_archive_renders_in_headless_chromium_within_its_width(report, tmp_path):
    from PIL import Image  # installed with matplotlib

    shot = tmp_path / "laporan.png"
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    "--window-size=800,3000", f"--screenshot={shot}", report.html_path.as_uri()],
                   check=True, capture_output=True, timeout=120)
    import numpy as np

    pixels = np.asarray(Image.open(shot).convert("RGB"))
    assert pixels.shape == (3000, 800, 3)
    # The page is 760 px wide on a #f5f7f8 background: a table too wide for it would
    # spill into the right margin.
    assert (pixels[:, 785:] == (0xF5, 0xF7, 0xF8)).all()
    # and something was drawn inside it
    assert len(np.unique(pixels[:, 40:760].reshape(-1, 3), axis=0)) > 50
