"""Accepting an uploaded export: decrypt with the service's key, check the UAI, keep it by SHA-256.

The API and the automatic push share this; neither holds the key material nor logs it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from edt_tui.config import Settings
from edt_tui.errors import BadInputError
from edt_tui.pronote.errors import (
    CorruptedExportError,
    ExportError,
    KeyMismatchError,
    NoPrivateKeyError,
    PartnerKeyMissingError,
    PrivateKeyError,
)
from edt_tui.pronote.model import Export
from edt_tui.service.records import ExportRecord
from edt_tui.service.store import Store

UNDECRYPTABLE = (
    PartnerKeyMissingError, NoPrivateKeyError, KeyMismatchError, CorruptedExportError,
    PrivateKeyError,
)


class UaiMismatchError(BadInputError):
    """An export of another establishment; `summary` is the file's own §3.4 summary, so the
    admin who sent it sees what it is (encrypted, key present) beside the refusal."""

    def __init__(
        self, export_uai: str | None, uai: str, file_name: str,
        summary: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(
            f"{file_name}: this export is for establishment {export_uai or '(no UAI)'}, "
            f"not {uai}",
            hint=f"choose the export of {uai}, or open establishment {export_uai}",
        )
        self.export_uai = export_uai
        self.uai = uai
        self.summary = dict(summary) if summary is not None else None


class UndecryptableError(BadInputError):
    """The export is encrypted and cannot be opened with the service's key and partner name."""

    def __init__(self, cause: ExportError, envelope: Mapping[str, Any] | None) -> None:
        super().__init__(cause.message, hint=cause.hint)
        self.envelope = envelope


def summarize(export: Export) -> dict[str, Any]:
    """The seed's §3.4 summary with the same fields as `edt-tui inspect --json`."""
    t = export.timetable
    env = export.envelope
    return {
        "uai": export.uai,
        "establishment_name": env.establishment_name if env else None,
        "software": env.software if env else None,
        "version": t.version,
        "exported_at": env.exported_at.isoformat() if env and env.exported_at else None,
        "import_id": export.import_id,
        "encrypted": export.encrypted,
        "key_present": bool(env and env.key_present),
        "partners": list(env.partners) if env else [],
        "school_year": t.school_year.label if t.school_year else None,
        "counts": {
            "subjects": len(t.subjects), "teachers": len(t.teachers), "classes": len(t.classes),
            "class_parts": len(t.class_parts), "groups": len(t.groups), "rooms": len(t.rooms),
            "students": len(t.students), "sessions": len(t.sessions),
        },
        "warnings": [str(w) for w in t.warnings],
        "warning_details": [w.to_dict() for w in t.warnings],
    }


def _envelope_summary(data: bytes, partner: str, file_name: str) -> dict[str, Any] | None:
    from edt_tui.pronote.reader import read_envelope_summary

    try:
        env = read_envelope_summary(data, partner=partner, source_name=file_name)
    except ExportError:
        return None
    if env is None:
        return None
    return {
        "uai": env.uai, "establishment_name": env.establishment_name, "software": env.software,
        "exported_at": env.exported_at.isoformat() if env.exported_at else None,
        "encrypted": True, "key_present": env.key_present, "partners": list(env.partners),
    }


class ExportIntake:
    """Reads uploads with the configured partner name and private key (loaded once)."""

    def __init__(self, settings: Settings) -> None:
        self.partner = settings.partner
        self._key: RSAPrivateKey | None = None
        if settings.private_key is not None:
            from edt_tui.pronote.keys import load_private_key

            self._key = load_private_key(settings.private_key)

    @property
    def has_key(self) -> bool:
        return self._key is not None

    def read(self, data: bytes, file_name: str) -> Export:
        from edt_tui.pronote.reader import read_export

        try:
            return read_export(
                data, private_key=self._key, partner=self.partner, source_name=file_name
            )
        except UNDECRYPTABLE as exc:
            envelope = _envelope_summary(data, self.partner, file_name)
            raise UndecryptableError(exc, envelope) from None

    def accept(self, store: Store, uai: str, data: bytes, file_name: str) -> ExportRecord:
        """Read, check the UAI, store; UaiMismatchError, UndecryptableError or ExportError."""
        export = self.read(data, file_name)
        if export.uai != uai:
            raise UaiMismatchError(export.uai, uai, file_name, summarize(export))
        record = ExportRecord(
            sha256=export.sha256, uai=uai, file_name=file_name, import_id=export.import_id,
            size=len(data), uploaded_at=datetime.now(UTC), summary=summarize(export),
        )
        return store.save_export(record, data)
