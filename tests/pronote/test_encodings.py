"""Encodings and echoed input: a clear refusal naming the encoding, never a traceback."""

from __future__ import annotations

import codecs

import pytest

from edt_tui.pronote.errors import ExportError, MalformedXmlError
from edt_tui.pronote.reader import read_export

from .conftest import Sealer, timetable_xml

ROOMS = '<Salles><Salle Ident="1" Nom="Salle 101"/></Salles>'


def _document(encoding: str) -> str:
    return timetable_xml(ROOMS).decode().replace('encoding="UTF-8"', f'encoding="{encoding}"')


def test_utf16_with_bom_is_read() -> None:
    export = read_export(_document("UTF-16").encode("utf-16"))
    assert export.timetable.rooms["1"].name == "Salle 101"


@pytest.mark.parametrize(
    "data",
    [
        _document("UTF-16").encode("utf-16")[:-1],  # odd length
        codecs.BOM_UTF16_LE + _document("UTF-16").replace("Salle 101", "\ud800")
        .encode("utf-16-le", "surrogatepass"),  # lone surrogate
    ],
    ids=["odd-length", "lone-surrogate"],
)
def test_broken_utf16_is_malformed_not_a_crash(data: bytes) -> None:
    with pytest.raises(MalformedXmlError, match="UTF-16") as exc:
        read_export(data, source_name="broken.xml")
    assert "broken.xml" in str(exc.value)


def test_broken_utf16_inside_an_envelope(seal: Sealer, key_pair: tuple[bytes, bytes]) -> None:
    sealed = seal(_document("UTF-16").encode("utf-16")[:-1])
    with pytest.raises(MalformedXmlError, match="UTF-16"):
        read_export(sealed, private_key=key_pair[0])


@pytest.mark.parametrize(
    ("data", "named"),
    [
        (_document("UTF-16").encode("utf-16-le"), "UTF-16 without a byte order mark"),
        (_document("UTF-16").encode("utf-16-be"), "UTF-16 without a byte order mark"),
        (_document("UTF-32").encode("utf-32"), "UTF-32"),
        (_document("UTF-32").encode("utf-32-be"), "UTF-32"),
        (_document("IBM037").encode("cp037"), "EBCDIC"),
    ],
    ids=["utf16le-nobom", "utf16be-nobom", "utf32-bom", "utf32be", "ebcdic"],
)
def test_unsupported_encodings_are_named(data: bytes, named: str) -> None:
    with pytest.raises(ExportError) as exc:
        read_export(data, source_name="odd.xml")
    message = str(exc.value)
    assert named in message and "empty" not in message and "odd.xml" in message


def test_long_root_name_is_not_echoed_in_full() -> None:
    data = b"<" + b"A" * 100_000 + b"/>"
    with pytest.raises(ExportError) as exc:
        read_export(data)
    assert len(str(exc.value)) < 600 and "AAAA" in str(exc.value)


def test_malformed_xml_message_is_short() -> None:
    data = timetable_xml(f"<{'B' * 3000}></{'C' * 3000}>")
    with pytest.raises(MalformedXmlError) as exc:
        read_export(data)
    assert len(str(exc.value)) < 800


def test_bad_values_are_quoted_as_short_excerpts() -> None:
    value = "9" * 1000
    body = (
        f'<Professeurs><Professeur Ident="1" DateNaissance="{value}"/></Professeurs>'
        f'<Salles><Salle Ident="{value}"/><Salle Ident="{value}"/></Salles>'
    )
    export = read_export(timetable_xml(body))
    assert export.timetable.warnings
    assert all(len(w.message) < 300 for w in export.timetable.warnings)


@pytest.mark.parametrize("year", ["9999", "0001"])
def test_school_year_out_of_range_is_a_warning_not_an_overflow(year: str) -> None:
    head = (
        f'<AnneeScolaire DateDebut="{year}-09-01" DateFin="{year}-12-31" '
        f'DatePremierJourSemaine1="{year}-08-30"/>'
    )
    export = read_export(timetable_xml(ROOMS, head=head))
    assert export.timetable.school_year is None
    message = next(w.message for w in export.timetable.warnings if w.code == "bad_value")
    assert year in message and "1900" in message and "2200" in message
