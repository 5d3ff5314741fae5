"""The import-session store on a real TinyDB file, including two writer processes."""

from __future__ import annotations

import json
import multiprocessing
from functools import partial
from pathlib import Path

import pytest

from edt_tui.engine.selection import Selection, SubjectChoice
from edt_tui.errors import BadInputError
from edt_tui.session.store import AtomicJSONStorage, SessionStore


def test_decisions_are_saved_as_made_and_survive_a_new_store(edt_home: Path) -> None:
    store = SessionStore()
    session = store.create("0490856P")
    store.set_export(session.id, {"sha256": "ab" * 32, "file_name": "Edt.xml"})
    store.update_selection(session.id, lambda s: s.with_subject("LATIN", SubjectChoice.INACTIVE))
    store.update_selection(session.id, lambda s: s.with_class("3A", False))
    store.set_step(session.id, "classes")

    again = SessionStore().get(session.id)  # a fresh process would do exactly this
    assert (edt_home / "sessions.json").is_file()
    assert again.step == "classes"
    assert again.export["file_name"] == "Edt.xml"
    decisions = again.decisions()
    assert decisions.subjects == {"LATIN": SubjectChoice.INACTIVE}
    assert decisions.classes == {"3A": False}


def test_list_unfinished_newest_first_and_launched_sessions_are_finished() -> None:
    store = SessionStore()
    first = store.create("0490856P")
    second = store.create("0490856P")
    other = store.create("0350001A")
    store.set_step(first.id, "courses")  # touched last → newest
    store.mark_launched(second.id, "job-1", 2)
    unfinished = store.list(uai="0490856P", unfinished=True)
    assert [s.id for s in unfinished] == [first.id]
    assert {s.id for s in store.list()} == {first.id, second.id, other.id}
    assert store.get(second.id).finished and store.get(second.id).queue_position == 2


def test_unknown_session_and_step_are_refused() -> None:
    store = SessionStore()
    with pytest.raises(BadInputError, match="no import session"):
        store.get("nope")
    session = store.create("0490856P")
    with pytest.raises(ValueError):
        store.set_step(session.id, "dessert")


def test_atomic_storage_leaves_no_temp_file(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    storage = AtomicJSONStorage(folder / "s.json")
    storage.write({"_default": {"1": {"a": "é"}}})
    assert json.loads((folder / "s.json").read_text("utf-8")) == {"_default": {"1": {"a": "é"}}}
    assert [p.name for p in folder.iterdir()] == ["s.json"]


def _writer(path: str, session_id: str, prefix: str, count: int) -> None:
    store = SessionStore(Path(path))
    for i in range(count):
        store.update_selection(session_id, partial(_deactivate_group, f"{prefix}{i}"))


def _deactivate_group(key: str, selection: Selection) -> Selection:
    return selection.with_group(key, False)


def test_two_processes_writing_lose_no_decision(tmp_path: Path) -> None:
    path = tmp_path / "sessions.json"
    store = SessionStore(path)
    session = store.create("0490856P")
    ctx = multiprocessing.get_context("fork")
    workers = [
        ctx.Process(target=_writer, args=(str(path), session.id, prefix, 40)) for prefix in "AB"
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    groups = store.get(session.id).decisions().groups
    assert len(groups) == 80
    assert set(groups) == {f"{p}{i}" for p in "AB" for i in range(40)}
