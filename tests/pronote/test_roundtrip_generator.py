"""Generator → writer → seal → reader gives back the generated timetable, for any size and seed."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edt_tui.pronote.generator import generate_establishment
from edt_tui.pronote.model import Timetable
from edt_tui.pronote.reader import read_export


def _assert_equal(read: Timetable, generated: Timetable) -> None:
    assert read.warnings == ()
    for name in (
        "version", "uai", "school_year", "time_grid", "subjects", "teachers", "staff",
        "classes", "class_parts", "groups", "rooms", "equipment", "students",
    ):
        got, want = getattr(read, name), getattr(generated, name)
        if hasattr(want, "items"):
            assert list(got.items()) == list(want.items()), name
        else:
            assert got == want, name
    assert [replace(s, line=None) for s in read.sessions] == list(generated.sessions)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    students=st.integers(min_value=1, max_value=160),
    seed=st.integers(min_value=0, max_value=2**31),
    year=st.sampled_from([2024, 2025, 2026, 2029, 2033]),
    partner=st.sampled_from(["ITSLEARNING", "INDEXEDUCATION", "ENT-49_TEST"]),
    newer=st.booleans(),
)
def test_generated_exports_round_trip_encrypted_and_plain(
    key_pair: tuple[bytes, bytes], students: int, seed: int, year: int, partner: str, newer: bool
) -> None:
    generated = generate_establishment(
        students=students,
        seed=seed,
        year=year,
        partner=partner,
        public_key=key_pair[1],
        newer=newer,
    )
    encrypted = read_export(
        generated.encrypted_xml,
        private_key=key_pair[0],
        partner=partner,
        source_name=generated.export_name,
    )
    assert encrypted.encrypted
    assert encrypted.envelope is not None
    assert encrypted.envelope.partners == (partner,)
    assert encrypted.envelope.uai == generated.uai
    _assert_equal(encrypted.timetable, generated.timetable)
    plain = read_export(generated.plain_xml, source_name=generated.plain_name)
    assert not plain.encrypted
    _assert_equal(plain.timetable, generated.timetable)
    assert generated.timetable.school_year is not None
    assert generated.timetable.school_year.start.year == year
