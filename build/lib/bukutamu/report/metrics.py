"""Weekly SLA metrics from the step clocks (pandas, vectorised).

Which week a number belongs to (so a week regenerated later gives the same numbers):
- a step clock counts in the week it STOPPED (its completion); clocks still running at
  the week's end are not in that week;
- a visit counts in the week it ARRIVED, with its status as of the week's end
  (Monday 00:00 office time): SELESAI, BATAL, or still running;
- a visit abandoned (BATAL) before the week's end is left out of attainment and
  reported as abandonment; DUPLIKAT rows are reported under data quality only.

Attainment = met / (met + breached), a clock being breached when its office minutes
exceed the step's standard. Percentiles are pandas' default (linear interpolation).
Column names of the frames are the Indonesian labels the report shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from bukutamu.core.officehours import OfficeCalendar
from bukutamu.core.sop import Sop
from bukutamu.report.history import visits_and_intervals, zone_key
from bukutamu.report.skm import IkmResult
from bukutamu.core.ktp.findings import ERROR_LABELS

AMBER_BAND = 10.0  # percentage points below the target still shown amber
WEEKDAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
NO_OFFICER = "(tanpa petugas)"
_LONG_DIGITS = re.compile(r"\d{6,}")


# --- weeks ------------------------------------------------------------------------

@dataclass(frozen=True)
class Week:
    monday: date

    @property
    def label(self) -> str:
        y, w, _ = self.monday.isocalendar()
        return f"{y}-W{w:02d}"

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    def bounds(self, tz: str) -> tuple[pd.Timestamp, pd.Timestamp]:
        """[Monday 00:00, next Monday 00:00) on the office wall clock."""
        start = pd.Timestamp(self.monday).tz_localize(tz)
        return start, pd.Timestamp(self.monday + timedelta(days=7)).tz_localize(tz)

    def shift(self, weeks: int) -> "Week":
        return Week(self.monday + timedelta(weeks=weeks))


def parse_week(text: str) -> Week:
    """ "2026-W48" -> Week. Raises ValueError with an Indonesian message."""
    m = re.fullmatch(r"\s*(\d{4})-?W(\d{1,2})\s*", str(text), re.IGNORECASE)
    try:
        if not m:
            raise ValueError
        return Week(date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1))
    except ValueError:
        raise ValueError(f'Minggu "{text}" tidak sah; tulis seperti 2026-W48 (tahun-W nomor minggu ISO).') from None


def last_finished_week(now: datetime, tz: str) -> Week:
    """The latest week whose Sunday has ended at ``now`` (office time)."""
    today = pd.Timestamp(now).tz_convert(tz).date()
    return Week(today - timedelta(days=today.weekday())).shift(-1)


# --- small helpers ------------------------------------------------------------------

def attainment(met: float, breached: float) -> float:
    total = met + breached
    return 100.0 * met / total if total else float("nan")


def colour(pct: float, target: float) -> str:
    """"hijau" at or above target, "kuning" within AMBER_BAND points below, else "merah"."""
    if pct != pct:
        return ""
    return "hijau" if pct >= target else ("kuning" if pct >= target - AMBER_BAND else "merah")


def _counts(iv: pd.DataFrame) -> tuple[int, int]:
    return int((iv["hasil"] == "tercapai").sum()), int((iv["hasil"] == "terlambat").sum())


def sla_scope(iv: pd.DataFrame) -> pd.DataFrame:
    """Clocks that count against staff: measured, with a standard, not guest time."""
    return iv[(iv["hasil"] != "tidak terukur") & ~iv["waktu_tamu"].astype(bool)]


def overall_attainment(iv: pd.DataFrame) -> tuple[float, int, int]:
    met, breached = _counts(sla_scope(iv))
    return attainment(met, breached), met, breached


def in_week(iv: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp, sla: bool = True) -> pd.DataFrame:
    """Clocks that stopped in [start, end); with ``sla`` without visits abandoned before ``end``."""
    keep = (iv["selesai"] >= start) & (iv["selesai"] < end)
    if sla:
        keep &= ~(iv["batal_pada"] < end).fillna(False)
    return iv[keep]


# --- tables -------------------------------------------------------------------------

def step_summary(iv: pd.DataFrame, sop: Sop, target: float) -> pd.DataFrame:
    """Per SOP step with a standard: standard, attainment, breaches, p50/p90 office minutes."""
    rows = []
    opening = {t.step for t in sop.transitions if t.sources == ()}  # steps that create a visit
    for n, step in sorted(sop.steps.items()):
        if step.standard_minutes is None:
            continue
        mine = iv[iv["langkah"] == n]
        measured = mine[mine["hasil"] != "tidak terukur"]
        met, breached = _counts(measured)
        pct = attainment(met, breached)
        note = ("tidak terukur: tidak ada waktu mulai" if n in opening
                else "waktu tamu, tidak dihitung ke capaian" if step.guest_time else "")
        rows.append({
            "Langkah": n, "Uraian": step.name, "Pelaku": step.actor,
            "Standar (menit)": step.standard_minutes, "Jumlah": len(mine), "Diukur": len(measured),
            "Tercapai": met, "Terlambat": breached, "Capaian (%)": pct,
            "p50 (menit)": measured["menit"].quantile(0.5) if len(measured) else np.nan,
            "p90 (menit)": measured["menit"].quantile(0.9) if len(measured) else np.nan,
            "Lintas hari": int(mine["lintas_hari"].sum()),
            "Putaran ulang": int((mine["siklus"] > 1).sum()),
            "Catatan": note, "Warna": "" if step.guest_time else colour(pct, target),
        })
    return pd.DataFrame(rows)


def worst_breaches(iv: pd.DataFrame, sop: Sop, n: int = 10) -> pd.DataFrame:
    """The n clocks most over their standard (staff steps only). No NIK: queue number and officer."""
    late = iv[(iv["hasil"] == "terlambat") & ~iv["waktu_tamu"].astype(bool)]
    late = late.assign(_vid=late["visit_id"].astype(str)).sort_values(
        ["lewat", "selesai", "_vid", "langkah"], ascending=[False, True, True, True], kind="mergesort").head(n)
    actor = late["langkah"].map(lambda k: sop.steps[int(k)].actor)
    officer = late["petugas"].astype(object).where(late["petugas"].notna(), NO_OFFICER)
    return pd.DataFrame({
        "No. Antrian": late["antrian"].astype(str).to_numpy(),
        "Tanggal": late["selesai"].dt.date.to_numpy(),
        "Langkah": [f"{int(k)}. {sop.steps[int(k)].name}" for k in late["langkah"]],
        "Petugas/Pelaku": np.where(actor == "Petugas", officer, actor),
        "Menit": late["menit"].to_numpy(),
        "Standar (menit)": late["standar"].to_numpy(),
        "Lewat (menit)": late["lewat"].to_numpy(),
        "Lintas hari": np.where(late["lintas_hari"], "ya", ""),
    })


def officer_summary(iv_all: pd.DataFrame, iv_sla: pd.DataFrame, by: tuple[str, ...]) -> pd.DataFrame:
    """Per officer or bidang: visits served (received in the week), attainment on
    steps 6-7, service rounds repeated after feedback "tidak cukup"."""
    labels = {"bidang": "Bidang", "petugas": "Petugas"}

    def keyed(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.assign(**{k: frame[k].astype(object).where(frame[k].notna(), NO_OFFICER) for k in by})

    served = keyed(iv_all[iv_all["langkah"] == 6]).groupby(list(by))["visit_id"].nunique()
    service = keyed(iv_all[iv_all["langkah"] == 7]).groupby(list(by))["visit_id"].nunique()
    again = keyed(iv_all[iv_all["ulang"].astype(bool)]).groupby(list(by))["visit_id"].nunique()
    six_seven = keyed(iv_sla[iv_sla["langkah"].isin([6, 7]) & (iv_sla["hasil"] != "tidak terukur")])
    g = six_seven.groupby(list(by))
    met = g["hasil"].apply(lambda h: int((h == "tercapai").sum()))
    measured = g.size()
    p50 = keyed(iv_sla[(iv_sla["langkah"] == 7) & (iv_sla["hasil"] != "tidak terukur")]).groupby(list(by))[
        "menit"].median()
    out = pd.concat({"served": served, "service": service, "again": again, "met": met, "measured": measured,
                     "p50": p50}, axis=1).fillna({"served": 0, "service": 0, "again": 0, "met": 0, "measured": 0})
    if out.empty:
        return pd.DataFrame(columns=[labels[k] for k in by] + [
            "Kunjungan dilayani", "Langkah 6-7 diukur", "Capaian 6-7 (%)", "Layanan ulang", "Rasio ulang (%)",
            "p50 layanan (menit)"])
    out = out.sort_index().reset_index()
    return pd.DataFrame({
        **{labels[k]: out[k] for k in by},
        "Kunjungan dilayani": out["served"].astype(int),
        "Langkah 6-7 diukur": out["measured"].astype(int),
        "Capaian 6-7 (%)": [attainment(m, t - m) for m, t in zip(out["met"], out["measured"])],
        "Layanan ulang": out["again"].astype(int),
        "Rasio ulang (%)": np.where(out["service"] > 0, 100.0 * out["again"] / out["service"].where(
            out["service"] > 0, 1), np.nan),
        "p50 layanan (menit)": out["p50"],
    })


def arrivals_heatmap(visits: pd.DataFrame) -> pd.DataFrame:
    """Arrivals (first event, duplicates excluded) by weekday x hour: 7 x 24 counts."""
    v = visits[visits["duplikat_pada"].isna()]
    t = v["datang"]
    table = pd.crosstab(t.dt.day_of_week, t.dt.hour) if len(v) else pd.DataFrame()
    table = table.reindex(index=range(7), columns=range(24), fill_value=0).fillna(0).astype(int)
    table.index = list(WEEKDAYS)
    table.columns = [int(c) for c in table.columns]
    return table


def weekly_trend(visits: pd.DataFrame, iv: pd.DataFrame, weeks: list[Week], tz: str) -> pd.DataFrame:
    """Per week: arrivals, completed / abandoned by the week's end, attainment of the clocks
    that stopped in it (abandoned visits excluded as of that week's end)."""
    first = weeks[0].bounds(tz)[0]
    rows = []
    v_week = np.floor((visits["datang"] - first) / pd.Timedelta(days=7)).to_numpy()
    scope = sla_scope(iv)
    i_week = np.floor((scope["selesai"] - first) / pd.Timedelta(days=7)).to_numpy()
    for k, w in enumerate(weeks):
        start, end = w.bounds(tz)
        v = visits[(v_week == k) & visits["duplikat_pada"].isna().to_numpy()]
        s = scope[(i_week == k) & ~(scope["batal_pada"] < end).fillna(False).to_numpy()]
        met, breached = _counts(s)
        rows.append({"Minggu": w.label, "Mulai": w.monday, "Kunjungan": len(v),
                     "Selesai": int((v["selesai_pada"] < end).sum()),
                     "Batal": int((v["batal_pada"] < end).sum()),
                     "Diukur": met + breached, "Terlambat": breached,
                     "Capaian (%)": attainment(met, breached)})
    return pd.DataFrame(rows)


KTP_ERROR_LABELS = ERROR_LABELS  # short labels for managers, kept beside the codes
HELPDESK_MISMATCH = "Tidak sesuai fisik KTP (verifikasi helpdesk)"
_ERROR_LIST = re.compile(r"^\s*\d+\s+galat\s+KTP\s*:\s*", re.IGNORECASE)


def _ktp_kinds(note: str) -> list[str]:
    """"2 galat KTP: nik_length, name_digits" (intake) or free text separated by ";"."""
    note = str(note or "")
    if _ERROR_LIST.match(note):
        codes = [c.strip() for c in _ERROR_LIST.sub("", note).split(",") if c.strip()]
        return [KTP_ERROR_LABELS.get(c, c) for c in codes]
    return [p.strip() for p in re.split(r"[;\n]", note) if p.strip()]


def ktp_error_kinds(events: pd.DataFrame) -> pd.DataFrame:
    """KTP errors by kind, from transitions into PERLU PERBAIKAN: the automatic check's
    findings at registration (from the Keterangan), and the helpdesk's "Tidak Sesuai"."""
    wrong = events[events["ke"] == "PERLU_PERBAIKAN"]
    kinds: list[str] = []
    for note, step in zip(wrong["keterangan"].astype(object), wrong["langkah"]):
        found = [HELPDESK_MISMATCH] if step == 3 else (_ktp_kinds(note) or ["Kesalahan data KTP"])
        kinds += [_LONG_DIGITS.sub("[angka]", k) for k in found]
    counts = pd.Series(kinds, dtype=object).value_counts()
    out = pd.DataFrame({"Jenis kesalahan": counts.index.astype(str), "Jumlah": counts.to_numpy(dtype=int)})
    return out.sort_values(["Jumlah", "Jenis kesalahan"], ascending=[False, True], kind="mergesort",
                           ignore_index=True)


def data_quality(events: pd.DataFrame, unreadable_rows: int = 0) -> pd.DataFrame:
    """Counts of the week's corrections and duplicates."""
    ke = events["ke"]
    return pd.DataFrame({"Ukuran": [
        "Kunjungan perlu perbaikan data", "Pendaftaran ditolak cek KTP otomatis", HELPDESK_MISMATCH,
        "Perbaikan selesai", "Pendaftaran duplikat", "Baris riwayat tidak terbaca"],
        "Jumlah": [
            int(events.loc[ke == "PERLU_PERBAIKAN", "visit_id"].nunique()),
            int(((ke == "PERLU_PERBAIKAN") & (events["langkah"] == 2)).sum()),
            int(((ke == "PERLU_PERBAIKAN") & (events["langkah"] == 3)).sum()),
            int((events["langkah"] == 4).sum()),
            int((ke == "DUPLIKAT").sum()),
            int(unreadable_rows)]})


def abandonment(events: pd.DataFrame, sop: Sop) -> pd.DataFrame:
    """Guests who left (BATAL) in the week, by the state they left from."""
    gone = events[events["ke"] == "BATAL"]
    stage = gone["dari"].astype(object).map(lambda c: sop.states[c].label if c in sop.states else str(c))
    counts = stage.value_counts()
    out = pd.DataFrame({"Tahap saat tamu pergi": counts.index.astype(str), "Jumlah": counts.to_numpy(dtype=int)})
    return out.sort_values(["Jumlah", "Tahap saat tamu pergi"], ascending=[False, True], kind="mergesort",
                           ignore_index=True)


def feedback_summary(iv_all: pd.DataFrame) -> dict[str, Any]:
    """Feedback asked for the first time this week: share "cukup"; repeated service rounds."""
    first = iv_all[(iv_all["langkah"] == 8) & (iv_all["siklus"] == 1)]
    asked = len(first)
    enough = int((~first["ulang"].astype(bool)).sum())
    again = iv_all[(iv_all["langkah"] == 8) & iv_all["ulang"].astype(bool)]
    return {
        "ditanya": asked,
        "cukup_pertama": enough,
        "persen_cukup_pertama": 100.0 * enough / asked if asked else float("nan"),
        "tidak_cukup": len(again),
        "kunjungan_ulang": int(again["visit_id"].nunique()),
        "rasio_ulang": 100.0 * (asked - enough) / asked if asked else float("nan"),
        "putaran_maks": int(iv_all["siklus"].max()) if len(iv_all) else 0,
    }


def sources(events: pd.DataFrame) -> dict[str, int]:
    counts = events["sumber"].astype(object).fillna("(kosong)").value_counts()
    return {str(k): int(v) for k, v in sorted(counts.items())}


POLLED_SOURCES = ("helpdesk", "sistem")  # timed by the poll cycle that saw them


def precision_note(poll_seconds: int, by_source: dict[str, int]) -> str:
    polled = sum(by_source.get(k, 0) for k in POLLED_SOURCES)
    total = sum(by_source.values())
    share = f" ({100.0 * polled / total:.0f}% kejadian minggu ini)" if total else ""
    return (f"Presisi pengukuran: isian formulir (buku tamu, tautan petugas, umpan balik) tercatat "
            f"sesuai stempel waktunya; perubahan oleh helpdesk dan sistem tercatat saat poller melihatnya, "
            f"yaitu tiap {poll_seconds} detik{share}, sehingga waktunya bisa terlambat hingga "
            f"{poll_seconds} detik.")


# --- the whole week --------------------------------------------------------------------

@dataclass(frozen=True)
class WeekMetrics:
    week: Week
    time_zone: str
    target: float
    headline: dict[str, Any]
    steps: pd.DataFrame
    worst: pd.DataFrame
    officers: pd.DataFrame
    bidang: pd.DataFrame
    heatmap: pd.DataFrame
    trend: pd.DataFrame
    ktp_errors: pd.DataFrame
    quality: pd.DataFrame
    abandonment: pd.DataFrame
    feedback: dict[str, Any]
    precision: str
    holidays: list[tuple[date, str]]
    intervals: pd.DataFrame  # the week's clocks (detail sheet)
    ikm: IkmResult | None = None
    notes: tuple[str, ...] = field(default=())


def compute_week(events: pd.DataFrame, week: Week | str, *, sop: Sop, calendar: OfficeCalendar,
                 target: float = 90.0, trend_weeks: int = 12, poll_seconds: int = 15,
                 ikm: IkmResult | None = None) -> WeekMetrics:
    """Every number of the weekly report from the typed event log (``history_frame``)."""
    week = parse_week(week) if isinstance(week, str) else week
    unreadable = int(events.attrs.get("unreadable_rows", 0))
    tz = calendar.time_zone
    weeks = [week.shift(-k) for k in range(max(trend_weeks, 2) - 1, -1, -1)]
    start, end = week.bounds(tz)
    first = weeks[0].bounds(tz)[0]
    if not events.empty and zone_key(events["waktu"].dt.tz) != tz:
        events = events.assign(waktu=events["waktu"].dt.tz_convert(tz))
    # Only visits with an event in the trend range; events after the week's end are not known yet.
    t = events["waktu"]
    relevant = events.loc[(t >= first) & (t < end), "visit_id"].unique()
    events = events[events["visit_id"].isin(relevant) & (t < end)]
    visits, iv = visits_and_intervals(events, sop, calendar)
    week_events = events[(events["waktu"] >= start) & (events["waktu"] < end)]
    iv_all, iv_sla = in_week(iv, start, end, sla=False), in_week(iv, start, end)
    trend = weekly_trend(visits, iv, weeks, tz)
    arrived = visits[(visits["datang"] >= start) & (visits["datang"] < end)]
    new = arrived[arrived["duplikat_pada"].isna()]
    pct, met, breached = overall_attainment(iv_sla)
    last = float(trend.iloc[-2]["Capaian (%)"])
    done, gone = int((new["selesai_pada"] < end).sum()), int((new["batal_pada"] < end).sum())
    headline = {
        "kunjungan": len(new), "selesai": done, "batal": gone, "berjalan": len(new) - done - gone,
        "duplikat": int(arrived["duplikat_pada"].notna().sum()),
        "capaian": pct, "diukur": met + breached, "terlambat": breached, "target": target,
        "capaian_minggu_lalu": last, "perubahan": pct - last,
        "lintas_hari": int(iv_sla["lintas_hari"].sum()), "warna": colour(pct, target),
    }
    return WeekMetrics(
        week=week, time_zone=tz, target=target, headline=headline,
        steps=step_summary(iv_sla, sop, target),
        worst=worst_breaches(iv_sla, sop),
        officers=officer_summary(iv_all, iv_sla, ("bidang", "petugas")),
        bidang=officer_summary(iv_all, iv_sla, ("bidang",)),
        heatmap=arrivals_heatmap(arrived),
        trend=trend,
        ktp_errors=ktp_error_kinds(week_events),
        quality=data_quality(week_events, unreadable),
        abandonment=abandonment(week_events, sop),
        feedback=feedback_summary(iv_all),
        precision=precision_note(poll_seconds, sources(week_events)),
        holidays=calendar.holidays(week.monday, week.sunday),
        intervals=iv_all,
        ikm=ikm,
    )
