"""Use case: run one poll cycle — read one snapshot, plan (pure), journal the
messages, write one batch, deliver.

Order matters for exactly-once: a planned message is recorded in the journal
before the sheet write that makes it due, and sent after it; the send time
reaches the sheet on the next cycle (``sent_unreflected``), so a crash at any
point neither loses a message nor sends it twice (see adapters/delivery.py for
the one window). The runner takes ports only; ``bukutamu.bootstrap`` builds it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

from bukutamu.adapters.delivery import deliver
from bukutamu.adapters.store import SheetStore
from bukutamu.core.context import CycleContext
from bukutamu.core.mail import MailKey, MailKind, OutgoingMail
from bukutamu.core.notices import escalation_digest
from bukutamu.core.notify import Notifier
from bukutamu.core.plan import Plan, mail_fact_visits, plan_cycle, tabs_to_read
from bukutamu.core.workflow import MailFacts

log = logging.getLogger("bukutamu")
PAYLOAD_DAYS = timedelta(days=30)


@dataclass
class CycleReport:
    new_visits: int
    transitions: int
    wrote: bool
    read_seconds: float
    plan_seconds: float
    write_seconds: float
    mails_sent: int = 0
    mails_pending: int = 0
    log: list[str] = field(default_factory=list)


class CycleRunner:
    """Runs cycles against one store; keeps nothing between cycles but the journal
    and the last error (shown in the Sistem tab by the next cycle that writes)."""

    def __init__(self, store: SheetStore, ctx: CycleContext, notifier: Notifier, journal,
                 clock: Callable[[], datetime]):
        self.store = store
        self.ctx = ctx
        self.sop = ctx.sop
        self.notifier = notifier
        self.journal = journal
        self.clock = clock
        self.last_error = ""

    def record_error(self, message: str) -> None:
        """A job failed: the next cycle that writes shows ``message`` in the Sistem tab."""
        self.last_error = message

    def facts(self, snapshot) -> MailFacts:
        """What the journal knows about the visits this cycle can touch (not the
        whole journal: its keys grow with every visit ever registered)."""
        sent = {s.key: s.sent_at for s in self.journal.sent_unreflected()}
        failed = {f.key: f.error for f in self.journal.failed_unreflected()}
        visits = mail_fact_visits(snapshot, self.ctx) | {k.split("/", 1)[0] for k in (*sent, *failed)}
        return MailFacts(known=self.journal.known_keys(visits), sent=sent, failed=failed,
                         failed_to=self.journal.failed_recipients(MailKind.OFFICER_NOTICE.value))

    def run_once(self) -> CycleReport:
        tabs, append_only = tabs_to_read(self.ctx)
        t0 = time.perf_counter()
        snapshot = self.store.read(tabs, append_only)
        t1 = time.perf_counter()
        now = self.clock()
        plan: Plan = plan_cycle(snapshot, now, self.ctx, self.facts(snapshot), self.last_error)
        t2 = time.perf_counter()
        for mail in plan.mails:
            self.journal.record_intent(mail, now)  # before the write that makes it due
        if plan.batch:
            self.store.write(plan.batch)
        t3 = time.perf_counter()
        for key in plan.reflected:
            self.journal.mark_reflected(key)
        report = deliver(self.journal, self.notifier, [], now, build_digest=self._digest)
        for key in report.sent:
            visit_key = MailKey.parse(key)
            if visit_key is None or visit_key.kind is not MailKind.OFFICER_NOTICE:
                self.journal.mark_reflected(key)  # only officer notices become a sheet transition
        self.journal.forget_payloads(now - PAYLOAD_DAYS)  # names in old bodies are not kept (UU PDP)
        for key, error in report.errors.items():
            log.warning("Email %s belum terkirim: %s", key.split("/")[1] if "/" in key else "?", error)
        for line in plan.log:
            log.info(line)
        self.last_error = ""
        return CycleReport(plan.new_visits, plan.transitions, bool(plan.batch), t1 - t0, t2 - t1, t3 - t2,
                           len(report.sent), self.journal.pending_count(), plan.log)

    def _digest(self, items: list) -> OutgoingMail:
        """Escalations due together for one recipient list, as one message."""
        return escalation_digest(items, self.ctx.office_name, self.ctx.helpdesk_email)

    def close(self) -> None:
        self.ctx.memo.clear()  # nothing about guests outlives the poller
        self.notifier.close()
        self.journal.close()
