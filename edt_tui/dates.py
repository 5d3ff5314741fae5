"""One way to show a moment to a person: `JJ/MM/AAAA HH:MM` in the establishment's time zone.

Stored times are ISO 8601 with an offset (UTC for the service's own clocks); every screen, the
session list and the history print them through `local_label`, so one date reads the same
everywhere. The zone is the establishment's (`Establishment.timezone`: Europe/Paris, or an overseas
académie's such as America/Cayenne or Indian/Reunion); Europe/Paris where none is known — an
import session recorded before sessions kept their establishment's zone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Europe/Paris"
DEFAULT_ZONE = ZoneInfo(DEFAULT_TIMEZONE)


def zone_named(name: str | None) -> ZoneInfo:
    """The IANA zone `name` (an establishment's `timezone`); Europe/Paris for None or ''.

    Raises `zoneinfo.ZoneInfoNotFoundError` (a `KeyError`) or `ValueError` for an unknown name.
    """
    return ZoneInfo(name) if name else DEFAULT_ZONE


def local_label(value: str | datetime | None, zone: ZoneInfo = DEFAULT_ZONE) -> str:
    """`28/11/2026 10:32` in `zone`; empty for None or an empty string."""
    if value is None or value == "":
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:  # naive stored times are UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone).strftime("%d/%m/%Y %H:%M")


def french_date(value: str | None) -> str:
    """`2014-10-13` → `13/10/2014` (a birth date, no time zone); empty for None."""
    if not value:
        return ""
    return f"{value[8:10]}/{value[5:7]}/{value[0:4]}"
