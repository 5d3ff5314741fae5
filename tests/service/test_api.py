"""The HTTP API in-process (httpx.ASGITransport): pagination, filters, problems, uploads."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from urllib.parse import quote

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.service.conftest import UAI_A, UAI_B, YEAR, Api
from tests.service.exports_builder import encrypt_export, plain_export

PROBLEM = "application/problem+json"


def assert_problem(response, status: int, slug: str) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["type"] == f"/problems/{slug}" and body["status"] == status and body["title"]
    return body


async def test_health_needs_no_token(api: Api) -> None:
    response = await api.http.get("/api/v1/health")
    assert response.status_code == 200 and response.json()["status"] == "ok"


@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic dXNlcjpwYXNz", "Bearer "])
async def test_missing_or_unknown_token_is_401(api: Api, header: str | None) -> None:
    headers = {"Authorization": header} if header is not None else {}
    response = await api.http.get("/api/v1/establishments", headers=headers)
    assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"


async def test_establishment_lists_are_scoped(api: Api) -> None:
    mine = (await api.http.get("/api/v1/establishments", headers=api.auth(api.token_a))).json()
    assert [e["uai"] for e in mine["items"]] == [UAI_A] and mine["total"] == 1
    everyone = await api.http.get("/api/v1/establishments", headers=api.auth(api.platform))
    assert [e["uai"] for e in everyone.json()["items"]] == sorted([UAI_A, UAI_B])
    settings = await api.http.get(f"/api/v1/establishments/{UAI_A}/settings",
                                  headers=api.auth(api.token_a))
    secret = api.store.get_establishment(UAI_A).push_secret  # type: ignore[union-attr]
    assert settings.json()["push_path"] == f"/push/{UAI_A}/{secret}"


async def test_paging_through_students_visits_each_once(api: Api) -> None:
    seen: list[str] = []
    offset: int | None = 0
    while offset is not None:
        response = await api.http.get(
            f"/api/v1/establishments/{UAI_A}/users",
            params={"profile": "student", "limit": 2, "offset": offset},
            headers=api.auth(api.token_a),
        )
        page = response.json()
        assert page["total"] == 5 and len(page["items"]) <= 2
        seen += [u["sync_id"] for u in page["items"]]
        offset = page["next"]
    assert sorted(seen) == [f"a-s{i}" for i in range(1, 6)] and len(set(seen)) == 5


async def test_user_filters(api: Api) -> None:
    async def ids(**params: object) -> list[str]:
        response = await api.http.get(f"/api/v1/establishments/{UAI_A}/users", params=params,
                                      headers=api.auth(api.token_a))
        return [u["sync_id"] for u in response.json()["items"]]

    assert await ids(q="élève2") == ["a-s2"]
    assert await ids(reconciled="true") == ["a-s1"]
    assert await ids(profile="teacher") == ["a-t1"]
    assert await ids(source="CSV", q="eleve5") == ["a-s5"]
    bad = await api.http.get(f"/api/v1/establishments/{UAI_A}/users?profile=parent",
                             headers=api.auth(api.token_a))
    assert_problem(bad, 422, "validation")
    assert_problem(
        await api.http.get(f"/api/v1/establishments/{UAI_A}/users?limit=501",
                           headers=api.auth(api.token_a)), 422, "validation")
    user = await api.http.get(f"/api/v1/establishments/{UAI_A}/users/a-s1",
                              headers=api.auth(api.token_a))
    assert user.json()["idpn"] == "IDPN0000000000A1" and user.json()["birth_date"] == "2012-01-01"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(b"{not json", "application/json"), (b'{"name": 3}', "application/json"),
     (b'{"name": "X", "colour": "red"}', "application/json"), (b'["Maths"]', "application/json"),
     (b'{"name": "   "}', "application/json"), (b"name=Maths", "text/plain")],
)
async def test_malformed_json_bodies_are_problems(api: Api, body: bytes, content_type: str) -> None:
    response = await api.http.post(
        f"/api/v1/establishments/{UAI_A}/subjects", content=body,
        headers={**api.auth(api.token_a), "Content-Type": content_type},
    )
    problem = assert_problem(response, 422, "validation")
    assert problem["detail"]
    assert api.store.list_subjects(UAI_A).total == 1


async def test_add_subject_is_idempotent(api: Api) -> None:
    path = f"/api/v1/establishments/{UAI_A}/subjects"
    first = await api.http.post(path, json={"name": "Latin", "code": "LATIN"},
                                headers=api.auth(api.token_a))
    again = await api.http.post(path, json={"name": "Latin", "code": "LATIN"},
                                headers=api.auth(api.token_a))
    assert (first.status_code, again.status_code) == (201, 200)
    listed = await api.http.get(path, params={"q": "lat"}, headers=api.auth(api.token_a))
    assert [s["name"] for s in listed.json()["items"]] == ["Latin"]
    got = await api.http.get(f"{path}/Latin", headers=api.auth(api.token_a))
    assert got.json()["code"] == "LATIN"


async def test_upload_plain_and_encrypted_exports(api: Api, rsa_key: rsa.RSAPrivateKey) -> None:
    path = f"/api/v1/establishments/{UAI_A}/exports"
    plain = plain_export(UAI_A, students=3)
    response = await api.http.post(path, content=plain, params={"file_name": "Edt_plain.xml"},
                                   headers=api.auth(api.token_a))
    assert response.status_code == 201, response.text
    summary = response.json()
    assert summary["uai"] == UAI_A and summary["encrypted"] is False
    assert summary["counts"]["students"] == 3 and summary["school_year"] == YEAR
    assert response.headers["location"].endswith(summary["sha256"])
    sealed = encrypt_export(plain, rsa_key.public_key(), uai=UAI_A)
    multipart = await api.http.post(
        path, files={"file": ("Edt_To_ITSLEARNING_0490856P.xml", sealed)},
        headers=api.auth(api.token_a),
    )
    enc = multipart.json()
    assert multipart.status_code == 201, multipart.text
    assert enc["encrypted"] is True and enc["key_present"] is True
    assert enc["partners"] == ["ITSLEARNING"] and enc["establishment_name"] == "Lycée Test"
    assert enc["file_name"] == "Edt_To_ITSLEARNING_0490856P.xml"
    assert enc["import_id"] != summary["import_id"]
    listed = await api.http.get(path, headers=api.auth(api.token_a))
    assert listed.json()["total"] == 2
    again = await api.http.get(f"{path}/{enc['sha256']}", headers=api.auth(api.token_a))
    assert again.json() == enc
    assert api.store.exports.blobs.get(enc["sha256"]) == sealed


async def test_upload_refusals(api: Api, rsa_key: rsa.RSAPrivateKey) -> None:
    path = f"/api/v1/establishments/{UAI_A}/exports"
    other = await api.http.post(path, content=plain_export(UAI_B), headers=api.auth(api.token_a))
    body = assert_problem(other, 422, "uai-mismatch")
    assert body["export_uai"] == UAI_B and body["uai"] == UAI_A and UAI_B in body["detail"]
    foreign = encrypt_export(plain_export(UAI_A), rsa_key.public_key(), uai=UAI_A,
                             partner="OTHERENT")
    refused = assert_problem(await api.http.post(path, content=foreign,
                                                 headers=api.auth(api.token_a)),
                             422, "undecryptable")
    assert refused["envelope"]["partners"] == ["OTHERENT"]
    assert refused["envelope"]["key_present"] is False
    wrong_key = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
    assert_problem(await api.http.post(
        path, content=encrypt_export(plain_export(UAI_A), wrong_key, uai=UAI_A),
        headers=api.auth(api.token_a)), 422, "undecryptable")
    assert_problem(await api.http.post(path, content=b"<html/>", headers=api.auth(api.token_a)),
                   422, "bad-export")
    assert_problem(await api.http.post(path, content=b"", headers=api.auth(api.token_a)),
                   422, "validation")
    assert api.store.list_exports(UAI_A).total == 0


async def test_oversized_bodies_are_413(api: Api) -> None:
    path = f"/api/v1/establishments/{UAI_A}/exports"
    big = b"<x>" + b"a" * (64 * 1024) + b"</x>"
    assert_problem(await api.http.post(path, content=big, headers=api.auth(api.token_a)),
                   413, "too-large")

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted while streaming
        for _ in range(20):
            yield b"a" * 8192

    streamed = await api.http.post(path, content=chunks(), headers=api.auth(api.token_a))
    assert_problem(streamed, 413, "too-large")
    huge_json = json.dumps({"name": "x" * (5 * 1024 * 1024)})
    assert_problem(await api.http.post(
        f"/api/v1/establishments/{UAI_A}/subjects", content=huge_json,
        headers={**api.auth(api.token_a), "Content-Type": "application/json"}), 413, "too-large")
    assert api.store.list_exports(UAI_A).total == 0


async def test_courses_memberships_events_hierarchy(api: Api) -> None:
    base = f"/api/v1/establishments/{UAI_A}"
    courses = (await api.http.get(f"{base}/courses", headers=api.auth(api.token_a))).json()
    [course] = courses["items"]
    assert course["created_by"] == "Intégration" and course["participants"] == 3
    key = quote(course["key"], safe="")
    got = await api.http.get(f"{base}/courses/{key}", headers=api.auth(api.token_a))
    assert got.json() == course
    members = await api.http.get(f"{base}/courses/{key}/memberships", params={"role": "student"},
                                 headers=api.auth(api.token_a))
    assert sorted(m["user"] for m in members.json()["items"]) == ["a-s1", "a-s2"]
    events = await api.http.get(f"{base}/courses/{key}/events",
                                params={"start_from": "2026-12-07T08:00:00+01:00"},
                                headers=api.auth(api.token_a))
    assert [e["start"] for e in events.json()["items"]] == [
        "2026-12-07T08:00:00+01:00", "2026-12-14T08:00:00+01:00"]
    roots = (await api.http.get(f"{base}/hierarchy", headers=api.auth(api.token_a))).json()
    assert [n["title"] for n in roots["items"]] == [f"Cours {YEAR}"]
    children = await api.http.get(f"{base}/hierarchy", params={"parent": roots["items"][0]["key"]},
                                  headers=api.auth(api.token_a))
    assert [n["course_key"] for n in children.json()["items"]] == [course["key"]]
    missing = await api.http.get(f"{base}/courses/nope/events", headers=api.auth(api.token_a))
    assert_problem(missing, 404, "not-found")


async def test_unknown_route_and_method_are_problems(api: Api) -> None:
    assert_problem(await api.http.get("/api/v2/nothing"), 404, "not-found")
    assert_problem(await api.http.delete("/api/v1/health"), 405, "method-not-allowed")
    described = await api.http.get("/problems/uai-mismatch")
    assert described.status_code == 200 and "another establishment" in described.text


async def test_every_list_in_the_openapi_document_is_paginated(api: Api) -> None:
    document = (await api.http.get("/openapi.json")).json()
    lists = 0
    for path, operations in document["paths"].items():
        get = operations.get("get")
        if not get:
            continue
        schema = get["responses"]["200"]["content"].get("application/json", {}).get("schema", {})
        ref = schema.get("$ref", "")
        if "Page" in ref.split("/")[-1]:
            lists += 1
            names = {p["name"] for p in get.get("parameters", [])}
            assert {"limit", "offset"} <= names, path
    assert lists >= 8


async def test_access_log_has_no_token_and_redacts_push_secret(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    access = logging.getLogger("edt_tui.access")
    access.addHandler(caplog.handler)  # even if `serve` ran in this process (propagate off)
    try:
        with caplog.at_level(logging.INFO, logger="edt_tui.access"):
            await api.http.get(f"/api/v1/establishments/{UAI_A}", headers=api.auth(api.token_a))
            await api.http.post(f"/push/{UAI_A}/s3cr3t-value", content=b"x")
    finally:
        access.removeHandler(caplog.handler)
    lines = list({r.getMessage(): json.loads(r.getMessage()) for r in caplog.records
                  if r.name == "edt_tui.access"}.values())
    assert lines[0] == {**lines[0], "method": "GET", "status": 200,
                        "principal": f"admin:{UAI_A}"}
    assert lines[1]["path"] == f"/push/{UAI_A}/***"
    text = caplog.text
    assert api.token_a not in text and "s3cr3t-value" not in text


async def test_settings_are_platform_policy_and_the_push_secret_rotates(api: Api) -> None:
    path = f"/api/v1/establishments/{UAI_A}/settings"
    refused = await api.http.patch(path, json={"daily_quota": 8}, headers=api.auth(api.token_a))
    assert_problem(refused, 403, "forbidden")
    changed = await api.http.patch(path, json={"daily_quota": 8, "timezone": "Indian/Reunion"},
                                   headers=api.auth(api.platform))
    assert changed.status_code == 200
    assert (changed.json()["daily_quota"], changed.json()["timezone"]) == (8, "Indian/Reunion")
    assert_problem(await api.http.patch(path, json={"timezone": "Mars/Olympus"},
                                        headers=api.auth(api.platform)), 422, "validation")
    assert_problem(await api.http.patch(path, json={"daily_quota": -1},
                                        headers=api.auth(api.platform)), 422, "validation")
    old = (await api.http.get(path, headers=api.auth(api.token_a))).json()["push_path"]
    rotated = await api.http.post(f"{path}/push-secret", headers=api.auth(api.token_a))
    assert rotated.status_code == 200 and rotated.json()["push_path"] != old
    stored = api.store.get_establishment(UAI_A)
    assert stored is not None and rotated.json()["push_path"].endswith(stored.push_secret)
    assert stored.daily_quota == 8  # rotation keeps the other settings


async def test_export_bodies_get_the_upload_limit_and_json_the_smaller_one() -> None:
    from edt_tui.service.api.middleware import _UPLOAD_PATH

    assert _UPLOAD_PATH.match(f"/api/v1/establishments/{UAI_A}/exports")
    assert _UPLOAD_PATH.match(f"/api/v1/establishments/{UAI_A}/plans/dry-run")
    assert _UPLOAD_PATH.match(f"/push/{UAI_A}/secret")
    assert not _UPLOAD_PATH.match(f"/api/v1/establishments/{UAI_A}/subjects")
    assert not _UPLOAD_PATH.match(f"/api/v1/establishments/{UAI_A}/exports/abc")
