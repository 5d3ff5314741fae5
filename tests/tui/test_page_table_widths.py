"""`PageTable` widens auto-width columns as the stock DataTable does, page after page."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from edt_tui.tui.widgets.selection_table import PageTable

PAGES = [
    [("Maths", "2NDE1", "東京の生徒"), ("Français", "TG2 - groupe du mardi", "x")],
    [("SVT", "1", ""), ("Histoire-géographie EMC", "T", "Élève [red]")],
    [("", "", "ligne\nsuivante la plus longue")],
]


class Tables(App[None]):
    def compose(self) -> ComposeResult:
        yield PageTable(id="ours")
        yield DataTable(id="stock")


async def test_auto_widths_match_datatable() -> None:
    app = Tables()
    async with app.run_test() as pilot:
        ours, stock = app.query_one("#ours", PageTable), app.query_one("#stock", DataTable)
        for table in (ours, stock):
            table.add_column(Text("Matière"), key="subject")
            table.add_column(Text("Audience"), key="audience", width=8)
            table.add_column(Text("Nom"), key="name")
        for number, page in enumerate(PAGES):
            for table in (ours, stock):
                table.clear()
                for index, row in enumerate(page):
                    table.add_row(*(Text(cell) for cell in row), key=f"{number}-{index}")
            await pilot.pause()
            widths = [column.get_render_width(ours) for column in ours.ordered_columns]
            assert widths == [column.get_render_width(stock) for column in stock.ordered_columns]
            assert ours.virtual_size == stock.virtual_size
        assert widths[0] == 2 + len("Histoire-géographie EMC")  # grew with the second page
