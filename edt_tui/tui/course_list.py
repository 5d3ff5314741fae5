"""« Cours créés par intégration » as a list: its columns and its two filters. No Textual here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from edt_tui.client.models import Course
from edt_tui.tui.formatting import when
from edt_tui.tui.selection_model import Column

DATE: dict[str, Any] = {"width": 16, "min_width": 10}
"""A date column: `JJ/MM/AAAA HH:MM`, shrunk to the day before it is left out."""


def course_columns(organisation: str, zone: ZoneInfo) -> list[Column[Course]]:
    """The list's columns, its dates in `zone` (the establishment's time zone)."""
    return [
        Column("label", "Intitulé", lambda c: c.label, min_width=36),
        Column("org", "Organisation", lambda c: organisation, width=14, min_width=8),
        Column("by", "Créé par", lambda c: c.created_by, width=11),
        Column("participants", "Part.", lambda c: f"{c.participants:>4}", width=5),
        Column("visit", "Dernière visite", lambda c: when(c.last_visit_at, zone), **DATE),
        Column("updated", "Dernière mise à jour", lambda c: when(c.updated_at, zone), **DATE),
        Column("created", "Créé le", lambda c: when(c.created_at, zone), **DATE),
    ]


def course_filter(
    courses: Sequence[Course], *, below: int | None, idle_days: int | None, now: datetime
) -> list[Course]:
    """ "Moins de N participants" and "non consultés depuis N jours" (never visited counts)."""
    kept = list(courses)
    if below is not None:
        kept = [c for c in kept if c.participants < below]
    if idle_days is not None:
        limit = now - timedelta(days=idle_days)
        kept = [c for c in kept if c.last_visit_at is None or c.last_visit_at < limit]
    return kept
