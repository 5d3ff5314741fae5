"""Step 2 (seed §3.3): pick the .xml export, in a directory tree or by typing its path."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DirectoryTree, Input, Static

from edt_tui.tui.backend import ExportCheck
from edt_tui.tui.keys import TextField, Typing
from edt_tui.tui.screens.base import StepScreen
from edt_tui.tui.wording import error_text


class XmlTree(DirectoryTree):
    """Folders and .xml files only (hidden entries skipped)."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [
            p
            for p in paths
            if not p.name.startswith(".") and (p.is_dir() or p.suffix.lower() == ".xml")
        ]


def not_a_file(path: Path) -> str | None:
    """Why `path` cannot be sent, in French (a stat: never opens, never waits on a FIFO)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return f"Fichier introuvable : {path}. Vérifiez le chemin."
    except PermissionError:
        return f"Accès refusé à {path} : vérifiez les droits du fichier et de son dossier."
    except OSError as exc:
        return f"Fichier inaccessible : {path} ({exc.strerror})."
    if stat.S_ISDIR(mode):
        return f"{path} est un dossier : choisissez un fichier .xml dans l'arbre."
    if not stat.S_ISREG(mode):
        return f"{path} n'est pas un fichier ordinaire (tube, périphérique) : choisissez un .xml."
    return None


class ExportFileScreen(Typing, StepScreen):
    AUTO_FOCUS = None
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter", "send", "Envoyer", show=False, id="export.send",
            tooltip="Envoyer le fichier du chemin tapé",
        ),
        Binding(
            "tab", "app.focus_next", "Arbre", show=False, id="export.switch",
            tooltip="Passer du chemin à l'arborescence et retour",
        ),
    ]

    class Checked(Message):
        def __init__(self, export: ExportCheck) -> None:
            super().__init__()
            self.export = export

    def body(self) -> ComposeResult:
        yield Static("Fichier à importer (.xml) :", classes="hint")
        yield TextField(placeholder="chemin/vers/Edt_To_ITSLEARNING_UAI.xml", id="path")
        yield XmlTree(self.edt_app.start_dir, id="tree")
        yield Static("", id="status", classes="hint")

    def on_screen_resume(self) -> None:
        """The path field takes the keys typed as the step opens (held until then)."""
        self.set_focus(self.query_one("#path", Input))
        self.typing_ready()

    @on(DirectoryTree.FileSelected)
    def _file_picked(self, event: DirectoryTree.FileSelected) -> None:
        self.query_one("#path", Input).value = str(event.path)
        self._submit(event.path)

    @on(Input.Submitted, "#path")
    def _path_entered(self, event: Input.Submitted) -> None:
        self._submit(Path(event.value.strip()).expanduser())

    def _submit(self, path: Path) -> None:
        status = self.query_one("#status", Static)
        problem = not_a_file(path)
        if problem:
            status.update(f"✖ {problem}")
            return
        if path.suffix.lower() != ".xml":
            status.update(f"✖ {path.name} n'est pas un export .xml de PRONOTE/EDT.")
            return
        status.update(f"Envoi de {path.name} au service ENT…")
        self.check(path)

    @work(exclusive=True, group="upload", exit_on_error=False)
    async def check(self, path: Path) -> None:
        export = await self.wizard.backend.check_export(self.wizard.uai, path)
        self.post_message(self.Checked(export))

    def on_worker_state_changed(self, event) -> None:  # type: ignore[no-untyped-def]
        error = event.worker.error
        if error is not None:
            text = error_text(error)
            self.query_one("#status", Static).update(f"✖ Fichier refusé : {text}")

    @on(Checked)
    def _checked(self, event: Checked) -> None:
        self.wizard.set_export(event.export)
        self.edt_app.go("summary")

    def action_send(self) -> None:
        """The key of `export.send` when remapped (the field takes `enter` itself)."""
        value = self.query_one("#path", Input).value.strip()
        if value:
            self._submit(Path(value).expanduser())

    def action_next(self) -> None:
        value = self.query_one("#path", Input).value.strip()
        if value:
            self._submit(Path(value).expanduser())
        elif self.wizard.export is not None:
            self.edt_app.go("summary")
