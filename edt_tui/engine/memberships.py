"""Who is in a course (import-rules §6): students on the reference date D, through classes,
groups (classes, class parts, direct students) and the items attached to the session itself."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date

from edt_tui.pronote.model import Timetable


class Rosters:
    """Export student idents per class, class part and group, on reference date D (inclusive)."""

    def __init__(self, timetable: Timetable, on: date) -> None:
        classes: dict[str, set[str]] = defaultdict(set)
        parts: dict[str, set[str]] = defaultdict(set)
        for student in timetable.students.values():
            for membership in student.class_memberships:
                if membership.covers(on):
                    classes[membership.ident].add(student.ident)
            for membership in student.part_memberships:
                if membership.covers(on):
                    parts[membership.ident].add(student.ident)
        self._classes: Mapping[str, frozenset[str]] = {k: frozenset(v) for k, v in classes.items()}
        self._parts: Mapping[str, frozenset[str]] = {k: frozenset(v) for k, v in parts.items()}
        groups: dict[str, frozenset[str]] = {}
        for group in timetable.groups.values():
            members: set[str] = set()
            for ident in group.class_idents:
                members |= self.of_class(ident)
            for ident in group.part_idents:
                members |= self.of_part(ident)
            members.update(i for i in group.student_idents if i in timetable.students)
            groups[group.ident] = frozenset(members)
        self._groups: Mapping[str, frozenset[str]] = groups

    def of_class(self, ident: str) -> frozenset[str]:
        return self._classes.get(ident, frozenset())

    def of_part(self, ident: str) -> frozenset[str]:
        return self._parts.get(ident, frozenset())

    def of_group(self, ident: str) -> frozenset[str]:
        return self._groups.get(ident, frozenset())
