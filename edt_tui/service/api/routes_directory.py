"""Directory users and the referential (subjects, classes) of one establishment."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from edt_tui.engine.model import Profile, UserSource
from edt_tui.service.api.deps import EstablishmentDep, PageDep, StoreDep, text_query
from edt_tui.service.api.problems import Problem, not_found
from edt_tui.service.api.schemas import (
    ClassOut,
    PageOut,
    SubjectIn,
    SubjectOut,
    UserOut,
    page_out,
)
from edt_tui.service.records import SubjectRecord

router = APIRouter(prefix="/api/v1/establishments/{uai}", tags=["directory"])


@router.get("/users", response_model=PageOut[UserOut])
def list_users(
    establishment: EstablishmentDep, store: StoreDep, page: PageDep,
    q: Annotated[str | None, text_query("part of a name, sync id or CAS login")] = None,
    profile: Profile | None = None,
    source: UserSource | None = None,
    reconciled: Annotated[
        bool | None, Query(description="true: linked to a PRONOTE id by an import")
    ] = None,
) -> dict[str, object]:
    found = store.list_users(
        establishment.uai, q=q, profile=profile, source=source, reconciled=reconciled,
        offset=page.offset, limit=page.limit,
    )
    return page_out(found, UserOut.of)


@router.get("/users/{sync_id}", response_model=UserOut)
def get_user(establishment: EstablishmentDep, store: StoreDep, sync_id: str) -> UserOut:
    user = store.get_user(establishment.uai, sync_id)
    if user is None:
        raise not_found(f"user {sync_id}")
    return UserOut.of(user)


@router.get("/subjects", response_model=PageOut[SubjectOut])
def list_subjects(
    establishment: EstablishmentDep, store: StoreDep, page: PageDep,
    q: Annotated[str | None, text_query("part of the name or code")] = None,
) -> dict[str, object]:
    found = store.list_subjects(establishment.uai, q=q, offset=page.offset, limit=page.limit)
    return page_out(found, SubjectOut.of)


@router.get("/subjects/{name}", response_model=SubjectOut)
def get_subject(establishment: EstablishmentDep, store: StoreDep, name: str) -> SubjectOut:
    subject = store.get_subject(establishment.uai, name)
    if subject is None:
        raise not_found(f"subject {name!r}")
    return SubjectOut.of(subject)


@router.post("/subjects", response_model=SubjectOut, status_code=201)
def add_subject(
    establishment: EstablishmentDep, store: StoreDep, body: SubjectIn, response: Response
) -> SubjectOut:
    """Add a subject to the referential (the wizard's "add unrecognised subject"); idempotent."""
    name = body.name.strip()
    if not name:
        raise Problem(422, "validation", "Invalid request", "the subject name is blank")
    existed = store.get_subject(establishment.uai, name) is not None
    store.upsert_subjects([SubjectRecord(establishment.uai, name, body.code or None)])
    if existed:
        response.status_code = 200
    saved = store.get_subject(establishment.uai, name)
    assert saved is not None
    return SubjectOut.of(saved)


@router.get("/classes", response_model=PageOut[ClassOut])
def list_classes(
    establishment: EstablishmentDep, store: StoreDep, page: PageDep,
    q: Annotated[str | None, text_query("part of the name")] = None,
) -> dict[str, object]:
    found = store.list_classes(establishment.uai, q=q, offset=page.offset, limit=page.limit)
    return page_out(found, ClassOut.of)


@router.get("/classes/{name}", response_model=ClassOut)
def get_class(establishment: EstablishmentDep, store: StoreDep, name: str) -> ClassOut:
    found = store.get_class(establishment.uai, name)
    if found is None:
        raise not_found(f"class {name!r}")
    return ClassOut.of(found)
