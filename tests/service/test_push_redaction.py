"""The push secret appears in no log line and no problem document, however the path is spelt.

A real `edt-tui serve` on 127.0.0.1 receives the push URL spelt every way a client can (doubled
slashes, upper case, `..`, percent-encoding, trailing slash, query string), through a raw socket
so that nothing normalises the path on the way; its whole stderr is then grepped. uvicorn's own
access log, off in `serve`, is checked the same way with it turned on.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from edt_tui.config import Settings
from edt_tui.service.api.app import create_app
from edt_tui.service.server import redact_uvicorn_logs
from edt_tui.storage.sql_store import SqlStore, open_store
from edt_tui.storage.url import sqlite_url
from tests.service.conftest import UAI_A, seed
from tests.service.test_server import _start

pytestmark = pytest.mark.xdist_group("service-real-server")


def spellings(secret: str) -> list[str]:
    encoded = "".join(f"%{b:02X}" for b in secret.encode())
    return [
        f"/push/{UAI_A}/{secret}",
        f"//push/{UAI_A}/{secret}",
        f"/PUSH/{UAI_A}/{secret}",
        f"/Push/{UAI_A}/{secret}/extra",
        f"/api/v1/../push/{UAI_A}/{secret}",
        f"/%70ush/{UAI_A}/{secret}",
        f"/%2570ush/{UAI_A}/{secret}",
        f"/push/{UAI_A}/{secret}/",
        f"/push%2F{UAI_A}%2F{secret}",
        f"/push/{UAI_A}/{encoded}",
        f"/push/{UAI_A}/{secret}?x=1",
        f"/push\\{UAI_A}\\{secret}",
        f"/push/{secret}",
    ]


def raw_request(host: str, port: int, method: str, target: str) -> bytes:
    """One HTTP/1.1 request with the request-target exactly as given; the whole answer."""
    body = b"<not an export/>"
    with socket.create_connection((host, port), timeout=10) as conn:
        conn.sendall(
            f"{method} {target} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n".encode() + body
        )
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def forms(secret: str) -> list[str]:
    """The secret as it could appear in a line: as is, and percent-encoded (once, twice)."""
    encoded = "".join(f"%{b:02X}" for b in secret.encode())
    return [secret, encoded, encoded.replace("%", "%25"), secret[:12]]


def test_serve_logs_and_answers_never_carry_the_secret(tmp_path: Path, key_file: Path) -> None:
    store = open_store(sqlite_url(tmp_path / "ent.sqlite3"))
    seed(store)
    establishment = store.get_establishment(UAI_A)
    assert establishment is not None
    secret = establishment.push_secret
    store.close()
    process, url, lines, drained = _start(tmp_path, key_file)
    host, port = url.removeprefix("http://").split(":")
    try:
        statuses = set()
        for target in spellings(secret):
            for method in ("POST", "PUT", "GET"):
                answer = raw_request(host, int(port), method, target)
                statuses.add(answer.split(b" ", 2)[1])
                text = answer.decode("utf-8", "replace")  # headers too: no redirect echoes it
                assert not text.startswith("HTTP/1.1 3"), (method, target, text)
                assert not any(f in text for f in forms(secret)), (method, target, text)
        assert b"422" in statuses and b"500" not in statuses  # the right URL was reached
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(15) == 0
    assert drained.wait(15)
    log = "".join(lines)
    assert log.count('"path"') >= 3 * len(spellings(secret))  # every request was logged
    assert f"/push/{UAI_A}/***" in log
    assert not any(f in log for f in forms(secret)), [
        line for line in lines if any(f in line for f in forms(secret))]


@pytest.fixture
def uvicorn_lines(seeded: SqlStore) -> Iterator[tuple[int, list[str]]]:
    """A real uvicorn with its own access log on, its lines captured as formatted."""
    app = create_app(seeded, settings=Settings())
    config = uvicorn.Config(app, host="127.0.0.1", port=0, access_log=True, log_level="info",
                            lifespan="off")
    redact_uvicorn_logs()
    lines: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    capture = Capture()
    logging.getLogger("uvicorn.access").addHandler(capture)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    try:
        for _ in range(500):
            if server.started:
                break
            threading.Event().wait(0.02)
        assert server.started
        yield server.servers[0].sockets[0].getsockname()[1], lines
    finally:
        server.should_exit = True
        thread.join(15)
        logging.getLogger("uvicorn.access").removeHandler(capture)


def test_uvicorn_access_log_is_redacted_too(
    uvicorn_lines: tuple[int, list[str]], seeded: SqlStore
) -> None:
    port, lines = uvicorn_lines
    establishment = seeded.get_establishment(UAI_A)
    assert establishment is not None
    secret = establishment.push_secret
    for target in spellings(secret):
        raw_request("127.0.0.1", port, "POST", target)
    assert len(lines) >= len(spellings(secret))
    assert any(f"/push/{UAI_A}/***" in line for line in lines)
    assert not [line for line in lines if any(f in line for f in forms(secret))]
