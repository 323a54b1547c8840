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
Two headlines: the staff one (helpdesk and officers: ``staff_steps``, without the
program's own email of step 5 and the guest's time of steps 4 and 8) and all steps.
A visit's waiting time runs from its arrival to SELESAI, in office minutes, counted
on the day it finished; visits still open at the week's end are listed whatever
their arrival week. Counts of the week are defined once in ``visit_counts``.
Column names of the frames are the Indonesian labels the report shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from bukutamu.adapters.officehours import OfficeCalendar
from bukutamu.core.sop import Sop
from bukutamu.report.history import FEEDBACK_STEP, visits_and_intervals, zone_key
from bukutamu.report.skm import IkmResult
from bukutamu.core.ktp.findings import ERROR_LABELS

AMBER_BAND = 10.0  # percentage points below the target still shown amber
WEEKDAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
NO_OFFICER = "(tanpa petugas)"
NOT_ASSIGNED = "(belum ada petugas)"
NO_DATA = "belum ada data"
_LONG_DIGITS = re.compile(r"\d{6,}")
# Step 5 is completed by the program's own email to the officer (always ~0 minutes,
# 100 %): reported, but not in the staff headline, which would otherwise be flattered.
PROGRAM_STEPS = frozenset({5})
STAFF_ACTORS = ("Helpdesk", "Petugas")
BACKUP_SUFFIX = re.compile(r"^(?P<name>.*\S)\s*\(cadangan\)$", re.IGNORECASE)
HELPDESK_LABEL = "HELPDESK"


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


def staff_steps(sop: Sop) -> tuple[int, ...]:
    """Steps with a standard done by people of the office (helpdesk, officers): not the
    guest's time (steps 4, 8) and not the program's own email (step 5)."""
    return tuple(n for n, st in sorted(sop.steps.items()) if st.standard_minutes is not None
                 and not st.guest_time and st.actor in STAFF_ACTORS and n not in PROGRAM_STEPS)


def step_role(sop: Sop, n: int) -> str:
    """Whose time a step's clock measures (Indonesian, shown in the report)."""
    st = sop.steps[n]
    if n in PROGRAM_STEPS:
        return "otomatis (email program)"
    if st.guest_time or st.actor not in STAFF_ACTORS:
        return "waktu tamu"
    return "petugas/helpdesk"


def running_step(sop: Sop, state: Any) -> int | None:
    """The SOP step a visit in ``state`` is waiting for (the step its next transition
    completes), e.g. PERLU_PERBAIKAN -> 4, DILAYANI -> 7."""
    steps = [t.step for t in sop.transitions if t.step and t.sources and state in t.sources]
    return min(steps) if steps else None


def step_title(sop: Sop, n: int | None) -> str:
    return f"{n}. {sop.steps[n].name}" if n in sop.steps else "(tidak diketahui)"


def repeatable_steps(sop: Sop) -> frozenset[int]:
    """Steps that run again after feedback "tidak cukup" (a step-8 transition back)."""
    earlier = {src: t.step for t in sop.transitions if t.step and t.sources for src in t.sources
               if t.step < FEEDBACK_STEP}
    back = {t.target for t in sop.transitions if t.step == FEEDBACK_STEP and t.target in earlier}
    again = {earlier[b] for b in back}
    return frozenset(again | ({FEEDBACK_STEP} if back else set()))


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
    """Per SOP step with a standard: standard, attainment, breaches, p50/p90 office minutes.
    Only staff steps are coloured; "Putaran ulang" is blank for steps that cannot repeat."""
    rows = []
    opening = {t.step for t in sop.transitions if t.sources == ()}  # steps that create a visit
    staff, repeat = set(staff_steps(sop)), repeatable_steps(sop)
    for n, step in sorted(sop.steps.items()):
        if step.standard_minutes is None:
            continue
        mine = iv[iv["langkah"] == n]
        measured = mine[mine["hasil"] != "tidak terukur"]
        met, breached = _counts(measured)
        pct = attainment(met, breached)
        note = ("tidak terukur: tidak ada waktu mulai" if n in opening
                else "waktu tamu, tidak dihitung ke capaian" if step.guest_time
                else "otomatis: email dari program, tidak dihitung ke capaian petugas" if n in PROGRAM_STEPS
                else "waktu tamu menjawab, tidak dihitung ke capaian petugas" if n not in staff else "")
        rows.append({
            "Langkah": n, "Uraian": step.name, "Pelaku": step.actor, "Waktu siapa": step_role(sop, n),
            "Standar (menit)": step.standard_minutes, "Jumlah": len(mine), "Diukur": len(measured),
            "Tercapai": met, "Terlambat": breached, "Capaian (%)": pct,
            "p50 (menit)": measured["menit"].quantile(0.5) if len(measured) else np.nan,
            "p90 (menit)": measured["menit"].quantile(0.9) if len(measured) else np.nan,
            "Lintas hari": int(mine["lintas_hari"].sum()),
            "Putaran ulang": int((mine["siklus"] > 1).sum()) if n in repeat else np.nan,
            "Catatan": note, "Warna": colour(pct, target) if n in staff else "",
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


OFFICER_STEPS = {6: "L6", 7: "L7"}  # receiving the guest, the service


def officer_summary(iv_all: pd.DataFrame, iv_sla: pd.DataFrame, by: tuple[str, ...],
                    roster: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per officer or bidang: visits served (received in the week), attainment and
    p50/p90 of step 6 (receiving the guest) and step 7 (the service) apart, service
    rounds repeated after feedback "tidak cukup". ``roster`` (columns ``by``) lists who
    must appear even without a guest (every active officer of the Petugas tab)."""
    labels = {"bidang": "Bidang", "petugas": "Petugas"}
    keys = list(by)

    def keyed(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.assign(**{k: frame[k].astype(object).where(frame[k].notna(), NO_OFFICER) for k in by})

    parts = {
        "served": keyed(iv_all[iv_all["langkah"] == 6]).groupby(keys)["visit_id"].nunique(),
        "service": keyed(iv_all[iv_all["langkah"] == 7]).groupby(keys)["visit_id"].nunique(),
        "again": keyed(iv_all[iv_all["ulang"].astype(bool)]).groupby(keys)["visit_id"].nunique(),
    }
    for n in OFFICER_STEPS:
        g = keyed(iv_sla[(iv_sla["langkah"] == n) & (iv_sla["hasil"] != "tidak terukur")]).groupby(keys)
        parts[f"n{n}"] = g.size()
        parts[f"met{n}"] = g["hasil"].apply(lambda h: int((h == "tercapai").sum()))
        parts[f"p50_{n}"] = g["menit"].quantile(0.5)
        parts[f"p90_{n}"] = g["menit"].quantile(0.9)
    parts = {k: v for k, v in parts.items() if len(v)}
    out = pd.concat(parts, axis=1) if parts else pd.DataFrame()
    if roster is not None and len(roster):
        extra = pd.MultiIndex.from_frame(roster[keys].astype(object)) if len(keys) > 1 else \
            pd.Index(roster[keys[0]].astype(object), name=keys[0])
        out = out.reindex(out.index.union(extra) if len(out) else extra)
    counts = ["served", "service", "again"] + [f"{w}{n}" for n in OFFICER_STEPS for w in ("n", "met")]
    out = out.reindex(columns=counts + [f"p{q}_{n}" for n in OFFICER_STEPS for q in (50, 90)])
    out[counts] = out[counts].fillna(0)
    out = out.sort_index().reset_index() if len(out) else out.reset_index()
    cols: dict[str, Any] = {labels[k]: out[k] if k in out else [] for k in by}
    cols["Kunjungan dilayani"] = out["served"].astype(int)
    for n, name in OFFICER_STEPS.items():
        measured, met = out[f"n{n}"].astype(int), out[f"met{n}"].astype(int)
        cols[f"{name} diukur"] = measured
        cols[f"{name} capaian (%)"] = [attainment(m, t - m) for m, t in zip(met, measured)]
        cols[f"{name} p50 (menit)"] = out[f"p50_{n}"].astype(float)
        cols[f"{name} p90 (menit)"] = out[f"p90_{n}"].astype(float)
    cols["Layanan ulang"] = out["again"].astype(int)
    service = out["service"].astype(float)
    cols["Rasio ulang (%)"] = np.where(service > 0, 100.0 * out["again"] / service.where(service > 0, 1), np.nan)
    return pd.DataFrame(cols)


def credit_officer(label: Any, officers: list | None) -> Any:
    """The person who actually handled a visit. The engine writes "<name> (cadangan)"
    when an inactive officer's notice went to their backup address, and "HELPDESK"
    when it went to the helpdesk: credit the backup or the helpdesk, not the inactive
    officer."""
    if not isinstance(label, str):
        return label
    m = BACKUP_SUFFIX.match(label)
    if m:
        who = next((o for o in officers or () if o.name.casefold() == m.group("name").casefold()), None)
        backup = who.backup if who and who.backup else "email cadangan"
        return f"{backup} (cadangan {m.group('name')})"
    if label.strip().upper() == HELPDESK_LABEL:
        return "Helpdesk (petugas tidak aktif tanpa cadangan)"
    return label


def officer_roster(officers: list | None) -> pd.DataFrame:
    """Active officers of the Petugas tab (bidang, name): listed even without a guest."""
    rows = [(o.bidang or NO_OFFICER, o.name or o.email) for o in officers or () if o.active]
    return pd.DataFrame(sorted(set(rows)), columns=["bidang", "petugas"])


def arrivals_heatmap(visits: pd.DataFrame) -> pd.DataFrame:
    """Arrivals (first event, duplicates excluded) by weekday x hour: 7 x 24 counts."""
    v = visits[visits["duplikat_pada"].isna()]
    t = v["datang"]
    table = pd.crosstab(t.dt.day_of_week, t.dt.hour) if len(v) else pd.DataFrame()
    table = table.reindex(index=range(7), columns=range(24), fill_value=0).fillna(0).astype(int)
    table.index = list(WEEKDAYS)
    table.columns = [int(c) for c in table.columns]
    return table


def weekly_trend(visits: pd.DataFrame, iv: pd.DataFrame, weeks: list[Week], tz: str,
                 staff: tuple[int, ...] = ()) -> pd.DataFrame:
    """Per week: arrivals, completed / abandoned by the week's end, attainment of the clocks
    that stopped in it (abandoned visits excluded as of that week's end), for all steps and
    for the staff steps. A week without arrivals or clocks is marked "belum ada data"."""
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
        s_met, s_breached = _counts(s[s["langkah"].isin(staff)])
        rows.append({"Minggu": w.label, "Mulai": w.monday, "Kunjungan": len(v),
                     "Selesai": int((v["selesai_pada"] < end).sum()),
                     "Batal": int((v["batal_pada"] < end).sum()),
                     "Diukur": met + breached, "Terlambat": breached,
                     "Capaian (%)": attainment(met, breached),
                     "Capaian petugas (%)": attainment(s_met, s_breached),
                     "Keterangan": NO_DATA if not len(v) and not met + breached else ""})
    return pd.DataFrame(rows)


def _p(values: pd.Series, q: float) -> float:
    return float(values.quantile(q)) if len(values) else float("nan")


def waiting_times(visits: pd.DataFrame, iv_sla: pd.DataFrame, calendar: OfficeCalendar,
                  start: pd.Timestamp, end: pd.Timestamp, last_start: pd.Timestamp) -> pd.DataFrame:
    """How long a guest waits, in office minutes, p50/p90: the whole visit (arrival to
    SELESAI, visits completed in the day/week, duplicates left out) and the wait before
    the helpdesk checks the KTP (step 3's clock, first round, abandoned visits left out as
    in the step table). One row per day of the week with data, the week, and last week."""
    done = visits[visits["selesai_pada"].notna() & visits["duplikat_pada"].isna()]
    total = pd.Series(calendar.office_minutes_between(done["datang"], done["selesai_pada"]), index=done.index)
    helpdesk = iv_sla[(iv_sla["langkah"] == 3) & (iv_sla["hasil"] != "tidak terukur")]

    def row(label: str, lo: pd.Timestamp, hi: pd.Timestamp, day: Any = None) -> dict[str, Any]:
        t = total[(done["selesai_pada"] >= lo) & (done["selesai_pada"] < hi)]
        h = helpdesk.loc[(helpdesk["selesai"] >= lo) & (helpdesk["selesai"] < hi), "menit"]
        return {"Periode": label, "Tanggal": day, "Kunjungan selesai": len(t),
                "Total p50 (menit)": _p(t, 0.5), "Total p90 (menit)": _p(t, 0.9),
                "Tunggu helpdesk: diukur": len(h),
                "Tunggu helpdesk p50 (menit)": _p(h, 0.5), "Tunggu helpdesk p90 (menit)": _p(h, 0.9)}

    rows = []
    for k in range(7):
        lo = start + pd.Timedelta(days=k)  # Indonesian zones keep no daylight saving
        hi = lo + pd.Timedelta(days=1)
        r = row(WEEKDAYS[k], lo, hi, lo.date())
        if r["Kunjungan selesai"] or r["Tunggu helpdesk: diukur"]:
            rows.append(r)
    rows.append(row("Minggu ini", start, end))
    rows.append(row("Minggu lalu", last_start, start))
    return pd.DataFrame(rows)


OPEN_COLUMNS = ["No. Antrian", "ID Kunjungan", "Datang", "Status", "Langkah berjalan", "Petugas",
                "Status sejak", "Umur (hari)", "Menit kerja di status ini"]


def open_visits(visits: pd.DataFrame, sop: Sop, calendar: OfficeCalendar, end: pd.Timestamp) -> pd.DataFrame:
    """Visits still running at the week's end (any arrival week): status, the step they
    wait for, officer, since when, age in days since arrival, office minutes in the status."""
    is_open = visits["status_akhir"].astype(object).map(
        lambda c: bool(sop.states[c].open) if c in sop.states else False).astype(bool)
    v = visits[is_open & (visits["datang"] < end)].sort_values(["datang", "visit_id"], kind="mergesort")
    if v.empty:
        return pd.DataFrame(columns=OPEN_COLUMNS)
    v = v.reset_index(drop=True)
    codes = v["status_akhir"].astype(object)
    return pd.DataFrame({
        "No. Antrian": v["antrian"].astype(object),
        "ID Kunjungan": v["visit_id"].astype(str),
        "Datang": v["datang"],
        "Status": [sop.states[c].label for c in codes],
        "Langkah berjalan": [step_title(sop, running_step(sop, c)) for c in codes],
        "Petugas": v["petugas"].astype(object).where(v["petugas"].notna(), NOT_ASSIGNED),
        "Status sejak": v["status_sejak"],
        "Umur (hari)": (end - v["datang"]) / pd.Timedelta(days=1),
        "Menit kerja di status ini": calendar.office_minutes_between(
            v["status_sejak"], pd.Series(end, index=v.index)),
    })


def abandonment(visits: pd.DataFrame, sop: Sop, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Guests who left (BATAL) in the week, by the SOP step they were waiting for and the
    officer of the visit."""
    gone = visits[(visits["batal_pada"] >= start) & (visits["batal_pada"] < end)]
    frame = pd.DataFrame({
        "Langkah saat tamu pergi": [step_title(sop, running_step(sop, c)) for c in gone["batal_di"].astype(object)],
        "Petugas": gone["petugas"].astype(object).where(gone["petugas"].notna(), NOT_ASSIGNED).to_numpy(),
        "_n": [running_step(sop, c) or 99 for c in gone["batal_di"].astype(object)],
    })
    out = frame.groupby(["_n", "Langkah saat tamu pergi", "Petugas"]).size().rename("Jumlah").reset_index()
    return out.sort_values(["_n", "Jumlah", "Petugas"], ascending=[True, False, True], kind="mergesort",
                           ignore_index=True).drop(columns="_n")


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
    intervals: pd.DataFrame  # the week's clocks (detail sheet), with "dihitung" (why it counts or not)
    waiting: pd.DataFrame = field(default_factory=pd.DataFrame)
    open: pd.DataFrame = field(default_factory=pd.DataFrame)
    staff_steps: tuple[int, ...] = ()
    ikm: IkmResult | None = None
    notes: tuple[str, ...] = field(default=())


COUNT_LABELS = {
    "pendaftaran": "Pendaftaran (baris register)",
    "duplikat": "Duplikat (tidak dihitung)",
    "kunjungan": "Kunjungan",
    "selesai": "Selesai",
    "batal": "Tamu pergi (batal)",
    "berjalan": "Masih berjalan",
}


def visit_counts(visits: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> dict[str, int]:
    """The week's visit counts, defined once (report, XLSX, email, CLI and demo messages):
    registrations that ARRIVED in the week (rows of the register, as `bukutamu register`
    counts them) = duplicates + visits; visits = completed + abandoned + still running,
    each as of the week's end."""
    arrived = visits[(visits["datang"] >= start) & (visits["datang"] < end)]
    new = arrived[arrived["duplikat_pada"].isna()]
    done, gone = int((new["selesai_pada"] < end).sum()), int((new["batal_pada"] < end).sum())
    return {"pendaftaran": len(arrived), "duplikat": len(arrived) - len(new), "kunjungan": len(new),
            "selesai": done, "batal": gone, "berjalan": len(new) - done - gone}


def counted_reason(iv: pd.DataFrame, visits: pd.DataFrame, end: pd.Timestamp, sop: Sop) -> pd.Series:
    """Per clock: "ya" when it counts toward the attainment, else why not."""
    dup = iv["visit_id"].astype(str).map(
        dict(zip(visits["visit_id"].astype(str), visits["duplikat_pada"].notna()))).fillna(False).astype(bool)
    gone = (iv["batal_pada"] < end).fillna(False).astype(bool)
    staff = iv["langkah"].isin(staff_steps(sop))
    out = np.select(
        [dup.to_numpy(), gone.to_numpy(), iv["waktu_tamu"].astype(bool).to_numpy(),
         (iv["hasil"] == "tidak terukur").to_numpy(), ~staff.to_numpy()],
        ["tidak: duplikat", "tidak: tamu pergi", "tidak: waktu tamu", "tidak: tidak terukur",
         "ya (bukan langkah petugas)"], default="ya")
    return pd.Series(out, index=iv.index, dtype=object)


def compute_week(events: pd.DataFrame, week: Week | str, *, sop: Sop, calendar: OfficeCalendar,
                 target: float = 90.0, trend_weeks: int = 12, poll_seconds: int = 15,
                 ikm: IkmResult | None = None, officers: list | None = None) -> WeekMetrics:
    """Every number of the weekly report from the typed event log (``history_frame``);
    ``officers`` (``core.officers.Officer``, the Petugas tab) lists every active officer
    and names the backups who handled an inactive officer's guests."""
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
    if len(events):
        names = events["petugas"].astype("category")
        credited = {c: credit_officer(c, officers) for c in names.cat.categories}
        events = events.assign(petugas=names.map(credited).astype("category"))
    visits, iv = visits_and_intervals(events, sop, calendar)
    week_events = events[(events["waktu"] >= start) & (events["waktu"] < end)]
    iv_all, iv_sla = in_week(iv, start, end, sla=False), in_week(iv, start, end)
    staff = staff_steps(sop)
    trend = weekly_trend(visits, iv, weeks, tz, staff)
    arrived = visits[(visits["datang"] >= start) & (visits["datang"] < end)]
    pct, met, breached = overall_attainment(iv_sla)
    s_pct, s_met, s_breached = overall_attainment(iv_sla[iv_sla["langkah"].isin(staff)])
    last = float(trend.iloc[-2]["Capaian (%)"])
    s_last = float(trend.iloc[-2]["Capaian petugas (%)"])
    waiting = waiting_times(visits, in_week(iv, first, end), calendar, start, end, week.shift(-1).bounds(tz)[0])
    opened = open_visits(visits, sop, calendar, end)
    this, before = waiting.iloc[-2], waiting.iloc[-1]
    headline = {
        **visit_counts(visits, start, end),
        "capaian": pct, "diukur": met + breached, "terlambat": breached, "target": target,
        "capaian_minggu_lalu": last, "perubahan": pct - last,
        "capaian_petugas": s_pct, "diukur_petugas": s_met + s_breached, "terlambat_petugas": s_breached,
        "capaian_petugas_minggu_lalu": s_last, "perubahan_petugas": s_pct - s_last,
        "langkah_petugas": staff,
        "tunggu_p50": this["Total p50 (menit)"], "tunggu_p90": this["Total p90 (menit)"],
        "tunggu_p50_minggu_lalu": before["Total p50 (menit)"],
        "tunggu_p90_minggu_lalu": before["Total p90 (menit)"],
        "helpdesk_p50": this["Tunggu helpdesk p50 (menit)"], "helpdesk_p90": this["Tunggu helpdesk p90 (menit)"],
        "terbuka": len(opened), "terbuka_lama": int((opened["Datang"] < start).sum()) if len(opened) else 0,
        "lintas_hari": int(iv_sla["lintas_hari"].sum()), "warna": colour(s_pct, target),
        "warna_semua": colour(pct, target),
    }
    roster = officer_roster(officers)
    return WeekMetrics(
        week=week, time_zone=tz, target=target, headline=headline,
        steps=step_summary(iv_sla, sop, target),
        worst=worst_breaches(iv_sla, sop),
        officers=officer_summary(iv_all, iv_sla, ("bidang", "petugas"), roster),
        bidang=officer_summary(iv_all, iv_sla, ("bidang",), roster[["bidang"]].drop_duplicates()),
        heatmap=arrivals_heatmap(arrived),
        trend=trend,
        ktp_errors=ktp_error_kinds(week_events),
        quality=data_quality(week_events, unreadable),
        abandonment=abandonment(visits, sop, start, end),
        feedback=feedback_summary(iv_all),
        precision=precision_note(poll_seconds, sources(week_events)),
        holidays=calendar.holidays(week.monday, week.sunday),
        intervals=iv_all.assign(dihitung=counted_reason(iv_all, visits, end, sop)),
        waiting=waiting, open=opened, staff_steps=staff,
        ikm=ikm,
    )
