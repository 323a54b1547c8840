"""What one poll cycle knows besides the snapshot: tab names, the SOP, the key,
office facts and the calendar. Built by ``bukutamu.bootstrap`` from settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Mapping, Protocol
from zoneinfo import ZoneInfo

from bukutamu.core.ktp.fields import PhoneNumbers
from bukutamu.core.memo import KtpMemo
from bukutamu.core.notices import LinkConfig
from bukutamu.core.sop import Sop


class OfficeClock(Protocol):
    """Office minutes between two moments (the office calendar; adapters/officehours.py)."""

    def office_minutes(self, start: datetime, end: datetime) -> float: ...


@dataclass(frozen=True)
class CycleContext:
    tz: ZoneInfo
    register_tab: str
    history_tab: str
    queue_tab: str
    system_tab: str
    queue_prefix: str
    sop: Sop
    nik_key: bytes  # HMAC key for comparing NIKs and signing links
    renames: Mapping[str, str] = field(default_factory=dict)
    officers_tab: str = "Petugas"
    confirmations_tab: str = "Konfirmasi"
    feedback_tab: str = "Umpan Balik"
    office_name: str = ""
    helpdesk_email: str = ""
    supervisor_email: str = ""
    admin_email: str = ""  # hears when the spreadsheet nears Google's cell limit
    links: LinkConfig = field(default_factory=LinkConfig)
    calendar: OfficeClock | None = None  # None disables live escalation
    version: str = ""
    # The spreadsheet's own time zone: serial numbers are wall-clock in it. Set by
    # plan_cycle from the snapshot; office days and hours use ``tz``.
    sheet_tz: ZoneInfo | None = None
    # Bounded memo of KTP checks and NIK hashes, kept for this context's poller only.
    memo: KtpMemo = field(default_factory=KtpMemo, compare=False, repr=False)
    # The phone-number plan the KTP checks use (adapters/phone.py); needed when the form asks a phone.
    phones: PhoneNumbers | None = field(default=None, compare=False, repr=False)


