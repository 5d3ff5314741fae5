"""docs/cli.md is exactly what tools/cli_reference.py generates from the CLI's parsers."""

from __future__ import annotations

import difflib
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import REPO


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("cli_reference", REPO / "tools/cli_reference.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_cli_reference_is_up_to_date() -> None:
    reference = generator()
    expected = reference.render()
    current = reference.PAGE.read_text(encoding="utf-8")
    diff = "".join(difflib.unified_diff(
        current.splitlines(keepends=True), expected.splitlines(keepends=True),
        "docs/cli.md", "generated", n=1,
    ))
    assert current == expected, (
        f"docs/cli.md differs from the parsers: run `{reference.REGENERATE}`\n{diff[:3000]}"
    )


def test_every_command_and_option_is_in_the_reference() -> None:
    """The page covers the parsers: each subcommand has its section, each option its row."""
    text = generator().render()
    for command in ("edt-tui", "edt-tui session open", "edt-tui ent token create"):
        assert f"\n## `{command}`\n" in text
    for option in ("--ent URL", "--color {auto,always,never}", "--check", "--concurrency N"):
        assert f"| `{option}` |" in text


def test_a_stale_page_fails_the_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reference = generator()
    stale = tmp_path / "cli.md"
    stale.write_text(reference.render().replace("--uai UAI", "--uai CODE", 1), encoding="utf-8")
    monkeypatch.setattr(reference, "PAGE", stale)
    monkeypatch.setattr(reference, "REPO", tmp_path)
    assert reference.main(["--check"]) == 1
    assert reference.main(["--write"]) == 0
    assert reference.main(["--check"]) == 0
