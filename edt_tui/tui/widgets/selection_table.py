"""One page of a `SelectionModel` in a DataTable, with its filter, pager and counts.

The model keeps every row; this widget renders the current page only (Textual's DataTable
measures each added cell). Every cell is a `rich.text.Text`, so a name such as `[red]` shows
literally. The widget posts `Changed` and `RowChosen` up; the screen persists decisions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any, ClassVar, TypeVar

from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static
from textual.widgets.data_table import ColumnKey, RowKey

from edt_tui.tui.selection_model import (
    STATUS_KEY,
    Change,
    Column,
    SelectionModel,
    french_int,
    share_width,
)

MARK = "●"

StatusCell = Callable[[str, Any, bool], Text]
"""(row id, row, active) → the status cell (symbol and word, coloured)."""
RowStyle = Callable[[str, Any, bool], str]
"""(row id, row, active) → a Rich style for the data cells (e.g. red for unreconciled)."""

Key = TypeVar("Key")
Value = TypeVar("Value")


class AcyclicLRUCache(LRUCache[Key, Value]):
    """Textual's `LRUCache` whose `clear` unlinks its entries first.

    The entries form a doubly linked ring. Dropped whole by `clear` (every page switch clears
    the DataTable's caches), the ring is a reference cycle holding every cached line, thousands
    of Segments: only a full pass of the cyclic GC frees it, a 50–150 ms stall on some later
    keypress. Unlinked, it is freed at once by reference counting.
    """

    __slots__ = ()

    def clear(self) -> None:
        for link in self._cache.values():
            link.clear()
        super().clear()


def _b(
    key: str, action: str, description: str, ident: str, tooltip: str, show: bool = False
) -> Binding:
    return Binding(key, action, description, show=show, id=f"table.{ident}", tooltip=tooltip)


STATUS_WIDTH = 16
"""The longest status word, « ✖ Non réconcilié »: a status is never cut."""

_NEWLINE = Text("\n")
_NULL = Style()


def cell_line(
    console: Console, text: Text, width: int, padding: int, pre: Style, post: Style | None
) -> list[Segment]:
    """One cell of one line, as DataTable would render it through Rich, minus the generic layers.

    Same result as `console.render_lines(Styled(Padding(text, (0, padding)), pre, post))` with
    `no_wrap`, height 1 and `width >= 2 * padding` (crop, pad with blanks, then the row's
    styles), ~10× cheaper: cell rendering is most of a repaint once every visible cell changes
    (page, filter, activation).
    """
    inner = max(width - 2 * padding, 0)
    line = text
    if text.cell_len > inner:
        line = text.copy()
        line.truncate(inner, overflow="fold")
    segments = [Segment(" " * padding, _NULL)] if padding else []
    if line.spans:
        segments += _NEWLINE.join([line]).render(console)
    elif line.plain:  # one style (our cells): Rich's result without building spans
        style = _own_style(console, line.style) if line.style else None
        segments.append(Segment(line.plain, style))
    spare = inner - line.cell_len
    if spare > 0:
        segments.append(Segment(" " * spare, _NULL))
    if padding:
        segments.append(Segment(" " * padding, _NULL))
    return list(Segment.apply_style(segments, pre, post))


@lru_cache(maxsize=256)
def _own_style(console: Console, style: str | Style) -> Style:
    """A span-free `Text`'s style as `Text.render` applies it (over the null base style)."""
    return Style.combine([Style.null(), console.get_style(style, default=Style.null())])


def _simple(cell: object) -> bool:
    """A one-line Text with default layout options: `cell_line` renders it exactly."""
    return (
        isinstance(cell, Text)
        and cell.justify is None
        and cell.overflow is None
        and cell.no_wrap is None
        and "\n" not in cell.plain
        and "\t" not in cell.plain
    )


class PageTable(DataTable[Text]):
    """The DataTable of one page; its own enter binding is kept (row chosen).

    Body cells that are plain one-line `Text` take the fast path of `cell_line`.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, cache in list(vars(self).items()):  # the DataTable's and the widget's own
            if type(cache) is LRUCache:
                setattr(self, name, AcyclicLRUCache(cache.maxsize))

    def set_cells(self, cells: Iterable[tuple[str, ColumnKey, Text]]) -> None:
        """`update_cell` (widths unchanged) for many cells: one cache invalidation, one refresh.

        `A` on a page of 100 rows replaces 600 cells; one by one, each bumps the update count and
        asks for a refresh.
        """
        data = self._data
        count = 0
        for row_id, column_key, cell in cells:
            data[RowKey(row_id)][column_key] = cell
            count += 1
        if count:
            self._update_count += 1
            self.refresh()

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """Widen the auto-width columns for the new rows, measuring only those cells.

        DataTable measures every cell of every new row through Rich (a few hundred calls per
        page of 100, a third of a page switch), although only auto-width columns use it. With
        no row label and no auto-height row (our pages), the result is the same: a `Text`
        cell's width is its longest line, as Rich measures it.
        """
        keys = [key for key in new_rows if key in self.rows]
        auto = [column for column in self.columns.values() if column.auto_width]
        if any(
            self.rows[key].label is not None
            or self.rows[key].auto_height
            or not all(isinstance(self._data[key].get(c.key), Text) for c in auto)
            for key in keys
        ):
            super()._update_dimensions(keys)
            return
        for column in auto:
            width = column.content_width
            for key in keys:
                cell = self._data[key][column.key]
                width = max(width, max(map(cell_len, cell.plain.splitlines()), default=0))
            column.content_width = width
        super()._update_dimensions(())

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> list[list[Segment]]:
        if row_index < max(self.fixed_rows, 0) or column_index < max(self.fixed_columns, 0):
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        if row_key is None or column_key is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        cache_key = (
            row_key,
            column_key,
            base_style,
            cursor,
            hover,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        cached = self._cell_render_cache.get(cache_key)
        if cached is not None:
            return cached
        cell = self._data[row_key][column_key]
        if self.rows[row_key].height != 1 or width < 2 * self.cell_padding or not _simple(cell):
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        component_style, post_style = self._get_styles_to_render_cell(
            False,
            False,
            False,
            hover,
            cursor,
            self.show_cursor,
            self._show_hover_cursor,
            self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css",
        )
        meta = Style.from_meta({"row": row_index, "column": column_index})
        pre = base_style + meta + component_style
        lines = [cell_line(self.app.console, cell, width, self.cell_padding, pre, post_style)]
        self._cell_render_cache[cache_key] = lines
        return lines


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
        yield PageTable(cursor_type="row", zebra_stripes=False)
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
        else:  # content-sized columns (the wizard's steps): DataTable measures the page
            widths = [w for w, _ in specs]
        status_width = widths[0] if self._status_first else widths[-1]
        data_widths = widths[1:] if self._status_first else widths[:-1]
        layout = tuple(zip((c.key for c in self.model.columns), data_widths, strict=True))
        if layout == self._layout:
            return
        self._layout = layout
        shown = [not sharing or bool(w) for w in data_widths]
        self._columns = [c for c, keep in zip(self.model.columns, shown, strict=True) if keep]
        table = self.table
        table.clear(columns=True)
        table.add_column(Text(" "), key="mark", width=1)
        if self._status_first:  # wide rows: 80 columns still show the status
            table.add_column(Text(self._status_title), key="status", width=status_width)
        for column, column_width, keep in zip(self.model.columns, data_widths, shown, strict=True):
            if keep:
                table.add_column(Text(column.title), key=column.key, width=column_width)
        if not self._status_first:
            table.add_column(Text(self._status_title), key="status", width=status_width)
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
        with self.app.batch_update():
            table.clear()
            shown: dict[str, tuple[bool, bool]] = {}
            for row_id, row in self.model.page_rows():
                table.add_row(*self._cells(row_id, row), key=row_id)
                shown[row_id] = self._state(row_id)
            self._shown = shown
            if table.row_count:
                table.move_cursor(row=min(max(keep, 0), table.row_count - 1), animate=False)
            self._render_footer()

    def _refresh_rows(self) -> None:
        """Show new marks and states: replace the cells of the rows of this page that changed.

        The page's rows are the same (marks and activation never filter or sort), so only the
        cells of changed rows are replaced (the mark's alone when only marks moved), in one
        `set_cells`, without measuring widths (fixed or unchanged text).
        """
        page = self.model.page_rows()
        if [row_id for row_id, _ in page] != list(self._shown):
            self.render_page()
            return
        table = self.table
        keys = [column.key for column in table.ordered_columns]
        changed: list[tuple[str, ColumnKey, Text]] = []
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
            table.action_cursor_down()

    def action_up(self) -> None:
        table = self.table
        if table.cursor_row <= 0 and self.model.page > 0:
            self.model.go_to_page(self.model.page - 1)
            self.render_page(cursor=self.model.page_size - 1)
        else:
            table.action_cursor_up()

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

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.RowChosen(self, str(event.row_key.value)))
