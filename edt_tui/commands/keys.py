"""`edt-tui keys generate --out DIR`: the ENT partner key pair PRONOTE encrypts exports for.

The private key is written with mode 0600 before any byte of it reaches the disk; existing key
files are never overwritten (exit 2, nothing written).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

PRIVATE_NAME = "partner-private.pem"
PUBLIC_NAME = "partner-public.pem"


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "keys",
        help="manage the ENT partner RSA key pair",
        description="Manage the RSA key pair PRONOTE uses to encrypt exports for this ENT.",
    )
    sub = parser.add_subparsers(title="key commands", metavar="ACTION", required=True)
    generate = sub.add_parser(
        "generate",
        help="create a 2048-bit RSA key pair",
        description=(
            f"Create a 2048-bit RSA key pair in DIR: {PRIVATE_NAME} (PKCS#8 PEM, mode 0600; "
            f"keep it on the ENT server) and {PUBLIC_NAME} (give it to Index Education / "
            "PRONOTE as the partner public key). Existing files are never overwritten."
        ),
    )
    generate.add_argument("--out", metavar="DIR", required=True, type=Path, help="target folder")
    generate.set_defaults(handler=run_generate)


def _write_new(path: Path, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(path, mode)  # the umask may have narrowed or the FS widened it


def run_generate(args: argparse.Namespace) -> int:
    from edt_tui.errors import BadInputError
    from edt_tui.pronote.keys import generate_key_pair

    out: Path = args.out.expanduser()
    if out.exists() and not out.is_dir():
        raise BadInputError(f"{out} exists and is not a folder", hint="choose another --out DIR")
    private_path, public_path = out / PRIVATE_NAME, out / PUBLIC_NAME
    existing = [str(p) for p in (private_path, public_path) if p.exists()]
    if existing:
        raise BadInputError(
            f"{', '.join(existing)} already exist(s); a key pair is never overwritten",
            hint="choose another --out DIR, or move the old keys away first",
        )
    out.mkdir(parents=True, exist_ok=True)
    private_pem, public_pem = generate_key_pair()
    try:
        _write_new(private_path, private_pem, 0o600)
        _write_new(public_path, public_pem, 0o644)
    except OSError as exc:
        for path in (private_path, public_path):
            path.unlink(missing_ok=True)
        raise BadInputError(
            f"cannot write the key pair in {out}: {exc.strerror or exc}",
            hint="check the folder's permissions",
        ) from None
    print(f"Private key (keep secret, mode 0600): {private_path}")
    print(f"Public key (give to PRONOTE / Index Education): {public_path}")
    return 0
