"""The import contracts of pyproject.toml hold, really catch a crossing import, and are what
the architecture page draws.

`lint-imports` runs as `make lint` does. To prove the contracts live, a copy of the package gets
one crossing import per contract and must break every one of them, naming the culprit.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
ARCHITECTURE = REPO / "docs" / "architecture.md"

CROSSINGS: dict[str, tuple[str, str]] = {
    "layers": ("edt_tui/engine/crossing.py", "edt_tui.cli"),
    "tui-through-client": ("edt_tui/tui/crossing.py", "edt_tui.service.records"),
    "session-through-root": ("edt_tui/session/crossing.py", "edt_tui.service.store"),
    "client-through-root": ("edt_tui/client/crossing.py", "edt_tui.service.api.app"),
    "storage-behind-service": ("edt_tui/commands/crossing.py", "edt_tui.storage.clock"),
    "pure-core": ("edt_tui/pronote/crossing.py", "sqlite3"),
    "engine-no-formats": ("edt_tui/engine/crossing_format.py", "lxml"),
}
"""Per contract id: a new module and the import in it that the contract must refuse."""


def contracts() -> list[dict[str, Any]]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = config["tool"]["importlinter"]["contracts"]
    return found


def lint_imports(cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"], cwd=cwd, capture_output=True,
        text=True, env={**os.environ, "COLUMNS": "500", **env}, timeout=120,
    )


def verdicts(output: str) -> dict[str, str]:
    """Contract name → KEPT or BROKEN, from the summary lint-imports prints."""
    names = {c["name"] for c in contracts()}
    found = {}
    for line in output.splitlines():
        verdict = re.fullmatch(r"(.+) (KEPT|BROKEN)( \(\d+ ignored imports?\))?", line.rstrip())
        if verdict and verdict[1] in names:
            found[verdict[1]] = verdict[2]
    return found


def test_the_import_contracts_are_kept() -> None:
    run = lint_imports(REPO)
    assert run.returncode == 0, run.stdout + run.stderr
    assert set(verdicts(run.stdout).values()) == {"KEPT"}


def test_every_contract_breaks_on_a_crossing_import(tmp_path: Path) -> None:
    assert set(CROSSINGS) == {c["id"] for c in contracts()}, "give each contract a crossing"
    shutil.copytree(
        REPO / "edt_tui", tmp_path / "edt_tui", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    for path, imported in CROSSINGS.values():
        (tmp_path / path).write_text(f"import {imported}\n", encoding="utf-8")

    run = lint_imports(tmp_path, PYTHONPATH=str(tmp_path))

    assert run.returncode == 1, run.stdout + run.stderr
    assert verdicts(run.stdout) == {c["name"]: "BROKEN" for c in contracts()}, run.stdout
    for path, imported in CROSSINGS.values():
        importer = path.removesuffix(".py").replace("/", ".")
        assert re.search(rf"{re.escape(importer)} -> {re.escape(imported)}\b", run.stdout), (
            f"{importer} -> {imported} not reported:\n{run.stdout}"
        )


def diagram_layers(text: str) -> list[str]:
    """The layers of the page's diagram: the fenced block after the `layers-diagram` marker,
    one layer a line, its first column (up to two spaces) the layer as the contract writes it."""
    after = text.split("<!-- layers-diagram", 1)
    if len(after) < 2:
        pytest.fail(f"{ARCHITECTURE}: no `<!-- layers-diagram -->` marker before the diagram")
    block = re.search(r"```text\n(.*?)```", after[1], re.DOTALL)
    assert block, f"{ARCHITECTURE}: no ```text block after the layers-diagram marker"
    return [re.split(r"\s{2,}", line.strip())[0] for line in block[1].splitlines() if line.strip()]


def test_the_architecture_diagram_draws_the_layers_contract() -> None:
    (layers,) = [c for c in contracts() if c["id"] == "layers"]
    drawn = diagram_layers(ARCHITECTURE.read_text(encoding="utf-8"))
    assert drawn == layers["layers"], (
        f"docs/architecture.md draws {drawn}, pyproject.toml's layers contract says "
        f"{layers['layers']}: change both together"
    )


def test_the_diagram_reader_takes_each_line_first_column() -> None:
    page = (
        "# Title\n```text\nnot this block\n```\n<!-- layers-diagram: kept in sync -->\n"
        "```text\ncli               entry point\ntui | commands    front ends\n\n"
        "(wire)            wire models\nerrors\n```\n"
    )
    assert diagram_layers(page) == ["cli", "tui | commands", "(wire)", "errors"]
