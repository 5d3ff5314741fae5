"""A region on one PostgreSQL database: two `edt-tui worker` processes and two `serve
--no-worker` processes, forty establishments importing at once, then a worker killed mid-job.

What is checked is read from the database and the processes' log lines, never timed: every job
claimed exactly once (the workers' "claimed by" lines), queue positions distinct and counting
down and at most one running job per establishment (sampled by a thread of the test while the
jobs run), and after `kill -9` of the worker holding a job, the other one takes it over once its
lease is past and the ENT ends as an uninterrupted run's.
"""

from __future__ import annotations

import asyncio
import math
import re
import signal
import threading
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from edt_tui.engine.model import EntState, Profile, UserSource
from edt_tui.service.csv_loader import load_directory
from edt_tui.service.jobs import JobStore
from edt_tui.service.records import ClassRecord, Establishment, SubjectRecord, UserRecord
from edt_tui.storage.sql_store import SqlStore, open_store
from edt_tui.storage.url import sqlite_url
from tests.execution import test_worker_processes as processes
from tests.execution.conftest import (
    DEMO,
    DEMO_EXPORT,
    DEMO_KEY,
    DEMO_UAI,
    T0,
    Clock,
    make_env,
    run_until_ended,
)
from tests.execution.test_worker_processes import (
    BOUND,
    HELD_WORKER,
    YEAR,
    Database,
    Process,
    serve_api,
    worker_args,
)
from tests.service.exports_builder import encrypt_export, plain_export

pytestmark = [
    pytest.mark.xdist_group("service-real-server"),
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
]
database = processes.database
started = processes.started
ESTABLISHMENTS = 40
LEASE_SECONDS = 5
HOLD_AT = 1
"""The batch before which a worker holding the demo's job says so and waits: it is killed
there. The demo's plan is cut in two batches (the forty small plans fit in one), so the worker
that takes the job over has one left and never holds."""


async def _reference(home: Path, clock: Clock) -> tuple[EntState, int]:
    """The ENT after the demo's import run in one go in this process, and its number of
    actions."""
    home.mkdir()
    store = open_store(sqlite_url(home / "ent.sqlite3"))
    load_directory(store, DEMO / "ent")
    async for env in make_env(store, clock, DEMO_KEY):
        job_id = (await env.enqueue(await env.upload(DEMO_EXPORT.read_bytes()),
                                    reference_time=T0))["id"]
        await run_until_ended(env.services.worker, job_id)
        job = await env.job(job_id)
        assert job["status"] == "done"
        state = store.ent_state(DEMO_UAI, YEAR)
    return state, int(job["progress"]["total"])


def _uais() -> list[str]:
    return [f"{9_700_000 + n:07d}{'ABCDEFGHJK'[n % 10]}" for n in range(ESTABLISHMENTS)]


def _seed(store: SqlStore, uais: list[str]) -> None:
    """Each establishment: the directory of `plain_export`'s timetable (a teacher, students)."""
    store.upsert_establishments([Establishment(uai, f"Collège {uai}") for uai in uais])
    users = []
    for uai in uais:
        users.append(UserRecord(uai, f"{uai}-t1", Profile.TEACHER, "PROF", "Paul", None,
                                f"{uai}.prof", UserSource.AAF))
        users += [
            UserRecord(uai, f"{uai}-s{i}", Profile.STUDENT, f"ELEVE{i}", f"Prenom{i}",
                       date(2012, 1, i % 9 + 1), None, UserSource.CSV)
            for i in range(1, 4)
        ]
        store.upsert_subjects([SubjectRecord(uai, "MATHEMATIQUES", "MATHS")])
        store.upsert_classes([ClassRecord(uai, "3A")])
    store.upsert_users(users)


class Sampler:
    """A thread reading the queue as the API shows it, over and over, until stopped: what no
    single read can show (two running jobs of one establishment, a position going up)."""

    def __init__(self, store: SqlStore) -> None:
        self.jobs = JobStore(store)
        self.samples = 0
        self.most_queued = 0
        self.problems: list[str] = []
        self.positions: dict[str, list[int]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(BOUND)

    def _run(self) -> None:
        db = self.jobs.store.database
        while not self._stop.is_set():
            with db.snapshot() as conn:
                doubles = conn.execute(
                    """SELECT uai, COUNT(*) FROM import_jobs WHERE status = 'running'
                       GROUP BY uai HAVING COUNT(*) > 1"""
                ).fetchall()
            queued = self.jobs.repository.queued()
            self.samples += 1
            self.most_queued = max(self.most_queued, len(queued))
            if doubles:
                self.problems.append(f"two running jobs: {doubles}")
            positions = [job.queue_position for job in queued]
            if positions != list(range(1, len(queued) + 1)):
                self.problems.append(f"positions {positions}")
            for job in queued:
                seen = self.positions.setdefault(job.id, [])
                assert job.queue_position is not None
                if seen and job.queue_position > seen[-1]:
                    self.problems.append(f"{job.id}: position {seen[-1]} then {job.queue_position}")
                seen.append(job.queue_position)


def _claims(workers: list[Process]) -> list[str]:
    return re.findall(r"job (\w+) of \w+ claimed by", "".join(w.text for w in workers))


async def _wait_all_done(store: SqlStore, ids: set[str]) -> None:
    """Until every job of `ids` is done (bounded); the state is read, the workers not timed."""
    jobs = JobStore(store)
    deadline = asyncio.get_running_loop().time() + BOUND
    while True:
        statuses = {i: jobs.get(i).status.value for i in ids}  # type: ignore[union-attr]
        if set(statuses.values()) == {"done"}:
            return
        assert asyncio.get_running_loop().time() < deadline, statuses
        await asyncio.sleep(0.1)


def _first_line(processes: list[Process], pattern: str) -> Process:
    """The process that writes a line matching `pattern` first (bounded)."""
    found = threading.Event()
    winner: list[Process] = []

    def watch(process: Process) -> None:
        try:
            process.wait_for(pattern)
        except AssertionError:
            return
        winner.append(process)
        found.set()

    for process in processes:
        threading.Thread(target=watch, args=(process,), daemon=True).start()
    assert found.wait(BOUND), f"no line {pattern!r}"
    return winner[0]


@pytest.fixture
def region(
    database: Database, monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[Database, list[str]]]:
    monkeypatch.setenv("EDT_TUI_JOB_LEASE_SECONDS", str(LEASE_SECONDS))
    uais = _uais()
    store = database.open()
    try:
        _seed(store, uais)
    finally:
        store.close()
    yield database, uais


async def test_a_region_runs_each_job_once_and_takes_over_a_killed_workers_job(
    region: tuple[Database, list[str]], started: Callable[[list[str], Path], Process],
    tmp_path: Path, clock: Clock,
) -> None:
    database, uais = region
    reference, demo_total = await _reference(tmp_path / "reference", clock)
    batch = math.ceil(demo_total / 2)
    apis = [serve_api(database, started)[1] for _ in range(2)]
    store = database.open()
    try:
        # 1. Forty first imports queued through both API servers before any worker runs.
        first: set[str] = set()
        for n, uai in enumerate(uais):
            async with apis[n % 2].client() as ent:
                sha = (await ent.upload_export(uai, plain_export(uai))).sha256
                first.add((await ent.enqueue_import(uai, sha, reference_time=T0)).id)
        with Sampler(store) as sampler:
            workers = [
                started([str(HELD_WORKER), str(batch), str(HOLD_AT),
                         *worker_args(database, "--concurrency", "2")], database.home)
                for _ in range(2)
            ]
            await _wait_all_done(store, first)

            # 2. Forty PRONOTE pushes at once, half through each server, to idle workers.
            key = serialization.load_pem_private_key(DEMO_KEY.read_bytes(), None)
            assert isinstance(key, rsa.RSAPrivateKey)

            receiving = [asyncio.Semaphore(2) for _ in apis]  # each server receives 2 at once

            async def push(n: int, uai: str) -> str:
                establishment = store.get_establishment(uai)
                assert establishment is not None
                body = encrypt_export(plain_export(uai, students=3), key.public_key(), uai=uai)
                async with receiving[n % 2], httpx.AsyncClient(
                    base_url=apis[n % 2].url, timeout=BOUND
                ) as http:
                    answer = await http.post(f"/push/{uai}/{establishment.push_secret}",
                                             content=body)
                assert answer.status_code == 202, answer.text
                return str(answer.json()["job_id"])

            pushed = set(await asyncio.gather(*(push(n, u) for n, u in enumerate(uais))))
            await _wait_all_done(store, pushed)
        assert sampler.problems == [], sampler.problems[:5]
        assert sampler.samples > 0 and sampler.most_queued >= 2
        claims = _claims(workers)
        assert sorted(claims) == sorted(first | pushed), "a job claimed twice or never"

        # 3. The demo's import; the worker holding it is killed mid-job, the other ends it.
        async with apis[0].client() as ent:
            sha = (await ent.upload_export(DEMO_UAI, DEMO_EXPORT)).sha256
            demo_job = (await ent.enqueue_import(DEMO_UAI, sha, reference_time=T0)).id
        holder = _first_line(workers, f"held before batch {HOLD_AT}")
        survivor = next(w for w in workers if w is not holder)
        held = JobStore(store).get(demo_job)
        assert held is not None and held.status.value == "running"
        holder.popen.send_signal(signal.SIGKILL)
        assert holder.popen.wait(BOUND) == -signal.SIGKILL
        survivor.wait_for(rf"job {demo_job}: its worker stopped renewing its lease, taken back")
        survivor.wait_for(rf"job {demo_job} of {DEMO_UAI} claimed by \S+:{survivor.popen.pid}:")
        survivor.wait_for(rf"job {demo_job} of {DEMO_UAI} finished")
        final = JobStore(store).get(demo_job)
        assert final is not None and final.status.value == "done"
        assert _claims(workers).count(demo_job) == 2  # the killed worker's, the survivor's
        assert store.ent_state(DEMO_UAI, YEAR) == reference
    finally:
        store.close()
    assert survivor.stop() == 0
