"""`edt-tui serve`: the service as a real HTTP server (uvicorn) with JSON access logs.

uvicorn handles SIGINT/SIGTERM: it stops accepting, lets running requests finish (bounded by
`GRACEFUL_SECONDS`), then the app's lifespan stops the background tasks and closes the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType

import uvicorn
from fastapi import FastAPI

from edt_tui.service.api.middleware import ACCESS_LOGGER
from edt_tui.service.api.redaction import RedactPushSecrets
from edt_tui.service.worker import stop_report

GRACEFUL_SECONDS = 10


UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


def configure_access_log(stream: object = None) -> None:
    """Access lines are already JSON: print them as they are, one per line."""
    logger = logging.getLogger(ACCESS_LOGGER)
    handler = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False


def redact_uvicorn_logs() -> None:
    """uvicorn's own lines (its access log, if someone turns it on, and its errors) carry the
    raw request path: mask push secrets there too. Call after `uvicorn.Config`, which
    configures those loggers."""
    for name in UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactPushSecrets) for f in logger.filters):
            logger.addFilter(RedactPushSecrets())


class _Server(uvicorn.Server):
    """uvicorn re-raises SIGTERM/SIGINT after its graceful shutdown (exit status -15); a stop
    asked for is a normal end for `edt-tui serve`, so we only ask uvicorn to exit (and note
    which signal asked, for the last line)."""

    stopped_by: str | None = None

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.stopped_by = self.stopped_by or signal.Signals(sig).name
        super().handle_exit(sig, frame)

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        handled = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


async def _run(server: uvicorn.Server, announce: bool) -> None:
    task = asyncio.create_task(server.serve())
    while not server.started and not task.done():
        await asyncio.sleep(0.02)
    if server.started and announce:
        host, port = server.servers[0].sockets[0].getsockname()[:2]
        print(f"edt-tui: serving on http://{host}:{port}", file=sys.stderr, flush=True)
    await task


def serve(app: FastAPI, *, host: str, port: int, log_level: str = "warning") -> int:
    """Run `app` (`assembly.served_app`) until SIGINT/SIGTERM; `port` 0 picks a free port
    (announced on stderr)."""
    configure_access_log()  # the caller built the app first: a refused start changes nothing
    config = uvicorn.Config(
        app, host=host, port=port, access_log=False, log_level=log_level, lifespan="on",
        timeout_graceful_shutdown=GRACEFUL_SECONDS, server_header=False,
    )
    redact_uvicorn_logs()
    server = _Server(config)
    asyncio.run(_run(server, announce=True))
    if not server.started:
        return 1
    print(stop_line(app, server.stopped_by), file=sys.stderr, flush=True)
    return 0


def stop_line(app: FastAPI, signal_name: str | None) -> str:
    """`edt-tui: stopped on SIGTERM`, and what its worker did when it ran one."""
    line = f"edt-tui: stopped on {signal_name}" if signal_name else "edt-tui: stopped"
    services = getattr(app.state, "imports", None)
    if services is not None and services.worker.started:
        line += f": {stop_report([services.worker])}"
    return line
