"""PRONOTE's automatic push (rules §9, seed §4 and §5.5): accept, refuse with a reason, or no-op.

The URL's secret is checked first, by `secret_matches` (constant-time; an unknown UAI answers
exactly like a wrong secret), before the route reads the body: a wrong secret costs no upload.
A wrong secret is counted, not logged row by row (`record_wrong_secret`: one counter per
establishment and hour in the push log, one history entry an hour), so a flood can neither fill
the store nor push the real entries off the admin's last pushes. Then `receive_push` checks, in
order: a readable export of the URL's establishment, a prior manual import, identical to the
last import (recorded as a no-op, not counted), the daily quota (calendar day in the
establishment's time zone, Europe/Paris by default; 429 with `Retry-After` up to midnight).
Every such refusal is recorded in the push log and in the establishment's history. The secret
never appears in a reason, a log line or an answer.
"""

from __future__ import annotations

import hmac
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from edt_tui.pronote.errors import ExportError, LimitExceededError
from edt_tui.reasons import Reason, ReasonCode, french, reason
from edt_tui.service.exports import UndecryptableError, summarize
from edt_tui.service.imports import ImportServices
from edt_tui.service.records import ExportRecord
from edt_tui.service.vocabulary import JobOutcome, JobStatus, JobType

_NO_SECRET = "x" * 32
SUPERSEDED = french(reason(ReasonCode.SUPERSEDED))
WRONG_SECRET = french(reason(ReasonCode.PUSH_WRONG_SECRET))
WRONG_PUSH_URL = "unknown push URL"
WRONG_SECRET_EVERY = timedelta(hours=1)
"""At most one wrong-secret refusal per establishment and hour in its history (the push log
counts them on one row per hour): whoever knows a UAI could otherwise fill both."""


@dataclass(frozen=True, slots=True)
class PushAnswer:
    status: int
    slug: str | None
    """Problem type for refusals; None when accepted."""
    detail: str
    job: Any = None
    headers: dict[str, str] = field(default_factory=dict)


def day_start(now: datetime, zone: ZoneInfo) -> datetime:
    local = now.astimezone(zone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def seconds_to_midnight(now: datetime, zone: ZoneInfo) -> int:
    """Until the next local midnight (DST-safe: computed on the local calendar)."""
    local = now.astimezone(zone)
    tomorrow = (local + timedelta(days=1)).date()
    midnight = datetime(tomorrow.year, tomorrow.month, tomorrow.day, tzinfo=zone)
    return max(1, math.ceil((midnight.astimezone(UTC) - now.astimezone(UTC)).total_seconds()))


def secret_matches(services: ImportServices, uai: str, secret: str) -> bool:
    establishment = services.store.get_establishment(uai)
    expected = establishment.push_secret if establishment else _NO_SECRET
    return hmac.compare_digest(secret.encode(), expected.encode()) and establishment is not None


def record_wrong_secret(services: ImportServices, uai: str) -> None:
    """Count a wrong secret for a known establishment: its hour's counter row, and a history
    entry at most once an hour. Unknown UAIs leave nothing (no one could read it)."""
    store, jobs = services.store, services.jobs
    if store.get_establishment(uai) is None:
        return
    jobs.pushes.count_refused_in_hour(uai, services.clock(), WRONG_PUSH_URL)
    last = jobs.last_job(uai, type=JobType.AUTOMATIC, statuses=(JobStatus.REFUSED,))
    if (
        last is None
        or last.reason != WRONG_SECRET
        or last.created_at <= services.clock() - WRONG_SECRET_EVERY
    ):
        jobs.record(
            uai, type=JobType.AUTOMATIC, status=JobStatus.REFUSED,
            reason=reason(ReasonCode.PUSH_WRONG_SECRET),
        )


def receive_push(services: ImportServices, uai: str, data: bytes) -> PushAnswer:
    """A push whose secret matched (`secret_matches`)."""
    store, jobs = services.store, services.jobs
    establishment = store.get_establishment(uai)
    if establishment is None:  # deleted since the secret was checked
        return PushAnswer(404, "not-found", WRONG_PUSH_URL)

    def refuse(
        status: int, slug: str, why: Reason, sha: str | None = None, **kw: Any
    ) -> PushAnswer:
        job = jobs.record(uai, type=JobType.AUTOMATIC, status=JobStatus.REFUSED, reason=why)
        jobs.record_push(uai, "refused", reason=job.reason, export_sha256=sha, job_id=job.id)
        return PushAnswer(status, slug, job.reason or "", job, **kw)

    if not data:
        return refuse(422, "validation", reason(ReasonCode.PUSH_EMPTY))
    try:
        export = services.intake.read(data, f"push-{uai}.xml")
    except UndecryptableError as exc:
        return refuse(
            422, "undecryptable", reason(ReasonCode.PUSH_UNDECRYPTABLE, error=exc.message)
        )
    except LimitExceededError as exc:
        return refuse(413, "too-large", reason(ReasonCode.PUSH_TOO_LARGE, error=exc.message))
    except ExportError as exc:
        return refuse(422, "bad-export", reason(ReasonCode.PUSH_UNREADABLE, error=exc.message))
    if export.uai != uai:
        return refuse(
            422, "uai-mismatch",
            reason(ReasonCode.PUSH_OTHER_UAI, file_uai=export.uai or "", uai=uai),
        )
    manual = jobs.last_job(
        uai, type=JobType.MANUAL, statuses=(JobStatus.DONE,), with_outcome=False
    )
    if manual is None:
        return refuse(409, "conflict", reason(ReasonCode.PUSH_FIRST_MANUAL_IMPORT))
    last = jobs.last_job(
        uai, statuses=(JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.DONE,
                       JobStatus.INTERRUPTED), with_outcome=False,
    )
    if last is not None and last.export_sha256 == export.sha256:
        job = jobs.record(
            uai, type=JobType.AUTOMATIC, status=JobStatus.DONE, outcome=JobOutcome.NOOP,
            reason=french(reason(ReasonCode.IDENTICAL_PUSH)), export_sha256=export.sha256,
        )
        jobs.record_push(uai, "noop", export_sha256=export.sha256, job_id=job.id)
        return PushAnswer(200, None, job.reason or "", job)
    zone = ZoneInfo(establishment.timezone)
    now = services.clock()
    if jobs.count_automatic_since(uai, day_start(now, zone)) >= establishment.daily_quota:
        wait = seconds_to_midnight(now, zone)
        return refuse(
            429, "quota-exceeded", reason(ReasonCode.PUSH_QUOTA, quota=establishment.daily_quota),
            export.sha256, headers={"Retry-After": str(wait)},
        )
    services.planner.remember(uai, export)
    store.save_export(
        ExportRecord(
            sha256=export.sha256, uai=uai, file_name=f"push-{now:%Y%m%d-%H%M%S}.xml",
            import_id=export.import_id, size=len(data), uploaded_at=now,
            summary=summarize(export),
        ),
        data,
    )
    job = jobs.enqueue(
        uai, type=JobType.AUTOMATIC, export_sha256=export.sha256,
        selection_version=manual.selection_version, reference_time=now,
        supersede_reason=SUPERSEDED,
    )
    jobs.record_push(uai, "accepted", export_sha256=export.sha256, job_id=job.id)
    services.worker.notify()
    return PushAnswer(202, None, "Envoi accepté : import automatique mis en liste d'attente", job)
