"""Why a job failed, as a stable code and the French reason the history shows.

A failing import must say the truth: a full disk is « Disque plein », not the SQL error that
happened to surface last. The code is what the API, the CLI (English wording) and `resume`
rely on; the reason is what the TUI shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from edt_tui.errors import EdtTuiError
from edt_tui.pronote.errors import ExportError
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


@dataclass(frozen=True, slots=True)
class Failure:
    code: FailureCode
    reason: str


def storage_failure(exc: BaseException) -> FailureCode | None:
    """`DISK_FULL` or `STORAGE` when `exc` is the machine's fault, else None."""
    fault = fault_of(exc)
    if fault is None:
        return None
    return FailureCode.DISK_FULL if fault is StorageFault.DISK_FULL else FailureCode.STORAGE


def failure_of(exc: BaseException) -> Failure:
    """The code and French reason of the exception that stopped a job."""
    storage = storage_failure(exc)
    if storage is FailureCode.DISK_FULL:
        return Failure(storage, "Disque plein : libérez de la place puis reprenez l'import "
                                "(rien n'a été écrit à moitié)")
    if storage is FailureCode.STORAGE:
        return Failure(storage, f"Base de données indisponible : {exc}"[:500])
    if isinstance(exc, (EdtTuiError, ExportError)):
        return Failure(FailureCode.INVALID, str(exc)[:500])
    return Failure(FailureCode.INTERNAL, f"Erreur interne : {type(exc).__name__}: {exc}"[:500])
