"""Use case: archive closed visits (`bukutamu arsip` and the daily job).

A finished visit closed at least ``archive.after_days`` days ago leaves the live
tabs (register, Riwayat, Konfirmasi, Umpan Balik) for its year's archive, so a
cycle reads, plans and writes only what can still change, and a Google
spreadsheet stays far from its 10 million cells. Reports read the archive and the
live tabs together (``history_with_archive``).

Per year: read the archive, copy what it lacks (in chunks of ``CHUNK`` visits, one
write each), read it again, then remove from the live tabs exactly the rows the
archive now holds with the same content. Every step is idempotent (see
core/archive.py), so a run killed anywhere is finished by the next one. Run it
under the writer lock: no cycle runs meanwhile.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Callable

from bukutamu.adapters.store import SheetStore, TabSpec
from bukutamu.core.archive import (ArchiveRules, ArchiveTabs, archive_headers, archived_visits, due_visits,
                                   orphans, plan_copy, plan_removal, rows_by_visit)
from bukutamu.core.mail import MailKey
from bukutamu.core.schema import REGISTER_COLUMNS, resolve_columns
from bukutamu.core.sheet import Snapshot, Tab

log = logging.getLogger("bukutamu")
CHUNK = 2000  # visits per archive write: a few MB at most, under Google's request size


@dataclass
class ArchiveReport:
    dry_run: bool
    visits: int = 0
    copied: dict[str, int] = field(default_factory=dict)  # tab -> rows appended to archives
    removed: dict[str, int] = field(default_factory=dict)  # tab -> rows removed from live tabs
    corrected: int = 0
    years: list[int] = field(default_factory=list)
    waiting: int = 0  # finished visits kept live because mail or an action is pending

    def lines(self) -> list[str]:
        verb = "akan dipindahkan" if self.dry_run else "dipindahkan"
        if not self.visits:
            return ["Tidak ada kunjungan selesai yang perlu diarsipkan."]
        out = [f"{self.visits} kunjungan selesai {verb} ke arsip tahun {', '.join(map(str, self.years))}."]
        rows = self.copied if self.dry_run else self.removed
        out += [f"  {tab}: {n} baris" for tab, n in rows.items() if n]
        if self.corrected:
            out.append(f"  {self.corrected} baris arsip diperbarui (dikoreksi helpdesk setelah disalin).")
        if self.waiting:
            out.append(f"  {self.waiting} kunjungan selesai menunggu email/aksi yang belum tercatat; "
                       "diarsipkan pada putaran berikutnya.")
        return out


def archive_tabs(settings) -> ArchiveTabs:
    t = settings.tabs
    return ArchiveTabs(t.register, t.history, t.confirmations, t.feedback)


def busy_visits(journal) -> frozenset[str]:
    """Visits with mail not yet sent or not yet shown in the sheet: the sheet still
    owes them a cell, so they stay live one more day."""
    keys = [p.key for p in journal.pending()] + [s.key for s in journal.sent_unreflected()] \
        + [f.key for f in journal.failed_unreflected()]
    return frozenset(k.visit_id for k in map(MailKey.parse, keys) if k is not None)


def archive_visits(store: SheetStore, archives, settings, sop, journal, now: datetime, *, dry_run: bool = False,
                   progress: Callable[[str], None] = lambda line: None) -> ArchiveReport:
    tabs = archive_tabs(settings)
    closed = frozenset(s.label for s in sop.states.values() if not s.open)
    rules = ArchiveRules(tabs, closed, settings.archive.after_days, now.astimezone(settings.office.tz).date(),
                         settings.office.tz, dict(settings.columns), busy_visits(journal))
    live = store.read(list(tabs.all))
    finished = due_visits(live, replace(rules, busy=frozenset()))  # one pass over the whole live snapshot
    due = {v: y for v, y in finished.items() if v not in rules.busy}
    report = ArchiveReport(dry_run, waiting=len(finished) - len(due))
    pending = orphans(live, rules)
    for year in sorted(set(due.values()) | set(pending.values())):
        if year not in due.values() and not archives.exists(year):
            continue  # only stray rows name that year, and it has no archive
        if dry_run and not archives.exists(year):
            archived = Snapshot({}, live.time_zone)
        else:
            archive = archives.get(year)
            if not dry_run:
                archive.init(_specs(live, tabs))
            archived = _read(archive, tabs)
        had = archived_visits(archived, tabs)
        visits = sorted(v for v, y in due.items() if y == year) + \
            sorted(v for v, y in pending.items() if y == year and v in had)
        if not visits:
            continue
        report.years.append(year)
        report.visits += len([v for v in visits if v in due])
        grouped = {name: rows_by_visit(live.tab(name), tabs, visits, settings.columns) for name in tabs.all}
        for start in range(0, len(visits), CHUNK):
            part = visits[start:start + CHUNK]
            copy = plan_copy(_only(live, grouped, part), archived, part, year, tabs, settings.columns)
            for a in copy.appends:
                report.copied[a.tab] = report.copied.get(a.tab, 0) + 1
            if dry_run:
                continue
            if copy.appends:
                archive.write(copy.batch)
            for visit, record in copy.corrections.items():
                archive.edit_visit(tabs.register, _visit_header(archived, tabs, settings), visit, record)
                report.corrected += 1
            progress(f"Arsip {year}: {min(start + CHUNK, len(visits))}/{len(visits)} kunjungan disalin.")
        if dry_run:
            continue
        archived = _read(archive, tabs)  # what the archive holds now decides what leaves
        for tab, rows in plan_removal(live, archived, visits, tabs, settings.columns).items():
            gone = store.remove_rows(tab, rows)
            report.removed[tab] = report.removed.get(tab, 0) + gone
        progress(f"Arsip {year}: baris kunjungan itu dihapus dari tab aktif.")
    if report.removed and hasattr(store, "compact"):
        store.compact()  # embedded: the file shrinks back to the live visits
    return report


def _only(live: Snapshot, grouped: dict, visits: list[str]) -> Snapshot:
    """The live snapshot cut down to these visits' rows (grouped once per year), so a
    chunk's plan does not scan the whole history again."""
    tabs = {}
    for name, tab in live.tabs.items():
        rows = grouped.get(name)
        tabs[name] = tab if rows is None else Tab(name, tab.header, tuple(r for v in visits for r in rows.get(v, ())))
    return Snapshot(tabs, live.time_zone, live.missing_tabs, live.cell_count)


def _read(archive: SheetStore, tabs: ArchiveTabs) -> Snapshot:
    return archive.read([tabs.register, tabs.confirmations, tabs.feedback], [tabs.history])


def _specs(live: Snapshot, tabs: ArchiveTabs) -> list[TabSpec]:
    """The archive's tabs carry the live headers (blank ones named), nothing more:
    no dropdowns, no protection, nobody edits an archive."""
    return [TabSpec(name, archive_headers(live.tab(name).header)) for name in tabs.all if live.tab(name) is not None]


def _visit_header(archived: Snapshot, tabs: ArchiveTabs, settings) -> str:
    reg = archived.tab(tabs.register)
    return resolve_columns(reg.name, reg.header, REGISTER_COLUMNS, settings.columns).header["visit_id"]


def archive_job(settings, store: SheetStore, archives, sop, journal,
                clock: Callable[[], datetime]) -> Callable[[], None]:
    """The daily job `bukutamu run` schedules (archive.at, and once at start). It runs
    in the poller's thread, between two cycles, so no cycle writes meanwhile."""

    def job() -> None:
        report = archive_visits(store, archives, settings, sop, journal, clock())
        for line in report.lines() if report.visits else ():
            log.info(line)

    return job
