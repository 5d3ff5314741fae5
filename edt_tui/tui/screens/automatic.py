"""« Import automatique » (seed §4, §4.1, §5.5): the push URL to paste into PRONOTE, today's quota,
the last pushes and their outcome, and what an automatic import re-applies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from edt_tui.client.client import EMBEDDED_BASE_URL
from edt_tui.client.errors import ServiceError
from edt_tui.client.helpdesk import automatic_status
from edt_tui.client.models import EstablishmentSettings
from edt_tui.tui.formatting import when
from edt_tui.tui.key_hints import Hint
from edt_tui.tui.screens.after_base import AfterLaunchScreen
from edt_tui.tui.screens.prompt import PromptModal
from edt_tui.tui.selection_model import french_int
from edt_tui.tui.wording import error_text
from edt_tui.wire import AutomaticStatus
from edt_tui.wire.directory import MAX_FREEZE_MINUTES
from edt_tui.wire.push import PushEntry

EXPLANATION = (
    "PRONOTE peut envoyer lui-même un nouvel export à l'ENT (Fichier > Socle ENT > Export "
    "automatique de l'emploi du temps), vers l'URL ci-dessus — une URL par établissement, "
    "qui contient un secret. Un premier import manuel est nécessaire pour activer l'import "
    "automatique : chaque envoi ré-applique la sélection du dernier import manuel (matières, "
    "classes, groupes, cours, décisions sur les personnes) ; les nouveautés du fichier sont "
    "signalées mais ne sont synchronisées qu'au prochain import manuel. Au plus {quota} imports "
    "automatiques par jour ; premier déclenchement conseillé à 8 h, puis toutes les 4 heures."
)
PUSH_STYLES = {"accepted": "green", "refused": "bold red", "noop": "dim"}


def status_text(status: AutomaticStatus, zone: ZoneInfo, hint: Hint) -> Text:
    """The push URL, today's quota and what is re-applied (dated in `zone`); `hint` words the
    keys."""
    text = Text()
    text.append("URL d'envoi : ", style="bold")
    text.append(status.push_url)
    text.append(hint("  ({automatic.copy} : copier)\n"), style="dim")
    if status.push_url.startswith(EMBEDDED_BASE_URL):
        text.append(
            "Service embarqué : publiez-le avec `edt-tui serve` pour recevoir les "
            "envois (même chemin sur son URL).\n",
            style="yellow",
        )
    used, quota = status.used_today, status.daily_quota
    text.append("Imports automatiques aujourd'hui : ", style="bold")
    text.append(f"{used} / {quota}", style="bold red" if used >= quota else "bold green")
    text.append("\n")
    manual = status.manual_import
    if manual:
        text.append("Dernier import manuel : ", style="bold")
        version = manual.selection_version
        text.append(
            f"{when(manual.finished_at, zone)} (sélection v{version}, "
            "ré-appliquée par les envois)\n"
        )
    else:
        text.append(
            f"✖ {status.refusal} : les envois sont refusés pour l'instant.\n",
            style="bold red",
        )
    return text


def pushes_table(pushes: Sequence[PushEntry], zone: ZoneInfo) -> Table | Text:
    if not pushes:
        return Text("Aucun envoi reçu.", style="dim")
    table = Table(box=None, padding=(0, 2), show_edge=False)
    table.add_column("Reçu le", no_wrap=True)
    table.add_column("Résultat", no_wrap=True)
    table.add_column("Raison")
    for push in pushes:
        outcome = push.outcome
        table.add_row(
            Text(when(push.received_at, zone)),
            Text(push.outcome_label or outcome, style=PUSH_STYLES.get(outcome, "")),
            Text(push.reason or ""),
        )
    return table


def guards_text(settings: EstablishmentSettings, hint: Hint) -> Text:
    """The establishment's import guards, with the keys that change them (`hint` words them)."""
    text = Text()
    text.append("Fenêtre de gel : ", style="bold")
    text.append(f"{french_int(settings.freeze_minutes)} min")
    text.append(hint("  ({automatic.freeze} : changer)\n"), style="dim")
    text.append("Suppression massive au-delà de : ", style="bold")
    text.append(f"{settings.max_deletion_percent} %")
    text.append(hint("  ({automatic.threshold} : changer)\n"), style="dim")
    return text


SETTINGS: Mapping[str, tuple[str, int, str]] = {
    "freeze_minutes": (
        "Fenêtre de gel", MAX_FREEZE_MINUTES,
        "Fenêtre de gel, en minutes : les évènements qui commencent moins de N minutes après "
        "l'import ne sont ni créés, ni modifiés, ni supprimés (0 : seuls les évènements passés "
        "sont protégés).",
    ),
    "max_deletion_percent": (
        "Seuil de suppression massive", 100,
        "Seuil de suppression massive, en % : un import qui supprime une plus grande part des "
        "appartenances ou des évènements à venir créés par les imports est refusé s'il est "
        "automatique et demande de taper SUPPRIMER s'il est manuel.",
    ),
}
"""Setting → (its French name, its maximum, the prompt's question)."""


def whole_number(answer: str, name: str, maximum: int) -> int | str:
    """The typed value, or the French message saying what is wrong (nothing is changed)."""
    try:
        value = int(answer.strip())
    except ValueError:
        return f"{name} : « {answer} » n'est pas un nombre entier ; rien n'a été changé."
    if not 0 <= value <= maximum:
        return (
            f"{name} : {value} est hors limites (de 0 à {french_int(maximum)}) ; "
            "rien n'a été changé."
        )
    return value


class StatusLoaded(Message):
    def __init__(self, status: AutomaticStatus, settings: EstablishmentSettings) -> None:
        super().__init__()
        self.status = status
        self.settings = settings


class SettingSaved(Message):
    def __init__(self, settings: EstablishmentSettings, message: str) -> None:
        super().__init__()
        self.settings = settings
        self.message = message


class SettingRefused(Message):
    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message


class AutomaticScreen(AfterLaunchScreen):
    TITLE_TEXT = "Import automatique"
    HELP: ClassVar[str] = (
        "Paramètres de l'import automatique depuis PRONOTE. {automatic.copy} : copier l'URL "
        "d'envoi dans le presse-papiers du terminal (OSC 52) ; {automatic.reload} : rafraîchir. "
        "Garde-fous des imports de cet établissement : {automatic.freeze} change la fenêtre de "
        "gel (minutes après l'import pendant lesquelles aucun évènement n'est touché), "
        "{automatic.threshold} le seuil de suppression massive (en %)."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "copy_url", "Copier l'URL", id="automatic.copy", tooltip="Copier l'URL"),
        Binding("r", "reload", "Rafraîchir", id="automatic.reload", tooltip="Redemander"),
        Binding(
            "g", "change('freeze_minutes')", "Gel", id="automatic.freeze", show=False,
            tooltip="Changer la fenêtre de gel",
        ),
        Binding(
            "s", "change('max_deletion_percent')", "Seuil", id="automatic.threshold",
            show=False, tooltip="Changer le seuil de suppression massive",
        ),
    ]

    def __init__(self, uai: str | None = None, **kw: Any) -> None:
        super().__init__(uai, **kw)
        self.status: AutomaticStatus | None = None
        self.settings: EstablishmentSettings | None = None

    def body(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("Chargement…", id="automatic-status", classes="info")
            yield Static(id="automatic-guards", classes="info")
            yield Static(Text("Derniers envois", style="bold"), classes="info")
            yield Static(id="automatic-pushes", classes="info")
            yield Static(id="automatic-explanation", classes="info")

    def on_mount(self) -> None:
        super().on_mount()
        self.load()

    def action_reload(self) -> None:
        self.load()

    @work(exclusive=True, group="automatic", exit_on_error=False)
    async def load(self) -> None:
        ent = await self.ent()
        uai = await self.uai()
        status = await automatic_status(ent, uai)
        self.post_message(StatusLoaded(status, await ent.get_settings(uai)))

    @on(Worker.StateChanged)
    def _failed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.show_error("automatic-status", event.worker.error)

    @on(StatusLoaded)
    def _loaded(self, event: StatusLoaded) -> None:
        self.status = event.status
        self.query_one("#automatic-status", Static).update(
            status_text(event.status, self.zone, self.hint)
        )
        self._show_settings(event.settings)
        self.query_one("#automatic-pushes", Static).update(
            pushes_table(event.status.pushes, self.zone)
        )
        self.query_one("#automatic-explanation", Static).update(
            Text("\n" + EXPLANATION.format(quota=event.status.daily_quota), style="italic")
        )

    def _show_settings(self, settings: EstablishmentSettings) -> None:
        self.settings = settings
        self.query_one("#automatic-guards", Static).update(guards_text(settings, self.hint))

    def action_change(self, setting: str) -> None:
        """Prompt for a new value; a bad one is refused here in French, nothing is sent."""
        if self.settings is None:
            return
        name, maximum, question = SETTINGS[setting]
        current = str(getattr(self.settings, setting))

        def answered(answer: str | None) -> None:
            if answer is None or answer == current:
                return
            value = whole_number(answer, name, maximum)
            if isinstance(value, str):
                self.notify(value, severity="error", timeout=6)
                return
            self.save_setting(setting, value)

        self.app.push_screen(PromptModal(question, value=current), answered)

    @work(exclusive=True, group="settings", exit_on_error=False)
    async def save_setting(self, setting: str, value: int) -> None:
        ent = await self.ent()
        name = SETTINGS[setting][0]
        try:
            uai = await self.uai()
            if setting == "freeze_minutes":
                saved = await ent.update_settings(uai, freeze_minutes=value)
            else:
                saved = await ent.update_settings(uai, max_deletion_percent=value)
        except ServiceError as exc:
            self.post_message(SettingRefused(f"{name} : {error_text(exc)}"))
            return
        unit = "min" if setting == "freeze_minutes" else "%"
        self.post_message(SettingSaved(saved, f"{name} : {french_int(value)} {unit}."))

    @on(SettingSaved)
    def _saved(self, event: SettingSaved) -> None:
        self._show_settings(event.settings)
        self.notify(event.message, timeout=3)

    @on(SettingRefused)
    def _refused(self, event: SettingRefused) -> None:
        self.notify(event.message, severity="error", timeout=6)

    def action_copy_url(self) -> None:
        url = self.status.push_url if self.status else None
        if url:
            self.app.copy_to_clipboard(str(url))
            self.notify("URL d'envoi copiée dans le presse-papiers.", timeout=2)
