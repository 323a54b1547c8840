"""The weekly report as HTML (archive and email body), plain text and XLSX.

One HTML template for both: the archive embeds the charts as base64 ``data:`` URIs,
the email refers to them as ``cid:`` inline parts (Gmail and Outlook do not show
``data:`` images). Email-safe: table layout, inline CSS, no scripts, no SVG. All
text Indonesian; every value from the data is HTML-escaped.
"""

from __future__ import annotations

import base64
import io
from datetime import date, datetime, time
from decimal import Decimal
from html import escape
from typing import Callable, Mapping

import numpy as np
import pandas as pd

from bukutamu.adapters.officehours import OfficeCalendar
from bukutamu.core.text import clean_text, sheet_safe
from bukutamu.report.charts import CHART_FILES
from bukutamu.report.metrics import AMBER_BAND, COUNT_LABELS, NO_DATA, WeekMetrics
from bukutamu.report.skm import IkmResult, round_half_up

MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
          "Oktober", "November", "Desember")
ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
BG = {"hijau": "#c8e6c9", "kuning": "#fff3c4", "merah": "#ffcdd2", "": "#ffffff"}
FONT = "font-family:Arial,Helvetica,sans-serif;"
# Cells repeat their style (email clients ignore inherited CSS): keep them short (Gmail clips at 102 KB).
TH = "font:bold 12px Arial,sans-serif;background:#eceff1;border:1px solid #cfd8dc;padding:3px 5px;"
TD = "font:12px Arial,sans-serif;border:1px solid #cfd8dc;padding:3px 5px;"
H2 = f"{FONT}font-size:16px;color:#263238;margin:22px 0 8px 0;"
P = f"{FONT}font-size:13px;color:#263238;line-height:1.45;margin:6px 0;"
OPEN_ROWS_SHOWN = 25  # the oldest open visits in the body (Gmail clips long bodies); all of them in the XLSX
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- formatting (Indonesian: decimal comma, thousands dot) ----------------------------

def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and x != x) or x is pd.NA or x is pd.NaT


def num(x, digits: int = 1) -> str:
    if _missing(x):
        return "–"
    s = f"{float(x):,.{digits}f}"
    return s.replace(",", "\0").replace(".", ",").replace("\0", ".")


def whole(x) -> str:
    return "–" if _missing(x) else num(int(x), 0)


def pct(x, digits: int = 1) -> str:
    return "–" if _missing(x) else num(x, digits) + "%"


def dec(d: Decimal) -> str:
    return str(d).replace(".", ",")


def long_date(d: date) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def hm(t: time) -> str:
    return f"{t.hour:02d}.{t.minute:02d}"


def week_title(m: WeekMetrics) -> str:
    a, b = m.week.monday, m.week.sunday
    return f"Minggu {m.week.label} ({long_date(a)} – {long_date(b)})"


def calendar_description(cal: OfficeCalendar) -> str:
    s = cal.settings
    zone = ZONE_NAMES.get(cal.time_zone, cal.time_zone)
    parts = [f"Senin–Kamis {hm(s.mon_thu[0])}–{hm(s.mon_thu[1])}, Jumat {hm(s.fri[0])}–{hm(s.fri[1])} {zone}",
             "hari libur nasional" + (" dan cuti bersama" if s.cuti_bersama else "") + " tidak dihitung"]
    if s.lunch:
        parts.append(f"jam istirahat {hm(s.lunch[0])}–{hm(s.lunch[1])} menghentikan jam")
    else:
        parts.append("jam istirahat tidak menghentikan jam")
    if s.ramadan:
        parts.append(f"bulan Ramadan ({s.ramadan[0]} s.d. {s.ramadan[1]}): "
                     f"{hm(s.ramadan_hours[0])}–{hm(s.ramadan_hours[1])}, "
                     f"Jumat {hm(s.ramadan_friday[0])}–{hm(s.ramadan_friday[1])}")
    return "; ".join(parts) + "."


# --- HTML pieces --------------------------------------------------------------------

def _table(df: pd.DataFrame, formats: Mapping[str, Callable] | None = None,
           colour_col: str | None = None, colour_target: str | None = None) -> str:
    """A DataFrame as an email-safe HTML table; ``colour_col`` names the column whose
    values ("hijau"/"kuning"/"merah") colour the cell ``colour_target``."""
    formats = formats or {}
    cols = [c for c in df.columns if c != colour_col]
    head = "".join(f'<th align=left style="{TH}">{escape(str(c))}</th>' for c in cols)
    body = []
    for _, row in df.iterrows():
        cells = []
        for c in cols:
            v = row[c]
            shown = formats[c](v) if c in formats else ("" if _missing(v) else str(v))
            style = TD
            if colour_col and c == colour_target:
                style += f"background:{BG.get(row[colour_col], '#ffffff')};font-weight:bold;"
            right = isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
            cells.append(f'<td{" align=right" if right else ""} style="{style}">{escape(shown)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    if not body:
        body.append(f'<tr><td style="{TD}" colspan="{len(cols)}">Tidak ada data.</td></tr>')
    return (f'<table role="presentation" cellpadding="0" cellspacing="0" '
            f'style="border-collapse:collapse;width:100%;margin:4px 0 10px 0;">'
            f"<tr>{head}</tr>{''.join(body)}</table>")


def _img(src: str, alt: str) -> str:
    return (f'<img src="{escape(src)}" alt="{escape(alt)}" width="720" '
            f'style="display:block;width:100%;max-width:720px;height:auto;border:0;margin:6px 0;">')


def _card(title: str, value: str, sub: str = "", bg: str = "#ffffff", width: int = 20) -> str:
    return (f'<td style="{FONT}border:1px solid #cfd8dc;background:{bg};padding:8px;text-align:center;'
            f'width:{width}%;"><div style="font-size:11px;color:#546e7a;">{escape(title)}</div>'
            f'<div style="font-size:22px;font-weight:bold;color:#263238;">{escape(value)}</div>'
            f'<div style="font-size:11px;color:#546e7a;">{escape(sub)}</div></td>')


def counts_line(h: Mapping) -> str:
    """The week's counts (``metrics.visit_counts``), labelled, for the report, the CLI and the demo."""
    return (f"{COUNT_LABELS['pendaftaran']} {whole(h['pendaftaran'])} = {whole(h['kunjungan'])} kunjungan + "
            f"{whole(h['duplikat'])} duplikat; kunjungan: {whole(h['selesai'])} selesai, "
            f"{whole(h['batal'])} tamu pergi, {whole(h['berjalan'])} masih berjalan di akhir minggu.")


def staff_steps_text(m: WeekMetrics) -> str:
    return ", ".join(str(n) for n in m.staff_steps)


def summary_sentence(m: WeekMetrics) -> str:
    h = m.headline
    text = (f"Minggu ini {whole(h['kunjungan'])} tamu datang: {whole(h['selesai'])} selesai, "
            f"{whole(h['batal'])} pergi sebelum selesai, {whole(h['berjalan'])} masih berjalan di akhir minggu. ")
    if not _missing(h.get("tunggu_p50")):
        text += (f"Lama kunjungan (datang sampai selesai) median {num(h['tunggu_p50'])} menit kerja, "
                 f"p90 {num(h['tunggu_p90'])} menit. ")
    if _missing(h["capaian"]):
        return text + "Belum ada langkah yang terukur minggu ini."
    staff = h["capaian_petugas"]
    if _missing(staff):
        text += f"Capaian standar waktu semua langkah {pct(h['capaian'])} (target {num(h['target'], 0)}%)."
    else:
        text += (f"Capaian standar waktu petugas dan helpdesk (langkah {staff_steps_text(m)}) {pct(staff)} "
                 f"(target {num(h['target'], 0)}%)")
        delta = h["perubahan_petugas"]
        if _missing(delta):
            text += "."
        elif abs(delta) < 0.05:
            text += ", sama dengan minggu lalu."
        else:
            text += (f", {'naik' if delta > 0 else 'turun'} {num(abs(delta))} poin dari minggu lalu "
                     f"({pct(h['capaian_petugas_minggu_lalu'])}).")
        text += f" Semua langkah, termasuk email otomatis dan waktu tamu: {pct(h['capaian'])}."
    staff = m.steps[(m.steps["Diukur"] > 0) & (m.steps["Warna"] != "")]
    if len(staff):
        low = staff.sort_values(["Capaian (%)", "Langkah"], kind="mergesort").iloc[0]
        if low["Capaian (%)"] < m.target:
            text += (f" Capaian terendah: langkah {int(low['Langkah'])} ({low['Uraian']}) "
                     f"{pct(low['Capaian (%)'])}.")
    return text


def _ikm_html(ikm: IkmResult | None) -> str:
    if ikm is None or ikm.respondents == 0:
        return f'<p style="{P}">Belum ada jawaban Survei Kepuasan Masyarakat (SKM) minggu ini.</p>'
    rows = pd.DataFrame([{
        "Unsur": f"{e.code} {e.name}", "Kolom di formulir": e.column, "Jumlah nilai": e.total,
        "Jawaban terisi": e.answers,
        "NRR": dec(round_half_up(e.nrr, 3)) if e.nrr is not None else "–",
        "NRR tertimbang": dec(round_half_up(e.weighted, 3)) if e.weighted is not None else "–",
    } for e in ikm.elements])
    if (rows["Unsur"] == rows["Kolom di formulir"]).all():  # shown only when a form orders them differently
        rows = rows.drop(columns=["Kolom di formulir"])
    out = [f'<p style="{P}">Responden SKM minggu ini: {whole(ikm.respondents)}. '
           "Perhitungan sesuai Permen PANRB No. 14 Tahun 2017: NRR = jumlah nilai ÷ jawaban terisi per unsur; "
           "NRR tertimbang = NRR × 1/9; IKM = jumlah NRR tertimbang; IKM konversi = IKM × 25.</p>",
           _table(rows, {"Jumlah nilai": whole, "Jawaban terisi": whole})]
    if ikm.ikm is not None:
        grade, label = ikm.grade
        out.append(f'<p style="{P}"><b>IKM {dec(round_half_up(ikm.ikm, 3))}; konversi '
                   f"{dec(round_half_up(ikm.konversi, 2))}; mutu pelayanan {grade} ({label}).</b></p>")
    out += [f'<p style="{P}">{escape(n)}</p>' for n in ikm.notes]
    return "".join(out)


def report_html(m: WeekMetrics, image_src: Mapping[str, str], *, office: str, calendar_note: str,
                for_email: bool) -> str:
    """The report as one HTML document; ``image_src`` maps chart keys to an img src."""
    h = m.headline
    minutes = {c: (lambda v: num(v, 1)) for c in ("p50 (menit)", "p90 (menit)", "Menit", "Lewat (menit)",
                                                     "p50 layanan (menit)")}
    minutes.update({"Standar (menit)": lambda v: num(v, 0), "Capaian (%)": pct, "Capaian 6-7 (%)": pct,
                    "Rasio ulang (%)": pct, "Tanggal": lambda d: d.strftime("%d/%m/%Y") if not _missing(d) else ""})
    for frame in (m.officers, m.waiting):
        for c in frame.columns:
            if "(menit)" in c:
                minutes[c] = lambda v: num(v, 1)
            elif "(%)" in c:
                minutes[c] = pct
            elif c.endswith("diukur") or c in ("Kunjungan dilayani", "Layanan ulang", "Kunjungan selesai"):
                minutes[c] = whole
    steps = m.steps.assign(Uraian=[u + (f" ({c.split(':')[0].split(',')[0]})" if c else "")
                                   for u, c in zip(m.steps["Uraian"], m.steps["Catatan"])])
    steps = steps[["Langkah", "Uraian", "Waktu siapa", "Standar (menit)", "Diukur", "Terlambat", "Capaian (%)",
                   "p50 (menit)", "p90 (menit)", "Lintas hari", "Warna"]]
    delta = h["perubahan_petugas"]
    cards = "".join([
        _card("Kunjungan", whole(h["kunjungan"]), f"{whole(h['duplikat'])} duplikat tidak dihitung", width=16),
        _card("Selesai", whole(h["selesai"]), f"{whole(h['berjalan'])} masih berjalan", width=16),
        _card("Tamu pergi (batal)", whole(h["batal"]), "tidak dihitung ke capaian", width=16),
        _card("Capaian petugas & helpdesk", pct(h["capaian_petugas"]),
              f"langkah {staff_steps_text(m)}; target {num(h['target'], 0)}%", BG[h["warna"]], width=18),
        _card("Capaian semua langkah", pct(h["capaian"]), "termasuk L5 otomatis & L8 waktu tamu", width=18),
        _card("Dibanding minggu lalu",
              "–" if _missing(delta) else ("+" if delta >= 0 else "−") + num(abs(delta)) + " poin",
              "petugas & helpdesk; minggu lalu " + (NO_DATA if _missing(h["capaian_petugas_minggu_lalu"])
                                                    else pct(h["capaian_petugas_minggu_lalu"])), width=16),
    ])
    wait_cards = "".join([
        _card("Lama kunjungan p50 / p90", f"{num(h['tunggu_p50'])} / {num(h['tunggu_p90'])}",
              "menit kerja, datang s.d. selesai; minggu lalu " + (
                  NO_DATA if _missing(h["tunggu_p50_minggu_lalu"]) else
                  f"{num(h['tunggu_p50_minggu_lalu'])} / {num(h['tunggu_p90_minggu_lalu'])}"), width=34),
        _card("Tunggu helpdesk (L3) p50 / p90", f"{num(h['helpdesk_p50'])} / {num(h['helpdesk_p90'])}",
              "menit kerja, datang s.d. KTP dicocokkan", width=33),
        _card("Belum selesai di akhir minggu", whole(h["terbuka"]),
              f"{whole(h['terbuka_lama'])} di antaranya datang sebelum minggu ini", width=33),
    ])
    waiting = m.waiting.assign(Periode=[p + (f" {d:%d/%m}" if not _missing(d) else "")
                                        for p, d in zip(m.waiting["Periode"], m.waiting["Tanggal"])]
                               ).drop(columns=["Tanggal"]) if len(m.waiting) else m.waiting
    shown_open = m.open.head(OPEN_ROWS_SHOWN)
    opened = shown_open.assign(**{
        "Datang": [f"{t:%d/%m %H.%M}" for t in shown_open["Datang"]],
        "Status sejak": [f"{t:%d/%m %H.%M}" for t in shown_open["Status sejak"]]}) if len(m.open) else m.open
    more_open = (f'<p style="{P}">… dan {whole(len(m.open) - OPEN_ROWS_SHOWN)} kunjungan lain; daftar lengkap di '
                 'lembar "Belum Selesai" pada lampiran XLSX.</p>' if len(m.open) > OPEN_ROWS_SHOWN else "")
    fb = m.feedback
    holidays = ", ".join(f"{long_date(d)} ({n})" for d, n in m.holidays) or "tidak ada"
    sections = [
        f'<h1 style="{FONT}font-size:20px;color:#263238;margin:0 0 4px 0;">Laporan SLA Pelayanan Tamu</h1>',
        f'<p style="{P}color:#546e7a;">{escape(office)} · {escape(week_title(m))}</p>',
        f'<table role="presentation" cellpadding="0" cellspacing="0" style="border-collapse:collapse;'
        f'width:100%;margin:8px 0;"><tr>{cards}</tr></table>',
        f'<table role="presentation" cellpadding="0" cellspacing="0" style="border-collapse:collapse;'
        f'width:100%;margin:0 0 8px 0;"><tr>{wait_cards}</tr></table>',
        f'<p style="{P}">{escape(summary_sentence(m))}</p>',
        f'<p style="{P}color:#546e7a;">{escape(counts_line(h))}</p>',
        f'<h2 style="{H2}">1. Berapa lama tamu menunggu?</h2>',
        f'<p style="{P}">Lama kunjungan: dari mengisi buku tamu sampai kunjungan ditutup (SELESAI), kunjungan '
        "yang selesai pada hari itu; tunggu helpdesk: dari mengisi buku tamu sampai helpdesk mencocokkan KTP "
        "(langkah 3). Median (p50) dan p90 dalam menit kerja.</p>",
        _table(waiting, minutes),
        f'<h2 style="{H2}">2. Capaian per langkah SOP</h2>',
        f'<p style="{P}">Hijau: capaian ≥ target; kuning: kurang dari {num(AMBER_BAND, 0)} poin di bawah target; '
        "merah: lebih rendah lagi. Median (p50) dan p90 dalam menit kerja. Hanya langkah petugas dan helpdesk "
        f"(langkah {staff_steps_text(m)}) yang diberi warna dan masuk capaian petugas: langkah 5 adalah email "
        "otomatis dari program (selalu sekitar 0 menit), langkah 4 dan 8 adalah waktu tamu.</p>",
        _table(steps, {**minutes, "Diukur": whole, "Terlambat": whole, "Lintas hari": whole},
               colour_col="Warna", colour_target="Capaian (%)"),
        _img(image_src["capaian"], "Capaian per langkah"),
        _img(image_src["rentang"], "Rentang waktu p50 sampai p90 per langkah"),
        f'<h2 style="{H2}">3. Sepuluh keterlambatan terbesar</h2>',
        _table(m.worst, minutes),
        f'<h2 style="{H2}">4. Per bidang dan petugas</h2>',
        f'<p style="{P}">L6 = langkah 6, petugas menerima tamu (standar 5 menit); L7 = langkah 7, petugas '
        "melayani tamu (standar 60 menit); dihitung terpisah. Semua petugas aktif di tab Petugas ditampilkan, juga yang belum mendapat tamu. "
        "Tamu petugas yang tidak aktif dicatat atas nama alamat cadangan yang menanganinya.</p>",
        _table(m.bidang, minutes),
        _table(m.officers, minutes),
        f'<h2 style="{H2}">5. Kunjungan yang belum selesai</h2>',
        f'<p style="{P}">Kunjungan yang masih berjalan pada akhir minggu (Senin 00.00), dengan status, langkah '
        "yang ditunggu, dan umurnya sejak datang.</p>",
        _table(opened, {"Umur (hari)": lambda v: num(v, 1), "Menit kerja di status ini": lambda v: num(v, 0)}),
        more_open,
        f'<p style="{P}">Tamu yang pergi sebelum selesai, menurut langkah SOP yang sedang ditunggu dan petugas:</p>',
        _table(m.abandonment, {"Jumlah": whole}),
        f'<h2 style="{H2}">6. Kedatangan dan tren</h2>',
        _img(image_src["kedatangan"], "Kedatangan per hari dan jam"),
        _img(image_src["tren"], "Tren mingguan"),
        f'<h2 style="{H2}">7. Kualitas data</h2>',
        _table(m.quality, {"Jumlah": whole}),
        _table(m.ktp_errors, {"Jumlah": whole}),
        f'<h2 style="{H2}">8. Umpan balik dan Indeks Kepuasan Masyarakat</h2>',
        f'<p style="{P}">Ditanya pertama kali: {whole(fb["ditanya"])}; menjawab "cukup" pada pertanyaan pertama: '
        f'{whole(fb["cukup_pertama"])} ({pct(fb["persen_cukup_pertama"])}). Layanan diulang karena "tidak cukup": '
        f'{whole(fb["tidak_cukup"])} kali pada {whole(fb["kunjungan_ulang"])} kunjungan '
        f'(rasio ulang {pct(fb["rasio_ulang"])}).</p>',
        _ikm_html(m.ikm),
        f'<h2 style="{H2}">Catatan cara hitung</h2>',
        f'<p style="{P}">Jam SLA dihitung dalam menit kerja: {escape(calendar_note)} Hari libur minggu ini: '
        f"{escape(holidays)}. Kunjungan yang melewati jam tutup dilanjutkan pada hari kerja berikutnya "
        f'("lintas hari": {whole(h["lintas_hari"])} langkah minggu ini), bukan dihitung terlambat semalaman.</p>',
        f'<p style="{P}">Jam tiap langkah mulai saat langkah sebelumnya selesai dan berhenti saat langkah itu '
        "selesai; langkah 2 (mengisi buku tamu) tidak punya waktu mulai sehingga tidak terukur; langkah 4 "
        "(perbaikan data oleh tamu) dan langkah 8 (tamu menjawab umpan balik) adalah waktu tamu, langkah 5 "
        "adalah email otomatis dari program; ketiganya tidak dihitung ke capaian petugas & helpdesk. "
        "Capaian = tercapai "
        "÷ (tercapai + terlambat). Langkah dihitung pada minggu selesainya; kunjungan pada minggu datangnya, "
        "dengan status pada akhir minggu.</p>",
        f'<p style="{P}">{escape(m.precision)}</p>',
    ]
    title = f"Laporan SLA Pelayanan Tamu – {m.week.label}"
    width = "max-width:760px;" if not for_email else ""
    return ("<!DOCTYPE html>\n<html lang=\"id\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title></head>"
            f'<body style="margin:0;padding:0;background:#f5f7f8;">'
            f'<table role="presentation" cellpadding="0" cellspacing="0" width="100%" '
            f'style="border-collapse:collapse;background:#f5f7f8;"><tr><td align="center" style="padding:12px;">'
            f'<table role="presentation" cellpadding="0" cellspacing="0" width="760" '
            f'style="border-collapse:collapse;width:760px;{width}background:#ffffff;"><tr>'
            f'<td style="padding:16px 20px;">' + "\n".join(sections)
            + "</td></tr></table></td></tr></table></body></html>\n")


def cid_of(key: str, m: WeekMetrics) -> str:
    return f"{key}.{m.week.label}@bukutamu"


def archive_html(m: WeekMetrics, charts: Mapping[str, bytes], *, office: str, calendar_note: str) -> str:
    src = {k: "data:image/png;base64," + base64.b64encode(v).decode("ascii") for k, v in charts.items()}
    return report_html(m, src, office=office, calendar_note=calendar_note, for_email=False)


def email_html(m: WeekMetrics, *, office: str, calendar_note: str) -> str:
    src = {k: "cid:" + cid_of(k, m) for k in CHART_FILES}
    return report_html(m, src, office=office, calendar_note=calendar_note, for_email=True)


def attachment_name(m: WeekMetrics) -> str:
    """The XLSX's name as attached to the email (the archive keeps laporan.xlsx)."""
    return f"laporan_SLA_{m.week.label}.xlsx"


def email_text(m: WeekMetrics, office: str) -> str:
    lines = [f"Laporan SLA Pelayanan Tamu – {office}", week_title(m), "", summary_sentence(m), counts_line(m.headline),
             "", "Capaian per langkah:"]
    for _, r in m.steps.iterrows():
        whose = "" if r["Waktu siapa"] == "petugas/helpdesk" or not r["Diukur"] else f" [{r['Waktu siapa']}]"
        lines.append(f"- Langkah {int(r['Langkah'])} {r['Uraian']}{whose}: "
                     + (pct(r["Capaian (%)"]) if r["Diukur"] else (r["Catatan"] or "belum ada data"))
                     + (f", p50 {num(r['p50 (menit)'])} / p90 {num(r['p90 (menit)'])} menit" if r["Diukur"] else ""))
    lines += ["", f"Rincian lengkap ada di badan email (HTML) dan lampiran {attachment_name(m)}."]
    return "\n".join(lines) + "\n"


# --- XLSX ------------------------------------------------------------------------------

XLSX_DECIMALS = 4


def _for_excel(df: pd.DataFrame) -> pd.DataFrame:
    """Excel has no time zones: aware times become office wall clock. Floats are rounded
    to XLSX_DECIMALS (display precision; no long digit runs in the file)."""
    out = df.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.DatetimeTZDtype):
            out[c] = out[c].dt.tz_localize(None)
        elif isinstance(out[c].dtype, pd.CategoricalDtype):
            out[c] = out[c].astype(object)
        elif pd.api.types.is_float_dtype(out[c].dtype) or out[c].dtype == object:
            # Python's round is correctly rounded (numpy's can leave 0.07000000000000001)
            out[c] = out[c].map(lambda v: round(v, XLSX_DECIMALS) if isinstance(v, float)
                                else sheet_safe(clean_text(v, multiline=False)) if isinstance(v, str) else v)
    return out


def detail_frame(m: WeekMetrics) -> pd.DataFrame:
    iv = m.intervals
    return pd.DataFrame({
        "ID Kunjungan": iv["visit_id"].astype(str), "No. Antrian": iv["antrian"].astype(object),
        "Langkah": iv["langkah"].astype(int), "Putaran": iv["siklus"].astype(int),
        "Mulai": iv["mulai"], "Selesai": iv["selesai"], "Menit kerja": iv["menit"],
        "Standar (menit)": iv["standar"], "Hasil": iv["hasil"].astype(object),
        "Lewat (menit)": iv["lewat"], "Waktu tamu": np.where(iv["waktu_tamu"], "ya", ""),
        "Lintas hari": np.where(iv["lintas_hari"], "ya", ""), "Petugas": iv["petugas"].astype(object),
        "Bidang": iv["bidang"].astype(object),
        "Dihitung ke capaian": iv["dihitung"] if "dihitung" in iv else "",
    }).sort_values(["Selesai", "ID Kunjungan", "Langkah"], kind="mergesort", ignore_index=True)


def summary_frame(m: WeekMetrics, office: str, calendar_note: str) -> pd.DataFrame:
    h = m.headline
    staff = staff_steps_text(m)
    rows = [("Kantor", office), ("Minggu", week_title(m)),
            *[(label, h[key]) for key, label in COUNT_LABELS.items()],
            (f"Capaian petugas & helpdesk, langkah {staff} (%)", h["capaian_petugas"]),
            ("Capaian petugas & helpdesk minggu lalu (%)", h["capaian_petugas_minggu_lalu"]),
            ("Perubahan petugas & helpdesk (poin)", h["perubahan_petugas"]),
            ("Capaian semua langkah, termasuk L5 otomatis dan L8 waktu tamu (%)", h["capaian"]),
            ("Capaian semua langkah minggu lalu (%)", h["capaian_minggu_lalu"]),
            ("Langkah terukur", h["diukur"]), ("Langkah terlambat", h["terlambat"]), ("Target (%)", h["target"]),
            ("Lama kunjungan p50 (menit kerja)", h["tunggu_p50"]), ("Lama kunjungan p90 (menit kerja)", h["tunggu_p90"]),
            ("Tunggu helpdesk p50 (menit kerja)", h["helpdesk_p50"]),
            ("Tunggu helpdesk p90 (menit kerja)", h["helpdesk_p90"]),
            ("Belum selesai di akhir minggu (semua minggu)", h["terbuka"]),
            ("Langkah lintas hari", h["lintas_hari"]), ("Ringkasan", summary_sentence(m)),
            ("Jam kerja", calendar_note), ("Presisi", m.precision)]
    return pd.DataFrame(rows, columns=["Ukuran", "Nilai"])


def ikm_frame(ikm: IkmResult | None) -> pd.DataFrame:
    if ikm is None:
        return pd.DataFrame(columns=["Kode", "Unsur", "Kolom formulir", "Jumlah nilai", "Jawaban terisi",
                                     "NRR", "NRR tertimbang"])
    rows = [{"Kode": e.code, "Unsur": e.name, "Kolom formulir": e.column, "Jumlah nilai": e.total,
             "Jawaban terisi": e.answers, "NRR": float(e.nrr) if e.nrr is not None else np.nan,
             "NRR tertimbang": float(e.weighted) if e.weighted is not None else np.nan} for e in ikm.elements]
    if ikm.ikm is not None:
        grade, label = ikm.grade
        rows += [{"Kode": "IKM", "Unsur": "Jumlah NRR tertimbang", "NRR tertimbang": float(ikm.ikm)},
                 {"Kode": "Konversi", "Unsur": f"IKM × 25 = {dec(round_half_up(ikm.konversi, 2))}; "
                  f"mutu {grade} ({label})", "NRR tertimbang": float(ikm.konversi)}]
    return pd.DataFrame(rows)


SHEETS = ("Ringkasan", "Per Langkah", "Waktu Tunggu", "Terlambat Terbesar", "Per Bidang", "Per Petugas",
          "Belum Selesai", "Kedatangan", "Tren Mingguan", "Kesalahan KTP", "Kualitas Data", "Tamu Pergi", "IKM",
          "Detail Langkah")


def workbook_bytes(m: WeekMetrics, *, office: str, calendar_note: str) -> bytes:
    """laporan.xlsx: one sheet per table, frozen header, filters, coloured attainment.

    Deterministic: fixed document dates (the Monday after the week) so the same week
    gives the same bytes.
    """
    heat = m.heatmap.copy()
    heat.insert(0, "Hari", heat.index)
    heat.columns = ["Hari"] + [f"{int(c):02d}" for c in heat.columns[1:]]
    frames = dict(zip(SHEETS, (
        summary_frame(m, office, calendar_note), m.steps, m.waiting, m.worst, m.bidang, m.officers, m.open, heat,
        m.trend, m.ktp_errors, m.quality, m.abandonment, ikm_frame(m.ikm), detail_frame(m))))
    buf = io.BytesIO()
    created = datetime.combine(m.week.sunday, time(0)) + pd.Timedelta(days=1)
    with pd.ExcelWriter(buf, engine="xlsxwriter", datetime_format="yyyy-mm-dd hh:mm:ss", date_format="yyyy-mm-dd",
                        engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False,
                                                   "strings_to_numbers": False}}) as xw:
        book = xw.book
        book.set_properties({"title": f"Laporan SLA Pelayanan Tamu {m.week.label}", "author": "bukutamu",
                             "company": office, "created": created})
        styles = {k: book.add_format({"bg_color": BG[k]}) for k in ("hijau", "kuning", "merah")}
        pct_fmt = book.add_format({"num_format": "0.0%"})
        min_fmt = book.add_format({"num_format": "0.0"})
        for name, df in frames.items():
            out = _for_excel(_percent_as_fraction(df))
            out.to_excel(xw, sheet_name=name, index=False)
            ws = xw.sheets[name]
            ws.freeze_panes(1, 0)
            ws.autofilter(0, 0, max(len(out), 1), max(len(out.columns) - 1, 0))
            for i, c in enumerate(out.columns):
                width = max([len(str(c))] + [len(str(v)) for v in out[c].head(200).tolist()])
                ws.set_column(i, i, min(max(width + 2, 8), 60),
                              pct_fmt if "(%)" in str(c) else min_fmt if "menit" in str(c).lower() else None)
            if name == "Ringkasan":  # one column of mixed values: percentages and minutes cell by cell
                for r, (label, value) in enumerate(zip(out["Ukuran"], out["Nilai"]), 1):
                    if isinstance(value, float) and value == value and ("(%)" in label or "menit" in label):
                        ws.write_number(r, 1, value, pct_fmt if "(%)" in label else min_fmt)
            for i, c in enumerate(out.columns):
                if "capaian" in str(c).lower() and "(%)" in str(c) and len(out):
                    rows = [r for r, w in enumerate(out["Warna"], 1) if w] if "Warna" in out else None
                    _traffic_light(ws, i, len(out), m.target / 100, styles, rows)
            if name == "Kedatangan" and len(out):
                ws.conditional_format(1, 1, len(out), len(out.columns) - 1,
                                      {"type": "2_color_scale", "min_color": "#FFFFFF", "max_color": "#1565C0"})
    return buf.getvalue()


def _percent_as_fraction(df: pd.DataFrame) -> pd.DataFrame:
    """Percent columns (and the summary's percent rows) as fractions: Excel shows them with
    a percent number format, and they stay numbers a manager can compute with."""
    out = df.copy()
    for c in out.columns:
        if "(%)" in str(c):
            out[c] = pd.to_numeric(out[c], errors="coerce") / 100.0
    if list(out.columns) == ["Ukuran", "Nilai"]:
        out["Nilai"] = [v / 100.0 if "(%)" in str(k) and isinstance(v, (int, float)) and not isinstance(v, bool)
                        else v for k, v in zip(out["Ukuran"], out["Nilai"])]
    return out


def _traffic_light(ws, col: int, rows: int, target: float, styles, only: list[int] | None = None) -> None:
    """Green / amber / red against the target (fractions); ``only`` limits it to those rows
    (the per-step sheet colours staff steps only, like the HTML)."""
    band = AMBER_BAND / 100
    ranges = [(r, col, r, col) for r in only] if only is not None else [(1, col, rows, col)]
    for rng in ranges:
        ws.conditional_format(*rng, {"type": "blanks", "stop_if_true": True, "format": None})
        ws.conditional_format(*rng, {"type": "cell", "criteria": ">=", "value": target, "format": styles["hijau"]})
        ws.conditional_format(*rng, {"type": "cell", "criteria": ">=", "value": target - band,
                                     "format": styles["kuning"]})
        ws.conditional_format(*rng, {"type": "cell", "criteria": "<", "value": target - band,
                                     "format": styles["merah"]})
