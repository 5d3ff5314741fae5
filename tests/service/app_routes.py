"""Every (method, path template) the app serves, walked from `app.routes`.

FastAPI keeps an included router as one entry of `app.routes` that expands into its routes;
the walk descends into those, so a route added to any router is found (OpenAPI-hidden ones too).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import FastAPI


def _walk(routes: Iterable[Any]) -> Iterator[tuple[str, str]]:
    for route in routes:
        expand = getattr(route, "effective_route_contexts", None)
        if expand is not None:
            yield from _walk(expand())
        elif getattr(route, "methods", None) and getattr(route, "path", None):
            for method in route.methods - {"HEAD"}:
                yield method, route.path


def every_route(app: FastAPI) -> list[tuple[str, str]]:
    """Sorted, without the documentation pages FastAPI adds (`/docs`, `/openapi.json`…)."""
    own = {app.openapi_url, app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url}
    return sorted({(m, p) for m, p in _walk(app.routes) if p not in own})
