"""Fixtures for the reader tests: one real RSA key pair per session, small handmade exports."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

import pytest

from edt_tui.pronote.envelope import seal_envelope
from edt_tui.pronote.keys import generate_key_pair

NS = "http://www.index-education.com/exportemploidutemps"

HEAD = (
    '<AnneeScolaire DateDebut="2026-09-01" DateFin="2027-07-03" '
    'DatePremierJourSemaine1="2026-08-31"/>'
    '<GrilleHoraire NombrePlacesParJour="4" DureePlace="60">'
    "<JoursOuvres><Jour>1</Jour><Jour>2</Jour><Jour>3</Jour><Jour>4</Jour><Jour>5</Jour>"
    "</JoursOuvres>"
    "<PlacesParJour>"
    '<Place Numero="0" LibelleHeureDebut="08:00:00" LibelleHeureFin="08:55:00"/>'
    '<Place Numero="1" LibelleHeureDebut="09:00:00" LibelleHeureFin="09:55:00"/>'
    '<Place Numero="2" LibelleHeureDebut="10:10:00" LibelleHeureFin="11:05:00"/>'
    '<Place Numero="3" LibelleHeureDebut="11:10:00" LibelleHeureFin="12:05:00"/>'
    "</PlacesParJour></GrilleHoraire>"
)
"""School year 2026-2027 and a 4-slot grid with custom 55-minute labels."""


def timetable_xml(
    body: str, *, head: str = HEAD, namespace: bool = True, uai: str = "0490856P"
) -> bytes:
    """A cleartext export: `head` (year + grid) then `body` (the other sections)."""
    xmlns = f' xmlns="{NS}"' if namespace else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<ExportEmploiDuTemps{xmlns} Version="1.1" UAI="{uai}">{head}{body}'
        "</ExportEmploiDuTemps>\n"
    ).encode()


@pytest.fixture(scope="session")
def key_pair() -> tuple[bytes, bytes]:
    """(PKCS#8 PEM private, SPKI PEM public): generated once, RSA 2048 like real partner keys."""
    return generate_key_pair()


@pytest.fixture(scope="session")
def other_key_pair() -> tuple[bytes, bytes]:
    return generate_key_pair()


Sealer = Callable[..., bytes]


@pytest.fixture
def seal(key_pair: tuple[bytes, bytes]) -> Sealer:
    """Encrypt a cleartext for ITSLEARNING (our key) unless `partners` says otherwise."""

    def _seal(
        cleartext: bytes,
        *,
        partners: Mapping[str, bytes] | None = None,
        compress: bool = True,
        seed: int = 7,
    ) -> bytes:
        return seal_envelope(
            cleartext,
            partners=partners or {"ITSLEARNING": key_pair[1]},
            uai="0490856P",
            establishment_name="Collège Jean-Zay d'Angers",
            postcode_city="49000 ANGERS",
            software="PRONOTE Réseau 2026 - 0.2.5",
            exported_at=datetime(2026, 11, 27, 17, 45, 12),
            compress=compress,
            rng=random.Random(seed).randbytes,
        )

    return _seal


@pytest.fixture
def private_key_file(tmp_path: Path, key_pair: tuple[bytes, bytes]) -> Path:
    path = tmp_path / "partner-private.pem"
    path.write_bytes(key_pair[0])
    path.chmod(0o600)
    return path
