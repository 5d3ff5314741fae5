"""The ENT partner's RSA key pair: generation and loading in the forms found in the wild.

PRONOTE encrypts the AES key blob with the partner's public key; the ENT holds the private key,
usually as PKCS#8 (PEM or DER), sometimes as a traditional `RSA PRIVATE KEY` PEM. Key material is
never logged nor put in error messages.
"""

from __future__ import annotations

import functools
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

from edt_tui.pronote.errors import PrivateKeyError

KEY_BITS = 2048
"""Real partner keys are 2048-bit RSA."""

KeySource = bytes | str | Path


def generate_key_pair(bits: int = KEY_BITS) -> tuple[bytes, bytes]:
    """A fresh pair: (PKCS#8 PEM private key, SubjectPublicKeyInfo PEM public key)."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private_pem, public_pem


def _read(source: KeySource) -> tuple[bytes, str]:
    """Key bytes and a name for messages (the path, never the content)."""
    if isinstance(source, bytes):
        return source, "private key"
    path = Path(source).expanduser()
    try:
        return path.read_bytes(), str(path)
    except FileNotFoundError:
        raise PrivateKeyError("key file not found", source=str(path)) from None
    except OSError as exc:
        raise PrivateKeyError(
            f"cannot read the key file ({exc.strerror or exc.__class__.__name__})",
            source=str(path),
        ) from None


def _is_pem(data: bytes) -> bool:
    return b"-----BEGIN" in data[:4096]


def load_private_key(source: KeySource | RSAPrivateKey) -> RSAPrivateKey:
    """An RSA private key from PKCS#8 PEM/DER or traditional PEM/DER bytes or a file path.

    Parsed keys are cached by content: loading validates the RSA key (tens of ms), and the
    service opens many exports with the same key.
    """
    if isinstance(source, RSAPrivateKey):
        return source
    data, name = _read(source)
    try:
        return _parse_private_key(data)
    except PrivateKeyError as exc:
        raise PrivateKeyError(exc.reason, source=name, hint=exc.hint) from None


@functools.lru_cache(maxsize=8)
def _parse_private_key(data: bytes) -> RSAPrivateKey:
    """Parse key bytes; errors carry no file name (the caller adds it)."""
    try:
        if _is_pem(data):
            key = serialization.load_pem_private_key(data, password=None)
        else:
            key = serialization.load_der_private_key(data, password=None)
    except TypeError:
        raise PrivateKeyError(
            "the private key is protected by a passphrase",
            hint="decrypt it first: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pem",
        ) from None
    except (ValueError, UnicodeError):
        if b"PUBLIC KEY" in data[:4096]:
            raise PrivateKeyError(
                "this is a public key; the ENT needs the partner's private key"
            ) from None
        raise PrivateKeyError("not a readable private key (PEM or DER)") from None
    except Exception:  # the backend may raise its own types on garbage input
        raise PrivateKeyError("not a readable private key (PEM or DER)") from None
    if not isinstance(key, RSAPrivateKey):
        raise PrivateKeyError("the private key is not an RSA key")
    return key


def load_public_key(source: KeySource | RSAPublicKey | RSAPrivateKey) -> RSAPublicKey:
    """An RSA public key from SubjectPublicKeyInfo/PKCS#1 PEM or DER, or a private key's half."""
    if isinstance(source, RSAPublicKey):
        return source
    if isinstance(source, RSAPrivateKey):
        return source.public_key()
    data, name = _read(source)
    if name == "private key":
        name = "public key"
    try:
        if _is_pem(data):
            if b"PRIVATE KEY" in data[:4096]:
                return load_private_key(data).public_key()
            key = serialization.load_pem_public_key(data)
        else:
            key = serialization.load_der_public_key(data)
    except PrivateKeyError:
        raise
    except Exception:
        raise PrivateKeyError(
            "not a readable public key (PEM or DER)",
            source=name,
            hint="give the partner public key in PEM form (-----BEGIN PUBLIC KEY-----)",
        ) from None
    if not isinstance(key, RSAPublicKey):
        raise PrivateKeyError("the public key is not an RSA key", source=name)
    return key
