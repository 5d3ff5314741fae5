"""At 80×24 and 120×40 every step shows its whole footer, its own place in the breadcrumb and
whole status words: nothing that matters is cut."""

from __future__ import annotations

import pytest

from edt_tui.session.store import STEPS
from edt_tui.tui.screens.base import step_line
from edt_tui.tui.steps import step as registry_step
from edt_tui.tui.steps import title

from .screen_text import screen_lines
from .test_snapshots import reach_step, wizard_at

STATUS_WORDS = (
    "✔ Activé",
    "+ Ajouté",
    "○ Nouveau",
    "✖ Désactivé",
    "✔ Validé",
    "+ Lié",
    "✖ Refusé",
    "✖ Non réconcilié",
)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("step", STEPS)
async def test_nothing_that_matters_is_cut(step: str, size: tuple[int, int]) -> None:
    app, backend = wizard_at(step)
    async with app.run_test(size=size) as pilot:
        await reach_step(app, backend, pilot, step)
        lines = screen_lines(app)
        shown = [b.binding for b in app.screen.active_bindings.values() if b.binding.show]
        assert shown, "the footer shows keys"
        footer = lines[-1]
        for binding in shown:
            assert f"{binding.description}" in footer, (binding.description, footer)
        assert f"[{title(step)}]" in lines[1], lines[1]
        for line in lines:
            for word in STATUS_WORDS:
                if word[:4] in line:
                    assert word in line, (word, line)


@pytest.mark.parametrize("width", [40, 60, 78, 118, 200])
@pytest.mark.parametrize("step", STEPS)
def test_breadcrumb_always_shows_the_current_step(step: str, width: int) -> None:
    line = step_line(registry_step(step), width).plain
    assert f"[{title(step)}]" in line
    if width >= 78:
        assert len(line) <= width
