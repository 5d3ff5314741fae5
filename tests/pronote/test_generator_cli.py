"""`edt-tui samples generate`: the layout everyone relies on, determinism, refusals."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from edt_tui.cli import main
from edt_tui.pronote.reader import read_export

UAI = "0490856P"


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def _run(*args: str) -> int:
    return main(["samples", "generate", *args])


def test_layout_with_a_fresh_test_key_pair(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "school"
    assert _run("--out", str(out), "--students", "40", "--seed", "3", "--year", "2026") == 0
    assert _files(out) == {
        f"Edt_To_ITSLEARNING_{UAI}.xml",
        f"Edt_To_ITSLEARNING_{UAI}.plain.xml",
        "keys/partner-private-TEST-ONLY.pem",
        "keys/partner-public-TEST-ONLY.pem",
        "keys/README.txt",
        "ent/establishments.csv",
        "ent/users.csv",
        "ent/subjects.csv",
        "ent/classes.csv",
    }
    private = out / "keys" / "partner-private-TEST-ONLY.pem"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert "TEST" in (out / "keys" / "README.txt").read_text(encoding="utf-8")
    export = read_export(out / f"Edt_To_ITSLEARNING_{UAI}.xml", private_key=private)
    plain = read_export(out / f"Edt_To_ITSLEARNING_{UAI}.plain.xml")
    assert export.timetable.students == plain.timetable.students
    summary = capsys.readouterr().out
    assert f"{len(plain.timetable.students)} students" in summary
    assert f"{len(plain.timetable.sessions)} sessions" in summary


def test_public_key_partner_and_uai_options(
    tmp_path: Path, key_pair: tuple[bytes, bytes]
) -> None:
    public = tmp_path / "partner.pub.pem"
    public.write_bytes(key_pair[1])
    out = tmp_path / "other"
    code = _run(
        "--out", str(out), "--students", "30", "--partner", "INDEXEDUCATION",
        "--public-key", str(public), "--uai", "0441234X", "--year", "2025",
    )
    assert code == 0
    assert not (out / "keys").exists()
    exported = out / "Edt_To_INDEXEDUCATION_0441234X.xml"
    export = read_export(exported, private_key=key_pair[0], partner="INDEXEDUCATION")
    assert export.uai == "0441234X"
    assert export.timetable.school_year is not None
    assert export.timetable.school_year.label == "2025-2026"
    assert "0441234X" in (out / "ent" / "users.csv").read_text(encoding="utf-8")


def test_same_seed_and_public_key_give_identical_files(
    tmp_path: Path, key_pair: tuple[bytes, bytes]
) -> None:
    public = tmp_path / "p.pem"
    public.write_bytes(key_pair[1])
    for name in ("a", "b"):
        args = ("--students", "50", "--seed", "9", "--year", "2026", "--public-key", str(public))
        assert _run("--out", str(tmp_path / name), *args) == 0
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    for rel in _files(tmp_path / "a"):
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


def test_non_empty_folder_needs_force(
    tmp_path: Path, key_pair: tuple[bytes, bytes], capsys: pytest.CaptureFixture[str]
) -> None:
    public = tmp_path / "p.pem"
    public.write_bytes(key_pair[1])
    out = tmp_path / "busy"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    args = ("--out", str(out), "--students", "20", "--public-key", str(public))
    assert _run(*args) == 2
    assert "not empty" in capsys.readouterr().err
    assert _files(out) == {"notes.txt"}
    assert _run(*args, "--force") == 0
    assert "notes.txt" in _files(out)
    assert f"Edt_To_ITSLEARNING_{UAI}.plain.xml" in _files(out)


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (("--students", "0"), "--students"),
        (("--students", "-5"), "--students"),
        (("--uai", "49085"), "--uai"),
        (("--partner", "bad name!"), "--partner"),
        (("--year", "1850"), "--year"),
    ],
)
def test_bad_arguments_exit_2_and_write_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: tuple[str, ...], needle: str
) -> None:
    out = tmp_path / "never"
    assert _run("--out", str(out), *extra) == 2
    err = capsys.readouterr().err
    assert err.startswith("edt-tui: ") and needle in err
    assert not out.exists()


@pytest.mark.parametrize("content", [None, b"not a key at all", b"-----BEGIN PUBLIC KEY-----\n"])
def test_unreadable_public_key_exits_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None
) -> None:
    key = tmp_path / "key.pem"
    if content is not None:
        key.write_bytes(content)
    out = tmp_path / "never"
    assert _run("--out", str(out), "--public-key", str(key)) == 2
    err = capsys.readouterr().err
    assert "--public-key" in err and str(key) in err
    assert not out.exists()


def test_out_must_be_a_folder(tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("x")
    assert _run("--out", str(target), "--students", "5") == 2
    assert target.read_text() == "x"


def test_help_describes_the_layout(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["samples", "generate", "--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    assert "TEST" in text and "--public-key" in text and "--force" in text


def test_force_with_another_public_key_warns_about_the_stale_test_keys(
    tmp_path: Path, key_pair: tuple[bytes, bytes], capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "school"
    assert _run("--out", str(out), "--students", "10") == 0
    fresh_public = out / "keys" / "partner-public-TEST-ONLY.pem"
    assert _run("--out", str(out), "--students", "10", "--force", "--public-key",
                str(fresh_public)) == 0
    assert "warning" not in capsys.readouterr().err
    other = tmp_path / "other.pem"
    other.write_bytes(key_pair[1])
    assert _run("--out", str(out), "--students", "10", "--force", "--public-key", str(other)) == 0
    assert "does not match --public-key" in capsys.readouterr().err
