"""`edt-tui history --uai UAI [--json]`: the import history, newest first (seed §3.12)."""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import datetime
from typing import Any

from edt_tui.commands.connection import add_connection_options
from edt_tui.errors import EdtTuiError

CONTRACT_FIELDS = (
    "id", "type", "status", "queue_position", "created_at", "finished_at", "recap", "reason",
)
SHORT_ID = 8
"""Characters of a job id shown in the listing (80 columns); `--job` takes such a prefix."""
MIN_PREFIX = 4


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "history",
        help="the import history of an establishment (newest first)",
        description=(
            "Date, status, type and queue position of every import of UAI, newest first; with "
            "--job, one job's recap and its failed actions."
        ),
    )
    parser.add_argument("--uai", required=True, help="establishment (UAI)")
    parser.add_argument("--json", action="store_true", help="JSON (the contract's fields and more)")
    parser.add_argument("--limit", type=int, default=50, help="newest N jobs (default 50)")
    parser.add_argument(
        "--job", metavar="ID",
        help=f"one job: recap and failed actions (its id, or the first {MIN_PREFIX}+ characters)",
    )
    add_connection_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from edt_tui.client.factory import client_from_args
    from edt_tui.commands.imports import known_establishment

    uai = args.uai.strip().upper()
    if not 1 <= args.limit <= 500:
        from edt_tui.errors import BadInputError

        raise BadInputError("--limit must be between 1 and 500")

    async def go() -> Any:
        async with client_from_args(args, worker=False) as ent:
            try:
                establishment = await ent.get_establishment(uai)
                if args.job:
                    job_id = await resolve_job_id(ent, uai, args.job.strip().lower())
                    job = await ent.get_job(uai, job_id)
                    failed = await ent.job_actions(uai, job_id, status="error", limit=100)
                    return establishment.timezone, job, failed
                return establishment.timezone, await ent.history(uai, limit=args.limit)
            except EdtTuiError as exc:
                raise known_establishment(exc, uai) from None

    result = asyncio.run(go())
    if args.job:
        timezone, job, failed = result
        if args.json:
            document = job.model_dump(mode="json")
            failed_actions = [a.model_dump(mode="json") for a in failed.items]
            print(json.dumps({**document, "failed_actions": failed_actions},
                             ensure_ascii=False, indent=2))
            return 0
        from edt_tui.commands._wording import ACTION_NAMES
        from edt_tui.commands.imports import print_recap
        from edt_tui.engine.model import ActionType

        print(f"Import date: {local(job.created_at, timezone)}   Type: {job.type}")
        if job.undoes:
            print(f"Undo of the import of {local(job.undoes.created_at, timezone)}")
        print_recap(job)
        for action in failed.items:
            kind = ACTION_NAMES[ActionType(action.type)]
            print(f"  failed {kind} {action.key}: {action.error}")
        if failed.total > len(failed.items):
            print(f"  … {failed.total - len(failed.items)} more failed actions (see the API)")
        print_ignored(job.model_dump(mode="json"))
        return 0
    timezone, page = result
    if args.json:
        print(json.dumps([_contract(j.model_dump(mode="json")) for j in page.items],
                         ensure_ascii=False, indent=2))
        return 0
    if not page.items:
        print(f"no import yet for {uai}")
        return 0
    from edt_tui.commands._wording import reason_text, status_text

    print(
        f"{'Import date':16} {'Status':24} {'Type':9} {'Queue':>5} {'Tasks':>6} {'Errors':>6} Id"
    )
    for job in page.items:
        position = "" if job.queue_position is None else str(job.queue_position)
        print(
            f"{local(job.created_at, timezone):16} {status_text(job.status, job.status_label):24} "
            f"{job.type:9} {position:>5} {job.tasks_done:>6} "
            f"{job.errors:>6} {job.id[:SHORT_ID]}"
        )
        if job.undoes:
            print(f"{'':17}undo of the import of {local(job.undoes.created_at, timezone)}")
        if job.reason:
            print(f"{'':17}{reason_text(job.model_dump())}")
    return 0


async def resolve_job_id(ent: Any, uai: str, wanted: str, option: str = "--job") -> str:
    """The full id of the job `wanted` (given as `option`) names: itself, or the one job whose
    id starts with it."""
    from edt_tui.errors import BadInputError

    if len(wanted) < MIN_PREFIX:
        raise BadInputError(
            f"{option} {wanted!r} is too short: give at least {MIN_PREFIX} characters of the job "
            f"id (the Id column of `edt-tui history --uai {uai}`)"
        )
    if len(wanted) > 32 or any(c not in "0123456789abcdef" for c in wanted):
        raise BadInputError(
            f"{option} {wanted!r} is not a job id (32 hexadecimal characters, or their start)"
        )
    page = await ent.history(uai, id_prefix=wanted, limit=2)
    matches = [job.id for job in page.items]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise EdtTuiError(
            f"no import of {uai} has an id starting with {wanted!r}; "
            f"see `edt-tui history --uai {uai}`"
        )
    raise BadInputError(
        f"{option} {wanted!r} matches {page.total} imports of {uai}; give more characters"
    )


def _contract(raw: dict[str, Any]) -> dict[str, Any]:
    """The contract's fields first, then the rest (labels, progress…) as documented additions."""
    return {**{k: raw.get(k) for k in CONTRACT_FIELDS}, **raw}


def local(moment: datetime, timezone: str) -> str:
    """`DD/MM/YYYY HH:MM` in the establishment's time zone, as the seed's history shows it."""
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(timezone)).strftime("%d/%m/%Y %H:%M")


def print_ignored(job: dict[str, Any]) -> None:
    """The sessions of the job's export that made no course: why a course may be missing."""
    from edt_tui.commands._wording import IGNORED_REASONS

    ignored = job.get("ignored_sessions") or []
    total = int(job.get("ignored_total") or len(ignored))
    if not total:
        return
    print(f"Ignored sessions ({total}):")
    for item in ignored:
        where = f"session {item.get('session')}" if item.get("session") is not None else ""
        if item.get("line") is not None:
            where += f" (line {item['line']})"
        reason = IGNORED_REASONS.get(str(item.get("reason")), str(item.get("reason")))
        print(f"  {where.strip() or '-'}: {reason}; subject {item.get('subject') or '-'}; "
              f"{item.get('detail') or ''}".rstrip("; "))
    if total > len(ignored):
        print(f"  … {total - len(ignored)} more")
