"""Errors of the service and the reader reach the admin in French, the detail kept for support."""

from __future__ import annotations

import pytest

from edt_tui.client import errors
from edt_tui.tui.wording import SERVICE_ERRORS, error_text


def test_every_client_error_class_has_a_french_sentence() -> None:
    worded = {kind for kind, _, _ in SERVICE_ERRORS}
    for name in dir(errors):
        kind = getattr(errors, name)
        if isinstance(kind, type) and issubclass(kind, errors.ServiceError):
            if kind is errors.RequestProblemError:
                continue  # abstract: only its subclasses are raised
            assert any(issubclass(kind, w) for w in worded), name
            text = error_text(kind("the English message", detail="line 12, element Seance"))
            assert "the English message" not in text


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (errors.UnauthorizedError("missing bearer token", detail="Bearer token required"),
         "jeton d'accès absent ou refusé : donnez-le avec --token ou $EDT_TUI_TOKEN"),
        (errors.BadExportError("bad", detail="export.xml, line 12: unexpected <X>"),
         "fichier d'export illisible (détail : export.xml, line 12: unexpected <X>)"),
        (errors.ServiceUnreachableError("connection refused"),
         "le service ENT ne répond pas"),
        (PermissionError(13, "Permission denied", "/srv/x.txt"),
         "accès au fichier impossible (Permission denied) : /srv/x.txt"),
    ],
)
def test_errors_are_worded_in_french(error: BaseException, expected: str) -> None:
    assert error_text(error).startswith(expected)
