"""Mutations of a real export, shared by the fuzz tests (driven by Hypothesis's random) and by
`bench/fuzz.py` (driven by a seeded random): one function, so both attack alike."""

from __future__ import annotations

import random
import re

ELEMENT = re.compile(rb"<(Eleve|Cours|Salle|Matiere|Professeur|Groupe|Classe)\b[^>]*/>")
ENCODINGS = ("utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-be", "cp037", "latin-1")
KINDS = ("flip", "truncate", "duplicate", "nest", "attribute", "encoding", "splice")


def mutate(
    rng: random.Random, base: bytes, *, scale: int = 1, kind: str | None = None
) -> bytes:
    """One mutation of `base` (the file's bytes), of `kind` (else a random one of `KINDS`);
    `scale` > 1 makes the big ones bigger."""
    data = bytearray(base)
    kind = kind or rng.choice(KINDS)
    if kind == "flip":
        for _ in range(rng.randint(1, 16)):
            data[rng.randrange(len(data))] ^= rng.randint(1, 255)
    elif kind == "truncate":
        del data[rng.randrange(len(data)) :]
    elif kind == "duplicate":
        found = list(ELEMENT.finditer(base))
        if found:
            match = rng.choice(found)
            copies = rng.choice([2, 100, 5000 * scale])
            data[match.end() : match.end()] = match.group(0) * copies
    elif kind == "nest":
        at = max(base.find(b"<Matieres>"), 0)
        depth = rng.choice([5, 17, 300, 5000 * scale])
        data[at:at] = b"<a>" * depth + b"</a>" * depth
    elif kind == "attribute":
        at = max(base.find(b"<Salle "), 0) + len(b"<Salle ")
        size = rng.choice([100, 5000, 100_000 * scale])
        data[at:at] = b'Note="' + b"x" * size + b'" '
    elif kind == "encoding":
        encoding = rng.choice(ENCODINGS)
        text = bytes(data).decode("utf-8").replace('encoding="UTF-8"', f'encoding="{encoding}"')
        data = bytearray(text.encode(encoding, "replace"))
        if rng.random() < 0.5:
            del data[-1:]
    else:  # splice: a few random bytes somewhere
        at = rng.randint(0, len(data))
        data[at:at] = rng.randbytes(rng.randint(1, 64))
    return bytes(data)
