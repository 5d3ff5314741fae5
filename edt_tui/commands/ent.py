"""`edt-tui ent …`: load the ENT directory from CSV, issue API tokens, list establishments,
show or change an establishment's import guards (`ent_settings`)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from edt_tui.commands import ent_settings
from edt_tui.commands.connection import add_connection_options, add_database_option
from edt_tui.errors import BadInputError


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "ent", help="ENT directory, referential and API tokens",
        description="Manage the local ENT import service's data (EDT_TUI_HOME).",
    )
    sub = parser.add_subparsers(title="ent commands", metavar="ACTION", required=True)

    load = sub.add_parser(
        "load", help="load establishments/users/subjects/classes CSV files (upsert)",
        description=(
            "Load whichever of establishments.csv, users.csv, subjects.csv, classes.csv exist in "
            "DIR (UTF-8, header row; see docs/directory.md). Every file is checked before "
            "anything is written, and the whole directory is written at once or not at all: a "
            "bad row stops the load with its file and line. A sync id already held by another "
            "establishment is refused unless --move-accounts is given."
        ),
    )
    load.add_argument("directory", metavar="DIR", type=Path)
    load.add_argument(
        "--move-accounts", action="store_true",
        help="move accounts whose sync id another establishment holds (they changed school); "
        "each move is listed",
    )
    add_database_option(load)
    load.set_defaults(handler=run_load)

    token = sub.add_parser("token", help="API tokens")
    token_sub = token.add_subparsers(title="token commands", metavar="ACTION", required=True)
    create = token_sub.add_parser(
        "create", help="issue a bearer token (printed once, stored hashed)",
        description=(
            "Issue an API token. An `admin` token sees and changes only its establishment; a "
            "`platform` token sees all. The token is printed once on stdout."
        ),
    )
    create.add_argument("--uai", help="establishment of an admin token")
    create.add_argument("--role", choices=("admin", "platform"), default="admin")
    create.add_argument("--label", default="", help="who or what the token is for")
    add_database_option(create)
    create.set_defaults(handler=run_token_create)

    listing = sub.add_parser("establishments", help="list establishments")
    listing.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    add_connection_options(listing)
    add_database_option(listing)
    listing.set_defaults(handler=run_establishments)

    migrate = sub.add_parser(
        "migrate", help="copy this ENT into an empty database (e.g. SQLite to PostgreSQL)",
        description=(
            "Copy the whole ENT — directory, referential, exports and their bytes, selections, "
            "courses, memberships, events, jobs with their actions and history, pushes, tokens — "
            "into the empty database --to names (its schema is created first). Everything is "
            "copied in one transaction and verified before it is committed: each table's row "
            "count and checksum read back from the target must equal the source's, and each "
            "export's bytes their SHA-256; otherwise nothing is written. A target that already "
            "holds data is refused. Stop the service (serve, worker) first: jobs running during "
            "the copy would be copied half-way. Then point the service at the target "
            "(--database-url or EDT_TUI_DATABASE_URL)."
        ),
    )
    migrate.add_argument(
        "--to", required=True, metavar="URL",
        help="the empty target database, e.g. postgresql://edt@db.example/edt_tui",
    )
    add_database_option(migrate)
    migrate.set_defaults(handler=run_migrate)

    ent_settings.register(sub)


def run_load(args: argparse.Namespace) -> int:
    from edt_tui.assembly import service_store
    from edt_tui.service.csv_loader import load_directory

    with service_store(args.database_url) as store:
        report = load_directory(store, args.directory, move_accounts=args.move_accounts)
    for name, count in report.counts.items():
        print(f"{name}: {count} row(s) loaded")
    if report.moves:
        print(f"{len(report.moves)} account(s) moved to another establishment "
              "(their IDPN link in the old one removed):")
        for move in report.moves:
            print(f"  {move.sync_id}: {move.from_uai} -> {move.to_uai}")
    return 0


def run_migrate(args: argparse.Namespace) -> int:
    from edt_tui.assembly import migrate_store

    def progress(line: str) -> None:
        print(f"  {line}", file=sys.stderr, flush=True)

    print("edt-tui: copying the ENT (one transaction, verified before commit)…",
          file=sys.stderr, flush=True)
    copies = migrate_store(args.database_url, args.to, progress=progress)
    print(f"{'table':<18} {'rows':>9}  checksum (SHA-256 of the rows)")
    for copy in copies:
        print(f"{copy.table:<18} {copy.rows:>9}  {copy.checksum}")
    print(f"verified: {len(copies)} tables, {sum(c.rows for c in copies)} rows, each equal on both "
          "sides; the target is ready (point --database-url / EDT_TUI_DATABASE_URL at it)")
    return 0


def run_token_create(args: argparse.Namespace) -> int:
    from edt_tui.assembly import service_store
    from edt_tui.service.auth import issue_token
    from edt_tui.service.records import TokenRole

    role = TokenRole(args.role)
    uai = args.uai.upper() if args.uai else None
    if role is TokenRole.ADMIN and not uai:
        raise BadInputError("an admin token needs --uai UAI", hint="or use --role platform")
    if role is TokenRole.PLATFORM and uai:
        raise BadInputError("a platform token covers every establishment: drop --uai")
    with service_store(args.database_url) as store:
        if uai and store.get_establishment(uai) is None:
            raise BadInputError(
                f"unknown establishment {uai}",
                hint="load it first with `edt-tui ent load DIR` (establishments.csv)",
            )
        token = issue_token(store, role, uai, label=args.label)
    print(token)
    print("edt-tui: store this token now: it cannot be shown again", file=sys.stderr)
    return 0


def run_establishments(args: argparse.Namespace) -> int:
    import asyncio

    from edt_tui.client import client_from_args

    async def fetch() -> list[dict[str, object]]:
        async with client_from_args(args) as ent:
            return [
                {"uai": e.uai, "name": e.name, "timezone": e.timezone,
                 "daily_quota": e.daily_quota}
                async for e in ent.iterate(ent.list_establishments)
            ]

    rows = asyncio.run(fetch())
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
    else:
        for row in rows:
            print(f"{row['uai']}  {row['name']}  ({row['timezone']})")
        if not rows:
            print("no establishment: load some with `edt-tui ent load DIR`", file=sys.stderr)
    return 0
