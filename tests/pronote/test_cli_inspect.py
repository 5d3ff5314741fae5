"""`edt-tui inspect` and `edt-tui keys generate` exactly per cli-contract.md."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from edt_tui.cli import main
from edt_tui.pronote.reader import read_export

from .conftest import Sealer, timetable_xml

BODY = (
    '<Matieres><Matiere Ident="1" Code="FRANC" Libelle="FRANCAIS"/>'
    '<Matiere Ident="2" Code="MATHS" Libelle="MATHEMATIQUES"/></Matieres>'
    '<Professeurs><Professeur Ident="1" Nom="MARTIN" Prenom="Luc"/></Professeurs>'
    '<Classes><Classe Ident="1" Nom="3A"><PartieDeClasse Ident="1"/><PartieDeClasse Ident="2"/>'
    "</Classe></Classes>"
    '<Groupes><Groupe Ident="1" Nom="3A G1"><PartieDeClasse Ident="1"/></Groupe></Groupes>'
    '<Salles><Salle Ident="1" Nom="B12"/></Salles>'
    '<Eleves><Eleve Ident="1" Nom="A" Prenom="B" DateNaissance="2012-01-01" Sexe="Masculin"/>'
    '<Eleve Ident="2" Nom="C" Prenom="D" DateNaissance="2012-01-01" Sexe="Feminin"/></Eleves>'
    "<Mef><X/></Mef>"
    '<Cours><Cours Jour="1" NumeroPlaceDebut="0" NombrePlaces="1"><Matiere Ident="1"/>'
    '<Classe Ident="1" Semaines="6"/></Cours></Cours>'
)
CONTRACT_FIELDS = {
    "uai", "establishment_name", "software", "version", "exported_at", "import_id", "encrypted",
    "key_present", "partners", "school_year", "counts", "warnings",
}  # fmt: skip
COUNT_FIELDS = {
    "subjects", "teachers", "classes", "class_parts", "groups", "rooms", "students", "sessions",
}  # fmt: skip


@pytest.fixture
def encrypted_file(tmp_path: Path, seal: Sealer) -> Path:
    path = tmp_path / "Edt_To_ITSLEARNING_0490856P.xml"
    path.write_bytes(seal(timetable_xml(BODY)))
    return path


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, dict, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, json.loads(out) if out.strip() else {}, err


def test_inspect_encrypted_json(
    capsys: pytest.CaptureFixture[str], encrypted_file: Path, private_key_file: Path
) -> None:
    code, data, err = _json(
        capsys, ["inspect", str(encrypted_file), "--key", str(private_key_file), "--json"]
    )
    assert code == 0, err
    assert set(data) == CONTRACT_FIELDS and set(data["counts"]) == COUNT_FIELDS
    expected = read_export(encrypted_file, private_key=private_key_file)
    assert data["import_id"] == expected.import_id
    assert data["uai"] == "0490856P" and data["encrypted"] is True and data["key_present"] is True
    assert data["partners"] == ["ITSLEARNING"] and data["version"] == "1.1"
    assert data["establishment_name"] == "Collège Jean-Zay d'Angers"
    assert data["software"] == "PRONOTE Réseau 2026 - 0.2.5"
    assert data["exported_at"] == "2026-11-27T17:45:12"
    assert data["school_year"] == "2026-2027"
    assert data["counts"] == {
        "subjects": 2, "teachers": 1, "classes": 1, "class_parts": 2, "groups": 1, "rooms": 1,
        "students": 2, "sessions": 1,
    }  # fmt: skip
    assert len(data["warnings"]) == 1 and "<Mef>" in data["warnings"][0]


def test_inspect_plain_text_summary(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "plain.xml"
    path.write_bytes(timetable_xml(BODY))
    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Establishment (UAI): 0490856P" in out
    assert f"Unique id: {read_export(path).import_id}" in out
    assert "Encrypted: false" in out
    assert "ITSLEARNING key present: false" in out
    assert "Students" in out and "Warnings: 1" in out


def test_inspect_plain_json_nulls(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "plain.xml"
    path.write_bytes(timetable_xml(""))
    code, data, _ = _json(capsys, ["inspect", str(path), "--json"])
    assert code == 0
    assert data["establishment_name"] is None and data["software"] is None
    assert data["exported_at"] is None and data["partners"] == [] and data["key_present"] is False


def test_inspect_other_partner_prints_summary_and_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, seal: Sealer, key_pair: tuple[bytes, bytes]
) -> None:
    path = tmp_path / "Edt_To_ENTCORE_0490856P.xml"
    path.write_bytes(
        seal(timetable_xml(BODY), partners={"INDEXEDUCATION": key_pair[1], "ENTCORE": key_pair[1]})
    )
    code, data, err = _json(capsys, ["inspect", str(path), "--json"])
    assert code == 2
    assert data["key_present"] is False and data["encrypted"] is True
    assert data["partners"] == ["INDEXEDUCATION", "ENTCORE"] and data["uai"] == "0490856P"
    assert data["import_id"]
    assert "INDEXEDUCATION, ENTCORE" in err and "ITSLEARNING" in err


def test_inspect_without_key_prints_envelope_summary_and_exits_2(
    capsys: pytest.CaptureFixture[str], encrypted_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EDT_TUI_KEY", raising=False)
    code, data, err = _json(capsys, ["inspect", str(encrypted_file), "--json"])
    assert code == 2
    assert data["encrypted"] is True and data["key_present"] is True and data["uai"] == "0490856P"
    assert data["exported_at"] and data["import_id"] and data["counts"] is None
    assert "no private key was given" in err and "--key" in err


def test_inspect_partner_option_and_env_key(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    seal: Sealer,
    key_pair: tuple[bytes, bytes],
    private_key_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "e.xml"
    path.write_bytes(seal(timetable_xml(BODY), partners={"MONENT": key_pair[1]}))
    monkeypatch.setenv("EDT_TUI_KEY", str(private_key_file))
    code, data, err = _json(capsys, ["inspect", str(path), "--partner", "MONENT", "--json"])
    assert code == 0, err
    assert data["key_present"] is True and data["counts"]["sessions"] == 1


def test_inspect_wrong_key_exits_2(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    encrypted_file: Path,
    other_key_pair: tuple[bytes, bytes],
) -> None:
    key = tmp_path / "other.pem"
    key.write_bytes(other_key_pair[0])
    key.chmod(0o600)
    assert main(["inspect", str(encrypted_file), "--key", str(key)]) == 2
    captured = capsys.readouterr()
    assert "does not match" in captured.err and captured.out == ""
    assert "PRIVATE KEY" not in captured.err


def test_inspect_warns_about_readable_key_file(
    capsys: pytest.CaptureFixture[str], encrypted_file: Path, private_key_file: Path
) -> None:
    private_key_file.chmod(0o644)
    assert main(["inspect", str(encrypted_file), "--key", str(private_key_file)]) == 0
    err = capsys.readouterr().err
    assert "readable by other users" in err and "chmod 600" in err
    assert "BEGIN" not in err


@pytest.mark.parametrize("content", [b"", b"<html/>", b"<ExportEmploiDuTemps><Matieres>"])
def test_inspect_bad_files_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "bad.xml"
    path.write_bytes(content)
    assert main(["inspect", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("edt-tui: ") and "bad.xml" in captured.err
    assert captured.out == ""


def test_inspect_missing_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["inspect", str(tmp_path / "none.xml")]) == 2
    assert "not found" in capsys.readouterr().err


def test_keys_generate(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_dir = tmp_path / "keys"
    assert main(["keys", "generate", "--out", str(out_dir)]) == 0
    private, public = out_dir / "partner-private.pem", out_dir / "partner-public.pem"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert private.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert public.read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----")
    out = capsys.readouterr().out
    assert str(private) in out and "BEGIN" not in out
    # An export sealed for the new public key opens with the new private key.
    from datetime import datetime

    from edt_tui.pronote.envelope import seal_envelope

    envelope = seal_envelope(
        timetable_xml(BODY), partners={"ITSLEARNING": public}, uai="0490856P",
        establishment_name="x", postcode_city="49000", software="PRONOTE",
        exported_at=datetime(2026, 11, 1),
    )  # fmt: skip
    assert read_export(envelope, private_key=private).timetable.students


def test_keys_generate_never_overwrites(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_dir = tmp_path / "keys"
    out_dir.mkdir()
    (out_dir / "partner-private.pem").write_text("old")
    assert main(["keys", "generate", "--out", str(out_dir)]) == 2
    assert (out_dir / "partner-private.pem").read_text() == "old"
    assert not (out_dir / "partner-public.pem").exists()
    assert "never overwritten" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["inspect", "--help"], ["keys", "generate", "--help"]])
def test_help(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 0
    assert "usage:" in capsys.readouterr().out
