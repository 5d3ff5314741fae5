"""How big an export may be: every bound the reader enforces while it reads, in one place.

Each figure is about ten times what the generated lycée (2,000 students, `edt-tui samples
generate --students 2000 --newer`) actually has, so a real export never comes near it and a
hostile one (zip bomb, endless nesting, millions of made-up elements) is refused early, before it
costs more memory than the file it came in. docs/limits.md lists them with the measured sizes.
"""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ReaderLimits:
    """Bounds on one export; the reason for each figure is the lycée's real size beside it."""

    file_bytes: int = 48 * MIB
    """The file as stored or uploaded. Lycée: 0.29 MB encrypted, 2.6 MB plain; an envelope
    written without compression is 1.37 × its document, so 48 MiB carries a full document."""
    document_bytes: int = 32 * MIB
    """The cleartext document, plain or once decrypted and inflated. Lycée: 2.6 MB."""
    elements: int = 1_000_000
    """XML elements in the document. Lycée: 35,000."""
    element_names: int = 300
    """Distinct element names. Lycée: 27."""
    depth: int = 16
    """Nesting depth. Every real export: 4."""
    children: int = 5_000
    """Children of one entry (a student's classes, a session's teachers and rooms…). Lycée: 15;
    a group listing its students may have a few hundred."""
    run_bytes: int = 4096
    """Bytes between two `<` of the document: one start tag with all its attributes, or one
    text. This bounds every attribute value and text at once. Lycée: 256 (a student's tag)."""
    field_chars: int = 4096
    """Characters of one envelope field other than the encrypted content, which `file_bytes`
    bounds. Real: under 40; an RSA-4096 key entry, 700."""
    partners: int = 16
    """Partner key entries (`PARTENAIRE`) of an envelope. Real: 1 or 2."""
    students: int = 50_000
    """`Eleve` entries. Lycée: 1,991."""
    people: int = 20_000
    """`Professeur` and `Personnel` entries together. Lycée: 306."""
    sessions: int = 100_000
    """`Cours` entries. Lycée: 3,712."""
    warnings: int = 1000
    """Warnings kept (the others are counted in one last warning). A clean lycée: 0."""
    first_year: int = 1900
    last_year: int = 2200
    """School year dates (and reference times) outside these years are not dates of a school
    timetable; refusing them keeps every date computed from them in range."""


LIMITS = ReaderLimits()
"""The limits the CLI and the service read exports with."""


def check_reference_year(year: int, what: str, limits: ReaderLimits = LIMITS) -> str | None:
    """Why `what` (a reference time in `year`) is refused, or None: dates are only computed
    within the years school years may have, so that no date arithmetic overflows."""
    if limits.first_year <= year <= limits.last_year:
        return None
    return f"{what} is in year {year:04d}, outside {limits.first_year}-{limits.last_year}"


def size_text(value: int) -> str:
    """`48 MiB`, `64 KiB` or `1000 bytes`: a byte count as written in messages and docs."""
    for unit, size in (("MiB", MIB), ("KiB", 1024)):
        if value >= size and value % size == 0:
            return f"{value // size} {unit}"
    return f"{value} bytes"
