"""What every wizard step shares: title line, back/next keys, help text, access to the wizard."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Header, Static

from edt_tui.session.store import STEPS
from edt_tui.tui.widgets.step_footer import StepFooter
from edt_tui.tui.wizard import STEP_TITLES, Wizard, next_step, previous_step

if TYPE_CHECKING:
    from edt_tui.tui.app import EdtTuiApp


def step_line(step: str) -> Text:
    """`Matières  ·  étape 4/10` followed by the breadcrumb of steps, current one highlighted."""
    index = STEPS.index(step)
    line = Text(f"{STEP_TITLES[step]}", style="bold")
    line.append(f"  ·  étape {index + 1}/{len(STEPS)}   ", style="")
    for i, name in enumerate(STEPS):
        title = STEP_TITLES[name]
        if i == index:
            line.append(f"[{title}]", style="reverse")
        else:
            line.append(title, style="dim" if i > index else "")
        if i < len(STEPS) - 1:
            line.append(" › ", style="dim")
    return line


class StepScreen(Screen[None]):
    """A wizard step. Subclasses set `STEP` and `HELP` and compose their body in `body()`."""

    STEP: ClassVar[str] = "establishment"
    HELP: ClassVar[str] = ""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "next", "Suivant", id="step.next", tooltip="Go to the next step"),
        Binding("escape", "back", "Précédent", id="step.back", tooltip="Back to the previous step"),
    ]

    @property
    def edt_app(self) -> EdtTuiApp:
        from edt_tui.tui.app import EdtTuiApp

        return cast(EdtTuiApp, self.app)

    @property
    def wizard(self) -> Wizard:
        return self.edt_app.wizard

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(step_line(self.STEP), classes="step-line")
        yield from self.body()
        yield StepFooter()

    def body(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        if self.wizard.session is not None and self.STEP not in ("establishment",):
            self.wizard.set_step(self.STEP)
        self.sub_title = self._subtitle()

    def _subtitle(self) -> str:
        session = self.wizard.session
        if session is None:
            return STEP_TITLES[self.STEP]
        export = self.wizard.export
        name = f" · {export.file_name}" if export else ""
        return f"{session.uai}{name}"

    def can_leave(self) -> bool:
        """Whether `n` may move on (e.g. not with a refused export)."""
        return True

    def action_next(self) -> None:
        if self.can_leave():
            self.edt_app.go(next_step(self.STEP))

    def action_back(self) -> None:
        if STEPS[0] != self.STEP:
            self.edt_app.go(previous_step(self.STEP))
