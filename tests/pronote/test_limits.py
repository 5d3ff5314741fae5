"""Bounded reading: every limit refuses a hostile file early, cleanly, in bounded memory."""

from __future__ import annotations

import os
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from edt_tui.pronote.errors import ExportError, LimitExceededError
from edt_tui.pronote.limits import LIMITS, ReaderLimits
from edt_tui.pronote.parser import _LineLocator
from edt_tui.pronote.reader import read_export

from .conftest import Sealer, timetable_xml

MIB = 1024 * 1024


def _peak_mib(run: Callable[[], object]) -> float:
    """Peak of Python allocations (bytes objects, zlib and AES buffers) while `run` runs."""
    tracemalloc.start()
    try:
        run()
    except ExportError:
        pass
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak / MIB


def _bomb_envelope(seal: Sealer, inflated_mib: int) -> bytes:
    """An envelope whose compressed content inflates to `inflated_mib` MiB of spaces."""
    compressor = zlib.compressobj(9)
    chunk = b" " * MIB
    payload = b"".join(compressor.compress(chunk) for _ in range(inflated_mib))
    payload += compressor.flush()
    # Sealed "uncompressed" so that the payload is kept as is, then announced as compressed:
    # VERIFICATION (SHA-256 of the payload) stays valid, as in a crafted file.
    sealed = seal(payload, compress=False)
    return sealed.replace(b' CompresseAvantChiffrement="false"', b"")


def test_zip_bomb_stops_at_the_document_limit(
    seal: Sealer, key_pair: tuple[bytes, bytes]
) -> None:
    bomb = _bomb_envelope(seal, 400)
    assert len(bomb) < MIB

    def run() -> None:
        read_export(bomb, private_key=key_pair[0], source_name="bomb.xml")

    with pytest.raises(LimitExceededError) as exc:
        run()
    message = str(exc.value)
    assert "bomb.xml" in message and "32 MiB" in message and "CONTENU" in message
    assert _peak_mib(run) < LIMITS.document_bytes / MIB + 16


def test_uncompressed_content_over_the_document_limit_is_refused(
    seal: Sealer, key_pair: tuple[bytes, bytes]
) -> None:
    limits = ReaderLimits(document_bytes=64 * 1024)
    sealed = seal(timetable_xml("<Notes>" + "x" * 100_000 + "</Notes>"), compress=False)
    with pytest.raises(LimitExceededError, match="64 KiB"):
        read_export(sealed, private_key=key_pair[0], limits=limits)


def test_plain_document_over_the_limit_is_refused_before_parsing() -> None:
    limits = ReaderLimits(document_bytes=64 * 1024)
    with pytest.raises(LimitExceededError, match="document"):
        read_export(timetable_xml("<Notes>" + "x" * 100_000 + "</Notes>"), limits=limits)


def test_file_over_the_size_limit_is_refused_without_being_read(tmp_path: Path) -> None:
    big = tmp_path / "big.xml"
    with big.open("wb") as out:
        out.truncate(LIMITS.file_bytes + 1)  # sparse: nothing to read if the size is checked
    with pytest.raises(LimitExceededError, match="48 MiB") as exc:
        read_export(big)
    assert str(big) in str(exc.value)
    assert _peak_mib(lambda: read_export(big)) < 1


@pytest.mark.parametrize(
    ("path", "kind"), [("/dev/zero", "character device"), ("/dev/null", "character device")]
)
def test_devices_are_refused_not_read(path: str, kind: str) -> None:
    with pytest.raises(ExportError, match=kind) as exc:
        read_export(Path(path))
    assert "not found" not in str(exc.value)


def test_directory_is_not_reported_as_missing(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="directory") as exc:
        read_export(tmp_path)
    assert "not found" not in str(exc.value)


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "export.xml"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            read_export(fifo)
        except BaseException as exc:
            outcome.append(exc)

    reader = threading.Thread(target=run, daemon=True)
    reader.start()
    reader.join(30)
    if reader.is_alive():  # unblock the reader so the suite does not hang
        with open(fifo, "wb"):
            pass
        pytest.fail("reading a FIFO blocked")
    assert isinstance(outcome[0], ExportError) and "named pipe" in str(outcome[0])


def _unknown_names(count: int) -> bytes:
    return timetable_xml("".join(f"<Inconnu{i}/>" for i in range(count)))


def test_too_many_distinct_element_names() -> None:
    with pytest.raises(LimitExceededError, match="distinct element names") as exc:
        read_export(_unknown_names(LIMITS.element_names + 1), source_name="names.xml")
    assert exc.value.line == 2 and "names.xml" in str(exc.value)


def test_many_distinct_names_are_located_in_one_pass() -> None:
    """Lines of many element names cost about one scan of the file, not one scan per name."""
    filler = "".join(f'<Salle Ident="{i}" Nom="S{i}"/>\n' for i in range(40_000))
    data = timetable_xml(f"<Salles>{filler}</Salles>" + "".join(f"<X{i}/>" for i in range(250)))
    locator = _LineLocator(data, None)

    def timed(wanted: dict[str, set[int]]) -> float:
        started = time.process_time()
        locator.lines(wanted)
        return time.process_time() - started

    one = min(timed({"X0": {1}}) for _ in range(3))
    many = timed({f"X{i}": {1} for i in range(250)})
    assert many < 20 * max(one, 1e-3)


def test_lines_found_for_many_names_are_exact() -> None:
    data = timetable_xml("\n".join(f"<X{i}/>" for i in range(50)) + "\n<!-- <X3/> -->\n<X3/>")
    lines = _LineLocator(data, None).lines({f"X{i}": {1} for i in range(50)} | {"X3": {1, 2}})
    assert lines[("X0", 1)] == 2 and lines[("X49", 1)] == 51 and lines[("X3", 2)] == 53


def test_depth_limit() -> None:
    deep = "<a>" * (LIMITS.depth + 1) + "</a>" * (LIMITS.depth + 1)
    with pytest.raises(LimitExceededError, match="deeper") as exc:
        read_export(timetable_xml(f"<Notes>{deep}</Notes>"))
    assert exc.value.line == 2 and exc.value.element == "a"


def test_element_count_limit() -> None:
    limits = ReaderLimits(elements=1000)
    rooms = "".join(f'<Salle Ident="{i}"/>' for i in range(1000))
    with pytest.raises(LimitExceededError, match=r"too many elements \(limit: 1000\)"):
        read_export(timetable_xml(f"<Salles>{rooms}</Salles>"), limits=limits)


def test_children_of_one_entry_limit() -> None:
    limits = ReaderLimits(children=100)
    children = "<Classe Ident='1'/>" * 101
    with pytest.raises(LimitExceededError, match="children") as exc:
        read_export(timetable_xml(f"<Eleves><Eleve Ident='1'>{children}</Eleve></Eleves>"),
                    limits=limits)
    assert exc.value.element == "Eleve"


def test_long_attribute_refused_with_its_element_and_line() -> None:
    long_name = "x" * LIMITS.run_bytes
    body = f'<Salles>\n<Salle Ident="1" Nom="{long_name}"/></Salles>'
    with pytest.raises(LimitExceededError, match="4 KiB") as exc:
        read_export(timetable_xml(body), source_name="long.xml")
    assert exc.value.element == "Salle" and exc.value.line == 3
    assert len(str(exc.value)) < 600


def test_long_text_refused() -> None:
    with pytest.raises(LimitExceededError, match="text") as exc:
        read_export(timetable_xml("<Notes>" + "x" * 100_000 + "</Notes>"))
    assert exc.value.element == "Notes"


def test_long_envelope_field_refused(seal: Sealer, key_pair: tuple[bytes, bytes]) -> None:
    sealed = seal(timetable_xml(""))
    start = sealed.index(b"<LOGICIEL>") + len(b"<LOGICIEL>")
    hostile = sealed[:start] + b"x" * (LIMITS.field_chars + 1) + sealed[start:]
    with pytest.raises(LimitExceededError, match="LOGICIEL"):
        read_export(hostile, private_key=key_pair[0])


def test_long_partner_name_refused(seal: Sealer, key_pair: tuple[bytes, bytes]) -> None:
    sealed = seal(timetable_xml(""))
    hostile = sealed.replace(b'NOM="ITSLEARNING"', b'NOM="' + b"X" * 100_000 + b'"')
    with pytest.raises(LimitExceededError, match="partner name") as exc:
        read_export(hostile, private_key=key_pair[0])
    assert len(str(exc.value)) < 600


def test_too_many_partner_entries(seal: Sealer, key_pair: tuple[bytes, bytes]) -> None:
    sealed = seal(timetable_xml(""))
    start = sealed.index(b"<CLES>") + len(b"<CLES>")
    extra = b'<PARTENAIRE NOM="X">AAAA</PARTENAIRE>' * LIMITS.partners
    with pytest.raises(LimitExceededError, match="PARTENAIRE"):
        read_export(sealed[:start] + extra + sealed[start:], private_key=key_pair[0])


@pytest.mark.parametrize(
    ("limits", "body", "what"),
    [
        (ReaderLimits(students=2), "<Eleves>" + "<Eleve Ident='{}'/>" * 3 + "</Eleves>",
         "students"),
        (ReaderLimits(people=2), "<Professeurs>" + "<Professeur Ident='{}'/>" * 3
         + "</Professeurs>", "teachers and staff"),
        (ReaderLimits(sessions=2), "<Cours>" + "<Cours Jour='1' NumeroPlaceDebut='0' "
         "NombrePlaces='1'/>" * 3 + "</Cours>", "sessions"),
    ],
)
def test_people_and_sessions_limits(limits: ReaderLimits, body: str, what: str) -> None:
    body = body.replace("{}", "1", 1).replace("{}", "2", 1).replace("{}", "3", 1)
    with pytest.raises(LimitExceededError, match=what):
        read_export(timetable_xml(body), limits=limits)


def test_warnings_kept_are_bounded() -> None:
    limits = ReaderLimits(warnings=10)
    rooms = "".join("<Salle/>" for _ in range(50))
    export = read_export(timetable_xml(f"<Salles>{rooms}</Salles>"), limits=limits)
    warnings = export.timetable.warnings
    assert len(warnings) == 11
    assert warnings[-1].code == "too_many_warnings" and "40 more" in warnings[-1].message


def test_real_lycee_is_far_below_every_limit() -> None:
    """The generated lycée reads with limits ten times smaller than the default ones."""
    from edt_tui.pronote.generator import generate_establishment

    lycee = generate_establishment(students=2000, seed=1, year=2026, newer=True)
    tenth = ReaderLimits(
        file_bytes=LIMITS.file_bytes // 10, document_bytes=LIMITS.document_bytes // 10,
        elements=LIMITS.elements // 10, element_names=LIMITS.element_names // 10,
        children=LIMITS.children // 10, students=LIMITS.students // 10,
        people=LIMITS.people // 10, sessions=LIMITS.sessions // 10,
        run_bytes=LIMITS.run_bytes // 10, field_chars=LIMITS.field_chars // 10,
    )
    export = read_export(lycee.plain_xml, limits=tenth)
    assert len(export.timetable.students) > 1900
