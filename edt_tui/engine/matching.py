"""Subjects, classes and groups of the export against the ENT referential (rules §2, §3)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from edt_tui.engine.model import ReferentialClass, ReferentialSubject
from edt_tui.engine.normalize import norm
from edt_tui.engine.selection import Selection, SubjectChoice
from edt_tui.pronote.model import Timetable


class ItemStatus(StrEnum):
    RECOGNISED = "recognised"
    """Matched in the ENT referential (groups: listed and active) — green."""
    NEW = "new"
    """Unknown to the ENT, inactive until the admin adds or activates it — white."""
    ADDED = "added"
    """Unknown to the ENT, added / activated by the admin (or by a flag) — green."""
    DEACTIVATED = "deactivated"
    """Deactivated by the admin — red."""


@dataclass(frozen=True, slots=True)
class SubjectRow:
    ident: str
    code: str
    export_label: str
    key: str
    """`norm(Libelle)`: the selection key."""
    ent_name: str | None
    """The ENT referential subject it was recognised as (None when new)."""
    matched_by: str | None
    """`name` or `code` (None when new)."""
    status: ItemStatus

    @property
    def active(self) -> bool:
        return self.status in (ItemStatus.RECOGNISED, ItemStatus.ADDED)

    @property
    def label(self) -> str:
        """The label used in course labels and keys: the ENT name when recognised."""
        return self.ent_name or self.export_label


@dataclass(frozen=True, slots=True)
class ClassRow:
    ident: str
    export_name: str
    key: str
    ent_name: str | None
    status: ItemStatus

    @property
    def active(self) -> bool:
        return self.status in (ItemStatus.RECOGNISED, ItemStatus.ADDED)

    @property
    def label(self) -> str:
        return self.ent_name or self.export_name


@dataclass(frozen=True, slots=True)
class GroupRow:
    ident: str
    name: str
    key: str
    status: ItemStatus

    @property
    def active(self) -> bool:
        return self.status is not ItemStatus.DEACTIVATED

    @property
    def label(self) -> str:
        return self.name


def _first_by_norm(names: Sequence[tuple[str, str]]) -> dict[str, str]:
    """norm(key) → alphabetically first name among those sharing it."""
    index: dict[str, str] = {}
    for key, name in sorted(names, key=lambda pair: pair[1]):
        if key:
            index.setdefault(key, name)
    return index


def match_subjects(
    timetable: Timetable,
    referential: Sequence[ReferentialSubject],
    selection: Selection,
    *,
    add_unknown: bool = False,
) -> Mapping[str, SubjectRow]:
    """Rows by export ident: a name match wins over a code match (§2)."""
    by_name = _first_by_norm([(norm(s.name), s.name) for s in referential])
    by_code = _first_by_norm([(norm(s.code), s.name) for s in referential if s.code])
    rows: dict[str, SubjectRow] = {}
    for subject in timetable.subjects.values():
        key = norm(subject.label)
        ent_name = by_name.get(key)
        matched_by: str | None = "name"
        if ent_name is None and norm(subject.code):
            ent_name, matched_by = by_code.get(norm(subject.code)), "code"
        choice = selection.subjects.get(key)
        if ent_name is not None:
            deactivated = choice is SubjectChoice.INACTIVE
            status = ItemStatus.DEACTIVATED if deactivated else ItemStatus.RECOGNISED
        else:
            matched_by = None
            if choice in (SubjectChoice.ADDED, SubjectChoice.ACTIVE) or (
                choice is None and add_unknown
            ):
                status = ItemStatus.ADDED
            else:
                status = ItemStatus.NEW
        rows[subject.ident] = SubjectRow(
            subject.ident, subject.code, subject.label, key, ent_name, matched_by, status
        )
    return rows


def match_classes(
    timetable: Timetable,
    referential: Sequence[ReferentialClass],
    selection: Selection,
    *,
    activate_unmatched: bool = False,
) -> Mapping[str, ClassRow]:
    """Rows by export ident: matched by `norm(name)` start active, unmatched start inactive (§3)."""
    by_name = _first_by_norm([(norm(c.name), c.name) for c in referential])
    rows: dict[str, ClassRow] = {}
    for school_class in timetable.classes.values():
        key = norm(school_class.name)
        ent_name = by_name.get(key)
        decided = selection.classes.get(key)
        if ent_name is not None:
            status = ItemStatus.DEACTIVATED if decided is False else ItemStatus.RECOGNISED
        elif decided is True or (decided is None and activate_unmatched):
            status = ItemStatus.ADDED
        else:
            status = ItemStatus.DEACTIVATED if decided is False else ItemStatus.NEW
        rows[school_class.ident] = ClassRow(
            school_class.ident, school_class.name, key, ent_name, status
        )
    return rows


def list_groups(timetable: Timetable, selection: Selection) -> Mapping[str, GroupRow]:
    """Every group is listed and starts active (§3)."""
    rows: dict[str, GroupRow] = {}
    for group in timetable.groups.values():
        key = norm(group.name)
        active = selection.groups.get(key, True)
        status = ItemStatus.RECOGNISED if active else ItemStatus.DEACTIVATED
        rows[group.ident] = GroupRow(group.ident, group.name, key, status)
    return rows
