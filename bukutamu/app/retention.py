"""Use case: retention — anonymise visits closed longer ago than the retention
period, everywhere the program keeps them (``bukutamu purge`` and the daily job of
``bukutamu run``). What is reduced and what is kept: ``core/retention.py``.

Places, in the order a run visits them::

    1. stores      each SheetStore (the live store first, then archive stores): one
                   read, the pure plan, one write (CellUpdates through the store's
                   own write path; on Google the guarded, sort-safe one)
    2. web db      corrections typed at the web desk (old/new values)
    3. journal     message payloads, errors, digest groups; pending mails settled
    4. outbox      .eml copies deleted
    5. compaction  SQLite files rewritten (VACUUM) and their WAL emptied, so no
                   reduced value survives in a free page or an old WAL frame

Crash safety (SIGKILL at any point, then run again):

- Every step is idempotent and decides from the data, not from a memo of an
  earlier run: a visit is due because it is closed and older than the cutoff, and
  stays due once reduced, so a rerun redoes the later steps for every due visit,
  including those a killed run already reduced in the store.
- A store write is one transaction (SQLite) or one values request (Google): a row is
  reduced entirely or not at all — and a half-applied Google request leaves cells
  that the next run's plan still finds different and writes.
- The journal is reduced before the outbox copies are deleted: a pending message of
  a due visit is settled (failed, reflected) first, so no poller can deliver it and
  write its ``.eml`` again after the deletion. The other way round, a kill between
  the two would leave a pending payload (names, addresses) that re-creates the file.
- The stores come first: a kill after them leaves the sheet already clean (the place
  people see) and only the program's own files to finish; nothing in the journal or
  outbox is needed to find the due visits again.
- Compaction last, on every run that finds due visits (a file is rewritten only
  while it has free pages or WAL frames): it only removes what earlier steps freed,
  a run killed before it has it done by the next run, and a kill inside VACUUM
  leaves the old file intact (SQLite's own atomic commit).

Nothing here changes a visit's status, Riwayat or ratings: the weekly report of a
purged week rebuilds with the same figures.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Callable, Sequence

from bukutamu.core.retention import RetentionTabs, cutoff_day, plan_purge
from bukutamu.core.sop import Sop

log = logging.getLogger("bukutamu")

@dataclass
class StoreResult:
    name: str  # store.describe()
    visits: int = 0  # due visits in this store's register
    changed_visits: int = 0  # register rows changed (would change)
    link_rows: int = 0  # Konfirmasi / Umpan Balik rows changed
    cells: int = 0
    already: int = 0


@dataclass
class PurgeReport:
    cutoff: date
    dry_run: bool
    stores: list[StoreResult] = field(default_factory=list)
    visits: set[str] = field(default_factory=set)  # every due visit
    stale_open: list[str] = field(default_factory=list)
    webdb_rows: int = 0
    journal_rows: int = 0
    outbox_files: int = 0

    @property
    def changes(self) -> int:
        return (sum(s.changed_visits + s.link_rows for s in self.stores) + self.webdb_rows + self.journal_rows
                + self.outbox_files)


def retention_tabs(settings, sop: Sop) -> RetentionTabs:
    t = settings.tabs
    return RetentionTabs(register=t.register, confirmations=t.confirmations, feedback=t.feedback,
                         closed_statuses=frozenset(s.label for s in sop.states.values() if not s.open),
                         renames=dict(settings.columns))


def cutoff_for(settings, now: datetime) -> date:
    return cutoff_day(now, settings.retention.days, settings.office.tz)


def purge(stores: Sequence, tabs: RetentionTabs, *, cutoff: date, today: date, tz, journal=None,
          outbox: Path | None = None, webdb=None, dry_run: bool = False,
          say: Callable[[str], None] = lambda message: None) -> PurgeReport:
    """Anonymise every visit due at ``cutoff`` in ``stores`` (live first, then
    archives: each a SheetStore with the live tabs), then in the web db, the journal
    and the outbox folder (each optional). ``dry_run``: count, write nothing."""
    report = PurgeReport(cutoff=cutoff, dry_run=dry_run)
    before = datetime.combine(cutoff, time(0), tz)
    # 1. Stores: one read each, then the plans (link rows may sit in another store
    #    than their register row), then one write each, live store first.
    snaps = []
    for store in stores:
        say(f"Membaca {store.describe()} …")
        snaps.append(store.read(list(tabs.names())))
    first = [plan_purge(s, tabs, cutoff, today) for s in snaps]
    due = set().union(*(p.visits for p in first)) if first else set()
    known = set()
    for s in snaps:
        known |= _visit_ids(s, tabs)
    for store, snap in zip(stores, snaps):
        plan = plan_purge(snap, tabs, cutoff, today, due_elsewhere=due, known_elsewhere=known)
        result = StoreResult(store.describe(), len(plan.visits), len(plan.changed_visits), plan.link_rows,
                             plan.cells, plan.already)
        report.stores.append(result)
        report.visits |= plan.visits
        report.stale_open += plan.stale_open
        if plan.batch and not dry_run:
            say(f"Menganonimkan {result.changed_visits} kunjungan ({plan.cells} sel) di {store.describe()} …")
            write_store(store, plan.batch)
    # 2-4. The program's own files, for every due visit (also those reduced earlier).
    if webdb is not None:
        report.webdb_rows = purge_webdb(webdb, report.visits, dry_run)
    if journal is not None:
        say("Jurnal email …")
        report.journal_rows = purge_journal(journal, report.visits, before, dry_run)
    if outbox is not None:
        keys = journal.keys_before(before) if journal is not None else []
        report.outbox_files = purge_outbox_files(outbox, report.visits, keys, before, dry_run)
    # 5. Freed pages and WAL frames: whenever visits are due, so a run killed before
    #    this step has it done by the next one (each file is rewritten only when it
    #    has free pages or WAL frames: a second run leaves every file as it is).
    if not dry_run and report.visits:
        say("Memadatkan berkas data …")
        compact_files([*stores, journal, webdb])
    return report


def _visit_ids(snap, tabs: RetentionTabs) -> set[str]:
    from bukutamu.core.register import read_register
    tab = snap.tab(tabs.register)
    return {r.visit_id for r in read_register(tab, tabs.renames).rows if r.visit_id} if tab is not None else set()


# The steps are module functions so the kill matrix can stop a run after each one.

def write_store(store, batch) -> None:
    store.write(batch)


def purge_webdb(webdb, visits, dry_run: bool) -> int:
    return webdb.purge_visits(visits, dry_run=dry_run)


def purge_journal(journal, visits, before: datetime, dry_run: bool) -> int:
    return journal.purge_visits(visits, before, dry_run=dry_run)


def purge_outbox_files(folder: Path, visits, keys, before: datetime, dry_run: bool) -> int:
    from bukutamu.adapters.mail.outbox import purge_outbox
    return len(purge_outbox(folder, visits, keys, before, dry_run=dry_run))


def compact_files(places) -> None:
    for place in places:
        scrub = getattr(place, "scrub", None)  # SQLite files; a Google store has none
        if scrub is not None:
            scrub()


def describe(report: PurgeReport) -> list[str]:
    """The Indonesian lines `bukutamu purge` prints (no personal data)."""
    verb = "akan diubah" if report.dry_run else "diubah"
    lines = [f"Batas retensi: kunjungan yang ditutup sebelum {report.cutoff:%d/%m/%Y}."]
    for s in report.stores:
        lines.append(f"  {s.name}: {s.visits} kunjungan lewat masa retensi, {s.changed_visits} baris register "
                     f"{verb} ({s.cells} sel), {s.link_rows} baris tautan {verb}"
                     + (f", {s.already} sudah dianonimkan sebelumnya" if s.already else "") + ".")
    lines.append(f"  Jurnal email: {report.journal_rows} pesan {verb}.")
    lines.append(f"  Outbox: {report.outbox_files} berkas .eml {'akan dihapus' if report.dry_run else 'dihapus'}.")
    lines.append(f"  Koreksi meja web: {report.webdb_rows} baris {verb}.")
    if report.stale_open:
        shown = ", ".join(report.stale_open[:10]) + (" …" if len(report.stale_open) > 10 else "")
        lines.append(f"Perhatian: {len(report.stale_open)} kunjungan lebih tua dari batas retensi masih terbuka "
                     f"dan tidak dianonimkan ({shown}); helpdesk perlu menutupnya.")
    if report.dry_run:
        lines.append("Uji coba (--coba): tidak ada yang ditulis.")
    elif not report.changes:
        lines.append("Tidak ada yang perlu diubah.")
    return lines


def purge_job(settings, stores: Callable[[], Sequence], journal, sop: Sop,
              clock: Callable[[], datetime], webdb: Callable[[], object | None] = lambda: None
              ) -> Callable[[], None]:
    """The daily job `bukutamu run` schedules (``retention.at``). ``stores`` gives
    the stores to purge when the job runs: the live store first (the poller's, left
    open), then archive stores opened for this run (closed after it)."""

    def job() -> None:
        now = clock()
        places = list(stores())
        try:
            report = purge(places, retention_tabs(settings, sop), cutoff=cutoff_for(settings, now),
                           today=now.astimezone(settings.office.tz).date(), tz=settings.office.tz,
                           journal=journal, outbox=settings.mail.outbox, webdb=webdb(), say=log.debug)
        finally:
            for store in places[1:]:
                store.close()
        if report.changes:
            log.info("Retensi: %d kunjungan dianonimkan (batas %s).", len(report.visits), report.cutoff)
        if report.stale_open:
            log.warning("Retensi: %d kunjungan lebih tua dari batas retensi masih terbuka; helpdesk perlu "
                        "menutupnya.", len(report.stale_open))

    return job


