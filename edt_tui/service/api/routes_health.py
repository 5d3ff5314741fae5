"""Liveness (no token needed) and the human description of each problem type."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse

from edt_tui import __version__
from edt_tui.service.api.deps import StoreDep
from edt_tui.service.api.problems import PROBLEM_TYPES, not_found
from edt_tui.wire import Health

router = APIRouter()


@router.get("/api/v1/health", tags=["health"])
def health(store: StoreDep, request: Request) -> Health:
    """`ok` when the store answers (used by load balancers and `edt-tui serve` checks), with
    the queue's depth: queued jobs growing while none runs means no `edt-tui worker` is up."""
    services = request.app.state.imports
    depth = services.jobs.depth() if services is not None else {}
    return Health(
        status="ok", version=__version__, schema_version=store.schema_version(), **depth
    )


@router.get("/problems/{slug}", response_class=PlainTextResponse, tags=["health"])
def problem_description(slug: str) -> str:
    """What a problem `type` means (the `type` URIs resolve here)."""
    if slug not in PROBLEM_TYPES:
        raise not_found(f"problem type {slug}")
    return f"{slug}: {PROBLEM_TYPES[slug]}\n"
