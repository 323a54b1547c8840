"""The Riwayat tab (the event log) as typed pandas frames, and the SOP step clocks.

``history_frame``  header + rows as a sheet store returns them -> typed events
``visit_table``    typed events -> one row per visit (arrival, outcome times, officer)
``step_intervals`` typed events -> one row per measured step clock

Clock rule: a transition names the SOP step it completes (Langkah).
A step's clock starts when the visit's previous step completes and stops when its
own completes, so loops need no special case: after feedback "tidak cukup" (a
step-8 completion back to DILAYANI) the next step-7 clock starts at that feedback,
as a new service round (``siklus``). Step 2 (the guest filling the form) has no
measurable start. Rows without a step (BATAL, notes) never start or stop a clock.

Times are kept typed (datetime64[ms] in the office zone); sheet serial numbers are
converted in one vectorised pass with the same arithmetic as
``bukutamu.core.cells.serial_to_datetime``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from bukutamu.core.cells import EPOCH, parse_datetime, text
from bukutamu.adapters.officehours import OfficeCalendar
from bukutamu.core.schema import HISTORY_COLUMNS, resolve_columns
from bukutamu.core.sop import Sop

_EPOCH_MS = int((pd.Timestamp(EPOCH) - pd.Timestamp("1970-01-01")) // pd.Timedelta(milliseconds=1))
TEXT_COLUMNS = ("visit_id", "antrian", "sumber", "petugas", "bidang")
FEEDBACK_STEP = 8  # feedback; back to DILAYANI = "tidak cukup", a new service round

# Typed events: the columns every function here reads.
EVENT_COLUMNS = ("seq", "visit_id", "antrian", "langkah", "dari", "ke", "waktu", "sumber", "siklus",
                 "petugas", "bidang", "keterangan")


# --- Riwayat rows -> typed events ------------------------------------------------

def serials_to_times(values: Any, tz: ZoneInfo | str) -> pd.Series:
    """Cells holding moments (serial numbers or ISO text) -> datetime64[ms, tz] (NaT if unreadable)."""
    s = pd.Series(values, dtype=object) if not isinstance(values, pd.Series) else values
    kind = pd.api.types.infer_dtype(s, skipna=True)
    numbers = s if kind in ("floating", "integer", "mixed-integer-float") else s.where(s.map(_is_plain_number))
    num = pd.to_numeric(numbers, errors="coerce").to_numpy(dtype=float)
    ms = np.rint(num * 86400 * 1000)  # == round(float(serial) * 86400 * 1000) in cells.py
    ok = np.isfinite(ms)
    local = np.where(ok, ms, 0).astype(np.int64) + _EPOCH_MS
    out = pd.Series(pd.DatetimeIndex(local.astype("datetime64[ms]")), index=s.index)
    out = out.dt.tz_localize(tz, ambiguous="NaT", nonexistent="shift_forward").where(ok)
    rest = np.zeros(len(s), dtype=bool)
    if not ok.all():
        rest = ~ok & s.map(lambda v: isinstance(v, str) and bool(v.strip())).to_numpy(dtype=bool)
    if rest.any():
        zone = ZoneInfo(tz) if isinstance(tz, str) else tz
        parsed = {v: parse_datetime(v, zone) for v in pd.unique(s[rest])}
        out[rest] = pd.to_datetime([parsed[v] for v in s[rest]], utc=True).tz_convert(zone)
    return out.astype(f"datetime64[ms, {zone_key(tz)}]")


def zone_key(tz: Any) -> str:
    return tz if isinstance(tz, str) else getattr(tz, "key", None) or str(tz)


def _is_plain_number(v: Any) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)


def _text_column(values: pd.Series) -> pd.Categorical:
    """Cells -> categorical of their text (``cells.text``); empty cells are missing."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = np.array([text(u) for u in uniques] + [""], dtype=object)
    labels, inverse = np.unique(texts, return_inverse=True)  # "7" and 7.0 read the same
    keep = labels != ""
    remap = np.where(keep, np.cumsum(keep) - 1, -1)[inverse]
    mapped = remap[np.where(codes >= 0, codes, len(uniques))]
    return pd.Categorical.from_codes(mapped, categories=list(labels[keep]))


def _int_column(values: pd.Series, dtype: str) -> pd.Series:
    """Cells holding whole numbers (7, 7.0, "7") -> nullable integers; anything else missing."""
    cat = _text_column(values)
    nums = pd.to_numeric(pd.Series(list(cat.categories) + [""], dtype=object), errors="coerce").to_numpy(float)
    got = nums[np.where(cat.codes >= 0, cat.codes, len(cat.categories))]
    return pd.Series(got).where(np.isfinite(got) & (got == np.round(got))).astype(dtype)


def _plain_text(values: pd.Series) -> pd.Series:
    cat = _text_column(values)
    labels = np.array(list(cat.categories) + [""], dtype=object)
    return pd.Series(labels[np.where(cat.codes >= 0, cat.codes, len(cat.categories))], dtype=object)


def _state_key(value: str) -> str:
    return " ".join(value.upper().replace("_", " ").split())


def _state_column(values: pd.Series, sop: Sop) -> pd.Categorical:
    """State cells (labels such as "MENUNGGU VERIFIKASI", or codes) -> state codes."""
    by_label = {s.label: s.code for s in sop.states.values()}
    raw = _text_column(values)
    norm = [by_label.get(_state_key(c), _state_key(c)) for c in raw.categories]
    cats = sorted(set(sop.states) | set(norm))
    pos = {c: i for i, c in enumerate(cats)}
    remap = np.array([pos[v] for v in norm] + [-1], dtype=np.int64)
    codes = np.asarray(raw.codes)
    return pd.Categorical.from_codes(remap[np.where(codes >= 0, codes, len(norm))], categories=cats)


def history_frame(header: Sequence[Any], rows: Sequence[Sequence[Any]], tz: ZoneInfo | str, sop: Sop,
                  tab: str = "Riwayat") -> pd.DataFrame:
    """Riwayat header + rows (cells as a store returns them) -> typed events.

    Rows without a visit ID or a readable time are dropped; their number is kept in
    ``frame.attrs["unreadable_rows"]``. Raises SchemaError when a column is missing.
    """
    cmap = resolve_columns(tab, header, HISTORY_COLUMNS)
    width = len(header)
    padded = [tuple(r)[:width] + (None,) * (width - len(r)) for r in (getattr(x, "values", x) for x in rows)]
    grid = np.empty((len(padded), width), dtype=object)
    if padded:
        grid[:] = padded
    col = {k: pd.Series(grid[:, i], dtype=object) for k, i in cmap.index.items()}
    n = len(padded)
    frame = pd.DataFrame({
        "seq": np.arange(n, dtype=np.int64),
        **{k: _text_column(col[k]) for k in TEXT_COLUMNS},
        "langkah": _int_column(col["langkah"], "Int8"),
        "dari": _state_column(col["dari"], sop),
        "ke": _state_column(col["ke"], sop),
        "waktu": serials_to_times(col["waktu"], tz),
        "siklus": _int_column(col["siklus"], "Int16"),
        "keterangan": _plain_text(col["keterangan"]),
    })[list(EVENT_COLUMNS)]
    ok = frame["waktu"].notna().to_numpy() & frame["visit_id"].notna().to_numpy()
    # Rows with no step and no change of status record corrections of the guest's data
    # (core/fingerprint.py), not transitions: the clocks and counts skip them.
    note = (frame["langkah"].isna() & (frame["dari"].astype(object) == frame["ke"].astype(object))).to_numpy()
    out = frame[ok & ~note].reset_index(drop=True)
    out.attrs["unreadable_rows"] = int(n - ok.sum())
    return out


# --- the log sorted by visit, time, row order (numpy arrays) ------------------------

_NONE = np.iinfo(np.int64).min  # "no time" in int64 ms arrays


def _categorical(series: pd.Series) -> pd.Categorical:
    return series.array if isinstance(series.dtype, pd.CategoricalDtype) else pd.Categorical(series)


@dataclass(frozen=True)
class _Log:
    """Events sorted by visit, then time, then row order. States are compared as
    categorical codes (cheap on millions of rows)."""

    tz: str
    visit: np.ndarray  # visit code per event (index into ids)
    ids: pd.Index
    t: np.ndarray  # int64 ms, UTC
    langkah: np.ndarray  # int64; 0 = no step
    ke: pd.Categorical
    dari: pd.Categorical
    antrian: pd.Categorical
    petugas: pd.Categorical
    bidang: pd.Categorical
    starts: np.ndarray  # first event of each visit
    ends: np.ndarray  # one past its last event

    @classmethod
    def of(cls, events: pd.DataFrame) -> "_Log":
        vid = _categorical(events["visit_id"])
        codes = np.asarray(vid.codes)
        t = _ms(events["waktu"])
        order = np.lexsort((events["seq"].to_numpy(), t, codes))
        visit = codes[order]
        starts, ends = _bounds(visit)
        take = lambda name: _categorical(events[name]).take(order)  # noqa: E731
        return cls(zone_key(events["waktu"].dt.tz), visit, vid.categories, t[order],
                   events["langkah"].fillna(0).to_numpy(dtype=np.int64)[order],
                   take("ke"), take("dari"), take("antrian"), take("petugas"), take("bidang"), starts, ends)

    def is_state(self, column: pd.Categorical, code: str) -> np.ndarray:
        cats = column.categories
        return np.asarray(column.codes) == (cats.get_loc(code) if code in cats else -2)


def _ms(series: pd.Series) -> np.ndarray:
    """Aware times -> int64 ms since the Unix epoch (UTC)."""
    return pd.DatetimeIndex(series).as_unit("ms").asi8


def _bounds(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) positions of each run of equal codes."""
    n = len(codes)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate(([True], codes[1:] != codes[:-1])))
    return starts, np.append(starts[1:], n)


def _first_time(mask: np.ndarray, t: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Per group: the first time where mask holds (_NONE for none)."""
    big = np.iinfo(np.int64).max
    first = np.minimum.reduceat(np.where(mask, t, big), starts)
    return np.where(first == big, _NONE, first)


def _last_filled(cat: pd.Categorical, starts: np.ndarray, ends: np.ndarray) -> pd.Categorical:
    """Per group: the last non-missing value of a categorical column."""
    codes = np.asarray(cat.codes)
    pos = np.maximum.accumulate(np.where(codes >= 0, np.arange(len(codes)), -1))
    last = pos[ends - 1]
    return pd.Categorical.from_codes(np.where(last >= starts, codes[np.maximum(last, 0)], -1),
                                     categories=cat.categories)


def _times(ms: np.ndarray, tz: str) -> pd.Series:
    none = ms == _NONE
    idx = pd.DatetimeIndex(np.where(none, 0, ms).astype("datetime64[ms]")).tz_localize("UTC").tz_convert(tz)
    return pd.Series(idx).where(~none) if none.any() else pd.Series(idx)


# --- visits ------------------------------------------------------------------------

VISIT_COLUMNS = ("visit_id", "antrian", "datang", "petugas", "bidang", "selesai_pada", "batal_pada",
                 "duplikat_pada", "batal_di", "status_akhir", "status_sejak", "putaran")
INTERVAL_COLUMNS = ("visit_id", "antrian", "langkah", "siklus", "mulai", "selesai", "menit", "standar",
                    "hasil", "lewat", "waktu_tamu", "lintas_hari", "ulang", "ke", "petugas", "bidang",
                    "batal_pada")


def visit_table(events: pd.DataFrame, sop: Sop) -> pd.DataFrame:
    """One row per visit: arrival (first event), queue number, officer and bidang
    (last filled), when it reached SELESAI / BATAL / DUPLIKAT (NaT if never), the
    state it was abandoned from, its last state and since when, and its number of service rounds."""
    return visits_and_intervals(events, sop, None)[0]


def _again(log: _Log) -> np.ndarray:
    """Feedback "tidak cukup": a step-8 completion back to DILAYANI."""
    return (log.langkah == FEEDBACK_STEP) & log.is_state(log.ke, "DILAYANI")


def _visits(log: _Log) -> pd.DataFrame:
    starts, ends, n = log.starts, log.ends, len(log.t)
    batal = log.is_state(log.ke, "BATAL")
    first_batal = np.minimum.reduceat(np.where(batal, np.arange(n), n), starts)
    gone = first_batal < n
    return pd.DataFrame({
        "visit_id": np.asarray(log.ids, dtype=object)[log.visit[starts]],
        "antrian": _last_filled(log.antrian, starts, ends),
        "datang": _times(log.t[starts], log.tz),
        "petugas": _last_filled(log.petugas, starts, ends),
        "bidang": _last_filled(log.bidang, starts, ends),
        "selesai_pada": _times(_first_time(log.is_state(log.ke, "SELESAI"), log.t, starts), log.tz),
        "batal_pada": _times(_first_time(batal, log.t, starts), log.tz),
        "duplikat_pada": _times(_first_time(log.is_state(log.ke, "DUPLIKAT"), log.t, starts), log.tz),
        "batal_di": log.dari.take(np.where(gone, first_batal, -1), allow_fill=True),
        "status_akhir": log.ke.take(ends - 1),
        "status_sejak": _times(log.t[ends - 1], log.tz),
        "putaran": np.add.reduceat(_again(log).astype(np.int64), starts) + 1,
    })


# --- step clocks ----------------------------------------------------------------------

def step_intervals(events: pd.DataFrame, sop: Sop, calendar: OfficeCalendar) -> pd.DataFrame:
    """One row per step completion with its clock, in office minutes.

    Columns (INTERVAL_COLUMNS): siklus = service round; menit = office minutes (NaN
    when not measurable: step 2, or a step without a standard); hasil = "tercapai" /
    "terlambat" (menit > standar) / "tidak terukur"; lewat = minutes over the
    standard (0 when met); waktu_tamu = guest time, not counted against staff;
    lintas_hari = the clock crossed closing time (carried over to a later day);
    ulang = feedback "tidak cukup"; petugas / bidang / batal_pada of the visit.
    """
    return visits_and_intervals(events, sop, calendar)[1]


def visits_and_intervals(events: pd.DataFrame, sop: Sop,
                         calendar: OfficeCalendar | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``visit_table`` and ``step_intervals`` of the same events, sorting them once
    (intervals empty when ``calendar`` is None)."""
    tz = zone_key(events["waktu"].dt.tz)
    if events.empty:
        return _empty(VISIT_COLUMNS, tz), _empty(INTERVAL_COLUMNS, tz)
    log = _Log.of(events)
    visits = _visits(log)
    if calendar is None:
        return visits, _empty(INTERVAL_COLUMNS, tz)
    visit_pos = np.repeat(np.arange(len(log.starts)), log.ends - log.starts)

    keep = np.flatnonzero(log.langkah > 0)
    s_codes, s_pos, langkah = log.visit[keep], visit_pos[keep], log.langkah[keep]
    end_ms = log.t[keep]
    m = len(langkah)
    first = np.concatenate(([True], s_codes[1:] != s_codes[:-1])) if m else np.zeros(0, dtype=bool)
    start_ms = np.where(first, _NONE, np.roll(end_ms, 1))

    again = _again(log)[keep]
    before = np.cumsum(again) - again  # "tidak cukup" strictly before, running over all visits
    group_start = np.maximum.accumulate(np.where(first, np.arange(m), 0))
    siklus = 1 + before - before[group_start]

    top = max(sop.steps) + 1
    std_lut = np.array([sop.steps[i].standard_minutes if i in sop.steps and sop.steps[i].standard_minutes
                        else np.nan for i in range(top)])
    guest_lut = np.array([i in sop.steps and sop.steps[i].guest_time for i in range(top)])
    step_ix = np.minimum(langkah, top - 1)
    standar = std_lut[step_ix]

    mulai, selesai = _times(start_ms, tz), _times(end_ms, tz)
    menit = calendar.office_minutes_between(mulai, selesai)  # NaN where the start is unknown
    measured = np.isfinite(standar) & np.isfinite(menit)
    breached = measured & (menit > standar)
    hasil = np.where(~measured, 2, np.where(breached, 1, 0))
    lintas = ~first & (_local_day(start_ms, tz) != _local_day(end_ms, tz))

    intervals = pd.DataFrame({
        "visit_id": pd.Categorical.from_codes(s_codes, categories=log.ids),
        "antrian": visits["antrian"].array.take(s_pos),
        "langkah": langkah.astype(np.int8),
        "siklus": siklus.astype(np.int16),
        "mulai": mulai,
        "selesai": selesai,
        "menit": menit,
        "standar": standar,
        "hasil": pd.Categorical.from_codes(hasil, dtype=_DTYPES["hasil"]),
        "lewat": np.where(breached, menit - standar, 0.0),
        "waktu_tamu": guest_lut[step_ix],
        "lintas_hari": lintas,
        "ulang": again,
        "ke": log.ke.take(keep),
        "petugas": visits["petugas"].array.take(s_pos),
        "bidang": visits["bidang"].array.take(s_pos),
        "batal_pada": visits["batal_pada"].take(s_pos).reset_index(drop=True),
    })
    return visits, intervals


_DTYPES = {
    "langkah": np.int8, "siklus": np.int16, "menit": float, "standar": float, "lewat": float,
    "waktu_tamu": bool, "lintas_hari": bool, "ulang": bool, "putaran": np.int64,
    "hasil": pd.CategoricalDtype(["tercapai", "terlambat", "tidak terukur"]),
}
_TIME_COLUMNS = {"datang", "mulai", "selesai", "selesai_pada", "batal_pada", "duplikat_pada", "status_sejak"}


def _empty(columns: Sequence[str], tz: str) -> pd.DataFrame:
    """A frame without rows but with the dtypes the full one has."""
    return pd.DataFrame({c: pd.Series(dtype=f"datetime64[ms, {tz}]" if c in _TIME_COLUMNS
                                       else _DTYPES.get(c, object)) for c in columns})


def _local_day(utc_ms: np.ndarray, tz: str) -> np.ndarray:
    """Day number of each moment on the office wall clock (_NONE stays apart from every day)."""
    none = utc_ms == _NONE
    local = pd.DatetimeIndex(np.where(none, 0, utc_ms).astype("datetime64[ms]")).tz_localize("UTC") \
        .tz_convert(tz).tz_localize(None).as_unit("ms").asi8
    return np.where(none, _NONE, local // 86_400_000)
