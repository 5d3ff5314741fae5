"""Directory users and the referential (subjects, classes) of one establishment."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from edt_tui.engine.model import Profile, UserSource
from edt_tui.service.api.deps import EstablishmentDep, PageDep, StoreDep, text_query
from edt_tui.service.api.problems import Problem, not_found
from edt_tui.service.api.to_wire import school_class, subject, user
from edt_tui.service.records import SubjectRecord
from edt_tui.wire import DirectoryUser, Page, SchoolClass, Subject, SubjectIn

router = APIRouter(prefix="/api/v1/establishments/{uai}", tags=["directory"])


@router.get("/users")
def list_users(
    establishment: EstablishmentDep, store: StoreDep, page: PageDep,
    q: Annotated[str | None, text_query("part of a name, sync id or CAS login")] = None,
    profile: Profile | None = None,
    source: UserSource | None = None,
    reconciled: Annotated[
        bool | None, Query(description="true: linked to a PRONOTE id by an import")
    ] = None,
) -> Page[DirectoryUser]:
    found = store.list_users(
        establishment.uai, q=q, profile=profile, source=source, reconciled=reconciled,
        offset=page.offset, limit=page.limit,
    )
    return Page[DirectoryUser].of(found, user)


@router.get("/users/{sync_id}")
def get_user(establishment: EstablishmentDep, store: StoreDep, sync_id: str) -> DirectoryUser:
    found = store.get_user(establishment.uai, sync_id)
    if found is None:
        raise not_found(f"user {sync_id}")
    return user(found)


@router.get("/subjects")
def list_subjects(
    establishment: EstablishmentDep, store: StoreDep, page: PageDep,
    q: Annotated[str | None, text_query("part of the name or code")] = None,
) -> Page[Subject]:
    found = store.list_subjects(establishment.uai, q=q, offset=page.offset, limit=page.limit)
    return Page[Subject].of(found, subject)


@router.get("/subjects/{name}")
def get_subject(establishment: EstablishmentDep, store: StoreDep, name: str) -> Subject:
    found = store.get_subject(establishment.uai, name)
    if found is None:
        raise not_found(f"subject {name!r}")
    return subject(found)


@router.post(
    "/subjects", status_code=201, responses={200: {"description": "it existed already"}}
)
def add_subject(
    establishment: EstablishmentDep, store: StoreDep, body: SubjectIn, response: Response
) -> Subject:
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
    return subject(saved)


@router.get("/classes")
def list_classes(
    establishment: EstablishmentDep, store: StoreDep, page: PageDep,
    q: Annotated[str | None, text_query("part of the name")] = None,
) -> Page[SchoolClass]:
    found = store.list_classes(establishment.uai, q=q, offset=page.offset, limit=page.limit)
    return Page[SchoolClass].of(found, school_class)


@router.get("/classes/{name}")
def get_class(establishment: EstablishmentDep, store: StoreDep, name: str) -> SchoolClass:
    found = store.get_class(establishment.uai, name)
    if found is None:
        raise not_found(f"class {name!r}")
    return school_class(found)
