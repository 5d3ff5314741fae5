"""The store's records as the API's wire models (`edt_tui.wire`): one function per record."""

from __future__ import annotations

from edt_tui import wire
from edt_tui.service.records import (
    ClassRecord,
    CourseRecord,
    Establishment,
    EventRecord,
    ExportRecord,
    HierarchyNode,
    MembershipRecord,
    SubjectRecord,
    UserRecord,
)


def establishment(e: Establishment) -> wire.Establishment:
    return wire.Establishment(uai=e.uai, name=e.name, timezone=e.timezone,
                              daily_quota=e.daily_quota)


def settings(e: Establishment) -> wire.EstablishmentSettings:
    """With the push path: it holds the secret, so only callers in scope get it."""
    return wire.EstablishmentSettings(
        uai=e.uai, name=e.name, timezone=e.timezone, daily_quota=e.daily_quota,
        push_path=f"/push/{e.uai}/{e.push_secret}", freeze_minutes=e.freeze_minutes,
        max_deletion_percent=e.max_deletion_percent,
    )


def user(u: UserRecord) -> wire.DirectoryUser:
    return wire.DirectoryUser(
        uai=u.uai, sync_id=u.sync_id, profile=u.profile.value, last_name=u.last_name,
        first_name=u.first_name, birth_date=u.birth_date, cas_login=u.cas_login,
        source=u.source.value, idpn=u.idpn, link_method=u.link_method,
        link_validated_by=u.link_validated_by, linked_at=u.linked_at,
    )


def subject(s: SubjectRecord) -> wire.Subject:
    return wire.Subject(uai=s.uai, name=s.name, code=s.code)


def school_class(c: ClassRecord) -> wire.SchoolClass:
    return wire.SchoolClass(uai=c.uai, name=c.name)


def export_summary(record: ExportRecord) -> wire.ExportSummary:
    """The stored summary (`exports.summarize`) with the storage fields."""
    return wire.ExportSummary.model_validate({
        "sha256": record.sha256, "file_name": record.file_name, "size": record.size,
        "uploaded_at": record.uploaded_at, **record.summary,
    })


def course(c: CourseRecord) -> wire.Course:
    return wire.Course(
        key=c.key, uai=c.uai, school_year=c.school_year, label=c.label, subject=c.subject,
        audience_kind=c.audience_kind.value, audience_name=c.audience_name,
        origin=c.origin.value, created_by=c.created_by, created_at=c.created_at,
        updated_at=c.updated_at, last_visit_at=c.last_visit_at, participants=c.participants,
    )


def membership(m: MembershipRecord) -> wire.Membership:
    return wire.Membership(key=m.key, course_key=m.course_key, user=m.user, role=m.role.value,
                           created_at=m.created_at)


def event(e: EventRecord) -> wire.Event:
    return wire.Event(
        key=e.key, course_key=e.course_key, start=e.start, end=e.end, title=e.title,
        rooms=tuple(e.rooms), teachers=tuple(e.teachers), updated_at=e.updated_at,
    )


def hierarchy_node(n: HierarchyNode) -> wire.HierarchyNode:
    return wire.HierarchyNode(
        key=n.key, uai=n.uai, school_year=n.school_year, title=n.title,
        parent_key=n.parent_key, course_key=n.course_key,
    )
