"""Rows, filter, sort, pages, marks and activation of one wizard table — in plain Python.

Textual's DataTable measures every cell on `add_row`, so the widget shows one page and this model
owns everything else. Work per keypress is O(page); only filtering and sorting walk every row,
and their results are cached until the filter, the sort or the rows change.

"Mark all matching the filter" is kept as a rule (the filter text plus exceptions), not as a
materialised set of ids, so that marking 10k rows costs nothing until they are acted upon.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, TypeVar

R = TypeVar("R")

PAGE_SIZES: tuple[int, ...] = (10, 25, 50, 100)

STATUS_KEY = "status"
"""Sort key of the status column (the status is the model's, not a `Column`)."""


@lru_cache(maxsize=131072)
def fold(text: str) -> str:
    """Case- and accent-insensitive form for substring filtering (`Élève` ≡ `eleve`)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def french_int(value: int) -> str:
    """`1568` → `1 568` (no-break space, as French typography wants)."""
    return f"{value:,}".replace(",", "\u00a0")


@dataclass(frozen=True, slots=True)
class Column(Generic[R]):
    """One displayed column: its title and how to read the cell text from a row."""

    key: str
    title: str
    value: Callable[[R], str]
    filterable: bool = True
    width: int | None = None
    """Preferred width; None: a flexible column that takes the width the others leave."""
    min_width: int | None = None
    """Narrowest useful width (default: `width`, i.e. never shrunk)."""
    search: Callable[[R], str] | None = None
    """What the filter reads instead of the cell's text (e.g. a name without its « (Id : n) »)."""


@dataclass(frozen=True, slots=True)
class Change:
    """Rows whose activation changed (posted to listeners so every decision is persisted)."""

    ids: tuple[str, ...]
    active: bool


Listener = Callable[[Change], None]


class SelectionModel(Generic[R]):
    """A table of rows identified by `row_id(row)`, each active or inactive.

    `initial_active(row)` gives each row's starting state (what the plan proposes);
    `can_activate(row)` refuses activation for rows that cannot be imported (e.g. a person with
    no ENT account). The status column is the screen's business: it reads `is_active(id)`.
    """

    def __init__(
        self,
        rows: Sequence[R],
        *,
        row_id: Callable[[R], str],
        columns: Sequence[Column[R]],
        initial_active: Callable[[R], bool],
        can_activate: Callable[[R], bool] | None = None,
        status: Callable[[str, R, bool], str] | None = None,
        page_size: int = 25,
    ) -> None:
        self._rows: list[R] = list(rows)
        self._ids: list[str] = [row_id(r) for r in self._rows]
        self._index: dict[str, int] = {rid: i for i, rid in enumerate(self._ids)}
        if len(self._index) != len(self._ids):
            raise ValueError("row ids must be unique")
        self.columns: tuple[Column[R], ...] = tuple(columns)
        self._can_activate = can_activate
        self._status = status
        """The status word of a row (`✖ Désactivé`): filtered and sorted like a column."""
        self._active: list[bool] = [bool(initial_active(r)) for r in self._rows]
        self._active_count = sum(self._active)
        self._haystacks: list[str] | None = None
        self._sort_key: str | None = None
        self._sort_reverse = False
        self._order: list[int] = list(range(len(self._rows)))
        self._filter = ""
        self._view: list[int] = self._order
        self._page = 0
        self.page_size = page_size if page_size in PAGE_SIZES else PAGE_SIZES[1]
        self._marked: set[int] = set()
        self._rule: str | None = None
        """Filter text of "mark all matching"; rows matching it are marked unless excepted."""
        self._rule_members: frozenset[int] = frozenset()
        self._rule_exceptions: set[int] = set()
        self._anchor: int | None = None
        self._listeners: list[Listener] = []

    # -- rows -------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._rows)

    def row(self, row_id: str) -> R:
        return self._rows[self._index[row_id]]

    def all_rows(self) -> list[R]:
        """Every row in the plan's order, whatever the filter."""
        return list(self._rows)

    def row_id_at(self, view_index: int) -> str:
        return self._ids[self._view[view_index]]

    def is_active(self, row_id: str) -> bool:
        return self._active[self._index[row_id]]

    def activatable(self, row_id: str) -> bool:
        return self._may_activate(self._index[row_id])

    def _may_activate(self, index: int) -> bool:
        return self._can_activate is None or self._can_activate(self._rows[index])

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    # -- filter and sort --------------------------------------------------------------------

    @property
    def filter_text(self) -> str:
        return self._filter

    @property
    def sort_key(self) -> str | None:
        return self._sort_key

    @property
    def sort_reverse(self) -> bool:
        return self._sort_reverse

    def _haystack(self) -> list[str]:
        if self._haystacks is None:
            readers = [c.search or c.value for c in self.columns if c.filterable]
            self._haystacks = [
                fold("\x1f".join(read(row) for read in readers)) for row in self._rows
            ]
        return self._haystacks

    def status_word(self, index: int) -> str:
        """The row's status as the table shows it (it follows activation, so never cached)."""
        if self._status is None:
            return ""
        return self._status(self._ids[index], self._rows[index], self._active[index])

    def _matching(self, text: str, among: Iterable[int]) -> list[int]:
        """Rows whose filterable text or status word contains `text` (`/désactivé`)."""
        needle = fold(text.strip())
        if not needle:
            return list(among)
        hay = self._haystack()
        return [i for i in among if needle in hay[i] or needle in fold(self.status_word(i))]

    def set_filter(self, text: str) -> None:
        """Keep rows whose filterable columns contain `text` (case/accent-insensitive)."""
        if text == self._filter:
            return
        self._filter = text
        self._view = self._matching(text, self._order)
        self._page = 0
        self._anchor = None

    def sort_by(self, column_key: str | None, *, reverse: bool = False) -> None:
        """Stable sort on one column's text (`None` restores the plan's order)."""
        if column_key is None:
            self._order = list(range(len(self._rows)))
        elif column_key == STATUS_KEY:
            keys = [fold(self.status_word(i)) for i in range(len(self._rows))]
            self._order = sorted(range(len(self._rows)), key=keys.__getitem__, reverse=reverse)
        else:
            column = next((c for c in self.columns if c.key == column_key), None)
            if column is None:
                raise KeyError(column_key)
            keys = [fold(column.value(r)) for r in self._rows]
            self._order = sorted(range(len(self._rows)), key=keys.__getitem__, reverse=reverse)
        self._sort_key, self._sort_reverse = column_key, reverse
        self._view = self._matching(self._filter, self._order)
        self._anchor = None

    def cycle_sort(self, column_key: str) -> None:
        """Ascending, then descending, then the original order."""
        if self._sort_key != column_key:
            self.sort_by(column_key)
        elif not self._sort_reverse:
            self.sort_by(column_key, reverse=True)
        else:
            self.sort_by(None)

    # -- pages ------------------------------------------------------------------------------

    @property
    def visible_count(self) -> int:
        return len(self._view)

    @property
    def page(self) -> int:
        """Zero-based current page."""
        return self._page

    @property
    def page_count(self) -> int:
        return max(1, -(-len(self._view) // self.page_size))

    def set_page_size(self, size: int) -> None:
        """Change the page size, keeping the first row of the current page in view."""
        if size not in PAGE_SIZES:
            raise ValueError(f"page size must be one of {PAGE_SIZES}")
        first = self._page * self.page_size
        self.page_size = size
        self._page = first // size

    def next_page_size(self) -> int:
        index = PAGE_SIZES.index(self.page_size)
        self.set_page_size(PAGE_SIZES[(index + 1) % len(PAGE_SIZES)])
        return self.page_size

    def go_to_page(self, page: int) -> None:
        self._page = min(max(page, 0), self.page_count - 1)

    @property
    def page_start(self) -> int:
        """View index of the first row of the current page."""
        return self._page * self.page_size

    def page_rows(self) -> list[tuple[str, R]]:
        start = self.page_start
        indices = self._view[start : start + self.page_size]
        return [(self._ids[i], self._rows[i]) for i in indices]

    def pager(self, around: int = 2) -> list[int | None]:
        """Page numbers (1-based) to show, `None` for an ellipsis: first, last, and neighbours."""
        count, current = self.page_count, self._page + 1
        shown = {1, count, *range(current - around, current + around + 1)}
        pages = sorted(p for p in shown if 1 <= p <= count)
        result: list[int | None] = []
        for page in pages:
            if result and page - (result[-1] or 0) > 1:
                result.append(None)
            result.append(page)
        return result

    # -- marks ------------------------------------------------------------------------------

    def is_marked(self, row_id: str) -> bool:
        index = self._index[row_id]
        if index in self._marked:
            return True
        return index in self._rule_members and index not in self._rule_exceptions

    @property
    def marked_count(self) -> int:
        extra = self._rule_members - self._rule_exceptions
        return len(self._marked | extra) if self._marked else len(extra)

    @property
    def mark_rule(self) -> str | None:
        return self._rule

    def toggle_mark(self, view_index: int) -> bool:
        """Flip the mark of the visible row at `view_index` (it becomes the range anchor)."""
        index = self._view[view_index]
        marked = self.is_marked(self._ids[index])
        if marked:
            self._marked.discard(index)
            if index in self._rule_members:
                self._rule_exceptions.add(index)
        else:
            self._marked.add(index)
        self._anchor = view_index
        return not marked

    def set_anchor(self, view_index: int) -> None:
        self._anchor = view_index

    def mark_range(self, view_index: int) -> int:
        """Mark every visible row between the anchor (last toggled row) and `view_index`."""
        anchor = self._anchor if self._anchor is not None else view_index
        low, high = sorted((anchor, view_index))
        high = min(high, len(self._view) - 1)
        added = self._view[low : high + 1]
        self._marked.update(added)
        self._rule_exceptions.difference_update(added)
        self._anchor = view_index
        return len(added)

    def mark_all_matching(self) -> int:
        """Mark every row the current filter shows, remembered as a rule."""
        self._rule = self._filter
        self._rule_members = frozenset(self._view)
        self._rule_exceptions = set()
        return self.marked_count

    def clear_marks(self) -> None:
        self._marked.clear()
        self._rule, self._rule_members, self._rule_exceptions = None, frozenset(), set()
        self._anchor = None

    def marked_ids(self) -> list[str]:
        """Marked ids in the current view order (then any marked but filtered out)."""
        members = self._marked | (self._rule_members - self._rule_exceptions)
        ordered = [i for i in self._order if i in members]
        return [self._ids[i] for i in ordered]

    # -- activation -------------------------------------------------------------------------

    @property
    def active_count(self) -> int:
        return self._active_count

    def counts_label(self) -> str:
        """`412 / 1 568 activés` — always visible under the table."""
        return f"{french_int(self._active_count)} / {french_int(len(self._rows))} activés"

    def set_active(self, row_ids: Iterable[str], active: bool) -> Change:
        """Activate or deactivate rows; rows refused by `can_activate` are left alone."""
        changed: list[str] = []
        for rid in row_ids:
            index = self._index[rid]
            if self._active[index] == active:
                continue
            if active and not self._may_activate(index):
                continue
            self._active[index] = active
            self._active_count += 1 if active else -1
            changed.append(rid)
        change = Change(tuple(changed), active)
        if changed:
            for listener in self._listeners:
                listener(change)
        return change

    def set_all_active(self, active: bool) -> Change:
        """`Tout activer` / `Tout désactiver`: every row, whatever the filter."""
        return self.set_active(self._ids, active)

    def apply_to_marked_or(self, cursor_id: str | None, active: bool) -> Change:
        """Act on the marked rows, or on the cursor row when nothing is marked."""
        targets = self.marked_ids()
        if not targets and cursor_id is not None:
            targets = [cursor_id]
        return self.set_active(targets, active)


FLEX_WIDTH = 40
"""What a flexible column (a name, a title) gets before the other columns grow."""


def share_width(
    available: int, columns: Sequence[tuple[int | None, int | None]], padding: int = 1
) -> list[int]:
    """Widths of columns `(preferred, min)`, most important first, in `available` cells.

    Every column starts at its minimum; while they do not fit, the last ones are left out
    (width 0: not shown, still filtered; the first is always shown). The spare width then goes
    to the flexible columns (preferred None) up to `FLEX_WIDTH`, then makes the others their
    preferred width (whole, first ones first), and what is still left goes to the flexible
    ones: long names and titles first, and wide terminals use their width. A shown column
    also costs `2 * padding` cells.
    """
    flexible = [pref is None for pref, _ in columns]
    want = [FLEX_WIDTH if pref is None else pref for pref, _ in columns]
    widths = [w if low is None else min(low, w) for (_, low), w in zip(columns, want, strict=True)]

    def spare() -> int:
        return available - sum(w + 2 * padding for w in widths if w > 0)

    for index in reversed(range(1, len(widths))):
        if spare() >= 0:
            break
        widths[index] = 0

    def grow(indexes: list[int], cap: list[int] | None) -> None:
        while indexes and spare() > 0:
            room = [i for i in indexes if cap is None or widths[i] < cap[i]]
            if not room:
                return
            share = max(spare() // len(room), 1)
            for index in room:
                if spare() <= 0:
                    return
                limit = share if cap is None else min(share, cap[index] - widths[index])
                widths[index] += limit

    shown = [i for i, w in enumerate(widths) if w > 0]
    grow([i for i in shown if flexible[i]], want)
    for index in shown:  # a fixed column is shown whole or at its minimum, never in between
        if not flexible[index] and 0 < want[index] - widths[index] <= spare():
            widths[index] = want[index]
    grow([i for i in shown if flexible[i]], None)
    return widths
