"""The cyclic garbage collector paused while a bulk load builds many short-lived objects.

Reading a results CSV makes a list of cells per record, tens of thousands at a time:
each allocation counts towards a collection, so the collector runs hundreds of times and
walks every young record although none is part of a cycle (plain lists of strings, freed
by reference counting as soon as a chunk is validated). Paused, a 200,000-row read takes
about a third less CPU (`bench/bench_route.py`). Nothing is kept from being freed:
reference counting still frees every record; only cycles wait, and the bulk code makes
none. The pause is scoped to the load, so a long-lived process (the TUI, which also reads
the CSV for its report) gets its collector back as it was.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic collector for the `with` block; restore it as it was (nesting-safe)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
