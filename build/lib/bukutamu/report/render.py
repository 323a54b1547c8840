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

from bukutamu.core.officehours import OfficeCalendar
from bukutamu.report.charts import CHART_FILES
from bukutamu.report.metrics import AMBER_BAND, WeekMetrics
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


def _card(title: str, value: str, sub: str = "", bg: str = "#ffffff") -> str:
    return (f'<td style="{FONT}border:1px solid #cfd8dc;background:{bg};padding:8px;text-align:center;'
            f'width:20%;"><div style="font-size:11px;color:#546e7a;">{escape(title)}</div>'
            f'<div style="font-size:22px;font-weight:bold;color:#263238;">{escape(value)}</div>'
            f'<div style="font-size:11px;color:#546e7a;">{escape(sub)}</div></td>')


def summary_sentence(m: WeekMetrics) -> str:
    h = m.headline
    text = (f"Minggu ini {whole(h['kunjungan'])} tamu datang: {whole(h['selesai'])} selesai, "
            f"{whole(h['batal'])} pergi sebelum selesai, {whole(h['berjalan'])} masih berjalan di akhir minggu. ")
    if _missing(h["capaian"]):
        return text + "Belum ada langkah yang terukur minggu ini."
    text += f"Capaian standar waktu {pct(h['capaian'])} (target {num(h['target'], 0)}%)"
    delta = h["perubahan"]
    if _missing(delta):
        text += "."
    elif abs(delta) < 0.05:
        text += ", sama dengan minggu lalu."
    else:
        text += f", {'naik' if delta > 0 else 'turun'} {num(abs(delta))} poin dari minggu lalu ({pct(h['capaian_minggu_lalu'])})."
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
    steps = m.steps.assign(Uraian=[u + (f" ({c.split(':')[0].split(',')[0]})" if c else "")
                                   for u, c in zip(m.steps["Uraian"], m.steps["Catatan"])])
    steps = steps[["Langkah", "Uraian", "Standar (menit)", "Diukur", "Terlambat", "Capaian (%)", "p50 (menit)",
                   "p90 (menit)", "Lintas hari", "Warna"]]
    delta = h["perubahan"]
    cards = "".join([
        _card("Kunjungan", whole(h["kunjungan"]), f"{whole(h['duplikat'])} duplikat tidak dihitung"),
        _card("Selesai", whole(h["selesai"]), f"{whole(h['berjalan'])} masih berjalan"),
        _card("Tamu pergi (batal)", whole(h["batal"]), "tidak dihitung ke capaian"),
        _card("Capaian standar waktu", pct(h["capaian"]), f"target {num(h['target'], 0)}%", BG[h["warna"]]),
        _card("Dibanding minggu lalu",
              "–" if _missing(delta) else ("+" if delta >= 0 else "−") + num(abs(delta)) + " poin",
              f"minggu lalu {pct(h['capaian_minggu_lalu'])}"),
    ])
    fb = m.feedback
    holidays = ", ".join(f"{long_date(d)} ({n})" for d, n in m.holidays) or "tidak ada"
    sections = [
        f'<h1 style="{FONT}font-size:20px;color:#263238;margin:0 0 4px 0;">Laporan SLA Pelayanan Tamu</h1>',
        f'<p style="{P}color:#546e7a;">{escape(office)} · {escape(week_title(m))}</p>',
        f'<table role="presentation" cellpadding="0" cellspacing="0" style="border-collapse:collapse;'
        f'width:100%;margin:8px 0;"><tr>{cards}</tr></table>',
        f'<p style="{P}">{escape(summary_sentence(m))}</p>',
        f'<h2 style="{H2}">1. Capaian per langkah SOP</h2>',
        f'<p style="{P}">Hijau: capaian ≥ target; kuning: kurang dari {num(AMBER_BAND, 0)} poin di bawah target; '
        "merah: lebih rendah lagi. Median (p50) dan p90 dalam menit kerja.</p>",
        _table(steps, {**minutes, "Diukur": whole, "Terlambat": whole, "Lintas hari": whole},
               colour_col="Warna", colour_target="Capaian (%)"),
        _img(image_src["capaian"], "Capaian per langkah"),
        _img(image_src["rentang"], "Rentang waktu p50 sampai p90 per langkah"),
        f'<h2 style="{H2}">2. Sepuluh keterlambatan terbesar</h2>',
        _table(m.worst, minutes),
        f'<h2 style="{H2}">3. Per bidang dan petugas</h2>',
        _table(m.bidang, {**minutes, "Kunjungan dilayani": whole, "Langkah 6-7 diukur": whole,
                          "Layanan ulang": whole}),
        _table(m.officers, {**minutes, "Kunjungan dilayani": whole, "Langkah 6-7 diukur": whole,
                            "Layanan ulang": whole}),
        f'<h2 style="{H2}">4. Kedatangan dan tren</h2>',
        _img(image_src["kedatangan"], "Kedatangan per hari dan jam"),
        _img(image_src["tren"], "Tren mingguan"),
        f'<h2 style="{H2}">5. Kualitas data</h2>',
        _table(m.quality, {"Jumlah": whole}),
        _table(m.ktp_errors, {"Jumlah": whole}),
        f'<p style="{P}">Tamu yang pergi sebelum selesai, menurut tahap:</p>',
        _table(m.abandonment, {"Jumlah": whole}),
        f'<h2 style="{H2}">6. Umpan balik dan Indeks Kepuasan Masyarakat</h2>',
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
        "(perbaikan data oleh tamu) adalah waktu tamu dan tidak dihitung ke capaian petugas. Capaian = tercapai "
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


def email_text(m: WeekMetrics, office: str) -> str:
    lines = [f"Laporan SLA Pelayanan Tamu – {office}", week_title(m), "", summary_sentence(m), "",
             "Capaian per langkah:"]
    for _, r in m.steps.iterrows():
        lines.append(f"- Langkah {int(r['Langkah'])} {r['Uraian']}: "
                     + (pct(r["Capaian (%)"]) if r["Diukur"] else (r["Catatan"] or "belum ada data"))
                     + (f", p50 {num(r['p50 (menit)'])} / p90 {num(r['p90 (menit)'])} menit" if r["Diukur"] else ""))
    lines += ["", "Rincian lengkap ada di badan email (HTML) dan lampiran laporan.xlsx."]
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
            out[c] = out[c].map(lambda v: round(v, XLSX_DECIMALS) if isinstance(v, float) else v)
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
    }).sort_values(["Selesai", "ID Kunjungan", "Langkah"], kind="mergesort", ignore_index=True)


def summary_frame(m: WeekMetrics, office: str, calendar_note: str) -> pd.DataFrame:
    h = m.headline
    rows = [("Kantor", office), ("Minggu", week_title(m)), ("Kunjungan", h["kunjungan"]),
            ("Selesai", h["selesai"]), ("Tamu pergi (batal)", h["batal"]), ("Masih berjalan", h["berjalan"]),
            ("Duplikat", h["duplikat"]), ("Langkah terukur", h["diukur"]), ("Langkah terlambat", h["terlambat"]),
            ("Capaian (%)", h["capaian"]), ("Target (%)", h["target"]),
            ("Capaian minggu lalu (%)", h["capaian_minggu_lalu"]), ("Perubahan (poin)", h["perubahan"]),
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


SHEETS = ("Ringkasan", "Per Langkah", "Terlambat Terbesar", "Per Bidang", "Per Petugas", "Kedatangan",
          "Tren Mingguan", "Kesalahan KTP", "Kualitas Data", "Tamu Pergi", "IKM", "Detail Langkah")


def workbook_bytes(m: WeekMetrics, *, office: str, calendar_note: str) -> bytes:
    """laporan.xlsx: one sheet per table, frozen header, filters, coloured attainment.

    Deterministic: fixed document dates (the Monday after the week) so the same week
    gives the same bytes.
    """
    heat = m.heatmap.copy()
    heat.insert(0, "Hari", heat.index)
    heat.columns = ["Hari"] + [f"{int(c):02d}" for c in heat.columns[1:]]
    frames = dict(zip(SHEETS, (
        summary_frame(m, office, calendar_note), m.steps, m.worst, m.bidang, m.officers, heat, m.trend,
        m.ktp_errors, m.quality, m.abandonment, ikm_frame(m.ikm), detail_frame(m))))
    buf = io.BytesIO()
    created = datetime.combine(m.week.sunday, time(0)) + pd.Timedelta(days=1)
    with pd.ExcelWriter(buf, engine="xlsxwriter", datetime_format="yyyy-mm-dd hh:mm:ss", date_format="yyyy-mm-dd",
                        engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False,
                                                   "strings_to_numbers": False}}) as xw:
        book = xw.book
        book.set_properties({"title": f"Laporan SLA Pelayanan Tamu {m.week.label}", "author": "bukutamu",
                             "company": office, "created": created})
        styles = {k: book.add_format({"bg_color": BG[k]}) for k in ("hijau", "kuning", "merah")}
        pct_fmt = book.add_format({"num_format": "0.0"})
        for name, df in frames.items():
            out = _for_excel(df)
            out.to_excel(xw, sheet_name=name, index=False)
            ws = xw.sheets[name]
            ws.freeze_panes(1, 0)
            ws.autofilter(0, 0, max(len(out), 1), max(len(out.columns) - 1, 0))
            for i, c in enumerate(out.columns):
                width = max([len(str(c))] + [len(str(v)) for v in out[c].head(200).tolist()])
                ws.set_column(i, i, min(max(width + 2, 8), 60),
                              pct_fmt if "(%)" in str(c) or "menit" in str(c).lower() else None)
            for i, c in enumerate(out.columns):
                if "Capaian" in str(c) and len(out):
                    _traffic_light(ws, i, len(out), m.target, styles)
            if name == "Kedatangan" and len(out):
                ws.conditional_format(1, 1, len(out), len(out.columns) - 1,
                                      {"type": "2_color_scale", "min_color": "#FFFFFF", "max_color": "#1565C0"})
    return buf.getvalue()


def _traffic_light(ws, col: int, rows: int, target: float, styles) -> None:
    rng = (1, col, rows, col)
    ws.conditional_format(*rng, {"type": "blanks", "stop_if_true": True, "format": None})
    ws.conditional_format(*rng, {"type": "cell", "criteria": ">=", "value": target, "format": styles["hijau"]})
    ws.conditional_format(*rng, {"type": "cell", "criteria": ">=", "value": target - AMBER_BAND,
                                 "format": styles["kuning"]})
    ws.conditional_format(*rng, {"type": "cell", "criteria": "<", "value": target - AMBER_BAND,
                                 "format": styles["merah"]})
