"""`EntClient`: the one async client of the ENT import service (CLI and TUI).

Two ways to reach the service, one API: `EntClient.remote(url, token)` over HTTP, or
`EntClient.embedded()` in-process through `httpx.ASGITransport` on the local data directory (no
port opened; the app, built by the composition root `edt_tui.assembly`, has its lifespan — and so
its background worker — run inside the client's context, since ASGITransport does not run it).
Idempotent calls (GET/PUT/DELETE) are retried with exponential backoff on connection errors, 429
and 503 (honouring `Retry-After`); others never.
Answers are parsed with the service's own wire models (`edt_tui.wire`).
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AsyncExitStack
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel

from edt_tui.client.errors import (
    RateLimitedError,
    ServiceError,
    ServiceUnreachableError,
    error_from_problem,
)
from edt_tui.client.imports import ImportCalls
from edt_tui.client.models import (
    Course,
    DirectoryUser,
    Establishment,
    EstablishmentSettings,
    Event,
    ExportSummary,
    Health,
    HierarchyNode,
    Membership,
    Page,
    SchoolClass,
    Subject,
)
from edt_tui.gc_pause import cyclic_gc_paused
from edt_tui.pronote.source import read_file

if TYPE_CHECKING:
    from edt_tui.config import Settings

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
RETRY_STATUSES = frozenset({429, 503})
EMBEDDED_BASE_URL = "http://edt-tui.embedded"


def seg(value: str) -> str:
    """One path segment (course keys contain `:` and `|`)."""
    return quote(value, safe="")


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _drop_none(params: Mapping[str, Any]) -> dict[str, Any]:
    return {
        k: (str(v).lower() if isinstance(v, bool) else v) for k, v in params.items()
        if v is not None
    }


class EntClient(ImportCalls):
    """Typed calls to `/api/v1`; use as `async with EntClient.remote(...) as ent:`."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        retries: int = 3,
        backoff: float = 0.2,
        max_wait: float = 10.0,
        app: Any = None,
    ) -> None:
        self._http = http
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self._app = app
        self._stack = AsyncExitStack()

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def remote(
        cls, url: str, token: str | None = None, *, timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None, **kw: Any,
    ) -> EntClient:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        http = httpx.AsyncClient(
            base_url=url.rstrip("/"), headers=headers, transport=transport,
            timeout=httpx.Timeout(timeout, connect=5.0),
        )
        return cls(http, **kw)

    @classmethod
    def embedded(
        cls, database_url: str | None = None, *, settings: Settings | None = None,
        partner: str | None = None, private_key: str | Path | None = None, worker: bool = False,
        **kw: Any,
    ) -> EntClient:
        """The service in-process on `database_url` (the configured database by default, see
        `assembly.open_service_store`), as a platform admin;
        `worker=True` runs the import worker while the client is open (`assembly.embedded_app`
        says how the other arguments build it)."""
        from edt_tui.assembly import embedded_app

        return cls.in_process(embedded_app(
            database_url, settings=settings, partner=partner, private_key=private_key,
            worker=worker,
        ), **kw)

    @classmethod
    def scratch(
        cls, data_dir: Path, *, partner: str | None = None,
        private_key: str | Path | None = None, **kw: Any,
    ) -> EntClient:
        """The embedded service of a scratch data directory (a helpdesk replay restored there),
        on its own SQLite file whatever database is configured; no import worker."""
        from edt_tui.assembly import scratch_database_url

        return cls.embedded(
            scratch_database_url(data_dir), partner=partner, private_key=private_key, **kw
        )

    @classmethod
    def in_process(cls, app: Any, **kw: Any) -> EntClient:
        """A client of an ASGI app in this process, whose lifespan runs while the client is open
        (tests give an app built with their own background tasks)."""
        http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=EMBEDDED_BASE_URL, timeout=None
        )
        return cls(http, app=app, **kw)

    async def __aenter__(self) -> EntClient:
        if self._app is not None:
            await self._stack.enter_async_context(self._app.router.lifespan_context(self._app))
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()
        await self._stack.aclose()

    # -- transport ------------------------------------------------------------------------
    async def call(
        self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
        json: Any = None, content: bytes | None = None, headers: Mapping[str, str] | None = None,
    ) -> Any:
        """One API call → decoded JSON; errors raised as `ServiceError` subclasses."""
        response = await self._send(
            method, path, params=params, json=json, content=content, headers=headers
        )
        if response.status_code == 204 or not response.content:
            return None
        with cyclic_gc_paused():  # a plan's step lists are ~300,000 objects
            return response.json()

    async def call_as(
        self, model: type[M], method: str, path: str, *,
        params: Mapping[str, Any] | None = None, json: Any = None, content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> M:
        """One API call → its body parsed as `model`, the wire model the service answers with."""
        response = await self._send(
            method, path, params=params, json=json, content=content, headers=headers
        )
        with cyclic_gc_paused():
            return model.model_validate_json(response.content)

    async def _send(
        self, method: str, path: str, *, params: Mapping[str, Any] | None,
        json: Any, content: bytes | None, headers: Mapping[str, str] | None,
    ) -> httpx.Response:
        """The answer of a successful call (retried when idempotent), or its error raised."""
        method = method.upper()
        retryable = method in IDEMPOTENT
        attempt = 0
        while True:
            try:
                response = await self._http.request(
                    method, path, params=_drop_none(params or {}), json=json, content=content,
                    headers=headers,
                )
            except (httpx.TransportError, OSError) as exc:
                if retryable and attempt < self.retries:
                    await asyncio.sleep(self.backoff * 2**attempt)
                    attempt += 1
                    continue
                raise ServiceUnreachableError(
                    f"cannot reach the ENT service at {self._http.base_url} "
                    f"({exc.__class__.__name__}: {exc})",
                    hint="check --ent URL and that `edt-tui serve` is running",
                ) from None
            if response.status_code in RETRY_STATUSES and retryable and attempt < self.retries:
                wait = _retry_after(response)
                wait = self.backoff * 2**attempt if wait is None else wait
                if wait <= self.max_wait:
                    await asyncio.sleep(wait)
                    attempt += 1
                    continue
            break
        if response.is_error:
            raise self._error(response)
        return response

    @staticmethod
    def _error(response: httpx.Response) -> ServiceError:
        try:
            body = response.json()
        except ValueError:
            body = None
        return error_from_problem(
            response.status_code, body if isinstance(body, dict) else None, response.text,
            retry_after=_retry_after(response),
        )

    async def _page(self, path: str, item: type[M], params: Mapping[str, Any]) -> Page[M]:
        return await self.call_as(Page[item], "GET", path, params=params)  # type: ignore[valid-type]

    @staticmethod
    async def iterate(
        fetch: Callable[..., Awaitable[Page[T]]], /, *args: Any, limit: int = 500, **kw: Any
    ) -> AsyncIterator[T]:
        """Every item of a paginated list: `async for u in ent.iterate(ent.list_users, uai)`."""
        offset: int | None = 0
        while offset is not None:
            page = await fetch(*args, offset=offset, limit=limit, **kw)
            for item in page.items:
                yield item
            offset = page.next

    # -- service --------------------------------------------------------------------------
    async def health(self) -> Health:
        return await self.call_as(Health, "GET", "/api/v1/health")

    async def list_establishments(
        self, *, q: str | None = None, offset: int = 0, limit: int = 100
    ) -> Page[Establishment]:
        return await self._page(
            "/api/v1/establishments", Establishment,
            {"q": q, "offset": offset, "limit": limit},
        )

    def _est(self, uai: str) -> str:
        return f"/api/v1/establishments/{seg(uai)}"

    async def get_establishment(self, uai: str) -> Establishment:
        return await self.call_as(Establishment, "GET", self._est(uai))

    async def get_settings(self, uai: str) -> EstablishmentSettings:
        return await self.call_as(EstablishmentSettings, "GET", f"{self._est(uai)}/settings")

    async def update_settings(
        self, uai: str, *, timezone: str | None = None, daily_quota: int | None = None,
        freeze_minutes: int | None = None, max_deletion_percent: int | None = None,
    ) -> EstablishmentSettings:
        """None keeps a setting. `timezone` and `daily_quota` need a platform token (403
        `ForbiddenError` otherwise); a bad value is a `ValidationProblemError` (422)."""
        pairs = (("timezone", timezone), ("daily_quota", daily_quota),
                 ("freeze_minutes", freeze_minutes),
                 ("max_deletion_percent", max_deletion_percent))
        body = {k: v for k, v in pairs if v is not None}
        return await self.call_as(
            EstablishmentSettings, "PATCH", f"{self._est(uai)}/settings", json=body
        )

    async def rotate_push_secret(self, uai: str) -> EstablishmentSettings:
        """A new push URL; the old one is refused from now on."""
        return await self.call_as(
            EstablishmentSettings, "POST", f"{self._est(uai)}/settings/push-secret"
        )

    # -- directory and referential --------------------------------------------------------
    async def list_users(
        self, uai: str, *, q: str | None = None, profile: str | None = None,
        source: str | None = None, reconciled: bool | None = None,
        offset: int = 0, limit: int = 100,
    ) -> Page[DirectoryUser]:
        params = {"q": q, "profile": profile, "source": source, "reconciled": reconciled,
                  "offset": offset, "limit": limit}
        return await self._page(f"{self._est(uai)}/users", DirectoryUser, params)

    async def get_user(self, uai: str, sync_id: str) -> DirectoryUser:
        return await self.call_as(
            DirectoryUser, "GET", f"{self._est(uai)}/users/{seg(sync_id)}"
        )

    async def list_subjects(
        self, uai: str, *, q: str | None = None, offset: int = 0, limit: int = 100
    ) -> Page[Subject]:
        params = {"q": q, "offset": offset, "limit": limit}
        return await self._page(f"{self._est(uai)}/subjects", Subject, params)

    async def get_subject(self, uai: str, name: str) -> Subject:
        return await self.call_as(Subject, "GET", f"{self._est(uai)}/subjects/{seg(name)}")

    async def add_subject(self, uai: str, name: str, code: str | None = None) -> Subject:
        return await self.call_as(
            Subject, "POST", f"{self._est(uai)}/subjects", json={"name": name, "code": code}
        )

    async def list_classes(
        self, uai: str, *, q: str | None = None, offset: int = 0, limit: int = 100
    ) -> Page[SchoolClass]:
        params = {"q": q, "offset": offset, "limit": limit}
        return await self._page(f"{self._est(uai)}/classes", SchoolClass, params)

    async def get_class(self, uai: str, name: str) -> SchoolClass:
        return await self.call_as(SchoolClass, "GET", f"{self._est(uai)}/classes/{seg(name)}")

    # -- exports --------------------------------------------------------------------------
    async def upload_export(
        self, uai: str, source: Path | bytes, *, file_name: str | None = None
    ) -> ExportSummary:
        """Send the file as the raw body; the service decrypts it with its own key."""
        if isinstance(source, Path):
            data = await asyncio.to_thread(read_file, source)
            file_name = file_name or source.name
        else:
            data = source
        return await self.call_as(
            ExportSummary, "POST", f"{self._est(uai)}/exports", params={"file_name": file_name},
            content=data, headers={"Content-Type": "application/octet-stream"},
        )

    async def list_exports(
        self, uai: str, *, offset: int = 0, limit: int = 100
    ) -> Page[ExportSummary]:
        params = {"offset": offset, "limit": limit}
        return await self._page(f"{self._est(uai)}/exports", ExportSummary, params)

    async def get_export(self, uai: str, sha256: str) -> ExportSummary:
        return await self.call_as(
            ExportSummary, "GET", f"{self._est(uai)}/exports/{seg(sha256)}"
        )

    # -- ENT objects ----------------------------------------------------------------------
    async def list_courses(
        self, uai: str, *, school_year: str | None = None, q: str | None = None,
        origin: str | None = None, offset: int = 0, limit: int = 100,
    ) -> Page[Course]:
        params = {"school_year": school_year, "q": q, "origin": origin, "offset": offset,
                  "limit": limit}
        return await self._page(f"{self._est(uai)}/courses", Course, params)

    async def get_course(self, uai: str, key: str) -> Course:
        return await self.call_as(Course, "GET", f"{self._est(uai)}/courses/{seg(key)}")

    async def list_memberships(
        self, uai: str, course_key: str, *, role: str | None = None,
        offset: int = 0, limit: int = 100,
    ) -> Page[Membership]:
        path = f"{self._est(uai)}/courses/{seg(course_key)}/memberships"
        params = {"role": role, "offset": offset, "limit": limit}
        return await self._page(path, Membership, params)

    async def list_events(
        self, uai: str, course_key: str, *, start_from: str | None = None,
        offset: int = 0, limit: int = 100,
    ) -> Page[Event]:
        path = f"{self._est(uai)}/courses/{seg(course_key)}/events"
        params = {"start_from": start_from, "offset": offset, "limit": limit}
        return await self._page(path, Event, params)

    async def list_hierarchy(
        self, uai: str, *, parent: str | None = None, offset: int = 0, limit: int = 100
    ) -> Page[HierarchyNode]:
        params = {"parent": parent, "offset": offset, "limit": limit}
        return await self._page(f"{self._est(uai)}/hierarchy", HierarchyNode, params)


__all__ = ["EntClient", "RateLimitedError", "ServiceError"]
