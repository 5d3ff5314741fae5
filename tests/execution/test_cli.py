"""`plan`, `import`, `history`, `accounts` as a user runs them (embedded service, EDT_TUI_HOME)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from edt_tui.cli import main
from edt_tui.storage.sql_store import open_store
from tests.execution.conftest import DEMO, DEMO_EXPORT, DEMO_KEY, DEMO_UAI, T0

CONTRACT = {"uai", "school_year", "reference_time", "courses", "ignored_sessions", "people",
            "actions", "frozen_until", "freeze_minutes", "guard"}
ACTIONS = {"create_course", "create_membership", "delete_membership", "create_event",
           "update_event", "delete_event"}
OTHER_UAI = "0490001A"


@pytest.fixture
def loaded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ent", "load", str(DEMO / "ent")]) == 0
    other = tmp_path / "other"
    other.mkdir()
    (other / "establishments.csv").write_text(f"uai,name,timezone\n{OTHER_UAI},Autre,\n")
    assert main(["ent", "load", str(other)]) == 0
    capsys.readouterr()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_plan_json_follows_the_contract_and_writes_nothing(
    loaded: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "plan", str(DEMO_EXPORT), "--uai", DEMO_UAI, "--key",
                       str(DEMO_KEY), "--at", T0, "--json")
    assert code == 0
    doc = json.loads(out)
    assert set(doc) == CONTRACT and set(doc["actions"]) == ACTIONS
    assert doc["uai"] == DEMO_UAI and doc["reference_time"] == T0
    course = doc["courses"][0]
    assert set(course) == {"key", "label", "subject", "audience", "teachers", "students",
                           "events"}
    assert set(course["events"][0]) == {"start", "end", "rooms", "teachers"}
    assert all(e["start"] >= T0[:10] for c in doc["courses"] for e in c["events"])
    # Against an empty ENT every selected course, member and future event is created.
    assert doc["actions"]["create_course"] == len(doc["courses"])
    assert doc["actions"]["create_event"] == sum(len(c["events"]) for c in doc["courses"])
    assert doc["actions"]["create_membership"] == sum(
        len(c["teachers"]) + len(c["students"]) for c in doc["courses"]
    )
    assert set(doc["people"]) == {"teachers", "students"}

    code, human, _ = run(capsys, "plan", str(DEMO_EXPORT), "--uai", DEMO_UAI, "--key",
                         str(DEMO_KEY), "--at", T0)
    assert code == 0 and f"Courses to create: {len(doc['courses'])}" in human
    assert f"Selected courses: {len(doc['courses'])}" in human
    store = open_store()
    try:
        assert store.list_exports(DEMO_UAI).total == 0
        assert store.list_courses(DEMO_UAI).total == 0
    finally:
        store.close()


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--uai", OTHER_UAI, "--key", str(DEMO_KEY)], DEMO_UAI),
        (["--uai", DEMO_UAI], "private key"),
        (["--uai", DEMO_UAI, "--key", str(DEMO_KEY), "--at", "tomorrow"], "--at"),
        (["--uai", "0000000X", "--key", str(DEMO_KEY)], "unknown establishment"),
    ],
    ids=["uai-mismatch", "no-key", "bad-at", "unknown-uai"],
)
def test_plan_bad_input_exits_2(
    loaded: None, capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
) -> None:
    code, out, err = run(capsys, "plan", str(DEMO_EXPORT), *argv)
    assert code == 2 and out == "" and needle in err
    if argv[1] == OTHER_UAI:
        assert OTHER_UAI in err


def test_plan_missing_file_exits_2(loaded: None, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "plan", "nowhere.xml", "--uai", DEMO_UAI)
    assert code == 2 and "nowhere.xml" in err


def test_import_then_resume_wait_history_and_accounts(
    loaded: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "import", str(DEMO_EXPORT), "--uai", DEMO_UAI, "--key",
                         str(DEMO_KEY), "--at", T0)
    assert code == 0 and out.startswith("job ") and "embedded mode" in err
    job_id = out.split()[1]

    code, out, err = run(capsys, "import", "--uai", DEMO_UAI, "--key", str(DEMO_KEY),
                         "--resume", job_id, "--wait")
    assert code == 0, err
    assert "Status: done (Fait)" in out
    assert re.search(r"^event creation +[1-9]\d* +0$", out, re.MULTILINE)

    code, out, _ = run(capsys, "history", "--uai", DEMO_UAI, "--json")
    assert code == 0
    [entry] = json.loads(out)
    assert list(entry)[:8] == ["id", "type", "status", "queue_position", "created_at",
                               "finished_at", "recap", "reason"]
    assert entry["id"] == job_id and entry["status"] == "done" and entry["type"] == "manual"
    # instants as the service has always written them (`isoformat()`: `+00:00`, never `Z`)
    assert entry["reference_time"] == "2026-11-28T07:00:00+00:00"
    assert entry["created_at"].endswith("+00:00") and entry["finished_at"].endswith("+00:00")
    assert entry["recap"]["create_event"]["success"] > 0

    code, out, _ = run(capsys, "history", "--uai", DEMO_UAI)
    assert code == 0 and "done (Fait)" in out and "manual" in out
    assert out.splitlines()[1].endswith(f" {job_id[:8]}") and job_id not in out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", out)
    success = entry["recap"]["create_event"]["success"]
    for named in (job_id, job_id[:8].upper()):  # the full id, or the listing's short one
        code, out, _ = run(capsys, "history", "--uai", DEMO_UAI, "--job", named)
        assert code == 0 and f"Tasks done: {entry_total(entry)}" in out
        assert re.search(rf"^event creation +{success} +0$", out, re.MULTILINE)
        # the demo's one session of class parts only: why its course is missing
        assert "Ignored sessions (1):" in out
        assert re.search(r"^  session 684 \(line \d+\): class part only .*; subject AIDE ESPAGNOL",
                         out, re.MULTILINE)
    other = ("0" if job_id[0] != "0" else "1") + job_id[1:8]
    code, _, err = run(capsys, "history", "--uai", DEMO_UAI, "--job", other)
    assert code == 1 and f"no import of 0490856P has an id starting with '{other}'" in err
    code, _, err = run(capsys, "history", "--uai", DEMO_UAI, "--job", "zzzz")
    assert code == 2 and "not a job id" in err
    code, _, err = run(capsys, "history", "--uai", DEMO_UAI, "--job", job_id[:2])
    assert code == 2 and "at least 4 characters" in err

    listing = tmp_path / "non-reconcilies.txt"
    code, out, _ = run(capsys, "accounts", "--uai", DEMO_UAI, "--json", "--export", str(listing))
    assert code == 0
    counts = json.loads(out)
    lines = listing.read_text(encoding="utf-8").splitlines()
    assert len(lines) == counts["students"]["unreconciled"] + counts["teachers"]["unreconciled"]
    assert len(lines[0].split("\t")) == 3  # students first, with their birth date

    code, out, _ = run(capsys, "accounts", "--uai", DEMO_UAI)
    assert code == 0
    for profile in ("students", "teachers"):
        label = profile.capitalize()
        assert f"{label} reconciled: {counts[profile]['reconciled']}\n" in out
        assert f"{label} unreconciled: {counts[profile]['unreconciled']}\n" in out


def entry_total(entry: dict[str, object]) -> int:
    recap = entry["recap"]
    assert isinstance(recap, dict)
    return sum(v["success"] + v["error"] for v in recap.values())


def test_import_with_a_tui_session_uses_its_selection(
    loaded: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from edt_tui.session.store import SessionStore

    sessions = SessionStore()
    course = f"{DEMO_UAI}:2026-2027:FRANCAIS:class:6A"
    mine = sessions.create(DEMO_UAI)
    sessions.update_selection(mine.id, lambda s: s.with_course(course, False))
    other = sessions.create(OTHER_UAI)

    code, _, err = run(capsys, "import", str(DEMO_EXPORT), "--uai", DEMO_UAI, "--key",
                       str(DEMO_KEY), "--session", other.id)
    assert code == 2 and OTHER_UAI in err
    code, out, _ = run(capsys, "import", str(DEMO_EXPORT), "--uai", DEMO_UAI, "--key",
                       str(DEMO_KEY), "--session", mine.id)
    assert code == 0 and "position 1" in out
    store = open_store()
    try:
        version, saved = store.get_selection(DEMO_UAI) or (0, {})
        assert saved["deactivated_courses"] == [course]
        job_id = out.split()[1]
        code, out, _ = run(capsys, "history", "--uai", DEMO_UAI, "--json")
        [entry] = json.loads(out)
        assert entry["id"] == job_id and entry["selection_version"] == version
        assert entry["status"] == "queued"  # `import` alone runs no embedded worker
    finally:
        store.close()


@pytest.mark.parametrize("case", ["directory", "no_parent", "parent_not_directory", "not_writable"])
def test_accounts_export_to_a_bad_path_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    target = {
        "directory": tmp_path,
        "no_parent": tmp_path / "missing" / "list.txt",
        "parent_not_directory": tmp_path / "file.txt" / "list.txt",
        "not_writable": tmp_path / "locked" / "list.txt",
    }[case]
    (tmp_path / "file.txt").write_text("x")
    if case == "not_writable":
        if os.geteuid() == 0:
            pytest.skip("root writes anywhere")
        target.parent.mkdir(mode=0o500)
    before = sorted(tmp_path.rglob("*"))
    code, out, err = run(capsys, "accounts", "--uai", DEMO_UAI, "--export", str(target))
    assert code == 2 and out == ""
    assert err.startswith(f"edt-tui: {target} ") and "\n→ " in err and "Traceback" not in err
    assert sorted(tmp_path.rglob("*")) == before  # nothing written
