"""`edt-tui serve` as a real uvicorn process on 127.0.0.1 (random port), driven by EntClient."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from edt_tui.cli import main
from edt_tui.client import EntClient
from edt_tui.client.errors import NotFoundError, TooLargeError, UnauthorizedError
from edt_tui.service.auth import issue_token
from edt_tui.service.records import TokenRole
from edt_tui.storage.sql_store import open_store
from edt_tui.storage.url import sqlite_url
from tests.service.conftest import UAI_A, UAI_B, seed
from tests.service.exports_builder import encrypt_export, plain_export

pytestmark = pytest.mark.xdist_group("service-real-server")  # one server per run, not per worker


@dataclass
class Server:
    process: subprocess.Popen[str]
    url: str
    token_a: str
    key: rsa.RSAPrivateKey
    stderr: list[str] = field(default_factory=list)
    drained: threading.Event = field(default_factory=threading.Event)
    """Set once the server's stderr is read to its end (the process has exited)."""


def _start(
    home: Path, key_file: Path
) -> tuple[subprocess.Popen[str], str, list[str], threading.Event]:
    """The server, its URL, its stderr lines as they come and the flag set once all are read."""
    env = {**os.environ, "EDT_TUI_HOME": str(home)}
    env.pop("EDT_TUI_TOKEN", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "edt_tui", "serve", "--host", "127.0.0.1", "--port", "0",
         "--key", str(key_file), "--max-upload-mb", "1"],
        env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )
    lines: list[str] = []
    ready, drained = threading.Event(), threading.Event()
    url: list[str] = []

    def drain() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line)
            found = re.search(r"serving on (http://127\.0\.0\.1:\d+)", line)
            if found:
                url.append(found.group(1))
                ready.set()
        ready.set()
        drained.set()

    threading.Thread(target=drain, daemon=True).start()
    if not ready.wait(30) or not url:
        process.kill()
        raise AssertionError(f"server did not start: {''.join(lines)}")
    return process, url[0], lines, drained


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("served-home")
    store = open_store(sqlite_url(home / "ent.sqlite3"))
    seed(store)
    token = issue_token(store, TokenRole.ADMIN, UAI_A)
    store.close()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = home / "key.pem"
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_file.chmod(0o600)
    process, url, lines, drained = _start(home, key_file)
    yield Server(process, url, token, key, lines, drained)
    if process.poll() is None:
        process.kill()
        process.wait(10)


async def test_remote_client_against_the_real_server(server: Server) -> None:
    async with EntClient.remote(server.url, server.token_a) as ent:
        assert (await ent.health()).status == "ok"
        page = await ent.list_users(UAI_A, profile="student", limit=2, offset=2)
        assert [u.sync_id for u in page.items] == ["a-s3", "a-s4"] and page.next == 4
        with pytest.raises(NotFoundError):
            await ent.list_users(UAI_B)
        sealed = encrypt_export(plain_export(UAI_A), server.key.public_key(), uai=UAI_A)
        summary = await ent.upload_export(UAI_A, sealed, file_name="Edt_To_ITSLEARNING.xml")
        assert summary.encrypted and summary.counts.sessions == 1
        with pytest.raises(TooLargeError):
            await ent.upload_export(UAI_A, b"<x>" + b"a" * (2 * 1024 * 1024) + b"</x>")
    async with EntClient.remote(server.url, None) as anonymous:
        with pytest.raises(UnauthorizedError):
            await anonymous.list_establishments()


def test_curl_like_requests_and_openapi(server: Server) -> None:
    document = httpx.get(f"{server.url}/openapi.json").json()
    assert "/api/v1/establishments/{uai}/users" in document["paths"]
    refused = httpx.get(f"{server.url}/api/v1/establishments",
                        headers={"Authorization": "Bearer wrong"})
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"


def test_cli_listing_through_the_real_server(
    server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ent", "establishments", "--ent", server.url, "--token", server.token_a,
                 "--json"]) == 0
    assert [json.loads(line)["uai"] for line in capsys.readouterr().out.splitlines()] == [UAI_A]
    assert main(["ent", "establishments", "--ent", server.url, "--token", "wrong"]) == 1
    assert "--token" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [(["--port", "70000"], "not a TCP port"), (["--key", "/nonexistent/key.pem"], "not found"),
     (["--max-upload-mb", "0"], "at least 1")],
)
def test_serve_refuses_bad_options(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", *argv]) == 2
    assert message in capsys.readouterr().err


def test_serve_refuses_a_file_that_is_not_a_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bogus = tmp_path / "key.pem"
    bogus.write_text("not a key")
    bogus.chmod(0o600)
    assert main(["serve", "--port", "0", "--key", str(bogus)]) == 2
    assert str(bogus) in capsys.readouterr().err


# Last: it stops the module's server.
def test_graceful_shutdown_and_access_logs(server: Server) -> None:
    httpx.get(f"{server.url}/push/{UAI_A}/very-secret-value")
    httpx.get(f"{server.url}/api/v1/establishments/{UAI_A}",
              headers={"Authorization": f"Bearer {server.token_a}"})
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(15) == 0
    assert server.drained.wait(15)
    text = "".join(server.stderr)
    assert "edt-tui: stopped" in text
    assert server.token_a not in text and "very-secret-value" not in text
    records = [json.loads(line) for line in server.stderr if line.startswith("{")]
    assert {"method": "GET", "path": f"/push/{UAI_A}/***", "status": 405} .items() <= \
        next(r for r in records if r["path"].startswith("/push/")).items()
    mine = [r for r in records if r["path"] == f"/api/v1/establishments/{UAI_A}"]
    assert mine and mine[-1]["principal"] == f"admin:{UAI_A}" and mine[-1]["duration_ms"] >= 0
