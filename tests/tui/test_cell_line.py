"""`cell_line` renders a table cell exactly as Rich's generic path does, only cheaper.

Span-free cells (one style, as the tables make them) take its shortest path; the others go
through `Text.render`."""

from __future__ import annotations

import pytest
from rich.console import Console
from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.renderables.styled import Styled

from edt_tui.tui.widgets.page_table import cell_line

CELLS = [
    Text(""),
    Text("✔ Activé", style="green"),
    Text("LCA LATIN - 2NDE123LATIN (Id : 42)", style="bold red"),
    Text.assemble(("Élève ", "bold"), ("[red]", "italic"), " fin"),
    Text("東京の生徒さん", style="blue"),  # double-width characters cropped mid-way
    Text("plain, no style at all"),
    Text("● Style object", style=Style(color="green", bold=True, meta={"x": 1})),
    Text("", style="bold"),
]


@pytest.mark.parametrize("text", CELLS, ids=range(len(CELLS)))
@pytest.mark.parametrize("width", [2, 3, 9, 16, 40])
@pytest.mark.parametrize("post", [Style(), Style(reverse=True)])
def test_same_segments_as_rich(text: Text, width: int, post: Style) -> None:
    console = Console(width=120, color_system="truecolor")
    pre = Style(bgcolor="grey11") + Style.from_meta({"row": 3, "column": 1})
    options = console.options.update_dimensions(width, 1).update(no_wrap=True)
    expected = console.render_lines(
        Styled(Padding(text, (0, 1)), pre_style=pre, post_style=post), options
    )
    got = cell_line(console, text, width, 1, pre, post)
    assert list(Segment.simplify(got)) == list(Segment.simplify(expected[0]))
    assert Segment.get_line_length(got) == width
