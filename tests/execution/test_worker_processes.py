"""`edt-tui serve --no-worker` and `edt-tui worker` as real processes on one database.

What the tests wait for is always observable: a line a process writes on stderr (bounded), then
the job's state read once through the API; the worker is held mid-job by `held_worker.py` until
the signal arrives, so the signal never races the worker. The backend is the `database`
fixture's parameter.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from edt_tui.cli import main
from edt_tui.client import EntClient
from edt_tui.client.errors import NotFoundError
from edt_tui.engine.model import EntState
from edt_tui.engine.selection import Selection
from edt_tui.service.auth import issue_token
from edt_tui.service.csv_loader import load_directory
from edt_tui.service.jobs import JobStore
from edt_tui.service.records import Establishment, TokenRole
from edt_tui.service.vocabulary import JobStatus
from edt_tui.storage.sql_store import SqlStore, open_store
from edt_tui.storage.url import sqlite_url
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

pytestmark = pytest.mark.xdist_group("service-real-server")
YEAR = "2026-2027"
BOUND = 60.0
"""The longest any awaited line or state may take (a loaded 2-core machine)."""
BATCH, HOLD_AT = 100, 3
HELD_WORKER = Path(__file__).with_name("held_worker.py")


@dataclass
class Database:
    """One service database: how processes are pointed at it, and how the test reads it."""

    home: Path
    """EDT_TUI_HOME of every process (config.toml; nothing else when the URL is PostgreSQL)."""
    url: str
    """`--database-url` of every process."""

    def open(self) -> SqlStore:
        return open_store(self.url)


@pytest.fixture
def database(database_url: str, tmp_path: Path) -> Iterator[Database]:
    """A fresh service database on each backend (`database_url`), holding the demo
    establishment's directory."""
    home = tmp_path / "service-home"
    home.mkdir()
    database = Database(home, database_url)
    store = database.open()
    try:
        load_directory(store, DEMO / "ent")
    finally:
        store.close()
    yield database


class Process:
    """An `edt-tui` process whose stderr lines are kept, to wait for one (bounded)."""

    def __init__(self, args: list[str], home: Path) -> None:
        env = {**os.environ, "EDT_TUI_HOME": str(home)}
        self.popen = subprocess.Popen(
            [sys.executable, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self._seen = threading.Condition()
        self._drainer = threading.Thread(target=self._drain, daemon=True)
        self._drainer.start()

    def _drain(self) -> None:
        assert self.popen.stderr is not None
        for line in self.popen.stderr:
            with self._seen:
                self.lines.append(line)
                self._seen.notify_all()

    def wait_for(self, pattern: str) -> re.Match[str]:
        """The first line matching `pattern`, waiting for it at most `BOUND` seconds."""
        deadline = time.monotonic() + BOUND
        with self._seen:
            while True:
                for line in self.lines:
                    if found := re.search(pattern, line):
                        return found
                left = deadline - time.monotonic()
                over = not self._drainer.is_alive()
                assert left > 0 and not over, f"no line {pattern!r} in:\n{self.text}"
                self._seen.wait(min(left, 1.0))  # the end of the output wakes no one

    @property
    def text(self) -> str:
        return "".join(self.lines)

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> int:
        """Send `sig`, wait (bounded) for the exit and the end of its output; its status."""
        self.popen.send_signal(sig)
        status = self.popen.wait(BOUND)
        self._drainer.join(BOUND)
        return status

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(BOUND)


def edt_tui(*args: str) -> list[str]:
    return ["-m", "edt_tui", *args]


def worker_args(database: Database, *more: str) -> list[str]:
    return ["worker", "--database-url", database.url, "--key", str(DEMO_KEY), *more]


@pytest.fixture
def started() -> Iterator[Callable[[list[str], Path], Process]]:
    """Start processes; any still running at the end of the test is killed."""
    processes: list[Process] = []

    def start(args: list[str], home: Path) -> Process:
        processes.append(Process(args, home))
        return processes[-1]

    yield start
    for process in processes:
        process.kill()


@dataclass
class Api:
    url: str
    token: str

    def client(self) -> EntClient:
        return EntClient.remote(self.url, self.token)


def serve_api(
    database: Database, start: Callable[[list[str], Path], Process], *, worker: bool = False,
    held: bool = False,
) -> tuple[Process, Api]:
    """`edt-tui serve` on `database` (`--no-worker` unless `worker`; its worker held mid-job
    with `held`) and a platform token for it."""
    store = database.open()
    try:
        token = issue_token(store, TokenRole.PLATFORM, None, label="test")
    finally:
        store.close()
    serve = [
        "serve", *(() if worker else ("--no-worker",)), "--database-url", database.url,
        "--host", "127.0.0.1", "--port", "0", "--key", str(DEMO_KEY),
    ]
    command = [str(HELD_WORKER), str(BATCH), str(HOLD_AT), *serve] if held else edt_tui(*serve)
    server = start(command, database.home)
    url = server.wait_for(r"serving on (http://127\.0\.0\.1:\d+)").group(1)
    return server, Api(url, token)


async def enqueue_demo(ent: EntClient) -> str:
    sha = (await ent.upload_export(DEMO_UAI, DEMO_EXPORT)).sha256
    return (await ent.enqueue_import(DEMO_UAI, sha, reference_time=T0)).id


async def test_the_worker_process_runs_a_job_pushed_through_an_api_without_worker(
    database: Database, started: Callable[[list[str], Path], Process],
) -> None:
    server, api = serve_api(database, started)
    async with api.client() as ent:
        job_id = await enqueue_demo(ent)
        queued = await ent.get_job(DEMO_UAI, job_id)
        health = await ent.health()
        assert queued.status == "queued" and (health.queued, health.running) == (1, 0)

        worker = started(edt_tui(*worker_args(database, "--concurrency", "2")), database.home)
        # The worker process runs it (not the API server): it logs the claim and the end.
        worker.wait_for(rf"job {job_id} of {DEMO_UAI} claimed by \S+:{worker.popen.pid}:")
        worker.wait_for(rf"job {job_id} of {DEMO_UAI} finished")
        final = await ent.get_job(DEMO_UAI, job_id)
        assert final.status == "done" and final.errors == 0
        assert final.progress and final.pending == 0
        assert final.tasks_done == final.progress.total > 0
        health = await ent.health()
        assert (health.queued, health.running) == (0, 0)

    assert worker.stop(signal.SIGINT) == 0
    assert worker.wait_for(
        r"worker stopped on SIGINT: 1 job\(s\) finished, none running"
    )
    assert server.stop() == 0
    assert server.wait_for(r"^edt-tui: stopped on SIGTERM$")  # no worker, nothing to report


async def test_worker_processes_never_run_the_same_job(
    database: Database, started: Callable[[list[str], Path], Process],
) -> None:
    server, api = serve_api(database, started)
    workers = [
        started(edt_tui(*worker_args(database, "--concurrency", "2")), database.home)
        for _ in range(2)
    ]
    for worker in workers:
        worker.wait_for(r"2 import worker\(s\) running")
    async with api.client() as ent:
        sha = (await ent.upload_export(DEMO_UAI, DEMO_EXPORT)).sha256
        ids = [(await ent.enqueue_import(DEMO_UAI, sha, reference_time=T0)).id for _ in range(3)]
        # Four workers in two processes, three jobs of one establishment: one at a time.
        deadline = time.monotonic() + BOUND
        while (statuses := {j.id: j.status for j in (await ent.history(DEMO_UAI)).items}) != {
            job_id: "done" for job_id in ids
        }:
            assert time.monotonic() < deadline, statuses
            await asyncio.sleep(0.05)
        health = await ent.health()
        assert (health.queued, health.running) == (0, 0)
    for worker in workers:
        assert worker.stop() == 0
    assert server.stop() == 0
    logs = "".join(w.text for w in workers)
    for job_id in ids:
        assert len(re.findall(rf"job {job_id} of {DEMO_UAI} claimed by", logs)) == 1, logs
        assert len(re.findall(rf"job {job_id} of {DEMO_UAI} finished", logs)) == 1, logs


async def test_sigterm_mid_job_puts_it_back_and_another_worker_ends_it_as_if_never_stopped(
    database: Database, started: Callable[[list[str], Path], Process], tmp_path: Path,
    clock: Clock,
) -> None:
    reference = await uninterrupted_run(tmp_path / "reference", clock)
    server, api = serve_api(database, started)
    held = started(
        [str(HELD_WORKER), str(BATCH), str(HOLD_AT), *worker_args(database)], database.home
    )
    async with api.client() as ent:
        job_id = await enqueue_demo(ent)
        held.wait_for(f"held before batch {HOLD_AT}")
        running = await ent.get_job(DEMO_UAI, job_id)
        assert running.status == "running"
        assert running.progress and running.progress.done == HOLD_AT * BATCH

        assert held.stop(signal.SIGTERM) == 0
        line = held.wait_for(r"worker stopped on SIGTERM: (.*)").group(1)
        assert line == f"0 job(s) finished, 1 put back in the queue ({job_id})"
        # Released by the worker itself (a lease running out would say "Repris…" later).
        back = await ent.get_job(DEMO_UAI, job_id)
        assert back.status == "queued" and back.queue_position == 1 and back.reason is None
        # The batch in progress when the signal came committed whole, no other began.
        assert back.progress and back.progress.done == (HOLD_AT + 1) * BATCH
        health = await ent.health()
        assert (health.queued, health.running) == (1, 0)

        worker = started(edt_tui(*worker_args(database)), database.home)
        worker.wait_for(rf"job {job_id} of {DEMO_UAI} finished")
        final = await ent.get_job(DEMO_UAI, job_id)
        assert final.status == "done" and final.errors == 0 and final.pending == 0
        assert final.progress and final.tasks_done == final.progress.total
    assert worker.stop() == 0
    assert server.stop() == 0

    store = database.open()
    try:
        assert store.ent_state(DEMO_UAI, YEAR) == reference
    finally:
        store.close()


async def uninterrupted_run(home: Path, clock: Clock) -> EntState:
    """The ENT after the same import run in one go, in this process."""
    home.mkdir()
    store = open_store(sqlite_url(home / "ent.sqlite3"))
    load_directory(store, DEMO / "ent")
    async for env in make_env(store, clock, DEMO_KEY):
        job_id = (await env.enqueue(await env.upload(DEMO_EXPORT.read_bytes()),
                                    reference_time=T0))["id"]
        await run_until_ended(env.services.worker, job_id)
        assert (await env.job(job_id))["status"] == "done"
        state = store.ent_state(DEMO_UAI, YEAR)
    assert state.events and state.memberships
    return state


async def test_serve_with_its_worker_stops_mid_job_on_sigint_and_puts_the_job_back(
    database: Database, started: Callable[[list[str], Path], Process],
) -> None:
    server, api = serve_api(database, started, worker=True, held=True)
    async with api.client() as ent:
        job_id = await enqueue_demo(ent)
        server.wait_for(f"held before batch {HOLD_AT}")
        running = await ent.get_job(DEMO_UAI, job_id)
        assert running.status == "running"
        assert running.progress and running.progress.done == HOLD_AT * BATCH
    assert server.stop(signal.SIGINT) == 0
    line = server.wait_for(r"edt-tui: stopped on SIGINT: (.*)").group(1)
    assert line == f"0 job(s) finished, 1 put back in the queue ({job_id})"
    store = database.open()
    try:
        job = JobStore(store).get(job_id)
        recap, pending = JobStore(store).recap(job_id)
    finally:
        store.close()
    assert job is not None and job.status is JobStatus.QUEUED and job.reason is None
    # The batch in progress when the signal came committed whole, no other began.
    assert sum(v["success"] for v in recap.values()) == (HOLD_AT + 1) * BATCH
    assert pending == job.total - (HOLD_AT + 1) * BATCH > 0


@pytest.mark.parametrize("concurrency", ["0", "9"])
def test_worker_refuses_a_concurrency_out_of_bounds(
    concurrency: str, capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["worker", "--concurrency", concurrency]) == 2
    err = capsys.readouterr().err
    assert f"--concurrency {concurrency}: between 1 and 8" in err
    assert "start more `edt-tui worker` processes" in err


STEPS = ("subjects", "classes", "groups", "courses", "teachers", "students", "ignored_sessions")
OTHER_UAI = "0490001A"


async def every_step(ent: EntClient, uai: str, plan_id: str) -> dict[str, list[dict]]:
    """Every item of every step of a plan, paged as the wizard pages them."""
    steps: dict[str, list[dict]] = {}
    for step in STEPS:
        steps[step], offset = [], 0
        while offset is not None:
            page = await ent.call(
                "GET", f"/api/v1/establishments/{uai}/plans/{plan_id}/{step}",
                params={"offset": offset, "limit": 500},
            )
            steps[step] += page["items"]
            offset = page["next"]
    return steps


async def test_a_plan_made_on_one_api_server_is_paged_on_another(
    database: Database, started: Callable[[list[str], Path], Process],
) -> None:
    """Two `serve --no-worker` behind no sticky load balancer: B never computed A's plan, and
    answers its steps and courses alike (it plans the stored request again); another
    establishment does not find that plan id on B."""
    store = database.open()
    try:
        store.upsert_establishments([Establishment(OTHER_UAI, "Collège Autre")])
        other_token = issue_token(store, TokenRole.ADMIN, OTHER_UAI, label="other")
    finally:
        store.close()
    server_a, api_a = serve_api(database, started)
    server_b, api_b = serve_api(database, started)
    async with api_a.client() as a, api_b.client() as b, EntClient.remote(
        api_b.url, other_token
    ) as other:
        sha = (await a.upload_export(DEMO_UAI, DEMO_EXPORT)).sha256
        first = await a.create_plan(DEMO_UAI, sha, reference_time=T0)
        assert first.plan_id is not None
        course = (await a.plan_page(DEMO_UAI, first.plan_id, "courses")).items[0].key
        # A selection of the wizard's, and a T in the establishment's local time (no offset).
        selection = Selection.default().with_course(course, False).to_dict()
        made = await a.create_plan(
            DEMO_UAI, sha, selection, reference_time="2026-11-28T08:00:00",
            add_unknown_subjects=True,
        )
        plan_id = made.plan_id
        assert plan_id is not None

        on_b = await every_step(b, DEMO_UAI, plan_id)
        detail_b = await b.plan_course(DEMO_UAI, plan_id, course)
        on_a = await every_step(a, DEMO_UAI, plan_id)
        assert on_b == on_a and len(on_a["students"]) > 100
        assert detail_b == await a.plan_course(DEMO_UAI, plan_id, course)
        assert [c["selected"] for c in on_b["courses"] if c["key"] == course] == [False]
        again = await b.create_plan(
            DEMO_UAI, sha, selection, reference_time="2026-11-28T08:00:00",
            add_unknown_subjects=True,
        )
        assert again == made  # the same id and summary (T read as A read it)

        for ent, uai in ((other, OTHER_UAI), (b, OTHER_UAI)):
            for path in (f"{plan_id}/subjects", f"{plan_id}/courses/{course}"):
                with pytest.raises(NotFoundError, match=f"plan {plan_id}"):
                    await ent.call("GET", f"/api/v1/establishments/{uai}/plans/{path}")
        with pytest.raises(NotFoundError, match="plan 0123456789abcdef01234567"):
            await b.plan_page(DEMO_UAI, "0123456789abcdef01234567", "subjects")
    assert server_a.stop() == 0 and server_b.stop() == 0
