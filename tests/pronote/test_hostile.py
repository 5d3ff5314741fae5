"""Hostile input: entity bombs, external entities and oversized nodes fail fast and cleanly."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from edt_tui.pronote.errors import HostileXmlError, LimitExceededError, MalformedXmlError
from edt_tui.pronote.reader import read_envelope_summary, read_export

from .conftest import Sealer, timetable_xml

BOMB = (
    '<?xml version="1.0"?>\n<!DOCTYPE ExportEmploiDuTemps [\n<!ENTITY a0 "ha">\n'
    + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">\n' for i in range(1, 10))
    + ']>\n<ExportEmploiDuTemps Version="1.1" UAI="&a9;"><Matieres>'
    '<Matiere Ident="1" Code="&a9;" Libelle="&a9;"/></Matieres></ExportEmploiDuTemps>'
).encode()


def _xxe(secret_file: Path) -> bytes:
    return (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret_file}">]>'
        '<ExportEmploiDuTemps Version="1.1" UAI="0490856P"><Matieres>'
        '<Matiere Ident="1" Code="&x;" Libelle="&x;"/></Matieres></ExportEmploiDuTemps>'
    ).encode()


def test_billion_laughs_refused_quickly() -> None:
    started = time.perf_counter()
    with pytest.raises(HostileXmlError, match="DOCTYPE") as exc:
        read_export(BOMB, source_name="bomb.xml")
    assert time.perf_counter() - started < 0.5
    assert "bomb.xml" in str(exc.value) and exc.value.line == 2


def test_external_entity_refused_and_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    started = time.perf_counter()
    with pytest.raises(HostileXmlError) as exc:
        read_export(_xxe(secret))
    assert time.perf_counter() - started < 0.5
    assert "TOP-SECRET-CONTENT" not in str(exc.value)


def test_doctype_after_a_huge_prolog_comment_is_still_refused() -> None:
    data = b'<?xml version="1.0"?><!--' + b"x" * 200_000 + b"-->" + BOMB.split(b"?>", 1)[1]
    with pytest.raises(HostileXmlError):
        read_export(data)


def test_utf16_doctype_is_refused() -> None:
    with pytest.raises(HostileXmlError):
        read_export(BOMB.replace(b'<?xml version="1.0"?>', b"").decode().encode("utf-16"))


def test_hostile_envelope_refused_without_key() -> None:
    envelope = (
        b'<?xml version="1.0"?><!DOCTYPE E [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<EXPORT_INDEX_EDUCATION><UAI>&x;</UAI></EXPORT_INDEX_EDUCATION>"
    )
    with pytest.raises(HostileXmlError):
        read_envelope_summary(envelope)


def test_hostile_cleartext_inside_a_valid_envelope(
    seal: Sealer, key_pair: tuple[bytes, bytes]
) -> None:
    with pytest.raises(HostileXmlError, match="decrypted content"):
        read_export(seal(BOMB), private_key=key_pair[0])


def test_undeclared_entity_reference_is_malformed_not_expanded() -> None:
    data = timetable_xml('<Salles><Salle Ident="1" Nom="&bomb;"/></Salles>')
    with pytest.raises(MalformedXmlError):
        read_export(data)


def test_oversized_attribute_refused_by_the_run_limit() -> None:
    data = timetable_xml('<Salles><Salle Ident="1" Nom="' + "x" * 11_000_000 + '"/></Salles>')
    with pytest.raises(LimitExceededError, match="start tag is too long"):
        read_export(data)


def test_oversized_text_in_an_unknown_section_is_refused_not_kept() -> None:
    with pytest.raises(LimitExceededError, match="text is too long") as exc:
        read_export(timetable_xml("<Notes>" + "x" * 11_000_000 + "</Notes>"))
    assert "xxxx" not in str(exc.value)


def test_no_memory_growth_on_bombs(tmp_path: Path) -> None:
    """Peak RSS of a process reading the bomb and the XXE file stays near its baseline."""
    bomb = tmp_path / "bomb.xml"
    bomb.write_bytes(BOMB)
    secret = tmp_path / "secret.txt"
    secret.write_text("s")
    xxe = tmp_path / "xxe.xml"
    xxe.write_bytes(_xxe(secret))
    script = f"""
import resource
from pathlib import Path
from edt_tui.pronote.reader import read_export
from edt_tui.pronote.errors import HostileXmlError
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
for name in ({str(bomb)!r}, {str(xxe)!r}):
    try:
        read_export(Path(name))
    except HostileXmlError:
        pass
    else:
        raise SystemExit("not refused")
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
"""
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    growth_kib = int(out.stdout.strip())
    assert growth_kib < 10_000
