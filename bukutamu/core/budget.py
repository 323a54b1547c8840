"""How full a Google spreadsheet is, and when it will be full (pure).

Google refuses every write to a spreadsheet past 10 million cells (rows x columns of
every tab, empty cells included). One office fills 4-5 million a year: the register,
the Riwayat log (~7 rows a visit) and the link-form tabs. The projection uses the
visits of the last weeks and what one visit costs in cells right now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

GOOGLE_CELL_LIMIT = 10_000_000
ALERT_SHARE = 0.80  # the admin is warned from here on


@dataclass(frozen=True)
class CellBudget:
    used: int  # cells allocated in the spreadsheet (all tabs)
    per_day: float  # cells added per office day at the recent rate (0: no recent visits)
    limit: int = GOOGLE_CELL_LIMIT

    @property
    def share(self) -> float:
        return self.used / self.limit

    def full_on(self, today: date) -> date | None:
        """The day the limit is reached at the recent rate (None: no growth)."""
        if self.per_day <= 0:
            return None
        return today + timedelta(days=max(0.0, (self.limit - self.used) / self.per_day))

    @property
    def alarming(self) -> bool:
        return self.share >= ALERT_SHARE


def cells_per_visit(register_width: int, history_rows: int, history_width: int, visits: int) -> float:
    """Cells one visit adds: its register row plus its share of the Riwayat log."""
    if visits <= 0:
        return float(register_width)
    return register_width + history_rows / visits * history_width


def recent_rate(visit_days: list[date], today: date, per_visit: float, window_days: int = 28) -> float:
    """Cells per calendar day over the last ``window_days`` days of visits."""
    start = today - timedelta(days=window_days)
    recent = sum(1 for d in visit_days if start < d <= today)
    return recent * per_visit / window_days


def budget_line(b: CellBudget, today: date) -> str:
    """One Indonesian line for `check` and the Sistem tab."""
    when = b.full_on(today)
    where = (f"penuh sekitar {when:%d/%m/%Y} pada laju 4 minggu terakhir" if when
             else "belum ada pertumbuhan 4 minggu terakhir")
    line = (f"{b.used:,} dari {b.limit:,} sel terpakai ({b.share:.0%}); {where}".replace(",", "."))
    if b.alarming:
        line += (" — segera arsipkan kunjungan lama atau pindah ke spreadsheet baru: di atas batas itu Google "
                 "menolak setiap penulisan")
    return line
