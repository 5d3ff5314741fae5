"""Guards that make an import safe to run unattended: the freeze window and the mass-deletion
verdict (import rules §5 and §8 as amended; the rules as implemented are in docs/).

Pure: the service reads the establishment's settings and acts on the verdict (refuse an
automatic import, ask a manual one for confirmation).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from edt_tui.engine.diff import EntIndex
from edt_tui.engine.model import Action, ActionType, CourseOrigin, EntState

DEFAULT_MAX_DELETION_PERCENT = 20
TOP_COURSES = 10


@dataclass(frozen=True, slots=True)
class GuardSettings:
    """An establishment's guards; the defaults change nothing to the rules."""

    freeze_minutes: int = 0
    """Events starting before T + this are never created, changed or deleted."""
    max_deletion_percent: int = DEFAULT_MAX_DELETION_PERCENT
    """Deleting more than this share of memberships or of future events is a mass deletion."""


def frozen_until(reference_time: datetime, freeze_minutes: int) -> datetime:
    """T + freeze in elapsed time (a DST change inside the window does not move it), in T's
    zone (the offset after the change, as the events of that day have it)."""
    instant = reference_time.astimezone(UTC) + timedelta(minutes=freeze_minutes)
    return instant.astimezone(reference_time.tzinfo)


@dataclass(frozen=True, slots=True)
class Share:
    deleted: int
    total: int

    @property
    def percent(self) -> float:
        """Of `total`, one decimal (0 when there is nothing to delete)."""
        return round(100 * self.deleted / self.total, 1) if self.total else 0.0

    def over(self, threshold_percent: int) -> bool:
        """Strictly more than the threshold, in exact integers (no rounding at the limit)."""
        return self.deleted * 100 > threshold_percent * self.total


@dataclass(frozen=True, slots=True)
class CourseLoss:
    key: str
    label: str
    memberships: int
    events: int


@dataclass(frozen=True, slots=True)
class DeletionVerdict:
    memberships: Share
    """Deleted memberships of import-created courses, of all those the ENT holds."""
    events: Share
    """Deleted events of import-created courses, of those starting at or after the boundary."""
    threshold_percent: int
    top_courses: tuple[CourseLoss, ...]
    """The courses losing the most (memberships + events), at most `TOP_COURSES`."""

    @property
    def mass_deletion(self) -> bool:
        return self.memberships.over(self.threshold_percent) or self.events.over(
            self.threshold_percent
        )


def assess_deletions(
    actions: Sequence[Action], ent: EntState, index: EntIndex, *, threshold_percent: int
) -> DeletionVerdict:
    """How much of what earlier imports created `actions` delete, against the threshold.

    `index` (the diff's) already holds the memberships and the deletable events by course, so
    the verdict costs a pass over the courses and the deletions only.
    """
    integration = [
        key for key, course in ent.courses.items() if course.origin is CourseOrigin.INTEGRATION
    ]
    memberships_total = sum(len(index.memberships.get(key, ())) for key in integration)
    events_total = sum(len(index.future.get(key, ())) for key in integration)
    lost_memberships: Counter[str] = Counter()
    lost_events: Counter[str] = Counter()
    delete_membership, delete_event = ActionType.DELETE_MEMBERSHIP, ActionType.DELETE_EVENT
    for action in actions:
        kind = action.type
        if kind is delete_membership and action.membership is not None:
            lost_memberships[action.membership.course_key] += 1
        elif kind is delete_event and action.event is not None:
            lost_events[action.event.course_key] += 1
    losses = [
        CourseLoss(
            key,
            ent.courses[key].label if key in ent.courses else key,
            lost_memberships[key],
            lost_events[key],
        )
        for key in lost_memberships.keys() | lost_events.keys()
    ]
    losses.sort(key=lambda c: (-(c.memberships + c.events), c.label, c.key))
    return DeletionVerdict(
        memberships=Share(sum(lost_memberships.values()), memberships_total),
        events=Share(sum(lost_events.values()), events_total),
        threshold_percent=threshold_percent,
        top_courses=tuple(losses[:TOP_COURSES]),
    )
