"""Objects of establishment B are never reachable through A's URL — on every route taking an id.

Every route of the app whose path takes an id besides `{uai}` is taken from `app.routes`, so a
route added later is covered (or this test fails asking for a sample id). B's objects are real
(an export, a plan with its cached steps, a selection version, a finished job with its actions):
a 404 proves the lookup is by establishment *and* id, not that the id was a typo — the same
request through B's URL succeeds.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from edt_tui.config import Settings
from edt_tui.service.api.app import create_app
from edt_tui.service.api.routes_plans import STEPS
from edt_tui.service.auth import issue_token
from edt_tui.service.imports import ImportServices
from edt_tui.service.records import ClassRecord, SubjectRecord, TokenRole
from edt_tui.storage.sql_store import SqlStore
from tests.service.app_routes import every_route
from tests.service.conftest import UAI_A, UAI_B, YEAR
from tests.service.exports_builder import plain_export

B_COURSE = f"{UAI_B}:{YEAR}:MATHS:class:3A"
T = "2026-11-30T07:00:00+01:00"
B_MARKERS = ("Bêta", "Prenom1", "Paul", "MATHS")
"""Strings of B's data that no answer of A may contain (B's name, its plan's people, its
subject code) — ids echoed in a 404's detail are what the caller sent, not a leak."""


@dataclass
class Crossed:
    http: httpx.AsyncClient
    routes: list[tuple[str, str]]
    ids: dict[str, list[str]]
    tokens: dict[str, str]


@pytest.fixture
async def crossed(seeded: SqlStore, key_file: Path) -> AsyncIterator[Crossed]:
    seeded.upsert_subjects([SubjectRecord(UAI_B, "SVT-B", "SVT")])  # names A does not have
    seeded.upsert_classes([ClassRecord(UAI_B, "3B")])
    app = create_app(seeded, settings=Settings(private_key=key_file))
    services: ImportServices = app.state.imports
    token_b = issue_token(seeded, TokenRole.ADMIN, UAI_B)
    tokens = {
        "admin of A": issue_token(seeded, TokenRole.ADMIN, UAI_A),
        "platform": issue_token(seeded, TokenRole.PLATFORM, None),
    }
    auth_b = {"Authorization": f"Bearer {token_b}"}
    b = f"/api/v1/establishments/{UAI_B}"
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        upload = await http.post(f"{b}/exports", content=plain_export(UAI_B), headers=auth_b)
        sha = upload.json()["sha256"]
        plan = await http.post(f"{b}/plans", json={"export_sha256": sha, "reference_time": T},
                               headers=auth_b)
        plan_id = plan.json()["plan_id"]
        for step in STEPS:  # B's steps are now cached
            assert (await http.get(f"{b}/plans/{plan_id}/{step}", headers=auth_b)).status_code \
                == 200
        plan_course = (await http.get(f"{b}/plans/{plan_id}/courses", headers=auth_b)).json()[
            "items"][0]["key"]
        version = (await http.post(f"{b}/selections", json={}, headers=auth_b)).json()["version"]
        job = await http.post(  # B's seeded course is not in its export: a mass deletion
            f"{b}/jobs", json={"export_sha256": sha, "reference_time": T,
                               "allow_mass_deletion": True}, headers=auth_b,
        )
        while await services.worker.run_once():
            pass
        job_id = job.json()["id"]
        actions = await http.get(f"{b}/jobs/{job_id}/actions", params={"status": "success"},
                                 headers=auth_b)
        assert actions.json()["total"] > 0
        yield Crossed(
            http,
            every_route(app),
            {
                "sha256": [sha], "plan_id": [plan_id], "step": list(STEPS),
                "version": [str(version)], "job_id": [job_id], "key": [B_COURSE],
                "sync_id": ["b-s1"], "subjects/{name}": ["SVT-B"], "classes/{name}": ["3B"],
                "courses/{key:path}": [plan_course],
                "profile": ["students", "teachers"],
                "secret": [seeded.get_establishment(UAI_B).push_secret],  # type: ignore[union-attr]
            },
            {**tokens, "admin of B": token_b},
        )


NOT_IDS = {"uai", "profile", "step"}
"""Path parameters that choose a view, not an object (`step` comes with a `plan_id`)."""


def _params(path: str) -> list[str]:
    return re.findall(r"\{(\w+)(?::\w+)?\}", path)


def _id_routes(routes: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(m, p) for m, p in routes if "{uai}" in p and set(_params(p)) - NOT_IDS]


def _fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: quote(values[m.group(1)], safe=""), path)


def _combinations(path: str, ids: dict[str, list[str]]) -> list[dict[str, str]]:
    combos: list[dict[str, str]] = [{}]
    for name in _params(path):
        if name == "uai":
            continue
        scoped = next(
            (k for k in ids
             if "/" in k and f"/{k}" in path and k.rsplit("/", 1)[1].startswith(f"{{{name}"))
            , name,
        )
        assert scoped in ids, f"{path}: give a sample id of B for {{{name}}} in this test"
        combos = [{**c, name: v} for c in combos for v in ids[scoped]]
    return combos


async def test_no_route_shows_b_through_a(crossed: Crossed) -> None:
    routes = _id_routes(crossed.routes)
    assert ("GET", "/api/v1/establishments/{uai}/plans/{plan_id}/{step}") in routes
    assert ("GET", "/api/v1/establishments/{uai}/jobs/{job_id}/actions") in routes
    checked = 0
    for method, template in routes:
        for values in _combinations(template, crossed.ids):
            body = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
            for who in ("admin of A", "platform"):
                as_a = await crossed.http.request(
                    method, _fill(template, {**values, "uai": UAI_A}),
                    headers={"Authorization": f"Bearer {crossed.tokens[who]}"}, **body,
                )
                where = (who, method, template, values)
                assert as_a.status_code == 404, (*where, as_a.status_code, as_a.text[:300])
                assert as_a.headers["content-type"].startswith("application/problem+json")
                text = as_a.text
                for echoed in values.values():
                    text = text.replace(echoed, "")
                leaked = [m for m in B_MARKERS if m in text]
                assert not leaked, (*where, leaked)
                checked += 1
            as_b = await crossed.http.request(
                method, _fill(template, {**values, "uai": UAI_B}),
                headers={"Authorization": f"Bearer {crossed.tokens['admin of B']}"}, **body,
            )  # the ids are B's real ones: B reaches them (a POST may conflict or be refused)
            assert as_b.status_code != 404, (
                method, template, values, as_b.text[:300])
    assert checked == 2 * sum(len(_combinations(p, crossed.ids)) for _, p in routes)


async def test_ids_of_b_in_a_body_or_a_query_are_not_found_either(crossed: Crossed) -> None:
    """Export hashes and selection versions also travel in JSON bodies and query strings: B's
    answer exactly like ids that exist nowhere."""
    a = f"/api/v1/establishments/{UAI_A}"
    sha, version = crossed.ids["sha256"][0], int(crossed.ids["version"][0])
    headers = {"Authorization": f"Bearer {crossed.tokens['platform']}"}

    def attempts(
        sha: str, version: int, job_id: str
    ) -> list[tuple[str, str, dict[str, Any]]]:
        return [
            ("POST", f"{a}/plans", {"json": {"export_sha256": sha, "reference_time": T}}),
            ("POST", f"{a}/plans",
             {"json": {"export_sha256": sha, "selection_version": version}}),
            ("POST", f"{a}/jobs", {"json": {"export_sha256": sha}}),
            ("POST", f"{a}/jobs", {"json": {"export_sha256": sha, "selection_version": version}}),
            ("GET", f"{a}/helpdesk/snapshot", {"params": {"export_sha256": sha}}),
            ("GET", f"{a}/selections/{version}", {}),
            ("GET", f"{a}/helpdesk/snapshot", {"params": {"job_id": job_id,
                                                          "school_year": YEAR}}),
        ]

    for (method, path, kw), (_, nowhere_path, nowhere_kw) in zip(
        attempts(sha, version, crossed.ids["job_id"][0]), attempts("0" * 64, 999, "f" * 32),
        strict=True,
    ):
        answer = await crossed.http.request(method, path, headers=headers, **kw)
        nowhere = await crossed.http.request(method, nowhere_path, headers=headers, **nowhere_kw)
        assert answer.status_code == nowhere.status_code in (404, 422), (path, kw, answer.text)
        assert answer.json()["type"] == nowhere.json()["type"]
        assert UAI_B not in answer.text.replace(sha, "")
    jobs = await crossed.http.get(f"{a}/jobs", headers=headers)
    assert jobs.json()["total"] == 0

