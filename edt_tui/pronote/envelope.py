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

from edt_tui.pronote.errors import (
    CorruptedExportError,
    HostileXmlError,
    KeyMismatchError,
    LimitExceededError,
    MalformedXmlError,
    NoPrivateKeyError,
    NotAnExportError,
    PartnerKeyMissingError,
    shorten,
)
from edt_tui.pronote.keys import KeySource, load_private_key, load_public_key
from edt_tui.pronote.limits import LIMITS, ReaderLimits, size_text
from edt_tui.pronote.model import DEFAULT_PARTNER, EnvelopeSummary
from edt_tui.pronote.parser import SAFE_PARSER_OPTIONS, refuse_doctype

ENVELOPE_NS = "http://www.index-education.com/conteneurexportchiffre"
ENVELOPE_ROOT = "EXPORT_INDEX_EDUCATION"
MAX_PARTNERS = 2

_BLOB_SIZE = 48
_CHUNK = 1 << 20
"""Ciphertext decrypted and inflated this much at a time, so a bomb stops at the limit."""
_BASE64_BATCH = 1 << 16
_SPACES = b" \t\r\n"
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
    content: bytes | bytearray | None = b""
    """The encrypted content, base64-decoded while parsing (not copied once more: it may be
    tens of MB); None when it is not valid base64."""
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


class _Base64Sink:
    """Decodes `CONTENU` as lxml hands it over (300 characters at a time), so the encrypted
    content is held once, as bytes, instead of as text, joined text and decoded bytes."""

    def __init__(self) -> None:
        self.pending: list[str] = []
        self.pending_chars = 0
        self.out = bytearray()
        self.valid = True
        self.padded = False

    def add(self, text: str) -> None:
        if self.valid:
            self.pending.append(text)
            self.pending_chars += len(text)
            if self.pending_chars >= _BASE64_BATCH:
                self.flush(final=False)

    def flush(self, *, final: bool) -> None:
        try:
            raw = "".join(self.pending).encode("ascii").translate(None, _SPACES)
        except UnicodeEncodeError:
            raw = b"*"  # not base64: refused below
        self.pending, self.pending_chars = [], 0
        keep = 0 if final else len(raw) % 4
        if keep:
            self.pending, self.pending_chars = [raw[-keep:].decode("ascii")], keep
            raw = raw[:-keep]
        if not raw:
            return
        try:
            if self.padded:
                raise binascii.Error("data after the padding")
            self.out += binascii.a2b_base64(raw, strict_mode=True)
            self.padded = raw.endswith(b"=")
        except binascii.Error:
            self.valid, self.out, self.pending = False, bytearray(), []

    def result(self) -> bytearray | None:
        self.flush(final=True)
        return self.out if self.valid else None


class _EnvelopeTarget:
    """lxml parser target: collects the envelope's fields (the content decoded as it comes)."""

    def __init__(self, source: str | None, limits: ReaderLimits, keep_content: bool) -> None:
        self.source = source
        self.limits = limits
        self.keep_content = keep_content
        self.depth = 0
        self.root: str | None = None
        self.current: str | None = None
        self.chunks: list[str] = []
        self.chars = 0
        self.texts: dict[str, str] = {}
        self.content: _Base64Sink | None = None
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
                    f"root element <{shorten(local)}> is not an encrypted PRONOTE export "
                    "envelope",
                    source=self.source,
                )
        elif self.depth == 2 and local in _FIELDS:
            self.current, self.chunks, self.chars = local, [], 0
            if local == "CONTENU":
                self.compressed_attr = attrib.get("CompresseAvantChiffrement")
                if self.keep_content and self.content is None:
                    self.content = _Base64Sink()
        elif self.depth == 3 and local == "PARTENAIRE":
            if len(self.partners) >= self.limits.partners:
                raise LimitExceededError(
                    "too many partner key entries",
                    str(self.limits.partners),
                    name="partners",
                    source=self.source,
                    element="PARTENAIRE",
                )
            self.current, self.chunks, self.chars = local, [], 0
            # Entity resolution is off: libxml2 hands each `&` of an attribute over as `&#38;`.
            self.partner_name = attrib.get("NOM", "").replace("&#38;", "&")
            if len(self.partner_name) > self.limits.field_chars:
                raise LimitExceededError(
                    "a partner name is too long",
                    str(self.limits.field_chars),
                    name="field_chars",
                    source=self.source,
                    element="PARTENAIRE",
                )

    def data(self, text: str) -> None:
        current = self.current
        if current is None:
            return
        if current == "CONTENU":
            if self.content is not None:
                self.content.add(text)
            return
        self.chars += len(text)
        if self.chars > self.limits.field_chars:
            raise LimitExceededError(
                "an envelope field is too long",
                str(self.limits.field_chars),
                name="field_chars",
                source=self.source,
                element=current,
            )
        self.chunks.append(text)

    def end(self, tag: str) -> None:
        if self.current is not None and (self.depth == 2 or self.current == "PARTENAIRE"):
            text = "".join(self.chunks)
            if self.current == "PARTENAIRE":
                self.partners.append((self.partner_name or "", text))
            elif self.current != "CONTENU":
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
    data: bytes,
    *,
    partner: str = DEFAULT_PARTNER,
    source_name: str | None = None,
    limits: ReaderLimits = LIMITS,
    keep_content: bool = True,
) -> SealedEnvelope:
    """Read the envelope's fields without any key (enough for the §3.4 summary).

    Without `keep_content` the encrypted content is skipped (a summary needs none of it).
    """
    refuse_doctype(data, source=source_name)
    target = _EnvelopeTarget(source_name, limits, keep_content)
    parser = etree.XMLParser(target=target, **SAFE_PARSER_OPTIONS)
    try:
        etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise MalformedXmlError(
            f"the envelope is not well-formed XML ({shorten(exc.msg, 200)}); the file may be "
            "truncated",
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
        content=target.content.result() if target.content is not None else b"",
        verification=texts.get("VERIFICATION", ""),
    )


def _b64(text: str, what: str, source: str | None) -> bytes:
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise CorruptedExportError(
            f"{what} is not valid base64", source=source, element=what
        ) from None


class _Opener:
    """Decrypted payload → document, a chunk at a time: unpadding, hashing and inflating as it
    comes, so that a zip bomb stops at `limits.document_bytes` instead of filling memory."""

    def __init__(self, compressed: bool, limits: ReaderLimits, source: str | None) -> None:
        self.inflater = zlib.decompressobj() if compressed else None
        self.unpadder = sym_padding.PKCS7(128).unpadder()
        self.payload_hash = hashlib.sha256()
        self.document = bytearray()
        self.cap = limits.document_bytes
        self.source = source

    def too_large(self) -> LimitExceededError:
        return LimitExceededError(
            f"the decrypted content {'inflates' if self.inflater else 'amounts'} to more than "
            f"{size_text(self.cap)}",
            size_text(self.cap),
            name="document_bytes",
            source=self.source,
            element="CONTENU",
        )

    def feed(self, decrypted: bytes) -> None:
        self.take(self.unpadder.update(decrypted))

    def take(self, payload: bytes) -> None:
        if not payload:
            return
        self.payload_hash.update(payload)
        document, inflater = self.document, self.inflater
        if inflater is None:
            document += payload
        else:
            # At most a chunk out per call: zlib would otherwise build the whole output apart
            # before handing it over (twice the memory).
            while payload and not inflater.eof:
                room = min(self.cap + 1 - len(document), _CHUNK)
                try:
                    document += inflater.decompress(payload, room)
                except zlib.error as exc:
                    raise CorruptedExportError(
                        f"the decrypted content is not a valid zlib stream ({exc})",
                        source=self.source,
                        element="CONTENU",
                    ) from None
                if len(document) > self.cap:
                    raise self.too_large()
                payload = inflater.unconsumed_tail
        if len(document) > self.cap:
            raise self.too_large()

    def finish(self) -> bytearray:
        try:
            last = self.unpadder.finalize()
        except ValueError:
            raise CorruptedExportError(
                "the encrypted content has a bad padding", source=self.source, element="CONTENU"
            ) from None
        self.take(last)
        if self.inflater is not None and not self.inflater.eof:
            raise CorruptedExportError(
                "the compressed content ends early (truncated zlib stream)",
                source=self.source,
                element="CONTENU",
            )
        return self.document


def decrypt_envelope(
    sealed: SealedEnvelope,
    private_key: RSAPrivateKey | KeySource | None,
    *,
    partner: str = DEFAULT_PARTNER,
    source_name: str | None = None,
    limits: ReaderLimits = LIMITS,
) -> bytes:
    """The cleartext document (BOM stripped) of an already parsed envelope.

    Decryption and inflation go a chunk at a time: `LimitExceededError` as soon as the
    document passes `limits.document_bytes`.
    """
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

    ciphertext = sealed.content
    if ciphertext is None:
        raise CorruptedExportError(
            "CONTENU is not valid base64", source=source, element="CONTENU"
        )
    if not ciphertext or len(ciphertext) % 16:
        raise CorruptedExportError(
            "the encrypted content is truncated (not a whole number of AES blocks)",
            source=source,
            element="CONTENU",
        )
    expected = _b64(sealed.verification, "VERIFICATION", source)
    opener = _Opener(sealed.summary.compressed, limits, source)
    if not sealed.summary.compressed and len(ciphertext) - 16 > limits.document_bytes:
        raise opener.too_large()  # the padding is at most a block: no need to decrypt
    decryptor = Cipher(algorithms.AES(aes_key), modes.CBC(iv)).decryptor()
    view = memoryview(ciphertext)
    for offset in range(0, len(view), _CHUNK):
        opener.feed(decryptor.update(view[offset : offset + _CHUNK]))
    opener.feed(decryptor.finalize())
    document = opener.finish()
    if (
        opener.payload_hash.digest() != expected
        and hashlib.sha256(document).digest() != expected
    ):
        raise CorruptedExportError(
            "the VERIFICATION hash does not match the content",
            source=source,
            element="VERIFICATION",
        )
    if document.startswith(codecs.BOM_UTF8):
        del document[: len(codecs.BOM_UTF8)]
    return bytes(document)


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
