"""Stored plan requests on each backend: read by (UAI, plan id) only, and pruned by age and by
count per establishment as they are written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from edt_tui.storage.plan_requests import (
    KEPT_FOR,
    KEPT_PER_ESTABLISHMENT,
    PlanRequestRepository,
)
from edt_tui.storage.sql_store import SqlStore
from tests.service.conftest import UAI_A, UAI_B

T = datetime(2026, 9, 1, 6, 0, tzinfo=UTC)


def _repository(store: SqlStore, now: list[datetime]) -> PlanRequestRepository:
    return PlanRequestRepository(store.database, clock=lambda: now[0])


def test_a_request_is_found_by_its_establishment_and_id_only(seeded: SqlStore) -> None:
    requests = _repository(seeded, [T])
    requests.save(UAI_A, "p1", {"format": 1, "selection": {"courses": {"é": False}}})
    assert requests.load(UAI_A, "p1") == {"format": 1, "selection": {"courses": {"é": False}}}
    assert requests.load(UAI_B, "p1") is None  # another establishment's id is not found
    assert requests.load(UAI_A, "p2") is None
    assert seeded.plan_requests.load(UAI_A, "p1") is not None  # the store's own repository


def test_old_requests_are_pruned_when_another_is_written(seeded: SqlStore) -> None:
    now = [T]
    requests = _repository(seeded, now)
    requests.save(UAI_A, "old", {"n": 1})
    requests.save(UAI_B, "other", {"n": 2})
    now[0] = T + KEPT_FOR - timedelta(seconds=1)
    requests.save(UAI_A, "old", {"n": 1})  # planned again: its age starts again
    now[0] = T + KEPT_FOR + timedelta(seconds=1)
    requests.save(UAI_A, "new", {"n": 3})
    assert requests.load(UAI_B, "other") is None  # every establishment's old rows go
    assert requests.load(UAI_A, "old") == {"n": 1}
    assert requests.load(UAI_A, "new") == {"n": 3}


def test_only_the_newest_requests_of_an_establishment_are_kept(seeded: SqlStore) -> None:
    now = [T]
    requests = _repository(seeded, now)
    requests.save(UAI_B, "b", {})
    for i in range(KEPT_PER_ESTABLISHMENT + 2):
        now[0] = T + timedelta(seconds=i)
        requests.save(UAI_A, f"a{i}", {"i": i})
    assert requests.load(UAI_A, "a0") is None and requests.load(UAI_A, "a1") is None
    assert requests.load(UAI_A, "a2") == {"i": 2}
    assert requests.load(UAI_A, f"a{KEPT_PER_ESTABLISHMENT + 1}") is not None
    assert requests.load(UAI_B, "b") == {}  # another establishment's count is its own
