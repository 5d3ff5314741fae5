"""The page table's render caches free what they held as soon as they are cleared.

Textual's LRUCache links its entries in a ring; cleared as a whole, the ring is a reference
cycle only a full pass of the cyclic GC frees (a stall on a later keypress), so `PageTable`
uses `AcyclicLRUCache`.
"""

from __future__ import annotations

import gc
import weakref

from textual.app import App, ComposeResult
from textual.cache import LRUCache

from edt_tui.tui.widgets.selection_table import AcyclicLRUCache, PageTable


class Line:
    """A cached value that can be watched with a weak reference."""


def cleared_survivors(cache: LRUCache[int, Line]) -> int:
    """How many values the cache still keeps alive after `clear()`, with the cyclic GC off."""
    values = [Line() for _ in range(5)]
    for key, value in enumerate(values):
        cache[key] = value
    refs = [weakref.ref(value) for value in values]
    del values, value
    enabled = gc.isenabled()
    gc.disable()
    try:
        cache.clear()
        return sum(ref() is not None for ref in refs)
    finally:
        if enabled:
            gc.enable()


def test_textual_lru_cache_leaves_a_cycle_that_our_cache_does_not() -> None:
    assert cleared_survivors(LRUCache(3)) == 3  # the ring: alive until a full GC pass
    assert cleared_survivors(AcyclicLRUCache(3)) == 0
    cache: AcyclicLRUCache[int, Line] = AcyclicLRUCache(3)
    cache[1] = kept = Line()
    cache[2] = Line()
    assert cache.get(1) is kept and len(cache) == 2  # still an LRU cache
    cache.clear()
    assert cache.get(1) is None and not cache


async def test_page_table_uses_acyclic_caches() -> None:
    class OneTable(App[None]):
        def compose(self) -> ComposeResult:
            yield PageTable()

    async with OneTable().run_test() as pilot:
        table = pilot.app.query_one(PageTable)
        caches = [value for value in vars(table).values() if isinstance(value, LRUCache)]
        assert len(caches) >= 6  # the DataTable's line, row and cell caches among them
        assert all(isinstance(cache, AcyclicLRUCache) for cache in caches)
