"""The import guards' settings per establishment: API (GET|PATCH …/settings), client, CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from edt_tui.cli import main
from edt_tui.client import EntClient
from edt_tui.client.errors import ValidationProblemError
from edt_tui.storage.sql_store import SqlStore, open_store
from tests.service.conftest import UAI_A, UAI_B, Api
from tests.service.test_api import assert_problem

PATH = f"/api/v1/establishments/{UAI_A}/settings"
BAD_VALUES: list[dict[str, Any]] = [
    {"freeze_minutes": -1}, {"freeze_minutes": 366 * 24 * 60 + 1}, {"freeze_minutes": "abc"},
    {"freeze_minutes": 1.5}, {"freeze_minutes": True}, {"max_deletion_percent": -1},
    {"max_deletion_percent": 101}, {"max_deletion_percent": "20"},
    {"max_deletion_percent": None, "freeze_minutes": "10 minutes"},
]


async def test_defaults_change_nothing_and_the_admin_sets_the_guards(api: Api) -> None:
    shown = await api.http.get(PATH, headers=api.auth(api.token_a))
    assert (shown.json()["freeze_minutes"], shown.json()["max_deletion_percent"]) == (0, 20)
    changed = await api.http.patch(
        PATH, json={"freeze_minutes": 10080, "max_deletion_percent": 35},
        headers=api.auth(api.token_a),
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["freeze_minutes"], changed.json()["max_deletion_percent"]) == (10080, 35)
    stored = api.store.get_establishment(UAI_A)
    assert stored is not None
    assert (stored.freeze_minutes, stored.max_deletion_percent) == (10080, 35)
    other = api.store.get_establishment(UAI_B)
    assert other is not None and (other.freeze_minutes, other.max_deletion_percent) == (0, 20)
    # The platform policy stays the platform's, even beside a guard.
    refused = await api.http.patch(
        PATH, json={"max_deletion_percent": 50, "daily_quota": 9}, headers=api.auth(api.token_a)
    )
    assert_problem(refused, 403, "forbidden")
    assert api.store.get_establishment(UAI_A).max_deletion_percent == 35  # type: ignore[union-attr]


@pytest.mark.parametrize("body", BAD_VALUES, ids=[str(b) for b in BAD_VALUES])
async def test_bad_values_are_422_and_change_nothing(api: Api, body: dict[str, Any]) -> None:
    before = api.store.get_establishment(UAI_A)
    answer = await api.http.patch(PATH, json=body, headers=api.auth(api.platform))
    problem = assert_problem(answer, 422, "validation")
    assert problem["errors"] and any(
        name in str(e["loc"]) for e in problem["errors"]
        for name in ("freeze_minutes", "max_deletion_percent")
    )
    assert api.store.get_establishment(UAI_A) == before


async def test_openapi_declares_the_settings_and_their_problems(api: Api) -> None:
    spec = (await api.http.get("/openapi.json")).json()
    route = spec["paths"]["/api/v1/establishments/{uai}/settings"]
    assert {"403", "404", "422"} <= set(route["patch"]["responses"])
    assert "application/problem+json" in route["patch"]["responses"]["422"]["content"]
    assert "404" in route["get"]["responses"]
    assert "409" in spec["paths"]["/api/v1/establishments/{uai}/jobs"]["post"]["responses"]
    props = spec["components"]["schemas"]["SettingsIn"]["properties"]
    assert {"freeze_minutes", "max_deletion_percent"} <= set(props)


async def test_client_reads_and_changes_the_guards(database_url: str, seeded: SqlStore) -> None:
    seeded.close()
    async with EntClient.embedded(database_url) as ent:
        assert (await ent.get_settings(UAI_A)).max_deletion_percent == 20
        updated = await ent.update_settings(UAI_A, freeze_minutes=60, max_deletion_percent=5)
        assert (updated.freeze_minutes, updated.max_deletion_percent) == (60, 5)
        with pytest.raises(ValidationProblemError):
            await ent.update_settings(UAI_A, max_deletion_percent=500)
        assert (await ent.get_settings(UAI_A)).max_deletion_percent == 5


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_shows_changes_and_refuses_bad_values(
    edt_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.service.conftest import seed

    store = open_store()
    seed(store)
    store.close()
    code, out, _ = _cli(capsys, "ent", "settings", "--uai", UAI_A.lower())
    assert code == 0 and "Freeze window: 0 minutes" in out and "threshold: 20 %" in out
    code, out, _ = _cli(capsys, "ent", "settings", "--uai", UAI_A, "--freeze-minutes", "10080",
                        "--max-deletion-percent", "30", "--json")
    assert code == 0
    import json

    shown = json.loads(out)
    assert (shown["freeze_minutes"], shown["max_deletion_percent"]) == (10080, 30)
    assert "push" not in out  # the push URL carries a secret: not printed here
    for flag, value in (("--freeze-minutes", "-5"), ("--freeze-minutes", "ten"),
                        ("--max-deletion-percent", "101"), ("--max-deletion-percent", "2.5")):
        code, out, err = _cli(capsys, "ent", "settings", "--uai", UAI_A, flag, value,
                              "--max-deletion-percent" if flag != "--max-deletion-percent"
                              else "--freeze-minutes", "1")
        assert code == 2 and flag in err and "0 to" in err, err
    store = open_store()
    stored = store.get_establishment(UAI_A)
    store.close()
    assert stored is not None
    assert (stored.freeze_minutes, stored.max_deletion_percent) == (10080, 30)
    code, _, err = _cli(capsys, "ent", "settings", "--uai", "9999999Z")
    assert code == 2 and "9999999Z" in err
