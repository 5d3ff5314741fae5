"""ASGI middlewares: request size limits and structured access logs.

Both are plain ASGI (not `BaseHTTPMiddleware`) so they see every response, including the ones
they produce themselves, and cost nothing per request beyond a header lookup.
"""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from edt_tui.service.api.problems import PROBLEM_MEDIA_TYPE, problem_body
from edt_tui.service.api.redaction import redact_path

ACCESS_LOGGER = "edt_tui.access"
DEFAULT_MAX_UPLOAD = 50 * 1024 * 1024
DEFAULT_MAX_JSON = 4 * 1024 * 1024
"""JSON bodies (a lycée's selection is a few hundred KB)."""
UPLOAD_PATHS = (
    r"^/api/v1/establishments/[^/]+/exports/?$",
    r"^/api/v1/establishments/[^/]+/plans/dry-run/?$",
    r"^/push/",
)
"""Routes whose body is an export file: they get the upload limit. Add new ones here."""
_UPLOAD_PATH = re.compile("|".join(UPLOAD_PATHS))
_PUSH_PATH = re.compile(r"^/push/")


async def _send_problem(send: Send, status: int, slug: str, title: str, detail: str) -> None:
    body = json.dumps(problem_body(status, slug, title, detail)).encode()
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ],
    })
    await send({"type": "http.response.body", "body": body})


DRAIN_CAP = 16 * 1024 * 1024
"""Excess bytes read and discarded before answering 413, so that an ordinary client still
sending its body reads the answer instead of a reset connection; beyond it we just close."""


async def _drain(receive: Receive, budget: int) -> None:
    while budget > 0:
        message = await receive()
        if message["type"] != "http.request":
            return
        budget -= len(message.get("body", b""))
        if not message.get("more_body", False):
            return


class BodySizeLimit:
    """413 problem when a body exceeds its limit (uploads vs everything else), streamed or not."""

    def __init__(self, app: ASGIApp, *, max_upload: int, max_json: int = DEFAULT_MAX_JSON):
        self.app = app
        self.max_upload = max_upload
        self.max_json = max_json

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_upload if _UPLOAD_PATH.match(scope["path"]) else self.max_json
        detail = f"the request body is larger than {limit} bytes"
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            # A push has no token: an anonymous client gets no read at all, not even a drain.
            if int(declared) - limit <= DRAIN_CAP and not _PUSH_PATH.match(scope["path"]):
                await _drain(receive, int(declared))
            await _send_problem(send, 413, "too-large", "Request too large", detail)
            return
        received = 0
        too_large = False
        body_done = False

        async def limited_receive() -> Message:
            nonlocal received, too_large, body_done
            if too_large:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                body_done = not message.get("more_body", False)
                if received > limit:
                    too_large = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not too_large:
                await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not too_large:
                raise
        if too_large:
            if not body_done:
                await _drain(receive, DRAIN_CAP)
            await _send_problem(send, 413, "too-large", "Request too large", detail)


class AccessLog:
    """One JSON line per request: method, redacted path, status, duration, principal."""

    def __init__(self, app: ASGIApp, *, logger: logging.Logger | None = None) -> None:
        self.app = app
        self.logger = logger or logging.getLogger(ACCESS_LOGGER)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            if self.logger.isEnabledFor(logging.INFO):
                state: dict[str, Any] = scope.get("state") or {}
                principal = state.get("principal")
                self.logger.info(json.dumps({
                    "method": scope["method"],
                    "path": redact_path(scope["path"]),
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "principal": str(principal) if principal is not None else None,
                }))
