"""`edt-tui ent settings --uai UAI [--freeze-minutes N] [--max-deletion-percent P] [--json]`.

Shows an establishment's import guards (no flag), or changes them through the service. Values
are checked here first so that a typo changes nothing and says what to type instead.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

from edt_tui.commands.connection import add_connection_options, add_database_option
from edt_tui.errors import BadInputError, EdtTuiError
from edt_tui.wire.directory import MAX_FREEZE_MINUTES


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "settings", help="show or change an establishment's import guards",
        description=(
            "Without a flag, show the establishment's settings. --freeze-minutes N: events that "
            "start less than N minutes after the import's reference time are never created, "
            "changed or deleted (0: only past events are protected). --max-deletion-percent P: "
            "an import deleting more than P % of the import-created memberships or of the future "
            "events is a mass deletion (automatic imports refused, manual ones need "
            "confirmation)."
        ),
    )
    parser.add_argument("--uai", required=True, help="establishment (UAI)")
    parser.add_argument("--freeze-minutes", metavar="N", help=f"0 to {MAX_FREEZE_MINUTES}")
    parser.add_argument("--max-deletion-percent", metavar="P", help="0 to 100")
    parser.add_argument("--json", action="store_true", help="print the settings as JSON")
    add_connection_options(parser)
    add_database_option(parser)
    parser.set_defaults(handler=run)


def whole_number(flag: str, value: str | None, maximum: int) -> int | None:
    """`value` as an integer in 0..maximum, else a BadInputError naming the flag (exit 2)."""
    if value is None:
        return None
    text = value.strip()
    if not text.lstrip("-").isdigit():
        raise BadInputError(
            f"{flag} {value!r}: not a whole number", hint=f"give an integer from 0 to {maximum}"
        )
    number = int(text)
    if not 0 <= number <= maximum:
        raise BadInputError(
            f"{flag} {number}: out of range", hint=f"give an integer from 0 to {maximum}"
        )
    return number


def run(args: argparse.Namespace) -> int:
    from edt_tui.client.factory import client_from_args
    from edt_tui.commands.imports import known_establishment

    uai = args.uai.strip().upper()
    freeze = whole_number("--freeze-minutes", args.freeze_minutes, MAX_FREEZE_MINUTES)
    percent = whole_number("--max-deletion-percent", args.max_deletion_percent, 100)

    async def go() -> Any:
        async with client_from_args(args, worker=False) as ent:
            try:
                if freeze is None and percent is None:
                    return await ent.get_settings(uai)
                return await ent.update_settings(
                    uai, freeze_minutes=freeze, max_deletion_percent=percent
                )
            except EdtTuiError as exc:
                raise known_establishment(exc, uai) from None

    settings = asyncio.run(go())
    document = {
        "uai": settings.uai, "name": settings.name, "timezone": settings.timezone,
        "daily_quota": settings.daily_quota, "freeze_minutes": settings.freeze_minutes,
        "max_deletion_percent": settings.max_deletion_percent,
    }
    if args.json:
        print(json.dumps(document, ensure_ascii=False, indent=2))
        return 0
    print(f"Establishment {settings.uai} ({settings.name}), time zone {settings.timezone}")
    print(
        f"Freeze window: {settings.freeze_minutes} minutes (events starting before "
        f"T + {settings.freeze_minutes} min are never created, changed or deleted)"
    )
    print(
        f"Mass-deletion threshold: {settings.max_deletion_percent} % of the import-created "
        "memberships or of the future events"
    )
    print(f"Automatic imports per day: {settings.daily_quota}")
    return 0
