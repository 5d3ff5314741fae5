"""`edt-tui undo JOB --uai UAI [--at T] [--wait]`: undo an import through the service's queue.

The undo is a job like an import (queued, resumable, with a recap); a refusal (not the newest
import, already undone, a job in progress) exits 2 with the reason in English.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from edt_tui.commands.connection import add_connection_options
from edt_tui.errors import BadInputError, EdtTuiError


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "undo",
        help="undo an import: the ENT as it was before it, from T on",
        description=(
            "Queue the undo of the import JOB of UAI: for memberships and for the events that "
            "start at or after T (plus the establishment's freeze window), the ENT goes back "
            "exactly to its state before that import; courses it created and left empty are "
            "deleted, IDPN links it stored are restored. Only the newest import can be undone. "
            "Importing the same file again re-applies it. With --wait, follow it to its end."
        ),
    )
    parser.add_argument("job", metavar="JOB", help="the import's id (or its first 4+ characters)")
    parser.add_argument("--uai", required=True, help="establishment (UAI)")
    parser.add_argument(
        "--at", metavar="ISO8601",
        help="reference time T (default now; without offset: the establishment's local time)",
    )
    parser.add_argument("--wait", action="store_true", help="follow the undo to its end")
    add_connection_options(parser)
    parser.set_defaults(handler=run)


def refusal_text(body: dict[str, object], timezone: str) -> str | None:
    """The service's refusal (409) in English, from its reason (`why`, or the code and the job in
    the way from a service that sent no `why`); None if it has neither."""
    from edt_tui.reasons import Reason, english
    from edt_tui.service.vocabulary import UndoRefusal, local_minute, undo_reason

    why = Reason.from_dict(body.get("why"))
    if why is None:
        try:
            code = UndoRefusal(str(body.get("reason_code")))
        except ValueError:
            return None
        params = body.get("reason_params")
        stamp = params.get("created_at") if isinstance(params, dict) else None
        why = undo_reason(code, local_minute(stamp, timezone) if stamp else "")
    return english(why)


def run(args: argparse.Namespace) -> int:
    from edt_tui.client.errors import ConflictError
    from edt_tui.commands.history import resolve_job_id
    from edt_tui.commands.imports import (
        checked_at,
        client_for,
        embedded,
        follow,
        job_state,
        known_establishment,
        print_recap,
    )
    from edt_tui.service.vocabulary import local_minute

    uai = args.uai.strip().upper()
    at = checked_at(args.at)
    args.key = args.partner = None  # an undo reads no export

    async def go() -> int:
        async with client_for(args, worker=args.wait) as ent:
            try:
                timezone = (await ent.get_establishment(uai)).timezone
                job_id = await resolve_job_id(ent, uai, args.job.strip().lower(), "JOB")
                job = await ent.undo_import(uai, job_id, reference_time=at)
            except ConflictError as exc:
                text = refusal_text(exc.body, timezone)
                if text is None:
                    raise
                raise BadInputError(
                    f"cannot undo job {args.job}: {text}",
                    hint=f"see `edt-tui history --uai {uai}`",
                ) from None
            except EdtTuiError as exc:
                raise known_establishment(exc, uai) from None
            undone = job.undoes
            target = local_minute(undone.created_at.isoformat(), timezone) if undone else "?"
            print(f"job {job.id} {job_state(job)}: undo of the import of {target}")
            if not args.wait:
                if embedded(args):
                    print(
                        "edt-tui: embedded mode: the undo waits in the queue until an edt-tui "
                        "process runs the worker (the TUI, `edt-tui serve`, `edt-tui worker`, or "
                        f"`edt-tui import --uai {uai} --resume {job.id} --wait`)",
                        file=sys.stderr,
                    )
                return 0
            final = await follow(ent, uai, job.id)
            print_recap(final)
            return 0 if final.status == "done" else 1

    return asyncio.run(go())
