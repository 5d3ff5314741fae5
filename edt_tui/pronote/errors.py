"""Why an export could not be read, in words a school admin can act on.

One hierarchy rooted in `BadInputError` (CLI exit code 2): every failure to open or parse an
export is bad input, never a crash. Each error names the file and, when known, the line and
element, then says what to do.
"""

from __future__ import annotations

from collections.abc import Sequence

from edt_tui.errors import BadInputError

EXCERPT_CHARS = 60


def shorten(text: str, limit: int = EXCERPT_CHARS) -> str:
    """`text` (a name, a value) cut to `limit` characters for a message: shown, never echoed."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text)} characters)"


def excerpt(value: str, limit: int = EXCERPT_CHARS) -> str:
    """`value` quoted for a message, cut to `limit` characters."""
    if len(value) <= limit:
        return repr(value)
    return f"{value[:limit]!r}… ({len(value)} characters)"


class ExportError(BadInputError):
    """The file (export or key) cannot be used; `source`, `line`, `element` say where."""

    default_hint: str | None = None

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        element: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.source = source
        self.line = line
        self.element = element
        where = [part for part in (source, f"line {line}" if line else None) if part]
        if element:
            where.append(f"element <{shorten(element)}>")
        full = f"{', '.join(where)}: {message}" if where else message
        super().__init__(full, hint=hint or self.default_hint)
        self.reason = message


class NotAnExportError(ExportError):
    """Root element is neither the encrypted envelope nor the timetable document."""

    default_hint = (
        "choose the file PRONOTE/EDT wrote with Imports/Exports > Socles ENT > "
        "Export manuel de l'emploi du temps (named like Edt_To_<ENT>_<UAI>.xml)"
    )


class MalformedXmlError(ExportError):
    """Not well-formed XML, or a value the format forbids (truncated download, hand edits)."""

    default_hint = "export the file again from PRONOTE/EDT and do not edit it by hand"


class HostileXmlError(ExportError):
    """DTDs and entity declarations never occur in real exports: refused before expansion."""

    default_hint = (
        "PRONOTE/EDT never writes a DOCTYPE or entity declarations; this file was not produced "
        "by it — export it again from PRONOTE/EDT"
    )


class PartnerKeyMissingError(ExportError):
    """The envelope has no `PARTENAIRE` entry for our partner name."""

    def __init__(
        self, *, partner: str, partners: Sequence[str], source: str | None = None
    ) -> None:
        self.partner = partner
        self.partners = tuple(partners)
        listed = ", ".join(map(shorten, self.partners)) if self.partners else "no partner at all"
        super().__init__(
            f"this file was exported for partner(s) {listed}, not for this ENT ({partner})",
            source=source,
            element="CLES",
            hint=(
                f"re-export it from PRONOTE choosing the ENT {partner} "
                "(Imports/Exports > Socles ENT), or set the partner name with --partner"
            ),
        )


class NoPrivateKeyError(ExportError):
    """An encrypted export was given but no private key is configured."""

    default_hint = (
        "give the ENT partner private key with --key KEY.pem (or $EDT_TUI_KEY, or "
        "private_key in config.toml)"
    )

    def __init__(self, *, source: str | None = None) -> None:
        super().__init__("the file is encrypted and no private key was given", source=source)


class KeyMismatchError(ExportError):
    """RSA decryption of the key blob failed or its MD5 check did not match."""

    default_hint = (
        "the private key does not match the public key PRONOTE used: check that --key is the "
        "key of this ENT partner, or re-export the file"
    )


class CorruptedExportError(ExportError):
    """Ciphertext, padding, compression or VERIFICATION hash is wrong."""

    default_hint = (
        "the file is truncated or was modified after export: copy it again (binary mode) or "
        "export it again from PRONOTE/EDT"
    )


class PrivateKeyError(ExportError):
    """The private (or public) key file is unreadable or not an RSA key."""

    default_hint = (
        "give an RSA private key in PKCS#8 PEM or DER (or traditional PEM) form, "
        "for example one made by `edt-tui keys generate --out DIR`"
    )


class LimitExceededError(ExportError):
    """The file passes a bound of `ReaderLimits` that no real export comes near."""

    default_hint = (
        "a real PRONOTE/EDT export stays far below this limit: check that this is the export "
        "file (Edt_To_<ENT>_<UAI>.xml) and export it again from PRONOTE/EDT"
    )

    def __init__(
        self,
        what: str,
        limit: str,
        *,
        name: str,
        source: str | None = None,
        line: int | None = None,
        element: str | None = None,
    ) -> None:
        super().__init__(
            f"{what} (limit: {limit}); reading stopped there",
            source=source,
            line=line,
            element=element,
        )
        self.name = name
        """The `ReaderLimits` field that was passed."""


class UnsupportedEncodingError(NotAnExportError):
    """The bytes are in an encoding PRONOTE/EDT never writes (UTF-32, EBCDIC, BOM-less UTF-16)."""

    default_hint = (
        "PRONOTE/EDT writes exports in UTF-8 (or UTF-16 with a byte order mark): export the file "
        "again, or convert it to UTF-8"
    )
