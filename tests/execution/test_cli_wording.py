"""The CLI's English wording of statuses, recap rows and job reasons (the TUI keeps French)."""

from __future__ import annotations

from edt_tui.commands._wording import ACTION_NAMES, reason_text, status_text
from edt_tui.engine.model import ActionType
from edt_tui.service.jobs import RESUMED
from edt_tui.service.push import SUPERSEDED
from edt_tui.service.vocabulary import (
    ACTION_LABELS,
    FIRST_MANUAL_IMPORT_REQUIRED,
    STATUS_LABELS,
    JobOutcome,
    JobStatus,
)


def test_every_action_type_has_a_distinct_english_name() -> None:
    assert list(ACTION_NAMES) == list(ActionType) == list(ACTION_LABELS)
    names = list(ACTION_NAMES.values())
    assert len(set(names)) == len(names) and all(name.isascii() for name in names)


def test_a_status_shows_the_contract_word_then_the_tui_label() -> None:
    assert status_text(JobStatus.DONE.value, STATUS_LABELS[JobStatus.DONE]) == "done (Fait)"
    assert status_text("queued", "") == "queued"


def test_known_reasons_are_explained_in_english_beside_the_recorded_french() -> None:
    superseded = {"status": "done", "outcome": JobOutcome.SUPERSEDED.value, "reason": SUPERSEDED,
                  "why": {"code": "superseded", "params": {}}}
    assert reason_text(superseded) == (
        f"replaced by a newer automatic push before it started ({SUPERSEDED})"
    )
    resumed = {"status": "queued", "outcome": None, "reason": RESUMED}
    assert reason_text(resumed).startswith("resumed after an interruption (")
    refused = {"status": "refused", "reason": f"Envoi refusé : {FIRST_MANUAL_IMPORT_REQUIRED}"}
    text = reason_text(refused)
    assert text.startswith("push refused: a first manual import is needed (")
    assert FIRST_MANUAL_IMPORT_REQUIRED in text


def test_an_unknown_reason_is_shown_as_recorded() -> None:
    job = {"status": "error", "reason": "ENT unreachable: connection refused"}
    assert reason_text(job) == "ENT unreachable: connection refused"


def test_a_reason_sent_with_its_code_is_worded_from_the_code() -> None:
    from edt_tui.reasons import ReasonCode, french, reason

    why = reason(ReasonCode.PUSH_QUOTA, quota=4)
    job = {"status": "refused", "reason": french(why), "why": why.to_dict()}
    assert reason_text(job) == (
        "push refused: 4 automatic imports already accepted today "
        "(Envoi refusé : 4 imports automatiques déjà acceptés aujourd'hui)"
    )
