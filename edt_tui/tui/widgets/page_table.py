"""One page of rows on Textual's public Line API: a `ScrollView` that renders its own lines.

The selection tables show one page of a `SelectionModel` (at most 100 rows) and replace it whole
on each page, filter or sort, or a few cells on each mark or activation. Textual's `DataTable`
is a general grid (row and column keys, auto-height rows, four layers of caches); rebuilding a
page through it measured every cell and rendered every line through Rich's generic path, and
making it fast meant overriding its private internals. This widget keeps the segments of each
line it rendered in a plain dict, dropped for what changed (a row, the cursor, the page, the
look), and looks exactly like the `DataTable` it replaces (same component classes, styles and
cell layout), so screenshots did not change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar, NamedTuple

from rich.cells import cell_len
from rich.console import Console
from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size, Spacing
from textual.message import Message
from textual.renderables.styled import Styled
from textual.scroll_view import ScrollView
from textual.strip import Strip

_NEWLINE = Text("\n")
_NULL = Style()


def cell_line(
    console: Console, text: Text, width: int, padding: int, pre: Style, post: Style | None
) -> list[Segment]:
    """One cell of one line, as Rich renders a padded, styled `Text`, minus the generic layers.

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


@lru_cache(maxsize=2048)
def _cell_meta(row: int, column: int) -> Style:
    """The mouse's coordinates of a cell (as DataTable marks them): made once per place."""
    return Style.from_meta({"row": row, "column": column})


@lru_cache(maxsize=4096)
def _cell_style(row_style: Style, row: int, column: int, component: Style) -> Style:
    """A cell's style under its own: the row's, the mouse's coordinates, cursor or hover."""
    return row_style + _cell_meta(row, column) + component


def _simple(cell: Text) -> bool:
    """A one-line Text with default layout options: `cell_line` renders it exactly."""
    return (
        cell.justify is None
        and cell.overflow is None
        and cell.no_wrap is None
        and "\n" not in cell.plain
        and "\t" not in cell.plain
    )


def _text_width(text: Text) -> int:
    """The cells a `Text` needs on one line per line of it (what Rich measures)."""
    return max(map(cell_len, text.plain.splitlines()), default=0)


@dataclass
class PageColumn:
    """A column: fixed `width`, or sized to the widest label or cell shown since it was set."""

    key: str
    label: Text
    width: int | None = None
    content_width: int = 0


class _Look(NamedTuple):
    """The styles of one rendering pass (they change with focus, theme and CSS)."""

    base: Style
    header: Style
    cursor: Style
    hover: Style
    header_hover: Style
    width: int


class PageTable(ScrollView, can_focus=True):
    """A page of rows (a `Text` per cell) under a header, with a row cursor.

    Rows are keyed by the model's row id. The header stays on top while the rows scroll. `enter`
    or a click on the cursor row posts `Chosen`; the mouse shows the row under it.
    """

    ALLOW_SELECT = False

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Select", show=False),
        Binding("up", "cursor_up", "Cursor up", show=False),
        Binding("down", "cursor_down", "Cursor down", show=False),
        Binding("right", "cursor_right", "Cursor right", show=False),
        Binding("left", "cursor_left", "Cursor left", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("ctrl+home", "scroll_top", "Top", show=False),
        Binding("ctrl+end", "scroll_bottom", "Bottom", show=False),
        Binding("home", "scroll_home", "Home", show=False),
        Binding("end", "scroll_end", "End", show=False),
    ]
    """The movement keys of Textual's DataTable, with its action names (the help words them)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "datatable--cursor",
        "datatable--hover",
        "datatable--header",
        "datatable--header-hover",
    }
    """DataTable's names, so a theme or stylesheet written for tables applies here too."""

    DEFAULT_CSS = """
    PageTable {
        background: $surface;
        color: $foreground;
        height: auto;
        max-height: 100%;

        &:focus {
            background-tint: $foreground 5%;
            & > .datatable--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .datatable--header {
                background-tint: $foreground 5%;
            }
        }
        & > .datatable--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .datatable--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .datatable--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .datatable--header-hover {
            background: $accent 30%;
        }
        & > .datatable--hover {
            background: $block-hover-background;
        }
    }
    """

    class Chosen(Message):
        """`enter` (or a click) on the cursor row."""

        def __init__(self, table: PageTable, row_id: str) -> None:
            super().__init__()
            self.table = table
            self.row_id = row_id

        @property
        def control(self) -> PageTable:
            return self.table

    def __init__(
        self, *, cell_padding: int = 1, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.cell_padding = cell_padding
        """Blank cells on each side of every cell."""
        self._columns: list[PageColumn] = []
        self._ids: list[str] = []
        self._cells: list[list[Text]] = []
        self._index: dict[str, int] = {}
        self._cursor = 0
        self._hover: int | None = None
        """The row under the mouse (-1: the header), shown until a key moves the cursor."""
        self._looks: dict[_Look, dict[int, list[Segment]]] = {}
        """Rendered lines by row index (-1: the header), full width, for each of the last two
        looks: focus comes and goes (a step left and resumed) and each look is drawn once.
        Segments, not strips: Textual's strip caches refer to their own strip (a GC cycle)."""
        self._look: _Look | None = None
        self._lines: dict[int, list[Segment]] = {}
        """The lines of `_look`."""

    # -- content ----------------------------------------------------------------------------

    @property
    def column_keys(self) -> list[str]:
        return [column.key for column in self._columns]

    @property
    def column_widths(self) -> list[int]:
        """Each column's width on screen, padding included."""
        return [self._render_width(column) for column in self._columns]

    @property
    def row_count(self) -> int:
        return len(self._ids)

    @property
    def cursor_row(self) -> int:
        """The cursor's row index on the page (0 when the page is empty)."""
        return self._cursor

    def get_row_at(self, index: int) -> list[Text]:
        """The cells of the row at `index`, in column order."""
        return list(self._cells[index])

    def set_columns(self, columns: Iterable[PageColumn]) -> None:
        """New columns; the rows must be set again (`set_rows`)."""
        self._columns = list(columns)
        for column in self._columns:
            column.content_width = _text_width(column.label)
        self.set_rows((), 0)

    def set_rows(self, rows: Iterable[tuple[str, Sequence[Text]]], cursor: int) -> None:
        """Replace every row (one per id, a cell per column), scrolled back to the cursor.

        Content-sized columns widen to the new cells and never narrow until `set_columns`: a
        column does not jump back and forth while paging.
        """
        self._ids, self._cells = [], []
        for row_id, cells in rows:
            self._ids.append(row_id)
            self._cells.append(list(cells))
        self._index = {row_id: index for index, row_id in enumerate(self._ids)}
        self._measure(range(len(self._ids)))
        self._cursor = min(max(cursor, 0), max(len(self._ids) - 1, 0))
        self._forget_lines()
        self._resize_virtual()
        self.scroll_x = self.scroll_y = 0
        self._scroll_cursor_into_view()
        self.refresh()

    def set_cells(self, cells: Iterable[tuple[str, str, Text]]) -> None:
        """Replace some cells (row id, column key, cell); only their lines are rendered again."""
        columns = {column.key: index for index, column in enumerate(self._columns)}
        rows: set[int] = set()
        for row_id, column_key, cell in cells:
            index = self._index[row_id]
            self._cells[index][columns[column_key]] = cell
            rows.add(index)
        if not rows:
            return
        if self._measure(rows):
            self._forget_lines()
            self._resize_virtual()
            self.refresh()
            return
        for index in rows:
            self._refresh_row(index)

    def _forget_lines(self) -> None:
        for lines in self._looks.values():
            lines.clear()

    def _measure(self, rows: Iterable[int]) -> bool:
        """Widen the content-sized columns to these rows' cells; True if one widened."""
        auto = [(i, c) for i, c in enumerate(self._columns) if c.width is None]
        widened = False
        for row in rows:
            cells = self._cells[row]
            for index, column in auto:
                width = _text_width(cells[index])
                if width > column.content_width:
                    column.content_width = width
                    widened = True
        return widened

    def _render_width(self, column: PageColumn) -> int:
        width = column.content_width if column.width is None else column.width
        return width + 2 * self.cell_padding

    def _resize_virtual(self) -> None:
        width = sum(self._render_width(column) for column in self._columns)
        self.virtual_size = Size(width, len(self._ids) + 1)

    # -- cursor and mouse -------------------------------------------------------------------

    def move_cursor(self, row: int) -> None:
        """Put the cursor on `row` (kept within the page) and scroll it into view."""
        target = min(max(row, 0), max(len(self._ids) - 1, 0))
        if target != self._cursor:
            previous, self._cursor = self._cursor, target
            self._refresh_row(previous)
            self._refresh_row(target)
        self._scroll_cursor_into_view()

    def _scroll_cursor_into_view(self, animate: bool = False) -> None:
        if not self._ids:
            return
        width = max(self.size.width, self.virtual_size.width)
        region = Region(int(self.scroll_x), 1 + self._cursor, width, 1)
        self.scroll_to_region(
            region, animate=animate, spacing=Spacing(1, 0, 0, 0), force=True, immediate=True
        )

    def _refresh_row(self, index: int) -> None:
        for lines in self._looks.values():
            lines.pop(index, None)
        y = 0 if index < 0 else 1 + index - int(self.scroll_y)
        if 0 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def _set_hover(self, row: int | None) -> None:
        if row != self._hover:
            for index in (self._hover, row):
                if index is not None:
                    self._refresh_row(index)
            self._hover = row

    def on_mouse_move(self, event: events.MouseMove) -> None:
        row = event.style.meta.get("row")
        self._set_hover(row if isinstance(row, int) else None)

    def on_leave(self, event: events.Leave) -> None:
        self._set_hover(None)

    def on_click(self, event: events.Click) -> None:
        row = event.style.meta.get("row")
        if not isinstance(row, int) or not 0 <= row < len(self._ids):
            return  # the header, or below the rows
        event.stop()
        if row == self._cursor:
            self.post_message(self.Chosen(self, self._ids[row]))
        else:
            self.move_cursor(row)

    def action_select_cursor(self) -> None:
        self._set_hover(None)
        if self._ids:
            self.post_message(self.Chosen(self, self._ids[self._cursor]))

    def action_cursor_up(self) -> None:
        self._set_hover(None)
        self.move_cursor(self._cursor - 1)

    def action_cursor_down(self) -> None:
        self._set_hover(None)
        self.move_cursor(self._cursor + 1)

    def action_cursor_left(self) -> None:
        self._set_hover(None)
        self.scroll_left(animate=False)

    def action_cursor_right(self) -> None:
        self._set_hover(None)
        self.scroll_right(animate=False)

    def action_page_up(self) -> None:
        self._set_hover(None)
        self.move_cursor(self._cursor - max(self.scrollable_content_region.height - 2, 1))

    def action_page_down(self) -> None:
        self._set_hover(None)
        self.move_cursor(self._cursor + max(self.scrollable_content_region.height - 2, 1))

    def action_scroll_top(self) -> None:
        self._set_hover(None)
        self.move_cursor(0)

    def action_scroll_bottom(self) -> None:
        self._set_hover(None)
        self.move_cursor(len(self._ids) - 1)

    def action_scroll_home(self) -> None:
        self._set_hover(None)
        self.scroll_x = 0

    def action_scroll_end(self) -> None:
        self._set_hover(None)
        self.scroll_x = self.max_scroll_x

    # -- rendering --------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._look = None
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._look = None
        self._scroll_cursor_into_view()

    def render_lines(self, crop: Region) -> list[Strip]:
        look = self._look
        base = self.rich_style
        if look is None or look.base != base or look.width != self.size.width:
            try:
                header = self.get_component_styles("datatable--header").rich_style
            except KeyError:  # removed, painted once more: Textual dropped its component styles
                return [Strip.blank(crop.width, base)] * crop.height
            look = self._look = _Look(
                base,
                header,
                self.get_component_rich_style("datatable--cursor"),
                self.get_component_rich_style("datatable--hover"),
                self.get_component_rich_style("datatable--header-hover"),
                self.size.width,
            )
            self._lines = self._looks.pop(look, {})
            self._looks = {**dict(list(self._looks.items())[-1:]), look: self._lines}
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        look = self._look
        assert look is not None  # set by render_lines
        width = look.width
        index = y - 1 if y == 0 else y - 1 + int(self.scroll_y)
        if index >= len(self._ids):
            return Strip.blank(width, look.base)
        line = self._lines.get(index)
        if line is None:
            line = self._lines[index] = self._render_row(index, look)
        strip = Strip(line)
        scroll_x = int(self.scroll_x)
        if scroll_x == 0 and strip.cell_length == width:
            return strip
        cropped = strip.crop(scroll_x, scroll_x + width)
        return cropped.adjust_cell_length(width, look.base).simplify()

    def _render_row(self, index: int, look: _Look) -> list[Segment]:
        """The full-width line of row `index` (-1: the header), as DataTable draws it."""
        header = index < 0
        hover = self._hover == index
        component = Style()
        if hover:
            component += look.hover
            if header:
                component += look.header_hover
        if not header and index == self._cursor:
            component += look.cursor
        post = Style.from_color(color=component.color)
        row_style = look.header if header else look.base
        cells = [column.label for column in self._columns] if header else self._cells[index]
        console = self.app.console
        segments: list[Segment] = []
        for column_index, (column, cell) in enumerate(zip(self._columns, cells, strict=True)):
            pre = _cell_style(row_style, index, column_index, component)
            width = self._render_width(column)
            if _simple(cell) and width >= 2 * self.cell_padding:
                segments += cell_line(console, cell, width, self.cell_padding, pre, post)
            else:
                options = console.options.update_dimensions(width, 1).update(no_wrap=True)
                padded = Styled(Padding(cell, (0, self.cell_padding)), pre, post)
                segments += console.render_lines(padded, options)[0]
        table_width = sum(self._render_width(column) for column in self._columns)
        if look.width > table_width:  # the row's look goes on to the widget's right edge
            extend = row_style + component
            extend += Style.from_meta({"row": index, "column": 0, "out_of_bounds": True})
            segments.append(Segment(" " * (look.width - table_width), extend))
        return list(Segment.simplify(segments))
