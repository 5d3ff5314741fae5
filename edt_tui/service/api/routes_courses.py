"""The ENT objects imports own (§4.3 verification): courses, memberships, events, hierarchy."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from edt_tui.engine.model import CourseOrigin, Role
from edt_tui.service.api.deps import EstablishmentDep, PageDep, StoreDep, text_query
from edt_tui.service.api.problems import not_found
from edt_tui.service.api.to_wire import course, event, hierarchy_node, membership
from edt_tui.wire import Course, Event, HierarchyNode, Membership, Page

router = APIRouter(prefix="/api/v1/establishments/{uai}", tags=["courses"])


@router.get("/courses")
def list_courses(
    establishment: EstablishmentDep, store: StoreDep, page: PageDep,
    school_year: Annotated[
        str | None, Query(description="e.g. 2026-2027", pattern=r"^\d{4}-\d{4}$")
    ] = None,
    q: Annotated[str | None, text_query("part of the label")] = None,
    origin: CourseOrigin | None = None,
) -> Page[Course]:
    found = store.list_courses(
        establishment.uai, school_year=school_year, q=q, origin=origin,
        offset=page.offset, limit=page.limit,
    )
    return Page[Course].of(found, course)


def _course(store: StoreDep, uai: str, key: str) -> Course:
    found = store.get_course(uai, key)
    if found is None:
        raise not_found(f"course {key}")
    return course(found)


@router.get("/courses/{key}")
def get_course(establishment: EstablishmentDep, store: StoreDep, key: str) -> Course:
    return _course(store, establishment.uai, key)


@router.get("/courses/{key}/memberships")
def list_memberships(
    establishment: EstablishmentDep, store: StoreDep, page: PageDep, key: str,
    role: Role | None = None,
) -> Page[Membership]:
    _course(store, establishment.uai, key)
    found = store.list_memberships(
        establishment.uai, key, role=role, offset=page.offset, limit=page.limit
    )
    return Page[Membership].of(found, membership)


@router.get("/courses/{key}/events")
def list_events(
    establishment: EstablishmentDep, store: StoreDep, page: PageDep, key: str,
    start_from: Annotated[datetime | None, Query(description="events starting from")] = None,
) -> Page[Event]:
    _course(store, establishment.uai, key)
    found = store.list_events(
        establishment.uai, key, start_from=start_from, offset=page.offset, limit=page.limit
    )
    return Page[Event].of(found, event)


@router.get("/hierarchy")
def list_hierarchy(
    establishment: EstablishmentDep, store: StoreDep, page: PageDep,
    parent: Annotated[str | None, text_query("a node key; roots when absent")] = None,
) -> Page[HierarchyNode]:
    """`Cours <year>` roots, or the course nodes under one of them."""
    found = store.list_hierarchy(
        establishment.uai, parent_key=parent, offset=page.offset, limit=page.limit
    )
    return Page[HierarchyNode].of(found, hierarchy_node)
