"""`edt-tui ent load`: contract CSVs upserted; a bad row names file and line, nothing applied."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from edt_tui.cli import main
from edt_tui.engine.model import Profile
from edt_tui.service.auth import hash_token
from edt_tui.service.csv_loader import load_directory
from edt_tui.storage.sql_store import SqlStore, open_store

Capsys = pytest.CaptureFixture[str]
USERS_HEADER = "uai,profile,sync_id,last_name,first_name,birth_date,cas_login,source\n"


def write(directory: Path, name: str, text: str, *, bom: bool = False) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


@pytest.fixture
def good_dir(tmp_path: Path) -> Path:
    d = tmp_path / "ent"
    write(d, "establishments.csv", "uai,name,timezone\n0490856P,Lycée Alpha,\n", bom=True)
    write(d, "users.csv", USERS_HEADER
          + "0490856P,student,s1,N'DIAYE,Awa,2012-03-04,,AAF\n"
          + '0490856P,teacher,t1,"DE LA TOUR, Jr",Jean-Luc,,jl.tour,CSV\n'
          + "\n"
          + "0490856P,staff,p1,Martin,Léa,,,MANUAL\n")
    write(d, "subjects.csv", "uai,name,code\n0490856P,MATHEMATIQUES,MATHS\n0490856P,Latin,\n")
    write(d, "classes.csv", "uai,name\n0490856P,3A\n0490856P,3 B\n")
    return d


def test_loads_every_file_and_reloading_upserts(store: SqlStore, good_dir: Path) -> None:
    report = load_directory(store, good_dir)
    assert report.counts == {"establishments.csv": 1, "users.csv": 3, "subjects.csv": 2,
                             "classes.csv": 2}
    est = store.get_establishment("0490856P")
    assert est is not None and est.name == "Lycée Alpha" and est.timezone == "Europe/Paris"
    teacher = store.get_user("0490856P", "t1")
    assert teacher is not None and teacher.last_name == "DE LA TOUR, Jr"
    assert teacher.profile is Profile.TEACHER and teacher.cas_login == "jl.tour"
    assert store.get_subject("0490856P", "Latin").code is None  # type: ignore[union-attr]
    write(good_dir, "users.csv", USERS_HEADER + "0490856P,student,s1,NDIAYE,Awa,,,AAF\n")
    load_directory(store, good_dir)
    assert store.list_users("0490856P").total == 3
    assert store.get_user("0490856P", "s1").last_name == "NDIAYE"  # type: ignore[union-attr]


BAD_USERS = [
    ("0490856P,student,s9,A,B,2012-02-30,,AAF\n", "birth_date"),
    ("0490856P,student,s9,A,B,04/03/2012,,AAF\n", "birth_date"),
    ("0490856P,parent,s9,A,B,,,AAF\n", "profile"),
    ("0490856P,student,s9,A,B,,,LDAP\n", "source"),
    ("049085P,student,s9,A,B,,,AAF\n", "bad UAI"),
    ("0490001A,student,s9,A,B,,,AAF\n", "unknown establishment 0490001A"),
    ("0490856P,student,,A,B,,,AAF\n", "empty sync_id"),
    ("0490856P,student,s9,A,B,,AAF\n", "7 fields"),
    ("0490856P,student,s1,A,B,,,AAF\n", "duplicate key"),
]


@pytest.mark.parametrize(("row", "reason"), BAD_USERS, ids=[r for _, r in BAD_USERS])
def test_a_bad_row_names_file_and_line_and_applies_nothing(
    tmp_path: Path, good_dir: Path, row: str, reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    write(good_dir, "users.csv", USERS_HEADER + "0490856P,student,s1,A,B,,,AAF\n\n" + row)
    assert main(["ent", "load", str(good_dir)]) == 2
    err = capsys.readouterr().err
    assert f"{good_dir / 'users.csv'}, line 4" in err and reason in err
    store = open_store()
    assert store.list_establishments().total == 0  # nothing of any file was written
    store.close()


def test_missing_column_and_bad_encoding(tmp_path: Path, capsys: Capsys) -> None:
    d = tmp_path / "ent"
    write(d, "classes.csv", "uai,nom\n0490856P,3A\n")
    assert main(["ent", "load", str(d)]) == 2
    assert "classes.csv, line 1: missing column(s) name" in capsys.readouterr().err
    (d / "classes.csv").write_bytes("uai,name\n0490856P,3A\n0490856P,4\xe8me\n".encode("latin-1"))
    assert main(["ent", "load", str(d)]) == 2
    assert "classes.csv, line 3: not UTF-8" in capsys.readouterr().err


def test_bad_timezone_and_empty_directory(tmp_path: Path, capsys: Capsys) -> None:
    d = tmp_path / "ent"
    write(d, "establishments.csv", "uai,name,timezone\n0490856P,A,Europe/Angers\n")
    assert main(["ent", "load", str(d)]) == 2
    assert "line 2: unknown time zone 'Europe/Angers'" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["ent", "load", str(empty)]) == 2
    assert "none of establishments.csv" in capsys.readouterr().err


def test_cli_load_then_token_then_listing(good_dir: Path, capsys: Capsys) -> None:
    assert main(["ent", "load", str(good_dir)]) == 0
    assert "users.csv: 3 row(s) loaded" in capsys.readouterr().out
    assert main(["ent", "token", "create", "--uai", "0490856P"]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("edt_") and len(token) > 40
    store = open_store()
    principal = store.principal_for(hash_token(token))
    store.close()
    assert principal is not None and principal.uai == "0490856P"
    assert main(["ent", "token", "create", "--uai", "0490001A"]) == 2
    assert main(["ent", "token", "create"]) == 2
    assert main(["ent", "establishments", "--json"]) == 0
    assert '"uai": "0490856P"' in capsys.readouterr().out


def nothing_written() -> bool:
    store = open_store()
    try:
        return store.list_establishments().total == 0
    finally:
        store.close()


LONG = "x" * 1025
HOSTILE = [
    ("users.csv", USERS_HEADER.encode() + b"0490856P,student,s1,A\x00B,C,,,AAF\n",
     "users.csv, line 2: NUL byte"),
    ("users.csv", USERS_HEADER.encode() + b"0490856P,student,s1,A,B,,,AAF\n\xff\xfe\n",
     "users.csv, line 3: not UTF-8"),
    ("users.csv", USERS_HEADER.encode() + f"0490856P,student,s1,{LONG},B,,,AAF\n".encode(),
     "users.csv, line 2: field 'last_name' is 1025 characters long, at most 1024"),
    ("users.csv", USERS_HEADER.encode() + f'0490856P,student,s1,"{"y" * 200_000}",B,,,AAF\n'
     .encode(), "users.csv, line 2: a field is longer than 1024 characters"),
    ("classes.csv", ("uai,name," + ",".join(f"c{i}" for i in range(63)) + "\n").encode(),
     "classes.csv, line 1: 65 columns, at most 64"),
    ("classes.csv", b"uai,name,name\n0490856P,3A,3B\n", "classes.csv, line 1: duplicate column"),
    ("users.csv", USERS_HEADER.encode() + f"0490856P,{LONG[:1000]},s1,A,B,,,AAF\n".encode(),
     "users.csv, line 2: bad profile 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'… (1000 "),
]


@pytest.mark.parametrize(("name", "data", "expected"), HOSTILE,
                         ids=["nul", "utf8", "field", "huge-field", "columns", "dup-column",
                              "echo"])
def test_hostile_files_are_refused_by_line_within_bounds(
    good_dir: Path, name: str, data: bytes, expected: str, capsys: Capsys
) -> None:
    (good_dir / name).write_bytes(data)
    assert main(["ent", "load", str(good_dir)]) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err
    assert len(err) < 2_000  # never an echo of the input
    assert nothing_written()


def test_row_count_and_file_size_bounds(
    good_dir: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    from edt_tui.service import csv_rows

    monkeypatch.setattr(csv_rows, "MAX_ROWS", 3)
    write(good_dir, "classes.csv", "uai,name\n" + "".join(f"0490856P,{i}\n" for i in range(4)))
    assert main(["ent", "load", str(good_dir)]) == 2
    assert "classes.csv, line 5: more than 3 rows" in capsys.readouterr().err
    monkeypatch.setattr(csv_rows, "MAX_FILE_BYTES", 60)  # establishments.csv is smaller
    assert main(["ent", "load", str(good_dir)]) == 2
    err = capsys.readouterr().err
    assert "users.csv, line 1: the file is larger than 60 bytes" in err
    assert nothing_written()


def test_a_fifo_or_a_directory_under_a_contract_name_is_refused_not_waited_on(
    good_dir: Path, capsys: Capsys
) -> None:
    (good_dir / "classes.csv").unlink()
    os.mkfifo(good_dir / "classes.csv")  # nobody writes to it: reading would block forever
    assert main(["ent", "load", str(good_dir)]) == 2
    assert "classes.csv: not a regular file" in capsys.readouterr().err
    (good_dir / "classes.csv").unlink()
    (good_dir / "classes.csv").mkdir()
    assert main(["ent", "load", str(good_dir)]) == 2
    assert "classes.csv: not a regular file" in capsys.readouterr().err
    assert nothing_written()
