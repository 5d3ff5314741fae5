"""PRONOTE's automatic push: every refusal recorded with its reason, the daily quota across a
Paris midnight, no-ops, superseding, and the last manual selection re-applied."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from edt_tui.engine.selection import Selection
from edt_tui.reasons import Reason, ReasonCode, french
from edt_tui.service.records import SubjectRecord
from edt_tui.service.vocabulary import FIRST_MANUAL_IMPORT_REQUIRED
from edt_tui.storage.sql_store import open_store
from tests.execution.conftest import Clock, Env, make_env
from tests.service.conftest import UAI_A, UAI_B, YEAR, seed
from tests.service.exports_builder import encrypt_export, plain_export


def _key_file(path: Path) -> rsa.RSAPrivateKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ))
    return key


@pytest.fixture
async def env(tmp_path: Path, database_url: str, clock: Clock) -> AsyncIterator[Env]:
    store = open_store(database_url)
    seed(store)
    # The seeded course is in none of these exports: deleting it is not what these tests check.
    store.update_establishment(UAI_A, max_deletion_percent=100)
    key = tmp_path / "service.pem"
    env_key = _key_file(key)
    async for env in make_env(store, clock, key):
        env.key = env_key  # type: ignore[attr-defined]
        yield env


def url(env: Env, uai: str = UAI_A, secret: str | None = None) -> str:
    establishment = env.store.get_establishment(uai)
    assert establishment is not None
    return f"/push/{uai}/{secret or establishment.push_secret}"


def encrypted(env: Env, plain: bytes, uai: str = UAI_A) -> bytes:
    return encrypt_export(plain, env.key.public_key(), uai=uai)  # type: ignore[attr-defined]


async def manual_import(env: Env, data: bytes, **body: Any) -> dict[str, Any]:
    sha = await env.upload(data, UAI_A)
    job = await env.enqueue(sha, UAI_A, **body)
    await env.run_all()
    return await env.job(job["id"], UAI_A)


async def history(env: Env, uai: str = UAI_A) -> list[dict[str, Any]]:
    return list((await env.http.get(f"{env.est(uai)}/jobs")).json()["items"])


async def test_wrong_secret_and_unknown_uai_look_the_same(env: Env) -> None:
    wrong = await env.http.post(url(env, secret="not-the-secret"), content=plain_export(UAI_A))
    unknown = await env.http.post("/push/9999999Z/whatever", content=plain_export(UAI_A))
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json()["detail"] == unknown.json()["detail"]
    assert "not-the-secret" not in wrong.text
    [entry] = await history(env)
    assert entry["status"] == "refused" and entry["type"] == "automatic"
    assert "secret" in entry["reason"]
    for _ in range(3):  # a flood of wrong secrets: one history entry an hour
        env.clock.now += timedelta(minutes=10)
        await env.http.post(url(env, secret="guess"), content=plain_export(UAI_A))
    assert len(await history(env)) == 1
    env.clock.now += timedelta(minutes=31)
    await env.http.post(url(env, secret="guess"), content=plain_export(UAI_A))
    assert [e["reason"] for e in await history(env)] == [entry["reason"]] * 2
    with env.store.database.snapshot() as conn:
        pushes = conn.execute(
            "SELECT COUNT(*), SUM(attempts) FROM pushes WHERE uai = ?", (UAI_A,)).fetchone()
        unknown_rows = conn.execute(
            "SELECT COUNT(*) FROM pushes WHERE uai != ?", (UAI_A,)).fetchone()
    assert tuple(pushes) == (2, 5)  # every attempt counted, on one row an hour
    assert unknown_rows[0] == 0  # an unknown UAI leaves nothing


async def test_refusals_are_recorded_with_their_reason(env: Env) -> None:
    no_manual = await env.http.put(url(env), content=encrypted(env, plain_export(UAI_A)))
    assert no_manual.status_code == 409
    assert FIRST_MANUAL_IMPORT_REQUIRED in no_manual.json()["detail"]

    await manual_import(env, plain_export(UAI_A))
    other_uai = await env.http.post(url(env), content=encrypted(env, plain_export(UAI_B), UAI_B))
    assert other_uai.status_code == 422
    assert other_uai.json()["type"] == "/problems/uai-mismatch"
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    undecryptable = await env.http.post(
        url(env), content=encrypt_export(plain_export(UAI_A), stranger, uai=UAI_A)
    )
    assert undecryptable.status_code == 422
    assert undecryptable.json()["type"] == "/problems/undecryptable"
    garbage = await env.http.post(url(env), content=b"not an export")
    assert garbage.status_code == 422

    entries = await history(env)
    refused = [e for e in entries if e["status"] == "refused"]
    assert len(refused) == 4 and all(e["type"] == "automatic" for e in refused)
    reasons = [e["reason"] for e in refused]
    assert any(UAI_A in r and UAI_B in r for r in reasons)
    assert any("indéchiffrable" in r for r in reasons)
    assert any(FIRST_MANUAL_IMPORT_REQUIRED in r for r in reasons)
    assert all(e["status_label"] == "Refusé" for e in refused)
    whys = [e["why"] for e in reversed(refused)]
    assert [w["code"] for w in whys] == [
        "push_first_manual_import", "push_other_uai", "push_undecryptable", "push_unreadable"
    ]
    assert whys[1]["params"] == {"file_uai": UAI_B, "uai": UAI_A}
    assert [french(Reason(ReasonCode(w["code"]), w["params"])) for w in whys] == [
        e["reason"] for e in reversed(refused)
    ]


async def test_quota_of_four_a_day_then_accepted_after_paris_midnight(env: Env) -> None:
    env.clock.now = datetime(2026, 11, 28, 20, 0, tzinfo=UTC)  # 21:00 in Paris
    await manual_import(env, plain_export(UAI_A))
    for students in range(3, 7):
        env.clock.now += timedelta(minutes=10)
        accepted = await env.http.post(url(env), content=plain_export(UAI_A, students=students))
        assert accepted.status_code == 202, accepted.text
        await env.run_all()
    env.clock.now = datetime(2026, 11, 28, 22, 50, tzinfo=UTC)  # 23:50 in Paris
    fifth = await env.http.post(url(env), content=plain_export(UAI_A, students=9))
    assert fifth.status_code == 429
    assert fifth.headers["retry-after"] == str(10 * 60)
    assert (await history(env))[0]["status"] == "refused"

    env.clock.now = datetime(2026, 11, 28, 23, 5, tzinfo=UTC)  # Paris: 00:05 on the 29th
    next_day = await env.http.post(url(env), content=plain_export(UAI_A, students=9))
    assert next_day.status_code == 202


async def test_identical_push_is_a_noop_and_a_newer_push_supersedes_a_queued_one(env: Env) -> None:
    await manual_import(env, plain_export(UAI_A))
    same = await env.http.post(url(env), content=plain_export(UAI_A))
    assert same.status_code == 200 and same.json()["status"] == "done"
    first = await env.http.post(url(env), content=plain_export(UAI_A, students=3))
    second = await env.http.post(url(env), content=plain_export(UAI_A, students=4))
    assert first.status_code == second.status_code == 202
    entries = {e["id"]: e for e in await history(env)}
    assert entries[same.json()["job_id"]]["outcome"] == "noop"
    assert entries[first.json()["job_id"]]["outcome"] == "superseded"
    assert entries[second.json()["job_id"]]["status"] == "queued"
    assert entries[second.json()["job_id"]]["queue_position"] == 1


def _with_physics(plain: bytes) -> bytes:
    """The same timetable plus a PHYSIQUE course for class 3A."""
    return plain.replace(
        b"</Matieres>", b'<Matiere Ident="2" Code="PC" Libelle="PHYSIQUE"/></Matieres>'
    ).replace(
        b"</Cours></Cours>",
        b'</Cours><Cours Jour="1" NumeroPlaceDebut="1" NombrePlaces="1"><Matiere Ident="2"/>'
        b'<Professeur Ident="1" Semaines="6"/><Classe Ident="1" Semaines="6"/></Cours></Cours>',
    )


async def test_push_reapplies_the_manual_selection_and_reports_new_entities(env: Env) -> None:
    maths = f"{UAI_A}:{YEAR}:MATHEMATIQUES:class:3A"
    physics = f"{UAI_A}:{YEAR}:PHYSIQUE:class:3A"
    deactivated = Selection.default().with_course(maths, False).to_dict()
    manual = await manual_import(env, plain_export(UAI_A), selection=deactivated)
    assert manual["status"] == "done" and env.store.get_course(UAI_A, maths) is None
    env.store.upsert_subjects([SubjectRecord(UAI_A, "PHYSIQUE", "PC")])

    pushed = await env.http.post(url(env), content=_with_physics(plain_export(UAI_A)))
    assert pushed.status_code == 202
    await env.run_all()
    job = await env.job(pushed.json()["job_id"], UAI_A)
    assert job["status"] == "done" and job["type"] == "automatic"
    assert job["selection_version"] == manual["selection_version"]
    assert [c["key"] for c in job["new_entities"]["courses"]] == [physics]
    assert [s["label"] for s in job["new_entities"]["subjects"]] == ["PHYSIQUE"]
    assert env.store.get_course(UAI_A, maths) is None  # still deactivated
    assert env.store.get_course(UAI_A, physics) is None  # new: reported, not synced
