"""`--color` is applied through the environment before Textual starts."""

from __future__ import annotations

import os

import pytest

from edt_tui.tui.start import apply_color_choice


@pytest.fixture(autouse=True)
def restored_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register both variables with monkeypatch so whatever the code sets is undone."""
    for name in ("NO_COLOR", "TEXTUAL_COLOR_SYSTEM"):
        monkeypatch.setenv(name, "placeholder")
        monkeypatch.delenv(name)


def test_color_never_sets_no_color() -> None:
    apply_color_choice("never")
    assert os.environ["NO_COLOR"] == "1"


def test_color_always_drops_no_color() -> None:
    os.environ["NO_COLOR"] = "1"
    apply_color_choice("always")
    assert "NO_COLOR" not in os.environ and os.environ["TEXTUAL_COLOR_SYSTEM"] == "256"


def test_color_auto_changes_nothing() -> None:
    apply_color_choice("auto")
    assert "NO_COLOR" not in os.environ and "TEXTUAL_COLOR_SYSTEM" not in os.environ
