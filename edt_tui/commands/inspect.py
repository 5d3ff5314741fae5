"""`edt-tui inspect EXPORT`: the seed §3.4 summary of an export file, plus counts and warnings.

Exit 0 when the file was read, 2 when it cannot be (wrong partner, no or wrong key, corrupted,
hostile or not an export). A file exported for another partner still prints its envelope summary
with `key_present: false` before failing, so the admin sees who it was meant for; so does an
encrypted file inspected without a key (UAI, export time and partners need none).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

MAX_TEXT_WARNINGS = 20


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "inspect",
        help="summarise a PRONOTE/EDT export (encrypted or plain)",
        description=(
            "Read a PRONOTE/EDT export (encrypted envelope or plain timetable) and print its "
            "summary: UAI, unique id, encryption, partner key, counts and warnings."
        ),
    )
    parser.add_argument("export", metavar="EXPORT", help="the export file (Edt_To_<ENT>_<UAI>.xml)")
    parser.add_argument(
        "--key",
        metavar="KEY.pem",
        help="ENT partner private key, PKCS#8 PEM or DER (default: $EDT_TUI_KEY or config.toml)",
    )
    parser.add_argument(
        "--partner",
        metavar="NAME",
        help="partner name in the envelope (default: $EDT_TUI_PARTNER, config.toml or ITSLEARNING)",
    )
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.set_defaults(handler=run)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def summary_fields(export: Any | None, envelope: Any | None, *, partner: str) -> dict[str, Any]:
    """The contract's JSON fields for a read export, or for an envelope alone (no key)."""
    timetable = export.timetable if export is not None else None
    fields: dict[str, Any] = {
        "uai": export.uai if export is not None else (envelope.uai if envelope else None),
        "establishment_name": envelope.establishment_name if envelope else None,
        "software": envelope.software if envelope else None,
        "version": timetable.version if timetable else None,
        "exported_at": _iso(envelope.exported_at) if envelope else None,
        "import_id": export.import_id if export is not None else None,
        "encrypted": envelope is not None,
        "key_present": bool(envelope and partner in envelope.partners),
        "partners": list(envelope.partners) if envelope else [],
        "school_year": (
            timetable.school_year.label if timetable and timetable.school_year else None
        ),
        "counts": None,
        "warnings": [str(w) for w in timetable.warnings] if timetable else [],
    }
    if timetable is not None:
        fields["counts"] = {
            "subjects": len(timetable.subjects),
            "teachers": len(timetable.teachers),
            "classes": len(timetable.classes),
            "class_parts": len(timetable.class_parts),
            "groups": len(timetable.groups),
            "rooms": len(timetable.rooms),
            "students": len(timetable.students),
            "sessions": len(timetable.sessions),
        }
    return fields


_COUNT_LABELS = (
    ("subjects", "Subjects"),
    ("teachers", "Teachers"),
    ("classes", "Classes"),
    ("class_parts", "Class parts"),
    ("groups", "Groups"),
    ("rooms", "Rooms"),
    ("students", "Students"),
    ("sessions", "Sessions"),
)


def render_text(fields: dict[str, Any], *, partner: str) -> str:
    """The readable summary: the ENT's "Vérification du code RNE" step (§3.4), in English."""

    def yes_no(flag: bool) -> str:
        return "true" if flag else "false"

    lines = [
        f"Establishment (UAI): {fields['uai'] or '?'}",
        f"Unique id: {fields['import_id'] or '?'}",
        f"Encrypted: {yes_no(fields['encrypted'])}",
        f"{partner} key present: {yes_no(fields['key_present'])}",
    ]
    if fields["encrypted"]:
        lines += [
            f"Establishment name: {fields['establishment_name'] or '?'}",
            f"Software: {fields['software'] or '?'}",
            f"Exported at: {fields['exported_at'] or '?'}",
            f"Partners: {', '.join(fields['partners']) or '(none)'}",
        ]
    if fields["counts"] is not None:
        lines.append(f"File version: {fields['version'] or '?'}")
        lines.append(f"School year: {fields['school_year'] or '(missing)'}")
        width = max(len(label) for _, label in _COUNT_LABELS)
        lines += [f"  {label:<{width}} {fields['counts'][key]:>6}" for key, label in _COUNT_LABELS]
    warnings = fields["warnings"]
    if warnings:
        lines.append(f"Warnings: {len(warnings)}")
        lines += [f"  - {text}" for text in warnings[:MAX_TEXT_WARNINGS]]
        if len(warnings) > MAX_TEXT_WARNINGS:
            lines.append(f"  … and {len(warnings) - MAX_TEXT_WARNINGS} more (use --json)")
    return "\n".join(lines)


def _emit(fields: dict[str, Any], *, as_json: bool, partner: str) -> None:
    if as_json:
        print(json.dumps(fields, ensure_ascii=False, indent=2))
    else:
        print(render_text(fields, partner=partner))


def run(args: argparse.Namespace) -> int:
    import hashlib
    from pathlib import Path

    from edt_tui.config import key_file_too_open, load_settings
    from edt_tui.pronote.errors import NoPrivateKeyError, PartnerKeyMissingError
    from edt_tui.pronote.reader import import_id_of, read_envelope_summary, read_export
    from edt_tui.pronote.source import read_file

    settings = load_settings(partner=args.partner, private_key=args.key)
    partner = settings.partner
    key_path = settings.private_key
    if key_path is not None and key_file_too_open(key_path):
        print(
            f"edt-tui: warning: the private key file {key_path} is readable by other users; "
            f"run: chmod 600 {key_path}",
            file=sys.stderr,
        )
    path = Path(args.export)
    data = read_file(path)
    envelope = read_envelope_summary(data, partner=partner, source_name=str(path))
    if envelope is not None and (not envelope.key_present or key_path is None):
        fields = summary_fields(None, envelope, partner=partner)
        fields["import_id"] = import_id_of(hashlib.sha256(data).hexdigest())
        _emit(fields, as_json=args.json, partner=partner)
        if not envelope.key_present:
            raise PartnerKeyMissingError(
                partner=partner, partners=envelope.partners, source=str(path)
            )
        raise NoPrivateKeyError(source=str(path))
    export = read_export(data, private_key=key_path, partner=partner, source_name=str(path))
    fields = summary_fields(export, export.envelope, partner=partner)
    _emit(fields, as_json=args.json, partner=partner)
    return 0
