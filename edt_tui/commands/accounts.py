"""`edt-tui accounts --uai UAI [--export FILE] [--json]`: the account check of §4.2."""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from typing import Any

from edt_tui.commands.connection import add_connection_options
from edt_tui.errors import EdtTuiError
from edt_tui.files import check_output_path, write_atomic

PROFILES = {"students": "Students", "teachers": "Teachers"}


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "accounts",
        help="reconciled / unreconciled students and teachers of the last import",
        description=(
            "Counts of the people the last finished import reconciled with ENT accounts, and "
            "the unreconciled ones. --export FILE writes them to a UTF-8 text file, one person "
            "per line: LAST NAME<TAB>First name[<TAB>DD/MM/YYYY for students]."
        ),
    )
    parser.add_argument("--uai", required=True, help="establishment (UAI)")
    parser.add_argument("--export", metavar="FILE", type=Path, help="write the unreconciled list")
    parser.add_argument(
        "--profile", choices=("students", "teachers", "all"), default="all",
        help="whose list --export writes (default all: students, then teachers)",
    )
    parser.add_argument("--json", action="store_true", help="counts and lists as JSON")
    add_connection_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from edt_tui.client.factory import client_from_args
    from edt_tui.commands.imports import known_establishment

    uai = args.uai.strip().upper()
    if args.export is not None:
        check_output_path(args.export)  # before asking the service anything

    async def go() -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
        async with client_from_args(args, worker=False) as ent:
            try:
                counts = await ent.accounts(uai)
                lists: dict[str, list[dict[str, Any]]] = {}
                if counts.job_id is not None:
                    for profile in PROFILES:
                        lists[profile] = [
                            p.model_dump(mode="json")
                            async for p in ent.iterate(ent.unreconciled, uai, profile)
                        ]
                return counts.model_dump(mode="json"), lists
            except EdtTuiError as exc:
                raise known_establishment(exc, uai) from None

    counts, lists = asyncio.run(go())
    if counts["job_id"] is None:
        raise EdtTuiError(
            f"no finished import for {uai} yet", hint="run a manual import first (edt-tui import)"
        )
    if args.export is not None:
        write_list(args.export, lists, args.profile)
    if args.json:
        print(json.dumps({**counts, "unreconciled": lists}, ensure_ascii=False, indent=2))
        return 0
    for profile, label in PROFILES.items():
        print(f"{label} reconciled: {counts[profile]['reconciled']}")
        print(f"{label} unreconciled: {counts[profile]['unreconciled']}")
    if args.export is not None:
        print(f"edt-tui: unreconciled list written to {args.export}")
    return 0


def write_list(path: Path, lists: dict[str, list[dict[str, Any]]], profile: str) -> None:
    """Atomically (temp file + rename): never a half-written list."""
    from edt_tui.wire.accounts import person_line

    profiles = list(PROFILES) if profile == "all" else [profile]
    text = "".join(f"{person_line(p, prof)}\n" for prof in profiles for p in lists[prof])
    write_atomic(path, text.encode("utf-8"))
