"""Envelope sealing and opening, step by step as the production decryptor (format doc §2)."""

from __future__ import annotations

import base64
import codecs
import hashlib
import re
import zlib

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree

from edt_tui.pronote.envelope import ENVELOPE_NS, open_envelope, parse_envelope
from edt_tui.pronote.errors import (
    CorruptedExportError,
    KeyMismatchError,
    MalformedXmlError,
    NoPrivateKeyError,
    PartnerKeyMissingError,
)
from edt_tui.pronote.keys import load_private_key, load_public_key

from .conftest import Sealer, timetable_xml

CLEAR = timetable_xml('<Matieres><Matiere Ident="1" Code="FRANC" Libelle="FRANCAIS"/></Matieres>')


def _text(envelope: bytes, element: str) -> str:
    match = re.search(
        rb"<%s[^>]*>(.*?)</%s>" % (element.encode(), element.encode()), envelope, re.S
    )
    assert match, element
    return match.group(1).decode()


def _replace(envelope: bytes, element: str, new_text: str) -> bytes:
    old = _text(envelope, element).encode()
    return envelope.replace(old, new_text.encode(), 1)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_round_trip_and_summary(seal: Sealer, key_pair: tuple[bytes, bytes]) -> None:
    envelope = seal(CLEAR)
    summary, document = open_envelope(envelope, private_key=key_pair[0])
    assert document == CLEAR
    assert summary.partners == ("ITSLEARNING",)
    assert summary.key_present
    assert summary.compressed
    assert summary.uai == "0490856P"
    assert summary.establishment_name == "Collège Jean-Zay d'Angers"
    assert summary.software == "PRONOTE Réseau 2026 - 0.2.5"
    assert summary.exported_at is not None and summary.exported_at.minute == 45
    assert summary.container_version == "1.0"


def test_layout_is_the_generator_recipe(seal: Sealer) -> None:
    envelope = seal(CLEAR)
    root = etree.fromstring(envelope)
    assert root.tag == f"{{{ENVELOPE_NS}}}EXPORT_INDEX_EDUCATION"
    names = [etree.QName(child).localname for child in root]
    assert names == [
        "VERSION", "LOGICIEL", "CLES", "CONTENU", "VERIFICATION",
        "DATEHEURE", "UAI", "NOMETABLISSEMENT", "CODEPOSTALVILLE",
    ]  # fmt: skip
    assert all(etree.QName(child).namespace == ENVELOPE_NS for child in root.iter())
    content = _text(envelope, "CONTENU")
    lines = content.split("\r\n")
    assert lines[0] == "" and lines[-1] == ""
    assert all(len(line) == 76 for line in lines[1:-2])
    assert 0 < len(lines[-2]) <= 76


def test_verification_is_sha256_of_compressed_bytes(
    seal: Sealer, key_pair: tuple[bytes, bytes]
) -> None:
    """Decrypt by hand with a second implementation: blob, AES, zlib, and the hash."""
    envelope = seal(CLEAR)
    private = load_private_key(key_pair[0])
    blob = private.decrypt(
        base64.b64decode("".join(_text(envelope, "PARTENAIRE").split())), padding.PKCS1v15()
    )
    assert len(blob) == 48 and hashlib.md5(blob[:32]).digest() == blob[32:]
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    ciphertext = base64.b64decode("".join(_text(envelope, "CONTENU").split()))
    dec = Cipher(algorithms.AES(blob[:16]), modes.CBC(blob[16:32])).decryptor()
    padded = dec.update(ciphertext) + dec.finalize()
    compressed = padded[: -padded[-1]]
    assert compressed[:1] == b"\x78"  # a zlib (RFC 1950) header, not raw deflate nor gzip
    assert zlib.decompress(compressed) == CLEAR
    verification = base64.b64decode("".join(_text(envelope, "VERIFICATION").split()))
    assert verification == hashlib.sha256(compressed).digest()


def test_seeded_rng_makes_sealing_deterministic(seal: Sealer) -> None:
    assert seal(CLEAR, seed=3) == seal(CLEAR, seed=3)
    assert seal(CLEAR, seed=3) != seal(CLEAR, seed=4)


def test_blob_encrypted_by_a_standard_rsa_implementation_opens(
    seal: Sealer, key_pair: tuple[bytes, bytes]
) -> None:
    """Our own PKCS#1 v1.5 padding is not required: the library's padding opens too."""
    envelope = seal(CLEAR)
    private = load_private_key(key_pair[0])
    blob = private.decrypt(
        base64.b64decode("".join(_text(envelope, "PARTENAIRE").split())), padding.PKCS1v15()
    )
    again = load_public_key(key_pair[1]).encrypt(blob, padding.PKCS1v15())
    _, document = open_envelope(_replace(envelope, "PARTENAIRE", _b64(again)), private_key=private)
    assert document == CLEAR


def test_der_private_key_opens(seal: Sealer, key_pair: tuple[bytes, bytes]) -> None:
    der = load_private_key(key_pair[0]).private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    assert open_envelope(seal(CLEAR), private_key=der)[1] == CLEAR


def test_two_partners_ours_second(
    seal: Sealer, key_pair: tuple[bytes, bytes], other_key_pair: tuple[bytes, bytes]
) -> None:
    envelope = seal(
        CLEAR, partners={"INDEXEDUCATION": other_key_pair[1], "ITSLEARNING": key_pair[1]}
    )
    summary, document = open_envelope(envelope, private_key=key_pair[0])
    assert summary.partners == ("INDEXEDUCATION", "ITSLEARNING")
    assert document == CLEAR


def test_our_partner_missing(seal: Sealer, key_pair: tuple[bytes, bytes]) -> None:
    envelope = seal(CLEAR, partners={"INDEXEDUCATION": key_pair[1], "ENTCORE": key_pair[1]})
    assert not parse_envelope(envelope).summary.key_present
    with pytest.raises(PartnerKeyMissingError) as exc:
        open_envelope(envelope, private_key=key_pair[0], source_name="Edt.xml")
    message = str(exc.value)
    assert "INDEXEDUCATION, ENTCORE" in message and "(ITSLEARNING)" in message
    assert "Edt.xml" in message and "re-export" in message


def test_partner_name_with_ampersand(seal: Sealer, key_pair: tuple[bytes, bytes]) -> None:
    envelope = seal(CLEAR, partners={"A&B ENT": key_pair[1]})
    assert parse_envelope(envelope).summary.partners == ("A&B ENT",)
    assert open_envelope(envelope, private_key=key_pair[0], partner="A&B ENT")[1] == CLEAR


def test_partner_selection_is_case_sensitive(seal: Sealer, key_pair: tuple[bytes, bytes]) -> None:
    envelope = seal(CLEAR, partners={"itslearning": key_pair[1]})
    with pytest.raises(PartnerKeyMissingError):
        open_envelope(envelope, private_key=key_pair[0])
    assert open_envelope(envelope, private_key=key_pair[0], partner="itslearning")[1] == CLEAR


def test_no_private_key(seal: Sealer) -> None:
    with pytest.raises(NoPrivateKeyError, match="no private key"):
        open_envelope(seal(CLEAR), private_key=None)


def test_wrong_key(seal: Sealer, other_key_pair: tuple[bytes, bytes]) -> None:
    with pytest.raises(KeyMismatchError, match="does not match"):
        open_envelope(seal(CLEAR), private_key=other_key_pair[0])


def test_md5_mismatch_in_key_blob(seal: Sealer, key_pair: tuple[bytes, bytes]) -> None:
    blob = bytes(range(32)) + b"\x00" * 16
    bad = load_public_key(key_pair[1]).encrypt(blob, padding.PKCS1v15())
    envelope = _replace(seal(CLEAR), "PARTENAIRE", _b64(bad))
    with pytest.raises(KeyMismatchError):
        open_envelope(envelope, private_key=key_pair[0])


def test_one_flipped_byte_in_contenu(seal: Sealer, key_pair: tuple[bytes, bytes]) -> None:
    envelope = seal(CLEAR)
    raw = bytearray(base64.b64decode("".join(_text(envelope, "CONTENU").split())))
    raw[len(raw) // 2] ^= 0x01
    tampered = _replace(envelope, "CONTENU", _b64(bytes(raw)))
    with pytest.raises(CorruptedExportError, match="truncated or was modified"):
        open_envelope(tampered, private_key=key_pair[0])


def test_truncated_ciphertext(seal: Sealer, key_pair: tuple[bytes, bytes]) -> None:
    envelope = seal(CLEAR)
    raw = base64.b64decode("".join(_text(envelope, "CONTENU").split()))
    with pytest.raises(CorruptedExportError, match="AES blocks"):
        open_envelope(_replace(envelope, "CONTENU", _b64(raw[:-5])), private_key=key_pair[0])
    with pytest.raises(CorruptedExportError):
        open_envelope(_replace(envelope, "CONTENU", _b64(raw[:-16])), private_key=key_pair[0])


def test_truncated_file(seal: Sealer, key_pair: tuple[bytes, bytes]) -> None:
    envelope = seal(CLEAR)
    with pytest.raises(MalformedXmlError, match="truncated"):
        open_envelope(envelope[: len(envelope) * 2 // 3], private_key=key_pair[0])


def test_invalid_base64(seal: Sealer, key_pair: tuple[bytes, bytes]) -> None:
    envelope = _replace(seal(CLEAR), "CONTENU", "not*base64!")
    with pytest.raises(CorruptedExportError, match="base64"):
        open_envelope(envelope, private_key=key_pair[0])


def test_verification_mismatch(seal: Sealer, key_pair: tuple[bytes, bytes]) -> None:
    envelope = _replace(seal(CLEAR), "VERIFICATION", _b64(hashlib.sha256(b"other").digest()))
    with pytest.raises(CorruptedExportError, match="VERIFICATION"):
        open_envelope(envelope, private_key=key_pair[0])


def test_verification_of_inflated_xml_accepted(seal: Sealer, key_pair: tuple[bytes, bytes]) -> None:
    envelope = _replace(seal(CLEAR), "VERIFICATION", _b64(hashlib.sha256(CLEAR).digest()))
    assert open_envelope(envelope, private_key=key_pair[0])[1] == CLEAR


@pytest.mark.parametrize("value", ["false", "0", " False "])
def test_not_compressed(seal: Sealer, key_pair: tuple[bytes, bytes], value: str) -> None:
    envelope = seal(CLEAR, compress=False).replace(
        b'CompresseAvantChiffrement="false"', f'CompresseAvantChiffrement="{value}"'.encode()
    )
    summary, document = open_envelope(envelope, private_key=key_pair[0])
    assert not summary.compressed
    assert document == CLEAR


@pytest.mark.parametrize("value", ["true", "1"])
def test_compressed_explicitly(seal: Sealer, key_pair: tuple[bytes, bytes], value: str) -> None:
    envelope = seal(CLEAR).replace(
        b"<CONTENU>", f'<CONTENU CompresseAvantChiffrement="{value}">'.encode()
    )
    summary, document = open_envelope(envelope, private_key=key_pair[0])
    assert summary.compressed and document == CLEAR


def test_compressed_flag_lying_is_corruption(seal: Sealer, key_pair: tuple[bytes, bytes]) -> None:
    envelope = seal(CLEAR, compress=False).replace(b' CompresseAvantChiffrement="false"', b"")
    with pytest.raises(CorruptedExportError, match="zlib"):
        open_envelope(envelope, private_key=key_pair[0])


def test_bom_in_cleartext_is_stripped(seal: Sealer, key_pair: tuple[bytes, bytes]) -> None:
    _, document = open_envelope(seal(codecs.BOM_UTF8 + CLEAR), private_key=key_pair[0])
    assert document == CLEAR


def test_envelope_without_namespace_with_bom_and_lf(
    seal: Sealer, key_pair: tuple[bytes, bytes]
) -> None:
    envelope = seal(CLEAR).replace(f' xmlns="{ENVELOPE_NS}"'.encode(), b"").replace(b"\r\n", b"\n")
    summary, document = open_envelope(codecs.BOM_UTF8 + envelope, private_key=key_pair[0])
    assert document == CLEAR and summary.uai == "0490856P"


@pytest.mark.parametrize("layout", ["one line", "wrapped 64 with tabs"])
def test_base64_layouts(seal: Sealer, key_pair: tuple[bytes, bytes], layout: str) -> None:
    envelope = seal(CLEAR)
    for element in ("PARTENAIRE", "CONTENU", "VERIFICATION"):
        compact = "".join(_text(envelope, element).split())
        if layout == "wrapped 64 with tabs":
            compact = "\n\t" + "\n\t".join(compact[i : i + 64] for i in range(0, len(compact), 64))
        envelope = _replace(envelope, element, compact)
    assert open_envelope(envelope, private_key=key_pair[0])[1] == CLEAR


def test_sealing_refuses_three_partners(seal: Sealer, key_pair: tuple[bytes, bytes]) -> None:
    with pytest.raises(ValueError, match="1 or 2"):
        seal(CLEAR, partners={"A": key_pair[1], "B": key_pair[1], "C": key_pair[1]})
