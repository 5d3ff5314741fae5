"""`edt-tui worker`: import workers without HTTP (edt_tui/service/workers.py)."""

from __future__ import annotations

import argparse

from edt_tui.commands.connection import add_database_option
from edt_tui.commands.serve import add_key_options, service_settings
from edt_tui.errors import BadInputError

MAX_CONCURRENCY = 8
"""Workers in one process. Beyond it a process gains nothing: its PostgreSQL pool holds 8
connections (`storage.postgres.POOL_MAX`; a batch holds one for its transaction), the GIL runs
one thread's Python at a time and SQLite has one writer. More processes (and hosts) scale."""


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "worker",
        help="run import workers without HTTP (beside `serve --no-worker`)",
        description=(
            "Run the import queue's workers on the service's database, without HTTP: each "
            "claims a queued job, plans it, applies its actions batch by batch and records the "
            "recap. Combine K `edt-tui serve --no-worker` (the API) with M `edt-tui worker` on "
            "one database, on any hosts: no two workers ever run the same job, and a job whose "
            "worker died is taken back by another once its lease ends. --concurrency N runs N "
            "workers as threads of this process (their time goes to the database); for more "
            "CPU, start more processes. SIGINT or SIGTERM stops gracefully: the batch in "
            "progress commits or rolls back, the running job goes back to the queue, exit 0 "
            "(a second signal exits at once). Logs claims, batches, finishes and takeovers on "
            "stderr."
        ),
    )
    parser.add_argument(
        "--concurrency", type=int, default=1, metavar="N",
        help=f"workers in this process (default 1, at most {MAX_CONCURRENCY}; on SQLite their "
             "batches share the file's one write lock)",
    )
    add_database_option(parser)
    add_key_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from edt_tui.assembly import open_database
    from edt_tui.service.workers import run_workers

    if not 1 <= args.concurrency <= MAX_CONCURRENCY:
        raise BadInputError(
            f"--concurrency {args.concurrency}: between 1 and {MAX_CONCURRENCY}",
            hint="for more, start more `edt-tui worker` processes",
        )
    settings = service_settings(args, "encrypted exports cannot be planned")
    store, where = open_database(args.database_url)
    return run_workers(store, settings, concurrency=args.concurrency, where=where)
