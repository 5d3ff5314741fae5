"""Which encodings an export may be in, told from its first bytes (XML 1.0 appendix F).

PRONOTE/EDT writes UTF-8 (with or without a byte order mark); UTF-16 with a byte order mark is
read too. Everything else that can be recognised — UTF-32, UTF-16 without a byte order mark,
EBCDIC — is refused by name, rather than being mistaken for an empty file.
"""

from __future__ import annotations

import codecs

from edt_tui.pronote.errors import MalformedXmlError, UnsupportedEncodingError

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_UTF32_HEADS = (
    codecs.BOM_UTF32_LE,
    codecs.BOM_UTF32_BE,
    b"\x00\x00\x00<",
    b"<\x00\x00\x00",
    b"\x00\x00<\x00",
    b"\x00<\x00\x00",
)
_EBCDIC_LT = 0x4C
"""`<` in EBCDIC (an `L` in ASCII, which cannot start an XML document)."""


def _unsupported(data: bytes) -> str | None:
    head = data[:4]
    if head.startswith(_UTF32_HEADS):
        return "UTF-32"
    if head.startswith(_UTF16_BOMS) or head.startswith(codecs.BOM_UTF8):
        return None
    if len(head) == 4 and (
        (head[0] == 0 and head[1] and head[2] == 0) or (head[0] and head[1] == 0 and head[3] == 0)
    ):
        return "UTF-16 without a byte order mark"
    if len(head) >= 2 and head[0] == _EBCDIC_LT and (head[1] == 0x6F or head[1] >= 0x81):
        return "EBCDIC"
    return None


def check_encoding(data: bytes, source: str | None) -> None:
    """Raise `UnsupportedEncodingError` naming the encoding when it is not one we read."""
    name = _unsupported(data)
    if name is not None:
        raise UnsupportedEncodingError(
            f"the file is encoded in {name}, which PRONOTE/EDT exports never are", source=source
        )


def is_utf16(data: bytes) -> bool:
    return data.startswith(_UTF16_BOMS)


def utf16_to_utf8(data: bytes, source: str | None) -> bytes:
    """A UTF-16 (BOM) document as UTF-8; `MalformedXmlError` saying what is broken if invalid."""
    try:
        return data.decode("utf-16").encode("utf-8")
    except UnicodeError as exc:
        start = exc.start if isinstance(exc, UnicodeDecodeError) else 0
        what = (
            "an odd number of bytes (the file is cut in the middle of a character)"
            if len(data) % 2
            else "an invalid character (a lone surrogate)"
        )
        raise MalformedXmlError(
            f"the file starts with a UTF-16 byte order mark but is not valid UTF-16: {what}, "
            f"near byte {start}",
            source=source,
        ) from None
