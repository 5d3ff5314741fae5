"""« Import automatique » (seed §4, §4.1, §5.5): the push URL to paste into PRONOTE, today's quota,
the last pushes and their outcome, and what an automatic import re-applies.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

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
from edt_tui.client.helpdesk import automatic_status
from edt_tui.tui.screens.after_base import AfterLaunchScreen, when

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


def status_text(status: Mapping[str, Any]) -> Text:
    text = Text()
    text.append("URL d'envoi : ", style="bold")
    text.append(str(status["push_url"]))
    text.append("  (c : copier)\n", style="dim")
    if str(status["push_url"]).startswith(EMBEDDED_BASE_URL):
        text.append(
            "Service embarqué : publiez-le avec `edt-tui serve` pour recevoir les "
            "envois (même chemin sur son URL).\n",
            style="yellow",
        )
    used, quota = int(status["used_today"]), int(status["daily_quota"])
    text.append("Imports automatiques aujourd'hui : ", style="bold")
    text.append(f"{used} / {quota}", style="bold red" if used >= quota else "bold green")
    text.append("\n")
    manual = status.get("manual_import")
    if manual:
        text.append("Dernier import manuel : ", style="bold")
        version = manual.get("selection_version")
        text.append(
            f"{when(manual.get('finished_at'))} (sélection v{version}, "
            "ré-appliquée par les envois)\n"
        )
    else:
        text.append(
            f"✖ {status.get('refusal')} : les envois sont refusés pour l'instant.\n",
            style="bold red",
        )
    return text


def pushes_table(pushes: list[Mapping[str, Any]]) -> Table | Text:
    if not pushes:
        return Text("Aucun envoi reçu.", style="dim")
    table = Table(box=None, padding=(0, 2), show_edge=False)
    table.add_column("Reçu le", no_wrap=True)
    table.add_column("Résultat", no_wrap=True)
    table.add_column("Raison")
    for push in pushes:
        outcome = str(push.get("outcome"))
        table.add_row(
            Text(when(push.get("received_at"))),
            Text(str(push.get("outcome_label") or outcome), style=PUSH_STYLES.get(outcome, "")),
            Text(str(push.get("reason") or "")),
        )
    return table


class StatusLoaded(Message):
    def __init__(self, status: Mapping[str, Any]) -> None:
        super().__init__()
        self.status = status


class AutomaticScreen(AfterLaunchScreen):
    TITLE_TEXT = "Import automatique"
    HELP: ClassVar[str] = (
        "Paramètres de l'import automatique depuis PRONOTE. c : copier l'URL d'envoi dans le "
        "presse-papiers du terminal (OSC 52) ; r : rafraîchir."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "copy_url", "Copier l'URL", id="automatic.copy", tooltip="Copier l'URL"),
        Binding("r", "reload", "Rafraîchir", id="automatic.reload", tooltip="Redemander"),
    ]

    def __init__(self, uai: str | None = None, **kw: Any) -> None:
        super().__init__(uai, **kw)
        self.status: Mapping[str, Any] = {}

    def body(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("Chargement…", id="automatic-status", classes="info")
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
        self.post_message(StatusLoaded(await automatic_status(ent, await self.uai())))

    @on(Worker.StateChanged)
    def _failed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.show_error("automatic-status", event.worker.error)

    @on(StatusLoaded)
    def _loaded(self, event: StatusLoaded) -> None:
        self.status = event.status
        self.query_one("#automatic-status", Static).update(status_text(event.status))
        self.query_one("#automatic-pushes", Static).update(
            pushes_table(list(event.status.get("pushes") or ()))
        )
        self.query_one("#automatic-explanation", Static).update(
            Text("\n" + EXPLANATION.format(quota=event.status["daily_quota"]), style="italic")
        )

    def action_copy_url(self) -> None:
        url = self.status.get("push_url")
        if url:
            self.app.copy_to_clipboard(str(url))
            self.notify("URL d'envoi copiée dans le presse-papiers.", timeout=2)
