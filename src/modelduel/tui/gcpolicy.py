"""What runs once the first screen is up: the price table, and the garbage collector's policy."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from modelduel.config import ResolvedModel

__all__ = ["tame_gc", "warm_prices"]

_warming: set[asyncio.Future[None]] = set()  # the loop keeps only a weak reference


def warm_prices(models: Sequence[ResolvedModel]) -> None:
    """Get the lineup's prices ready now (after the first paint), not when the first usage arrives.

    Only models the price library prices count: a `free` model or one with a config
    price never needs it.
    """
    # the price library's data is the slowest import of a run; the first frame needs none
    from modelduel.core.pricing import warm_up  # noqa: PLC0415  genai-prices loads after the first frame

    lineup = [
        (m.kind, m.model_id) for m in models if not m.options.free and m.options.price is None
    ]
    if lineup:
        task = asyncio.ensure_future(warm_up(lineup))
        _warming.add(task)
        task.add_done_callback(_warming.discard)


def tame_gc() -> None:
    """Keep the garbage collector from stalling the screen mid-stream.

    Full collections walk every object of a large widget tree and of every streamed
    answer's drawn lines: with the default collector a run's worst loop lag is 0.5-0.7 s,
    and with the first tuning here (freeze, then thresholds 20000/50/100) 0.2-0.6 s
    about every 15k tokens per pane. So objects alive once the screen is up are frozen
    out of collection, young collections run as usual (cheap: they walk only young
    objects), a full collection never starts by itself, and one runs when the app has
    been idle for a couple of seconds (no middle collection since the last check, i.e.
    hardly any allocation), where a pause is not seen. Cyclic garbage that reached the
    old generation waits for that idle moment; nothing is leaked for longer.
    `python bench/bench_gc.py` measures the policies against each other.
    """
    idle_check_s = 2.0
    gc.collect()
    gc.freeze()
    gc.set_threshold(700, 10, 1_000_000_000)
    loop = asyncio.get_running_loop()
    middle_collections = gc.get_stats()[1]["collections"]
    old_garbage_pending = False

    def collect_when_idle() -> None:
        nonlocal middle_collections, old_garbage_pending
        now = gc.get_stats()[1]["collections"]
        if now != middle_collections:
            old_garbage_pending = True  # busy: objects were promoted since the last check
        elif old_garbage_pending:
            gc.collect()
            old_garbage_pending = False
            now = gc.get_stats()[1]["collections"]
        middle_collections = now
        loop.call_later(idle_check_s, collect_when_idle)

    loop.call_later(idle_check_s, collect_when_idle)
