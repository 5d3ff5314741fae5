"""Uploads read through the bounded reader: 413 past a limit, 422 for a broken encoding, a 422
for an absurd reference time, never a 500, and nothing stored on refusal."""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from edt_tui.config import Settings
from edt_tui.pronote.envelope import seal_envelope
from edt_tui.service.api.app import create_app
from edt_tui.storage.sql_store import SqlStore
from tests.conftest import sqlite_only as database_url  # noqa: F401 (SQLite only)

from .conftest import UAI_A, Api
from .exports_builder import plain_export
from .test_api import assert_problem

MIB = 1024 * 1024


@pytest.fixture
async def roomy_api(api: Api, seeded: SqlStore, key_file: Path) -> AsyncIterator[Api]:
    """The API with a 4 MiB upload limit: room for a zip bomb's few hundred KB."""
    app = create_app(seeded, settings=Settings(private_key=key_file), max_upload=4 * MIB)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as http:
        yield Api(http, seeded, api.token_a, api.token_b, api.platform)


def _bomb(public_key: rsa.RSAPublicKey, inflated_mib: int) -> bytes:
    compressor = zlib.compressobj(9)
    payload = b"".join(compressor.compress(b" " * MIB) for _ in range(inflated_mib))
    sealed = seal_envelope(
        payload + compressor.flush(), partners={"ITSLEARNING": public_key}, uai=UAI_A,
        establishment_name="Lycée Alpha", postcode_city="49000 ANGERS", software="PRONOTE",
        exported_at=datetime(2026, 11, 27, 17, 45), compress=False,
    )
    return sealed.replace(b' CompresseAvantChiffrement="false"', b"")


async def test_zip_bomb_upload_is_413_and_not_stored(
    roomy_api: Api, rsa_key: rsa.RSAPrivateKey
) -> None:
    api = roomy_api
    bomb = _bomb(rsa_key.public_key(), 300)
    for route in ("exports", "plans/dry-run"):
        response = await api.http.post(
            f"/api/v1/establishments/{UAI_A}/{route}", content=bomb,
            headers=api.auth(api.token_a),
        )
        body = assert_problem(response, 413, "too-large")
        assert body["limit"] == "document_bytes" and "32 MiB" in body["detail"]
    assert api.store.list_exports(UAI_A).total == 0


async def test_broken_utf16_upload_is_422_not_500(roomy_api: Api) -> None:
    api = roomy_api
    odd = plain_export(UAI_A).decode().replace("UTF-8", "UTF-16").encode("utf-16")[:-1]
    for route in ("exports", "plans/dry-run"):
        response = await api.http.post(
            f"/api/v1/establishments/{UAI_A}/{route}", content=odd,
            headers=api.auth(api.token_a),
        )
        assert "UTF-16" in assert_problem(response, 422, "bad-export")["detail"]
    assert api.store.list_exports(UAI_A).total == 0


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+14:00"])
async def test_reference_time_out_of_range_is_422(roomy_api: Api, moment: str) -> None:
    api = roomy_api
    response = await api.http.post(
        f"/api/v1/establishments/{UAI_A}/plans/dry-run", content=plain_export(UAI_A),
        params={"reference_time": moment}, headers=api.auth(api.token_a),
    )
    assert "1900-2200" in assert_problem(response, 422, "validation")["detail"]
