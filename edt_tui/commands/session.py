"""`edt-tui session list|discard|export|open`: import sessions, and helpdesk bundles replaying them.

`export` writes one zip, readable by its owner only (decisions, the export file, the ENT before
the import, the plan the customer saw, the job with its recap and failed actions); `open`
restores it into a temporary data directory (removed at exit, on SIGHUP and SIGTERM) and opens
the wizard READ-ONLY at the session's step (or `--step`), so a helpdesk sees what the customer
saw; `open --check` says where a plan recomputed here differs from the customer's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from edt_tui.commands.connection import add_connection_options
from edt_tui.dates import local_label
from edt_tui.errors import BadInputError
from edt_tui.session.store import STEPS

if TYPE_CHECKING:
    from edt_tui.client.client import EntClient
    from edt_tui.session.bundle import Bundle


class ReplayOpener(Protocol):
    """Opens the read-only TUI on a bundle restored in `home`. The entry point (`cli.py`) puts
    one in `args.open_replay`: the headless commands never import the TUI themselves."""

    def __call__(self, bundle: Bundle, home: Path, args: argparse.Namespace) -> int: ...


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "session", help="import sessions: list, export a helpdesk bundle, replay one read-only",
        description="The TUI's import sessions (decisions saved at each step) and their bundles.",
    )
    sub = parser.add_subparsers(title="actions", metavar="ACTION", required=True)

    listing = sub.add_parser("list", help="the saved sessions, newest first")
    listing.add_argument("--uai", help="only this establishment")
    listing.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    listing.set_defaults(handler=run_list)

    discard = sub.add_parser(
        "discard", help="remove one saved session (e.g. a damaged one flagged by `list`)",
        description="Remove a session from the session store; its decisions are lost.",
    )
    discard.add_argument("ref", metavar="ID", help="session id, or #N as `session list` shows")
    discard.set_defaults(handler=run_discard)

    export = sub.add_parser(
        "export", help="one bundle file reproducing a session (for the helpdesk)",
        description="Bundle a session with its export, ENT snapshot, plan and reference time.",
    )
    export.add_argument("id", metavar="ID", help="session id (see `edt-tui session list`)")
    export.add_argument("--out", required=True, type=Path, metavar="FILE", help="bundle (.zip)")
    export.add_argument("--force", action="store_true", help="overwrite FILE")
    export.add_argument("--key", help="partner private key (embedded service)")
    export.add_argument("--partner", help="partner name (embedded service)")
    add_connection_options(export)
    export.set_defaults(handler=run_export)

    replay = sub.add_parser(
        "open", help="replay a bundle read-only in the TUI, on an empty embedded service",
        description=(
            "Restore the bundle into a temporary data directory and open the wizard read-only "
            "(decisions and launching disabled). The embedded service decrypts the export with "
            "the partner key (--key or EDT_TUI_KEY)."
        ),
    )
    replay.add_argument("bundle", type=Path, metavar="FILE")
    replay.add_argument("--step", choices=STEPS[2:], help="open at this step")
    replay.add_argument("--key", help="partner private key to decrypt the bundled export")
    replay.add_argument("--partner", help="partner name")
    replay.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    replay.add_argument(
        "--check", action="store_true",
        help=(
            "no TUI: recompute the plan and compare it with the customer's, per step and per "
            "action type (exit 1 if different)"
        ),
    )
    replay.set_defaults(handler=run_open)


def run_list(args: argparse.Namespace) -> int:
    from edt_tui.session.store import SessionStore

    store = SessionStore()
    sessions, damaged = store.scan(uai=args.uai.strip().upper() if args.uai else None)
    for s in sessions:
        if args.json:
            print(json.dumps({
                "id": s.id, "uai": s.uai, "step": s.step, "file_name": s.export.get("file_name"),
                "created_at": s.created_at, "updated_at": s.updated_at, "job_id": s.job_id,
                "timezone": s.timezone,
            }, ensure_ascii=False))
        else:
            name = s.export.get("file_name") or "-"
            launched = f"import {s.job_id[:8]}" if s.job_id else "not launched"
            updated = local_label(s.updated_at, s.zone)
            print(f"{s.id}  {s.uai}  {s.step:<13} {updated}  {launched:<15} {name}")
    for bad in damaged:
        if args.json:
            print(json.dumps({"id": bad.ref, "uai": bad.uai, "damaged": bad.reason},
                             ensure_ascii=False))
        else:
            print(f"{bad.ref}  {bad.uai}  DAMAGED: {bad.reason}")
    if damaged:
        print(f"edt-tui: {len(damaged)} damaged session(s) in {store.path}: discard each with "
              "`edt-tui session discard ID`", file=sys.stderr)
    if not sessions and not damaged and not args.json:
        print("no import session")
    return 0


def run_discard(args: argparse.Namespace) -> int:
    from edt_tui.session.store import SessionStore

    SessionStore().discard(args.ref)
    print(f"session {args.ref} discarded")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from edt_tui.client.factory import client_from_args
    from edt_tui.session.bundle import collect, write_bundle
    from edt_tui.session.store import SessionStore

    out: Path = args.out
    if out.exists() and not args.force:
        raise BadInputError(f"{out} already exists", hint="choose another path or add --force")
    session = SessionStore().get(args.id)

    async def go() -> None:
        async with client_from_args(args, private_key=args.key, partner=args.partner) as ent:
            bundle = await collect(ent, session, now=datetime.now(UTC))
        write_bundle(out, bundle)

    asyncio.run(go())
    print(f"session {session.id} ({session.uai}, step {session.step}) bundled in {out}")
    print(
        f"warning: {out} holds personal data (names, birth dates, accounts, timetable); it is "
        "readable by you only: send it to the helpdesk over a secure channel and delete it "
        "once the case is closed",
        file=sys.stderr,
    )
    return 0


def run_open(args: argparse.Namespace) -> int:
    from edt_tui.config import load_settings
    from edt_tui.session.bundle import read_bundle, restore_bundle
    from edt_tui.session.scratch import replay_directory

    bundle = read_bundle(args.bundle)
    if bundle.export_summary.get("encrypted") and load_settings(
        partner=args.partner, private_key=args.key
    ).private_key is None:
        raise BadInputError(
            f"{args.bundle}: the bundled export is encrypted and no partner key is configured",
            hint="pass --key KEY.pem (or set EDT_TUI_KEY)",
        )
    with replay_directory(keep=args.keep) as home:
        restore_bundle(bundle, home)
        try:
            if args.check:
                return check_plan(bundle, home, args)
            open_replay: ReplayOpener = args.open_replay
            return open_replay(bundle, home, args)
        finally:
            if args.keep:
                print(f"replay data kept in {home}", file=sys.stderr)


def _client(home: Path, args: argparse.Namespace) -> EntClient:
    from edt_tui.client.client import EntClient

    return EntClient.scratch(home, partner=args.partner, private_key=args.key)


def check_plan(bundle: Bundle, home: Path, args: argparse.Namespace) -> int:
    """Headless replay: the plan recomputed on the restored service against the customer's,
    per wizard step and per action type; exit 1 when they differ."""
    from edt_tui.session.compare import action_differences, describe, step_differences

    session = bundle.import_session

    async def go() -> dict[str, Any]:
        async with _client(home, args) as ent:
            steps = await ent.create_plan(
                session.uai, str(session.export["sha256"]), session.selection or None,
                reference_time=bundle.reference_time, view="steps",
            )
            return steps.model_dump(mode="json")

    plan = asyncio.run(go())
    steps = step_differences(bundle.plan, plan)
    actions = action_differences(bundle.customer_actions, plan.get("actions") or {})
    same = not steps and not actions
    print(json.dumps({
        "session": session.id, "uai": session.uai,
        "job": bundle.job["id"] if bundle.job else None, "identical_plan": same,
        "steps": steps, "actions": actions, "rebuild_gaps": bundle.snapshot.get("gaps") or [],
    }, ensure_ascii=False))
    for line in describe(steps, actions):
        print(line, file=sys.stderr)
    return 0 if same else 1
