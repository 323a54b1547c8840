"""Deliver mails exactly once through the journal: intent -> send -> outcome.

``deliver(journal, mailer, mails, now)`` does, in order:

1. for each new mail: skip it when its key is already in the journal (sent, failed,
   or pending -- a pending one is handled by step 2), else ``record_intent``;
2. for every pending message due at ``now`` (new ones and earlier failures whose
   backoff has passed, oldest first): ``mailer.send``, then ``mark_sent`` on
   success or ``mark_failed`` (temporary: retried later with backoff;
   permanent: never retried);
3. close the mailer's connection.

After ``max_consecutive_failures`` temporary failures in a row (server down), or
after one *uncertain* result (the whole message was sent and no answer came), the
remaining due messages are left untouched for the next cycle instead of each
waiting for its own timeout. A message is tried at most once per call: a failed or
uncertain one is next due after the journal's backoff, in a later cycle.

Crash analysis (process killed at any point):

- before ``record_intent`` commits: nothing recorded, nothing sent; the engine
  plans the mail again next cycle (the sheet's step timestamps say it is still due).
- after ``record_intent``, before the SMTP server accepted the message (including
  a kill during the SMTP dialogue before the final "250" to DATA): pending; the next
  cycle sends it. The server never stored it, so there is no duplicate.
- after ``mark_sent`` commits: sent; never sent again. If the kill came before the
  engine wrote the send time to the sheet, ``sent_unreflected`` hands it over next
  cycle and the sheet is written without a second email.

**The one window no journal can close**: the SMTP server has accepted the message
(it answered 250 to the end of DATA, or was about to) and the process dies -- or the
connection drops before that answer arrives -- before ``mark_sent`` is committed.
The journal still says pending, so the next cycle sends the message again. This
is inherent: acceptance by the server and the local commit cannot be one atomic
step (SMTP has no two-phase commit and no idempotency key). Mitigation: the resend
is built from the same journal payload, so it carries the same Message-ID
(``<sha256(key)[:32]@sender-domain>``) and the same body; mail systems that
deduplicate on Message-ID (Gmail among them, within one mailbox) show it once;
others show two identical copies in one thread. The window spans a few
milliseconds per message; it is tested in tests/integration/test_journal.py.

The same window opens when the server is slow rather than the process dead: the
message has been sent in full and the answer to the end of DATA does not arrive.
The SMTP mailer waits ``mail.data_timeout_seconds`` for that answer (default 300 s,
at most 600; RFC 5321 4.5.3.2 recommends 10 minutes) instead of the connection
timeout, so a server that answers late is simply waited for and stores one copy
(tests/e2e/test_slow_smtp.py). Only when even that wait passes, or the connection
drops before the answer, is the outcome unknown: the result is ``uncertain``, the
message stays pending with the same Message-ID, this call sends nothing more, and
the journal resends it after its backoff (counted from the cycle's ``now``, so
after a wait longer than the backoff that is the next cycle). If the server had in fact accepted the
first attempt, the recipient gets a second copy with the same Message-ID -- what
remains of the window; closing it would need the server to tell us (DSN/IMAP
lookups of the sent message), which SMTP submission does not offer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Iterable

from bukutamu.adapters.journal import MailJournal, digest_group
from bukutamu.core.mail import Mailer, OutgoingMail, SendResult


@dataclass
class DeliveryReport:
    sent: list[str] = field(default_factory=list)  # keys accepted by the mailer this call
    retrying: list[str] = field(default_factory=list)  # temporary failure, still pending
    failed: list[str] = field(default_factory=list)  # permanent failure this call
    skipped: list[str] = field(default_factory=list)  # key already in the journal
    deferred: list[str] = field(default_factory=list)  # due but not tried (server looked down)
    errors: dict[str, str] = field(default_factory=dict)  # key -> Indonesian error (no personal data)


def _batches(due: list, build_digest: Callable[[list[OutgoingMail]], OutgoingMail] | None) -> list[tuple[list, OutgoingMail]]:
    """(journal items, the message that carries them): one message per item, except that
    items of one digest group due together travel as one digest (oldest first)."""
    groups: dict[str, list] = {}
    out: list[tuple[list, OutgoingMail]] = []
    for item in due:
        group = digest_group(item.mail) if build_digest else ""
        if not group:
            out.append(([item], item.mail))
        elif group not in groups:
            groups[group] = [item]
            out.append((groups[group], item.mail))  # placeholder: its place in the send order
        else:
            groups[group].append(item)
    return [(items, build_digest([i.mail for i in items]) if len(items) > 1 and build_digest else mail)
            for items, mail in out]


def deliver(journal: MailJournal, mailer: Mailer, mails: Iterable[OutgoingMail], now: datetime, *,
            max_consecutive_failures: int = 3,
            build_digest: Callable[[list[OutgoingMail]], OutgoingMail] | None = None) -> DeliveryReport:
    report = DeliveryReport()
    for mail in mails:
        if not journal.record_intent(mail, now):
            report.skipped.append(mail.key)
    streak = 0
    try:
        for items, message in _batches(journal.due(now), build_digest):
            keys = [i.key for i in items]
            if streak >= max_consecutive_failures:
                report.deferred += keys
                continue
            try:
                result = mailer.send(message)
            except Exception as e:  # a mailer bug must not stop the other messages
                result = SendResult(False, "", f"Kesalahan tak terduga saat mengirim ({type(e).__name__}).")
            if result.ok:
                for key in keys:  # a digest: every item it carries is sent, under one Message-ID
                    journal.mark_sent(key, now, result.message_id)
                report.sent += keys
                streak = 0
                continue
            for key in keys:
                journal.mark_failed(key, result.error, result.permanent, now)
                report.errors[key] = result.error
            if result.permanent:  # the server answered: it is up
                report.failed += keys
                streak = 0
            elif result.uncertain:  # no answer to a complete message: the server is struggling
                report.retrying += keys
                streak = max_consecutive_failures
            else:
                report.retrying += keys
                streak += 1
    finally:
        mailer.close()
    return report
