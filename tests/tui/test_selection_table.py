"""The selection table widget driven by keys: marks, bulk activation, filter, pages."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from rich.text import Text
from textual import events
from textual.app import ComposeResult

from edt_tui.tui.keys import RoutedApp
from edt_tui.tui.selection_model import Change, Column, SelectionModel
from edt_tui.tui.status import item_status
from edt_tui.tui.widgets.selection_table import MARK, SelectionTable

from .burst import burst


@dataclass(frozen=True)
class Subject:
    ident: str
    label: str
    known: bool


def subjects(count: int) -> list[Subject]:
    rows = [Subject(str(i), f"MATIERE {i:03}", i % 3 != 0) for i in range(count)]
    rows.append(Subject("x", "[red]ROUGE[/red] & ÉDUCATION", False))
    return rows


class TableApp(RoutedApp[None]):
    def __init__(self, rows: list[Subject]) -> None:
        super().__init__()
        self.model = SelectionModel(
            rows,
            row_id=lambda r: r.ident,
            columns=[Column("label", "EDT", lambda r: r.label)],
            initial_active=lambda r: r.known,
            page_size=10,
        )
        self.changes: list[Change] = []

    def compose(self) -> ComposeResult:
        yield SelectionTable(
            self.model,
            status=lambda rid, row, active: item_status(row.known, active).text(),
            status_first=True,
        )

    def on_mount(self) -> None:
        self.query_one(SelectionTable).focus_table()

    def on_selection_table_changed(self, event: SelectionTable.Changed) -> None:
        self.changes.append(event.change)


def visible_labels(app: TableApp) -> list[str]:
    table = app.query_one(SelectionTable).table
    return [str(table.get_row_at(i)[2]) for i in range(table.row_count)]


def footer(app: TableApp) -> str:
    widget = app.query_one(SelectionTable)
    pager = widget.query_one(".pager").render()
    counts = widget.query_one(".counts").render()
    return f"{pager} | {counts}"


async def test_mark_range_and_bulk_deactivate() -> None:
    app = TableApp(subjects(40))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("space", "j", "v")  # mark row 0 (moves down), then the range 0..2
        assert app.model.marked_ids() == ["0", "1", "2"]
        table = app.query_one(SelectionTable).table
        assert str(table.get_row_at(1)[0]) == MARK
        await pilot.press("d")
        await pilot.pause()
        assert [app.model.is_active(i) for i in "012"] == [False, False, False]
        assert app.changes and set(app.changes[-1].ids) == {"1", "2"}  # "0" was already off
        assert "0 / 41 activés" not in footer(app)
        assert str(table.get_row_at(1)[1]) == "✖ Désactivé"


async def test_pages_and_cursor_crossing_page_boundary() -> None:
    app = TableApp(subjects(40))
    async with app.run_test(size=(100, 30)) as pilot:
        assert visible_labels(app)[0] == "MATIERE 000"
        await pilot.press("]")
        assert visible_labels(app)[0] == "MATIERE 010"
        assert "[2]" in footer(app)
        await pilot.press(*["j"] * 10)  # past the bottom of page 2 → page 3
        assert app.model.page == 2
        await pilot.press("G")
        assert visible_labels(app)[-1].startswith("[red]")
        await pilot.press("g", "p")
        assert app.model.page_size == 25 and len(visible_labels(app)) == 25


async def test_filter_then_mark_all_matching_then_activate() -> None:
    app = TableApp(subjects(40))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("/", *"matiere 03", "enter")
        assert visible_labels(app) == [f"MATIERE 03{i}" for i in range(10)]
        await pilot.press("*", "a")
        await pilot.pause()
        assert all(app.model.is_active(str(i)) for i in range(30, 40))
        assert not app.model.is_active("0")
        assert "filtre « matiere 03 »" in footer(app)
        await pilot.press("u", "/", "ctrl+u", "escape")
        assert len(visible_labels(app)) == 10 and app.model.visible_count == 41


async def test_filter_prompt_edits_in_place_and_keeps_the_table_focused() -> None:
    app = TableApp(subjects(40))
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(SelectionTable).table
        await pilot.press("/", *"matiere 01x")
        assert app.focused is table  # typed into the pager line, not an Input
        assert "Filtre : matiere 01x▏" in footer(app) and "0 ligne(s)" in footer(app)
        assert not app.changes  # the a, d of « matiere », « 01x » edited, nothing activated
        await pilot.press("backspace")
        assert app.model.filter_text == "matiere 01" and len(visible_labels(app)) == 10
        await pilot.press("ctrl+w")
        assert app.model.filter_text == "matiere"
        app.post_message(events.Paste("  03\nignored line"))
        await pilot.pause()
        assert app.model.filter_text == "matiere  03"  # accents, case and spaces as typed
        await pilot.press("ctrl+u", *"rouge", "enter")
        assert visible_labels(app) == ["[red]ROUGE[/red] & ÉDUCATION"]
        assert "filtre « rouge » : 1" in footer(app)
        await pilot.press("a")  # the prompt is closed: keys act on the table again
        await pilot.pause()
        assert app.model.is_active("x") and [c.ids for c in app.changes] == [("x",)]


async def test_activate_all_and_counts() -> None:
    app = TableApp(subjects(40))
    initially_off = sum(not row.known for row in subjects(40))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("A")
        await pilot.pause()
        assert "41 / 41 activés" in footer(app)
        await pilot.press("D")
        await pilot.pause()
        assert "0 / 41 activés" in footer(app)
        assert [len(c.ids) for c in app.changes] == [initially_off, 41]


async def test_markup_in_a_name_displays_literally() -> None:
    app = TableApp(subjects(5))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("G")
        table = app.query_one(SelectionTable).table
        cell = table.get_row_at(table.cursor_row)[2]
        assert isinstance(cell, Text)
        assert cell.plain == "[red]ROUGE[/red] & ÉDUCATION"
        assert not cell.spans  # no style was parsed out of the name
        # and it reaches the screen as typed
        assert "[red]ROUGE[/red] & ÉDUCATION" in "".join(
            strip.text for strip in table.render_lines(table.region.reset_offset)
        )


@pytest.mark.parametrize("speed", ["burst", "pilot"])
async def test_every_key_after_slash_goes_to_the_filter_at_any_speed(speed: str) -> None:
    app = TableApp(subjects(40))
    async with app.run_test(size=(100, 30)) as pilot:
        keys = ("/", "d", "u", "p", "backspace", "backspace", "p", "a", "s")
        if speed == "burst":
            burst(app, *keys)
            await pilot.pause()
        else:
            await pilot.press(*keys)
        assert app.model.filter_text == "dpas"
        assert not app.changes and app.model.page_size == 10  # no `d`, no `p` as a command
        burst(app, "escape", "/", "ctrl+u", *"01", "enter", "d")
        await pilot.pause()
        assert app.model.filter_text == "01"
        assert [c.ids for c in app.changes] == [("1",)]  # `d` after enter: the table's again
