"""How the after-launch screens word moments and file paths, in French. No Textual here.

Kept apart from the screens so the wording is unit-tested without an app.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from edt_tui.dates import local_label
from edt_tui.files import OutputPathError, Reason

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


def when(value: str | datetime | None, zone: ZoneInfo) -> str:
    """`28/11/2026 10:32` in `zone`, the establishment's time zone; empty for None.

    Every time the TUI shows goes through here (`edt_tui.dates.local_label`): the wizard's
    screens pass their session's zone (`Wizard.zone`), the after-launch screens their
    establishment's (`AfterLaunchScreen.zone`).
    """
    return local_label(value, zone)


FRENCH_PATH_ERRORS: dict[Reason, str] = {
    "directory": "{path} est un dossier, pas un fichier : ajoutez un nom de fichier.",
    "no_parent": "{path} : le dossier {parent} n'existe pas. Créez-le ou choisissez-en un autre.",
    "parent_not_directory": "{path} : {parent} est un fichier, pas un dossier.",
    "not_writable": (
        "{path} : écriture refusée (permissions). Choisissez un dossier où vous pouvez écrire, "
        "par exemple votre dossier personnel."
    ),
}
"""`OutputPathError.reason` in French: the CLI's English message, for the TUI."""


def path_error_text(error: OutputPathError, path: Path) -> str:
    """Why `path` may not be written, in French (the reason `edt_tui.files` found)."""
    return FRENCH_PATH_ERRORS[error.reason].format(path=path, parent=path.parent)


def resolve_path(answer: str, base: Path) -> Path:
    """A typed path: `~` expanded, relative to `base` (the directory edt-tui started in)."""
    path = Path(answer).expanduser()
    return path if path.is_absolute() else base / path
