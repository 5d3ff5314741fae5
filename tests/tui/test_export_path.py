"""The file step says in French why a path cannot be sent, and never waits on a FIFO."""

from __future__ import annotations

import os
from pathlib import Path

from edt_tui.tui.screens.export_file import not_a_file


def test_each_kind_of_wrong_path_has_its_own_french_reason(tmp_path: Path) -> None:
    fifo = tmp_path / "export.xml"
    os.mkfifo(fifo)
    good = tmp_path / "good.xml"
    good.write_text("<x/>", encoding="utf-8")
    assert "introuvable" in (not_a_file(tmp_path / "missing.xml") or "")
    assert "est un dossier" in (not_a_file(tmp_path) or "")
    assert "n'est pas un fichier ordinaire" in (not_a_file(fifo) or "")
    assert "n'est pas un fichier ordinaire" in (not_a_file(Path("/dev/zero")) or "")
    assert not_a_file(good) is None
