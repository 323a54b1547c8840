"""Synthetic Riwayat logs and SKM answers for tests and benchmarks (never real data).

Vectorised so a million visits take seconds: each visit follows one of a few SOP
paths (normal, KTP error at registration, helpdesk "Tidak Sesuai", feedback loop,
guest leaves, duplicate), step durations are drawn in office minutes around the SOP
standards (some officers slow) and placed on the office calendar. No NIK anywhere.
"""

from __future__ import annotations

from datetime import date
from typing import Sequence

import numpy as np
import pandas as pd

from bukutamu.core.cells import EPOCH
from bukutamu.core.linkforms import FEEDBACK_COLUMNS, PROCESSED_OK, SKM_ELEMENTS
from bukutamu.adapters.officehours import OfficeCalendar
from bukutamu.core.schema import HISTORY_COLUMNS
from bukutamu.core.sop import Sop
from bukutamu.report.history import EVENT_COLUMNS

OFFICERS = (  # synthetic names
    ("Andi Pratama", "Bidang Pengadaan"), ("Rina Wulandari", "Bidang Pengadaan"),
    ("Yusuf Hidayat", "Bidang Pengadaan"), ("Dewi Lestari", "Bidang LPSE"),
    ("Hendra Saputra", "Bidang LPSE"), ("Maya Sari", "Bidang LPSE"),
    ("Fajar Nugroho", "Bidang Pembinaan"), ("Lina Marlina", "Bidang Pembinaan"),
    ("Agus Setiawan", "Bidang Advokasi"), ("Nur Aini", "Bidang Advokasi"),
)
SLOW_OFFICERS = (2, 7)  # indexes into OFFICERS: take longer to receive and serve
KTP_ERRORS = ("nik_length", "nik_date_invalid", "nik_province_unknown", "nik_serial_zero", "name_digits")

# (step, from, to, source); None = no step (BATAL)
_REG = (2, "", "MENUNGGU_VERIFIKASI", "formulir")
_KTP = (2, "", "PERLU_PERBAIKAN", "formulir")
_DUP = (2, "", "DUPLIKAT", "formulir")
_OK = (3, "MENUNGGU_VERIFIKASI", "TERVERIFIKASI", "helpdesk")
_WRONG = (3, "MENUNGGU_VERIFIKASI", "PERLU_PERBAIKAN", "helpdesk")
_FIX = (4, "PERLU_PERBAIKAN", "TERVERIFIKASI", "helpdesk")
_CALL = (5, "TERVERIFIKASI", "PETUGAS_DIHUBUNGI", "sistem")
_RECV = (6, "PETUGAS_DIHUBUNGI", "DILAYANI", "tautan-petugas")
_SERVE = (7, "DILAYANI", "MENUNGGU_UMPAN_BALIK", "tautan-petugas")
_ENOUGH = (8, "MENUNGGU_UMPAN_BALIK", "MENUNGGU_HELPDESK", "tautan-umpan-balik")
_AGAIN = (8, "MENUNGGU_UMPAN_BALIK", "DILAYANI", "tautan-umpan-balik")
_CLOSE = (9, "MENUNGGU_HELPDESK", "SELESAI", "helpdesk")
_REST = (_CALL, _RECV, _SERVE, _ENOUGH, _CLOSE)

PATHS: tuple[tuple[float, tuple[tuple, ...]], ...] = (
    (0.72, (_REG, _OK, *_REST)),
    (0.05, (_KTP, _FIX, *_REST)),
    (0.05, (_REG, _WRONG, _FIX, *_REST)),
    (0.08, (_REG, _OK, _CALL, _RECV, _SERVE, _AGAIN, _SERVE, _ENOUGH, _CLOSE)),
    (0.04, (_REG, _OK, _CALL, (None, "PETUGAS_DIHUBUNGI", "BATAL", "helpdesk"))),
    (0.02, (_REG, (None, "MENUNGGU_VERIFIKASI", "BATAL", "helpdesk"))),
    (0.02, (_DUP,)),
    (0.02, (_REG, _OK, _CALL, _RECV, _SERVE, _AGAIN, _SERVE, _AGAIN, _SERVE, _ENOUGH, _CLOSE)),
)


def _arrivals(n: int, first: date, last: date, cal: OfficeCalendar, rng: np.random.Generator) -> np.ndarray:
    """n arrival moments (UTC ms) on working days, busiest mid-morning."""
    days = cal.working_dates(first, last)
    if not days:
        raise ValueError("no working day in the range")
    hours = [cal.hours_of(d) for d in days]
    opens = np.array([h[0].hour * 60 + h[0].minute for h in hours], dtype=float)
    closes = np.array([h[1].hour * 60 + h[1].minute for h in hours], dtype=float)
    day_no = np.array([(d - date(1970, 1, 1)).days for d in days], dtype=np.int64)
    pick = rng.integers(0, len(days), n)
    frac = rng.beta(2.0, 3.2, n)
    minute = opens[pick] + frac * (closes[pick] - opens[pick] - 5)
    local_ms = day_no[pick] * 86_400_000 + np.round(minute * 60_000 + rng.integers(0, 60, n) * 1000)
    offset = pd.Timestamp("2000-01-01", tz=cal.tz).utcoffset() // pd.Timedelta(milliseconds=1)
    return np.sort(local_ms.astype(np.int64)) - int(offset)


def synthetic_events(n_visits: int, first: date, last: date, sop: Sop, calendar: OfficeCalendar,
                     seed: int = 0) -> pd.DataFrame:
    """A typed event log (``history.EVENT_COLUMNS``) of ``n_visits`` visits arriving in [first, last]."""
    rng = np.random.default_rng(seed)
    arrive = _arrivals(n_visits, first, last, calendar, rng)
    weights = np.array([w for w, _ in PATHS])
    path_of = rng.choice(len(PATHS), size=n_visits, p=weights / weights.sum())
    officer_of = rng.integers(0, len(OFFICERS), n_visits)
    slow = np.isin(officer_of, SLOW_OFFICERS)
    tz = calendar.time_zone
    parts: list[dict[str, np.ndarray]] = []
    for p, (_, steps) in enumerate(PATHS):
        who = np.flatnonzero(path_of == p)
        if not len(who):
            continue
        t = pd.DatetimeIndex(arrive[who].astype("datetime64[ms]")).tz_localize("UTC").tz_convert(tz)
        cycle = 1
        for k, (step, dari, ke, source) in enumerate(steps):
            cycle += (step, ke) == (8, "DILAYANI")  # as the workflow writes it: the new round
            if k:
                std = sop.steps[step].standard_minutes if step else 20.0
                factor = rng.lognormal(np.log(0.42), 0.6, len(who))
                if step in (6, 7):
                    factor = np.where(slow[who], factor * 2.2, factor)
                t = calendar.add_office_minutes_array(t, np.round(std * factor, 2))
                # helpdesk edits are seen by a 15 s poll: whole seconds
                t = t.floor("s")
            parts.append({
                "visit": who, "langkah": np.full(len(who), step or 0), "siklus": np.full(len(who), cycle),
                "dari": np.full(len(who), dari or None, dtype=object),
                "ke": np.full(len(who), ke), "sumber": np.full(len(who), source),
                "ms": t.tz_convert("UTC").tz_localize(None).as_unit("ms").asi8,
                "officer": officer_of[who] if _officer_known(step, dari) else np.full(len(who), -1),
                "note": _notes(ke, step, len(who), rng),
            })
    cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    order = np.lexsort((cols["langkah"], cols["ms"]))
    cols = {k: v[order] for k, v in cols.items()}
    visit_ids, queue = _visit_ids(arrive, tz)
    queue_codes, queue_labels = pd.factorize(np.asarray(queue, dtype=object))
    officer = cols["officer"]
    waktu = pd.DatetimeIndex(cols["ms"].astype("datetime64[ms]")).tz_localize("UTC").tz_convert(tz)
    return pd.DataFrame({
        "seq": np.arange(len(order), dtype=np.int64),
        "visit_id": pd.Categorical.from_codes(cols["visit"], categories=visit_ids),
        "antrian": pd.Categorical.from_codes(queue_codes[cols["visit"]], categories=queue_labels),
        "langkah": pd.Series(cols["langkah"]).where(cols["langkah"] > 0).astype("Int8"),
        "dari": pd.Categorical(cols["dari"]),
        "ke": pd.Categorical(cols["ke"]),
        "waktu": pd.Series(waktu.as_unit("ms")),
        "sumber": pd.Categorical(cols["sumber"]),
        "siklus": pd.Series(cols["siklus"]).astype("Int16"),
        "petugas": pd.Categorical.from_codes(officer, categories=[o[0] for o in OFFICERS]),
        "bidang": pd.Categorical.from_codes(np.where(officer >= 0, _bidang_codes()[np.maximum(officer, 0)], -1),
                                            categories=list(_BIDANG)),
        "keterangan": cols["note"],
    })[list(EVENT_COLUMNS)]


_BIDANG = tuple(dict.fromkeys(b for _, b in OFFICERS))


def _officer_known(step: int | None, dari: str) -> bool:
    """The officer is on the row from the moment the helpdesk contacts them (step 5)."""
    return step is not None and step >= 5 or step is None and dari not in (
        "MENUNGGU_VERIFIKASI", "PERLU_PERBAIKAN", "TERVERIFIKASI")


def _bidang_codes() -> np.ndarray:
    return np.array([_BIDANG.index(b) for _, b in OFFICERS])


def _notes(ke: str, step: int | None, n: int, rng: np.random.Generator) -> np.ndarray:
    out = np.full(n, "", dtype=object)
    if ke == "PERLU_PERBAIKAN" and step == 2:  # as intake writes it: "<n> galat KTP: code, code"
        first = rng.integers(0, len(KTP_ERRORS), n)
        second = rng.integers(0, len(KTP_ERRORS), n)
        both = (rng.random(n) < 0.2) & (first != second)
        out = np.array([f"2 galat KTP: {KTP_ERRORS[a]}, {KTP_ERRORS[b]}" if two else f"1 galat KTP: {KTP_ERRORS[a]}"
                        for a, b, two in zip(first, second, both)], dtype=object)
    elif ke == "PERLU_PERBAIKAN":
        out[:] = "Verifikasi KTP: Tidak Sesuai"
    elif ke == "DILAYANI" and step == 8:
        out[:] = "Umpan balik: tidak cukup"
    return out


def _visit_ids(arrive_utc_ms: np.ndarray, tz: str) -> tuple[list[str], list[str]]:
    """Visit IDs "YYYYMMDD-A001" and queue numbers "A001", numbered per day by arrival."""
    local = pd.DatetimeIndex(arrive_utc_ms.astype("datetime64[ms]")).tz_localize("UTC").tz_convert(tz)
    day = local.tz_localize(None).normalize()
    first_of_day = np.concatenate(([True], day[1:] != day[:-1]))
    idx = np.arange(len(day))
    number = idx - np.maximum.accumulate(np.where(first_of_day, idx, 0)) + 1
    stamp = day.strftime("%Y%m%d")
    queue = [f"A{k:03d}" for k in number]
    return [f"{s}-{q}" for s, q in zip(stamp, queue)], queue


def events_to_rows(events: pd.DataFrame, sop: Sop) -> tuple[tuple[str, ...], list[tuple]]:
    """Typed events -> (Riwayat header, rows) as a sheet store holds them: serial-number
    times (wall clock of the events' zone), state labels, empty cells as None."""
    header = tuple(c.header for c in HISTORY_COLUMNS)
    naive = events["waktu"].dt.tz_localize(None)
    serial = np.round((naive - pd.Timestamp(EPOCH)).to_numpy() / np.timedelta64(1, "D"), 10)

    def col(name: str) -> list:
        s = events[name].astype(object)
        return [None if (v is None or v is pd.NA or v != v or v == "") else v for v in s]

    label = {code: st.label for code, st in sop.states.items()}
    dari = [label.get(v, v) if v else None for v in col("dari")]
    ke = [label.get(v, v) if v else None for v in col("ke")]
    langkah = [int(v) if v is not None else None for v in col("langkah")]
    siklus = [int(v) if v is not None else None for v in col("siklus")]
    rows = list(zip(col("visit_id"), col("antrian"), langkah, dari, ke, serial.tolist(), col("sumber"),
                    siklus, col("petugas"), col("bidang"), col("keterangan")))
    return header, rows


def synthetic_skm(events: pd.DataFrame, seed: int = 0, share: float = 0.4,
                  headers: Sequence[str] = SKM_ELEMENTS) -> tuple[tuple[str, ...], list[tuple]]:
    """Umpan Balik rows with SKM answers (1-4, some blank) for a share of the feedback events."""
    rng = np.random.default_rng(seed)
    fb = events[(events["langkah"] == 8) & (events["ke"] == "MENUNGGU_HELPDESK")]
    fb = fb[rng.random(len(fb)) < share]
    naive = fb["waktu"].dt.tz_localize(None)
    serial = np.round((naive - pd.Timestamp(EPOCH)).to_numpy() / np.timedelta64(1, "D"), 10)
    scores = rng.choice([1, 2, 3, 4], size=(len(fb), len(headers)), p=[0.03, 0.12, 0.5, 0.35])
    blank = rng.random(scores.shape) < 0.03
    rows = [(s, str(v), "token-sintetis", "Ya, sudah cukup", "", PROCESSED_OK,
             *[None if b else int(x) for x, b in zip(sc, bl)])
            for s, v, sc, bl in zip(serial.tolist(), fb["visit_id"].astype(str), scores, blank)]
    return (*(c.header for c in FEEDBACK_COLUMNS), *headers), rows
