"""The account check of §4.2: who the last finished import reconciled, and who it could not."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse

from edt_tui.service.api.deps import EstablishmentDep, PageDep, text_query
from edt_tui.service.api.problems import not_found
from edt_tui.service.imports import ImportServices, imports_of
from edt_tui.service.job_records import Job
from edt_tui.service.vocabulary import JobStatus
from edt_tui.wire import AccountCounts, Accounts, Page, UnreconciledAccount
from edt_tui.wire.accounts import person_line

router = APIRouter(prefix="/api/v1/establishments/{uai}/accounts", tags=["accounts"])
Profile = Literal["teachers", "students"]


def _last(services: ImportServices, uai: str) -> tuple[Job, dict[str, Any]]:
    job = services.jobs.last_job(uai, statuses=(JobStatus.DONE,), with_outcome=False)
    people = services.jobs.people(job.id) if job else None
    if job is None or people is None:
        raise not_found(f"a finished import of {uai}")
    return job, dict(people)


@router.get("")
def accounts(establishment: EstablishmentDep, request: Request) -> Accounts:
    """Reconciled and unreconciled counts of the last finished import (nulls before any)."""
    services = imports_of(request)
    job = services.jobs.last_job(establishment.uai, statuses=(JobStatus.DONE,), with_outcome=False)
    if job is None or services.jobs.people(job.id) is None:
        return Accounts(job_id=None, finished_at=None, teachers=None, students=None)
    job, people = _last(services, establishment.uai)

    def counts(profile: str) -> AccountCounts:
        return AccountCounts(reconciled=people[profile]["reconciled"],
                             unreconciled=len(people[profile]["unreconciled"]))

    return Accounts(job_id=job.id, finished_at=job.finished_at, teachers=counts("teachers"),
                    students=counts("students"))


@router.get("/{profile}/unreconciled")
def unreconciled(
    establishment: EstablishmentDep, request: Request, profile: Profile, page: PageDep,
    q: Annotated[str | None, text_query("part of the name")] = None,
) -> Page[UnreconciledAccount]:
    _, people = _last(imports_of(request), establishment.uai)
    items = people[profile]["unreconciled"]
    if q:
        needle = q.casefold()
        items = [p for p in items if needle in f"{p['last_name']} {p['first_name']}".casefold()]
    return Page[UnreconciledAccount].slice(
        [UnreconciledAccount.model_validate(p) for p in items], page.offset, page.limit
    )


@router.get("/{profile}/unreconciled.txt", response_class=PlainTextResponse)
def unreconciled_text(
    establishment: EstablishmentDep, request: Request, profile: Profile
) -> PlainTextResponse:
    """The whole list as a UTF-8 text file, one person per line."""
    _, people = _last(imports_of(request), establishment.uai)
    lines = [person_line(p, profile) for p in people[profile]["unreconciled"]]
    return PlainTextResponse(
        "".join(f"{line}\n" for line in lines),
        headers={"Content-Disposition": f'attachment; filename="non-reconcilies-{profile}.txt"'},
    )
