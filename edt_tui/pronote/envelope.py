"""The encrypted envelope `EXPORT_INDEX_EDUCATION` (format doc §2): seal and open.

Opening follows the production decryptor step by step: partner entry chosen by exact name, RSA
PKCS#1 v1.5 on the 48-byte key blob (AES key, IV, MD5 of both), AES-128-CBC with PKCS#7, zlib
inflate unless `CompresseAvantChiffrement` is false, BOM strip, and `VERIFICATION` accepted as the
SHA-256 of either the compressed bytes or the inflated document. Sealing produces files these
decryptors accept; with an `rng` it is fully deterministic (the RSA padding included).
"""

from __future__ import annotations

import base64
import binascii
import codecs
import hashlib
import os
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from xml.sax.saxutils import escape, quoteattr

from cryptography.hazmat.primitives import padding as sym_padding
from cryptography.hazmat.primitives.asymmetric import padding as asym_padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from lxml import etree

from edt_tui.config import DEFAULT_PARTNER
from edt_tui.pronote.errors import (
    CorruptedExportError,
    HostileXmlError,
    KeyMismatchError,
    MalformedXmlError,
    NoPrivateKeyError,
    NotAnExportError,
    PartnerKeyMissingError,
)
from edt_tui.pronote.keys import KeySource, load_private_key, load_public_key
from edt_tui.pronote.model import EnvelopeSummary
from edt_tui.pronote.parser import SAFE_PARSER_OPTIONS, refuse_doctype

ENVELOPE_NS = "http://www.index-education.com/conteneurexportchiffre"
ENVELOPE_ROOT = "EXPORT_INDEX_EDUCATION"
MAX_PARTNERS = 2
MAX_CLEARTEXT_BYTES = 512 * 1024 * 1024
"""Inflation stops here: a real lycée is a few MB, anything this big is a zip bomb."""

_BLOB_SIZE = 48
_WRAP = 76
_FIELDS = (
    "VERSION",
    "LOGICIEL",
    "CONTENU",
    "VERIFICATION",
    "DATEHEURE",
    "UAI",
    "NOMETABLISSEMENT",
    "CODEPOSTALVILLE",
)


@dataclass(frozen=True, slots=True)
class SealedEnvelope:
    """The envelope as found in the file, before any decryption."""

    summary: EnvelopeSummary
    partner_keys: Mapping[str, str] = field(default_factory=dict)
    """`PARTENAIRE/@NOM` → base64 text of the RSA-encrypted key blob."""
    content: str = ""
    verification: str = ""


# --------------------------------------------------------------------------------------- seal


def _wrap_base64(data: bytes) -> str:
    text = base64.b64encode(data).decode("ascii")
    lines = [text[i : i + _WRAP] for i in range(0, len(text), _WRAP)]
    return "\r\n" + "\r\n".join(lines) + "\r\n" if lines else ""


def _nonzero_bytes(count: int, rng: Callable[[int], bytes]) -> bytes:
    out = bytearray()
    while len(out) < count:
        out.extend(b for b in rng(count - len(out)) if b)
    return bytes(out)


def _rsa_pkcs1v15_encrypt(key: RSAPublicKey, message: bytes, rng: Callable[[int], bytes]) -> bytes:
    """RFC 8017 §7.2.1 with our own random source, so a seeded rng gives identical files."""
    numbers = key.public_numbers()
    size = (numbers.n.bit_length() + 7) // 8
    if len(message) > size - 11:
        raise ValueError("RSA key too small for the key blob")
    encoded = b"\x00\x02" + _nonzero_bytes(size - 3 - len(message), rng) + b"\x00" + message
    value = pow(int.from_bytes(encoded, "big"), numbers.e, numbers.n)
    return value.to_bytes(size, "big")


def seal_envelope(
    cleartext: bytes,
    *,
    partners: Mapping[str, RSAPublicKey | KeySource],
    uai: str,
    establishment_name: str,
    postcode_city: str,
    software: str,
    exported_at: datetime,
    compress: bool = True,
    rng: Callable[[int], bytes] | None = None,
    container_version: str = "1.0",
) -> bytes:
    """Encrypt a cleartext export for one or two partners (public keys: objects, PEM or paths).

    UTF-8 cleartext → zlib → AES-128-CBC/PKCS#7 with a random key and IV → key‖IV‖MD5(key‖IV)
    RSA-encrypted per partner → VERIFICATION = SHA-256 of the compressed bytes → base64 wrapped
    at 76 columns with CRLF.
    """
    if not 1 <= len(partners) <= MAX_PARTNERS:
        raise ValueError(f"an envelope carries 1 or {MAX_PARTNERS} partners, not {len(partners)}")
    random = rng or os.urandom
    payload = zlib.compress(cleartext, 9) if compress else cleartext
    aes_key, iv = random(16), random(16)
    blob = aes_key + iv + hashlib.md5(aes_key + iv).digest()
    padder = sym_padding.PKCS7(128).padder()
    padded = padder.update(payload) + padder.finalize()
    encryptor = Cipher(algorithms.AES(aes_key), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(padded) + encryptor.finalize()

    crlf = "\r\n"
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<{ENVELOPE_ROOT} xmlns="{ENVELOPE_NS}">',
        f"<VERSION>{escape(container_version)}</VERSION>",
        f"<LOGICIEL>{escape(software)}</LOGICIEL>",
        "<CLES>",
    ]
    for name, public in partners.items():
        encrypted = _rsa_pkcs1v15_encrypt(load_public_key(public), blob, random)
        parts.append(f"<PARTENAIRE NOM={quoteattr(name)}>{_wrap_base64(encrypted)}</PARTENAIRE>")
    parts.append("</CLES>")
    attribute = "" if compress else ' CompresseAvantChiffrement="false"'
    parts.append(f"<CONTENU{attribute}>{_wrap_base64(ciphertext)}</CONTENU>")
    parts.append(f"<VERIFICATION>{_wrap_base64(hashlib.sha256(payload).digest())}</VERIFICATION>")
    parts.append(f"<DATEHEURE>{exported_at.isoformat(timespec='seconds')}</DATEHEURE>")
    parts.append(f"<UAI>{escape(uai)}</UAI>")
    parts.append(f"<NOMETABLISSEMENT>{escape(establishment_name)}</NOMETABLISSEMENT>")
    parts.append(f"<CODEPOSTALVILLE>{escape(postcode_city)}</CODEPOSTALVILLE>")
    parts.append(f"</{ENVELOPE_ROOT}>")
    return (crlf.join(parts) + crlf).encode("utf-8")


# --------------------------------------------------------------------------------------- read


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


class _EnvelopeTarget:
    """lxml parser target: collects the envelope's texts in chunks (CONTENU may be many MB)."""

    def __init__(self, source: str | None) -> None:
        self.source = source
        self.depth = 0
        self.root: str | None = None
        self.current: str | None = None
        self.chunks: list[str] = []
        self.texts: dict[str, str] = {}
        self.compressed_attr: str | None = None
        self.partners: list[tuple[str, str]] = []
        self.partner_name: str | None = None

    def doctype(self, name: str, pubid: str | None, system: str | None) -> None:
        raise HostileXmlError(
            "the file declares a DOCTYPE (DTD or entities), which exports never contain",
            source=self.source,
        )

    def start(self, tag: str, attrib: Mapping[str, str]) -> None:
        self.depth += 1
        local = _local(tag)
        if self.depth == 1:
            self.root = local
            if local != ENVELOPE_ROOT:
                raise NotAnExportError(
                    f"root element <{local}> is not an encrypted PRONOTE export envelope",
                    source=self.source,
                )
        elif self.depth == 2 and local in _FIELDS:
            self.current, self.chunks = local, []
            if local == "CONTENU":
                self.compressed_attr = attrib.get("CompresseAvantChiffrement")
        elif self.depth == 3 and local == "PARTENAIRE":
            self.current, self.chunks = local, []
            # Entity resolution is off: libxml2 hands each `&` of an attribute over as `&#38;`.
            self.partner_name = attrib.get("NOM", "").replace("&#38;", "&")

    def data(self, text: str) -> None:
        if self.current is not None:
            self.chunks.append(text)

    def end(self, tag: str) -> None:
        if self.current is not None and (self.depth == 2 or self.current == "PARTENAIRE"):
            text = "".join(self.chunks)
            if self.current == "PARTENAIRE":
                self.partners.append((self.partner_name or "", text))
            else:
                self.texts[self.current] = text
            self.current, self.chunks = None, []
        self.depth -= 1

    def close(self) -> None:
        return None


def _parse_bool(value: str | None) -> bool:
    """`CompresseAvantChiffrement`: absent/true/1 → compressed; false/0 → not."""
    if value is None:
        return True
    return value.strip().lower() not in ("false", "0")


def _parse_datetime(value: str | None) -> datetime | None:
    if not value or not value.strip():
        return None
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        return None


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def parse_envelope(
    data: bytes, *, partner: str = DEFAULT_PARTNER, source_name: str | None = None
) -> SealedEnvelope:
    """Read the envelope's fields without any key (enough for the §3.4 summary)."""
    refuse_doctype(data, source=source_name)
    target = _EnvelopeTarget(source_name)
    parser = etree.XMLParser(target=target, **SAFE_PARSER_OPTIONS)
    try:
        etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise MalformedXmlError(
            f"the envelope is not well-formed XML ({exc.msg}); the file may be truncated",
            source=source_name,
            line=exc.lineno,
        ) from None
    texts = target.texts
    names = tuple(name for name, _ in target.partners)
    summary = EnvelopeSummary(
        container_version=_clean(texts.get("VERSION")),
        software=_clean(texts.get("LOGICIEL")),
        partners=names,
        key_present=partner in names,
        compressed=_parse_bool(target.compressed_attr),
        exported_at=_parse_datetime(texts.get("DATEHEURE")),
        uai=_clean(texts.get("UAI")),
        establishment_name=_clean(texts.get("NOMETABLISSEMENT")),
        postcode_city=_clean(texts.get("CODEPOSTALVILLE")),
    )
    keys: dict[str, str] = {}
    for name, text in target.partners:
        keys.setdefault(name, text)
    return SealedEnvelope(
        summary=summary,
        partner_keys=keys,
        content=texts.get("CONTENU", ""),
        verification=texts.get("VERIFICATION", ""),
    )


def _b64(text: str, what: str, source: str | None) -> bytes:
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise CorruptedExportError(
            f"{what} is not valid base64", source=source, element=what
        ) from None


def _inflate(payload: bytes, source: str | None) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(payload, MAX_CLEARTEXT_BYTES)
    except zlib.error as exc:
        raise CorruptedExportError(
            f"the decrypted content is not a valid zlib stream ({exc})",
            source=source,
            element="CONTENU",
        ) from None
    if inflater.unconsumed_tail:
        raise HostileXmlError(
            f"the content inflates to more than {MAX_CLEARTEXT_BYTES // 2**20} MB",
            source=source,
            element="CONTENU",
        )
    if not inflater.eof:
        raise CorruptedExportError(
            "the compressed content ends early (truncated zlib stream)",
            source=source,
            element="CONTENU",
        )
    return out


def decrypt_envelope(
    sealed: SealedEnvelope,
    private_key: RSAPrivateKey | KeySource | None,
    *,
    partner: str = DEFAULT_PARTNER,
    source_name: str | None = None,
) -> bytes:
    """The cleartext document (UTF-8, BOM stripped) of an already parsed envelope."""
    source = source_name
    if partner not in sealed.partner_keys:
        raise PartnerKeyMissingError(
            partner=partner, partners=sealed.summary.partners, source=source
        )
    if private_key is None:
        raise NoPrivateKeyError(source=source)
    key = load_private_key(private_key)

    encrypted_blob = _b64(sealed.partner_keys[partner], "PARTENAIRE", source)
    try:
        blob = key.decrypt(encrypted_blob, asym_padding.PKCS1v15())
    except ValueError:
        blob = b""
    if len(blob) != _BLOB_SIZE or hashlib.md5(blob[:32]).digest() != blob[32:]:
        raise KeyMismatchError(
            f"the private key does not match the key this file was encrypted with for {partner} "
            "(or that key entry is damaged)",
            source=source,
            element="PARTENAIRE",
        )
    aes_key, iv = blob[:16], blob[16:32]

    ciphertext = _b64(sealed.content, "CONTENU", source)
    if not ciphertext or len(ciphertext) % 16:
        raise CorruptedExportError(
            "the encrypted content is truncated (not a whole number of AES blocks)",
            source=source,
            element="CONTENU",
        )
    decryptor = Cipher(algorithms.AES(aes_key), modes.CBC(iv)).decryptor()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    unpadder = sym_padding.PKCS7(128).unpadder()
    try:
        payload = unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        raise CorruptedExportError(
            "the encrypted content has a bad padding", source=source, element="CONTENU"
        ) from None

    expected = _b64(sealed.verification, "VERIFICATION", source)
    matches_payload = hashlib.sha256(payload).digest() == expected
    document = _inflate(payload, source) if sealed.summary.compressed else payload
    if not matches_payload and hashlib.sha256(document).digest() != expected:
        raise CorruptedExportError(
            "the VERIFICATION hash does not match the content",
            source=source,
            element="VERIFICATION",
        )
    return document.removeprefix(codecs.BOM_UTF8)


def open_envelope(
    data: bytes,
    *,
    private_key: RSAPrivateKey | KeySource | None,
    partner: str = DEFAULT_PARTNER,
    source_name: str | None = None,
) -> tuple[EnvelopeSummary, bytes]:
    """Parse and decrypt an envelope file: its summary and its cleartext document."""
    sealed = parse_envelope(data, partner=partner, source_name=source_name)
    document = decrypt_envelope(sealed, private_key, partner=partner, source_name=source_name)
    return sealed.summary, document
