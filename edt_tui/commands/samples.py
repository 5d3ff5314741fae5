"""`edt-tui samples generate`: a realistic sample establishment for demos, tests and benchmarks.

Everything is generated in memory first and the arguments are checked before anything is
written, so bad input leaves nothing behind (exit 2). A non-empty target folder is refused
unless `--force`.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from edt_tui.pronote.model import DEFAULT_PARTNER

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

UAI_PATTERN = re.compile(r"^[0-9]{7}[A-Z]$")
PARTNER_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_STUDENTS = 20000


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "samples",
        help="generate sample establishments",
        description="Generate realistic sample establishments (exports, ENT directory, keys).",
    )
    sub = parser.add_subparsers(title="sample commands", metavar="ACTION", required=True)
    generate = sub.add_parser(
        "generate",
        help="write a sample establishment into a folder",
        description=(
            "Write DIR/Edt_To_<PARTNER>_<UAI>.xml (encrypted export) and its .plain.xml twin, "
            "DIR/keys/partner-{private,public}-TEST-ONLY.pem (a fresh TEST key pair, not written "
            "with --public-key) and DIR/ent/{establishments,users,subjects,classes}.csv (the ENT "
            "directory, with realistic imperfections). Deterministic for a given seed and year "
            "(the encrypted file too, given the same --public-key: sample key material is "
            "seeded, so never use this for real data). Below 1200 students it is a collège, "
            "from 1200 on a lycée."
        ),
    )
    generate.add_argument("--out", metavar="DIR", required=True, type=Path, help="target folder")
    generate.add_argument(
        "--students", type=int, default=600, metavar="N", help="about how many students (600)"
    )
    generate.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (0)")
    generate.add_argument(
        "--partner",
        default=DEFAULT_PARTNER,
        metavar="NAME",
        help=f"partner name the export is encrypted for ({DEFAULT_PARTNER})",
    )
    generate.add_argument(
        "--public-key",
        type=Path,
        metavar="PEM",
        help="encrypt for this partner public key instead of a fresh test key pair",
    )
    generate.add_argument(
        "--year",
        type=int,
        metavar="Y",
        help="school year starting in September of Y (default: the one in progress)",
    )
    generate.add_argument("--uai", default="0490856P", help="establishment code (0490856P)")
    generate.add_argument(
        "--force", action="store_true", help="write into DIR even if it is not empty"
    )
    generate.add_argument(
        "--newer",
        action="store_true",
        help=(
            "also write what recent PRONOTE versions add beyond schema 1.1 (Personnels, "
            "Materiels, ProfesseurPrincipal, students in groups and sessions)"
        ),
    )
    generate.set_defaults(handler=run_generate)


def _check(args: argparse.Namespace) -> None:
    from edt_tui.errors import BadInputError

    if not 1 <= args.students <= MAX_STUDENTS:
        raise BadInputError(
            f"--students {args.students}: give a number of students between 1 and {MAX_STUDENTS}"
        )
    if args.year is not None and not 2000 <= args.year <= 2100:
        raise BadInputError(f"--year {args.year}: give the year the school year starts (e.g. 2026)")
    if not UAI_PATTERN.match(args.uai):
        raise BadInputError(
            f"--uai {args.uai!r}: a UAI is 7 digits and an upper-case letter (e.g. 0490856P)"
        )
    if not PARTNER_PATTERN.match(args.partner):
        raise BadInputError(
            f"--partner {args.partner!r}: use letters, digits, '-' or '_' (e.g. ITSLEARNING)"
        )
    out: Path = args.out
    if out.exists() and not out.is_dir():
        raise BadInputError(f"{out} exists and is not a folder", hint="choose another --out DIR")
    if out.is_dir() and any(out.iterdir()) and not args.force:
        raise BadInputError(
            f"{out} is not empty; refusing to overwrite it",
            hint="choose an empty or new folder, or add --force to write into it anyway",
        )


def _stale_test_key(out: Path, public_key: RSAPublicKey) -> bool:
    """True when `out/keys` keeps an earlier test public key other than `public_key`."""
    from edt_tui.pronote.errors import PrivateKeyError
    from edt_tui.pronote.generator import PUBLIC_KEY_NAME
    from edt_tui.pronote.keys import load_public_key

    path = out / "keys" / PUBLIC_KEY_NAME
    if not path.is_file():
        return False
    try:
        old = load_public_key(path)
    except PrivateKeyError:
        return True
    return old.public_numbers() != public_key.public_numbers()


def run_generate(args: argparse.Namespace) -> int:
    from edt_tui.errors import BadInputError
    from edt_tui.pronote.errors import PrivateKeyError
    from edt_tui.pronote.generator import generate_establishment, write_establishment
    from edt_tui.pronote.keys import load_public_key

    args.out = args.out.expanduser()
    _check(args)
    public_key = None
    if args.public_key is not None:
        try:
            public_key = load_public_key(args.public_key.expanduser())
        except PrivateKeyError as exc:
            raise BadInputError(f"--public-key: {exc.message}", hint=exc.hint) from None
    generated = generate_establishment(
        students=args.students,
        seed=args.seed,
        year=args.year,
        uai=args.uai,
        partner=args.partner,
        public_key=public_key,
        newer=args.newer,
    )
    try:
        write_establishment(generated, args.out)
    except OSError as exc:
        raise BadInputError(
            f"cannot write the sample into {args.out}: {exc.strerror or exc}",
            hint="check the folder's permissions and free space",
        ) from None
    t = generated.timetable
    print(f"{generated.name} — UAI {generated.uai}, school year {t.school_year.label}")  # type: ignore[union-attr]
    print(
        f"  {len(t.subjects)} subjects, {len(t.teachers)} teachers, {len(t.classes)} classes, "
        f"{len(t.class_parts)} class parts, {len(t.groups)} groups, {len(t.rooms)} rooms, "
        f"{len(t.students)} students, {len(t.sessions)} sessions"
    )
    print(f"  export:  {args.out / generated.export_name} (for partner {generated.partner})")
    print(f"  plain:   {args.out / generated.plain_name}")
    if generated.private_key_pem is not None:
        print(f"  keys:    {args.out / 'keys'} (TEST ONLY — never use them for real data)")
    elif public_key is not None and _stale_test_key(args.out, public_key):
        print(
            f"edt-tui: warning: {args.out / 'keys'} holds a test key pair from an earlier run that "
            "does not match --public-key; the new export cannot be decrypted with it",
            file=sys.stderr,
        )
    d = generated.directory
    print(
        f"  ENT:     {args.out / 'ent'} ({len(d.users)} users, {len(d.subjects)} subjects, "
        f"{len(d.classes)} classes)"
    )
    return 0
