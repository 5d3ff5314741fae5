"""The push URL's secret is a credential: no log line or problem document may carry it.

A path is matched however it is spelt — percent-encoded (even twice), upper case, doubled or
back slashes, `..` segments, a trailing slash, a query string — because the client chooses the
spelling and the log writes what it sent. Whatever follows the establishment after a segment
containing "push" is replaced by `***`; a segment in the UAI's place that does not look like a
UAI is replaced too (a misplaced secret).
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote

MASK = "***"
_SEPARATORS = re.compile(r"[/\\]")
_UAI = re.compile(r"^[0-9]{7}[A-Za-z]$")


def _decoded(path: str) -> str:
    for _ in range(4):
        decoded = unquote(path)
        if decoded == path:
            break
        path = decoded
    return path


def redact_path(path: str) -> str:
    """`path` with any push secret masked; unchanged when it has no push segment."""
    segments = _SEPARATORS.split(_decoded(path))
    push = next((i for i, s in enumerate(segments) if "push" in s.casefold()), None)
    if push is None:
        return path
    kept = segments[:push + 1]
    rest = segments[push + 1:]
    if rest and _UAI.match(rest[0]):
        kept.append(rest.pop(0))
    return "/".join(kept + ([MASK] if rest else []))


class RedactPushSecrets(logging.Filter):
    """Masks push secrets in a record's arguments (uvicorn's access lines pass the request path
    as one; ours are built with `redact_path` already); never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_path(a) if isinstance(a, str) else a for a in record.args
            )
        return True
