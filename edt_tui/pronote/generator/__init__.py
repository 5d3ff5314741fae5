"""Realistic sample establishments: export (plain and encrypted), ENT directory, test keys.

`generate_establishment()` is what tests and benchmarks call; `write_establishment()` writes the
directory layout of `edt-tui samples generate` (docs/reader.md) that the Makefile and every
end-to-end test rely on:

    DIR/Edt_To_<PARTNER>_<UAI>.xml           encrypted export
    DIR/Edt_To_<PARTNER>_<UAI>.plain.xml     its cleartext twin
    DIR/keys/partner-private-TEST-ONLY.pem   fresh test key pair (unless a public key was given)
    DIR/keys/partner-public-TEST-ONLY.pem
    DIR/keys/README.txt
    DIR/ent/{establishments,users,subjects,classes}.csv

Same (students, seed, year, uai) → byte-identical plain XML and CSVs, and for the same public key
a byte-identical encrypted file (its AES key, IV and RSA padding come from the seed: samples are
fictitious; never use this to encrypt real data).
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from edt_tui.pronote.envelope import seal_envelope
from edt_tui.pronote.generator.calendar import school_calendar, school_year_in_progress
from edt_tui.pronote.generator.directory import EntDirectory, build_directory, write_directory
from edt_tui.pronote.generator.school import build_timetable
from edt_tui.pronote.keys import KeySource, generate_key_pair, load_public_key
from edt_tui.pronote.model import DEFAULT_PARTNER, Timetable
from edt_tui.pronote.writer import write_timetable

PRIVATE_KEY_NAME = "partner-private-TEST-ONLY.pem"
PUBLIC_KEY_NAME = "partner-public-TEST-ONLY.pem"
KEYS_README = """\
TEST KEYS — NOT FOR PRODUCTION

These files were made by `edt-tui samples generate` for a sample establishment.
partner-private-TEST-ONLY.pem decrypts the sample export next to this folder; its
public half encrypted it. The private key is published with the samples, so anyone
can read what is encrypted for it: never configure it in a real ENT, never send it
to a school, and never encrypt real pupils' data for it. Real partner keys are made
with `edt-tui keys generate --out DIR` and kept secret (mode 0600).
"""

_SCHOOL_NAMES = (
    ("COLLEGE LES GRANDS ARBRES", "49000", "ANGERS"),
    ("COLLEGE MOLIERE", "49250", "BEAUFORT EN VALLEE"),
    ("COLLEGE JEAN ROSTAND", "49300", "CHOLET"),
    ("COLLEGE VALLEE DU LYS", "49390", "VERNOIL-LE-FOURRIER"),
)
_LYCEE_NAMES = (
    ("LYCEE JOACHIM DU BELLAY", "49100", "ANGERS"),
    ("LYCEE SAINTE-MARIE", "49300", "CHOLET"),
)
SOFTWARE = "PRONOTE Réseau-PRONOTE 2026 - 1.0.7"


@dataclass(frozen=True, slots=True)
class GeneratedEstablishment:
    """Everything `samples generate` writes, in memory."""

    uai: str
    name: str
    """As the ENT shows it, e.g. `COLLEGE MOLIERE (49-BEAUFORT EN VALLEE)`."""
    postcode_city: str
    partner: str
    exported_at: datetime
    timetable: Timetable
    plain_xml: bytes
    encrypted_xml: bytes
    directory: EntDirectory
    public_key_pem: bytes | None
    """The fresh test key pair (None when the caller gave its own public key)."""
    private_key_pem: bytes | None

    @property
    def export_name(self) -> str:
        return f"Edt_To_{self.partner}_{self.uai}.xml"

    @property
    def plain_name(self) -> str:
        return f"Edt_To_{self.partner}_{self.uai}.plain.xml"


def generate_establishment(
    *,
    students: int = 600,
    seed: int = 0,
    year: int | None = None,
    uai: str = "0490856P",
    partner: str = DEFAULT_PARTNER,
    public_key: RSAPublicKey | KeySource | None = None,
    newer: bool = False,
) -> GeneratedEstablishment:
    """A collège (default, ~600 students) or, from 1,200 students on, a lycée.

    `year` is the calendar year the school year starts in (default: the one in progress).
    Without `public_key` a fresh 2048-bit test key pair is made and returned. `newer` adds
    what recent PRONOTE versions write beyond schema 1.1 (staff, equipment, main teachers,
    students listed in a group or attached directly to sessions).
    """
    if students < 1:
        raise ValueError("an establishment needs at least one student")
    start_year = year if year is not None else school_year_in_progress(date.today())
    calendar = school_calendar(start_year)
    timetable = build_timetable(
        students=students, seed=seed, calendar=calendar, uai=uai, newer=newer
    )
    rng = random.Random(f"edt-tui establishment {seed} {uai}")
    names = _LYCEE_NAMES if students >= 1200 else _SCHOOL_NAMES
    school, postcode, city = rng.choice(names)
    name = f"{school} ({postcode[:2]}-{city})"
    directory = build_directory(timetable, seed=seed, establishment_name=name)
    private_pem: bytes | None = None
    public_pem: bytes | None = None
    if public_key is None:
        private_pem, public_pem = generate_key_pair()
        key = load_public_key(public_pem)
    else:
        key = load_public_key(public_key)
    # A manual export made the Friday before the rentrée, at a plausible office hour.
    exported_at = datetime(
        calendar.year.start.year, 8, 28, 16, 21, tzinfo=ZoneInfo("Europe/Paris")
    )
    plain = write_timetable(timetable)
    encrypted = seal_envelope(
        plain,
        partners={partner: key},
        uai=uai,
        establishment_name=school,
        postcode_city=f"{postcode} {city}",
        software=SOFTWARE,
        exported_at=exported_at,
        # Fictitious data and a published test key: a seeded AES key, IV and RSA padding make
        # the encrypted file reproducible too (stable import id for the demo).
        rng=random.Random(f"edt-tui envelope {seed} {start_year} {students} {uai}").randbytes,
    )
    return GeneratedEstablishment(
        uai=uai,
        name=name,
        postcode_city=f"{postcode} {city}",
        partner=partner,
        exported_at=exported_at,
        timetable=timetable,
        plain_xml=plain,
        encrypted_xml=encrypted,
        directory=directory,
        public_key_pem=public_pem,
        private_key_pem=private_pem,
    )


def write_establishment(generated: GeneratedEstablishment, out: Path) -> list[Path]:
    """Write the layout of the module docstring under `out`; returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in (
        (generated.export_name, generated.encrypted_xml),
        (generated.plain_name, generated.plain_xml),
    ):
        (out / name).write_bytes(content)
        written.append(out / name)
    if generated.private_key_pem is not None and generated.public_key_pem is not None:
        keys = out / "keys"
        keys.mkdir(exist_ok=True)
        private = keys / PRIVATE_KEY_NAME
        private.unlink(missing_ok=True)
        fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:  # never readable by others, even for an instant
            fh.write(generated.private_key_pem)
        (keys / PUBLIC_KEY_NAME).write_bytes(generated.public_key_pem)
        (keys / "README.txt").write_text(KEYS_README, encoding="utf-8")
        written += [private, keys / PUBLIC_KEY_NAME, keys / "README.txt"]
    written += write_directory(generated.directory, out / "ent")
    return written
