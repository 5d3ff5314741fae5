"""The HTTP API's bodies, defined once: the service answers with them (and FastAPI documents
them), the client parses with them.

Below both `service` and `client`: it imports the engine (to build plans' models) and pydantic,
nothing of the service, the client or the TUI. A new field of a resource goes in its model here
(and, when the service has a record for it, in the one function that converts that record).
"""

from edt_tui.wire.accounts import AccountCounts, Accounts, UnreconciledAccount
from edt_tui.wire.base import Page, Timestamp, Wire, WireIn
from edt_tui.wire.courses import Course, Event, HierarchyNode, Membership
from edt_tui.wire.directory import (
    DirectoryUser,
    Establishment,
    EstablishmentSettings,
    Health,
    SchoolClass,
    SettingsIn,
    Subject,
    SubjectIn,
)
from edt_tui.wire.exports import ExportCounts, ExportSummary, ExportWarning, FileSummary
from edt_tui.wire.helpdesk import HelpdeskSnapshot
from edt_tui.wire.jobs import (
    ImportJob,
    ImportJobDetail,
    ImportJobIn,
    JobAction,
    JobIn,
    SelectionIn,
    SelectionSaved,
    SelectionVersion,
    UndoIn,
)
from edt_tui.wire.plans import (
    STEPS,
    Guard,
    IgnoredSession,
    PlanContract,
    PlanCourseDetail,
    PlanStepPage,
    PlanSteps,
    PlanSummary,
)
from edt_tui.wire.problems import PROBLEM_MEDIA_TYPE, ProblemDetails
from edt_tui.wire.push import AutomaticStatus, PushAnswer

__all__ = [
    "PROBLEM_MEDIA_TYPE", "STEPS", "AccountCounts", "Accounts", "AutomaticStatus", "Course",
    "DirectoryUser", "Establishment", "EstablishmentSettings", "Event", "ExportCounts",
    "ExportSummary", "ExportWarning", "FileSummary", "Guard", "Health", "HelpdeskSnapshot",
    "HierarchyNode", "IgnoredSession", "ImportJob", "ImportJobDetail", "ImportJobIn", "JobAction",
    "JobIn", "Membership", "Page", "PlanContract", "PlanCourseDetail", "PlanStepPage", "PlanSteps",
    "PlanSummary", "ProblemDetails", "PushAnswer", "SchoolClass", "SelectionIn", "SelectionSaved",
    "SelectionVersion", "SettingsIn", "Subject", "SubjectIn", "Timestamp", "UndoIn",
    "UnreconciledAccount", "Wire", "WireIn",
]
