"""Benchmark of a region: K establishments imported through one API server and M workers.

K generated establishments (collèges and lycées in turn, distinct UAIs, one partner key), their
ENT directories loaded, then, through a real `edt-tui serve --no-worker` on 127.0.0.1 and M
`edt-tui worker` processes on the same database:

1. a wave of K first imports (upload the export, `POST …/jobs`, every job queued at once);
2. a wave of K pushes (`POST /push/{uai}/{secret}`, 1 session in 20 moved to another room).

Per wave: imports per minute (K over the time from the first request to the last job finished)
and the p95 wait in the queue (`started_at − created_at` of each job). Configurations: SQLite
(a temporary file) with one worker, PostgreSQL (a database of its own, created and dropped) with
1, 2 and 4 workers. Goal: 2 PostgreSQL workers push ≥ 1.6× what one does.

    .venv/bin/python bench/bench_region.py [--k 6] [--college 600] [--lycee 1200]
        [--server postgresql://postgres@127.0.0.1:5432/postgres] [--workers 1,2,4]
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
from bench_execution import change_rooms  # bench/ is the script's path
from psycopg import sql

from edt_tui.pronote.generator import generate_establishment, write_establishment
from edt_tui.service.auth import issue_token
from edt_tui.service.csv_loader import load_directory
from edt_tui.service.records import TokenRole
from edt_tui.storage.sql_store import open_store
from edt_tui.storage.url import sqlite_url

UAI_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def uai(number: int) -> str:
    """A valid UAI (7 digits, then the check letter of their value modulo 23)."""
    digits = f"{number:07d}"
    return digits + UAI_LETTERS[int(digits) % 23]


@dataclass
class School:
    uai: str
    folder: Path
    export: Path
    pushed: bytes
    secret: str = ""


def generate(root: Path, k: int, college: int, lycee: int) -> tuple[list[School], Path]:
    """K establishments, a collège then a lycée in turn, encrypted for one partner key."""
    schools: list[School] = []
    public: bytes | None = None
    key = root / "key.pem"
    for i in range(k):
        generated = generate_establishment(
            students=college if i % 2 == 0 else lycee, seed=i + 1, year=2026,
            uai=uai(490856 + i), public_key=public,
        )
        folder = root / generated.uai
        write_establishment(generated, folder)
        for csv in (folder / "ent").glob("*.csv"):  # sync ids are unique across a region
            text = csv.read_text(encoding="utf-8")
            csv.write_text(re.sub(r"\b(aaf|csv|manual)-", rf"\g<1>{i}-", text), encoding="utf-8")
        if public is None:
            assert generated.private_key_pem and generated.public_key_pem
            key.write_bytes(generated.private_key_pem)
            public = generated.public_key_pem
        plain = (folder / generated.plain_name).read_bytes()
        schools.append(School(generated.uai, folder, folder / generated.export_name,
                              change_rooms(plain, 20)))
    return schools, key


def prepare(url: str, schools: list[School]) -> str:
    """Directories loaded, push secrets read; a platform token for the API."""
    store = open_store(url)
    try:
        for school in schools:
            load_directory(store, school.folder / "ent")
            found = store.get_establishment(school.uai)
            assert found is not None
            school.secret = found.push_secret
        return issue_token(store, TokenRole.PLATFORM, None, label="bench")
    finally:
        store.close()


def start(args: list[str], env: dict[str, str], log: list[str]) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "edt_tui", *args], env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True,
    )
    threading.Thread(target=lambda: log.extend(process.stderr or ()), daemon=True).start()
    return process


def serve(env: dict[str, str], url: str, key: Path, log: list[str]) -> tuple[
    subprocess.Popen[str], str
]:
    process = start(["serve", "--no-worker", "--port", "0", "--key", str(key),
                     "--database-url", url], env, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for line in list(log):
            found = re.search(r"serving on (http://\S+)", line)
            if found:
                return process, found.group(1)
        time.sleep(0.1)
    process.kill()
    raise SystemExit("edt-tui serve did not start:\n" + "".join(log))


def wait_done(client: httpx.Client, jobs: list[tuple[str, str]]) -> list[dict]:
    """Every job's final JSON (polled once a second)."""
    finished: dict[str, dict] = {}
    deadline = time.monotonic() + 1800
    while len(finished) < len(jobs):
        if time.monotonic() > deadline:
            raise SystemExit("jobs still not finished after 30 minutes")
        time.sleep(1)
        for school_uai, job_id in jobs:
            if job_id in finished:
                continue
            job = client.get(f"/api/v1/establishments/{school_uai}/jobs/{job_id}").json()
            if job["status"] not in ("queued", "running"):
                finished[job_id] = job
    return list(finished.values())


def figures(label: str, began: float, jobs: list[dict]) -> tuple[float, float]:
    """Imports per minute and the p95 wait in the queue, printed."""
    def at(text: str) -> float:
        return datetime.fromisoformat(text).timestamp()

    last = max(at(j["finished_at"]) for j in jobs)
    waits = sorted(at(j["started_at"]) - at(j["created_at"]) for j in jobs)
    p95 = waits[min(len(waits) - 1, round(0.95 * (len(waits) - 1)))]
    rate = len(jobs) / (last - began) * 60
    statuses = sorted({j["status"] for j in jobs})
    print(f"  {label:15} {rate:6.1f} imports/min, queue wait p95 {p95:6.1f} s, "
          f"median {statistics.median(waits):5.1f} s, {last - began:6.1f} s wall, "
          f"status {', '.join(statuses)}")
    return rate, p95


def run(name: str, url: str, workers: int, schools: list[School], key: Path,
        home: Path) -> dict[str, tuple[float, float]]:
    token = prepare(url, schools)
    env = {**os.environ, "EDT_TUI_HOME": str(home)}
    log: list[str] = []
    server, base = serve(env, url, key, log)
    pool = [start(["worker", "--key", str(key), "--database-url", url], env, log)
            for _ in range(workers)]
    results = {}
    try:
        with httpx.Client(base_url=base, timeout=300,
                          headers={"Authorization": f"Bearer {token}"}) as client:
            print(f"{name}, {workers} worker(s):")
            began = time.time()
            jobs = []
            for school in schools:
                path = f"/api/v1/establishments/{school.uai}"
                export = client.post(f"{path}/exports", content=school.export.read_bytes(),
                                     params={"file_name": school.export.name})
                export.raise_for_status()
                job = client.post(f"{path}/jobs", json={
                    "export_sha256": export.json()["sha256"], "selection": {"format": 1},
                })
                job.raise_for_status()
                jobs.append((school.uai, job.json()["id"]))
            results["first import"] = figures("first imports", began, wait_done(client, jobs))
            began = time.time()
            jobs = []
            for school in schools:
                pushed = client.post(f"/push/{school.uai}/{school.secret}",
                                     content=school.pushed)
                pushed.raise_for_status()
                jobs.append((school.uai, pushed.json()["job_id"]))
            results["push"] = figures("pushes", began, wait_done(client, jobs))
    finally:
        for process in (server, *pool):
            process.send_signal(signal.SIGTERM)
        for process in (server, *pool):
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
    return results


def with_database(server: str, name: str) -> str:
    return urlunsplit(urlsplit(server)._replace(path=f"/{name}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=6, help="establishments")
    parser.add_argument("--college", type=int, default=600, help="students of a collège")
    parser.add_argument("--lycee", type=int, default=1200, help="students of a lycée")
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="a PostgreSQL server's maintenance database (scratch ones made)")
    parser.add_argument("--workers", default="1,2,4", help="PostgreSQL worker counts")
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()}")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        schools, key = generate(root / "schools", args.k, args.college, args.lycee)
        home = root / "sqlite"
        results["sqlite 1"] = run("SQLite", sqlite_url(home / "ent.sqlite3"), 1, schools, key,
                                  home)
        for count in (int(w) for w in args.workers.split(",")):
            name = f"edt_tui_bench_region_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(args.server, autocommit=True) as admin:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            try:
                home = root / name
                results[f"postgresql {count}"] = run(
                    "PostgreSQL", with_database(args.server, name), count, schools, key, home
                )
            finally:
                with psycopg.connect(args.server, autocommit=True) as admin:
                    admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(name)))
    print(f"load average at end: {os.getloadavg()}")
    one, two = results.get("postgresql 1"), results.get("postgresql 2")
    if one and two:
        ratio = two["push"][0] / one["push"][0]
        print(f"push throughput, 2 PostgreSQL workers / 1: {ratio:.2f}× (goal ≥ 1.6×)")


if __name__ == "__main__":
    main()
