"""Fuzzing the export reader with mutated real exports (the committed demo, plain and sealed
with its real test key): byte flips, truncations, duplicated elements, deep nesting, huge
attributes, other encodings. Each mutant is read or cleanly refused — a `pronote` error with a
short message, never another exception — within bounded CPU time and traced memory, and the
service's upload path stores nothing when it refuses."""

from __future__ import annotations

import random
import time
import tracemalloc
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edt_tui.config import Settings
from edt_tui.pronote.envelope import seal_envelope
from edt_tui.pronote.errors import ExportError
from edt_tui.pronote.keys import load_private_key
from edt_tui.pronote.reader import read_export
from edt_tui.service.exports import ExportIntake
from edt_tui.service.records import Establishment
from edt_tui.storage.sql_store import SqlStore, open_store
from edt_tui.storage.url import sqlite_url
from tests.fuzz.budget import FUZZ
from tests.fuzz.mutants import mutate

DEMO = Path(__file__).resolve().parents[2] / "samples" / "demo"
PLAIN = (DEMO / "Edt_To_ITSLEARNING_0490856P.plain.xml").read_bytes()
SEALED = (DEMO / "Edt_To_ITSLEARNING_0490856P.xml").read_bytes()
PRIVATE = DEMO / "keys" / "partner-private-TEST-ONLY.pem"
PUBLIC = DEMO / "keys" / "partner-public-TEST-ONLY.pem"
KEY = load_private_key(PRIVATE)
UAI = "0490856P"

MAX_SECONDS = 20.0
"""CPU seconds for one read under tracemalloc; the demo takes well under one."""
MAX_TRACED_MIB = 150
MAX_MESSAGE = 2000

def _seal(cleartext: bytes) -> bytes:
    return seal_envelope(
        cleartext, partners={"ITSLEARNING": PUBLIC}, uai=UAI,
        establishment_name="COLLEGE JEAN ROSTAND", postcode_city="49000 ANGERS",
        software="PRONOTE", exported_at=datetime(2026, 11, 27, 17, 45),
        rng=random.Random(0).randbytes,
    )


def mutants(base: bytes) -> st.SearchStrategy[bytes]:
    """Mutations of `base` (see `mutants.py`), drawn from Hypothesis's own random."""
    return st.randoms(use_true_random=False).map(lambda rng: mutate(rng, base))


def _read_bounded(data: bytes) -> None:
    """Read `data`; a refusal must be a short-spoken `ExportError`. Time and memory bounded."""
    tracemalloc.start()
    started = time.process_time()
    try:
        read_export(data, private_key=KEY, source_name="fuzz.xml")
    except ExportError as exc:
        message = str(exc)
        assert message and len(message) < MAX_MESSAGE, message[:300]
    finally:
        elapsed = time.process_time() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert elapsed < MAX_SECONDS
    assert peak < MAX_TRACED_MIB * 1024 * 1024


@FUZZ
@given(mutants(PLAIN))
def test_mutated_plain_export(data: bytes) -> None:
    _read_bounded(data)


@FUZZ
@given(mutants(SEALED))
def test_mutated_envelope(data: bytes) -> None:
    _read_bounded(data)


@FUZZ
@given(mutants(PLAIN))
def test_mutated_cleartext_sealed_with_the_real_key(data: bytes) -> None:
    _read_bounded(_seal(data))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    opened = open_store(sqlite_url(tmp_path / "ent.sqlite3"))
    opened.upsert_establishments([Establishment(UAI, "COLLEGE JEAN ROSTAND")])
    yield opened
    opened.close()


@FUZZ
@given(st.one_of(mutants(PLAIN), mutants(SEALED)))
def test_upload_path_stores_nothing_on_refusal(store: SqlStore, data: bytes) -> None:
    intake = ExportIntake(Settings(private_key=PRIVATE))
    before = store.list_exports(UAI).total
    try:
        intake.accept(store, UAI, data, "fuzz.xml")
    except ExportError:
        exports_dir = store.exports.blobs.directory
        stored = [] if not exports_dir.exists() else list(exports_dir.iterdir())
        assert store.list_exports(UAI).total == before
        assert len(stored) == before
    except Exception as exc:  # the service's own refusals (UAI, undecryptable) are bad input
        from edt_tui.errors import BadInputError

        assert isinstance(exc, BadInputError), repr(exc)
        assert store.list_exports(UAI).total == before
