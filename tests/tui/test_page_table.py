"""`PageTable` sizes its columns as Textual's DataTable does, and frees a replaced page at once."""

from __future__ import annotations

import gc
import weakref

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from edt_tui.tui.widgets.page_table import PageColumn, PageTable

PAGES = [
    [("Maths", "2NDE1", "東京の生徒"), ("Français", "TG2 - groupe du mardi", "x")],
    [("SVT", "1", ""), ("Histoire-géographie EMC", "T", "Élève [red]")],
    [("", "", "ligne\nsuivante la plus longue")],
]


class Cell(Text):
    """A cell that can be watched with a weak reference."""


class Tables(App[None]):
    def compose(self) -> ComposeResult:
        yield PageTable(id="ours")
        yield DataTable(id="stock")


async def test_auto_widths_match_datatable() -> None:
    """Content-sized columns widen page after page, as a DataTable's do between `clear()`s."""
    app = Tables()
    async with app.run_test() as pilot:
        ours, stock = app.query_one("#ours", PageTable), app.query_one("#stock", DataTable)
        ours.set_columns(
            [
                PageColumn("subject", Text("Matière")),
                PageColumn("audience", Text("Audience"), 8),
                PageColumn("name", Text("Nom")),
            ]
        )
        stock.add_column(Text("Matière"), key="subject")
        stock.add_column(Text("Audience"), key="audience", width=8)
        stock.add_column(Text("Nom"), key="name")
        for number, page in enumerate(PAGES):
            rows = [(f"{number}-{i}", [Text(cell) for cell in row]) for i, row in enumerate(page)]
            ours.set_rows(rows, 0)
            stock.clear()
            for key, cells in rows:
                stock.add_row(*cells, key=key)
            await pilot.pause()
            widths = ours.column_widths
            assert widths == [column.get_render_width(stock) for column in stock.ordered_columns]
            assert ours.virtual_size == stock.virtual_size
        assert widths[0] == 2 + len("Histoire-géographie EMC")  # grew with the second page


async def test_a_replaced_page_is_freed_without_the_cyclic_gc() -> None:
    """Its cells and cached lines hold no reference cycle: replacing a page frees them by
    reference counting, not in a full GC pass that would stall a later keypress."""

    class OneTable(App[None]):
        def compose(self) -> ComposeResult:
            yield PageTable()

    async with OneTable().run_test(size=(60, 20)) as pilot:
        table = pilot.app.query_one(PageTable)
        table.set_columns([PageColumn("name", Text("Nom"))])
        table.set_rows([(str(i), [Cell(f"ligne {i}", style="bold")]) for i in range(30)], 0)
        await pilot.pause()
        table.render_lines(table.region.reset_offset)
        assert "ligne 0" in table.render_line(1).text
        cells = [weakref.ref(table.get_row_at(i)[0]) for i in range(30)]
        enabled = gc.isenabled()
        gc.disable()
        try:
            gc.collect()
            table.set_rows([("new", [Text("autre")])], 0)
            table.render_lines(table.region.reset_offset)
            assert sum(ref() is not None for ref in cells) == 0
        finally:
            if enabled:
                gc.enable()


async def test_mouse_moves_the_cursor_then_chooses_and_shows_the_row_under_it() -> None:
    chosen: list[str] = []

    class Clicks(App[None]):
        def compose(self) -> ComposeResult:
            yield PageTable()

        def on_page_table_chosen(self, event: PageTable.Chosen) -> None:
            chosen.append(event.row_id)

    async with Clicks().run_test(size=(60, 20)) as pilot:
        table = pilot.app.query_one(PageTable)
        table.set_columns([PageColumn("name", Text("Nom"))])
        table.set_rows([(f"r{i}", [Text(f"ligne {i}")]) for i in range(30)], 0)
        await pilot.pause()
        plain = list(table.render_line(5))
        await pilot.hover(PageTable, offset=(3, 5))  # line 5: the header, then row 4
        await pilot.pause()
        assert list(table.render_line(5)) != plain and table.cursor_row == 0
        await pilot.click(PageTable, offset=(3, 3))
        await pilot.pause()
        assert table.cursor_row == 2 and chosen == []
        await pilot.click(PageTable, offset=(3, 3))
        await pilot.pause()
        assert chosen == ["r2"]
        await pilot.click(PageTable, offset=(3, 0))  # the header: nothing
        await pilot.press("down", "enter")
        await pilot.pause()
        assert table.cursor_row == 3 and chosen == ["r2", "r3"]
        assert list(table.render_line(5)) == plain  # a key hides the mouse's row
