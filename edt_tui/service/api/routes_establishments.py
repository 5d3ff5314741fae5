"""Establishments: a platform token lists all, an establishment admin only its own."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from edt_tui.service.api.deps import EstablishmentDep, PageDep, PrincipalDep, StoreDep
from edt_tui.service.api.schemas import (
    EstablishmentOut,
    EstablishmentSettingsOut,
    PageOut,
    page_out,
)
from edt_tui.service.records import TokenRole

router = APIRouter(prefix="/api/v1/establishments", tags=["establishments"])


@router.get("", response_model=PageOut[EstablishmentOut])
def list_establishments(
    principal: PrincipalDep, store: StoreDep, page: PageDep,
    q: Annotated[str | None, Query(description="part of the UAI or name")] = None,
) -> dict[str, object]:
    only = None if principal.role is TokenRole.PLATFORM else [principal.uai or ""]
    found = store.list_establishments(only=only, q=q, offset=page.offset, limit=page.limit)
    return page_out(found, EstablishmentOut.of)


@router.get("/{uai}", response_model=EstablishmentOut)
def get_establishment(establishment: EstablishmentDep) -> EstablishmentOut:
    return EstablishmentOut.of(establishment)


@router.get("/{uai}/settings", response_model=EstablishmentSettingsOut)
def get_settings(establishment: EstablishmentDep) -> EstablishmentSettingsOut:
    """Includes the push path (with its secret) to paste into PRONOTE: admins only see theirs."""
    e = establishment
    return EstablishmentSettingsOut(
        uai=e.uai, name=e.name, timezone=e.timezone, daily_quota=e.daily_quota,
        push_path=f"/push/{e.uai}/{e.push_secret}",
    )
