"""Upload an export (raw body or multipart) and read back the stored summaries."""

from __future__ import annotations

import re
from contextlib import AbstractAsyncContextManager
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Request, Response
from starlette.datastructures import UploadFile

from edt_tui.pronote.errors import ExportError, LimitExceededError
from edt_tui.service.api.deps import (
    MAX_NAME,
    EstablishmentDep,
    PageDep,
    StoreDep,
    text_query,
)
from edt_tui.service.api.limits import UploadSlots
from edt_tui.service.api.problems import Problem, not_found, too_large_export
from edt_tui.service.api.to_wire import export_summary
from edt_tui.service.exports import ExportIntake, UaiMismatchError, UndecryptableError
from edt_tui.wire import ExportSummary, Page

router = APIRouter(prefix="/api/v1/establishments/{uai}/exports", tags=["exports"])

_SAFE_NAME = re.compile(r"[^\w.\-]+")

UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "description": "The export file: as the raw body, or as the `file` part of a form.",
        "content": {
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            "application/xml": {"schema": {"type": "string", "format": "binary"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object", "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            },
        },
    }
}


TOO_MANY_UPLOADS = {"description": "too many exports being received at once: `Retry-After`"}


def upload_slot(request: Request) -> AbstractAsyncContextManager[None]:
    """Held while an export body is read and parsed (429 when none is free)."""
    slots: UploadSlots = request.app.state.upload_slots
    return slots.hold()


async def _body(request: Request, file_name: str | None) -> tuple[bytes, str]:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=10)
        part = form.get("file")
        if not isinstance(part, UploadFile):
            raise Problem(422, "validation", "Invalid request", "multipart upload without `file`")
        data = await part.read()
        name = file_name or part.filename or "export.xml"
    else:
        data = await request.body()
        name = file_name or "export.xml"
    if not data:
        raise Problem(422, "validation", "Invalid request", "the request body is empty")
    return data, _SAFE_NAME.sub("_", name.rsplit("/", 1)[-1])[:200] or "export.xml"


@router.post(
    "", status_code=201, openapi_extra=UPLOAD_BODY,
    responses={
        413: {"description": "too large"}, 422: {"description": "refused export"},
        429: TOO_MANY_UPLOADS,
    },
)
async def upload_export(
    request: Request, establishment: EstablishmentDep, store: StoreDep, response: Response,
    file_name: Annotated[
        str | None, text_query("original file name", max_length=MAX_NAME)
    ] = None,
) -> ExportSummary:
    """Decrypt with the service's key, refuse another UAI, store by SHA-256, return §3.4."""
    intake: ExportIntake = request.app.state.intake
    uai = establishment.uai
    try:
        async with upload_slot(request):
            data, name = await _body(request, file_name)
            record = await anyio.to_thread.run_sync(intake.accept, store, uai, data, name)
    except UaiMismatchError as exc:
        raise Problem(
            422, "uai-mismatch", "Export of another establishment", str(exc),
            export_uai=exc.export_uai, uai=uai, summary=exc.summary,
        ) from None
    except UndecryptableError as exc:
        raise Problem(
            422, "undecryptable", "Export cannot be decrypted", str(exc),
            envelope=exc.envelope,
        ) from None
    except LimitExceededError as exc:
        raise too_large_export(exc) from None
    except ExportError as exc:
        raise Problem(422, "bad-export", "Not a readable export", str(exc)) from None
    response.headers["Location"] = f"{request.url.path.rstrip('/')}/{record.sha256}"
    return export_summary(record)


@router.get("")
def list_exports(
    establishment: EstablishmentDep, store: StoreDep, page: PageDep
) -> Page[ExportSummary]:
    found = store.list_exports(establishment.uai, offset=page.offset, limit=page.limit)
    return Page[ExportSummary].of(found, export_summary)


@router.get("/{sha256}")
def get_export(establishment: EstablishmentDep, store: StoreDep, sha256: str) -> ExportSummary:
    record = store.get_export(establishment.uai, sha256)
    if record is None:
        raise not_found(f"export {sha256}")
    return export_summary(record)
