"""The client's typed results: the service's own wire models (`edt_tui.wire`), named as the
client has always named them."""

from __future__ import annotations

from edt_tui.wire import (
    Course,
    DirectoryUser,
    Establishment,
    EstablishmentSettings,
    Event,
    ExportSummary,
    Health,
    HierarchyNode,
    ImportJob,
    ImportJobDetail,
    Membership,
    Page,
    SchoolClass,
    Subject,
)

__all__ = [
    "Course", "DirectoryUser", "Establishment", "EstablishmentSettings", "Event",
    "ExportSummary", "Health", "HierarchyNode", "ImportJob", "ImportJobDetail", "Membership",
    "Page", "SchoolClass", "Subject",
]
