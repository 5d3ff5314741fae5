"""Small, deterministic variants of the committed demo export, for the undo tests.

A `Variant` keeps the demo's people, classes and groups and a slice of its sessions, then changes
some of them: sessions dropped (event deletions, courses gone), rooms and teachers changed (event
updates, teacher memberships), sessions added from beyond the slice (new courses), students moved
to another class (student memberships). Every import rule runs on a file that plans in well under
a second.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tests.execution.conftest import DEMO_PLAIN

_COURS = re.compile(rb"<Cours Jour=.*?</Cours>", re.S)
_ELEVE = re.compile(rb"<Eleve Ident=\"(\d+)\".*?</Eleve>", re.S)
_CLASS_OF = re.compile(rb'(<Classe Ident=")(\d+)(" DateEntree)')
CLASSES = 25
TEACHERS = 52
ROOMS = 32


@dataclass(frozen=True)
class Variant:
    sessions: int = 60
    """The first N sessions of the demo."""
    extra: int = 0
    """Then N more, from further in the demo (new courses, usually)."""
    drop_every: int = 0
    """Session i is dropped when i % drop_every == 1 (0: none)."""
    room_every: int = 0
    teacher_every: int = 0
    moved_students: tuple[int, ...] = ()
    """Student idents moved to the next class."""

    def plain(self) -> bytes:
        data = DEMO_PLAIN.read_bytes()
        matches = list(_COURS.finditer(data))
        cours = [m.group(0) for m in matches]
        chosen = cours[:self.sessions] + cours[len(cours) - self.extra:] if self.extra else (
            cours[:self.sessions]
        )
        kept = [self._changed(i, c) for i, c in enumerate(chosen)
                if not (self.drop_every and i % self.drop_every == 1)]
        start, end = matches[0].start(), matches[-1].end()
        data = data[:start] + b"\n    ".join(kept) + data[end:]
        moved = {str(s).encode() for s in self.moved_students}
        return _ELEVE.sub(lambda m: self._moved(m) if m.group(1) in moved else m.group(0), data)

    def _changed(self, i: int, cours: bytes) -> bytes:
        if self.room_every and i % self.room_every == 0:
            cours = re.sub(rb'<Salle Ident="(\d+)"', lambda m: b'<Salle Ident="%d"' % (
                int(m.group(1)) % ROOMS + 1), cours)
        if self.teacher_every and i % self.teacher_every == 0:
            cours = re.sub(rb'<Professeur Ident="(\d+)"', lambda m: b'<Professeur Ident="%d"' % (
                int(m.group(1)) % TEACHERS + 1), cours)
        return cours

    @staticmethod
    def _moved(match: re.Match[bytes]) -> bytes:
        return _CLASS_OF.sub(
            lambda m: m.group(1) + b"%d" % (int(m.group(2)) % CLASSES + 1) + m.group(3),
            match.group(0),
        )
