"""Partner keys in the forms found in the wild, and clear errors for everything else."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

from edt_tui.errors import BadInputError
from edt_tui.pronote.errors import PrivateKeyError
from edt_tui.pronote.keys import load_private_key, load_public_key


def _reencode(pem: bytes, encoding: serialization.Encoding, fmt: serialization.PrivateFormat):
    key = serialization.load_pem_private_key(pem, password=None)
    return key.private_bytes(encoding, fmt, serialization.NoEncryption())


def test_generated_pair_is_pkcs8_pem_rsa_2048(key_pair: tuple[bytes, bytes]) -> None:
    private_pem, public_pem = key_pair
    assert private_pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert public_pem.startswith(b"-----BEGIN PUBLIC KEY-----")
    private = load_private_key(private_pem)
    assert private.key_size == 2048
    assert load_public_key(public_pem).public_numbers() == private.public_key().public_numbers()


@pytest.mark.parametrize(
    ("encoding", "fmt"),
    [
        (serialization.Encoding.DER, serialization.PrivateFormat.PKCS8),
        (serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL),
        (serialization.Encoding.DER, serialization.PrivateFormat.TraditionalOpenSSL),
    ],
)
def test_private_key_forms_accepted(
    tmp_path: Path, key_pair: tuple[bytes, bytes], encoding, fmt
) -> None:
    path = tmp_path / "key"
    path.write_bytes(_reencode(key_pair[0], encoding, fmt))
    key = load_private_key(path)
    assert isinstance(key, RSAPrivateKey)
    expected = load_private_key(key_pair[0]).private_numbers()
    assert key.private_numbers() == expected


def test_public_key_der_and_from_private(key_pair: tuple[bytes, bytes]) -> None:
    public = load_public_key(key_pair[1])
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert load_public_key(der).public_numbers() == public.public_numbers()
    derived = load_public_key(key_pair[0])
    assert isinstance(derived, RSAPublicKey)
    assert derived.public_numbers() == public.public_numbers()


def test_missing_key_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(PrivateKeyError, match="not found") as exc:
        load_private_key(tmp_path / "absent.pem")
    assert str(tmp_path / "absent.pem") in str(exc.value)
    assert isinstance(exc.value, BadInputError)


def test_public_key_given_as_private_key_is_explained(key_pair: tuple[bytes, bytes]) -> None:
    with pytest.raises(PrivateKeyError, match="public key"):
        load_private_key(key_pair[1])


def test_garbage_key_is_refused_without_echoing_it(tmp_path: Path) -> None:
    path = tmp_path / "k.pem"
    path.write_bytes(b"-----BEGIN PRIVATE KEY-----\nU0VDUkVUU0VDUkVU\n-----END PRIVATE KEY-----\n")
    with pytest.raises(PrivateKeyError) as exc:
        load_private_key(path)
    assert "U0VDUkVU" not in str(exc.value)


def test_passphrase_protected_key_is_explained(key_pair: tuple[bytes, bytes]) -> None:
    key = load_private_key(key_pair[0])
    locked = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"pass"),
    )
    with pytest.raises(PrivateKeyError, match="passphrase"):
        load_private_key(locked)


def test_non_rsa_key_is_refused() -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(PrivateKeyError, match="not an RSA key"):
        load_private_key(pem)
