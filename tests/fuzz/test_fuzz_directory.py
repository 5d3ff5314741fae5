"""The directory loader on mutated copies of the generated sample's CSVs.

Each example mutates one or more of the four files (bytes inserted, deleted or replaced, lines
duplicated, cut, swapped, header changed) and loads the directory into one real SQLite file
that already holds the sample. The loader must either succeed or refuse cleanly (`BadInputError`
naming the file, exit code 2, a short message), in bounded time, and a refusal must leave every
directory table byte for byte as it was.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edt_tui.errors import BadInputError
from edt_tui.service.csv_loader import PARSERS, load_directory
from edt_tui.storage.sql_store import SqlStore, open_store
from edt_tui.storage.url import sqlite_url
from tests.fuzz.budget import FUZZ

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "demo" / "ent"
FILES = tuple(PARSERS)
TABLES = ("establishments", "directory_users", "idpn_links", "subjects", "classes", "api_tokens")
TIME_BOUND_S = 30.0
"""Far above a load of the sample on a loaded machine; a quadratic blow-up crosses it."""
MESSAGE_BOUND = 4_000
"""An error never echoes the input (the longest legitimate one lists 20 rows)."""
SPECIAL = [b"", b",", b'"', b"\n", b"\r\n", b"\x00", b"\xff", b"\xef\xbb\xbf", b"\xe9",
           "é".encode(), b"0440001A", b"0490856P", b"aaf-0000001", b" ", b"\t", b"x" * 1100]


@st.composite
def mutations(draw: st.DrawFn) -> dict[str, bytes]:
    """Mutated contents for one or more of the sample's files (the others stay as they are)."""
    chosen = draw(st.sets(st.sampled_from(FILES), min_size=1, max_size=len(FILES)))
    result: dict[str, bytes] = {}
    for name in sorted(chosen):
        data = (SAMPLE / name).read_bytes()
        for _ in range(draw(st.integers(1, 4))):
            lines = data.split(b"\n")
            kind = draw(st.sampled_from(
                ["insert", "delete", "replace", "dup-line", "drop-line", "swap", "header",
                 "truncate", "field"]
            ))
            at = draw(st.integers(0, max(len(data) - 1, 0)))
            piece = draw(st.sampled_from(SPECIAL) | st.binary(max_size=12))
            line = draw(st.integers(0, max(len(lines) - 1, 0)))
            if kind == "insert":
                data = data[:at] + piece + data[at:]
            elif kind == "delete":
                data = data[:at] + data[at + draw(st.integers(1, 64)):]
            elif kind == "replace":
                data = data[:at] + piece + data[at + len(piece):]
            elif kind == "dup-line":
                data = b"\n".join(lines[: line + 1] + lines[line:])
            elif kind == "drop-line":
                data = b"\n".join(lines[:line] + lines[line + 1:])
            elif kind == "swap":
                other = draw(st.integers(0, max(len(lines) - 1, 0)))
                lines[line], lines[other] = lines[other], lines[line]
                data = b"\n".join(lines)
            elif kind == "header":
                lines[0] = piece + b"," + lines[0] if draw(st.booleans()) else lines[0][:at % 9]
                data = b"\n".join(lines)
            elif kind == "truncate":
                data = data[:at]
            else:  # one field of one row replaced
                cells = lines[line].split(b",")
                cells[draw(st.integers(0, max(len(cells) - 1, 0)))] = piece
                lines[line] = b",".join(cells)
                data = b"\n".join(lines)
        result[name] = data
    return result


def fingerprint(db: Path) -> str:
    """Every row of every directory table, in key order: equal means nothing was written."""
    digest = hashlib.sha256()
    with sqlite3.connect(db) as conn:
        for table in TABLES:
            for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2"):
                digest.update(repr(row).encode())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SqlStore, Path]]:
    """One SQLite file holding the sample, shared by the examples (each success is a reload)."""
    root = tmp_path_factory.mktemp("fuzz-directory")
    store = open_store(sqlite_url(root / "ent.sqlite3"))
    load_directory(store, SAMPLE)
    yield store, root
    store.close()


@FUZZ
@given(mutated=mutations())
def test_a_mutated_directory_loads_or_is_refused_cleanly_and_writes_nothing(
    loaded: tuple[SqlStore, Path], mutated: dict[str, bytes]
) -> None:
    store, root = loaded
    directory = root / "ent"
    shutil.rmtree(directory, ignore_errors=True)
    shutil.copytree(SAMPLE, directory)
    for name, data in mutated.items():
        (directory / name).write_bytes(data)
    before = fingerprint(store.database.path)

    started = time.monotonic()
    try:
        load_directory(store, directory)
    except BadInputError as exc:
        refused: BadInputError | None = exc
    else:
        refused = None
    elapsed = time.monotonic() - started

    assert elapsed < TIME_BOUND_S
    if refused is not None:
        assert refused.exit_code == 2
        assert str(directory) in refused.message and len(str(refused)) < MESSAGE_BOUND
        assert fingerprint(store.database.path) == before
