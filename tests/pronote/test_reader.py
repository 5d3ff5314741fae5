"""`read_export` / `read_envelope_summary`: kind detection, ids, and the summary without a key."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from edt_tui.errors import BadInputError
from edt_tui.pronote.errors import ExportError, NoPrivateKeyError, NotAnExportError
from edt_tui.pronote.reader import read_envelope_summary, read_export

from .conftest import Sealer, timetable_xml

PLAIN = timetable_xml(
    '<Matieres><Matiere Ident="1" Code="FRANC" Libelle="FRANCAIS"/></Matieres>'
    '<Salles><Salle Ident="1" Nom="B12"/></Salles>'
)


def test_plain_export(tmp_path: Path) -> None:
    path = tmp_path / "Edt_To_ITSLEARNING_0490856P.xml"
    path.write_bytes(PLAIN)
    export = read_export(path)
    assert not export.encrypted and export.envelope is None
    assert export.uai == "0490856P" and export.source_name == str(path)
    assert len(export.timetable.subjects) == 1
    assert read_envelope_summary(path) is None


def test_encrypted_export(seal: Sealer, private_key_file: Path) -> None:
    export = read_export(seal(PLAIN), private_key=private_key_file, source_name="e.xml")
    assert export.encrypted and export.envelope is not None
    assert export.envelope.key_present and export.envelope.uai == "0490856P"
    assert export.timetable.rooms["1"].name == "B12"


def test_import_id_is_stable_per_bytes(seal: Sealer) -> None:
    first, again = read_export(PLAIN), read_export(bytes(PLAIN))
    assert first.import_id == again.import_id
    assert uuid.UUID(first.import_id).version == 5
    other = read_export(PLAIN.replace(b"B12", b"B13"))
    assert other.import_id != first.import_id
    assert first.sha256 != other.sha256 and len(first.sha256) == 64


def test_envelope_summary_without_key(seal: Sealer, key_pair: tuple[bytes, bytes]) -> None:
    envelope = seal(PLAIN, partners={"INDEXEDUCATION": key_pair[1]})
    summary = read_envelope_summary(envelope)
    assert summary is not None
    assert summary.partners == ("INDEXEDUCATION",) and not summary.key_present
    assert summary.establishment_name == "Collège Jean-Zay d'Angers"
    with_partner = read_envelope_summary(envelope, partner="INDEXEDUCATION")
    assert with_partner is not None and with_partner.key_present


def test_encrypted_without_key_is_bad_input(seal: Sealer) -> None:
    with pytest.raises(NoPrivateKeyError) as exc:
        read_export(seal(PLAIN))
    assert exc.value.exit_code == 2


def test_uai_mismatch_between_envelope_and_content_is_a_warning(
    seal: Sealer, key_pair: tuple[bytes, bytes]
) -> None:
    export = read_export(seal(timetable_xml("", uai="0490001A")), private_key=key_pair[0])
    assert export.uai == "0490001A"
    assert [w.code for w in export.timetable.warnings] == ["uai_mismatch"]


@pytest.mark.parametrize(
    "data",
    [b"", b"just text", b'<?xml version="1.0"?><html><body/></html>', b"\x89PNG\r\n\x1a\n"],
)
def test_not_an_export(data: bytes) -> None:
    with pytest.raises(NotAnExportError) as exc:
        read_export(data, source_name="photo.xml")
    assert "photo.xml" in str(exc.value)
    assert isinstance(exc.value, BadInputError)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="not found"):
        read_export(tmp_path / "absent.xml")
    with pytest.raises(ExportError, match="directory"):
        read_export(tmp_path)
