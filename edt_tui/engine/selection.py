"""The admin's decisions, keyed by natural keys that survive a newer export.

Keys (documented in the README):
- subject: `norm(Libelle)`; class: `norm(Nom)`; group: `norm(Nom)`; course: the course key;
- person: `IDPN` when the export gives one, else `<profile>:<export ident>` (profile `teacher` or
  `student`) — see `person_key`.

An automatic import re-applies the last manual selection on a newer export: entities that have no
decision fall back to the defaults of import-rules §2–§3 (recognised subjects and matched classes
active, every group active, every course active, automatic reconciliation).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from edt_tui.engine.model import Profile
from edt_tui.pronote.model import frozen_map

SELECTION_FORMAT = 1


class SubjectChoice(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    ADDED = "added"
    """Added to the ENT referential: active, labelled with the export's `Libelle`."""


class PersonChoice(StrEnum):
    VALIDATE = "validate"
    """Keep the automatic match (the default, recorded for the history)."""
    REFUSE = "refuse"
    """Reject the automatic match: the person stays unreconciled."""
    LINK = "link"
    """Link to the ENT account `sync_id` (usually picked from a fuzzy suggestion)."""
    CONFIRM_RELINK = "confirm_relink"
    """Accept the identity match although the account carries another IDPN (§7 regeneration)."""


@dataclass(frozen=True, slots=True)
class PersonDecision:
    choice: PersonChoice
    sync_id: str | None = None
    """The chosen ENT account for `LINK` (and, optionally, the confirmed one for the others)."""


def person_key(profile: Profile, ident: str, idpn: str | None) -> str:
    """A person's stable key: the IDPN survives re-exports, the export ident is the fallback."""
    return idpn if idpn else f"{profile.value}:{ident}"


@dataclass(frozen=True, slots=True)
class Selection:
    """Immutable; every `with_*` method returns a new selection."""

    subjects: Mapping[str, SubjectChoice] = field(default_factory=frozen_map)
    classes: Mapping[str, bool] = field(default_factory=frozen_map)
    groups: Mapping[str, bool] = field(default_factory=frozen_map)
    deactivated_courses: frozenset[str] = frozenset()
    people: Mapping[str, PersonDecision] = field(default_factory=frozen_map)

    @classmethod
    def default(cls) -> Selection:
        """No decision at all: the contract's default selection."""
        return cls()

    def with_subject(self, subject_key: str, choice: SubjectChoice) -> Selection:
        return replace(self, subjects=frozen_map({**self.subjects, subject_key: choice}))

    def with_class(self, class_key: str, active: bool) -> Selection:
        return replace(self, classes=frozen_map({**self.classes, class_key: active}))

    def with_group(self, group_key: str, active: bool) -> Selection:
        return replace(self, groups=frozen_map({**self.groups, group_key: active}))

    def with_course(self, course_key: str, active: bool) -> Selection:
        keys = (
            self.deactivated_courses - {course_key}
            if active
            else self.deactivated_courses | {course_key}
        )
        return replace(self, deactivated_courses=frozenset(keys))

    def with_person(self, key: str, decision: PersonDecision | None) -> Selection:
        """Record a decision, or forget it with `None` (back to automatic reconciliation)."""
        people = {k: v for k, v in self.people.items() if k != key}
        if decision is not None:
            people[key] = decision
        return replace(self, people=frozen_map(people))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe, versioned, sorted (stable diffs in stores)."""
        return {
            "format": SELECTION_FORMAT,
            "subjects": {k: v.value for k, v in sorted(self.subjects.items())},
            "classes": dict(sorted(self.classes.items())),
            "groups": dict(sorted(self.groups.items())),
            "deactivated_courses": sorted(self.deactivated_courses),
            "people": {
                k: {"choice": d.choice.value, "sync_id": d.sync_id}
                for k, d in sorted(self.people.items())
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Selection:
        """Inverse of `to_dict`; raises ValueError on an unknown format or value."""
        if data.get("format") != SELECTION_FORMAT:
            raise ValueError(f"unsupported selection format {data.get('format')!r}")
        try:
            return cls(
                subjects=frozen_map(
                    {str(k): SubjectChoice(v) for k, v in data.get("subjects", {}).items()}
                ),
                classes=frozen_map({str(k): bool(v) for k, v in data.get("classes", {}).items()}),
                groups=frozen_map({str(k): bool(v) for k, v in data.get("groups", {}).items()}),
                deactivated_courses=frozenset(str(k) for k in data.get("deactivated_courses", [])),
                people=frozen_map(
                    {
                        str(k): PersonDecision(PersonChoice(v["choice"]), v.get("sync_id"))
                        for k, v in data.get("people", {}).items()
                    }
                ),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"malformed selection: {exc}") from exc
