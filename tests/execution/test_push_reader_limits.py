"""An automatic push is read by the bounded reader too: 413 past a limit, 422 for a broken
encoding, each refusal recorded with its reason, never a 500."""

from __future__ import annotations

from tests.execution.conftest import Env
from tests.service.conftest import UAI_A
from tests.service.exports_builder import plain_export

from .test_push import encrypted, env, history, url  # noqa: F401 - env is a fixture


async def test_push_past_a_reader_limit_is_413_and_recorded(env: Env) -> None:  # noqa: F811
    hostile = plain_export(UAI_A).replace(b"<Matieres>", b"<Notes>" + b"x" * 5000
                                          + b"</Notes><Matieres>", 1)
    answer = await env.http.post(url(env), content=encrypted(env, hostile))
    assert answer.status_code == 413, answer.text
    assert answer.json()["type"] == "/problems/too-large"
    [entry] = await history(env)
    assert entry["status"] == "refused" and "hors limites" in entry["reason"]


async def test_push_of_broken_utf16_is_422(env: Env) -> None:  # noqa: F811
    odd = plain_export(UAI_A).decode().replace("UTF-8", "UTF-16").encode("utf-16")[:-1]
    answer = await env.http.post(url(env), content=encrypted(env, odd))
    assert answer.status_code == 422, answer.text
    assert "UTF-16" in answer.json()["detail"]
