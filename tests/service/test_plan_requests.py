"""A plan's request as stored for the other API servers: read back, it is the same request (the
same plan id, T in the same zone), and a document of another format is not a request."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from edt_tui.engine.selection import Selection, SubjectChoice
from edt_tui.service.planning import PlanOptions, PlanRequest

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize("reference_time", [
    datetime(2026, 11, 28, 8, 0, tzinfo=PARIS),  # sent without offset: the establishment's zone
    datetime(2026, 11, 28, 8, 0, tzinfo=timezone(timedelta(hours=1))),  # sent with an offset
    datetime(2026, 11, 28, 7, 0, tzinfo=UTC),  # now
])
def test_a_stored_request_reads_back_as_the_same_request(reference_time: datetime) -> None:
    selection = Selection.default().with_course("c-1", False).with_subject(
        "maths", SubjectChoice.INACTIVE
    )
    request = PlanRequest("0490856P", "ab" * 32, selection, PlanOptions(True, False),
                          reference_time)
    stored = json.loads(json.dumps(request.to_document()))  # what the database keeps
    again = PlanRequest.from_document(stored)
    assert again is not None and again.plan_id == request.plan_id
    assert (again.selection, again.options) == (selection, request.options)
    assert again.reference_time.isoformat() == reference_time.isoformat()
    assert again.reference_time.utcoffset() == reference_time.utcoffset()
    if isinstance(reference_time.tzinfo, ZoneInfo):  # its wall-clock arithmetic, too
        assert again.reference_time.tzinfo == reference_time.tzinfo


def test_a_document_of_another_format_is_not_a_request() -> None:
    request = PlanRequest("0490856P", "ab" * 32, Selection.default(), PlanOptions(),
                          datetime(2026, 11, 28, 7, 0, tzinfo=UTC))
    assert PlanRequest.from_document({**request.to_document(), "format": 2}) is None
