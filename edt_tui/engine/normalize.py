"""`norm()` of import-rules §1: the one comparison key for names, labels and codes."""

from __future__ import annotations

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=65536)
def norm(text: str | None) -> str:
    """NFKD, drop combining marks, upper-case, keep only letters and digits (`3 A` ≡ `3A`)."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(
        ch for ch in decomposed.upper() if not unicodedata.combining(ch) and ch.isalnum()
    )
