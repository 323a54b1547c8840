"""Build one week's report files and the email that carries them.

``build_week_report`` is deterministic: the same history rows and week give the
same bytes (charts, HTML, XLSX), and files whose content is unchanged are not
rewritten. Sending is the caller's business (the mail journal keeps it exactly-once
per ``report/<week>`` key).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from bukutamu.config import Settings
from bukutamu.core.cells import text
from bukutamu.core.mail import Attachment, InlineImage, OutgoingMail
from bukutamu.core.officers import Officer
from bukutamu.core.schema import OFFICER_COLUMNS, normalise_header, resolve_columns
from bukutamu.errors import SchemaError
from bukutamu.adapters.officehours import calendar_from_settings
from bukutamu.adapters.sopfile import load_sop
from bukutamu.report import render
from bukutamu.report.charts import CHART_FILES, all_charts
from bukutamu.report.history import history_frame
from bukutamu.report.metrics import Week, WeekMetrics, compute_week, parse_week
from bukutamu.report.skm import ikm, skm_scores

HTML_NAME, XLSX_NAME = "laporan.html", "laporan.xlsx"


@dataclass(frozen=True)
class WeekReport:
    week: Week
    folder: Path
    html_path: Path
    xlsx_path: Path
    chart_paths: dict[str, Path]
    charts: dict[str, bytes]
    xlsx: bytes
    email_html: str
    email_text: str
    office: str
    metrics: WeekMetrics


def _split(table: Any) -> tuple[Sequence[Any], Sequence[Sequence[Any]]]:
    """A sheet ``Tab`` (header + rows) or a list whose first item is the header."""
    if table is None:
        return (), ()
    if hasattr(table, "header") and hasattr(table, "rows"):
        return table.header, table.rows
    table = list(table)
    return (table[0], table[1:]) if table else ((), ())


def _write(path: Path, data: bytes) -> None:
    """Atomic write; an unchanged file is left alone."""
    from bukutamu.adapters.files import faults
    with faults(path, "berkas laporan"):
        _write_file(path, data)


def _write_file(path: Path, data: bytes) -> None:
    if path.exists() and path.read_bytes() == data:
        return
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix="." + path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), 0o644)  # mkstemp makes 0600; a report is for sharing
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_roster(table: Any, tab: str = "Petugas") -> list[Officer]:
    """The Petugas tab (header + rows) -> officers; an absent or unreadable tab gives none."""
    header, rows = _split(table)
    if not header:
        return []
    try:
        cols = resolve_columns(tab, header, OFFICER_COLUMNS)
    except SchemaError:
        return []
    out = []
    for r in rows:
        values = tuple(getattr(r, "values", r))
        get = {k: text(values[i]) if i < len(values) else "" for k, i in cols.index.items()}
        if not get.get("email") and not get.get("nama"):
            continue
        active = normalise_header(get.get("aktif", "ya") or "ya") not in ("tidak", "no", "false", "0", "nonaktif")
        out.append(Officer(get.get("nama", ""), get.get("bidang", ""), get.get("email", ""), active,
                           get.get("email_cadangan", "")))
    return out


def build_week_report(history_rows: Any, skm_rows: Any, week: str | Week, settings: Settings,
                      out_dir: str | os.PathLike | None = None, officer_rows: Any = None) -> WeekReport:
    """Compute the week's metrics and write reports/<YYYY>-W<ww>/ (laporan.html, laporan.xlsx, PNGs).
    ``officer_rows``: the Petugas tab (every active officer is listed, backups credited)."""
    week = parse_week(week) if isinstance(week, str) else week
    sop = load_sop(settings.sop_path)
    calendar = calendar_from_settings(settings)
    tz = settings.office.time_zone
    header, rows = _split(history_rows)
    events = history_frame(header, rows, tz, sop, tab=settings.tabs.history)
    skm_header, skm_data = _split(skm_rows)
    result = None
    if skm_header:
        start, end = week.bounds(tz)
        scores, columns, notes = skm_scores(skm_header, skm_data, tz, start, end)
        result = ikm(scores, columns, notes)
    metrics = compute_week(events, week, sop=sop, calendar=calendar, target=settings.office.sla_target_percent,
                           trend_weeks=settings.report.trend_weeks, poll_seconds=settings.poll.interval_seconds,
                           ikm=result, officers=read_roster(officer_rows, settings.tabs.officers))
    office = settings.office.name
    note = render.calendar_description(calendar)
    charts = all_charts(metrics)
    html = render.archive_html(metrics, charts, office=office, calendar_note=note)
    xlsx = render.workbook_bytes(metrics, office=office, calendar_note=note)

    folder = Path(out_dir if out_dir is not None else settings.report.folder) / week.label
    from bukutamu.adapters.files import shared_dir  # aggregate figures, meant to be shared: 0755/0644
    shared_dir(folder)
    chart_paths = {k: folder / CHART_FILES[k] for k in charts}
    for k, data in charts.items():
        _write(chart_paths[k], data)
    _write(folder / HTML_NAME, html.encode("utf-8"))
    _write(folder / XLSX_NAME, xlsx)
    return WeekReport(
        week=week, folder=folder, html_path=folder / HTML_NAME, xlsx_path=folder / XLSX_NAME,
        chart_paths=chart_paths, charts=charts, xlsx=xlsx,
        email_html=render.email_html(metrics, office=office, calendar_note=note),
        email_text=render.email_text(metrics, office), office=office, metrics=metrics)


def report_mail(report: WeekReport, recipients: Sequence[str]) -> OutgoingMail:
    """The weekly email: HTML body with the charts inline (CID) and the XLSX attached."""
    m = report.metrics
    subject = (f"Laporan SLA Pelayanan Tamu {m.week.label}: capaian petugas & helpdesk "
               f"{render.pct(m.headline['capaian_petugas'])} (target {render.num(m.target, 0)}%; semua langkah "
               f"{render.pct(m.headline['capaian'])})")
    return OutgoingMail(
        key=f"report/{m.week.label}",
        to=tuple(recipients),
        subject=subject,
        html=report.email_html,
        text=report.email_text,
        inline_images=tuple(InlineImage(render.cid_of(k, m), CHART_FILES[k], data)
                            for k, data in report.charts.items()),
        attachments=(Attachment(render.attachment_name(m), report.xlsx, render.XLSX_MIME),),
    )
