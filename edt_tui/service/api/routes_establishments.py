"""Establishments: a platform token lists all, an establishment admin only its own."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Request

from edt_tui.service.api.deps import (
    EstablishmentDep,
    PageDep,
    PrincipalDep,
    StoreDep,
    text_query,
)
from edt_tui.service.api.problems import Problem, not_found, problem_responses
from edt_tui.service.api.to_wire import establishment as establishment_wire
from edt_tui.service.api.to_wire import settings
from edt_tui.service.records import Establishment, TokenRole
from edt_tui.wire import Establishment as EstablishmentOut
from edt_tui.wire import EstablishmentSettings, Page, SettingsIn

router = APIRouter(prefix="/api/v1/establishments", tags=["establishments"])


@router.get("")
def list_establishments(
    principal: PrincipalDep, store: StoreDep, page: PageDep,
    q: Annotated[str | None, text_query("part of the UAI or name")] = None,
) -> Page[EstablishmentOut]:
    only = None if principal.role is TokenRole.PLATFORM else [principal.uai or ""]
    found = store.list_establishments(only=only, q=q, offset=page.offset, limit=page.limit)
    return Page[EstablishmentOut].of(found, establishment_wire)


@router.get("/{uai}")
def get_establishment(establishment: EstablishmentDep) -> EstablishmentOut:
    return establishment_wire(establishment)


@router.get(
    "/{uai}/settings",
    responses=problem_responses({404: "unknown establishment, or outside the token's scope"}),
)
def get_settings(establishment: EstablishmentDep) -> EstablishmentSettings:
    """Includes the push path (with its secret) to paste into PRONOTE: admins only see theirs."""
    return _settings(establishment)


def _settings(e: Establishment | None) -> EstablishmentSettings:
    if e is None:  # deleted between the scope check and the write: nothing to show
        raise not_found("establishment")
    return settings(e)


@router.patch(
    "/{uai}/settings",
    responses=problem_responses({
        403: "an admin token changing the time zone or the daily quota",
        404: "unknown establishment, or outside the token's scope",
        422: "a bad value (negative, over its maximum, not an integer, unknown zone): "
             "nothing changed",
    }),
)
def update_settings(
    establishment: EstablishmentDep, principal: PrincipalDep, store: StoreDep, body: SettingsIn,
    request: Request,
) -> EstablishmentSettings:
    """Time zone and daily quota are platform policy (platform tokens only, 403); the import
    guards (`freeze_minutes`, `max_deletion_percent`) are the establishment admin's too."""
    platform_only = body.timezone is not None or body.daily_quota is not None
    if platform_only and principal.role is not TokenRole.PLATFORM:
        raise Problem(
            403, "forbidden", "Forbidden",
            "only a platform token changes the time zone and the daily quota",
        )
    if body.timezone is not None:
        try:
            ZoneInfo(body.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise Problem(
                422, "validation", "Invalid request", f"unknown time zone {body.timezone!r}"
            ) from None
    updated = store.update_establishment(
        establishment.uai, timezone=body.timezone, daily_quota=body.daily_quota,
        freeze_minutes=body.freeze_minutes, max_deletion_percent=body.max_deletion_percent,
    )
    services = getattr(request.app.state, "imports", None)
    if services is not None:  # cached plans were computed with the old settings
        services.planner.invalidate()
    return _settings(updated)


@router.post("/{uai}/settings/push-secret")
def rotate_push_secret(
    establishment: EstablishmentDep, store: StoreDep
) -> EstablishmentSettings:
    """A new push URL (the old one stops working at once): paste it into PRONOTE again."""
    return _settings(store.update_establishment(establishment.uai, rotate_push_secret=True))
