"""The PostgreSQL driver, measured: psycopg 3 (+ psycopg_pool) against SQLAlchemy Core 2 (on the
same psycopg underneath, `postgresql+psycopg`), on what the service does. A script, not a test;
figures and the decision in docs/performance.md and docs/storage.md.

1. bulk write of 80,000 event rows in one transaction (what a batch of `apply_actions` does, in
   bigger): psycopg `executemany` of the store's upsert, psycopg `COPY`, SQLAlchemy
   `execute(insert … on_conflict_do_update, rows)` (its "insertmanyvalues"), SQLAlchemy
   `insert().values(rows)` in batches of 1,000;
2. the claim loop: 2,000 queued jobs claimed one transaction each (`SELECT … FOR UPDATE SKIP
   LOCKED` + `UPDATE`), by 1 and by 4 threads on one pool; every job claimed exactly once;
3. paged reads: 500 pages of 100 events (`ORDER BY key LIMIT 100 OFFSET n`, the first 50 pages
   ten times over: the pages people read), one pooled connection per page, as an API request;
4. LISTEN/NOTIFY round trip (psycopg only: SQLAlchemy has no API for it), and what importing
   each costs.

Each measure is run `--repeat` times on a fresh table, the variants interleaved; the medians of
the wall time and of this process's CPU time (the driver's own work, which the load of a shared
machine barely moves) are printed. It uses its own database on the server (created, then
dropped).

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/bench_storage_drivers.py [--url postgresql://127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from importlib import metadata
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

try:
    import sqlalchemy as sa
    from sqlalchemy.dialects.postgresql import insert as pg_insert
except ImportError:
    raise SystemExit("SQLAlchemy is missing: .venv/bin/pip install -e '.[bench]'") from None

EVENTS, JOBS, PAGES, PAGE, DISTINCT_PAGES = 80_000, 2_000, 500, 100, 50
VALUES_BATCH = 1_000

DDL = (
    """CREATE TABLE events (
        key TEXT PRIMARY KEY, course_key TEXT NOT NULL, start_at TEXT NOT NULL,
        end_at TEXT NOT NULL, start_utc TEXT NOT NULL, title TEXT NOT NULL,
        rooms_json TEXT NOT NULL, teachers_json TEXT NOT NULL, updated_at TEXT NOT NULL)""",
    "CREATE INDEX events_by_course ON events (course_key, start_utc)",
    """CREATE TABLE import_jobs (
        id TEXT PRIMARY KEY, uai TEXT NOT NULL, status TEXT NOT NULL, seq INTEGER NOT NULL,
        worker_id TEXT, started_at TEXT, lease_until TEXT)""",
    "CREATE INDEX import_jobs_by_seq ON import_jobs (status, seq)",
)
COLUMNS = ("key", "course_key", "start_at", "end_at", "start_utc", "title", "rooms_json",
           "teachers_json", "updated_at")
UPSERT = f"""INSERT INTO events ({", ".join(COLUMNS)}) VALUES ({", ".join(["%s"] * 9)})
    ON CONFLICT (key) DO UPDATE SET end_at = excluded.end_at, title = excluded.title,
        rooms_json = excluded.rooms_json, teachers_json = excluded.teachers_json,
        updated_at = excluded.updated_at"""
CANDIDATE = """SELECT id FROM import_jobs WHERE status = 'queued' ORDER BY seq LIMIT 1
    FOR UPDATE SKIP LOCKED"""
TAKE = """UPDATE import_jobs SET status = 'running', worker_id = %s, started_at = %s,
    lease_until = %s WHERE id = %s AND status = 'queued'"""
PAGE_SQL = f"""SELECT {", ".join(COLUMNS)} FROM events ORDER BY key LIMIT %s OFFSET %s"""


def event_rows() -> list[tuple[str, ...]]:
    """80,000 events of 800 courses, shaped like the store's (ISO text, JSON lists)."""
    start = datetime(2026, 9, 1, 8, tzinfo=UTC)
    rows = []
    for i in range(EVENTS):
        course = f"0490856P:2026-2027:MATHEMATIQUES:class:{i % 800:04d}"
        at = start + timedelta(hours=i % 2000)
        rows.append((
            f"{course}:{at.isoformat()}:{i}", course, at.isoformat(),
            (at + timedelta(hours=1)).isoformat(), at.isoformat(), "MATHÉMATIQUES",
            json.dumps(["B204"]), json.dumps(["DUPONT Marie"]), start.isoformat(),
        ))
    return rows


def stamp() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


# -- the two drivers, one function per measured operation ----------------------------------------
def pg_executemany(pool: ConnectionPool, rows: Sequence[tuple[str, ...]]) -> None:
    with pool.connection() as conn, conn.cursor() as cur:
        cur.executemany(UPSERT, rows)


def pg_copy(pool: ConnectionPool, rows: Sequence[tuple[str, ...]]) -> None:
    sql = f"COPY events ({', '.join(COLUMNS)}) FROM STDIN"
    with pool.connection() as conn, conn.cursor() as cur, cur.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def sa_executemany(engine: sa.Engine, table: sa.Table, rows: Sequence[tuple[str, ...]]) -> None:
    stmt = pg_insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=["key"],
        set_={c: stmt.excluded[c] for c in ("end_at", "title", "rooms_json", "teachers_json",
                                            "updated_at")},
    )
    with engine.begin() as conn:
        conn.execute(stmt, [dict(zip(COLUMNS, r, strict=True)) for r in rows])


def sa_values(engine: sa.Engine, table: sa.Table, rows: Sequence[tuple[str, ...]]) -> None:
    with engine.begin() as conn:
        for i in range(0, len(rows), VALUES_BATCH):
            chunk = rows[i:i + VALUES_BATCH]
            conn.execute(table.insert().values([dict(zip(COLUMNS, r, strict=True))
                                                for r in chunk]))


def pg_claim(pool: ConnectionPool, worker: str) -> str | None:
    with pool.connection() as conn:
        row = conn.execute(CANDIDATE).fetchone()
        if row is None:
            return None
        now = stamp()
        taken = conn.execute(TAKE, (worker, now, now, row[0])).rowcount
        assert taken == 1, "SKIP LOCKED handed a job to two workers"
        return str(row[0])


def sa_claim(engine: sa.Engine, jobs: sa.Table, worker: str) -> str | None:
    candidate = (
        sa.select(jobs.c.id).where(jobs.c.status == "queued").order_by(jobs.c.seq).limit(1)
        .with_for_update(skip_locked=True)
    )
    with engine.begin() as conn:
        found = conn.execute(candidate).scalar()
        if found is None:
            return None
        now = stamp()
        taken = conn.execute(
            jobs.update().where(jobs.c.id == found, jobs.c.status == "queued")
            .values(status="running", worker_id=worker, started_at=now, lease_until=now)
        ).rowcount
        assert taken == 1, "SKIP LOCKED handed a job to two workers"
        return str(found)


def pg_pages(pool: ConnectionPool) -> int:
    seen = 0
    for page in range(PAGES):
        with pool.connection() as conn:
            offset = page % DISTINCT_PAGES * PAGE
            seen += len(conn.execute(PAGE_SQL, (PAGE, offset)).fetchall())
    return seen


def sa_pages(engine: sa.Engine, table: sa.Table) -> int:
    seen = 0
    query = sa.select(*(table.c[c] for c in COLUMNS)).order_by(table.c.key)
    for page in range(PAGES):
        with engine.connect() as conn:
            offset = page % DISTINCT_PAGES * PAGE
            seen += len(conn.execute(query.limit(PAGE).offset(offset)).all())
    return seen


# -- harness ---------------------------------------------------------------------------------------
@contextmanager
def scratch_database(admin_url: str) -> Iterator[str]:
    """A database of its own for the run, dropped at the end whatever happens."""
    name = f"edt_tui_bench_{os.getpid()}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def reset(url: str, jobs: int = 0) -> None:
    """Empty tables (and `jobs` queued jobs), vacuumed, outside the timings."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE events, import_jobs")
        if jobs:
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO import_jobs (id, uai, status, seq) VALUES (%s, %s, 'queued', %s)",
                    [(f"job-{i:05d}", f"UAI{i % 300:04d}", i) for i in range(jobs)],
                )
        conn.execute("VACUUM ANALYZE")


def timed(fn: Callable[[], Any]) -> tuple[float, float]:
    """Wall time, and this process's CPU time (the driver's own cost, whatever the load)."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def claim_all(claim: Callable[[str], str | None], threads: int) -> list[str]:
    """Every queued job claimed by `threads` workers; the ids claimed (checked unique)."""
    claimed: list[str] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        while (job := claim(f"bench:{n}")) is not None:
            with lock:
                claimed.append(job)

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(work, range(threads)))
    assert len(claimed) == len(set(claimed)) == JOBS, (len(claimed), len(set(claimed)))
    return claimed


def notify_round_trip(url: str, times: int = 200) -> float:
    """Median time from `NOTIFY` on one connection to its arrival on a listening one."""
    delays = []
    with psycopg.connect(url, autocommit=True) as listener, \
            psycopg.connect(url, autocommit=True) as sender:
        listener.execute("LISTEN import_jobs")
        for i in range(times):
            started = time.perf_counter()
            sender.execute("SELECT pg_notify('import_jobs', %s)", (str(i),))
            got = next(iter(listener.notifies(timeout=5, stop_after=1)))
            delays.append(time.perf_counter() - started)
            assert got.payload == str(i)
    return statistics.median(delays)


def import_seconds(statement: str, repeat: int = 5) -> float:
    code = (f"import time; t = time.perf_counter(); {statement}; "
            "print(time.perf_counter() - t)")
    return statistics.median(
        float(subprocess.check_output([sys.executable, "-c", code], text=True))
        for _ in range(repeat)
    )


def installed_kib(*distributions: str) -> int:
    total = 0
    for name in distributions:
        try:
            files = metadata.files(name) or []
        except metadata.PackageNotFoundError:
            continue
        total += sum(f.locate().stat().st_size for f in files if f.locate().is_file())
    return total // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get(
        "EDT_TUI_BENCH_PG", "postgresql://127.0.0.1:5432/postgres"),
        help="a PostgreSQL URL whose user may CREATE/DROP DATABASE")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # the scratch database is dropped
    rows = event_rows()

    def measure(*variants: tuple[str, Callable[[], None], Callable[[], Any]]) -> None:
        """Each variant `repeat` times, interleaved (a shared machine's load moves), medians."""
        times: dict[str, list[tuple[float, float]]] = {label: [] for label, _, _ in variants}
        for _ in range(args.repeat):
            for label, prepare, run in variants:
                prepare()
                times[label].append(timed(run))
        for label, values in times.items():
            wall = statistics.median(w for w, _ in values) * 1000
            cpu = statistics.median(c for _, c in values) * 1000
            print(f"{label:<58} {wall:9.1f} ms wall {cpu:9.1f} ms CPU", flush=True)

    with scratch_database(args.url) as url:
        with psycopg.connect(url, autocommit=True) as conn:
            for statement in DDL:
                conn.execute(statement)
            server = conn.execute("SHOW server_version").fetchone()
        print(f"PostgreSQL {server[0] if server else '?'}, psycopg {psycopg.__version__}, "
              f"SQLAlchemy {sa.__version__}, Python {sys.version.split()[0]}, "
              f"load {os.getloadavg()[0]:.1f}, median of {args.repeat}")
        pool = ConnectionPool(url, min_size=4, max_size=4, open=True)
        engine = sa.create_engine(
            sa.make_url(url).set(drivername="postgresql+psycopg"), pool_size=4, max_overflow=0
        )
        meta = sa.MetaData()
        events = sa.Table("events", meta, autoload_with=engine)
        jobs = sa.Table("import_jobs", meta, autoload_with=engine)
        try:
            print(f"-- bulk write, {EVENTS:,} event rows, one transaction")
            measure(
                ("psycopg executemany (the store's upsert)", lambda: reset(url),
                 lambda: pg_executemany(pool, rows)),
                ("psycopg COPY (insert only)", lambda: reset(url), lambda: pg_copy(pool, rows)),
                ("SQLAlchemy execute(insert…on_conflict_do_update, rows)", lambda: reset(url),
                 lambda: sa_executemany(engine, events, rows)),
                (f"SQLAlchemy insert().values(), batches of {VALUES_BATCH:,} (insert only)",
                 lambda: reset(url), lambda: sa_values(engine, events, rows)),
            )
            print(f"-- claim loop, {JOBS:,} jobs, FOR UPDATE SKIP LOCKED + UPDATE")
            for threads in (1, 4):
                measure(
                    (f"psycopg, {threads} thread(s)", lambda: reset(url, JOBS),
                     lambda t=threads: claim_all(lambda w: pg_claim(pool, w), t)),
                    (f"SQLAlchemy, {threads} thread(s)", lambda: reset(url, JOBS),
                     lambda t=threads: claim_all(lambda w: sa_claim(engine, jobs, w), t)),
                )
            print(f"-- paged reads, {PAGES} pages of {PAGE} rows, a pooled connection each")
            reset(url)
            pg_copy(pool, rows)
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE events")
            measure(
                ("psycopg", lambda: None, lambda: pg_pages(pool)),
                ("SQLAlchemy", lambda: None, lambda: sa_pages(engine, events)),
            )
            print("-- other")
            print(f"{'LISTEN/NOTIFY round trip, psycopg (median of 200)':<58} "
                  f"{notify_round_trip(url) * 1000:9.2f} ms")
        finally:
            pool.close()
            engine.dispose()
    pg_import = import_seconds("import psycopg, psycopg_pool")
    sa_import = import_seconds(
        "import psycopg, sqlalchemy; from sqlalchemy.dialects.postgresql import psycopg"
    )
    print(f"{'import psycopg + psycopg_pool':<58} {pg_import * 1000:9.1f} ms")
    print(f"{'import SQLAlchemy + its psycopg dialect':<58} {sa_import * 1000:9.1f} ms")
    print(f"installed: psycopg + psycopg_pool + psycopg-binary "
          f"{installed_kib('psycopg', 'psycopg-pool', 'psycopg-binary'):,} KiB; "
          f"SQLAlchemy (+ greenlet) {installed_kib('SQLAlchemy', 'greenlet'):,} KiB more")


if __name__ == "__main__":
    main()
