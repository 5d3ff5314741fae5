"""`edt-tui import EXPORT --uai UAI [--wait]`: a manual import through the service's queue.

Registered as `import` (a Python keyword, hence the module name). The options shared with `plan`
(export reading, T, the two default-selection flags) are defined here.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from edt_tui.commands.connection import add_connection_options
from edt_tui.errors import BadInputError, EdtTuiError

if TYPE_CHECKING:
    from edt_tui.client.client import EntClient
    from edt_tui.client.imports import ImportJob

POLL_SECONDS = 0.5


def add_plan_options(parser: argparse.ArgumentParser) -> None:
    """`--uai`, `--key`, `--partner`, `--at` and the default-selection flags (contract)."""
    parser.add_argument("--uai", required=True, help="establishment (UAI) of the export")
    parser.add_argument(
        "--key", metavar="KEY.pem", help="ENT partner private key (embedded service; $EDT_TUI_KEY)"
    )
    parser.add_argument("--partner", help="ENT partner name in exports (default ITSLEARNING)")
    parser.add_argument(
        "--at", metavar="ISO8601",
        help="reference time T (default now; without offset: the establishment's local time)",
    )
    parser.add_argument(
        "--add-unknown-subjects", action="store_true",
        help="add the subjects the ENT does not know to its referential (else ignored)",
    )
    parser.add_argument(
        "--activate-unmatched-classes", action="store_true",
        help="activate the classes the ENT does not know (else ignored)",
    )
    add_connection_options(parser)


def checked_at(value: str | None) -> str | None:
    """`--at` as ISO 8601, refused (exit 2) when unreadable."""
    if value is None:
        return None
    from edt_tui.pronote.errors import excerpt
    from edt_tui.pronote.limits import check_reference_year

    hint = "e.g. 2026-11-28T08:00:00+01:00"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadInputError(
            f"--at {excerpt(value)}: not an ISO 8601 date-time", hint=hint
        ) from None
    refused = check_reference_year(moment.year, f"--at {value}")
    if refused is not None:
        raise BadInputError(refused, hint=hint)
    return moment.isoformat()


def checked_export(path: Path) -> Path:
    """The export path, refused (exit 2) unless a regular file: missing, directory, FIFO…"""
    from edt_tui.pronote.source import check_regular_file

    check_regular_file(path)
    return path


def client_for(args: argparse.Namespace, *, worker: bool) -> EntClient:
    from edt_tui.client.factory import client_from_args

    return client_from_args(args, private_key=args.key, partner=args.partner, worker=worker)


def embedded(args: argparse.Namespace) -> bool:
    return not getattr(args, "ent", None)


def known_establishment(exc: EdtTuiError, uai: str) -> EdtTuiError:
    """A 404 on the establishment is bad input (exit 2): say which UAI."""
    from edt_tui.client.errors import NotFoundError

    if isinstance(exc, NotFoundError) and f"establishment {uai}" in str(exc):
        return BadInputError(
            f"unknown establishment {uai}",
            hint="load it with `edt-tui ent load DIR`, or check --uai",
        )
    return exc


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "import",
        help="queue a manual import of an export (and follow it with --wait)",
        description=(
            "Upload EXPORT, save the selection (default, or a TUI session's with --session) and "
            "queue a manual import; print the job id and its queue position. With --wait, follow "
            "it to the end (progress on stderr) and print the recap. In embedded mode the import "
            "runs inside edt-tui processes: without --wait it continues the next time edt-tui "
            "runs (TUI, serve, or `import --resume JOB --wait`)."
        ),
    )
    parser.add_argument("export", metavar="EXPORT", type=Path, nargs="?", help="the export file")
    add_plan_options(parser)
    parser.add_argument("--session", metavar="ID", help="use the selection of this TUI session")
    parser.add_argument("--wait", action="store_true", help="follow the job to its end")
    parser.add_argument(
        "--allow-mass-deletion", action="store_true",
        help="import even if it deletes more than the establishment's max_deletion_percent of "
        "its memberships or future events (else exit 2 with the counts)",
    )
    parser.add_argument(
        "--resume", metavar="JOB",
        help=(
            "resume an interrupted job (or one stopped by a full disk) instead of queueing "
            "EXPORT; a queued or running job is followed, a done one recapped"
        ),
    )
    parser.set_defaults(handler=run)


def session_selection(session_id: str, uai: str) -> dict[str, Any]:
    from edt_tui.session.store import SessionStore

    session = SessionStore().get(session_id)
    if session.uai.upper() != uai:
        raise BadInputError(
            f"session {session_id} is for establishment {session.uai}, not {uai}",
            hint="pass the session's --uai",
        )
    return dict(session.selection)


def run(args: argparse.Namespace) -> int:
    uai = args.uai.strip().upper()
    if args.resume is None and args.export is None:
        raise BadInputError("give EXPORT (or --resume JOB)")
    if args.resume is not None and args.export is not None:
        raise BadInputError("give EXPORT or --resume JOB, not both")
    at = checked_at(args.at)
    export = checked_export(args.export) if args.export is not None else None
    selection = session_selection(args.session, uai) if args.session else None

    async def go() -> int:
        async with client_for(args, worker=args.wait) as ent:
            try:
                if export is None:
                    job = await resumed(ent, uai, args.resume)
                else:
                    summary = await ent.upload_export(uai, export)
                    job = await ent.enqueue_import(
                        uai, summary.sha256, selection, reference_time=at,
                        add_unknown_subjects=args.add_unknown_subjects,
                        activate_unmatched_classes=args.activate_unmatched_classes,
                        allow_mass_deletion=args.allow_mass_deletion,
                    )
            except EdtTuiError as exc:
                raise known_establishment(exc, uai) from None
            print(f"job {job.id} {job_state(job)}")
            if not args.wait:
                if embedded(args):
                    print(
                        "edt-tui: embedded mode: the job waits in the queue until an edt-tui "
                        "process runs the worker (the TUI, `edt-tui serve`, `edt-tui worker`, or "
                        f"`edt-tui import --uai {uai} --resume {job.id} --wait`)",
                        file=sys.stderr,
                    )
                return 0
            final = await follow(ent, uai, job.id)
            print_recap(final)
            if final.status == "done":
                return 0
            return 2 if final.reason_code == "mass_deletion" else 1

    return asyncio.run(go())


async def resumed(ent: EntClient, uai: str, job_id: str) -> ImportJob:
    """`--resume JOB`, whatever state the job is in now: an interrupted one (or one stopped by
    a full disk) goes back to the queue; a queued, running or done one is returned as it is (to
    follow, or to recap); a job that failed for good, was refused or cancelled is bad input."""
    from edt_tui.client.errors import ConflictError
    from edt_tui.commands._wording import reason_text, status_text

    job = await ent.get_job(uai, job_id)
    if job.resumable:
        try:
            job = await ent.resume_job(uai, job.id)
        except ConflictError:  # a worker's own recovery put it back in the queue meanwhile
            job = await ent.get_job(uai, job.id)
    if job.status in ("error", "refused"):
        why = f": {reason_text(job.model_dump())}" if job.reason else ""
        raise BadInputError(
            f"job {job.id} ended {status_text(job.status, job.status_label)}{why}; "
            "it cannot be resumed",
            hint=f"queue the export again: edt-tui import EXPORT --uai {uai}",
        )
    return job


async def follow(ent: EntClient, uai: str, job_id: str) -> ImportJob:
    """Poll the job to a final state, drawing progress on stderr (a bar on a terminal)."""
    tty = sys.stderr.isatty()
    last_line, last_time = "", 0.0
    while True:
        job = await ent.get_job(uai, job_id)
        if job.finished:
            if tty:
                print(file=sys.stderr)
            return job
        line = progress_line(job, width=30 if tty else 0)
        now = time.monotonic()
        if tty:
            print(f"\r{line}", end="", file=sys.stderr, flush=True)
        elif line != last_line and now - last_time >= 2.0:
            print(line, file=sys.stderr, flush=True)
            last_line, last_time = line, now
        await asyncio.sleep(POLL_SECONDS)


def job_state(job: ImportJob) -> str:
    """`queued (En attente) — position 2 in the queue`, `done (Fait)`…"""
    from edt_tui.commands._wording import status_text

    state = status_text(job.status, job.status_label)
    if job.queue_position is not None:
        state += f" — position {job.queue_position} in the queue"
    return state


def progress_line(job: ImportJob, *, width: int) -> str:
    if job.status == "queued":
        return job_state(job)
    progress = job.progress
    if not progress:
        return f"{job_state(job)}: planning the actions…"
    done, total = progress.done, progress.total
    ratio = done / total if total else 1.0
    bar = f"[{'#' * round(ratio * width)}{'.' * (width - round(ratio * width))}] " if width else ""
    return f"{job_state(job)}: {bar}{ratio:4.0%} {done}/{total} actions"


def print_recap(job: ImportJob) -> None:
    """§3.12: status, tasks done, successes and errors per action type."""
    from edt_tui.commands._wording import ACTION_NAMES, reason_text
    from edt_tui.engine.model import ActionType

    print(f"Status: {job_state(job)}")
    if job.reason:
        print(f"Reason: {reason_text(job.model_dump())}")
    if not job.recap:
        return
    print(f"Tasks done: {job.tasks_done}")
    print(f"{'':26}{'Success':>9}{'Error':>9}")
    for kind in (k for k in ActionType if k.value in job.recap):
        counts = job.recap[kind.value]
        print(f"{ACTION_NAMES[kind]:26}{counts.success:>9}{counts.error:>9}")
