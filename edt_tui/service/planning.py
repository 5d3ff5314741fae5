"""Plans computed by the service: for the wizard's dry run, for `plan`, and for a job at run time.

Parsing an export and planning it are the expensive steps (a large lycée: ~1 s each), and the
wizard pages through six step lists: parsed exports and plans are kept in small LRU caches keyed
by everything the plan depends on that the caller chooses (export, selection, T, options). The
ENT side (directory, earlier imports) can change under a cached plan: entries expire after
`PLAN_TTL` seconds, whenever a job finishes in this process, and when the establishment's
newest ended job is another than when they were made (`ent_version`: a job an `edt-tui worker`
process ended).

Several API servers on one database share plan ids: each plan's request (not the plan) is stored
(`PlanRequestLog`), and a server that never computed a plan id plans its request again — the same
id, the same plan, since a plan depends only on its request and the ENT.

Tenancy: every cache is keyed by (UAI, id), never by the id alone, so an id of another
establishment (plan ids and hashes appear in URLs and logs) is simply not found.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from edt_tui.engine.guards import GuardSettings
from edt_tui.engine.model import DirectoryUser, EntState
from edt_tui.engine.plan import Plan, build_plan
from edt_tui.engine.reconciliation import PersonRow
from edt_tui.engine.selection import Selection, SubjectChoice
from edt_tui.errors import BadInputError
from edt_tui.pronote.model import Export
from edt_tui.service.exports import ExportIntake, UaiMismatchError
from edt_tui.service.store import Store
from edt_tui.wire import PlanSteps

PLAN_TTL = 300.0
REQUEST_FORMAT = 1
"""Version of a stored plan request's document; a document of another format is not found."""
OPTION_NAMES = ("add_unknown_subjects", "activate_unmatched_classes")


@dataclass(frozen=True, slots=True)
class PlanOptions:
    add_unknown_subjects: bool = False
    activate_unmatched_classes: bool = False

    def to_dict(self) -> dict[str, bool]:
        return {n: bool(getattr(self, n)) for n in OPTION_NAMES}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> PlanOptions:
        data = data or {}
        return cls(**{n: bool(data.get(n, False)) for n in OPTION_NAMES})


def selection_document(selection: Selection, options: PlanOptions) -> dict[str, Any]:
    """What the service stores as a selection version: decisions plus the two default flags."""
    return {**selection.to_dict(), "options": options.to_dict()}


def parse_selection_document(data: Mapping[str, Any]) -> tuple[Selection, PlanOptions]:
    """Raises BadInputError on a malformed document (stored or sent by a client)."""
    try:
        selection = Selection.from_dict(data)
    except ValueError as exc:
        raise BadInputError(
            f"selection: {exc}", hint="send Selection.to_dict() (format 1) or omit it"
        ) from None
    return selection, PlanOptions.from_dict(data.get("options"))


def known_entities(plan: Plan) -> dict[str, list[str]]:
    """Keys of everything a manual import saw: an automatic import syncs nothing newer."""
    return {
        "subjects": sorted(r.key for r in plan.subjects),
        "classes": sorted(r.key for r in plan.classes),
        "groups": sorted(r.key for r in plan.groups),
        "courses": sorted(c.key for c in plan.courses),
    }


def new_entities(plan: Plan, known: Mapping[str, Any]) -> dict[str, list[dict[str, str]]]:
    """Subjects, classes, groups and courses of `plan` the last manual import did not see."""
    seen = {kind: set(known.get(kind) or ()) for kind in ("subjects", "classes", "groups")}
    courses_seen = set(known.get("courses") or ())
    return {
        "subjects": [
            {"key": r.key, "label": r.export_label} for r in plan.subjects
            if r.key not in seen["subjects"]
        ],
        "classes": [
            {"key": r.key, "label": r.export_name} for r in plan.classes
            if r.key not in seen["classes"]
        ],
        "groups": [
            {"key": r.key, "label": r.name} for r in plan.groups if r.key not in seen["groups"]
        ],
        "courses": [
            {"key": c.key, "label": c.label} for c in plan.courses if c.key not in courses_seen
        ],
    }


def without_new(selection: Selection, new: Mapping[str, Any]) -> Selection:
    """`selection` with every new entity deactivated (reported, not synced — rules §9)."""
    for item in new.get("subjects", ()):
        selection = selection.with_subject(item["key"], SubjectChoice.INACTIVE)
    for item in new.get("classes", ()):
        selection = selection.with_class(item["key"], False)
    for item in new.get("groups", ()):
        selection = selection.with_group(item["key"], False)
    for item in new.get("courses", ()):
        selection = selection.with_course(item["key"], False)
    return selection


def _people(rows: Sequence[PersonRow]) -> dict[str, Any]:
    unreconciled = sorted(
        (r for r in rows if not r.reconciled), key=lambda r: (r.last_name, r.first_name, r.ident)
    )
    return {
        "reconciled": len(rows) - len(unreconciled),
        "unreconciled": [
            {
                "last_name": r.last_name,
                "first_name": r.first_name,
                "birth_date": r.birth_date.isoformat() if r.birth_date else None,
                "classes": r.classes,
            }
            for r in unreconciled
        ],
    }


def people_document(plan: Plan) -> dict[str, Any]:
    """The account check of §4.2 and the IDPN links to store once the job succeeds."""
    return {
        "teachers": _people(plan.teachers),
        "students": _people(plan.students),
        "idpn_links": [list(link) for link in plan.idpn_links],
    }


@dataclass(frozen=True, slots=True)
class PlanRequest:
    uai: str
    export_sha256: str
    selection: Selection
    options: PlanOptions
    reference_time: datetime

    @property
    def plan_id(self) -> str:
        doc = json.dumps(
            [self.uai, self.export_sha256, selection_document(self.selection, self.options),
             self.reference_time.astimezone(UTC).isoformat()],
            sort_keys=True,
        )
        return hashlib.sha256(doc.encode()).hexdigest()[:24]

    def to_document(self) -> dict[str, Any]:
        """JSON, bounded by the request body it came from; T keeps its offset and its zone so
        the plan made again reads T exactly as the first one did."""
        zone = self.reference_time.tzinfo
        return {
            "format": REQUEST_FORMAT, "uai": self.uai, "export_sha256": self.export_sha256,
            "selection": selection_document(self.selection, self.options),
            "reference_time": self.reference_time.isoformat(),
            "zone": zone.key if isinstance(zone, ZoneInfo) else None,
        }

    @classmethod
    def from_document(cls, data: Mapping[str, Any]) -> PlanRequest | None:
        """The request `to_document` wrote; None for a document of another format."""
        if data.get("format") != REQUEST_FORMAT:
            return None
        selection, options = parse_selection_document(data["selection"])
        reference_time = datetime.fromisoformat(data["reference_time"])
        if data["zone"] is not None:
            reference_time = reference_time.astimezone(ZoneInfo(data["zone"]))
        return cls(data["uai"], data["export_sha256"], selection, options, reference_time)


class PlanRequestLog(Protocol):
    """Where plan requests are shared between the API servers of one database."""

    def save(self, uai: str, plan_id: str, document: Mapping[str, Any]) -> None: ...

    def load(self, uai: str, plan_id: str) -> Mapping[str, Any] | None: ...


TenantKey = tuple[str, str]
"""(UAI, id): the only key the planner's caches accept."""


class _Lru:
    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[TenantKey, tuple[float, Any]] = OrderedDict()

    def get(self, key: TenantKey, ttl: float | None = None) -> Any:
        found = self.items.get(key)
        if found is None or (ttl is not None and time.monotonic() - found[0] > ttl):
            return None
        self.items.move_to_end(key)
        return found[1]

    def put(self, key: TenantKey, value: Any) -> None:
        self.items[key] = (time.monotonic(), value)
        self.items.move_to_end(key)
        while len(self.items) > self.size:
            self.items.popitem(last=False)


class Planner:
    """Thread-safe: API requests and the worker plan from threads."""

    def __init__(
        self, store: Store, intake: ExportIntake, *, requests: PlanRequestLog, exports: int = 2,
        plans: int = 4, ent_version: Callable[[str], object] = lambda uai: None,
    ) -> None:
        self.store = store
        self.intake = intake
        self.requests = requests
        self.ent_version = ent_version
        """What changes when a job of the establishment ends, in this process or another (an
        `edt-tui worker`): a cached plan or step list made under another version is stale."""
        self._exports = _Lru(exports)
        self._plans = _Lru(plans)
        self._steps = _Lru(plans)
        self._requests = _Lru(256)
        """What each recent plan id was computed from (recomputed when evicted from `_plans`);
        the stored requests (`requests`) hold the others'."""
        self._lock = threading.Lock()

    def export(self, uai: str, sha256: str) -> Export:
        """The stored export, parsed once; BadInputError when unknown for `uai`."""
        with self._lock:
            cached = self._exports.get((uai, sha256))
        if cached is not None:
            return cached
        record = self.store.get_export(uai, sha256)
        if record is None:
            raise BadInputError(
                f"no export {sha256} for establishment {uai}",
                hint="upload it first (POST /api/v1/establishments/{uai}/exports)",
            )
        export = self.intake.read(self.store.export_bytes(uai, sha256), record.file_name)
        with self._lock:
            self._exports.put((uai, sha256), export)
        return export

    def remember(self, uai: str, export: Export) -> None:
        """An export of `uai` just read (a push): the job will not parse it again."""
        with self._lock:
            self._exports.put((uai, export.sha256), export)

    def compute(
        self, uai: str, export: Export, selection: Selection, options: PlanOptions,
        reference_time: datetime, *, ent_state: EntState | None = None,
        directory: Sequence[DirectoryUser] | None = None,
    ) -> Plan:
        """A fresh plan against the ENT as it is now (no cache), or against `ent_state` and
        `directory` as they were (a helpdesk bundle of an import that already ran)."""
        if export.uai != uai:
            raise UaiMismatchError(export.uai, uai, export.source_name or "export")
        establishment = self.store.get_establishment(uai)
        if establishment is None:
            raise BadInputError(f"unknown establishment {uai}")
        year = export.timetable.school_year
        subjects, classes = self.store.referential(uai)
        return build_plan(
            export.timetable, uai=uai, timezone=establishment.timezone,
            reference_time=reference_time,
            directory=self.store.directory(uai) if directory is None else tuple(directory),
            referential_subjects=subjects, referential_classes=classes,
            ent_state=(
                self.store.ent_state(uai, year.label if year else "")
                if ent_state is None else ent_state
            ),
            selection=selection, add_unknown_subjects=options.add_unknown_subjects,
            activate_unmatched_classes=options.activate_unmatched_classes,
            guards=GuardSettings(
                establishment.freeze_minutes, establishment.max_deletion_percent
            ),
        )

    def plan(self, request: PlanRequest, *, share: bool = True) -> tuple[str, Plan]:
        """The plan of `request` and its id. With `share` (a client receives the id) its request
        is stored, or its date refreshed, even when the plan was cached, so that any API server
        answers the id; without, nothing is written (the plan of a check, or of a stored id)."""
        plan_id, key = request.plan_id, (request.uai, request.plan_id)
        version = self.ent_version(request.uai)
        with self._lock:
            cached = self._plans.get(key, PLAN_TTL)
        if cached is not None and cached[0] == version:
            plan: Plan = cached[1]
        else:
            export = self.export(request.uai, request.export_sha256)
            plan = self.compute(
                request.uai, export, request.selection, request.options, request.reference_time
            )
            with self._lock:
                self._plans.put(key, (version, plan))
                self._requests.put(key, request)
        if share:
            self.requests.save(request.uai, plan_id, request.to_document())
        return plan_id, plan

    def get(self, uai: str, plan_id: str) -> Plan | None:
        """A plan by id of `uai`, recomputed when it left the cache or was computed by another
        server; None when unknown to the establishment (never computed, or its request pruned)."""
        with self._lock:
            request: PlanRequest | None = self._requests.get((uai, plan_id))
        if request is None:
            document = self.requests.load(uai, plan_id)
            request = PlanRequest.from_document(document) if document is not None else None
            if request is None or (request.uai, request.plan_id) != (uai, plan_id):
                return None  # written by a version that derived ids otherwise: plan it again
        return self.plan(request, share=False)[1]

    def steps(self, uai: str, plan_id: str) -> PlanSteps | None:
        """The step lists of a plan, built once per cached plan (the wizard pages them)."""
        version = self.ent_version(uai)
        with self._lock:
            cached = self._steps.get((uai, plan_id), PLAN_TTL)
        if cached is not None and cached[0] == version:
            return cached[1]
        plan = self.get(uai, plan_id)
        if plan is None:
            return None
        steps = PlanSteps.of(plan, plan_id)
        with self._lock:
            self._steps.put((uai, plan_id), (version, steps))
        return steps

    def invalidate(self) -> None:
        """The ENT changed (a job finished): cached plans are stale."""
        with self._lock:
            self._plans.items.clear()
            self._steps.items.clear()

