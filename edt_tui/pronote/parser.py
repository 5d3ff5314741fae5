"""Streaming, hardened parse of the cleartext `ExportEmploiDuTemps` into the immutable model.

Real exports never carry a DOCTYPE: any DTD or entity declaration is refused before libxml2 sees
it (billion laughs, XXE), and the parser runs with entity resolution, DTD loading and network off
and the default size limits (no huge_tree).
"""

from __future__ import annotations

import codecs

from edt_tui.pronote.errors import HostileXmlError

PROLOG_SCAN_BYTES = 1 << 16
"""How much of the file head is examined for a DOCTYPE (the prolog of real files is tiny)."""

SAFE_PARSER_OPTIONS: dict[str, bool] = {
    "resolve_entities": False,
    "no_network": True,
    "huge_tree": False,
    "load_dtd": False,
    "dtd_validation": False,
    "remove_comments": True,
    "remove_pis": True,
}
"""lxml parser options for every export and envelope we read."""


def _prolog_text(data: bytes) -> str:
    """The file head as text, for scanning markup only (exact for ASCII-compatible encodings)."""
    head = data[:PROLOG_SCAN_BYTES]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", errors="ignore")
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    return head.decode("latin-1")


def refuse_doctype(data: bytes, *, source: str | None = None) -> None:
    """Raise `HostileXmlError` if the prolog (before the root element) holds a DOCTYPE.

    Runs in time proportional to the prolog, so an entity bomb is refused before any expansion.
    """
    text = _prolog_text(data)
    pos, size = 0, len(text)
    while pos < size:
        char = text[pos]
        if char in " \t\r\n\ufeff":
            pos += 1
            continue
        if text.startswith("<?", pos):
            end = text.find("?>", pos + 2)
            closing = 2
        elif text.startswith("<!--", pos):
            end = text.find("-->", pos + 4)
            closing = 3
        elif text.startswith("<!", pos):
            raise HostileXmlError(
                "the file declares a DOCTYPE (DTD or entities), which exports never contain; "
                "refused without reading it",
                source=source,
                line=text.count("\n", 0, pos) + 1,
            )
        else:
            return
        if end < 0:
            return
        pos = end + closing
