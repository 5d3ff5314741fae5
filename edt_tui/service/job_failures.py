"""Why a job failed, as a stable code and its reason (`edt_tui.reasons`).

A failing import must say the truth: a full disk is « Disque plein », not the SQL error that
happened to surface last. The code is what the API, the clients' wordings and `resume` rely on;
the reason's French wording is recorded as the history's `reason`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from edt_tui.errors import EdtTuiError
from edt_tui.pronote.errors import ExportError
from edt_tui.reasons import Reason, ReasonCode, french, reason
from edt_tui.storage.errors import StorageFault, fault_of


class FailureCode(StrEnum):
    DISK_FULL = "disk_full"
    """No space left for the database: nothing half-written, resumable once space is back."""
    STORAGE = "storage"
    """The database could not be written (I/O error, read-only, locked too long): resumable."""
    INVALID = "invalid"
    """The job cannot be planned (export or selection gone, export unreadable)."""
    INTERNAL = "internal"
    """A bug: the service log has the traceback."""


RESUMABLE = frozenset({FailureCode.DISK_FULL, FailureCode.STORAGE})
"""Failures of the machine, not of the job: once fixed, resuming gives the uninterrupted result."""


MAX_ERROR = 400
"""Characters of the technical cause kept in a reason."""


@dataclass(frozen=True, slots=True)
class Failure:
    code: FailureCode
    why: Reason

    @property
    def reason(self) -> str:
        """What the history records (French)."""
        return french(self.why)[:500]


def storage_failure(exc: BaseException) -> FailureCode | None:
    """`DISK_FULL` or `STORAGE` when `exc` is the machine's fault, else None."""
    fault = fault_of(exc)
    if fault is None:
        return None
    return FailureCode.DISK_FULL if fault is StorageFault.DISK_FULL else FailureCode.STORAGE


def failure_of(exc: BaseException) -> Failure:
    """The code and reason of the exception that stopped a job."""
    storage = storage_failure(exc)
    if storage is FailureCode.DISK_FULL:
        return Failure(storage, reason(ReasonCode.DISK_FULL))
    if storage is FailureCode.STORAGE:
        return Failure(storage, reason(ReasonCode.STORAGE, error=str(exc)[:MAX_ERROR]))
    if isinstance(exc, (EdtTuiError, ExportError)):
        return Failure(FailureCode.INVALID, reason(ReasonCode.INVALID, error=str(exc)[:MAX_ERROR]))
    error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR]
    return Failure(FailureCode.INTERNAL, reason(ReasonCode.INTERNAL, error=error))
