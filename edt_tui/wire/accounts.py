"""The account check of §4.2: who the last finished import reconciled, and who it could not."""

from __future__ import annotations

from datetime import date

from edt_tui.wire.base import Timestamp, Wire


class AccountCounts(Wire):
    reconciled: int
    unreconciled: int


class Accounts(Wire):
    """Counts of the last finished import; every field null before any."""

    job_id: str | None
    finished_at: Timestamp | None
    teachers: AccountCounts | None
    students: AccountCounts | None


class UnreconciledAccount(Wire):
    last_name: str
    first_name: str
    birth_date: date | None
    classes: str
