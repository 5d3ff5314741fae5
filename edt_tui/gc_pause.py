"""Pausing Python's cyclic garbage collector while a large, acyclic structure is built.

A parse, a plan, a JSON document: 10^5–10^6 new container objects, none in a reference cycle.
Each young pass walks them again for nothing, and the full passes they trigger walk the whole
heap (0.5 s on the lycée, with the service's plans in memory). Reference counting still frees
everything. The switch is process-wide: the first pauser to finish turns the collector back on,
so it can never stay off.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
