"""What every wizard step shares: title line, back/next keys, help text, access to the wizard."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Header

from edt_tui.tui.key_hints import with_keys
from edt_tui.tui.screens.help import HelpScreen
from edt_tui.tui.steps import STEPS, Step, next_step, previous_step
from edt_tui.tui.widgets.step_footer import StepFooter
from edt_tui.tui.wizard import Wizard

if TYPE_CHECKING:
    from edt_tui.tui.app import EdtTuiApp


def step_line(step: Step, width: int) -> Text:
    """`Matières  ·  étape 4/10` then the breadcrumb of steps, the current one highlighted.

    The breadcrumb is a window of the steps around the current one that fits `width`, with `…`
    where steps are left out: the current step is always shown, whatever the terminal's width.
    """
    index = STEPS.index(step)
    line = Text(step.title, style="bold")
    line.append(f"  ·  étape {index + 1}/{len(STEPS)}   ")
    crumbs = [each.title for each in STEPS]
    crumbs[index] = f"[{crumbs[index]}]"
    first, last = index, index

    def cost(lo: int, hi: int) -> int:
        shown = sum(len(c) for c in crumbs[lo : hi + 1]) + 3 * (hi - lo)
        return shown + (4 if lo > 0 else 0) + (4 if hi < len(STEPS) - 1 else 0)

    budget = width - line.cell_len
    grown = True
    while grown:
        grown = False
        if last < len(STEPS) - 1 and cost(first, last + 1) <= budget:
            last, grown = last + 1, True
        if first > 0 and cost(first - 1, last) <= budget:
            first, grown = first - 1, True
    if first > 0:
        line.append("… › ", style="dim")
    for i in range(first, last + 1):
        if i == index:
            line.append(crumbs[i], style="reverse")
        else:
            line.append(crumbs[i], style="dim" if i > index else "")
        if i < last:
            line.append(" › ", style="dim")
    if last < len(STEPS) - 1:
        line.append(" › …", style="dim")
    return line


class StepLine(Widget):
    """The step title and breadcrumb, laid out again for the width it is given."""

    DEFAULT_CSS = "StepLine { height: 1; }"

    def __init__(self, step: Step) -> None:
        super().__init__(classes="step-line")
        self.step = step

    def render(self) -> Text:
        return step_line(self.step, self.size.width)


class StepScreen(Screen[None]):
    """A wizard step, made by the app for its `Step` (`tui/steps.py`: id, title, help).

    Subclasses compose their body in `body()`.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "next", "Suivant", id="step.next", tooltip="Étape suivante"),
        Binding("escape", "back", "Précédent", id="step.back", tooltip="Étape précédente"),
    ]

    def __init__(self, step: Step) -> None:
        super().__init__()
        self.step = step

    @property
    def edt_app(self) -> EdtTuiApp:
        from edt_tui.tui.app import EdtTuiApp

        return cast(EdtTuiApp, self.app)

    @property
    def wizard(self) -> Wizard:
        return self.edt_app.wizard

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield StepLine(self.step)
        yield from self.body()
        yield StepFooter()

    def hint(self, text: str) -> str:
        """`text` with each `{binding.id}` replaced by the key bound to it now."""
        return with_keys(self.app, text)

    def body(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        if self.wizard.session is not None and self.step is not STEPS[0]:
            self.wizard.set_step(self.step.id)
        self.sub_title = self._subtitle()

    def _subtitle(self) -> str:
        session = self.wizard.session
        if session is None:
            return self.step.title
        export = self.wizard.export
        name = f" · {export.file_name}" if export else ""
        return f"{session.uai}{name}"

    def show_help(self) -> None:
        """`?`: the step's help (`tui/steps.py`) and the keys active here."""
        bindings = [active.binding for active in self.active_bindings.values()]
        self.app.push_screen(HelpScreen(self.step.title, self.step.help, bindings))

    def can_leave(self) -> bool:
        """Whether `n` may move on (e.g. not with a refused export)."""
        return True

    def action_next(self) -> None:
        if self.can_leave():
            self.edt_app.go(next_step(self.step.id).id)

    def action_back(self) -> None:
        if self.step is not STEPS[0]:
            self.edt_app.go(previous_step(self.step.id).id)
