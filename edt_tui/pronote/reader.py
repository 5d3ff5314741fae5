"""Open any export file — encrypted envelope or plain timetable — into an `Export`.

The file kind is decided on the root element's local name (format doc §1). `import_id` is a
UUID derived from the SHA-256 of the file's bytes: the same file always gets the same
"Identifiant unique", a re-export gets a new one. Every read is bounded by `ReaderLimits`
(`limits.py`): only regular files, never more than the size limits, refused at the first bound
passed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import uuid
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from edt_tui.pronote.envelope import ENVELOPE_ROOT, decrypt_envelope, parse_envelope
from edt_tui.pronote.errors import NotAnExportError, shorten
from edt_tui.pronote.keys import KeySource
from edt_tui.pronote.limits import LIMITS, ReaderLimits
from edt_tui.pronote.model import (
    DEFAULT_PARTNER,
    EnvelopeSummary,
    Export,
    ExportWarning,
    Timetable,
    frozen_map,
)
from edt_tui.pronote.parser import TIMETABLE_ROOT, parse_timetable, root_local_name
from edt_tui.pronote.source import read_file, too_large

IMPORT_ID_NAMESPACE = uuid.UUID("6f3c1f0e-5a7d-4c1b-9a51-2d0b8e6b7e11")
"""Fixed namespace for UUID5 import ids (changing it would change every file's id)."""


def _load(
    source: Path | bytes, source_name: str | None, limits: ReaderLimits
) -> tuple[bytes, str]:
    if isinstance(source, bytes):
        name = source_name or "export"
        if len(source) > limits.file_bytes:
            raise too_large(len(source), limits, name)
        return source, name
    name = source_name or str(source)
    return read_file(Path(source), limits=limits, name=name), name


def import_id_of(digest: str) -> str:
    """The stable "Identifiant unique" of a file, from its SHA-256 (hex)."""
    return str(uuid.uuid5(IMPORT_ID_NAMESPACE, digest))


def _kind(data: bytes, name: str) -> str:
    root = root_local_name(data, source=name)
    if root in (ENVELOPE_ROOT, TIMETABLE_ROOT):
        return root
    if root is None:
        raise NotAnExportError("the file is empty or contains no XML element", source=name)
    raise NotAnExportError(
        f"root element <{shorten(root)}> is neither an encrypted export ({ENVELOPE_ROOT}) nor a "
        f"timetable export ({TIMETABLE_ROOT})",
        source=name,
    )


def _check_uai(timetable: Timetable, envelope: EnvelopeSummary) -> Timetable:
    """An envelope announcing another UAI than its content is worth a warning, not a refusal."""
    if envelope.uai and timetable.uai and envelope.uai != timetable.uai:
        warning = ExportWarning(
            "uai_mismatch",
            f"the envelope says UAI {shorten(envelope.uai)} but the timetable says "
            f"{shorten(timetable.uai)} (the timetable's UAI is used)",
            params=frozen_map({
                "envelope_uai": shorten(envelope.uai), "timetable_uai": shorten(timetable.uai),
            }),
        )
        return dataclasses.replace(timetable, warnings=(*timetable.warnings, warning))
    return timetable


def read_envelope_summary(
    source: Path | bytes,
    *,
    partner: str = DEFAULT_PARTNER,
    source_name: str | None = None,
    limits: ReaderLimits = LIMITS,
) -> EnvelopeSummary | None:
    """The envelope's summary without any key (None for a plain export)."""
    data, name = _load(source, source_name, limits)
    if _kind(data, name) != ENVELOPE_ROOT:
        return None
    sealed = parse_envelope(
        data, partner=partner, source_name=name, limits=limits, keep_content=False
    )
    return sealed.summary


def read_export(
    source: Path | bytes,
    *,
    private_key: RSAPrivateKey | KeySource | None = None,
    partner: str = DEFAULT_PARTNER,
    source_name: str | None = None,
    limits: ReaderLimits = LIMITS,
) -> Export:
    """Read, decrypt if needed, and parse an export; raises an `ExportError` subclass if not."""
    data, name = _load(source, source_name, limits)
    digest = hashlib.sha256(data).hexdigest()
    envelope: EnvelopeSummary | None = None
    if _kind(data, name) == ENVELOPE_ROOT:
        sealed = parse_envelope(data, partner=partner, source_name=name, limits=limits)
        envelope = sealed.summary
        del data  # the file read here is not needed any more (its decoded content is)
        document = decrypt_envelope(
            sealed, private_key, partner=partner, source_name=name, limits=limits
        )
        del sealed
        timetable = _check_uai(
            parse_timetable(
                document, source_name=f"{name} (decrypted content)", limits=limits
            ),
            envelope,
        )
    else:
        timetable = parse_timetable(data, source_name=name, limits=limits)
    return Export(
        source_name=name,
        sha256=digest,
        import_id=import_id_of(digest),
        encrypted=envelope is not None,
        envelope=envelope,
        timetable=timetable,
    )
