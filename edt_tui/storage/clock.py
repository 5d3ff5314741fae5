"""The one clock and the one timestamp format of every table.

Timestamps are stored as text, UTC, ISO 8601 with microseconds (`2026-09-01T06:00:00.000000+00:00`):
one fixed width, so text order is time order on every backend.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


def stamp(value: datetime) -> str:
    """The stored form of a moment (an aware datetime)."""
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def parse_stamp(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
