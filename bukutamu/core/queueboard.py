"""The Antrian tab: today's queue for a lobby screen. Queue number, masked name,
status — no NIK, no phone. Rewritten only when something on it changed."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bukutamu.core.cells import text
from bukutamu.core.ktp import mask_name
from bukutamu.core.queue import parse_visit_id
from bukutamu.core.register import RegisterView
from bukutamu.core.schema import QUEUE_COLUMNS, resolve_columns
from bukutamu.core.sheet import Tab, TabReplace
from bukutamu.core.text import clean_line, sheet_safe

if TYPE_CHECKING:
    from bukutamu.core.changes import Changes
    from bukutamu.core.context import CycleContext


def plan_queue_board(register: RegisterView, changes: "Changes", board: Tab, now: datetime,
                     ctx: "CycleContext") -> None:
    cols = resolve_columns(board.name, board.header, QUEUE_COLUMNS)
    today = now.astimezone(ctx.tz).date()
    prefix = f"{today:%Y%m%d}-"
    lines = []
    for row in register.rows:
        vid = text(changes.current(row, "visit_id"))
        if not vid.startswith(prefix):
            continue
        parsed = parse_visit_id(vid)
        if not parsed or parsed[0] != today:
            continue
        lines.append((parsed[2], text(changes.current(row, "antrian")),
                      sheet_safe(mask_name(clean_line(row.text("nama")))), text(changes.current(row, "status"))))
    lines.sort()
    wanted = [[a, n, s] for _, a, n, s in lines]
    idx = [cols.index["antrian"], cols.index["nama"], cols.index["status"]]
    have = [[text(r.get(i)) for i in idx] for r in board.rows]
    have = [h for h in have if any(h)]
    if have == wanted:
        return
    h = cols.header
    changes.replaces.append(TabReplace(board.name, [
        {h["antrian"]: a, h["nama"]: n, h["status"]: s} for a, n, s in wanted]))
