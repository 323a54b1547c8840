"""Planning the archive: which closed visits leave the live tabs, what each year's
archive must receive, and which live rows may then be removed. Pure: snapshots in,
plans out; ``bukutamu.app.archive`` does the reading and writing.

The move is two idempotent steps, so a kill at any point loses and doubles nothing:
1. copy: a visit's rows (register, Riwayat, Konfirmasi, Umpan Balik) are appended to
   its year's archive in one write, less what the archive already holds;
2. remove: a live row is removed only once the archive holds it with the same
   content, and only if it still holds that content (the store checks).
A run killed after 1 copies nothing again; one killed during 2 removes the rest.

Rows are carried by header text, not position: an archive's columns follow the
live header of the day it was made, and columns added later are appended.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

from bukutamu.core.cells import parse_datetime, text
from bukutamu.core.errors import SchemaError
from bukutamu.core.helpdesk import is_new_action
from bukutamu.core.queue import parse_visit_id
from bukutamu.core.linkforms import CONFIRM_COLUMNS, FEEDBACK_COLUMNS
from bukutamu.core.schema import HISTORY_COLUMNS, REGISTER_COLUMNS, normalise_header, resolve_columns
from bukutamu.core.sheet import Row, RowAppend, Snapshot, Tab, WriteBatch


@dataclass(frozen=True)
class ArchiveTabs:
    register: str
    history: str
    confirmations: str
    feedback: str

    @property
    def all(self) -> tuple[str, str, str, str]:
        return (self.register, self.history, self.confirmations, self.feedback)

    @property
    def links(self) -> tuple[str, str]:
        return (self.confirmations, self.feedback)


@dataclass(frozen=True)
class ArchiveRules:
    tabs: ArchiveTabs
    closed_labels: frozenset[str]  # SOP states in which a visit is finished
    after_days: int
    today: date
    tz: ZoneInfo
    renames: Mapping[str, str] = field(default_factory=dict)
    busy: frozenset[str] = frozenset()  # visits with mail the sheet has yet to show


@dataclass
class YearCopy:
    """What one year's archive must receive."""

    year: int
    appends: list[RowAppend] = field(default_factory=list)
    # A register row the helpdesk corrected after it was copied: visit ID -> cells.
    corrections: dict[str, dict[str, Any]] = field(default_factory=dict)
    visits: set[str] = field(default_factory=set)

    @property
    def batch(self) -> WriteBatch:
        return WriteBatch(appends=list(self.appends))


# --- which visits -------------------------------------------------------------------

def visit_year(visit_id: str) -> int | None:
    parsed = parse_visit_id(visit_id)
    return parsed[0].year if parsed else None


def closed_on(live: Snapshot, rules: ArchiveRules) -> dict[str, date]:
    """Each finished visit of the live register -> the office day of its last event
    (its registration day when Riwayat has no dated row for it). Visits with a
    helpdesk action still to apply, or mail the sheet has yet to show, stay."""
    reg = live.tab(rules.tabs.register)
    if reg is None:
        return {}
    cols = resolve_columns(reg.name, reg.header, REGISTER_COLUMNS, rules.renames).index
    vid, status = cols["visit_id"], cols["status"]
    aksi, done = cols.get("aksi", -1), cols.get("aksi_terproses", -1)
    finished: dict[str, date] = {}
    for row in reg.rows:
        v = text(row.get(vid))
        parsed = parse_visit_id(v)
        if (parsed and text(row.get(status)) in rules.closed_labels and v not in rules.busy
                and not is_new_action(text(row.get(aksi)), text(row.get(done)))):
            finished[v] = parsed[0]
    last: dict[str, datetime] = {}
    history = live.tab(rules.tabs.history)
    if history is not None and finished:
        hc = resolve_columns(history.name, history.header, HISTORY_COLUMNS).index
        tz = ZoneInfo(live.time_zone) if live.time_zone else rules.tz
        for row in history.rows:
            v = text(row.get(hc["visit_id"]))
            if v in finished:
                at = parse_datetime(row.get(hc["waktu"]), tz)
                if at is not None and (v not in last or at > last[v]):
                    last[v] = at
    return {v: (last[v].astimezone(rules.tz).date() if v in last else day) for v, day in finished.items()}


def due_visits(live: Snapshot, rules: ArchiveRules) -> dict[str, int]:
    """Visit ID -> archive year, for finished visits closed at least ``after_days``
    office days ago (calendar days: a weekend counts)."""
    cutoff = rules.today - timedelta(days=rules.after_days)
    out = {}
    for v, day in closed_on(live, rules).items():
        year = visit_year(v)
        if day <= cutoff and year is not None:
            out[v] = year
    return out


def orphans(live: Snapshot, rules: ArchiveRules) -> dict[str, int]:
    """Visit IDs named in live Riwayat or link rows but absent from the live register
    (e.g. a feedback answer that arrived after its visit was archived) -> year. Only
    the archive can say whether such a visit was archived; the caller asks it."""
    reg = live.tab(rules.tabs.register)
    if reg is None:
        return {}
    cols = resolve_columns(reg.name, reg.header, REGISTER_COLUMNS, rules.renames).index
    present = {text(r.get(cols["visit_id"])) for r in reg.rows}
    out = {}
    for tab in (rules.tabs.history, *rules.tabs.links):
        for v in _visits_of(live.tab(tab), rules.tabs):
            year = visit_year(v)
            if v not in present and year is not None:
                out[v] = year
    return out


# --- rows by visit --------------------------------------------------------------------

def _visit_column(tab: Tab, tabs: ArchiveTabs, renames: Mapping[str, str] | None = None) -> int | None:
    """Where the visit ID sits; only that column is needed (a link tab missing some
    other question can still be archived)."""
    columns = (REGISTER_COLUMNS if tab.name == tabs.register else HISTORY_COLUMNS if tab.name == tabs.history
               else CONFIRM_COLUMNS if tab.name == tabs.confirmations else FEEDBACK_COLUMNS)
    try:
        return resolve_columns(tab.name, tab.header, [c for c in columns if c.key == "visit_id"],
                               renames if tab.name == tabs.register else None).index.get("visit_id")
    except SchemaError:
        return None


def _visits_of(tab: Tab | None, tabs: ArchiveTabs) -> set[str]:
    if tab is None:
        return set()
    col = _visit_column(tab, tabs)
    return {v for r in tab.rows if (v := text(r.get(col)))} if col is not None else set()


def rows_by_visit(tab: Tab | None, tabs: ArchiveTabs, visits: Iterable[str],
                  renames: Mapping[str, str] | None = None) -> dict[str, list[Row]]:
    wanted = set(visits)
    if tab is None or not wanted:
        return {}
    col = _visit_column(tab, tabs, renames)
    out: dict[str, list[Row]] = {}
    if col is None:
        return out
    for row in tab.rows:
        v = text(row.get(col))
        if v in wanted:
            out.setdefault(v, []).append(row)
    return out


def archive_headers(header: Sequence[str]) -> tuple[str, ...]:
    """A live header as the archive carries it: every column named (a blank header
    becomes "(kolom N)") and unique (a repeated one gets " (2)"), so no cell is lost
    or merged when rows are carried by header text."""
    out: list[str] = []
    seen: Counter = Counter()
    for i, h in enumerate(header):
        name = str(h).strip() or f"(kolom {i + 1})"
        seen[normalise_header(name)] += 1
        if seen[normalise_header(name)] > 1:
            name = f"{name} ({seen[normalise_header(name)]})"
        out.append(name)
    return tuple(out)


def as_record(header: Sequence[str], row: Row) -> dict[str, Any]:
    """Non-empty cells by (archive) header text."""
    names = archive_headers(header)
    return {names[i]: v for i, v in enumerate(row.values) if i < len(names) and v not in (None, "")}


def _same(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    na = {normalise_header(k): v for k, v in a.items()}
    nb = {normalise_header(k): v for k, v in b.items()}
    return na == nb


def _key(record: Mapping[str, Any]) -> tuple:
    return tuple(sorted((normalise_header(k), repr(v) if not isinstance(v, (int, float)) or isinstance(v, bool)
                         else float(v)) for k, v in record.items()))


# --- step 1: copy ------------------------------------------------------------------------

def plan_copy(live: Snapshot, archived: Snapshot, visits: Iterable[str], year: int, rules: ArchiveTabs,
              renames: Mapping[str, str] | None = None) -> YearCopy:
    """What ``archived`` (that year's archive, read with Riwayat append-only) lacks of
    the given visits' live rows. Idempotent: planning again after the write gives
    nothing."""
    plan = YearCopy(year, visits=set(visits))
    a_reg = archived.tab(rules.register)
    a_have = {v: rows[0] for v, rows in rows_by_visit(a_reg, rules, plan.visits, renames).items()} if a_reg else {}
    l_reg = live.tab(rules.register)
    for v, rows in rows_by_visit(l_reg, rules, plan.visits, renames).items():
        record = as_record(l_reg.header, rows[0])
        if v not in a_have:
            plan.appends.append(RowAppend(rules.register, record))
        elif not _same(as_record(a_reg.header, a_have[v]), record):
            plan.corrections[v] = record
    a_hist = archived.tab(rules.history)
    counts = dict(a_hist.column_a_counts or {}) if a_hist is not None else {}
    l_hist = live.tab(rules.history)
    for v, rows in rows_by_visit(l_hist, rules, plan.visits).items():
        for row in rows[counts.get(v, 0):]:  # Riwayat only grows, and never after archiving
            plan.appends.append(RowAppend(rules.history, as_record(l_hist.header, row)))
    for name in rules.links:
        l_tab, a_tab = live.tab(name), archived.tab(name)
        if l_tab is None:
            continue
        have = Counter(_key(as_record(a_tab.header, r)) for rows in
                       rows_by_visit(a_tab, rules, plan.visits).values() for r in rows) if a_tab else Counter()
        for rows in rows_by_visit(l_tab, rules, plan.visits).values():
            for row in rows:
                record = as_record(l_tab.header, row)
                if have[_key(record)] > 0:
                    have[_key(record)] -= 1
                else:
                    plan.appends.append(RowAppend(name, record))
    return plan


# --- step 2: remove ----------------------------------------------------------------------

def plan_removal(live: Snapshot, archived: Snapshot, visits: Iterable[str], rules: ArchiveTabs,
                 renames: Mapping[str, str] | None = None) -> dict[str, list[Row]]:
    """Live rows of the given visits that the archive holds with the same content
    (tab -> rows). A row the archive lacks, or holds otherwise, stays live."""
    wanted = set(visits)
    out: dict[str, list[Row]] = {}
    a_reg, l_reg = archived.tab(rules.register), live.tab(rules.register)
    if a_reg is not None and l_reg is not None:
        a_rows = {v: rows[0] for v, rows in rows_by_visit(a_reg, rules, wanted, renames).items()}
        for v, rows in rows_by_visit(l_reg, rules, wanted, renames).items():
            if v in a_rows and len(rows) == 1 and _same(as_record(a_reg.header, a_rows[v]),
                                                        as_record(l_reg.header, rows[0])):
                out.setdefault(rules.register, []).append(rows[0])
    a_hist, l_hist = archived.tab(rules.history), live.tab(rules.history)
    counts = dict(a_hist.column_a_counts or {}) if a_hist is not None else {}
    for v, rows in rows_by_visit(l_hist, rules, wanted).items():
        if counts.get(v, 0) >= len(rows):
            out.setdefault(rules.history, []).extend(rows)
    for name in rules.links:
        l_tab, a_tab = live.tab(name), archived.tab(name)
        if l_tab is None or a_tab is None:
            continue
        have = Counter(_key(as_record(a_tab.header, r))
                       for rows in rows_by_visit(a_tab, rules, wanted).values() for r in rows)
        for rows in rows_by_visit(l_tab, rules, wanted).values():
            for row in rows:
                k = _key(as_record(l_tab.header, row))
                if have[k] > 0:
                    have[k] -= 1
                    out.setdefault(name, []).append(row)
    return out


def archived_visits(archived: Snapshot, rules: ArchiveTabs) -> set[str]:
    reg = archived.tab(rules.register)
    return _visits_of(reg, rules) if reg is not None and reg.header else set()


# --- reading live and archive together ------------------------------------------------

def merged_tab(live: Tab | None, older: Sequence[Tab]) -> Tab | None:
    """Archive tabs (oldest first) then the live tab, as one tab in the live header's
    column order (the reports read history this way)."""
    if live is None and not older:
        return None
    header = tuple(live.header) if live is not None else tuple(older[-1].header)
    target = {normalise_header(h): i for i, h in reversed(list(enumerate(archive_headers(header))))}
    rows: list[Row] = []
    for tab in older:
        names = archive_headers(tab.header)
        where = [target.get(normalise_header(h)) for h in names]
        for row in tab.rows:
            cells: list[Any] = [None] * len(header)
            for i, v in enumerate(row.values):
                if i < len(where) and where[i] is not None:
                    cells[where[i]] = v
            while cells and cells[-1] is None:
                cells.pop()
            rows.append(Row(("arsip", tab.name, row.ref), tuple(cells)))
    rows += list(live.rows) if live is not None else []
    return Tab(live.name if live is not None else older[-1].name, header, tuple(rows))
