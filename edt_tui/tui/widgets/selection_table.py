"""One page of a `SelectionModel` in a `PageTable`, with its filter, pager and counts.

The model keeps every row; this widget shows the current page only. Every cell is a
`rich.text.Text`, so a name such as `[red]` shows literally. The widget posts `Changed` and
`RowChosen` up; the screen persists decisions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from edt_tui.tui.selection_model import (
    STATUS_KEY,
    Change,
    Column,
    SelectionModel,
    french_int,
    share_width,
)
from edt_tui.tui.widgets.page_table import PageColumn, PageTable

MARK = "●"

StatusCell = Callable[[str, Any, bool], Text]
"""(row id, row, active) → the status cell (symbol and word, coloured)."""
RowStyle = Callable[[str, Any, bool], str]
"""(row id, row, active) → a Rich style for the data cells (e.g. red for unreconciled)."""


def _b(
    key: str, action: str, description: str, ident: str, tooltip: str, show: bool = False
) -> Binding:
    return Binding(key, action, description, show=show, id=f"table.{ident}", tooltip=tooltip)


STATUS_WIDTH = 16
"""The longest status word, « ✖ Non réconcilié »: a status is never cut."""


class SelectionTable(Vertical):
    """A paginated, filterable, sortable selection table over a `SelectionModel`."""

    DEFAULT_CSS = """
    SelectionTable { height: 1fr; }
    SelectionTable > PageTable { height: 1fr; }
    SelectionTable > .pager { height: 1; color: $text-muted; }
    SelectionTable > .counts { height: 1; text-style: bold; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        _b("j", "down", "Bas", "down", "Ligne suivante (page suivante en bas)"),
        _b("k", "up", "Haut", "up", "Ligne précédente (page précédente en haut)"),
        _b("g", "top", "Début", "top", "Première ligne de la première page"),
        _b("G", "bottom", "Fin", "bottom", "Dernière ligne de la dernière page"),
        _b("]", "page(1)", "Page suiv.", "next_page", "Page suivante"),
        _b("[", "page(-1)", "Page préc.", "prev_page", "Page précédente"),
        _b("space", "mark", "Marquer", "mark", "(Dé)marquer, descendre", show=True),
        _b("v", "mark_range", "Plage", "range", "Marquer les lignes depuis la dernière marquée"),
        _b("*", "mark_matching", "Tout filtré", "mark_matching", "Toutes les filtrées"),
        _b("u", "clear_marks", "Démarquer", "clear_marks", "Effacer les marques"),
        _b("/", "filter", "Filtrer", "filter", "Sans casse ni accents", show=True),
        _b(
            "a",
            "activate(True)",
            "Activer",
            "activate",
            "Activer les lignes marquées (ou celle-ci)",
            show=True,
        ),
        _b(
            "d",
            "activate(False)",
            "Désactiver",
            "deactivate",
            "Désactiver les lignes marquées (ou celle-ci)",
            show=True,
        ),
        _b("A", "activate_all(True)", "Tout activer", "activate_all", "Tout activer"),
        _b("D", "activate_all(False)", "Tout désact.", "deactivate_all", "Tout désactiver"),
        _b("s", "sort", "Trier", "sort", "Trier par la colonne suivante"),
        _b("S", "reverse", "Inverser", "reverse", "Inverser l'ordre du tri"),
        _b("p", "page_size", "Taille page", "page_size", "Taille de page 10/25/50/100"),
    ]

    class Changed(Message):
        """Rows were activated or deactivated: the screen saves the decision."""

        def __init__(self, table: SelectionTable, change: Change) -> None:
            super().__init__()
            self.table = table
            self.change = change

    class RowChosen(Message):
        """Enter on a row: details (e.g. suggestions for a person)."""

        def __init__(self, table: SelectionTable, row_id: str) -> None:
            super().__init__()
            self.table = table
            self.row_id = row_id

    def __init__(
        self,
        model: SelectionModel[Any],
        *,
        status: StatusCell,
        row_style: RowStyle | None = None,
        status_title: str = "Statut",
        status_first: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._status_first = status_first
        self.model = model
        self._status = status
        self._row_style = row_style
        self._status_title = status_title
        self._shown: dict[str, tuple[bool, bool]] = {}
        """(marked, active) of each row on the page as the table shows it."""
        self._draft: str | None = None
        """The filter being typed after `/` (None when not typing one)."""
        self._layout: tuple[tuple[str, int | None], ...] = ()
        """Width of each model column as laid out (None: sized to content; 0: left out)."""
        self._columns: list[Column[Any]] = list(model.columns)
        """The model's columns shown at this width, in order."""

    def compose(self) -> ComposeResult:
        yield PageTable()
        yield Static(classes="pager")
        yield Static(classes="counts")

    @property
    def table(self) -> PageTable:
        return self.query_one(PageTable)

    def on_mount(self) -> None:
        self._lay_out_columns(self.size.width)

    def on_resize(self, event: events.Resize) -> None:
        self._lay_out_columns(event.size.width)

    def _lay_out_columns(self, width: int) -> None:
        """Share the width between the columns by priority (`share_width`): the status, then
        the model's columns in order; columns that do not fit are left out until it widens."""
        if width <= 0:
            width = 80
        available = width - 2 - (1 + 2 * self.table.cell_padding)  # scrollbar, mark column
        specs = [(STATUS_WIDTH, None)] + [(c.width, c.min_width) for c in self.model.columns]
        if not self._status_first:  # the status is still shown whatever the width
            specs = specs[1:] + specs[:1]
        sharing = any(c.min_width is not None for c in self.model.columns)
        if sharing:
            widths: list[int | None] = list(share_width(available, specs, self.table.cell_padding))
        else:  # content-sized columns (the wizard's steps): sized to the pages shown
            widths = [w for w, _ in specs]
        status_width = widths[0] if self._status_first else widths[-1]
        data_widths = widths[1:] if self._status_first else widths[:-1]
        layout = tuple(zip((c.key for c in self.model.columns), data_widths, strict=True))
        if layout == self._layout:
            return
        self._layout = layout
        shown = [not sharing or bool(w) for w in data_widths]
        self._columns = [c for c, keep in zip(self.model.columns, shown, strict=True) if keep]
        status = PageColumn("status", Text(self._status_title), status_width)
        columns = [PageColumn("mark", Text(" "), 1)]
        if self._status_first:  # wide rows: 80 columns still show the status
            columns.append(status)
        for column, column_width, keep in zip(self.model.columns, data_widths, shown, strict=True):
            if keep:
                columns.append(PageColumn(column.key, Text(column.title), column_width))
        if not self._status_first:
            columns.append(status)
        self.table.set_columns(columns)
        self._shown = {}
        self.render_page()

    def focus_table(self) -> None:
        self.table.focus()

    # -- rendering --------------------------------------------------------------------------

    def _cells(self, row_id: str, row: Any) -> list[Text]:
        active = self.model.is_active(row_id)
        style = self._row_style(row_id, row, active) if self._row_style else ""
        mark = self._mark_cell(row_id)
        data = [Text(column.value(row), style=style) for column in self._columns]
        status = self._status(row_id, row, active)
        return [mark, status, *data] if self._status_first else [mark, *data, status]

    def _mark_cell(self, row_id: str) -> Text:
        return Text(MARK if self.model.is_marked(row_id) else " ", style="bold")

    def _state(self, row_id: str) -> tuple[bool, bool]:
        return self.model.is_marked(row_id), self.model.is_active(row_id)

    def render_page(self, cursor: int | None = None) -> None:
        """Replace the table's rows with the current page (O(page))."""
        table = self.table
        keep = table.cursor_row if cursor is None else cursor
        page = self.model.page_rows()
        with self.app.batch_update():
            table.set_rows(((row_id, self._cells(row_id, row)) for row_id, row in page), keep)
            self._shown = {row_id: self._state(row_id) for row_id, _ in page}
            self._render_footer()

    def _refresh_rows(self) -> None:
        """Show new marks and states: replace the cells of the rows of this page that changed.

        The page's rows are the same (marks and activation never filter or sort), so only the
        cells of changed rows are replaced (the mark's alone when only marks moved), in one
        `set_cells`: only their lines are rendered again.
        """
        page = self.model.page_rows()
        if [row_id for row_id, _ in page] != list(self._shown):
            self.render_page()
            return
        table = self.table
        keys = table.column_keys
        changed: list[tuple[str, str, Text]] = []
        for row_id, row in page:
            state = self._state(row_id)
            shown = self._shown[row_id]
            if shown == state:
                continue
            self._shown[row_id] = state
            if shown[1] == state[1]:  # only the mark changed: its cell alone
                changed.append((row_id, keys[0], self._mark_cell(row_id)))
            else:
                cells = zip(keys, self._cells(row_id, row), strict=True)
                changed += ((row_id, key, cell) for key, cell in cells)
        with self.app.batch_update():
            table.set_cells(changed)
            self._render_footer()

    def _render_footer(self) -> None:
        model = self.model
        if self._draft is not None:
            prompt = Text.assemble(
                ("Filtre : ", "bold"),
                self._draft,
                ("▏", "bold"),
                f"  {french_int(model.visible_count)} ligne(s)",
                " · entrée/échap : garder · ctrl+u : effacer",
            )
            self.query_one(".pager", Static).update(prompt)
        else:
            self.query_one(".pager", Static).update(self._pager(model))
        counts = Text(model.counts_label())
        if model.marked_count:
            counts.append(f" · {french_int(model.marked_count)} marqué(s)")
        self.query_one(".counts", Static).update(counts)

    @staticmethod
    def _pager(model: SelectionModel[Any]) -> Text:
        pager = Text("« ")
        for page in model.pager():
            if page is None:
                pager.append("… ")
            elif page == model.page + 1:
                pager.append(f"[{page}]", style="reverse bold")
                pager.append(" ")
            else:
                pager.append(f"{page} ")
        pager.append(f"»  {model.page_size}/page  (] [ pages, ? aide)")
        if model.sort_key:
            titles = {STATUS_KEY: "Statut", **{c.key: c.title for c in model.columns}}
            title = titles[model.sort_key]
            pager.append(f" · tri {title} {'↓' if model.sort_reverse else '↑'}")
        if model.filter_text:
            pager.append(f" · filtre « {model.filter_text} » : {french_int(model.visible_count)}")
        return pager

    # -- cursor -----------------------------------------------------------------------------

    @property
    def cursor_view_index(self) -> int | None:
        table = self.table
        if not table.row_count:
            return None
        return self.model.page_start + table.cursor_row

    @property
    def cursor_row_id(self) -> str | None:
        index = self.cursor_view_index
        return None if index is None else self.model.row_id_at(index)

    def action_down(self) -> None:
        table = self.table
        if table.cursor_row >= table.row_count - 1 and self.model.page < self.model.page_count - 1:
            self.model.go_to_page(self.model.page + 1)
            self.render_page(cursor=0)
        else:
            table.move_cursor(table.cursor_row + 1)

    def action_up(self) -> None:
        table = self.table
        if table.cursor_row <= 0 and self.model.page > 0:
            self.model.go_to_page(self.model.page - 1)
            self.render_page(cursor=self.model.page_size - 1)
        else:
            table.move_cursor(table.cursor_row - 1)

    def action_top(self) -> None:
        self.model.go_to_page(0)
        self.render_page(cursor=0)

    def action_bottom(self) -> None:
        self.model.go_to_page(self.model.page_count - 1)
        self.render_page(cursor=self.model.page_size - 1)

    def action_page(self, delta: int) -> None:
        before = self.model.page
        self.model.go_to_page(before + delta)
        if self.model.page != before:
            self.render_page()

    def action_page_size(self) -> None:
        size = self.model.next_page_size()
        self.render_page(cursor=0)
        self.notify(f"{size} lignes par page", timeout=2)

    # -- marks ------------------------------------------------------------------------------

    def action_mark(self) -> None:
        index = self.cursor_view_index
        if index is None:
            return
        self.model.toggle_mark(index)
        self._refresh_rows()
        self.action_down()

    def action_mark_range(self) -> None:
        index = self.cursor_view_index
        if index is not None:
            self.model.mark_range(index)
            self._refresh_rows()

    def action_mark_matching(self) -> None:
        count = self.model.mark_all_matching()
        self._refresh_rows()
        self.notify(f"{french_int(count)} ligne(s) marquée(s)", timeout=2)

    def action_clear_marks(self) -> None:
        self.model.clear_marks()
        self._refresh_rows()

    # -- activation -------------------------------------------------------------------------

    def _changed(self, change: Change, wanted: int) -> None:
        self._refresh_rows()
        if change.ids:
            self.post_message(self.Changed(self, change))
        refused = wanted - len(change.ids)
        if refused > 0 and change.active:
            self.notify(
                f"{french_int(refused)} ligne(s) déjà dans cet état ou non activable(s)",
                timeout=3,
            )

    def action_activate(self, active: bool) -> None:
        wanted = self.model.marked_count or (1 if self.cursor_row_id else 0)
        self._changed(self.model.apply_to_marked_or(self.cursor_row_id, active), wanted)

    def action_activate_all(self, active: bool) -> None:
        self._changed(self.model.set_all_active(active), 0)

    # -- filter and sort --------------------------------------------------------------------

    def action_filter(self) -> None:
        self._draft = self.model.filter_text
        self._render_footer()

    def route_key(self, event: events.Key) -> bool:
        """While a filter is typed (after `/`), text keys edit it, as at a `less` prompt.

        Called by the app for every key, in the order typed (`tui/keys.py`), so a burst after
        `/` lands in the filter. The table keeps the focus: handing it to an Input restyles
        the screen, swaps the footer's keys and redraws every cell, ~100 ms each way on a page
        of 100 rows.
        """
        draft = self._draft
        if draft is None:
            return False
        key = event.key
        if key in ("enter", "escape"):
            self._draft = None
            self._render_footer()
        elif key == "backspace":
            self._edit_filter(draft[:-1])
        elif key == "ctrl+u":
            self._edit_filter("")
        elif key == "ctrl+w":
            self._edit_filter(draft.rstrip().rpartition(" ")[0])
        elif event.is_printable and event.character:
            self._edit_filter(draft + event.character)
        else:
            return False  # arrows, page keys…: still the table's
        return True

    def route_paste(self, event: events.Paste) -> bool:
        if self._draft is None or not event.text:
            return False
        self._edit_filter(self._draft + event.text.splitlines()[0])
        return True

    def _edit_filter(self, text: str) -> None:
        self._draft = text
        self.model.set_filter(text)
        self.render_page(cursor=0)

    def set_filter(self, text: str) -> None:
        """Programmatic filter (command palette, tests): same as typing it after `/`."""
        self._draft = None
        self.model.set_filter(text)
        self.render_page(cursor=0)

    def action_sort(self) -> None:
        keys = [STATUS_KEY, *(c.key for c in self.model.columns)]
        current = self.model.sort_key
        following = keys[0] if current is None else None
        if current is not None and keys.index(current) + 1 < len(keys):
            following = keys[keys.index(current) + 1]
        self.model.sort_by(following)
        self.render_page(cursor=0)

    def action_reverse(self) -> None:
        if self.model.sort_key is not None:
            self.model.sort_by(self.model.sort_key, reverse=not self.model.sort_reverse)
            self.render_page(cursor=0)

    @on(PageTable.Chosen)
    def _row_chosen(self, event: PageTable.Chosen) -> None:
        event.stop()
        self.post_message(self.RowChosen(self, event.row_id))
