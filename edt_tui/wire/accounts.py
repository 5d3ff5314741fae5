"""The account check of §4.2: who the last finished import reconciled, and who it could not."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

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


def person_line(person: Mapping[str, Any], profile: str) -> str:
    """An unreconciled person in the account check's text file (§4.2), one per line:
    `LAST<TAB>First`, plus `<TAB>DD/MM/YYYY` for students (`profile` "students") — the same
    from the service's `.txt` endpoint, the CLI's `--export` and the TUI's export."""
    fields = [str(person["last_name"]), str(person["first_name"])]
    if profile == "students":
        born = person.get("birth_date")
        fields.append(date.fromisoformat(born).strftime("%d/%m/%Y") if born else "")
    return "\t".join(fields)
