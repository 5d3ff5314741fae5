"""Small real exports for service tests: a plain timetable and its encrypted envelope.

The envelope follows the format doc §2 (zlib → AES-128-CBC → RSA-PKCS#1 v1.5 key blob), so the
service's reader decrypts it exactly as it would a PRONOTE file.
"""

from __future__ import annotations

import base64
import hashlib
import os
import zlib

from cryptography.hazmat.primitives import padding as sym_padding
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

TIMETABLE_NS = "http://www.index-education.com/exportemploidutemps"
ENVELOPE_NS = "http://www.index-education.com/conteneurexportchiffre"


def plain_export(uai: str, *, students: int = 2, subject: str = "MATHEMATIQUES") -> bytes:
    eleves = "".join(
        f'<Eleve Ident="{i}" Nom="ELEVE{i}" Prenom="Prenom{i}" DateNaissance="2012-01-0{i % 9 + 1}"'
        f' Sexe="Masculin"><Classe Ident="1" DateEntree="2026-09-01" DateSortie="2027-07-04"/>'
        "</Eleve>"
        for i in range(1, students + 1)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<ExportEmploiDuTemps xmlns="{TIMETABLE_NS}" Version="1.1" UAI="{uai}">'
        '<AnneeScolaire DateDebut="2026-09-01" DateFin="2027-07-04" '
        'DatePremierJourSemaine1="2026-08-31"/>'
        '<GrilleHoraire NombrePlacesParJour="2" DureePlace="60"><JoursOuvres><Jour>1</Jour>'
        '</JoursOuvres><PlacesParJour>'
        '<Place Numero="0" LibelleHeureDebut="08:00:00" LibelleHeureFin="09:00:00"/>'
        '<Place Numero="1" LibelleHeureDebut="09:00:00" LibelleHeureFin="10:00:00"/>'
        "</PlacesParJour></GrilleHoraire>"
        f'<Matieres><Matiere Ident="1" Code="MATHS" Libelle="{subject}"/></Matieres>'
        '<Professeurs><Professeur Ident="1" Nom="PROF" Prenom="Paul"/></Professeurs>'
        '<Classes><Classe Ident="1" Nom="3A"/></Classes>'
        '<Salles><Salle Ident="1" Nom="S101"/></Salles>'
        f"<Eleves>{eleves}</Eleves>"
        '<Cours><Cours Jour="1" NumeroPlaceDebut="0" NombrePlaces="1"><Matiere Ident="1"/>'
        '<Professeur Ident="1" Semaines="6"/><Classe Ident="1" Semaines="6"/>'
        '<Salle Ident="1" Semaines="6"/></Cours></Cours>'
        "</ExportEmploiDuTemps>\n"
    ).encode()


def _b64(data: bytes) -> str:
    text = base64.b64encode(data).decode()
    return "\r\n".join(text[i : i + 76] for i in range(0, len(text), 76))


def encrypt_export(
    plain: bytes, public_key: rsa.RSAPublicKey, *, uai: str, partner: str = "ITSLEARNING"
) -> bytes:
    compressed = zlib.compress(plain)
    key, iv = os.urandom(16), os.urandom(16)
    padder = sym_padding.PKCS7(128).padder()
    padded = padder.update(compressed) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(padded) + encryptor.finalize()
    blob = key + iv + hashlib.md5(key + iv).digest()
    sealed = public_key.encrypt(blob, padding.PKCS1v15())
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<EXPORT_INDEX_EDUCATION xmlns="{ENVELOPE_NS}">'
        "<VERSION>1.0</VERSION><LOGICIEL>PRONOTE 2026 - test</LOGICIEL>"
        f'<CLES><PARTENAIRE NOM="{partner}">{_b64(sealed)}</PARTENAIRE></CLES>'
        f"<CONTENU>{_b64(ciphertext)}</CONTENU>"
        f"<VERIFICATION>{_b64(hashlib.sha256(compressed).digest())}</VERIFICATION>"
        "<DATEHEURE>2026-11-20T10:00:00</DATEHEURE>"
        f"<UAI>{uai}</UAI><NOMETABLISSEMENT>Lycée Test</NOMETABLISSEMENT>"
        "<CODEPOSTALVILLE>49000 ANGERS</CODEPOSTALVILLE>"
        "</EXPORT_INDEX_EDUCATION>\n"
    ).encode()
