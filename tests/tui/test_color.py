"""`--color` is applied through the environment before Textual starts."""

from __future__ import annotations

import os

import pytest

from edt_tui.commands.tui import apply_color_choice


def test_color_never_sets_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    apply_color_choice("never")

    assert os.environ["NO_COLOR"] == "1"


def test_color_always_drops_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("TEXTUAL_COLOR_SYSTEM", raising=False)
    apply_color_choice("always")

    assert "NO_COLOR" not in os.environ and os.environ["TEXTUAL_COLOR_SYSTEM"] == "256"
