"""`edt-tui plan EXPORT --uai UAI [--json]`: what a manual import would do (docs/running.md).

The export goes to the service's dry-run endpoint, which plans it with the default selection
against the current ENT state and keeps nothing: the command writes nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from typing import Any

from edt_tui.commands.imports import (
    add_plan_options,
    checked_at,
    checked_export,
    client_for,
    known_establishment,
)
from edt_tui.errors import EdtTuiError


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "plan",
        help="dry run: what importing EXPORT would do (default selection)",
        description=(
            "Compute what a manual import of EXPORT would do against the current ENT state, with "
            "the default selection (recognised subjects, matched classes, all groups, all courses; "
            "people reconciled by the automatic rules only). Writes nothing. An export of another "
            "establishment than --uai is refused (exit 2)."
        ),
    )
    parser.add_argument("export", metavar="EXPORT", type=Path, help="the export file")
    add_plan_options(parser)
    parser.add_argument("--json", action="store_true", help="the contract's JSON document")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    uai = args.uai.strip().upper()
    export = checked_export(args.export)
    at = checked_at(args.at)

    async def go() -> dict[str, Any]:
        async with client_for(args, worker=False) as ent:
            try:
                contract = await ent.dry_run(
                    uai, export, reference_time=at, view="contract",
                    add_unknown_subjects=args.add_unknown_subjects,
                    activate_unmatched_classes=args.activate_unmatched_classes,
                )
                return contract.model_dump(mode="json")
            except EdtTuiError as exc:
                raise known_establishment(exc, uai) from None

    document = asyncio.run(go())
    if args.json:
        print(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        print_summary(document)
    return 0


def print_guards(document: dict[str, Any]) -> None:
    """The freeze boundary, pending relinks and the mass-deletion verdict."""
    from edt_tui.commands._wording import deletion_counts

    print(
        f"Frozen until: {document['frozen_until']} (freeze window "
        f"{document['freeze_minutes']} min: earlier events are left as they are)"
    )
    pending = [document["people"][k].get("relink_pending", 0) for k in ("teachers", "students")]
    if any(pending):
        print(
            f"Relinks pending: {pending[0]} teacher(s), {pending[1]} student(s) — PRONOTE ids "
            "regenerated? Their memberships are kept until a manual import confirms them; "
            "an automatic import is refused."
        )
    guard = document["guard"]
    if not guard["mass_deletion"]:
        m, e = guard["memberships"], guard["events"]
        print(
            f"Deletions: {m['percent']} % of memberships, {e['percent']} % of future events "
            f"(threshold {guard['threshold_percent']} %)"
        )
        return
    print(f"MASS DELETION: {deletion_counts(guard)}")
    print("Courses losing the most:")
    for course in guard["top_courses"]:
        print(
            f"  {course['label']}: {course['memberships_deleted']} membership(s), "
            f"{course['events_deleted']} event(s)"
        )
    print("`import` refuses it unless --allow-mass-deletion; an automatic import is refused.")


def print_summary(document: dict[str, Any]) -> None:
    """§3.11's summary, plus what the admin should know before launching."""
    actions, people = document["actions"], document["people"]
    print(f"Establishment {document['uai']}, school year {document['school_year']}")
    print(f"Reference time T: {document['reference_time']}")
    print(f"Selected courses: {len(document['courses'])}")
    print(f"Courses to create: {actions['create_course']}")
    print(f"Events to create: {actions['create_event']}")
    print(f"Events to update: {actions['update_event']}")
    print(f"Events to delete: {actions['delete_event']}")
    print(f"Memberships to create: {actions['create_membership']}")
    print(f"Memberships to delete: {actions['delete_membership']}")
    for key, label in (("teachers", "Teachers"), ("students", "Students")):
        group = people[key]
        relink = group.get("relink_pending", 0)
        pending = f" ({relink} of them: relink pending)" if relink else ""
        print(
            f"{label}: {group['reconciled']} reconciled, "
            f"{len(group['unreconciled'])} unreconciled{pending}"
        )
    print_guards(document)
    if document["ignored_sessions"]:
        print(f"Ignored sessions: {len(document['ignored_sessions'])} (details with --json)")
