"""Request dependencies: the store, the caller (bearer token) and the establishment in scope.

They are `async def` on purpose: FastAPI runs each sync dependency in the thread pool, and four
thread hops per request cost more than the two primary-key lookups they do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query, Request

from edt_tui.service.api.problems import Problem, not_found
from edt_tui.service.auth import authenticate
from edt_tui.service.records import Establishment, Principal
from edt_tui.service.store import DEFAULT_PAGE, MAX_OFFSET, MAX_PAGE, Store


async def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


async def get_principal(request: Request, store: Annotated[Store, Depends(get_store)]) -> Principal:
    """The token's principal; the embedded app trusts in-process callers without a token."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    principal: Principal | None = None
    if scheme.lower() == "bearer" and token.strip():
        principal = authenticate(store, token.strip())
    elif not header:
        principal = request.app.state.trusted_principal
    if principal is None:
        raise Problem(
            401, "unauthorized", "Unauthorized",
            "missing or unknown bearer token; create one with `edt-tui ent token create`",
            headers={"WWW-Authenticate": "Bearer"},
        )
    request.state.principal = principal
    return principal


async def get_establishment(
    uai: str,
    principal: Annotated[Principal, Depends(get_principal)],
    store: Annotated[Store, Depends(get_store)],
) -> Establishment:
    """404 for unknown establishments and for those outside the token's scope (no leak)."""
    if not principal.can_access(uai):
        raise not_found(f"establishment {uai}")
    establishment = store.get_establishment(uai)
    if establishment is None:
        raise not_found(f"establishment {uai}")
    return establishment


MAX_TEXT = 200
"""Longest free-text query value (`q`, names, keys): a search never needs more, and SQLite
refuses LIKE patterns past 50 KB. Longer is a 422 naming the parameter."""
MAX_NAME = 255
"""Longest file name a client may give."""


def text_query(description: str, *, max_length: int = MAX_TEXT) -> Any:
    """`Query` for a free-text parameter, bounded."""
    return Query(description=description, max_length=max_length)


@dataclass(frozen=True, slots=True)
class PageParams:
    offset: int
    limit: int


async def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="page size")] = DEFAULT_PAGE,
    offset: Annotated[
        int, Query(ge=0, le=MAX_OFFSET, description="items to skip (`next` of the last page)")
    ] = 0,
) -> PageParams:
    return PageParams(offset=offset, limit=limit)


StoreDep = Annotated[Store, Depends(get_store)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
EstablishmentDep = Annotated[Establishment, Depends(get_establishment)]
PageDep = Annotated[PageParams, Depends(page_params)]
