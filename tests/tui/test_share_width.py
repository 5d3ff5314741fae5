"""`share_width`: columns share the terminal's width by priority."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from edt_tui.tui.selection_model import FLEX_WIDTH, share_width

COURSES = [(None, 36), (14, 8), (11, None), (5, None), (16, 10), (16, 10), (16, 10)]


def test_at_80_columns_the_title_stays_whole_and_the_dates_go() -> None:
    widths = share_width(76, COURSES)
    assert widths[0] >= 40 and widths[4:] == [0, 0, 0]
    assert sum(w + 2 for w in widths if w) <= 76


def test_wide_terminals_use_their_width() -> None:
    widths = share_width(200, COURSES)
    assert widths[1:] == [14, 11, 5, 16, 16, 16]
    assert sum(w + 2 for w in widths if w) == 200


def test_a_fixed_column_is_whole_or_at_its_minimum() -> None:
    assert share_width(116, COURSES)[4:] in ([16, 16, 16], [16, 10, 10], [16, 16, 10], [10, 10, 10])


column = st.tuples(
    st.one_of(st.none(), st.integers(1, 30)), st.one_of(st.none(), st.integers(1, 30))
).map(lambda c: (c[0], c[1] if c[0] is None or c[1] is None else min(c[0], c[1])))


@given(st.lists(column, min_size=1, max_size=8), st.integers(20, 250))
def test_shares_never_overflow_and_keep_the_first_column(
    columns: list[tuple[int | None, int | None]], available: int
) -> None:
    widths = share_width(available, columns)
    first_least = columns[0][1] if columns[0][1] is not None else (columns[0][0] or FLEX_WIDTH)
    assert widths[0] >= min(first_least, columns[0][0] or first_least)
    if first_least + 2 <= available:
        assert sum(w + 2 for w in widths if w) <= available
    for (preferred, least), width in zip(columns, widths, strict=True):
        if width and preferred is not None:
            assert width in (preferred, least if least is not None else preferred)
