"""The import-session store on a real TinyDB file, including two writer processes."""

from __future__ import annotations

import json
import multiprocessing
import re
from datetime import datetime
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from edt_tui.cli import main
from edt_tui.dates import local_label
from edt_tui.engine.selection import Selection, SubjectChoice
from edt_tui.errors import BadInputError
from edt_tui.session.store import AtomicJSONStorage, DamagedSessionError, SessionStore
from edt_tui.tui.screens.resume import describe


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


def write_store(path: Path, docs: dict[str, object]) -> None:
    path.write_text(json.dumps({"_default": docs}), encoding="utf-8")


def damaged_store(edt_home: Path) -> tuple[SessionStore, str]:
    """One valid session and five damaged documents beside it."""
    store = SessionStore()
    good = store.create("0490856P")
    data = json.loads(store.path.read_text("utf-8"))["_default"]
    base = dict(next(iter(data.values())))
    docs: dict[str, object] = {"1": base}
    docs["2"] = {k: v for k, v in base.items() if k != "uai"} | {"id": "nouai"}
    docs["3"] = base | {"id": "badstep", "step": 7}
    docs["4"] = base | {"id": "badsel", "selection": {"format": "nope"}}
    docs["5"] = ["not", "an", "object"]
    docs["6"] = base | {"id": None}
    write_store(store.path, docs)
    return store, good.id


def test_damaged_documents_are_flagged_apart_and_the_others_still_listed(
    edt_home: Path,
) -> None:
    store, good = damaged_store(edt_home)
    assert [s.id for s in store.list()] == [good]
    sessions, damaged = store.scan()
    assert [s.id for s in sessions] == [good]
    assert {d.ref: d.reason for d in damaged} == {
        "nouai": "'uai' missing or not a string",
        "badstep": "unknown step '7'",
        "badsel": "unsupported selection format 'nope'",
        "#5": "not a JSON object",
        "#6": "'id' missing or not a string",
    }


def test_a_damaged_session_is_refused_by_file_and_id_with_what_to_do(edt_home: Path) -> None:
    store, _ = damaged_store(edt_home)
    with pytest.raises(DamagedSessionError) as caught:
        store.get("nouai")
    text = str(caught.value)
    assert f"import session nouai in {store.path} is damaged ('uai' missing" in text
    assert "edt-tui session discard nouai" in text and caught.value.exit_code == 2
    with pytest.raises(DamagedSessionError):
        store.set_step("badstep", "classes")


def test_session_list_flags_and_discard_removes_the_damaged_ones(
    edt_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store, good = damaged_store(edt_home)
    assert main(["session", "list"]) == 0
    out, err = capsys.readouterr()
    assert good in out and "#5  ?  DAMAGED: not a JSON object" in out
    assert "nouai  ?  DAMAGED: 'uai' missing or not a string" in out
    assert "5 damaged session(s)" in err and "edt-tui session discard ID" in err
    assert main(["session", "export", "badsel", "--out", str(edt_home / "b.zip")]) == 2
    assert "import session badsel" in capsys.readouterr().err
    for ref in ("nouai", "badstep", "badsel", "#5", "#6"):
        assert main(["session", "discard", ref]) == 0
    assert store.scan() == (store.list(), [])
    assert [s.id for s in store.list()] == [good]
    assert main(["session", "discard", "nouai"]) == 2


@pytest.mark.parametrize("content", ["{not json", "[]", '{"_default": [1]}', "\udcff"])
def test_an_unreadable_session_file_is_one_clear_error(
    edt_home: Path, content: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = edt_home / "sessions.json"
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    assert main(["session", "list"]) == 1
    err = capsys.readouterr().err
    assert str(path) in err and "move it aside" in err and "Traceback" not in err
    assert path.read_bytes() == content.encode("utf-8", "surrogateescape")  # left as it was


def test_session_list_shows_dates_as_the_tui_does(
    edt_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`JJ/MM/AAAA HH:MM` in the establishment's zone, as on every screen (not ISO, not UTC)."""
    store = SessionStore()
    session = store.create("0490856P")
    assert main(["session", "list"]) == 0
    out = capsys.readouterr().out
    shown = local_label(store.get(session.id).updated_at)
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", shown)
    assert f"{session.id}  0490856P  " in out and shown in out
    assert store.get(session.id).updated_at not in out


def _minute(stamp: str, zone: str) -> str:
    """`JJ/MM/AAAA HH:MM` computed here, apart from `edt_tui.dates`."""
    return datetime.fromisoformat(stamp).astimezone(ZoneInfo(zone)).strftime("%d/%m/%Y %H:%M")


def test_a_session_shows_its_times_in_its_establishments_zone(
    edt_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Created for an establishment of La Réunion: `session list` and the resume dialog give
    Réunion's time; a session written before sessions kept a zone reads in Paris time."""
    store = SessionStore()
    reunion = store.create("9740001A", timezone="Indian/Reunion")
    older = store.create("0490856P")
    docs = json.loads(store.path.read_text("utf-8"))["_default"]
    for doc in docs.values():
        if doc["id"] == older.id:
            del doc["timezone"]
    write_store(store.path, docs)

    reunion, older = store.get(reunion.id), store.get(older.id)
    assert (reunion.timezone, older.timezone) == ("Indian/Reunion", "Europe/Paris")
    in_reunion = _minute(reunion.updated_at, "Indian/Reunion")
    assert in_reunion != _minute(reunion.updated_at, "Europe/Paris")  # UTC+4 against UTC+1/+2
    assert main(["session", "list"]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    assert in_reunion in lines[reunion.id]
    assert _minute(older.updated_at, "Europe/Paris") in lines[older.id]
    assert main(["session", "list", "--json"]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {s["id"]: s["timezone"] for s in listed} == {
        reunion.id: "Indian/Reunion", older.id: "Europe/Paris"
    }
    assert in_reunion in str(describe(reunion))
    assert _minute(older.updated_at, "Europe/Paris") in str(describe(older))


def test_a_session_in_an_unknown_time_zone_is_flagged_damaged(edt_home: Path) -> None:
    store = SessionStore()
    good = store.create("0490856P", timezone="America/Cayenne")
    docs = json.loads(store.path.read_text("utf-8"))["_default"]
    base = dict(next(iter(docs.values())))
    docs["2"] = base | {"id": "badzone", "timezone": "Mars/Olympus_Mons"}
    docs["3"] = base | {"id": "notazone", "timezone": 4}
    write_store(store.path, docs)
    sessions, damaged = store.scan()
    assert [s.id for s in sessions] == [good.id]
    assert {d.ref: d.reason for d in damaged} == {
        "badzone": "unknown time zone 'Mars/Olympus_Mons'",
        "notazone": "'timezone' is not a string",
    }
