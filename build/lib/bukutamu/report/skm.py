"""Survei Kepuasan Masyarakat -> Indeks Kepuasan Masyarakat (Permen PANRB No. 14 Tahun 2017).

- NRR per element = sum of scores / number of filled answers of that element;
- NRR tertimbang = NRR x 1/9 (exactly 1/9, not 0.111); IKM = sum (1-4);
- IKM konversi = IKM x 25 (25-100);
- mutu: A Sangat Baik 88.31-100.00, B Baik 76.61-88.30, C Kurang Baik 65.00-76.60,
  D Tidak Baik 25.00-64.99.

Computed exactly (``fractions.Fraction``); rounded only for display. The category is
decided on the konversi rounded half-up to two decimals, the precision in which the
Permen writes its ranges: the value shown and its category always agree, and the
gaps between ranges (e.g. 88.305) cannot fall through (88.305 shows as 88.31 -> A;
88.3049... shows as 88.30 -> B).

Elements are identified by NAME in the form's headers (some regions swap U8/U9), by
"U<n>" only when a header carries no element name.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any, Sequence

import numpy as np
import pandas as pd

from bukutamu.core.cells import text
from bukutamu.core.linkforms import FEEDBACK_COLUMNS, PROCESSED_OK
from bukutamu.core.schema import normalise_header

# The program's "[Sistem] Diproses" column: only rows whose token checked out count.
_PROCESSED = normalise_header(next(c.header for c in FEEDBACK_COLUMNS if c.key == "diproses"))


@dataclass(frozen=True)
class Element:
    code: str  # position in the Permen's list
    name: str
    keywords: tuple[str, ...]


ELEMENTS: tuple[Element, ...] = (
    Element("U1", "Persyaratan", ("persyaratan",)),
    Element("U2", "Sistem, Mekanisme, dan Prosedur", ("prosedur", "mekanisme")),
    Element("U3", "Waktu Penyelesaian", ("penyelesaian", "waktu")),
    Element("U4", "Biaya/Tarif", ("biaya", "tarif")),
    Element("U5", "Produk Spesifikasi Jenis Pelayanan", ("spesifikasi", "produk")),
    Element("U6", "Kompetensi Pelaksana", ("kompetensi", "kemampuan")),
    Element("U7", "Perilaku Pelaksana", ("perilaku", "kesopanan", "keramahan")),
    Element("U8", "Penanganan Pengaduan, Saran dan Masukan", ("pengaduan", "saran dan masukan")),
    Element("U9", "Sarana dan Prasarana", ("sarana", "prasarana")),
)
_TIMESTAMP = ("stempel waktu", "timestamp", "cap waktu", "marca temporal")
_CODE = re.compile(r"^\s*(?:u|unsur)\s*\.?\s*([1-9])(?![0-9])", re.IGNORECASE)

GRADES: tuple[tuple[str, str, Decimal, Decimal], ...] = (
    ("A", "Sangat Baik", Decimal("88.31"), Decimal("100.00")),
    ("B", "Baik", Decimal("76.61"), Decimal("88.30")),
    ("C", "Kurang Baik", Decimal("65.00"), Decimal("76.60")),
    ("D", "Tidak Baik", Decimal("25.00"), Decimal("64.99")),
)
WEIGHT = Fraction(1, len(ELEMENTS))


@dataclass(frozen=True)
class ElementScore:
    code: str  # Permen code of the element (U1-U9)
    name: str
    column: str  # the header it was read from (its own "U<n>" may differ)
    total: int
    answers: int

    @property
    def nrr(self) -> Fraction | None:
        return Fraction(self.total, self.answers) if self.answers else None

    @property
    def weighted(self) -> Fraction | None:
        return self.nrr * WEIGHT if self.answers else None


@dataclass(frozen=True)
class IkmResult:
    respondents: int
    elements: tuple[ElementScore, ...]
    ikm: Fraction | None  # None when an element has no answer or is missing
    notes: tuple[str, ...] = ()

    @property
    def konversi(self) -> Fraction | None:
        return None if self.ikm is None else self.ikm * 25

    @property
    def grade(self) -> tuple[str, str] | None:
        return None if self.konversi is None else mutu(self.konversi)


def round_half_up(x: Fraction | Decimal | float | int, places: int = 2) -> Decimal:
    """Round for display, half away from zero for positive values; floats by their shortest repr."""
    if isinstance(x, float):
        x = Decimal(repr(x))
    q = Fraction(x) * 10 ** places
    n = math.floor(q + Fraction(1, 2))
    return Decimal(n).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def mutu(konversi: Fraction | Decimal | float | int) -> tuple[str, str]:
    """(grade, label) of an IKM konversi value (25-100), decided on its 2-decimal display value."""
    shown = round_half_up(konversi, 2)
    for grade, label, low, high in GRADES:
        if low <= shown <= high:
            return grade, label
    raise ValueError(f"IKM konversi {shown} di luar rentang 25,00-100,00")


def element_columns(header: Sequence[Any]) -> tuple[dict[str, int], tuple[str, ...]]:
    """Permen code -> column index of the SKM answers in ``header``, and notes."""
    found: dict[str, int] = {}
    notes: list[str] = []
    for i, raw in enumerate(header):
        h = normalise_header(raw)
        if not h or any(t in h for t in _TIMESTAMP):
            continue
        el = next((e for e in ELEMENTS if any(k in h for k in e.keywords)), None)
        if el is None:
            m = _CODE.match(h)
            el = ELEMENTS[int(m.group(1)) - 1] if m else None
        if el is None:
            continue
        if el.code in found:
            notes.append(f'Kolom "{raw}" diabaikan: unsur {el.name} sudah dibaca dari kolom lain.')
            continue
        found[el.code] = i
    return found, tuple(notes)


def score(value: Any) -> float:
    """An answer -> 1..4, or NaN when empty or not a score (numbers, "4 - Sangat baik", a-d)."""
    if isinstance(value, bool) or value is None:
        return math.nan
    if isinstance(value, (int, float, np.integer, np.floating)):
        v = float(value)
        return v if v in (1.0, 2.0, 3.0, 4.0) else math.nan
    s = str(value).strip().lower()
    m = re.match(r"^([1-4])(?![0-9.,])", s) or re.match(r"^([1-4])[.,]0*(?![0-9])", s)
    if m:
        return float(m.group(1))
    if re.fullmatch(r"[a-d][.)]?(\s.*)?", s):
        return float("abcd".index(s[0]) + 1)
    return math.nan


def skm_scores(header: Sequence[Any], rows: Sequence[Sequence[Any]], tz: Any,
               start: datetime | None = None, end: datetime | None = None) -> tuple[pd.DataFrame, dict[str, str], tuple[str, ...]]:
    """Umpan Balik rows -> scores (columns U1..U9 in Permen order, NaN = unanswered),
    the header each element was read from, and notes. Rows the poller rejected (bad or
    expired token: "[Sistem] Diproses" not OK) never count. With ``start``/``end``,
    only rows whose timestamp lies in [start, end)."""
    from bukutamu.report.history import serials_to_times

    cols, notes = element_columns(header)
    get = lambda r, i: r[i] if i < len(r) else None  # noqa: E731
    values = [tuple(getattr(r, "values", r)) for r in rows]
    done = next((i for i, h in enumerate(header) if normalise_header(h) == _PROCESSED), None)
    if done is not None:
        values = [r for r in values if text(get(r, done)) == PROCESSED_OK]
    frame = pd.DataFrame({e.code: [score(get(r, cols[e.code])) for r in values] if e.code in cols
                          else np.full(len(values), np.nan) for e in ELEMENTS}, dtype=float)
    ts = next((i for i, h in enumerate(header) if any(t in normalise_header(h) for t in _TIMESTAMP)), None)
    if (start or end) and ts is not None and values:
        when = serials_to_times(pd.Series([get(r, ts) for r in values], dtype=object), tz)
        keep = when.notna()
        if start is not None:
            keep &= when >= pd.Timestamp(start)
        if end is not None:
            keep &= when < pd.Timestamp(end)
        frame = frame[keep.to_numpy()].reset_index(drop=True)
    missing = [e.name for e in ELEMENTS if e.code not in cols]
    if missing and values:
        notes += (f"Kolom unsur tidak ditemukan: {', '.join(missing)}.",)
    return frame, {e.code: str(header[cols[e.code]]) for e in ELEMENTS if e.code in cols}, tuple(notes)


def ikm(scores: pd.DataFrame, columns: dict[str, str] | None = None, notes: Sequence[str] = ()) -> IkmResult:
    """IKM of a frame of scores (columns U1..U9, NaN = unanswered)."""
    columns = columns or {}
    answered = scores.isin([1, 2, 3, 4]).any(axis=1)
    elements = []
    for e in ELEMENTS:
        col = scores[e.code] if e.code in scores else pd.Series(dtype=float)
        filled = col[col.isin([1, 2, 3, 4])]  # anything else is not an answer
        elements.append(ElementScore(e.code, e.name, columns.get(e.code, e.code),
                                     int(filled.sum()), int(filled.size)))
    empty = [e.name for e in elements if not e.answers]
    out_notes = list(notes)
    if empty and answered.any():
        out_notes.append(f"IKM tidak dihitung: belum ada jawaban untuk {', '.join(empty)}.")
    value = None if empty else sum((el.weighted for el in elements), Fraction(0))
    return IkmResult(int(answered.sum()), tuple(elements), value, tuple(out_notes))
