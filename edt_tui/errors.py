"""The root of every error edt-tui reports to a person instead of a traceback."""

from __future__ import annotations


class EdtTuiError(Exception):
    """An error with a message an admin understands: what, where, and what to do.

    `exit_code` follows the CLI contract: 2 for bad usage or bad input, 1 for other failures.
    """

    exit_code: int = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n→ {self.hint}" if self.hint else self.message


class BadInputError(EdtTuiError):
    """The user gave us something we cannot use (a file, a value, an option)."""

    exit_code = 2
