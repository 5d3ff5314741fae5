"""Establishments, their settings, the directory and the referential, and the health check."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from edt_tui.wire.base import StrictIn, Wire

MAX_FREEZE_MINUTES = 366 * 24 * 60
"""A freeze window longer than a school year would freeze everything: refused."""


class Health(Wire):
    status: str
    version: str
    schema_version: int
    queued: int | None = Field(
        default=None,
        description="jobs waiting for a worker, all establishments (null: this store runs no "
        "imports)",
    )
    running: int | None = None


class Establishment(Wire):
    uai: str
    name: str
    timezone: str
    daily_quota: int


class EstablishmentSettings(Establishment):
    push_path: str = Field(
        description="`/push/<uai>/<secret>`: where PRONOTE pushes automatic exports (POST or "
        "PUT), appended to the service's URL"
    )
    freeze_minutes: int = Field(description="freeze window after T, in minutes")
    max_deletion_percent: int = Field(description="mass-deletion threshold, in percent")


class SettingsIn(StrictIn):
    """Settings of an establishment; absent fields are kept. `timezone` and `daily_quota` are
    platform policy; the import guards are the establishment admin's."""

    timezone: str | None = Field(default=None, min_length=1, max_length=64,
                                 description="IANA zone, e.g. Europe/Paris")
    daily_quota: int | None = Field(default=None, ge=0, le=96,
                                    description="automatic imports accepted per day")
    freeze_minutes: int | None = Field(
        default=None, ge=0, le=MAX_FREEZE_MINUTES, strict=True,
        description="events starting less than this many minutes after T are never created, "
        "changed or deleted (0: only past events are)",
    )
    max_deletion_percent: int | None = Field(
        default=None, ge=0, le=100, strict=True,
        description="an import deleting more than this share of the import-created "
        "memberships or of the future events is a mass deletion (refused unless confirmed)",
    )


class DirectoryUser(Wire):
    uai: str
    sync_id: str
    profile: str
    last_name: str
    first_name: str
    birth_date: date | None
    cas_login: str | None
    source: str
    idpn: str | None = Field(description="PRONOTE id linked by an earlier import")
    link_method: str | None
    link_validated_by: str | None
    linked_at: datetime | None

    @property
    def reconciled(self) -> bool:
        return self.idpn is not None


class SubjectIn(StrictIn):
    name: str = Field(min_length=1, max_length=200)
    code: str | None = Field(default=None, max_length=50)


class Subject(Wire):
    uai: str
    name: str
    code: str | None


class SchoolClass(Wire):
    uai: str
    name: str
