"""`create_app`: the ENT import service as one ASGI application.

FastAPI because the API is mostly typed CRUD: request validation, the OpenAPI document
(`/openapi.json`, `/docs`) and dependency injection (store, caller, establishment scope) come
with it, on Starlette, which we use directly for the ASGI middlewares.

Extension points for the queue, worker and push:
- `ROUTERS` below: add a module's `router` with one line;
- `background`: coroutines `(store) -> Awaitable[None]` started in the lifespan as tasks and
  cancelled at shutdown (the worker loop goes there); the store is closed only once every one
  of them has ended, so a background task must not leave a thread running when cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import timedelta

from fastapi import FastAPI

from edt_tui import __version__
from edt_tui.config import Settings
from edt_tui.service.api import (
    routes_accounts,
    routes_courses,
    routes_directory,
    routes_establishments,
    routes_exports,
    routes_health,
    routes_helpdesk,
    routes_jobs,
    routes_plans,
    routes_push,
    routes_undo,
)
from edt_tui.service.api.limits import UPLOAD_SLOTS, PushGuard, UploadSlots
from edt_tui.service.api.middleware import DEFAULT_MAX_UPLOAD, AccessLog, BodySizeLimit
from edt_tui.service.api.openapi import declare_problems
from edt_tui.service.api.problems import install_problem_handlers
from edt_tui.service.exports import ExportIntake
from edt_tui.service.imports import install_imports
from edt_tui.service.records import Principal
from edt_tui.service.store import Store

Background = Callable[[Store], Awaitable[None]]
log = logging.getLogger("edt_tui.service")

ROUTERS = (
    routes_health.router,
    routes_establishments.router,
    routes_directory.router,
    routes_exports.router,
    routes_courses.router,
    routes_plans.router,
    routes_jobs.router,
    routes_undo.router,
    routes_push.router,
    routes_accounts.router,
    routes_helpdesk.router,
)


def create_app(
    store: Store,
    *,
    settings: Settings | None = None,
    trusted_principal: Principal | None = None,
    background: Sequence[Background] = (),
    max_upload: int = DEFAULT_MAX_UPLOAD,
    upload_slots: int = UPLOAD_SLOTS,
    push_guard: PushGuard | None = None,
    close_store: bool = False,
) -> FastAPI:
    """The service on `store`.

    `trusted_principal` is for the embedded mode only: requests without an Authorization header
    act as that principal (nothing listens on a port then). `close_store` closes the store when
    the lifespan ends. `upload_slots` bounds the export bodies received at once (429 beyond);
    `push_guard` the wrong push secrets (`limits.PushGuard`).
    """

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        tasks: list[asyncio.Future[None]] = [
            asyncio.ensure_future(job(store)) for job in background
        ]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            if tasks:
                # A cancelled worker ends only once its thread has returned (`worker.py`):
                # after this wait nothing of ours uses the store any more.
                await asyncio.wait(tasks)
            for task in tasks:
                if not task.cancelled() and task.exception() is not None:
                    log.error("background task failed", exc_info=task.exception())
            if close_store:
                store.close()

    app = FastAPI(
        title="edt-tui ENT import service",
        version=__version__,
        description=(
            "Directory, referential, exports and the ENT objects imports own. Errors are "
            "RFC 9457 problem+json; every list is paginated (`limit` ≤ 500, `offset`, `next`). "
            "Authenticate with `Authorization: Bearer <token>` (`edt-tui ent token create`)."
        ),
        lifespan=lifespan,
        # A redirect would echo the path — a push URL holds its secret — in `Location`; a path
        # spelt otherwise is a 404 problem instead.
        redirect_slashes=False,
    )
    app.state.store = store
    settings = settings or Settings()
    app.state.intake = ExportIntake(settings)
    app.state.trusted_principal = trusted_principal
    app.state.upload_slots = UploadSlots(upload_slots)
    app.state.push_guard = push_guard or PushGuard()
    install_imports(app, store, lease=timedelta(seconds=settings.job_lease_seconds))
    install_problem_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    declare_problems(app)
    app.add_middleware(BodySizeLimit, max_upload=max_upload)
    app.add_middleware(AccessLog)
    return app
