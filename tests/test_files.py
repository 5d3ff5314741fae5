"""The one helper that writes files for a person: whole or not at all, owner-only."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from edt_tui.files import OutputPathError, atomic_file, write_atomic


def make_dir(base: Path) -> Path:
    """A folder of the test's own (the data directory lives beside it)."""
    folder = base / "out"
    folder.mkdir()
    return folder


def test_write_atomic_replaces_whole_and_owner_only(tmp_path: Path) -> None:
    tmp_path = make_dir(tmp_path)
    path = tmp_path / "out.txt"
    path.write_text("old")
    write_atomic(path, b"new")
    assert path.read_bytes() == b"new"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_a_failure_while_streaming_leaves_the_old_file_and_no_temp(tmp_path: Path) -> None:
    tmp_path = make_dir(tmp_path)
    path = tmp_path / "bundle.zip"
    path.write_bytes(b"previous")
    with pytest.raises(RuntimeError), atomic_file(path) as fh:
        fh.write(b"half of it")
        raise RuntimeError("disk gone")
    assert path.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["bundle.zip"]


def test_a_folder_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    tmp_path = make_dir(tmp_path)
    with pytest.raises(OutputPathError) as caught, atomic_file(tmp_path) as fh:
        fh.write(b"never")
    assert caught.value.reason == "directory"
    assert list(tmp_path.iterdir()) == []
